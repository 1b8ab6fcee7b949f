//! Hostile networks: a scripted authenticator that sends what a broken or malicious server
//! would (an evil twin, a fuzzer, a buggy RADIUS server), and for each scenario the exact
//! typed outcome. Every scenario also checks that the supplicant ended exactly once, never
//! reported success, and transmitted no password, NT hash or NT-Response material when the
//! server had not been validated.
//!
//! MSCHAPv2, PEAP and TLV cases are tables: each row rewrites one phase-2 message of an
//! otherwise well-behaved server (`Knobs::mutate_inner`) or scripts the outer exchange
//! (`Pair::run_scripted`).

mod common;

use common::*;
use eap::Event;
use eap::MethodType;
use eap::diagnosis::DecodeError;
use eap::diagnosis::{
    Cause, CryptoBindingError, DroppedPacket, Phase, PrematureSuccess, ProtocolViolation,
    SentMessage, TimeoutKind,
};
use eap::testing::{Authenticator, AuthenticatorConfig, Pair, PairOutcome};
use eap::tls::CertificateProblem;
use eap::unstable::crypto::mschapv2::nt_password_hash;
use eap::unstable::wire::eap::{Code, Eap};
use eap::{ConfigBuilder, Cryptobinding};

/// What every scenario must hold, whatever its outcome.
fn invariants(name: &str, out: &PairOutcome, validated: bool) {
    let terminal = out
        .events
        .iter()
        .filter(|e| matches!(e, Event::Authenticated(_) | Event::Failed(_)))
        .count();
    assert_eq!(terminal, 1, "{name}: one terminal event: {:?}", out.events);
    let nt = nt_password_hash(PASSWORD);
    let utf16: Vec<u8> = PASSWORD.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for p in &out.transmitted {
        for needle in [PASSWORD.as_bytes(), &utf16, nt.expose()] {
            assert!(
                !p.windows(needle.len()).any(|w| w == needle),
                "{name}: a secret left in the clear"
            );
        }
        assert!(
            validated || !carries_phase2_data(p),
            "{name}: phase-2 data sent to an unvalidated server"
        );
    }
}

fn diagnosis(name: &str, out: &PairOutcome) -> eap::Diagnosis {
    out.diagnosis()
        .cloned()
        .unwrap_or_else(|| panic!("{name}: no diagnosis: {:?}", out.events))
}

fn run_mutated(
    cryptobinding: bool,
    client: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
    mutate: fn(usize, &mut Vec<u8>),
) -> PairOutcome {
    let pki = Pki::new("hostile");
    let mut srv = server(&pki);
    srv.cryptobinding = cryptobinding;
    srv.knobs.mutate_inner = Some(mutate);
    Pair::new(client(common::client(&pki)).build().unwrap(), srv).run()
}

fn run_scripted(
    client: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
    server: impl FnOnce(&Pki) -> AuthenticatorConfig,
    script: impl FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>>,
) -> PairOutcome {
    let pki = Pki::new("hostile");
    let srv = server(&pki);
    Pair::new(client(common::client(&pki)).build().unwrap(), srv).run_scripted(script)
}

// --- Phase-2 messages as the test server writes them -------------------------------------
// Compressed EAP-MSCHAPv2: [26, OpCode, MS-CHAPv2-ID, MS-Length(2), ...].
// EAP-TLV (full form): [Code, Id, Length(2), 33, TLVs...].

const CHALLENGE: usize = 1;
const SUCCESS_OR_FAILURE: usize = 2;
const RESULT: usize = 3;

fn set_ms_length(p: &mut [u8]) {
    let l = (p.len() - 1) as u16;
    p[3..5].copy_from_slice(&l.to_be_bytes());
}

fn mschap(op: u8, body: &[u8]) -> Vec<u8> {
    let mut p = vec![26, op, 7, 0, 0];
    p.extend_from_slice(body);
    set_ms_length(&mut p);
    p
}

fn tlv_packet(id: u8, tlvs: &[u8]) -> Vec<u8> {
    Eap::request(id, MethodType::Tlv, tlvs).to_vec()
}

/// Rewrites the TLV list of a Result message, keeping its EAP header consistent.
fn edit_tlvs(p: &mut Vec<u8>, f: impl FnOnce(&mut Vec<u8>)) {
    let mut tlvs = p[5..].to_vec();
    f(&mut tlvs);
    *p = tlv_packet(p[1], &tlvs);
}

