//! Fuzz target bodies (feature `testing`). Each `fuzz/fuzz_targets/<name>.rs` calls the
//! function of the same name here, and `tests/fuzz_corpus.rs` replays the committed corpus
//! (`fuzz/corpus/<name>/`) through the same functions, so stable `cargo test` exercises
//! them. Every body asserts what must hold for any input: no panic, and for codecs that a
//! parsed value re-encodes to something that parses to the same value.
#![doc(hidden)]
#![allow(missing_docs)]

use crate::config::{Config, Limits};
use crate::crypto;
use crate::event::{Input, Output};
use crate::supplicant::Supplicant;
use crate::testing::{Authenticator, AuthenticatorConfig, TestPki};
use crate::time::Instant;
use crate::wire::eap::{Code, Eap};
use crate::wire::tls_frame::TlsFrame;
use crate::wire::{avp, eap, eapol, mschapv2, peap_inner, radius, tls_record, tlv};
use alloc::vec::Vec;
use core::time::Duration;

/// A fuzz target body.
pub type Body = fn(&[u8]);

/// The names of all targets, in the order `tests/fuzz_corpus.rs` runs them.
pub const TARGETS: &[(&str, Body)] = &[
    ("eapol", eapol_codec),
    ("eap", eap_codec),
    ("tls_frame", tls_frame),
    ("tlv", tlv_walker),
    ("avp", avp_walker),
    ("mschapv2", mschapv2_codec),
    ("peap_inner", peap_inner_codec),
    ("tls_record", tls_record_scanner),
    ("radius", radius_codec),
    ("peap_reassembly", peap_reassembly),
    ("supplicant_outer", supplicant_outer),
    ("supplicant_tunnel", supplicant_tunnel),
    ("supplicant_eap_tls", supplicant_eap_tls),
    ("supplicant_ttls", supplicant_ttls),
    ("eapol_key", eapol_key_codec),
    ("capture", capture_explain),
    ("cert_info", cert_info),
    ("teap_tlv", teap_tlv),
    ("teap_phase2", teap_phase2),
    ("supplicant_teap", supplicant_teap),
];

/// The certificate reader (`tls/cert_info.rs`), for the reference comparison
/// (`tests/reference/mod.rs`, used by `tests/cert_reader.rs` and the `cert_info` fuzz target).
pub use crate::tls::cert_info::{
    Names as CertificateNames, read as read_certificate, spki as certificate_spki,
    validity as certificate_validity,
};

/// A DER certificate: the reader never panics, and its three entry points agree (the
/// description's dates are `validity`'s, a readable certificate has its SPKI, names from
/// the subjectAltName are there and of IA5 characters, a malformed one lists none).
pub fn cert_info(data: &[u8]) {
    let validity = certificate_validity(data);
    let spki = certificate_spki(data);
    if let Some((info, names)) = read_certificate(data, 1) {
        assert_eq!(validity, Some((info.not_before, info.not_after)));
        let spki = spki.expect("a readable certificate has its subjectPublicKeyInfo");
        assert!(spki.len() >= 2 && data.windows(spki.len()).any(|w| w == spki));
        match names {
            CertificateNames::San => {
                assert!(!info.dns_names.is_empty());
                assert!(info.dns_names.iter().all(|n| n.is_ascii()));
            }
            CertificateNames::MalformedSan => assert!(info.dns_names.is_empty()),
            CertificateNames::CommonName => {}
        }
        assert!(info.not_before.abs() < 300_000_000_000 && info.not_after.abs() < 300_000_000_000);
        let _ = alloc::format!("{info}");
    }
}

pub fn eapol_key_codec(data: &[u8]) {
    use crate::wire::eapol_key::{EapolKey, Rsn, pmkid};
    if let Ok(k) = EapolKey::parse(data) {
        let mut v = Vec::new();
        k.emit(&mut v);
        assert_eq!(EapolKey::parse(&v).expect("re-encoded EAPOL-Key parses"), k);
        let _ = k.message();
        if let Some(e) = k.elements() {
            assert!(e.count() <= k.key_data.len() / 2);
        }
        let _ = pmkid(k.key_data);
    }
    if let Some(r) = Rsn::parse(data) {
        assert!(r.pairwise.len() + r.akms.len() <= data.len() / 4);
    }
    let _ = Rsn::parse_wpa(data);
}

