//! EAP-TTLS against the in-process authenticator: each inner method succeeds with the
//! same keys on both sides over TLS 1.2 and 1.3, a wrong password is named per inner
//! method, a wrong MS-CHAP2-Success (or EAP-MSCHAPv2 Success) is refused, no credential
//! leaves before the server is validated, and PEAP stays the default.

mod common;

use common::*;
use eap::MethodType;
use eap::TtlsInner;
use eap::diagnosis::{Cause, Phase, PrematureSuccess};
use eap::testing::{AuthenticatorConfig, EarlySuccess, Pair, ServerOutcome, WrongPassword};
use eap::tls::TlsVersion;

const INNERS: [TtlsInner; 3] = [TtlsInner::Pap, TtlsInner::MsChapV2, TtlsInner::EapMsChapV2];

fn ttls_server(pki: &Pki) -> AuthenticatorConfig {
    let mut s = server(pki);
    s.method = MethodType::Ttls;
    s
}

fn ttls_client(pki: &Pki, inner: TtlsInner, tls13: bool) -> eap::ConfigBuilder {
    client(pki)
        .methods([MethodType::Ttls])
        .ttls_inner(inner)
        .tls_max(if tls13 {
            TlsVersion::TLS13
        } else {
            TlsVersion::TLS12
        })
}