/// The Crypto-Binding TLV's value offset in a Result message's TLV list, if present.
fn cb_value(tlvs: &[u8]) -> usize {
    let mut i = 0;
    while i + 4 <= tlvs.len() {
        let t = u16::from_be_bytes([tlvs[i], tlvs[i + 1]]) & 0x3fff;
        let l = usize::from(u16::from_be_bytes([tlvs[i + 2], tlvs[i + 3]]));
        if t == 12 {
            return i + 4;
        }
        i += 4 + l;
    }
    panic!("no Crypto-Binding TLV")
}

struct Case {
    name: &'static str,
    cryptobinding: bool,
    mutate: fn(usize, &mut Vec<u8>),
    /// `None`: the supplicant must authenticate (a deviation real servers have and
    /// wpa_supplicant tolerates too); `Some(check)`: it must fail with a matching cause.
    expect: Option<fn(&eap::Diagnosis) -> bool>,
}

macro_rules! case {
    ($name:literal, $cb:expr, |$i:ident, $p:ident| $body:block, tolerated) => {
        Case {
            name: $name,
            cryptobinding: $cb,
            mutate: |$i, $p| $body,
            expect: None,
        }
    };
    ($name:literal, $cb:expr, |$i:ident, $p:ident| $body:block, $expect:pat) => {
        Case {
            name: $name,
            cryptobinding: $cb,
            mutate: |$i, $p| $body,
            expect: Some(|d| matches!(&d.cause, $expect)),
        }
    };
}

