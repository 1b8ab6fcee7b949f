//! The proof that the supplicant runs without std, and its firmware budgets (issue 24):
//! every method (PEAP/MSCHAPv2, PEAP/GTC, TTLS/PAP, TTLS/MSCHAPv2, TTLS/EAP-MSCHAPv2,
//! EAP-TLS with a P-256 device certificate) on RSA-2048, ECDSA P-256 and P-384 server
//! chains, TLS 1.2 (dates against a clock) and 1.3 (no clock, a floor), a full handshake and
//! then a resumed one: whole authentications in memory between `eap::Supplicant` on the
//! no_std TLS tunnel and the crate's test authenticator (rustls's unbuffered server).
//!
//! `#![no_std]`, `#![no_main]`, its own panic handler: if anything in the graph links std,
//! the build fails with E0152 (duplicate `panic_impl`). A counting allocator over libc tags
//! each block with the side that allocated it, so the client's heap is measured apart from
//! the server's; a painted stack gives each call's depth. It exits 0 only if every
//! authentication succeeds with MSK, EMSK and Session-Id equal on both sides, each resumed
//! run did resume, and every budget below holds. Its last line is the one CI reads:
//! `nostd: <K> authentications, peak client heap RSA <N> bytes, ECDSA <M> bytes, stack <S>
//! bytes, client text <T> bytes` (T: the client-only image, see build.rs and client/).

#![no_std]
#![no_main]

extern crate alloc;

mod bare;
mod cases;
mod heap;
mod out;
mod stack;
mod store;

use alloc::string::String;
use alloc::sync::Arc;
use cases::{CHAINS, Chain, FixedTime, METHODS, Method, NOW, Run};
use core::fmt::Write;
use eap::tls::TlsVersion;
use heap::Side;
use store::ClientStore;

/// Peak client heap, configuration included (issue 24): PEAP and TTLS on ECDSA chains.
const BUDGET_ECDSA: usize = 16 * 1024;
/// PEAP and TTLS on RSA-2048 chains.
const BUDGET_RSA: usize = 24 * 1024;
/// EAP-TLS with a P-256 device certificate, any server chain.
const BUDGET_EAP_TLS: usize = 24 * 1024;
/// The deepest `handle_input` / `poll_output` call of any case: a guard against
/// regressions at what is measured (19.7-20.5 KB, P-384 over TLS 1.2; rustls alone takes
/// 16.5 KB there, see the floor lines and the README), not the 8 KiB issue 24 asks for,
/// which rustls's and ring's own floor rules out.
const BUDGET_STACK: usize = 22 * 1024;
/// The client-only image's `.text` (everything: all methods, TLS 1.2 and 1.3), as committed
/// in client-text.txt; CI fails if it grows by more than 5%.
const CLIENT_TEXT: &str = env!("EAP_CLIENT_TEXT");
const CLIENT_TEXT_COMMITTED: &str = include_str!("../client-text.txt");

fn budget(chain: &Chain, method: Method) -> usize {
    match (method, chain.rsa) {
        (Method::EapTls, _) => BUDGET_EAP_TLS,
        (_, true) => BUDGET_RSA,
        (_, false) => BUDGET_ECDSA,
    }
}

/// The largest figures, over all cases.
#[derive(Default)]
struct Totals {
    count: usize,
    heap_rsa: usize,
    heap_ecdsa: usize,
    stack: usize,
    over: usize,
}

fn report(text: &mut String, chain: &Chain, method: Method, run: &Run, config: usize) {
    text.clear();
    let version = if run.version == TlsVersion::TLS13 {
        "TLS 1.3"
    } else {
        "TLS 1.2"
    };
    let _ = write!(
        text,
        "{}, {}, {version}, {}: peak client heap {} bytes (configuration {}), stack {} bytes",
        method.name(),
        chain.name,
        if run.resumed { "resumed" } else { "full" },
        run.peak,
        config,
        run.stack
    );
    out::line(text);
}

