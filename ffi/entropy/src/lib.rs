//! `getrandom` 0.2's interface (the part ring uses: [`getrandom`] and [`Error`]) over the
//! random callback of the C API's firmware build.
//!
//! Why: the firmware archive takes all of its randomness from the caller's callback
//! (`eap_config_builder_set_rng`). rustls's provider can be given that callback, but ring
//! draws the ECDHE private keys and signature nonces from its own `SystemRandom`, which is
//! `getrandom`: the OS on Linux (syscalls, `/dev/urandom`, a pthread mutex), nothing at all
//! on `target_os = "none"`. ffi/firmware patches `getrandom` with this crate, so that on
//! every target ring's randomness is the callback of the supplicant whose call is running,
//! and the archive needs no OS. Outside such a call the fill fails (ring reports an error,
//! the handshake fails with the random-generator cause): randomness is never invented.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

use core::fmt;
use core::num::NonZeroU32;

unsafe extern "Rust" {
    /// Defined by eap-ffi's firmware build (src/rng.rs): fills `dest` from the running
    /// call's random callback; false when there is none or it failed.
    fn eap_ffi_fill_random(dest: &mut [u8]) -> bool;
}

/// A failure to produce random octets (getrandom's error type, one code here).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(NonZeroU32);

impl Error {
    /// getrandom's code for "no generator available", used for every failure here.
    pub const UNSUPPORTED: Error = Error(match NonZeroU32::new(Self::CUSTOM_START) {
        Some(code) => code,
        None => unreachable!(),
    });
    /// The first of the codes getrandom leaves to custom backends.
    pub const CUSTOM_START: u32 = (1 << 31) + (1 << 30);

    /// The code, as getrandom gives it.
    pub fn code(self) -> NonZeroU32 {
        self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({})", self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the random callback failed or no call of the C API is running")
    }
}

/// Fills `dest` with random octets from the caller's callback.
pub fn getrandom(dest: &mut [u8]) -> Result<(), Error> {
    if dest.is_empty() {
        return Ok(());
    }
    // SAFETY: eap-ffi's firmware build defines `eap_ffi_fill_random` with exactly this
    // Rust signature (the only build that patches getrandom with this crate); it only
    // writes within `dest`.
    if unsafe { eap_ffi_fill_random(dest) } {
        Ok(())
    } else {
        Err(Error::UNSUPPORTED)
    }
}