#[test]
fn mschapv2_malformed_server() {
    let cases = [
        case!(
            "challenge: MS-Length too large",
            false,
            |i, p| {
                if i == CHALLENGE {
                    p[3] = 0x0f;
                }
            },
            tolerated
        ),
        case!(
            "challenge: Value-Size 15",
            false,
            |i, p| {
                if i == CHALLENGE {
                    p[5] = 15;
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "challenge: truncated",
            false,
            |i, p| {
                if i == CHALLENGE {
                    p.truncate(12);
                    set_ms_length(p);
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "challenge: OpCode only",
            false,
            |i, p| {
                if i == CHALLENGE {
                    *p = vec![26, 1];
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "challenge: empty Type-Data",
            false,
            |i, p| {
                if i == CHALLENGE {
                    *p = vec![26];
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "challenge: unknown OpCode",
            false,
            |i, p| {
                if i == CHALLENGE {
                    p[1] = 9;
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "challenge: Change-Password OpCode from the server",
            false,
            |i, p| {
                if i == CHALLENGE {
                    p[1] = 7;
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "Success before Challenge",
            false,
            |i, p| {
                if i == CHALLENGE {
                    *p = mschap(3, format!("S={} M=ok", "0".repeat(40)).as_bytes());
                }
            },
            Cause::PrematureSuccess(PrematureSuccess::MschapSuccessBeforeResponse)
                | Cause::Protocol(_)
        ),
        case!(
            "Failure before Challenge",
            false,
            |i, p| {
                if i == CHALLENGE {
                    *p = mschap(4, b"E=691 R=0 V=3");
                }
            },
            Cause::MschapFailure { error: 691, .. } | Cause::Protocol(_)
        ),
        case!(
            "Challenge again instead of Success",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    let mut c = vec![16];
                    c.extend_from_slice(&[0x11; 16]);
                    *p = mschap(1, &c);
                }
                // Answered as a new challenge; the server, expecting an ack, fails without
                // a verdict in the tunnel: nothing says the credentials were wrong.
            },
            Cause::EndedWithoutVerdict {
                after: SentMessage::MschapResponse,
                sent: 1
            } | Cause::Protocol(_)
        ),
        case!(
            "Success: authenticator response of 39 digits",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    p.remove(7);
                    set_ms_length(p);
                }
            },
            Cause::Protocol(_) | Cause::AuthenticatorResponseMismatch
        ),
        case!(
            "Success: non-hex authenticator response",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    p[8] = b'Z';
                }
            },
            Cause::Protocol(_) | Cause::AuthenticatorResponseMismatch
        ),
        case!(
            "Success: no S=",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(3, b"M=welcome");
                }
            },
            Cause::Protocol(_) | Cause::AuthenticatorResponseMismatch
        ),
        case!(
            "Success: wrong authenticator response",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    p[7] = if p[7] == b'0' { b'1' } else { b'0' };
                }
            },
            Cause::AuthenticatorResponseMismatch
        ),
        case!(
            "Success: MS-Length wrong",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    p[3] = 0xff;
                }
            },
            tolerated
        ),
        case!(
            "Success: empty message",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(3, b"");
                }
            },
            Cause::Protocol(_) | Cause::AuthenticatorResponseMismatch
        ),
        case!(
            "Failure: password expired",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=648 R=0 V=3 M=expired");
                }
            },
            Cause::MschapFailure {
                error: 648,
                retry: false,
                ..
            }
        ),
        case!(
            "Failure: account disabled",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=647 R=0 V=3");
                }
            },
            Cause::MschapFailure { error: 647, .. }
        ),
        case!(
            "Failure: restricted hours",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=646 R=0 V=3");
                }
            },
            Cause::MschapFailure { error: 646, .. }
        ),
        case!(
            "Failure: no dial-in permission",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=649 R=0 V=3");
                }
            },
            Cause::MschapFailure { error: 649, .. }
        ),
        case!(
            "Failure: 691 with retry and a new challenge",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(
                        4,
                        b"E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=bad password",
                    );
                }
            },
            Cause::MschapFailure {
                error: 691,
                retry: true,
                ..
            }
        ),
        case!(
            "Failure: bad challenge C=",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=691 R=1 C=XYZ V=3");
                }
            },
            Cause::MschapFailure { .. } | Cause::Protocol(_)
        ),
        case!(
            "Failure: no E=",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"R=0 M=who knows");
                }
            },
            Cause::MschapFailure { .. } | Cause::Protocol(_)
        ),
        case!(
            "Failure: E= not a number",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=abc R=0");
                }
            },
            Cause::MschapFailure { .. } | Cause::Protocol(_)
        ),
        case!(
            "Failure: unknown error code",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"E=12345 R=0 V=3");
                }
            },
            Cause::MschapFailure { error: 12345, .. }
        ),
        case!(
            "Failure: empty message",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    *p = mschap(4, b"");
                }
            },
            Cause::MschapFailure { .. } | Cause::Protocol(_)
        ),
        case!(
            "Failure: 60 KiB message",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    let mut m = b"E=691 R=0 V=3 M=".to_vec();
                    m.resize(60 * 1024, b'x');
                    *p = mschap(4, &m);
                }
            },
            Cause::MschapFailure { error: 691, .. } | Cause::Protocol(_)
        ),
        case!(
            "Success: 60 KiB message",
            false,
            |i, p| {
                // The authenticator response is intact; the text is the server's business.
                if i == SUCCESS_OR_FAILURE {
                    p.resize(60 * 1024, b'y');
                    set_ms_length(p);
                }
            },
            tolerated
        ),
        case!(
            "Success twice",
            false,
            |i, p| {
                if i == RESULT {
                    *p = mschap(3, format!("S={} M=again", "0".repeat(40)).as_bytes());
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "nothing after the Response",
            false,
            |i, p| {
                if i == SUCCESS_OR_FAILURE {
                    p.clear();
                }
            },
            Cause::Timeout {
                kind: TimeoutKind::Silence(_),
                ..
            }
        ),
    ];
    run_cases(&cases);
}