fn run() -> Result<(), &'static str> {
    // Calibration: a call that uses (almost) no stack must measure (almost) nothing.
    let (_, idle) = stack::measure(|| core::hint::black_box(1u8));
    if idle > 1024 {
        return Err("the stack probe does not measure");
    }
    let mut text = String::new();
    let mut totals = Totals::default();
    for chain in CHAINS {
        for method in METHODS {
            for tls13 in [false, true] {
                let server = cases::server_tls(chain, method)?;
                let baseline = heap::live(Side::Client);
                let config = heap::as_side(Side::Client, || {
                    let store = Arc::new(ClientStore::new());
                    cases::client_config(chain, method, tls13, &store)
                })?;
                let config_bytes = heap::live(Side::Client) - baseline;
                let full = cases::authenticate(method, &config, &server, baseline)?;
                let again = cases::authenticate(method, &config, &server, baseline)?;
                heap::as_side(Side::Client, || drop(config));
                let version = if tls13 {
                    TlsVersion::TLS13
                } else {
                    TlsVersion::TLS12
                };
                if full.version != version || again.version != version {
                    return Err("unexpected TLS version");
                }
                if full.resumed || again.resumed != cases::resumes(method, tls13) {
                    return Err("the second authentication did not resume as expected");
                }
                for run in [&full, &again] {
                    report(&mut text, chain, method, run, config_bytes);
                    totals.count += 1;
                    if chain.rsa {
                        totals.heap_rsa = totals.heap_rsa.max(run.peak);
                    } else {
                        totals.heap_ecdsa = totals.heap_ecdsa.max(run.peak);
                    }
                    totals.stack = totals.stack.max(run.stack);
                    if run.peak > budget(chain, method) {
                        text.clear();
                        let _ = write!(
                            text,
                            "  over the heap budget of {} bytes",
                            budget(chain, method)
                        );
                        out::line(&text);
                        totals.over += 1;
                    }
                }
            }
        }
    }
    // The floor rustls sets: the same handshakes, bare (no EAP), per chain and version.
    for chain in CHAINS {
        for tls13 in [false, true] {
            let server = cases::server_tls(chain, Method::PeapMschapv2)?;
            let floor = bare::handshake(chain.ca, server, tls13, Arc::new(FixedTime(NOW)))?;
            text.clear();
            let _ = write!(
                text,
                "bare rustls unbuffered client handshake (the floor), {}, TLS 1.{}: stack {floor} bytes",
                chain.name,
                if tls13 { 3 } else { 2 }
            );
            out::line(&text);
        }
    }
    text.clear();
    let _ = write!(
        text,
        "client-only images: {}",
        include_str!(concat!(env!("OUT_DIR"), "/client-size.txt")).trim_end()
    );
    out::line(&text);

    let committed: usize = CLIENT_TEXT_COMMITTED
        .trim()
        .parse()
        .map_err(|_| "client-text.txt is not a number")?;
    let client_text: usize = CLIENT_TEXT.parse().map_err(|_| "no client text size")?;
    let mut failed = None;
    if totals.over > 0 {
        failed = Some("heap over budget");
    }
    if totals.stack > BUDGET_STACK {
        text.clear();
        let _ = write!(text, "over budget: stack {} > {BUDGET_STACK}", totals.stack);
        out::line(&text);
        failed = Some("stack over budget");
    }
    if client_text * 100 > committed * 105 {
        text.clear();
        let _ = write!(
            text,
            "client text {client_text} bytes grew more than 5% over the committed {committed} (nostd-check/client-text.txt)"
        );
        out::line(&text);
        failed = Some("client text over budget");
    }
    text.clear();
    let _ = write!(
        text,
        "nostd: {} authentications, peak client heap RSA {} bytes, ECDSA {} bytes, stack {} bytes, client text {client_text} bytes",
        totals.count, totals.heap_rsa, totals.heap_ecdsa, totals.stack
    );
    out::line(&text);
    match failed {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

/// The C entry point (no std runtime: libc's crt calls it).
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: core::ffi::c_int, _argv: *const *const u8) -> core::ffi::c_int {
    match run() {
        Ok(()) => 0,
        Err(why) => {
            out::line(why);
            1
        }
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut text = heapless_text::Text::new();
    let _ = write!(text, "panic: {info}");
    out::line(text.as_str());
    // SAFETY: abort never returns and needs no invariant; it is the only way to end the
    // process from a panic without std.
    unsafe { libc::abort() }
}

// The precompiled `alloc` of the host target was built with unwinding, so it references
// the unwinder's two entry points even though this binary aborts on panic and never
// unwinds. Both are defined here so the link needs no libgcc_s; neither is ever called.

// SAFETY (no_mangle): no other object in the link defines this symbol (it would come from
// libgcc_s, which is not linked); it is only reachable from unwinding, which panic=abort
// rules out, and it aborts if ever reached.
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    // SAFETY: abort needs no invariant.
    unsafe { libc::abort() }
}

// SAFETY (no_mangle): as above; the personality routine is consulted only while unwinding.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

mod heapless_text {
    //! A fixed buffer for the panic message (the heap may be what failed).

    pub(crate) struct Text {
        buf: [u8; 512],
        len: usize,
    }

    impl Text {
        pub(crate) fn new() -> Self {
            Text {
                buf: [0; 512],
                len: 0,
            }
        }

        pub(crate) fn as_str(&self) -> &str {
            core::str::from_utf8(&self.buf[..self.len]).unwrap_or("panic")
        }
    }

    impl core::fmt::Write for Text {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let n = s.len().min(self.buf.len() - self.len);
            // Cut on a character boundary.
            let n = (0..=n).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
            self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
            self.len += n;
            Ok(())
        }
    }
}
