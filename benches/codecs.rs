//! Benchmarks of the wire codecs (`src/wire`) and of a whole in-memory authentication.
//!
//! `reference/sha1_64` (one SHA-1 of 64 octets) runs in the same process, so each figure
//! can be reported as a ratio to it. The seed corpus of the fuzz targets supplies real
//! packets. Run with `cargo bench --bench codecs` (or `-- --quick`).

use criterion::{Criterion, criterion_group, criterion_main};
use eap::unstable::wire::{eap::Eap, mschapv2, radius, tls_frame::TlsFrame, tls_record, tlv};
use sha1::{Digest, Sha1};
use std::hint::black_box;
use std::path::Path;

fn corpus(target: &str, name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target)
        .join(format!("seed-{name}"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn reference(c: &mut Criterion) {
    let block = [0x5au8; 64];
    c.bench_function("reference/sha1_64", |b| {
        b.iter(|| Sha1::digest(black_box(&block)))
    });
}

fn codecs(c: &mut Criterion) {
    let eap = corpus("eap", "02");
    c.bench_function("wire/eap_parse_emit", |b| {
        b.iter(|| Eap::parse(black_box(&eap)).unwrap().to_vec())
    });
    let frame = corpus("tls_frame", "02");
    c.bench_function("wire/tls_frame_parse", |b| {
        b.iter(|| TlsFrame::parse(black_box(&frame)).unwrap().data.len())
    });
    let tlvs = corpus("tlv", "result-cb");
    c.bench_function("wire/tlv_parse_crypto_binding", |b| {
        b.iter(|| {
            let t = tlv::parse_tlvs(black_box(&tlvs)).unwrap();
            tlv::CryptoBinding::parse(t[1].value).unwrap()
        })
    });
    let failure = corpus("mschapv2", "failure-message");
    c.bench_function("wire/mschapv2_failure_message", |b| {
        b.iter(|| mschapv2::FailureMessage::parse(black_box(&failure)).unwrap())
    });
    let success = corpus("mschapv2", "success-message");
    c.bench_function("wire/mschapv2_success_message", |b| {
        b.iter(|| mschapv2::SuccessMessage::parse(black_box(&success)).unwrap())
    });
    let rad = corpus("radius", "challenge");
    c.bench_function("wire/radius_parse_eap_message", |b| {
        b.iter(|| {
            radius::Packet::parse(black_box(&rad))
                .unwrap()
                .eap_message()
        })
    });
    c.bench_function("crypto/radius_verify_reply", |b| {
        b.iter(|| {
            eap::unstable::radius_auth::verify_reply(black_box(&rad), &[0; 16], b"testing123")
        })
    });
    let server_flight = corpus("tls_record", "server");
    c.bench_function("wire/tls_scanner_server_flight", |b| {
        b.iter(|| {
            let mut s = tls_record::TlsScanner::new();
            s.push(black_box(&server_flight[1..])).len()
        })
    });
}

fn whole_session(c: &mut Criterion) {
    let mut g = c.benchmark_group("session");
    g.sample_size(20);
    g.bench_function("peapv0_mschapv2_in_memory", |b| {
        b.iter(|| {
            let out = eap::testing::Pair::new(
                eap::unstable::fuzzing::client_config(),
                eap::unstable::fuzzing::server_config(),
            )
            .run();
            assert!(out.keys().is_some());
        })
    });
    g.finish();
}

criterion_group!(benches, reference, codecs, whole_session);
criterion_main!(benches);
