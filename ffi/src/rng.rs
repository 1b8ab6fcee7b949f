//! Randomness from the caller's callback.
//!
//! rustls takes its random generator as a `&'static dyn SecureRandom` in the
//! `CryptoProvider`, which has no room for a per-configuration callback and user pointer.
//! So the provider of a configuration with a callback holds [`CALLBACK_RANDOM`], which asks
//! the callback of the supplicant whose call is running: each call that can use randomness
//! enters a [`Scope`] for its supplicant's callback. Host build: per thread (supplicants on
//! different threads run independently). Firmware build: one global slot; a call that
//! starts while another runs gets `EAP_RESULT_BUSY`.
//!
//! What it covers: everything rustls and the core draw from the provider (TLS randoms,
//! the MSCHAPv2 peer challenge). ring's key agreement and signatures draw from ring's own
//! generator (`getrandom`), which a provider's `secure_random` cannot replace: on hosts
//! that is the OS; the firmware archive (ffi/firmware) patches `getrandom` with ffi/entropy,
//! which calls [`eap_ffi_fill_random`], so there the callback is the only source.

use core::ffi::{c_int, c_void};
use eap_core::rustls::crypto::{GetRandomFailed, SecureRandom};

/// The random generator callback: fill `buf` with `len` random octets, return 0 on success
/// (any other value fails the operation that needed them).
pub type eap_rng_callback =
    Option<unsafe extern "C" fn(user: *mut c_void, buf: *mut u8, len: usize) -> c_int>;

/// A callback and its user pointer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rng {
    pub(crate) callback: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> c_int,
    pub(crate) user: *mut c_void,
}

impl Rng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        if buf.is_empty() {
            return Ok(());
        }
        // SAFETY: the caller registered this callback with the contract "fill `len` octets
        // at `buf`"; `buf` is a live, exclusive slice of exactly `len` octets.
        let rc = unsafe { (self.callback)(self.user, buf.as_mut_ptr(), buf.len()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(GetRandomFailed)
        }
    }
}

/// The `SecureRandom` of every provider made for a configuration with a callback.
#[derive(Debug)]
pub(crate) struct CallbackRandom;

/// The one instance (rustls wants `&'static`).
pub(crate) static CALLBACK_RANDOM: CallbackRandom = CallbackRandom;

impl SecureRandom for CallbackRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        current::with(|rng| match rng {
            Some(rng) => rng.fill(buf),
            // Randomness wanted outside a call of ours: refuse rather than invent it.
            None => Err(GetRandomFailed),
        })
    }
}

/// While alive, [`CALLBACK_RANDOM`] asks this scope's callback.
pub(crate) struct Scope {
    #[cfg(feature = "std")]
    previous: Option<Rng>,
    #[cfg(not(feature = "std"))]
    entered: bool,
}

#[cfg(feature = "std")]
mod current {
    use super::{Rng, Scope};
    use crate::eap_result;
    use core::cell::Cell;

    std::thread_local! {
        static CURRENT: Cell<Option<Rng>> = const { Cell::new(None) };
    }

    pub(super) fn with<T>(f: impl FnOnce(Option<&Rng>) -> T) -> T {
        let rng = CURRENT.with(Cell::get);
        f(rng.as_ref())
    }

    impl Scope {
        /// Makes `rng` the current callback of this thread (nothing if `None`: the
        /// configuration's provider then has its own generator).
        pub(crate) fn enter(rng: Option<&Rng>) -> Result<Scope, eap_result> {
            let previous = match rng {
                Some(r) => CURRENT.with(|c| c.replace(Some(*r))),
                None => CURRENT.with(Cell::get),
            };
            Ok(Scope { previous })
        }
    }

    impl Drop for Scope {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.previous));
        }
    }
}

#[cfg(not(feature = "std"))]
mod current {
    use super::{Rng, Scope};
    use crate::eap_result;
    use core::sync::atomic::{AtomicPtr, Ordering};

    /// The callback of the running call; NULL between calls.
    static CURRENT: AtomicPtr<Rng> = AtomicPtr::new(core::ptr::null_mut());

    pub(super) fn with<T>(f: impl FnOnce(Option<&Rng>) -> T) -> T {
        let p = CURRENT.load(Ordering::Acquire);
        // SAFETY: CURRENT is non-NULL only while a `Scope` is alive, and a scope is made
        // from a `&Rng` inside a handle that the running call borrows for longer than the
        // scope lives (the scope is dropped before the call returns).
        f(unsafe { p.as_ref() })
    }

    impl Scope {
        /// Makes `rng` the current callback; `Busy` if another call holds the slot.
        pub(crate) fn enter(rng: Option<&Rng>) -> Result<Scope, eap_result> {
            let Some(r) = rng else {
                return Ok(Scope { entered: false });
            };
            let p = r as *const Rng as *mut Rng;
            CURRENT
                .compare_exchange(
                    core::ptr::null_mut(),
                    p,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .map(|_| Scope { entered: true })
                .map_err(|_| eap_result::Busy)
        }
    }

    impl Drop for Scope {
        fn drop(&mut self) {
            if self.entered {
                CURRENT.store(core::ptr::null_mut(), Ordering::Release);
            }
        }
    }
}

/// ring's randomness in the firmware archive (ffi/entropy's `getrandom` calls it): the
/// running call's callback, as for [`CALLBACK_RANDOM`]; false outside a call or when the
/// callback fails.
#[cfg(not(feature = "std"))]
#[unsafe(no_mangle)]
pub fn eap_ffi_fill_random(dest: &mut [u8]) -> bool {
    CALLBACK_RANDOM.fill(dest).is_ok()
}

/// The callback, checked: `None` for a NULL function pointer.
pub(crate) fn from_c(callback: eap_rng_callback, user: *mut c_void) -> Option<Rng> {
    callback.map(|callback| Rng { callback, user })
}
