//! Each diagnosis, produced by the in-process authenticator's knobs.

mod common;

use common::*;
use eap::MethodType;
use eap::diagnosis::{
    Cause, CryptoBindingError, Phase, PrematureSuccess, SentMessage, TimeoutKind,
};
use eap::testing::{AuthenticatorConfig, EarlySuccess, WrongPassword};
use eap::tls::CertificateProblem;
use eap::tls::{ServerNameRule, TlsVersion};
use eap::{Cryptobinding, Limits};
use std::sync::Arc;
use std::time::Duration;

fn diagnose(client: eap::ConfigBuilder, server: AuthenticatorConfig) -> eap::Diagnosis {
    let out = run(client, server);
    assert!(out.keys().is_none(), "unexpected success");
    out.diagnosis().cloned().expect("a diagnosis")
}

/// No MSCHAPv2 NT-Response, password or key material left: only identity, Naks, and
/// TLS records up to the ClientHello/handshake (no application data).
fn assert_no_inner_credentials(out: &eap::testing::PairOutcome) {
    assert!(
        !out.transmitted.iter().any(|p| carries_phase2_data(p)),
        "application data sent before validation"
    );
}

#[test]
fn wrong_password_mschap_691_with_retry_and_message() {
    let pki = Pki::new("691");
    for retry in [true, false] {
        let mut srv = server(&pki);
        srv.knobs.retry = retry;
        let d = diagnose(client(&pki).password("wrong"), srv);
        assert_eq!(d.phase, Phase::InnerAuthentication);
        match &d.cause {
            Cause::MschapFailure {
                error: 691,
                retry: r,
                message: Some(m),
                user,
            } => {
                assert_eq!(*r, retry);
                assert_eq!(m, "Authentication failed");
                assert_eq!(user, USER);
            }
            other => panic!("{other:?}"),
        }
        let text = d.to_string();
        assert!(text.contains("691") && text.contains("password"), "{text}");
        assert!(
            text.contains(if retry {
                "retry allowed"
            } else {
                "no retry allowed"
            }),
            "{text}"
        );
    }
}

#[test]
fn wrong_password_freeradius_stock_result_tlv_only() {
    let pki = Pki::new("fr");
    let mut srv = server(&pki);
    srv.knobs.wrong_password = WrongPassword::ResultTlvFailure;
    let d = diagnose(client(&pki).password("wrong"), srv);
    assert_eq!(d.cause, Cause::CredentialsRejected { user: USER.into() });
    assert!(d.to_string().contains("rejected the credentials"), "{d}");
}

#[test]
fn account_errors_646_to_649() {
    let pki = Pki::new("acct");
    for (code, words) in [
        (646, "time of day"),
        (647, "disabled"),
        (648, "expired"),
        (649, "dial-in"),
    ] {
        let mut srv = server(&pki);
        srv.knobs.force_error = Some(code);
        let d = diagnose(client(&pki), srv);
        assert!(
            matches!(d.cause, Cause::MschapFailure { error, .. } if error == code),
            "{d:?}"
        );
        assert!(d.to_string().contains(words), "{code}: {d}");
    }
}