fn run_cases(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let cb = c.cryptobinding;
        let out = run_mutated(
            cb,
            |b| {
                if cb {
                    b.cryptobinding(Cryptobinding::Required)
                } else {
                    b
                }
            },
            c.mutate,
        );
        invariants(c.name, &out, true);
        match (c.expect, out.diagnosis()) {
            (None, None) => assert!(out.keys().is_some()),
            (None, Some(d)) => failures.push(format!("{}: expected success: {d}", c.name)),
            (Some(_), None) => failures.push(format!("{}: authenticated", c.name)),
            (Some(check), Some(d)) => {
                if !check(d) {
                    failures.push(format!("{}: {:?}: {d}", c.name, d.cause));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected outcomes:\n{}",
        failures.join("\n")
    );
}

#[test]
fn tlv_malformed_server() {
    let cases = [
        case!(
            "unknown mandatory TLV",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| t.extend_from_slice(&[0xbf, 0x00, 0x00, 0x01, 0xaa]));
                }
            },
            Cause::Protocol(ProtocolViolation::UnknownMandatoryTlv(0x3f00))
        ),
        case!(
            "TLV Length past the buffer",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| t[3] = 0x40);
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "TLV list ends inside a header",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| t.extend_from_slice(&[0x00, 0x07]));
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "Result TLV value of 1 octet",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        *t = vec![0x80, 0x03, 0x00, 0x01, 0x01];
                    });
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "Result TLV unknown status",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| t[5] = 3);
                }
            },
            Cause::Protocol(_)
        ),
        case!(
            "Result Success and Failure together",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        t.extend_from_slice(&[0x80, 0x03, 0x00, 0x02, 0x00, 0x02])
                    });
                }
            },
            Cause::Protocol(ProtocolViolation::MultipleResultTlvs)
        ),
        case!(
            "Result Failure and Success together",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        t[5] = 2;
                        t.extend_from_slice(&[0x80, 0x03, 0x00, 0x02, 0x00, 0x01])
                    });
                }
            },
            Cause::Protocol(ProtocolViolation::MultipleResultTlvs)
        ),
        case!(
            "two Result TLVs Success, with Crypto-Binding",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        t.extend_from_slice(&[0x80, 0x03, 0x00, 0x02, 0x00, 0x01])
                    });
                }
            },
            Cause::Protocol(ProtocolViolation::MultipleResultTlvs)
        ),
        case!(
            "no Result TLV at all",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        *t = vec![0x00, 0x07, 0x00, 0x00];
                    });
                }
            },
            Cause::Protocol(_) | Cause::Timeout { .. }
        ),
        case!(
            "empty EAP-TLV",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| t.clear());
                }
            },
            Cause::Protocol(_) | Cause::Timeout { .. }
        ),
        case!(
            "Result Failure after MSCHAPv2 Success",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| t[5] = 2);
                }
            },
            Cause::ServerResultFailure
        ),
        case!(
            "EAP-TLV with the Response code",
            false,
            |i, p| {
                if i == RESULT {
                    p[0] = 2;
                }
            },
            Cause::Protocol(_) | Cause::Timeout { .. }
        ),
        case!(
            "inner EAP Length larger than the payload",
            false,
            |i, p| {
                // Decoded as the compressed form (Length disagrees): an inner request of
                // Type 1, Identity, which we answer; the server then fails.
                if i == RESULT {
                    p[3] = p[3].wrapping_add(8);
                }
            },
            Cause::EndedWithoutVerdict {
                after: SentMessage::InnerIdentity,
                sent: 1
            } | Cause::Protocol(_)
        ),
        case!(
            "nested TLV with a bad length inside a vendor TLV",
            false,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        t.extend_from_slice(&[
                            0x00, 0x07, 0x00, 0x08, 0, 0, 1, 55, 0x00, 0x01, 0xff, 0xff,
                        ])
                    });
                }
            },
            tolerated
        ),
        case!(
            "Crypto-Binding: bad Compound MAC",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        let o = cb_value(t);
                        t[o + 40] ^= 1;
                    });
                }
            },
            Cause::CryptoBinding(CryptoBindingError::BadMac)
        ),
        case!(
            "Crypto-Binding: version 1",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        let o = cb_value(t);
                        t[o + 1] = 1;
                    });
                }
            },
            Cause::CryptoBinding(CryptoBindingError::Version(1))
        ),
        case!(
            "Crypto-Binding: received version 1",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        let o = cb_value(t);
                        t[o + 2] = 1;
                    });
                }
            },
            Cause::CryptoBinding(CryptoBindingError::ReceivedVersion(1))
        ),
        case!(
            "Crypto-Binding: SubType Response",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        let o = cb_value(t);
                        t[o + 3] = 1;
                    });
                }
            },
            Cause::CryptoBinding(CryptoBindingError::SubType(1))
        ),
        case!(
            "Crypto-Binding: value of 55 octets",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        let o = cb_value(t);
                        t.remove(o + 55);
                        t[o - 1] -= 1;
                    });
                }
            },
            Cause::CryptoBinding(CryptoBindingError::Malformed) | Cause::Protocol(_)
        ),
        case!(
            "Crypto-Binding: missing while required",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        t.truncate(6);
                    });
                }
            },
            Cause::CryptoBinding(CryptoBindingError::Missing)
        ),
        case!(
            "Crypto-Binding: two of them",
            true,
            |i, p| {
                if i == RESULT {
                    edit_tlvs(p, |t| {
                        let o = cb_value(t);
                        let cb = t[o - 4..o + 56].to_vec();
                        t.extend_from_slice(&cb);
                    });
                }
            },
            tolerated
        ),
    ];
    run_cases(&cases);
}

