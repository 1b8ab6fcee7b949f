//! The caller's TLS session cache ([`SessionCache`]): what a re-authentication resumes
//! from.

use alloc::collections::VecDeque;
use rustls::NamedGroup;
use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use std::sync::Mutex;

/// TLS 1.3 tickets kept per server (servers commonly send two per handshake).
const TICKETS_PER_SERVER: usize = 2;

/// What is kept for one server identity.
struct Entry {
    key: ServerName<'static>,
    kx_hint: Option<NamedGroup>,
    tls12: Option<Tls12ClientSessionValue>,
    tls13: VecDeque<Tls13ClientSessionValue>,
}

impl Entry {
    fn new(key: ServerName<'static>) -> Self {
        Entry {
            key,
            kx_hint: None,
            tls12: None,
            tls13: VecDeque::new(),
        }
    }
}

/// A small TLS session cache owned by the caller: by default one server identity, its
/// TLS 1.2 session (session ID or ticket, [RFC 5077](https://www.rfc-editor.org/rfc/rfc5077))
/// and up to two TLS 1.3 tickets
/// ([RFC 8446 §4.6.1](https://www.rfc-editor.org/rfc/rfc8446#section-4.6.1)).
///
/// Give the same one to
/// [`ConfigBuilder::session_cache`](crate::ConfigBuilder::session_cache) for as
/// long as resuming is wanted (in RAM across re-authentications); drop it, or
/// [`SessionCache::clear`], to forget. Nothing is written anywhere else.
///
/// Keys: the connector files each entry under the EAP method and a digest of the server
/// identity it validates (the CAs and the name rule), so only a connection that would
/// validate the same server the same way, for the same method, finds it; rustls further
/// resumes a session only with the verifier (and client certificate) that made it.
///
/// Lifetimes: rustls drops a session past its lifetime (the ticket's lifetime hint, at
/// most 7 days; a TLS 1.2 session-ID session has none and lives until the server forgets
/// it, which costs one full handshake) when it looks it up, by the configuration's clock;
/// under [`CertificateTime::NoClock`](super::CertificateTime::NoClock) that clock stands
/// still, so tickets do not expire here and the server decides. TLS 1.3 tickets are used
/// once ([RFC 8446 §C.4](https://www.rfc-editor.org/rfc/rfc8446#appendix-C.4)).
///
/// Secrets: the session values are rustls's, which keep the master secret or resumption
/// secret in zeroizing buffers (wiped when an entry is replaced, taken or dropped);
/// `Debug` prints the capacity and the number of entries only. One entry measured about
/// 1 KiB (TLS 1.2) and 2.5 KiB (TLS 1.3, two tickets) with the test PKI (`tests/memory.rs`).
///
/// Host builds only (a `std` lock); firmware gives
/// [`ConfigBuilder::session_cache`](crate::ConfigBuilder::session_cache) any
/// `rustls::client::ClientSessionStore` built on its platform's lock.
pub struct SessionCache {
    capacity: usize,
    /// Most recently used last.
    entries: Mutex<VecDeque<Entry>>,
}

impl Default for SessionCache {
    /// One server identity: what a device that joins one network needs.
    fn default() -> Self {
        SessionCache::new(1)
    }
}

impl core::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionCache")
            .field("capacity", &self.capacity)
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

impl SessionCache {
    /// A cache for up to `servers` server identities (at least one); the least recently
    /// used is forgotten first.
    pub fn new(servers: usize) -> Self {
        SessionCache {
            capacity: servers.max(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// Server identities with something to resume.
    pub fn len(&self) -> usize {
        self.with(|e| {
            e.iter()
                .filter(|x| x.tls12.is_some() || !x.tls13.is_empty())
                .count()
        })
    }

    /// True when nothing can be resumed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every session (the next authentication is a full handshake).
    pub fn clear(&self) {
        self.with(VecDeque::clear);
    }

    fn with<R>(&self, f: impl FnOnce(&mut VecDeque<Entry>) -> R) -> R {
        // A panic while the lock was held cannot leave an entry half-written (each
        // change is one assignment), so a poisoned lock is still usable.
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// The entry of `key`, made most recent (created if `create`, evicting the oldest).
    fn entry<R>(
        &self,
        key: &ServerName<'_>,
        create: bool,
        f: impl FnOnce(&mut Entry) -> R,
    ) -> Option<R> {
        self.with(|entries| {
            let found = entries.iter().position(|e| e.key == *key);
            let mut entry = match (found, create) {
                (Some(i), _) => entries.remove(i)?,
                (None, true) => Entry::new(key.to_owned()),
                (None, false) => return None,
            };
            let result = f(&mut entry);
            entries.push_back(entry);
            while entries.len() > self.capacity {
                entries.pop_front();
            }
            Some(result)
        })
    }
}

impl ClientSessionStore for SessionCache {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.entry(&server_name, true, |e| e.kx_hint = Some(group));
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.entry(server_name, false, |e| e.kx_hint).flatten()
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.entry(&server_name, true, |e| e.tls12 = Some(value));
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.entry(server_name, false, |e| e.tls12.clone())
            .flatten()
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.entry(server_name, false, |e| e.tls12 = None);
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        self.entry(&server_name, true, |e| {
            if e.tls13.len() == TICKETS_PER_SERVER {
                e.tls13.pop_front();
            }
            e.tls13.push_back(value);
        });
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        // The newest first: it has the longest to live.
        self.entry(server_name, false, |e| e.tls13.pop_back())
            .flatten()
    }
}