/// A capture file (pcap or pcapng) after one octet that picks the key to check: none, a
/// passphrase, a PMK or an MSK, with or without an SSID.
pub fn capture_explain(data: &[u8]) {
    use crate::tools::capture::{KeySource, Options, explain};
    let Some((&mode, file)) = data.split_first() else {
        return;
    };
    let key = match mode % 4 {
        0 => None,
        1 => Some(KeySource::Passphrase("fuzz passphrase".into())),
        2 => Some(KeySource::Pmk(alloc::vec![7; 32])),
        _ => Some(KeySource::Msk(alloc::vec![7; 64])),
    };
    let options = crate::tools::capture::Options {
        key,
        ssid: (mode & 4 != 0).then(|| b"fuzz".to_vec()),
        password: (mode & 8 != 0).then(|| "fuzz password".into()),
        ..Options::default()
    };
    if let Ok(report) = explain(file, &options) {
        assert!(
            report.ignored + report.management + report.protected + report.malformed_eapol
                <= report.packets
        );
        let text = alloc::format!("{report}");
        assert!(text.starts_with("capture: "));
    }
}

pub fn eapol_codec(data: &[u8]) {
    if let Ok(p) = eapol::Eapol::parse(data) {
        let v = p.to_vec();
        assert_eq!(eapol::Eapol::parse(&v).expect("re-encoded EAPOL parses"), p);
    }
}

pub fn eap_codec(data: &[u8]) {
    if let Ok(p) = Eap::parse(data) {
        let v = p.to_vec();
        assert_eq!(Eap::parse(&v).expect("re-encoded EAP parses"), p);
        if let Some((eap::MethodType::Nak, d)) = p.method() {
            let _ = eap::parse_legacy_nak(d).count();
        }
        let _ = eap::parse_expanded_nak(data);
    }
}

pub fn tls_frame(data: &[u8]) {
    if let Ok(f) = TlsFrame::parse(data) {
        assert_eq!(f.to_vec(), data, "EAP-TLS framing is lossless");
    }
}

pub fn tlv_walker(data: &[u8]) {
    if let Ok(tlvs) = tlv::parse_tlvs(data) {
        assert!(tlvs.len() <= data.len() / tlv::TLV_HEADER_LEN);
        let mut out = Vec::new();
        tlv::emit_tlvs(&tlvs, &mut out);
        assert_eq!(out, data);
        for t in &tlvs {
            let _ = t.result_status();
            if let Ok(cb) = tlv::CryptoBinding::parse(t.value) {
                assert_eq!(&cb.value()[..], t.value);
            }
        }
    }
}

/// TEAP TLVs (RFC 9930 §4.2): a parsed list re-encodes to the input but for the R bits
/// (reserved, ignored on receipt as wpa_supplicant does, and sent as zero), each value
/// reader and the Crypto-Binding codec are lossless or refuse, and the Outer TLV split never
/// panics.
pub fn teap_tlv(data: &[u8]) {
    use crate::wire::teap::{TeapCryptoBinding, parse_teap_tlvs, split_outer_tlvs};
    if let Ok(tlvs) = parse_teap_tlvs(data) {
        assert!(tlvs.len() <= data.len() / 4);
        let mut out = Vec::new();
        for t in &tlvs {
            t.emit(&mut out);
            let _ = t.u16_value("fuzz");
            let _ = t.error_code();
            if let Ok(cb) = TeapCryptoBinding::parse(t.value) {
                assert_eq!(&cb.value()[..], t.value);
            }
        }
        assert_eq!(out.len(), data.len());
        assert_eq!(parse_teap_tlvs(&out).ok(), Some(tlvs));
    }
    if let Some((&flags, rest)) = data.split_first() {
        if let Ok((tls, outer)) = split_outer_tlvs(flags, rest) {
            assert!(tls.len() + outer.len() <= rest.len());
        }
    }
}

/// TEAP phase 2 fed arbitrary decrypted messages (the input split at each `0xff 0xff`
/// pair): never a panic, never keys without a Result TLV Success answered.
pub fn teap_phase2(data: &[u8]) {
    use crate::crypto::teap::PrfHash;
    use crate::method::Ctx;
    use crate::method::teap::phase2::Phase2;
    use crate::secret::Secret;
    let config = Config::builder("alice")
        .password("pw")
        .danger_accept_any_server_certificate()
        .methods([crate::method_type::MethodType::Teap])
        .build()
        .expect("fuzz config");
    let mut p = Phase2::new(
        PrfHash::Sha256,
        &Secret::new([1; 40]),
        Vec::new(),
        Vec::new(),
    );
    let mut out = alloc::collections::VecDeque::new();
    let mut floor = None;
    let mut ctx = Ctx {
        config: &config,
        out: &mut out,
        clockless_floor: &mut floor,
    };
    for message in data
        .split(|&b| b == 0xff)
        .filter(|m| !m.is_empty())
        .take(16)
    {
        let _ = p.process(&mut ctx, message);
    }
}