// --- Outer EAP and PEAP: scripted servers ----------------------------------------------

fn peap(a: &mut Authenticator, type_data: &[u8]) -> Vec<Vec<u8>> {
    vec![a.raw_request(MethodType::Peap, type_data)]
}

fn is_peap_response(p: &[u8]) -> bool {
    p.len() > 4 && p[0] == 2 && p[4] == 25
}

fn expect_failure(
    name: &str,
    out: &PairOutcome,
    validated: bool,
    check: impl FnOnce(&eap::Diagnosis) -> bool,
) {
    invariants(name, out, validated);
    let d = diagnosis(name, out);
    assert!(check(&d), "{name}: unexpected outcome {:?}: {d}", d.cause);
}

/// After the ClientHello, the script answers every PEAP response with `reply`.
fn after_client_hello(
    mut reply: impl FnMut(&mut Authenticator, usize) -> Vec<Vec<u8>>,
) -> impl FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>> {
    let mut n = 0;
    move |a, p| {
        if is_peap_response(p) {
            n += 1;
            reply(a, n - 1)
        } else {
            a.handle(p)
        }
    }
}

#[test]
fn tls_message_length_of_4_gib_is_refused_before_allocation() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, _| peap(a, &[0xc0, 0xff, 0xff, 0xff, 0xff, 22, 3, 3])),
    );
    expect_failure("4 GiB", &out, false, |d| {
        matches!(
            d.cause,
            Cause::Protocol(ProtocolViolation::MessageTooLarge { .. })
        )
    });
}

#[test]
fn more_fragments_than_the_cap() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, _| {
            let mut f = vec![0x40];
            f.extend_from_slice(&[22; 1000]);
            peap(a, &f)
        }),
    );
    expect_failure("M flag forever", &out, false, |d| {
        matches!(
            d.cause,
            Cause::Protocol(ProtocolViolation::MessageTooLarge { .. })
        )
    });
    // Refused at the cap, not after the round limit.
    assert!(out.transmitted.len() < 80, "{}", out.transmitted.len());
}

#[test]
fn fragments_beyond_the_announced_length() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, n| {
            let mut f = if n == 0 {
                vec![0xc0, 0, 0, 0x05, 0xdc]
            } else {
                vec![0x00]
            };
            f.extend_from_slice(&[22; 1000]);
            peap(a, &f)
        }),
    );
    expect_failure("L exceeded", &out, false, |d| {
        matches!(
            d.cause,
            Cause::Protocol(ProtocolViolation::FragmentLength { .. })
        )
    });
}

#[test]
fn fragment_ack_storm() {
    let out = run_scripted(|b| b, server, after_client_hello(|a, _| peap(a, &[0x00])));
    expect_failure("ACK storm", &out, false, |d| {
        matches!(d.cause, Cause::Protocol(_) | Cause::TooManyRounds { .. })
    });
}

#[test]
fn zero_length_and_truncated_packets_are_dropped() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|_, _| {
            vec![
                vec![],
                vec![1],
                vec![1, 9, 0, 50, 25, 0],
                vec![1, 9, 0, 3],
                vec![1, 9, 0, 5],
            ]
        }),
    );
    // Only the server's retransmissions of its PEAP Start get answers (our ClientHello
    // again), until the overall limit.
    expect_failure("zero-length", &out, false, |d| {
        matches!(
            d.cause,
            Cause::Timeout {
                last_sent: SentMessage::ClientHello,
                ..
            }
        )
    });
}

