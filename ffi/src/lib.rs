//! The C API of the `eap` supplicant core: `libeap.a` and `include/eap.h`.
//!
//! A thin layer over the crate's public Rust API, in the conventions of rustls-ffi:
//!
//! - opaque handles made by `*_new` (or `eap_config_builder_build`) and released by
//!   `*_free`, which accepts NULL;
//! - every fallible call returns one [`eap_result`]; a NULL pointer, a buffer too small, a
//!   call out of order each have their own code, and nothing is written on failure;
//! - no panic crosses the boundary: the host build catches it and returns
//!   [`eap_result::Panic`] (the handle is unusable afterwards and must be freed); the
//!   firmware build has `panic = "abort"` and calls the port layer's `eap_port_abort`;
//! - no I/O: the caller moves EAP packets and passes its monotonic clock (milliseconds)
//!   with every input, exactly as the Rust `Supplicant`.
//!
//! Two builds of the same API: `std` (hosts: the rustls connector, the system clock for
//! certificate dates and the OS random generator unless the caller sets its own) and
//! `firmware` (no std: the unbuffered TLS tunnel; memory from `eap_port_alloc` /
//! `eap_port_free`, randomness from the caller's callback, certificate time from a callback
//! or a no-clock floor).

#![cfg_attr(not(feature = "std"), no_std)]
// C names, as rustls-ffi spells them (`eap_supplicant`, `eap_result`): the header is what
// C programmers read.
#![allow(non_camel_case_types)]
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
// A setter hands the library's by-value ConfigBuilder back on both paths (Ok and Err are
// the same size); boxing it for the rare mistake would buy nothing.
#![allow(clippy::result_large_err)]

extern crate alloc;

#[cfg(not(any(feature = "std", feature = "firmware")))]
compile_error!(
    "build the host archive with feature `std`, the firmware archive with `cargo build --release --manifest-path ffi/firmware/Cargo.toml`"
);

mod config;
#[cfg(not(feature = "std"))]
mod port;
mod rng;
mod supplicant;

pub use config::*;
pub use supplicant::*;

use core::ffi::{CStr, c_char};

/// The result of every fallible call. `EAP_RESULT_OK` is 0; every other value names one
/// mistake, and on any of them nothing was written to the caller's outputs.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum eap_result {
    /// Success.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL (a handle, an output, a buffer
    /// with a non-zero length).
    NullArgument = 1,
    /// An argument is out of range: an unknown enum value, text that is not UTF-8, an NT
    /// hash that is not 16 octets, a length above `PTRDIFF_MAX`.
    InvalidArgument = 2,
    /// The output buffer is too small; nothing was written (a length output, when there is
    /// one, says how much is needed).
    BufferTooSmall = 3,
    /// The configuration builder was already built (each builder builds once).
    AlreadyBuilt = 4,
    /// No keys: no authentication has succeeded with keys (or the last one failed).
    NoKeys = 5,
    /// `now_ms` is earlier than the `now_ms` of an earlier call on this supplicant.
    TimeWentBackwards = 6,
    /// An EAP packet of length 0 or above 65535 octets (the EAP Length field's limit): not a
    /// packet; drop the frame.
    PacketSize = 7,
    /// CA or client certificate bytes (PEM or DER) or a private key that cannot be read.
    BadCertificate = 8,
    /// The configuration was refused; `eap_config_builder_error` says why.
    ConfigRefused = 9,
    /// Firmware build: another call into the library is running (calls must not overlap).
    Busy = 10,
    /// An internal error (a panic caught at the boundary, host build). The handle is
    /// unusable afterwards: free it.
    Panic = 11,
}

/// A short English text for a result code, NUL-terminated, static.
#[unsafe(no_mangle)]
pub extern "C" fn eap_result_text(result: eap_result) -> *const c_char {
    let text: &'static CStr = match result {
        eap_result::Ok => c"ok",
        eap_result::NullArgument => c"a required pointer argument was NULL",
        eap_result::InvalidArgument => c"an argument is out of range",
        eap_result::BufferTooSmall => c"the output buffer is too small",
        eap_result::AlreadyBuilt => c"the configuration builder was already built",
        eap_result::NoKeys => c"no keys: no authentication has succeeded",
        eap_result::TimeWentBackwards => c"time went backwards",
        eap_result::PacketSize => c"an EAP packet must be 1 to 65535 octets",
        eap_result::BadCertificate => c"a certificate or key cannot be read",
        eap_result::ConfigRefused => c"the configuration was refused",
        eap_result::Busy => c"another call into the library is running",
        eap_result::Panic => c"internal error (panic caught); free the handle",
    };
    text.as_ptr()
}

/// The version of this library (the `eap` crate's), NUL-terminated, static.
#[unsafe(no_mangle)]
pub extern "C" fn eap_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// Runs `f`; on the host build a panic in it becomes [`eap_result::Panic`] instead of
/// unwinding into C (undefined behaviour). Without std, `panic = "abort"`: the port's
/// `eap_port_abort` ends the program and nothing unwinds.
fn guard(f: impl FnOnce() -> eap_result) -> eap_result {
    #[cfg(feature = "std")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(eap_result::Panic)
    }
    #[cfg(not(feature = "std"))]
    {
        f()
    }
}

/// The bytes at `ptr`, `len` long: NULL is allowed only with `len == 0`.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` octets for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], eap_result> {
    if len > isize::MAX as usize {
        return Err(eap_result::InvalidArgument);
    }
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(eap_result::NullArgument)
        };
    }
    // SAFETY: non-NULL, the caller guarantees `len` readable octets for `'a`, and `len`
    // is at most isize::MAX (checked above).
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The NUL-terminated UTF-8 text at `ptr`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for `'a`.
unsafe fn text<'a>(ptr: *const c_char) -> Result<&'a str, eap_result> {
    if ptr.is_null() {
        return Err(eap_result::NullArgument);
    }
    // SAFETY: non-NULL; the caller guarantees a NUL-terminated string that stays valid
    // and unmodified for `'a`.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map_err(|_| eap_result::InvalidArgument)
}

/// The caller's output buffer: `len` writable octets at `ptr`.
///
/// # Safety
/// `ptr` is NULL or valid for writes of `len` octets for `'a`, not aliased.
unsafe fn out_buffer<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], eap_result> {
    if ptr.is_null() {
        return Err(eap_result::NullArgument);
    }
    if len > isize::MAX as usize {
        return Err(eap_result::InvalidArgument);
    }
    // SAFETY: non-NULL, the caller guarantees `len` writable octets not otherwise
    // referenced during the call; `len` <= isize::MAX.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}
