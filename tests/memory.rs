//! Memory bound: a counting global allocator watches the heap while hostile servers do
//! their worst, and the peak of one session must stay within the configured caps.
//!
//! One test function on purpose: the allocator is global to the process, so the
//! scenarios run one after the other.

mod common;

use common::*;
use eap::Limits;
use eap::MethodType;
use eap::testing::Pair;
use eap::unstable::wire::eap::Eap;
use eap::{Input, Instant, Output, Supplicant};
use peak_alloc::PeakAlloc;
use std::time::Duration;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const CAP: usize = 16 * 1024;
/// rustls client state, the configuration and our buffers, measured at about 60 KiB for
/// a whole successful session; generous so that the test is about growth, not noise.
const OVERHEAD: usize = 192 * 1024;

fn limits() -> Limits {
    Limits::default().with_reassembly_cap(CAP)
}

/// The PEAP Type-Data a hostile server sends for its `i`-th request.
type Attack = Box<dyn Fn(u32) -> Vec<u8>>;

/// Peak heap growth while `f` runs.
fn peak_during(f: impl FnOnce()) -> usize {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    f();
    HEAP.peak_usage().saturating_sub(before)
}

fn drain(s: &mut Supplicant) {
    while !matches!(s.poll_output(), Output::Idle { .. }) {}
}

/// A supplicant fed server packets made one at a time by `next` (so the test's own
/// buffers stay small), until it finishes or `next` returns None.
fn feed(pki: &Pki, mut next: impl FnMut(u32) -> Option<Vec<u8>>) -> bool {
    let config = client(pki).limits(limits()).build().unwrap();
    let mut s = Supplicant::new(config, Instant::ZERO);
    let mut now = Instant::ZERO;
    for i in 0..10_000 {
        let Some(p) = next(i) else { break };
        now = now + Duration::from_millis(1);
        s.handle_input(Input::Packet { now, eap: &p }).unwrap();
        drain(&mut s);
        if s.is_finished() {
            return true;
        }
    }
    false
}

/// Identity request, PEAP Start, then `attack(i)` for every later Identifier.
fn after_start(attack: impl Fn(u32) -> Vec<u8>) -> impl FnMut(u32) -> Option<Vec<u8>> {
    move |i| {
        let id = (i % 250) as u8 + 1;
        Some(match i {
            0 => Eap::request(id, MethodType::Identity, &[]).to_vec(),
            1 => Eap::request(id, MethodType::Peap, &[0x20]).to_vec(),
            _ => Eap::request(id, MethodType::Peap, &attack(i)).to_vec(),
        })
    }
}