#[test]
fn silence_after_a_dropped_request_names_what_was_wrong_with_it() {
    let pki = Pki::new("hostile");
    let mut pair = Pair::new(common::client(&pki).build().unwrap(), server(&pki));
    // The server does not retransmit: its malformed request was its last word.
    pair.max_retransmits = 0;
    let mut sent = false;
    let out = pair.run_scripted(move |a, p| {
        if is_peap_response(p) && !sent {
            sent = true;
            // EAP Length 50 in a packet of 6 octets.
            vec![vec![1, a.last_identifier().wrapping_add(1), 0, 50, 25, 0]]
        } else if sent {
            vec![]
        } else {
            a.handle(p)
        }
    });
    invariants("dropped, then silence", &out, false);
    let d = diagnosis("dropped, then silence", &out);
    assert_eq!(
        d.cause,
        Cause::Timeout {
            kind: TimeoutKind::Silence(std::time::Duration::from_secs(30)),
            last_sent: SentMessage::ClientHello,
            dropped: Some(DroppedPacket::Malformed(DecodeError::BadLength {
                what: "EAP Length",
                declared: 50,
                available: 6,
            })),
        }
    );
    assert_eq!(
        d.to_string(),
        "TLS handshake: the server's last message was dropped as malformed (EAP Length: length \
         50 does not fit (available or allowed: 6)), and then nothing came from it for 30 s (our \
         last message: TLS ClientHello). Hint: the server sent something we could not use and \
         did not follow up: a capture and the server's log show what it sent"
    );
    assert!(!d.hint().contains("secret"), "{d}");
}

#[test]
fn trailing_octets_after_the_eap_length_are_ignored() {
    let pki = Pki::new("hostile");
    let out =
        Pair::new(common::client(&pki).build().unwrap(), server(&pki)).run_scripted(|a, p| {
            a.handle(p)
                .into_iter()
                .map(|mut r| {
                    r.extend_from_slice(&[0xee; 7]);
                    r
                })
                .collect()
        });
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
}

#[test]
fn same_identifier_with_different_content_is_a_new_request() {
    let mut identity_response = None;
    let out = run_scripted(
        |b| b,
        server,
        move |a, p| {
            let eap = Eap::parse(p).unwrap();
            match eap.method() {
                Some((MethodType::Identity, _)) if identity_response.is_none() => {
                    identity_response = Some(p.to_vec());
                    // Same Identifier as the Identity request, different content.
                    let id = a.last_identifier();
                    vec![
                        Eap::request(id, MethodType::Notification, b"maintenance tonight").to_vec(),
                    ]
                }
                Some((MethodType::Notification, _)) => {
                    a.handle(identity_response.as_deref().expect("identity first"))
                }
                _ => a.handle(p),
            }
        },
    );
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::Notification { .. }))
    );
}

#[test]
fn endless_identity_requests_hit_the_round_limit() {
    let out = run_scripted(
        |b| b,
        server,
        |a, _| vec![a.raw_request(MethodType::Identity, &[])],
    );
    expect_failure("endless Identity", &out, false, |d| {
        matches!(d.cause, Cause::TooManyRounds { .. })
    });
    assert!(out.transmitted.len() <= 101);
}

#[test]
fn endless_notifications_hit_the_round_limit() {
    let out = run_scripted(
        |b| b,
        server,
        |a, _| vec![a.raw_request(MethodType::Notification, b"hello again")],
    );
    expect_failure("endless Notification", &out, false, |d| {
        matches!(d.cause, Cause::TooManyRounds { .. })
    });
}

#[test]
fn failure_followed_by_success() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, _| {
            let id = a.last_identifier();
            vec![
                Eap::bare(Code::Failure, id).to_vec(),
                Eap::bare(Code::Success, id).to_vec(),
            ]
        }),
    );
    expect_failure("Failure then Success", &out, false, |d| {
        matches!(d.cause, Cause::HandshakeRejected { .. })
    });
}

#[test]
fn success_with_a_stale_identifier_is_dropped() {
    let pki = Pki::new("hostile");
    let mut srv = server(&pki);
    srv.knobs.success_id_offset = 251; // five behind
    let out = Pair::new(common::client(&pki).build().unwrap(), srv).run();
    expect_failure("stale Success", &out, true, |d| {
        matches!(d.cause, Cause::Timeout { .. })
    });
}

/// A scripted server: what it answers to each packet of the peer.
type Script = Box<dyn FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>>>;

/// Answers the Identity response with a PEAP Start of these Type-Data (flags and all).
fn peap_start(type_data: &'static [u8]) -> Script {
    Box::new(move |a, p| {
        if p.get(4) == Some(&1) {
            vec![a.raw_request(MethodType::Peap, type_data)]
        } else {
            a.handle(p)
        }
    })
}

/// A row of the outer-PEAP table: the script, and the exact cause expected.
struct Scripted {
    name: &'static str,
    script: fn() -> Script,
    /// The server certificate was validated before the script misbehaved.
    validated: bool,
    expect: fn(&Cause) -> bool,
}