pub fn avp_walker(data: &[u8]) {
    if let Ok(avps) = avp::parse_avps(data) {
        assert!(avps.len() <= data.len() / avp::AVP_HEADER_LEN);
        let mut out = Vec::new();
        avp::emit_avps(&avps, &mut out);
        assert_eq!(avp::parse_avps(&out).expect("re-encoded AVPs parse"), avps);
    }
}

pub fn mschapv2_codec(data: &[u8]) {
    if let Ok(p) = mschapv2::MsChapV2::parse(data) {
        assert_eq!(p.to_vec(), data, "EAP-MSCHAPv2 framing is lossless");
    }
    if let Ok(m) = mschapv2::SuccessMessage::parse(data) {
        let mut out = Vec::new();
        m.emit(&mut out);
        let again = mschapv2::SuccessMessage::parse(&out).expect("re-encoded Success parses");
        assert_eq!(again.authenticator_response, m.authenticator_response);
    }
    if let Ok(m) = mschapv2::FailureMessage::parse(data) {
        let mut out = Vec::new();
        m.emit(&mut out);
        let again = mschapv2::FailureMessage::parse(&out).expect("re-encoded Failure parses");
        assert_eq!(
            (again.error, again.retry, again.challenge),
            (m.error, m.retry, m.challenge)
        );
    }
}

pub fn peap_inner_codec(data: &[u8]) {
    if let Ok(i) = peap_inner::Inner::decode(data) {
        assert_eq!(i.to_vec(), data, "inner form is lossless");
    }
}

pub fn tls_record_scanner(data: &[u8]) {
    // First octet: chunk size for feeding the rest.
    let Some((&step, rest)) = data.split_first() else {
        return;
    };
    let step = usize::from(step).max(1);
    let mut s = tls_record::TlsScanner::new();
    for chunk in rest.chunks(step) {
        for ev in s.push(chunk) {
            if let tls_record::TlsEvent::Certificate(chain) = ev {
                assert!(chain.iter().map(Vec::len).sum::<usize>() <= rest.len());
            }
        }
    }
    let _ = tls_record::parse_client_hello(rest);
    let _ = tls_record::parse_server_hello(rest);
}

pub fn radius_codec(data: &[u8]) {
    if let Ok(p) = radius::Packet::parse(data) {
        let eap = p.eap_message();
        assert!(eap.map_or(0, |e| e.len()) <= p.len());
        for a in p.vendor_attributes(radius::VENDOR_MICROSOFT) {
            if let Ok(s) = radius::MppeKeyString::parse(a.value) {
                let _ =
                    crypto::mppe_attr::decrypt(b"testing123", &p.authenticator, s.salt, s.cipher);
            }
        }
    }
    #[cfg(feature = "radius")]
    {
        use crate::transport::radius_auth::{verify_reply, verify_request};
        let _ = verify_reply(data, &[0; 16], b"testing123");
        let _ = verify_request(data, b"testing123");
    }
}

pub fn peap_reassembly(data: &[u8]) {
    // A stream of fragments: [len(2)] [EAP-TLS Type-Data] ...; cap 4 KiB.
    let cap = 4096;
    let mut r = crate::method::tls_core::fragment::Reassembly::default();
    let mut received = 0usize;
    for frag in chunks(data) {
        let Ok(frame) = TlsFrame::parse(frag) else {
            continue;
        };
        received += frame.data.len();
        match r.push(&frame, cap) {
            Ok(Some(m)) => {
                assert!(m.len() <= cap && m.len() <= received);
                received = 0;
            }
            Ok(None) => {}
            Err(_) => {
                r = Default::default();
                received = 0;
            }
        }
    }
}

/// Splits `data` into length-prefixed pieces (2-octet big-endian length, then the bytes).
fn chunks(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    core::iter::from_fn(move || {
        if data.len() < 2 {
            return None;
        }
        let n = usize::from(u16::from_be_bytes([data[0], data[1]])).min(data.len() - 2);
        let (piece, rest) = data[2..].split_at(n);
        data = rest;
        Some(piece)
    })
}

