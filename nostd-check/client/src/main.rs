//! A client-only supplicant image, for code size: PEAP/MSCHAPv2 over the no_std TLS tunnel
//! (TLS 1.2 and 1.3; TLS 1.3 only without the default feature `tls12`), reading EAP requests from
//! stdin and writing responses to stdout, each prefixed by its length (two octets, big
//! endian), as a firmware's link layer would hand them over. It links what a device links
//! (eap without std, rustls, ring, webpki, libc's malloc) and nothing of the test
//! authenticator. Exit status: 0 authenticated, 1 failed or the input ended.
//!
//! nostd-check's build.rs builds it with the `client-size` profile (opt-level "s", LTO,
//! panic = "abort") and reports its `.text` by crate.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::time::Duration;
use eap::tls::TlsVersion;
use eap::{Config, Event, Input, Instant, MethodType, Output, Supplicant};

const CA: &[u8] = include_bytes!("../../../tests/data/ca.pem");

struct Malloc;

// SAFETY: malloc/free satisfy GlobalAlloc for alignments up to 16 (glibc's guarantee on
// x86_64); larger alignments are refused with NULL, which GlobalAlloc allows.
unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        // SAFETY: malloc takes any size.
        unsafe { libc::malloc(layout.size().max(1)).cast() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
        // SAFETY: `ptr` came from malloc above (GlobalAlloc contract).
        unsafe { libc::free(ptr.cast()) }
    }
}

#[global_allocator]
static ALLOCATOR: Malloc = Malloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: abort needs no invariant and does not return.
    unsafe { libc::abort() }
}

/// Reads exactly `buf.len()` octets from stdin; false at the end of input.
fn read_exact(buf: &mut [u8]) -> bool {
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: the pointer and length describe the unfilled tail of `buf`.
        let n = unsafe { libc::read(0, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if n <= 0 {
            return false;
        }
        got += n as usize;
    }
    true
}

fn write_all(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length come from a live slice; fd 1 is stdout.
        let n = unsafe { libc::write(1, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the firmware provider.
#[allow(deprecated)]
fn config() -> Option<Config> {
    let provider = rustls::crypto::ring::default_provider();
    Config::builder("alice@example.org")
        .anonymous_identity("anonymous@example.org")
        .password("correct horse")
        .ca_pem(CA)
        .ok()?
        .server_name("radius.example.org")
        .crypto_provider(Arc::new(provider))
        .methods([MethodType::Peap])
        .tls_max(TlsVersion::TLS13)
        .no_clock(1_796_083_200)
        .build()
        .ok()
}

/// The C entry point (no std runtime: libc's crt calls it).
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: core::ffi::c_int, _argv: *const *const u8) -> core::ffi::c_int {
    let Some(config) = config() else {
        return 1;
    };
    let mut supplicant = Supplicant::new(config, Instant::ZERO);
    let mut now = Instant::ZERO;
    let mut packet = Vec::new();
    loop {
        let mut len = [0u8; 2];
        if !read_exact(&mut len) {
            return 1;
        }
        packet.resize(usize::from(u16::from_be_bytes(len)), 0);
        if !read_exact(&mut packet) {
            return 1;
        }
        now = now + Duration::from_millis(10);
        if supplicant
            .handle_input(Input::Packet { now, eap: &packet })
            .is_err()
        {
            return 1;
        }
        loop {
            match supplicant.poll_output() {
                Output::Transmit(p) => {
                    write_all(&(p.len() as u16).to_be_bytes());
                    write_all(&p);
                }
                Output::Event(Event::Authenticated(_)) => return 0,
                Output::Event(Event::Failed(_)) => return 1,
                Output::Idle { .. } => break,
                _ => {}
            }
        }
    }
}

// The precompiled `core`/`alloc` of the host target name the unwinder's entry points; this
// image aborts on panic and never unwinds, so neither is ever called.

// SAFETY (no_mangle): no other object in the link defines it (libgcc_s is not linked); only
// unwinding reaches it, which panic = "abort" rules out; it aborts if ever reached.
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    // SAFETY: abort needs no invariant.
    unsafe { libc::abort() }
}

// SAFETY (no_mangle): as above; consulted only while unwinding.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