#[test]
fn tls_alert_protocol_version() {
    let pki = Pki::new("alert");
    let tls = server_tls_with(&pki.server(), provider(), &[&rustls::version::TLS13]);
    let d = diagnose(client(&pki), AuthenticatorConfig::new(tls, USER, PASSWORD));
    assert_eq!(d.phase, Phase::TlsHandshake);
    match &d.cause {
        Cause::TlsAlert {
            alert: 70,
            offered,
            chosen: None,
        } => {
            assert_eq!(offered.versions, [TlsVersion::TLS12]);
            assert!(!offered.cipher_suites.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(d.to_string().contains("protocol_version"), "{d}");
    assert!(d.hint().contains("TLS version"), "{}", d.hint());
}

#[test]
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn tls_alert_no_common_cipher_suite() {
    let pki = Pki::new("suites");
    let mut server_provider = rustls::crypto::ring::default_provider();
    server_provider
        .cipher_suites
        .retain(|s| format!("{:?}", s.suite()).contains("AES_256_GCM"));
    let tls = server_tls_with(
        &pki.server(),
        Arc::new(server_provider),
        &[&rustls::version::TLS12],
    );
    let mut client_provider = rustls::crypto::ring::default_provider();
    client_provider
        .cipher_suites
        .retain(|s| format!("{:?}", s.suite()).contains("CHACHA20"));
    let cfg = client(&pki).crypto_provider(Arc::new(client_provider));
    let d = diagnose(cfg, AuthenticatorConfig::new(tls, USER, PASSWORD));
    match &d.cause {
        Cause::TlsAlert {
            alert: 40,
            offered,
            chosen: None,
        } => {
            assert!(
                offered
                    .cipher_suites
                    .iter()
                    .all(|s| *s == 0xcca8 || *s == 0xcca9),
                "{offered:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let text = d.to_string();
    assert!(
        text.contains("handshake_failure") && text.contains("CHACHA20"),
        "{text}"
    );
    assert!(d.hint().contains("cipher suite"), "{}", d.hint());
}

#[test]
fn certificate_untrusted() {
    let pki = Pki::new("real");
    let other = Pki::new("rogue");
    let out = run(client(&pki), server(&other));
    let d = out.diagnosis().unwrap();
    assert_eq!(d.phase, Phase::ServerValidation);
    match &d.cause {
        Cause::CertificateRejected {
            problem: CertificateProblem::UnknownIssuer,
            certificate: Some(c),
        } => {
            assert!(c.issuer.contains("rogue CA"), "{c:?}");
            assert_eq!(c.dns_names, [SERVER_NAME]);
        }
        other => panic!("{other:?}"),
    }
    assert_no_inner_credentials(&out);
    // We told the server why: a TLS alert went out.
    assert_eq!(out.transmitted.last().unwrap()[4], 25);
}

#[test]
fn certificate_expired() {
    let pki = Pki::new("exp");
    let cert = pki.server_with(&[SERVER_NAME], (-10, -1));
    let out = run(
        client(&pki),
        AuthenticatorConfig::new(server_tls(&cert), USER, PASSWORD),
    );
    let d = out.diagnosis().unwrap();
    assert!(
        matches!(
            d.cause,
            Cause::CertificateRejected {
                problem: CertificateProblem::Expired,
                ..
            }
        ),
        "{d:?}"
    );
    assert!(d.hint().contains("clock"), "{}", d.hint());
    assert_no_inner_credentials(&out);
}

#[test]
fn certificate_for_another_name_lists_its_names() {
    let pki = Pki::new("name");
    let cert = pki.server_with(&["portal.example.net", "www.example.net"], (-1, 5));
    let out = run(
        client(&pki),
        AuthenticatorConfig::new(server_tls(&cert), USER, PASSWORD),
    );
    let d = out.diagnosis().unwrap();
    match &d.cause {
        Cause::CertificateRejected {
            problem: CertificateProblem::NameMismatch { expected },
            certificate: Some(c),
        } => {
            // The name itself, not display text with quotes.
            assert_eq!(expected, &ServerNameRule::Exact(SERVER_NAME.into()));
            assert_eq!(c.dns_names, ["portal.example.net", "www.example.net"]);
        }
        other => panic!("{other:?}"),
    }
    let text = d.to_string();
    assert!(
        text.contains("portal.example.net")
            && text.contains(&format!("expected server name \"{SERVER_NAME}\"")),
        "{text}"
    );
    assert!(!text.contains("\"\""), "quoted twice: {text}");
    assert_no_inner_credentials(&out);
}

#[test]
fn method_not_allowed() {
    let pki = Pki::new("method");
    let mut srv = server(&pki);
    srv.knobs.propose_first = Some(MethodType::Tls);
    srv.knobs.fail_after_nak = true;
    let d = diagnose(client(&pki), srv);
    assert_eq!(d.phase, Phase::MethodNegotiation);
    assert_eq!(
        d.cause,
        Cause::MethodNotAllowed {
            proposed: MethodType::Tls,
            offered: vec![MethodType::Peap]
        }
    );
    let text = d.to_string();
    assert!(text.contains("EAP-TLS") && text.contains("PEAP"), "{text}");
    assert!(
        !text.contains("outside a tunnel"),
        "EAP-TLS is no unprotected method: {text}"
    );
}

#[test]
fn an_unprotected_method_is_refused_and_says_why() {
    let pki = Pki::new("md5");
    let mut srv = server(&pki);
    srv.knobs.propose_first = Some(MethodType::Md5Challenge);
    srv.knobs.fail_after_nak = true;
    let d = diagnose(client(&pki), srv);
    assert!(
        matches!(
            d.cause,
            Cause::MethodNotAllowed {
                proposed: MethodType::Md5Challenge,
                ..
            }
        ),
        "{d}"
    );
    let text = d.to_string();
    assert!(
        text.contains("outside a tunnel it would send a hash of the password"),
        "{text}"
    );
}

#[test]
fn failure_after_identity_names_the_missing_realm() {
    let pki = Pki::new("realm");
    let mut srv = server(&pki);
    srv.knobs.reject_identity = true;
    let d = diagnose(client(&pki).anonymous_identity("anonymous"), srv.clone());
    assert_eq!(d.phase, Phase::Identity);
    assert_eq!(
        d.cause,
        Cause::RejectedAfterIdentity {
            outer_identity: "anonymous".into(),
            anonymous_without_realm: true
        }
    );
    assert!(d.hint().contains("anonymous@"), "{}", d.hint());
    let d = diagnose(client(&pki), srv);
    assert!(matches!(
        d.cause,
        Cause::RejectedAfterIdentity {
            anonymous_without_realm: false,
            ..
        }
    ));
}

#[test]
fn silence_names_the_unanswered_message() {
    let pki = Pki::new("quiet");
    let mut srv = server(&pki);
    srv.knobs.stop_after = Some(2); // answers Identity and the ClientHello, then nothing
    let out = run(client(&pki), srv);
    let d = out.diagnosis().unwrap();
    match d.cause {
        Cause::Timeout {
            kind: TimeoutKind::Silence(s),
            last_sent,
            dropped: None,
        } => {
            assert_eq!(s, Duration::from_secs(30));
            assert_eq!(last_sent, SentMessage::TlsClientFinished);
        }
        ref other => panic!("{other:?}"),
    }
    assert!(
        d.to_string().contains("TLS key exchange and Finished"),
        "{d}"
    );
    assert!(out.elapsed >= Duration::from_secs(30));
}

#[test]
fn overall_timeout() {
    let pki = Pki::new("slow");
    let mut srv = server(&pki);
    srv.knobs.stop_after = Some(0);
    let limits = Limits::default()
        .with_silence(Duration::from_secs(60))
        .with_overall(Duration::from_secs(20));
    let out = run(client(&pki).limits(limits), srv);
    let d = out.diagnosis().unwrap();
    assert!(
        matches!(
            d.cause,
            Cause::Timeout {
                kind: TimeoutKind::Overall(_),
                last_sent: SentMessage::Identity,
                dropped: None,
            }
        ),
        "{d:?}"
    );
    assert_eq!(out.elapsed, Duration::from_secs(20));
}

#[test]
fn round_limit() {
    let pki = Pki::new("rounds");
    let limits = Limits::default().with_max_rounds(4);
    let d = diagnose(client(&pki).limits(limits), server(&pki));
    assert!(
        matches!(d.cause, Cause::TooManyRounds { limit: 4, .. }),
        "{d:?}"
    );
}

#[test]
fn authenticator_response_wrong() {
    let pki = Pki::new("authresp");
    let mut srv = server(&pki);
    srv.knobs.bad_authenticator_response = true;
    let out = run(client(&pki), srv);
    let d = out.diagnosis().unwrap();
    assert_eq!(d.cause, Cause::AuthenticatorResponseMismatch);
    assert!(d.hint().contains("not be the real network"));
    // No Success acknowledgement went out: the last thing sent was our NT-Response.
    assert!(!event_names(&out.events).contains(&"InnerSucceeded"));
}

#[test]
fn cryptobinding_mismatch_and_missing() {
    let pki = Pki::new("cbfail");
    let mut srv = server(&pki);
    srv.cryptobinding = true;
    srv.knobs.bad_cryptobinding_mac = true;
    let d = diagnose(client(&pki), srv);
    assert_eq!(d.phase, Phase::CryptoBinding);
    assert_eq!(d.cause, Cause::CryptoBinding(CryptoBindingError::BadMac));

    let d = diagnose(
        client(&pki).cryptobinding(Cryptobinding::Required),
        server(&pki),
    );
    assert_eq!(d.cause, Cause::CryptoBinding(CryptoBindingError::Missing));
}

#[test]
fn phase2_bypass_cve_2023_52160() {
    let pki = Pki::new("cve");
    let mut srv = server(&pki);
    srv.knobs.early_result_success = true;
    let out = run(client(&pki), srv);
    let d = out.diagnosis().unwrap();
    assert_eq!(
        d.cause,
        Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner)
    );
    assert!(d.to_string().contains("CVE-2023-52160"));
    assert!(out.keys().is_none());

    for (when, expected) in [
        (
            EarlySuccess::AfterIdentity,
            PrematureSuccess::EapSuccessBeforeMethod,
        ),
        (
            EarlySuccess::InHandshake,
            PrematureSuccess::EapSuccessInHandshake,
        ),
        (
            EarlySuccess::AfterTunnel,
            PrematureSuccess::EapSuccessBeforeResult,
        ),
    ] {
        let mut srv = server(&pki);
        srv.knobs.early_success = Some(when);
        let d = diagnose(client(&pki), srv);
        assert_eq!(d.cause, Cause::PrematureSuccess(expected), "{when:?}");
    }
}

#[test]
fn inner_gtc_is_refused() {
    let pki = Pki::new("gtc");
    let mut srv = server(&pki);
    srv.knobs.inner_method = Some(MethodType::Gtc);
    let out = run(client(&pki), srv);
    let d = out.diagnosis().unwrap();
    assert_eq!(
        d.cause,
        Cause::InnerMethodRefused {
            proposed: MethodType::Gtc,
            offered: vec![MethodType::MsChapV2]
        }
    );
    assert!(d.to_string().contains("GTC"), "{d}");
}

#[test]
fn rejected_after_inner_success() {
    let pki = Pki::new("authz");
    let mut srv = server(&pki);
    srv.knobs.reject_after_success = true;
    let d = diagnose(client(&pki), srv);
    assert_eq!(
        d.cause,
        Cause::RejectedAfterInnerSuccess {
            cryptobinding: false
        }
    );
    assert_eq!(d.phase, Phase::Completion);
}

#[test]
fn peap_version_insisted() {
    let pki = Pki::new("v1");
    let mut srv = server(&pki);
    srv.knobs.peap_version = 1;
    srv.knobs.insist_peap_version = Some(1);
    let d = diagnose(client(&pki), srv);
    assert_eq!(
        d.cause,
        Cause::Protocol(eap::diagnosis::ProtocolViolation::PeapVersion(1))
    );
}

/// Peer packets of a clean run; the MSCHAPv2 Response is the third from last (then the
/// MSCHAPv2 Success acknowledgement and the Result TLV).
fn mschap_response_index(pki: &Pki) -> usize {
    let out = run(client(pki), server(pki));
    assert!(out.keys().is_some());
    out.transmitted.len() - 3
}

fn bare_failure(id: u8) -> Vec<u8> {
    vec![4, id, 0, 4]
}

#[test]
fn bare_failure_after_mschap_response_is_no_verdict_not_wrong_credentials() {
    let pki = Pki::new("noverdict");
    let k = mschap_response_index(&pki);
    let mut pair = eap::testing::Pair::new(client(&pki).build().unwrap(), server(&pki));
    let mut n = 0;
    let out = pair.run_scripted(|a, p| {
        n += 1;
        if n - 1 == k {
            // The server has lost the session: no Result TLV, no MSCHAPv2 Failure.
            vec![bare_failure(p[1])]
        } else {
            a.handle(p)
        }
    });
    let d = out.diagnosis().expect("a diagnosis");
    assert_eq!(d.phase, Phase::InnerAuthentication, "{d}");
    assert_eq!(
        d.cause,
        Cause::EndedWithoutVerdict {
            after: SentMessage::MschapResponse,
            sent: 1
        },
        "{d}"
    );
    assert!(!d.to_string().contains("rejected the credentials"), "{d}");
    assert!(d.is_lost_reply());
}

#[test]
fn failure_answering_a_resent_response_names_the_retransmission() {
    // EAPOL's way: our MSCHAPv2 Response is lost, the authenticator retransmits its
    // Challenge, we send the Response again, and the server (which lost the session)
    // answers EAP-Failure.
    let pki = Pki::new("resent");
    let k = mschap_response_index(&pki);
    let mut pair = eap::testing::Pair::new(client(&pki).build().unwrap(), server(&pki));
    let mut n = 0;
    let out = pair.run_scripted(|a, p| {
        n += 1;
        match n - 1 {
            i if i == k => Vec::new(),
            i if i == k + 1 => vec![bare_failure(p[1])],
            _ => a.handle(p),
        }
    });
    assert_eq!(out.transmitted[k], out.transmitted[k + 1], "sent again");
    let d = out.diagnosis().expect("a diagnosis");
    assert_eq!(
        d.cause,
        Cause::EndedWithoutVerdict {
            after: SentMessage::MschapResponse,
            sent: 2
        },
        "{d}"
    );
    let text = d.to_string();
    assert!(
        text.contains("retransmitted MSCHAPv2 Response (sent 2 times)"),
        "{text}"
    );
}

#[test]
fn result_tlv_failure_still_names_the_credentials_after_a_resend() {
    // The server's verdict came before the lost packet: it stands.
    let cause = Cause::CredentialsRejected { user: USER.into() };
    assert_eq!(cause.clone().answering_retransmission(3), cause);
    let stated = Cause::MschapFailure {
        user: USER.into(),
        error: 691,
        retry: false,
        message: None,
    };
    assert_eq!(stated.clone().answering_retransmission(2), stated);
    // Causes inferred from when the Failure came yield to the retransmission.
    for (inferred, after) in [
        (
            Cause::FailureWithoutReason {
                after: SentMessage::TlsAck,
            },
            SentMessage::TlsAck,
        ),
        (
            Cause::RejectedAfterInnerSuccess {
                cryptobinding: false,
            },
            SentMessage::ResultTlv { success: true },
        ),
    ] {
        assert_eq!(
            inferred.clone().answering_retransmission(1),
            inferred,
            "sent once: unchanged"
        );
        assert_eq!(
            inferred.answering_retransmission(2),
            Cause::EndedWithoutVerdict { after, sent: 2 }
        );
    }
}

/// A random number generator that works for its first `ok` fills, then fails.
#[derive(Debug)]
struct FailingRandom {
    ok: usize,
    calls: std::sync::atomic::AtomicUsize,
}

impl rustls::crypto::SecureRandom for FailingRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), rustls::crypto::GetRandomFailed> {
        let n = self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n < self.ok {
            buf.iter_mut()
                .enumerate()
                .for_each(|(i, b)| *b = i as u8 ^ 0x5a);
            Ok(())
        } else {
            Err(rustls::crypto::GetRandomFailed)
        }
    }
}

/// A broken entropy source is named as ours wherever rustls meets it: at the start (the
/// ClientHello's random, before anything is sent) as later in the handshake, with no hint
/// about the server's TLS settings.
#[test]
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn a_broken_random_source_is_ours_not_the_servers() {
    static AT_START: FailingRandom = FailingRandom {
        ok: 0,
        calls: std::sync::atomic::AtomicUsize::new(0),
    };
    let pki = Pki::new("random");
    let mut provider = rustls::crypto::ring::default_provider();
    provider.secure_random = &AT_START;
    let out = run(
        client(&pki).crypto_provider(Arc::new(provider)),
        server(&pki),
    );
    assert!(out.keys().is_none());
    let d = out.diagnosis().expect("a diagnosis");
    assert!(matches!(d.cause, Cause::RandomFailure), "{d}");
    assert_eq!(d.phase, Phase::TlsHandshake);
    assert_eq!(d.kind(), eap::FailureKind::LocalError);
    assert!(d.hint().contains("entropy"), "{}", d.hint());
    assert!(!d.hint().contains("server"), "{}", d.hint());
    // Nothing of TLS went out: the identity and the method's acceptance at most.
    assert!(
        out.transmitted.iter().all(|p| p.len() < 40),
        "a ClientHello was sent: {:?}",
        out.transmitted
    );
}