#[test]
fn peap_start_and_framing_malformed_server() {
    let cases = [
        Scripted {
            name: "Start with L, a TLS Message Length of 0 and one octet of data",
            script: || peap_start(&[0xa0, 0, 0, 0, 0, 0x16]),
            validated: false,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::MalformedStart {
                    length_flag: true,
                    more_flag: false,
                    data_len: 1,
                })
            },
        },
        Scripted {
            name: "Start with M (first of several fragments)",
            script: || peap_start(&[0x60, 22, 3, 1, 0, 4]),
            validated: false,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::MalformedStart {
                    length_flag: false,
                    more_flag: true,
                    data_len: 5,
                })
            },
        },
        Scripted {
            name: "Start with L and M",
            script: || peap_start(&[0xe0, 0, 0, 0x10, 0, 22, 3, 1]),
            validated: false,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::MalformedStart {
                    length_flag: true,
                    more_flag: true,
                    data_len: 3,
                })
            },
        },
        Scripted {
            name: "Start with data",
            script: || peap_start(&[0x21, 0x16, 0x03]),
            validated: false,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::MalformedStart {
                    length_flag: false,
                    more_flag: false,
                    data_len: 2,
                })
            },
        },
        Scripted {
            name: "Start again in the handshake",
            script: || Box::new(after_client_hello(|a, _| peap(a, &[0x20]))),
            validated: false,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::UnexpectedStart {
                    handshake_complete: false,
                })
            },
        },
        Scripted {
            name: "Start again after the handshake completed",
            script: || Box::new(start_in_the_tunnel()),
            validated: true,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::UnexpectedStart {
                    handshake_complete: true,
                })
            },
        },
        Scripted {
            name: "fragments beyond the cap after announcing the cap",
            script: || Box::new(past_the_cap()),
            validated: false,
            expect: |c| {
                *c == Cause::Protocol(ProtocolViolation::MessageTooLarge {
                    announced: Some(65536),
                    arrived: 66000,
                    cap: 65536,
                })
            },
        },
    ];
    let mut failures = Vec::new();
    for c in cases {
        let out = run_scripted(|b| b, server, (c.script)());
        invariants(c.name, &out, c.validated);
        let d = diagnosis(c.name, &out);
        if !(c.expect)(&d.cause) {
            failures.push(format!("{}: {:?}: {d}", c.name, d.cause));
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected outcomes:\n{}",
        failures.join("\n")
    );
}

/// Once the tunnel is up, a PEAP Start instead of phase 2.
fn start_in_the_tunnel() -> impl FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>> {
    |a, p| {
        if a.is_tunnel_up() && is_peap_response(p) {
            peap(a, &[0x20])
        } else {
            a.handle(p)
        }
    }
}

/// After the ClientHello: a first fragment announcing exactly the cap (64 KiB), then
/// fragments of 1000 octets until more than the cap has arrived.
fn past_the_cap() -> impl FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>> {
    after_client_hello(|a, n| {
        let mut f = if n == 0 {
            vec![0xc0, 0, 1, 0, 0]
        } else {
            vec![0x40]
        };
        f.extend_from_slice(&[22; 1000]);
        peap(a, &f)
    })
}

#[test]
fn start_after_the_handshake_is_not_called_a_handshake_restart() {
    let out = run_scripted(|b| b, server, start_in_the_tunnel());
    let d = diagnosis("Start in the tunnel", &out);
    assert_eq!(
        d.to_string(),
        "inner authentication: the server restarted PEAP (a second Start) after the TLS \
         handshake had completed. Hint: the server does not follow the protocol; a capture \
         and the server's log show where"
    );
}

#[test]
fn reassembly_past_the_cap_names_what_was_announced_and_what_arrived() {
    let out = run_scripted(|b| b, server, past_the_cap());
    let d = diagnosis("past the cap", &out);
    assert!(
        d.to_string().contains(
            "the server announced a TLS message of 65536 octets but sent 66000 octets of \
             fragments, above our cap of 65536."
        ),
        "{d}"
    );
}

#[test]
fn empty_peap_type_data() {
    let out = run_scripted(|b| b, server, after_client_hello(|a, _| peap(a, &[])));
    expect_failure("no flags octet", &out, false, |d| {
        matches!(
            d.cause,
            Cause::Protocol(ProtocolViolation::Malformed { .. })
        )
    });
}

