//! TLS session stores without std, for the resumed cases: the client's (what a firmware
//! keeps in RAM across re-authentications) and the test server's (rustls's own stores need
//! std). Single-threaded program; a spin flag keeps the `Sync` the traits ask for sound.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};
use rustls::NamedGroup;
use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::server::StoresServerSessions;

/// A value behind a spin flag.
pub(crate) struct Spin<T> {
    busy: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: every access to `value` goes through `with`, which holds `busy` (acquired with
// a compare-exchange, released after the closure) so no two threads ever touch it at once;
// T: Send is what moving access between threads needs.
unsafe impl<T: Send> Sync for Spin<T> {}

impl<T> Spin<T> {
    pub(crate) const fn new(value: T) -> Self {
        Spin {
            busy: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: `busy` is held (above) until the store below, so this is the only
        // reference to the value while `f` runs; `f` cannot re-enter `with` on the same
        // lock without spinning forever, which the callers here never do.
        let r = f(unsafe { &mut *self.value.get() });
        self.busy.store(false, Ordering::Release);
        r
    }
}

impl<T> core::fmt::Debug for Spin<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Spin")
    }
}

#[derive(Default)]
struct ClientState {
    kx_hint: Option<NamedGroup>,
    tls12: Option<Tls12ClientSessionValue>,
    tls13: VecDeque<Tls13ClientSessionValue>,
}

/// The client's store: one server (a device talks to one RADIUS realm).
#[derive(Debug)]
pub(crate) struct ClientStore(Spin<ClientState>);

impl ClientStore {
    pub(crate) fn new() -> Self {
        ClientStore(Spin::new(ClientState::default()))
    }
}

impl ClientSessionStore for ClientStore {
    fn set_kx_hint(&self, _: ServerName<'static>, group: NamedGroup) {
        self.0.with(|s| s.kx_hint = Some(group));
    }

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        self.0.with(|s| s.kx_hint)
    }

    fn set_tls12_session(&self, _: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.0.with(|s| s.tls12 = Some(value));
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.0.with(|s| s.tls12.clone())
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {
        self.0.with(|s| s.tls12 = None);
    }

    fn insert_tls13_ticket(&self, _: ServerName<'static>, value: Tls13ClientSessionValue) {
        self.0.with(|s| {
            if s.tls13.len() == 2 {
                s.tls13.pop_front();
            }
            s.tls13.push_back(value);
        });
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.0.with(|s| s.tls13.pop_back())
    }
}

/// The test server's store (stateful resumption: TLS 1.2 session IDs, TLS 1.3 tickets).
#[derive(Debug)]
pub(crate) struct ServerStore(Spin<Vec<(Vec<u8>, Vec<u8>)>>);

impl ServerStore {
    pub(crate) fn new() -> Self {
        ServerStore(Spin::new(Vec::new()))
    }
}

impl StoresServerSessions for ServerStore {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        self.0.with(|v| {
            v.retain(|(k, _)| *k != key);
            v.push((key, value));
        });
        true
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0
            .with(|v| v.iter().find(|(k, _)| k == key).map(|(_, val)| val.clone()))
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.with(|v| {
            let at = v.iter().position(|(k, _)| k == key)?;
            Some(v.remove(at).1)
        })
    }

    fn can_cache(&self) -> bool {
        true
    }
}