const USER: &str = "alice@example.org";
const PASSWORD: &str = "fuzz password";

pub fn client_config() -> Config {
    client_builder().build().expect("fuzz client config")
}

fn client_builder() -> crate::config::ConfigBuilder {
    TestPki::client(USER, PASSWORD)
        .anonymous_identity("anonymous@example.org")
        .limits(Limits::default().with_reassembly_cap(16 * 1024))
}

pub fn server_config() -> AuthenticatorConfig {
    TestPki::authenticator_with_versions(USER, PASSWORD, &[&rustls::version::TLS12])
}

/// Drains the supplicant; returns what it transmitted.
fn drain(s: &mut Supplicant) -> Vec<Vec<u8>> {
    let mut tx = Vec::new();
    loop {
        match s.poll_output() {
            Output::Transmit(p) => tx.push(p),
            Output::Event(_) => {}
            Output::Idle { .. } => return tx,
        }
    }
}

/// Checks what the supplicant sent before the server was validated: never a password.
fn check_transmitted(tx: &[Vec<u8>]) {
    for p in tx {
        assert!(
            !p.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()),
            "the password left in the clear"
        );
    }
}

/// Feeds `s` server packets framed `[len(2)] [EAP packet]`, a zero-length piece meaning
/// "the deadline passed", until it finishes; no password leaves in the clear. Returns the
/// last input's time.
fn feed(s: &mut Supplicant, data: &[u8]) -> Instant {
    let mut now = Instant::ZERO;
    check_transmitted(&drain(s));
    for p in chunks(data) {
        now = now + Duration::from_millis(10);
        let input = if p.is_empty() {
            now = now + Duration::from_secs(31);
            Input::Timeout { now }
        } else {
            Input::Packet { now, eap: p }
        };
        s.handle_input(input)
            .expect("inputs in time order are never API errors");
        check_transmitted(&drain(s));
        if s.is_finished() {
            break;
        }
    }
    now
}

/// Arbitrary server packets from the first one on: `[len(2)] [EAP packet]`, with a
/// zero-length piece meaning "the deadline passed".
pub fn supplicant_outer(data: &[u8]) {
    // PEAP, and EAP-MD5 (the one method without a tunnel) when the input proposes it.
    let config = client_builder()
        .methods([eap::MethodType::Peap, eap::MethodType::Md5Challenge])
        .danger_allow_eap_md5()
        .build()
        .expect("fuzz client config");
    let mut s = Supplicant::new(config, Instant::ZERO);
    feed(&mut s, data);
}

/// An EAP-TLS client (its certificate: the test server's, any matching pair will do) fed
/// arbitrary server packets from the first one on, framed as for [`supplicant_outer`].
/// Nothing is sent after the end but a re-authentication's identity.
pub fn supplicant_eap_tls(data: &[u8]) {
    let config = Config::builder(USER)
        .methods([eap::MethodType::Tls])
        .client_pem(TestPki::SERVER_CHAIN_PEM, TestPki::SERVER_KEY_PEM)
        .ca_pem(TestPki::CA_PEM)
        .expect("test CA")
        .server_name(TestPki::SERVER_NAME)
        .tls_max(crate::tls::TlsVersion::TLS13)
        .limits(Limits::default().with_reassembly_cap(16 * 1024))
        .build()
        .expect("fuzz EAP-TLS config");
    let mut s = Supplicant::new(config, Instant::ZERO);
    let now = feed(&mut s, data);
    if s.is_finished() {
        after_the_end(&mut s, 1, now);
    }
}

/// After the end nothing is sent, whatever arrives, but the answer to a new
/// EAP-Request/Identity (a re-authentication): the outer identity, and nothing else.
fn after_the_end(s: &mut Supplicant, id: u8, now: Instant) {
    let now = now + Duration::from_millis(1);
    let peap = Eap::request(id, eap::MethodType::Peap, &[0x20]).to_vec();
    let _ = s.handle_input(Input::Packet { now, eap: &peap });
    assert!(drain(s).is_empty(), "nothing is sent after the end");
    let identity = Eap::request(id, eap::MethodType::Identity, &[]).to_vec();
    let _ = s.handle_input(Input::Packet {
        now,
        eap: &identity,
    });
    let outer = s.config().outer_identity().as_bytes().to_vec();
    assert_eq!(
        drain(s),
        [Eap::response(id, eap::MethodType::Identity, &outer).to_vec()],
        "a re-authentication starts with the outer identity only"
    );
}

