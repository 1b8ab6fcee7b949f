//! TEAP against the in-process authenticator (fast tests; interop is interop_teap.rs
//! against FreeRADIUS 3.2.7): Basic-Password-Auth with the Crypto-Binding on TLS 1.2 and
//! 1.3 with both sides' keys equal, fragments, and the hostile server: no Crypto-Binding,
//! a wrong one, a Result Success before any inner method, two Result TLVs, a wrong
//! password named by identity and method. Nothing leaves in clear (the hostile invariants).

mod common;

use common::*;
use eap::diagnosis::{Cause, CryptoBindingError, PrematureSuccess, ProtocolViolation};
use eap::testing::{AuthenticatorConfig, Pair, PairOutcome, ServerOutcome};
use eap::{MethodType, TeapInner};

fn teap_server(pki: &Pki, tls13: bool) -> AuthenticatorConfig {
    let versions: &[&'static rustls::SupportedProtocolVersion] = if tls13 {
        &[&rustls::version::TLS13]
    } else {
        &[&rustls::version::TLS12]
    };
    let mut s = AuthenticatorConfig::new(
        server_tls_with(&pki.server(), provider(), versions),
        USER,
        PASSWORD,
    );
    s.method = MethodType::Teap;
    s.cryptobinding = true;
    s
}

fn teap_client(pki: &Pki, password: &str, tls13: bool) -> eap::Config {
    client(pki)
        .password(password)
        .methods([MethodType::Teap])
        .teap_inner(TeapInner::Password)
        .tls_max(if tls13 {
            eap::tls::TlsVersion::TLS13
        } else {
            eap::tls::TlsVersion::TLS12
        })
        .build()
        .unwrap()
}

fn run_teap(client: eap::Config, server: AuthenticatorConfig) -> PairOutcome {
    let out = Pair::new(client, server).run();
    // Never the password in clear, whatever happened.
    for p in &out.transmitted {
        assert!(!p.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
    }
    out
}

fn cause(out: &PairOutcome) -> Cause {
    assert!(out.keys().is_none(), "{:?}", out.events);
    out.diagnosis().expect("a diagnosis").cause.clone()
}

#[test]
fn password_with_crypto_binding_tls12_and_tls13_keys_agree() {
    let pki = Pki::new("teap");
    for tls13 in [false, true] {
        for fragment in [1398, 200] {
            let mut server = teap_server(&pki, tls13);
            server.fragment_size = fragment;
            let out = run_teap(teap_client(&pki, PASSWORD, tls13), server);
            let keys = out.keys().unwrap_or_else(|| panic!("{:?}", out.events));
            let Some(ServerOutcome::Accept(server_keys)) = &out.server else {
                panic!("server: {:?}", out.server);
            };
            assert_eq!(keys.msk, server_keys.msk, "tls13 {tls13}");
            assert_eq!(keys.emsk, server_keys.emsk);
            assert_eq!(keys.session_id, server_keys.session_id);
            assert_eq!(keys.session_id[0], 55);
            assert!(keys.from_cryptobinding);
        }
    }
}

#[test]
fn hostile_teap_servers_are_refused_and_named() {
    let pki = Pki::new("teap-hostile");
    // No Crypto-Binding with the Intermediate-Result.
    let mut s = teap_server(&pki, true);
    s.cryptobinding = false;
    assert_eq!(
        cause(&run_teap(teap_client(&pki, PASSWORD, true), s)),
        Cause::CryptoBinding(CryptoBindingError::Missing)
    );
    // A wrong Compound MAC.
    let mut s = teap_server(&pki, false);
    s.knobs.bad_cryptobinding_mac = true;
    assert_eq!(
        cause(&run_teap(teap_client(&pki, PASSWORD, false), s)),
        Cause::CryptoBinding(CryptoBindingError::BadMac)
    );
    // Result Success before any inner method.
    let mut s = teap_server(&pki, true);
    s.knobs.early_result_success = true;
    assert_eq!(
        cause(&run_teap(teap_client(&pki, PASSWORD, true), s)),
        Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner)
    );
    // Two Result TLVs in the binding message.
    let mut s = teap_server(&pki, true);
    s.knobs.mutate_inner = Some(|i, p| {
        if i == 1 {
            p.extend_from_slice(&[0x80, 3, 0, 2, 0, 1]);
        }
    });
    assert!(matches!(
        cause(&run_teap(teap_client(&pki, PASSWORD, true), s)),
        Cause::Protocol(ProtocolViolation::Unexpected(w)) if w.contains("two Result")
    ));
    // An unknown mandatory TLV instead of the password request: our NAK TLV, then the
    // server gives up (it wanted a password).
    let mut s = teap_server(&pki, true);
    s.knobs.mutate_inner = Some(|i, p| {
        if i == 0 {
            *p = vec![0x81, 0x23, 0, 1, 7];
        }
    });
    let out = run_teap(teap_client(&pki, PASSWORD, true), s);
    assert!(out.keys().is_none());
    // A wrong password: the user identity and Basic-Password-Auth are named.
    let d = cause(&run_teap(
        teap_client(&pki, "wrong", true),
        teap_server(&pki, true),
    ));
    assert_eq!(
        d,
        Cause::TeapInnerRejected {
            machine: false,
            user: USER.into(),
            inner: TeapInner::Password
        }
    );
}