#[test]
fn every_inner_method_succeeds_with_the_same_keys_over_tls12_and_tls13() {
    let pki = Pki::new("ttls ok");
    for tls13 in [false, true] {
        for inner in INNERS {
            let out = run(ttls_client(&pki, inner, tls13), ttls_server(&pki));
            let keys = out
                .keys()
                .unwrap_or_else(|| panic!("{inner} tls13 {tls13}: {:?}", out.diagnosis()));
            let Some(ServerOutcome::Accept(server)) = &out.server else {
                panic!("{inner}: {:?}", out.server);
            };
            assert_eq!(keys, server, "{inner} tls13 {tls13}");
            assert_eq!(keys.session_id[0], 21);
            assert_eq!(keys.session_id.len(), 65);
            let want = if tls13 {
                TlsVersion::TLS13
            } else {
                TlsVersion::TLS12
            };
            assert!(
                out.events
                    .iter()
                    .any(|e| matches!(e, eap::Event::TunnelUp { version, .. } if *version == want))
            );
            // The password never crossed the wire in the clear.
            for p in &out.transmitted {
                assert!(!p.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
            }
        }
    }
}

#[test]
fn a_wrong_password_is_named_per_inner_method() {
    let pki = Pki::new("ttls wrong");
    for how in [
        WrongPassword::MschapFailure,
        WrongPassword::ResultTlvFailure,
    ] {
        for inner in INNERS {
            let mut s = ttls_server(&pki);
            s.knobs.wrong_password = how;
            let client = ttls_client(&pki, inner, false).password("not it");
            let out = run(client, s);
            assert_eq!(out.server, Some(ServerOutcome::Reject));
            let d = out.diagnosis().expect("rejected");
            assert_eq!(d.phase, Phase::InnerAuthentication, "{d}");
            match (inner, how) {
                (TtlsInner::Pap, _) | (_, WrongPassword::ResultTlvFailure) => assert_eq!(
                    d.cause,
                    Cause::TtlsCredentialsRejected {
                        user: USER.into(),
                        inner
                    },
                    "{inner} {how:?}: {d}"
                ),
                _ => assert!(
                    matches!(&d.cause, Cause::MschapFailure { error: 691, user, .. } if user == USER),
                    "{inner} {how:?}: {d}"
                ),
            }
        }
    }
}

#[test]
fn a_wrong_mschapv2_success_is_refused() {
    let pki = Pki::new("ttls bad success");
    for inner in [TtlsInner::MsChapV2, TtlsInner::EapMsChapV2] {
        let mut s = ttls_server(&pki);
        s.knobs.bad_authenticator_response = true;
        let out = run(ttls_client(&pki, inner, false), s);
        assert!(out.keys().is_none());
        assert!(
            !matches!(out.server, Some(ServerOutcome::Accept(_))),
            "{inner}: the server got no acknowledgement"
        );
        let d = out.diagnosis().expect("refused");
        assert_eq!(
            d.cause,
            Cause::AuthenticatorResponseMismatch,
            "{inner}: {d}"
        );
        assert!(d.hint().contains("does not know the password"));
    }
}

#[test]
fn no_credential_leaves_before_the_server_is_validated() {
    let pki = Pki::new("ttls server");
    let other = Pki::new("ttls other");
    for inner in INNERS {
        let out = run(ttls_client(&other, inner, false), ttls_server(&pki));
        let d = out.diagnosis().expect("refused");
        assert_eq!(d.phase, Phase::ServerValidation, "{inner}: {d}");
        assert!(matches!(d.cause, Cause::CertificateRejected { .. }));
        assert!(
            !out.server
                .as_ref()
                .is_some_and(|s| matches!(s, ServerOutcome::Accept(_)))
        );
        for p in &out.transmitted {
            assert!(!carries_phase2_data(p), "{inner}: phase-2 data sent");
            assert!(!p.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
        }
    }
}

#[test]
fn an_early_success_before_the_inner_method_is_refused() {
    let pki = Pki::new("ttls early");
    for inner in [TtlsInner::MsChapV2, TtlsInner::EapMsChapV2] {
        for tls13 in [false, true] {
            let mut s = ttls_server(&pki);
            s.knobs.early_success = Some(EarlySuccess::AfterTunnel);
            let out = run(ttls_client(&pki, inner, tls13), s);
            assert!(out.keys().is_none(), "{inner} tls13 {tls13}");
            let d = out.diagnosis().expect("refused");
            assert!(
                matches!(
                    d.cause,
                    Cause::PrematureSuccess(
                        PrematureSuccess::EapSuccessBeforeInner
                            | PrematureSuccess::EapSuccessInHandshake
                    )
                ),
                "{inner} tls13 {tls13}: {d}"
            );
        }
    }
}

#[test]
fn an_inner_eap_method_we_do_not_allow_is_naked_and_named() {
    let pki = Pki::new("ttls nak");
    let mut s = ttls_server(&pki);
    s.knobs.inner_method = Some(MethodType::Gtc);
    let out = run(ttls_client(&pki, TtlsInner::EapMsChapV2, false), s);
    let d = out.diagnosis().expect("refused");
    assert_eq!(
        d.cause,
        Cause::InnerMethodRefused {
            proposed: MethodType::Gtc,
            offered: vec![MethodType::MsChapV2]
        },
        "{d}"
    );
}

#[test]
fn peap_stays_the_default_and_pap_needs_the_password() {
    let pki = Pki::new("ttls default");
    // A default client Naks TTLS for PEAP; this server has nothing else.
    let out = run(client(&pki), ttls_server(&pki));
    let d = out.diagnosis().expect("refused");
    assert!(
        matches!(&d.cause, Cause::MethodNotAllowed { proposed: MethodType::Ttls, offered } if offered == &[MethodType::Peap]),
        "{d}"
    );
    let hashed = eap::Config::builder(USER)
        .nt_hash(eap::unstable::crypto::mschapv2::nt_password_hash(PASSWORD))
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME)
        .methods([MethodType::Ttls]);
    let pap = hashed
        .clone()
        .ttls_inner(TtlsInner::Pap)
        .build()
        .unwrap_err();
    assert!(
        matches!(pap, eap::ConfigError::PasswordNeeded("EAP-TTLS/PAP")),
        "{pap:?}"
    );
    // MSCHAPv2 works from the NT hash.
    let out = Pair::new(
        hashed.ttls_inner(TtlsInner::MsChapV2).build().unwrap(),
        ttls_server(&pki),
    )
    .run();
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
}

/// A TTLS/MSCHAPv2 run whose server rewrites its MS-CHAP2-Success AVPs with `mutate`.
fn hostile(mutate: fn(usize, &mut Vec<u8>)) -> eap::testing::PairOutcome {
    let pki = Pki::new("ttls hostile");
    let mut s = ttls_server(&pki);
    s.knobs.mutate_inner = Some(mutate);
    run(ttls_client(&pki, TtlsInner::MsChapV2, false), s)
}

#[test]
fn hostile_avp_lengths_and_flags_end_it_with_the_reason() {
    // AVP Length past the end of the message.
    let out = hostile(|_, p| p[7] = p[7].wrapping_add(40));
    let d = out.diagnosis().expect("refused");
    assert!(
        matches!(
            &d.cause,
            Cause::Protocol(eap::diagnosis::ProtocolViolation::Malformed {
                what: "EAP-TTLS AVPs",
                ..
            })
        ),
        "{d}"
    );
    // AVP Length shorter than its own header (V set: 12).
    let out = hostile(|_, p| p[5..8].copy_from_slice(&[0, 0, 10]));
    assert!(matches!(
        out.diagnosis().expect("refused").cause,
        Cause::Protocol(eap::diagnosis::ProtocolViolation::Malformed { .. })
    ));
    // The V bit cleared: the Vendor-ID becomes data of RADIUS attribute 26, mandatory
    // and unknown here.
    let out = hostile(|_, p| p[4] &= !0x80);
    assert_eq!(
        out.diagnosis().expect("refused").cause,
        Cause::Protocol(eap::diagnosis::ProtocolViolation::UnknownMandatoryAvp {
            vendor: None,
            code: 26
        })
    );
    // A mandatory AVP we do not know, after the Success.
    let out = hostile(|_, p| p.extend_from_slice(&[0, 0, 0x12, 0x34, 0x40, 0, 0, 8]));
    assert_eq!(
        out.diagnosis().expect("refused").cause,
        Cause::Protocol(eap::diagnosis::ProtocolViolation::UnknownMandatoryAvp {
            vendor: None,
            code: 0x1234
        })
    );
    // The same without the M bit is ignored, as RFC 5281 §10.1 says.
    let out = hostile(|_, p| p.extend_from_slice(&[0, 0, 0x12, 0x34, 0, 0, 0, 9, 7, 0, 0, 0]));
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    // An MS-CHAP2-Success for another Ident.
    let out = hostile(|_, p| p[12] ^= 1);
    assert_eq!(
        out.diagnosis().expect("refused").cause,
        Cause::AuthenticatorResponseMismatch
    );
}