#[test]
fn alert_in_clear_in_the_handshake() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, _| a.tls_request(vec![21, 3, 3, 0, 2, 2, 40])),
    );
    expect_failure("alert", &out, false, |d| {
        matches!(d.cause, Cause::TlsAlert { alert: 40, .. })
    });
}

#[test]
fn application_data_before_the_handshake() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, _| a.tls_request(vec![23, 3, 3, 0, 5, 1, 2, 3, 4, 5])),
    );
    expect_failure("early application data", &out, false, |d| {
        matches!(d.cause, Cause::Tls(_))
    });
}

#[test]
fn server_hello_with_a_suite_we_did_not_offer() {
    let out = run_scripted(
        |b| b,
        server,
        after_client_hello(|a, _| {
            // ServerHello: TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA, no extensions.
            let mut body = vec![3, 3];
            body.extend_from_slice(&[0x42; 32]);
            body.extend_from_slice(&[0, 0x00, 0x2f, 0, 0, 0]);
            let mut hs = vec![2, 0, 0, body.len() as u8];
            hs.extend_from_slice(&body);
            let mut rec = vec![22, 3, 3, 0, hs.len() as u8];
            rec.extend_from_slice(&hs);
            a.tls_request(rec)
        }),
    );
    expect_failure("unoffered suite", &out, false, |d| {
        matches!(d.cause, Cause::Tls(_)) && d.to_string().contains("TLS")
    });
}

#[test]
fn renegotiation_attempt_inside_the_tunnel() {
    let out = run_scripted(
        |b| b,
        server,
        |a, p| {
            if a.is_tunnel_up() && is_peap_response(p) {
                a.hello_request()
            } else {
                a.handle(p)
            }
        },
    );
    expect_failure("renegotiation", &out, true, |d| {
        matches!(d.cause, Cause::Tls(_))
    });
}

#[test]
fn inner_md5_is_refused() {
    let pki = Pki::new("hostile");
    let mut srv = server(&pki);
    srv.knobs.inner_method = Some(MethodType::Md5Challenge);
    let out = Pair::new(common::client(&pki).build().unwrap(), srv).run();
    expect_failure("inner MD5", &out, true, |d| {
        matches!(
            d.cause,
            Cause::InnerMethodRefused {
                proposed: MethodType::Md5Challenge,
                ..
            }
        )
    });
}

#[test]
fn self_signed_server_certificate() {
    let pki = Pki::new("hostile");
    let other = Pki::new("self-signed");
    let out = Pair::new(
        common::client(&pki).build().unwrap(),
        AuthenticatorConfig::new(server_tls(&other.server()), USER, PASSWORD),
    )
    .run();
    expect_failure("self-signed", &out, false, |d| {
        d.phase == Phase::ServerValidation
            && matches!(
                d.cause,
                Cause::CertificateRejected {
                    problem: CertificateProblem::UnknownIssuer,
                    ..
                }
            )
    });
}

#[test]
fn chain_of_50_certificates() {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let pki = Pki::new("hostile");
    // CA -> 49 intermediates -> leaf, all sent by the server.
    let mut issuer_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    issuer_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let mut chain = Vec::new();
    let mut issuers: Vec<rcgen::CertifiedIssuer<'static, KeyPair>> = Vec::new();
    for i in 0..49 {
        let mut p = issuer_params.clone();
        p.distinguished_name
            .push(rcgen::DnType::CommonName, format!("intermediate {i}"));
        let key = KeyPair::generate().unwrap();
        let next = match issuers.last() {
            Some(up) => rcgen::CertifiedIssuer::signed_by(p, key, up),
            None => rcgen::CertifiedIssuer::signed_by(p, key, &pki.ca),
        }
        .unwrap();
        chain.push(next.der().clone());
        issuers.push(next);
    }
    let issuer = issuers.last().unwrap();
    let mut leaf = CertificateParams::new(vec![SERVER_NAME.to_string()]).unwrap();
    leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let leaf = leaf.signed_by(&key, issuer).unwrap();
    chain.push(leaf.der().clone());
    chain.reverse();
    let cert = ServerCert {
        chain,
        key: rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    };
    let out = Pair::new(
        common::client(&pki).build().unwrap(),
        AuthenticatorConfig::new(server_tls(&cert), USER, PASSWORD),
    )
    .run();
    expect_failure("chain of 50", &out, false, |d| {
        d.phase == Phase::ServerValidation && matches!(d.cause, Cause::CertificateRejected { .. })
    });
}