#[test]
fn peak_heap_of_one_session_stays_within_the_caps() {
    let pki = Pki::new("memory");
    let mut report = Vec::new();

    // A normal session with the in-process server, for reference (both sides counted).
    let normal = peak_during(|| {
        let out = Pair::new(client(&pki).limits(limits()).build().unwrap(), server(&pki)).run();
        assert!(out.keys().is_some());
    });
    report.push(("normal session, both sides", normal));

    let scenarios: Vec<(&str, Attack)> = vec![
        (
            "TLS Message Length 4 GiB",
            Box::new(|_| vec![0xc0, 0xff, 0xff, 0xff, 0xff, 22, 3, 3]),
        ),
        (
            "M flag forever, 1400-octet fragments",
            Box::new(|_| {
                let mut f = vec![0x40];
                f.resize(1401, 22);
                f
            }),
        ),
        (
            "L says the cap, fragments forever",
            Box::new(|i| {
                let mut f = if i == 2 {
                    let mut h = vec![0xc0];
                    h.extend_from_slice(&(CAP as u32).to_be_bytes());
                    h
                } else {
                    vec![0x40]
                };
                f.resize(f.len() + 1400, 22);
                f
            }),
        ),
        ("fragment ACK storm", Box::new(|_| vec![0x00])),
        (
            "garbage TLS records",
            Box::new(|i| {
                let mut f = vec![0x00, 22, 3, 3, 0x05, 0x00];
                f.resize(1400, (i % 251) as u8);
                f
            }),
        ),
    ];
    for (name, attack) in scenarios {
        let mut finished = false;
        let peak = peak_during(|| finished = feed(&pki, after_start(attack)));
        assert!(finished, "{name}: the supplicant must give up");
        assert!(
            peak <= CAP + OVERHEAD,
            "{name}: peak {peak} octets over cap {CAP} + {OVERHEAD}"
        );
        report.push((name, peak));
    }

    // Endless Identity and Notification requests: bounded by the round limit.
    for (name, method) in [
        ("endless Identity", MethodType::Identity),
        ("endless Notification", MethodType::Notification),
    ] {
        let mut finished = false;
        let peak = peak_during(|| {
            finished = feed(&pki, |i| {
                Some(Eap::request((i % 250) as u8 + 1, method, &[b'x'; 1000]).to_vec())
            })
        });
        assert!(finished, "{name}");
        assert!(peak <= OVERHEAD, "{name}: peak {peak}");
        report.push((name, peak));
    }

    // Phase-2 attacks through a real tunnel (both sides counted): a 60 KiB MSCHAPv2
    // Failure message, and a Result TLV padded with unknown optional TLVs.
    for (name, mutate) in [
        (
            "60 KiB MSCHAPv2 Failure",
            (|i, p| {
                if i == 2 {
                    let mut m = vec![26, 4, 7, 0, 0];
                    m.extend_from_slice(b"E=691 R=0 V=3 M=");
                    m.resize(60 * 1024, b'x');
                    *p = m;
                }
            }) as fn(usize, &mut Vec<u8>),
        ),
        ("Result TLV with 8 KiB of unknown TLVs", |i, p| {
            if i == 3 {
                let mut tlvs = p[5..].to_vec();
                for _ in 0..8 {
                    tlvs.extend_from_slice(&[0x00, 0x3f, 0x03, 0xfc]);
                    tlvs.resize(tlvs.len() + 1020, 0);
                }
                *p = Eap::request(p[1], MethodType::Tlv, &tlvs).to_vec();
            }
        }),
    ] {
        let peak = peak_during(|| {
            let mut srv = server(&pki);
            srv.knobs.mutate_inner = Some(mutate);
            let _ = Pair::new(client(&pki).limits(limits()).build().unwrap(), srv).run();
        });
        // The 60 KiB plaintext exceeds the 16 KiB reassembly cap: refused before kept.
        assert!(
            peak <= normal + 2 * CAP + 64 * 1024 + 60 * 1024,
            "{name}: peak {peak} vs normal {normal}"
        );
        report.push((name, peak));
    }

    // EAP-TTLS: an MS-CHAP2-Success followed by 12 KiB of 8-octet optional AVPs must cost
    // no more than the same 12 KiB in one optional AVP: nothing is kept per AVP.
    let ttls_peak = |mutate: fn(usize, &mut Vec<u8>)| {
        peak_during(|| {
            let mut srv = server(&pki);
            srv.method = MethodType::Ttls;
            srv.knobs.mutate_inner = Some(mutate);
            let client = client(&pki)
                .methods([MethodType::Ttls])
                .ttls_inner(eap::TtlsInner::MsChapV2)
                .limits(limits());
            let out = Pair::new(client.build().unwrap(), srv).run();
            assert!(out.keys().is_some(), "{:?}", out.diagnosis());
        })
    };
    let many = ttls_peak(|_, p| {
        for _ in 0..1536 {
            p.extend_from_slice(&[0, 0, 0x12, 0x34, 0, 0, 0, 8]);
        }
    });
    let one = ttls_peak(|_, p| {
        p.extend_from_slice(&[0, 0, 0x12, 0x34, 0, 0, 0x30, 0]);
        p.resize(p.len() + 1536 * 8 - 8, 0);
    });
    assert!(
        many <= one + 4 * 1024,
        "TTLS: 1536 optional AVPs peak {many} vs one AVP of the same size {one}"
    );
    report.push(("TTLS: 12 KiB as 1536 optional AVPs", many));
    report.push(("TTLS: 12 KiB as one optional AVP", one));

    for (name, peak) in &report {
        eprintln!("{name:<45} peak {:>7} octets", peak);
    }

    // What resumption keeps between authentications: the session cache's one entry (the
    // TLS 1.2 session, or the TLS 1.3 tickets, with the server's certificate chain that
    // rustls keeps to report it), measured as what clearing it frees.
    for tls13 in [false, true] {
        let cache = std::sync::Arc::new(eap::tls::SessionCache::default());
        let mut b = client(&pki).session_cache(cache.clone());
        if tls13 {
            b = b.tls_max(eap::tls::TlsVersion::TLS13);
        }
        let out = Pair::new(b.build().unwrap(), server(&pki)).run();
        assert!(out.keys().is_some(), "{:?}", out.diagnosis());
        let before = HEAP.current_usage();
        cache.clear();
        let entry = before.saturating_sub(HEAP.current_usage());
        eprintln!(
            "session cache entry, TLS 1.{}: {entry} octets",
            if tls13 { 3 } else { 2 }
        );
        assert!(entry > 0 && entry < 8 * 1024, "cache entry {entry} octets");
    }
}