/// A real PEAPv0 handshake with the in-process authenticator up to the tunnel, then
/// arbitrary server messages: `[mode(1)] [len(2)] [bytes]`, where an even mode sends the
/// bytes as phase-2 plaintext through the server's TLS, an odd mode as a raw outer EAP
/// packet.
pub fn supplicant_tunnel(data: &[u8]) {
    fuzz_tunnel(client_config(), server_config(), data);
}

/// As [`supplicant_tunnel`], for TEAP (inner Basic-Password-Auth, the authenticator with
/// its Crypto-Binding): phase-2 plaintext (TLVs) and outer packets in the same format.
pub fn supplicant_teap(data: &[u8]) {
    let config = client_builder()
        .methods([eap::MethodType::Teap])
        .teap_inner(crate::method_type::TeapInner::Password)
        .build()
        .expect("fuzz TEAP config");
    let mut server = server_config();
    server.method = eap::MethodType::Teap;
    server.cryptobinding = true;
    fuzz_tunnel(config, server, data);
}

/// As [`supplicant_tunnel`], for EAP-TTLS: the first octet chooses the inner method (PAP,
/// MSCHAPv2, EAP-MSCHAPv2), the rest is phase-2 plaintext (AVPs) and outer packets in the
/// same format, sent once the server has seen our first AVPs.
pub fn supplicant_ttls(data: &[u8]) {
    use crate::method_type::TtlsInner;
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let inner = match choice % 3 {
        0 => TtlsInner::Pap,
        1 => TtlsInner::MsChapV2,
        _ => TtlsInner::EapMsChapV2,
    };
    let config = client_builder()
        .methods([eap::MethodType::Ttls])
        .ttls_inner(inner)
        .build()
        .expect("fuzz TTLS config");
    let mut server = server_config();
    server.method = eap::MethodType::Ttls;
    fuzz_tunnel(config, server, rest);
}

fn fuzz_tunnel(client: Config, server: AuthenticatorConfig, data: &[u8]) {
    let mut s = Supplicant::new(client, Instant::ZERO);
    let mut a = Authenticator::new(server);
    let mut now = Instant::ZERO;
    let mut to_peer = a.start();
    // Phase 1 (bounded: a handshake takes a few dozen packets).
    for _ in 0..64 {
        if a.is_tunnel_up() || s.is_finished() {
            break;
        }
        let mut to_server = Vec::new();
        for p in to_peer.drain(..) {
            now = now + Duration::from_millis(1);
            let _ = s.handle_input(Input::Packet { now, eap: &p });
            to_server.extend(drain(&mut s));
        }
        for p in &to_server {
            to_peer.extend(a.handle(p));
        }
        if to_peer.is_empty() {
            break;
        }
    }
    if !a.is_tunnel_up() {
        return;
    }
    // Deliver the server's first phase-2 request (the inner Identity request): its TLS
    // record must be read for the following ones to decrypt. Then the fuzzer speaks.
    for p in to_peer.drain(..) {
        now = now + Duration::from_millis(1);
        let _ = s.handle_input(Input::Packet { now, eap: &p });
        for r in drain(&mut s) {
            let _ = a.handle(&r);
        }
    }
    let mut rest = data;
    while rest.len() >= 3 && !s.is_finished() {
        let mode = rest[0];
        let n = usize::from(u16::from_be_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let piece = &rest[3..3 + n];
        rest = &rest[3 + n..];
        let packets = if mode % 2 == 0 {
            a.tunnel_request(piece)
        } else if mode == 1 {
            // A well-formed outer Success/Failure with the current Identifier.
            let code = if piece.first() == Some(&3) {
                Code::Success
            } else {
                Code::Failure
            };
            alloc::vec![Eap::bare(code, a.last_identifier()).to_vec()]
        } else {
            alloc::vec![piece.to_vec()]
        };
        for p in packets {
            now = now + Duration::from_millis(1);
            let _ = s.handle_input(Input::Packet { now, eap: &p });
            let tx = drain(&mut s);
            check_transmitted(&tx);
            // Feed the supplicant's answers to the server so its TLS state follows.
            for r in &tx {
                let _ = a.handle(r);
            }
        }
    }
    if s.is_finished() {
        after_the_end(&mut s, a.last_identifier().wrapping_add(1), now);
    }
}
