//! Benchmarks of the crypto helpers (`src/crypto`).
//!
//! `reference/sha1_64` (one SHA-1 of 64 octets) runs in the same process, so each figure
//! can be reported as a ratio to it, which travels between machines better than
//! nanoseconds. Run with `cargo bench --bench crypto` (or `-- --quick` for a short run).

use criterion::{Criterion, criterion_group, criterion_main};
use eap::Secret;
use eap::unstable::crypto::{mppe, mppe_attr, mschapv2, peap};
use sha1::{Digest, Sha1};
use std::hint::black_box;

// RFC 2759 §9.2 inputs (test-vectors.md V1).
const AUTH_CHALLENGE: [u8; 16] = [
    0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E, 0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28,
];
const PEER_CHALLENGE: [u8; 16] = [
    0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A, 0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E,
];

fn reference(c: &mut Criterion) {
    let block = [0x5au8; 64];
    c.bench_function("reference/sha1_64", |b| {
        b.iter(|| Sha1::digest(black_box(&block)))
    });
}

fn mschapv2_benches(c: &mut Criterion) {
    let hash = mschapv2::nt_password_hash("clientPass");
    c.bench_function("mschapv2/nt_password_hash", |b| {
        b.iter(|| mschapv2::nt_password_hash(black_box("clientPass")))
    });
    c.bench_function("mschapv2/generate_nt_response", |b| {
        b.iter(|| {
            mschapv2::generate_nt_response(
                black_box(&AUTH_CHALLENGE),
                black_box(&PEER_CHALLENGE),
                black_box(b"User"),
                black_box(&hash),
            )
        })
    });
    let nt = mschapv2::generate_nt_response(&AUTH_CHALLENGE, &PEER_CHALLENGE, b"User", &hash);
    c.bench_function("mschapv2/generate_authenticator_response", |b| {
        b.iter(|| {
            mschapv2::generate_authenticator_response(
                black_box(&hash),
                black_box(&nt),
                black_box(&PEER_CHALLENGE),
                black_box(&AUTH_CHALLENGE),
                black_box(b"User"),
            )
        })
    });
    c.bench_function("mppe/mschapv2_msk", |b| {
        b.iter(|| mppe::mschapv2_msk(black_box(&hash), black_box(&nt)))
    });
}

fn peap_benches(c: &mut Criterion) {
    let temp_key = [0x73u8; 40];
    let isk = [0x67u8; 32];
    c.bench_function("peap/compound_keys+csk", |b| {
        b.iter(|| {
            let keys = peap::compound_keys(black_box(&temp_key), black_box(&isk));
            peap::csk(&keys.ipmk)
        })
    });
    let cmk = Secret::new([0x33u8; 20]);
    let mut tlv = [0u8; 60];
    tlv[..8].copy_from_slice(&[0x00, 0x0C, 0x00, 0x38, 0x00, 0x00, 0x00, 0x01]);
    c.bench_function("peap/compound_mac", |b| {
        b.iter(|| peap::compound_mac(black_box(&cmk), black_box(&tlv), black_box(&[])))
    });
}

fn mppe_attr_benches(c: &mut Criterion) {
    let secret = b"testing123";
    let ra = [7u8; 16];
    let key = [0x17u8; 32];
    c.bench_function("mppe_attr/encrypt_32", |b| {
        b.iter(|| {
            mppe_attr::encrypt(
                black_box(secret),
                black_box(&ra),
                black_box([0x80, 0x01]),
                black_box(&key),
            )
        })
    });
    let string = mppe_attr::encrypt(secret, &ra, [0x80, 0x01], &key);
    c.bench_function("mppe_attr/decrypt_32", |b| {
        let (salt, cipher) = ([string[0], string[1]], &string[2..]);
        b.iter(|| {
            mppe_attr::decrypt(
                black_box(secret),
                black_box(&ra),
                black_box(salt),
                black_box(cipher),
            )
        })
    });
}

criterion_group!(
    benches,
    reference,
    mschapv2_benches,
    peap_benches,
    mppe_attr_benches
);
criterion_main!(benches);
