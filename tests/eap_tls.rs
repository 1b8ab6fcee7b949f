//! EAP-TLS (RFC 5216; TLS 1.3 per RFC 9190) against the in-process authenticator: keys
//! and Session-Id on both sides, the server refusing our certificate, our certificate and
//! key not matching, a TLS 1.3 server that skips its commitment, and the configuration
//! rules.

mod common;

use common::*;
use eap::ConfigError;
use eap::MethodType;
use eap::diagnosis::{Cause, Phase, PrematureSuccess};
use eap::testing::{AuthenticatorConfig, Pair, ServerOutcome};
use eap::tls::CertificateProblem;
use eap::tls::TlsVersion;
use eap::{Config, Event};
use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use std::sync::Arc;

/// A client certificate for `name` issued by `pki`.
fn client_cert(pki: &Pki, name: &str) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &pki.ca).unwrap();
    (
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// An EAP-TLS server for `pki` that trusts client certificates from `clients`.
fn eap_tls_server(
    pki: &Pki,
    clients: &Pki,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> AuthenticatorConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(clients.ca_der()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .unwrap();
    let cert = pki.server();
    let tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(cert.chain, cert.key)
        .unwrap();
    let mut config = AuthenticatorConfig::new(Arc::new(tls), USER, PASSWORD);
    config.method = MethodType::Tls;
    config
}

/// An EAP-TLS-only client (no password) for `pki`'s server, with `cert`.
fn eap_tls_client(
    pki: &Pki,
    cert: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    tls13: bool,
) -> Config {
    Config::builder(USER)
        .methods([MethodType::Tls])
        .client_certificate(cert.0, cert.1)
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME)
        .tls_max(if tls13 {
            TlsVersion::TLS13
        } else {
            TlsVersion::TLS12
        })
        .build()
        .unwrap()
}

const BOTH: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

#[test]
fn eap_tls_succeeds_with_the_same_keys_on_both_sides_tls12_and_tls13() {
    let pki = Pki::new("eap-tls");
    for tls13 in [false, true] {
        let client = eap_tls_client(&pki, client_cert(&pki, "alice"), tls13);
        let out = Pair::new(client, eap_tls_server(&pki, &pki, BOTH)).run();
        let keys = out
            .keys()
            .unwrap_or_else(|| panic!("tls13 {tls13}: {:?}", out.diagnosis()));
        let Some(ServerOutcome::Accept(server)) = &out.server else {
            panic!("server: {:?}", out.server);
        };
        assert_eq!(keys, server, "tls13 {tls13}");
        assert!(!keys.from_cryptobinding);
        assert_eq!(keys.session_id[0], 13, "EAP-TLS Type-Code first");
        assert_eq!(keys.session_id.len(), 65);
        let version = out.events.iter().find_map(|e| match e {
            Event::TunnelUp { version, .. } => Some(*version),
            _ => None,
        });
        let want = if tls13 {
            TlsVersion::TLS13
        } else {
            TlsVersion::TLS12
        };
        assert_eq!(version, Some(want));
        assert!(out.events.iter().any(|e| matches!(
            e,
            Event::MethodProposed {
                method: MethodType::Tls,
                accepted: true,
                ..
            }
        )));
    }
}

#[test]
fn a_server_proposing_peap_gets_a_nak_for_eap_tls() {
    let pki = Pki::new("eap-tls nak");
    let mut server = eap_tls_server(&pki, &pki, BOTH);
    server.knobs.propose_first = Some(MethodType::Peap);
    let out = Pair::new(
        eap_tls_client(&pki, client_cert(&pki, "alice"), true),
        server,
    )
    .run();
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::MethodProposed {
            method: MethodType::Peap,
            accepted: false,
            offered,
        } if offered == &[MethodType::Tls]
    )));
}

#[test]
fn the_server_refusing_our_certificate_is_named() {
    let pki = Pki::new("eap-tls refused");
    let other = Pki::new("not trusted by the server");
    for tls13 in [false, true] {
        let client = eap_tls_client(&pki, client_cert(&other, "mallory"), tls13);
        let out = Pair::new(client, eap_tls_server(&pki, &pki, BOTH)).run();
        let d = out.diagnosis().expect("refused");
        assert!(
            matches!(d.cause, Cause::ClientCertificateRejected { alert } if alert == 48 || alert == 42),
            "tls13 {tls13}: {d}"
        );
        assert!(
            d.to_string().contains("refused our client certificate"),
            "{d}"
        );
        assert_eq!(out.server, Some(ServerOutcome::Reject));
    }
}

#[test]
fn an_untrusted_server_gets_no_certificate_exchange() {
    let pki = Pki::new("eap-tls server");
    let rogue = Pki::new("rogue");
    let client = eap_tls_client(&pki, client_cert(&pki, "alice"), true);
    let out = Pair::new(client, eap_tls_server(&rogue, &pki, BOTH)).run();
    let d = out.diagnosis().expect("refused");
    assert_eq!(d.phase, Phase::ServerValidation);
    assert!(matches!(
        d.cause,
        Cause::CertificateRejected {
            problem: CertificateProblem::UnknownIssuer,
            ..
        }
    ));
}

#[test]
fn a_tls13_server_that_skips_its_commitment_is_refused() {
    let pki = Pki::new("eap-tls commitment");
    let mut server = eap_tls_server(&pki, &pki, &[&rustls::version::TLS13]);
    server.knobs.no_commitment = true;
    let out = Pair::new(
        eap_tls_client(&pki, client_cert(&pki, "alice"), true),
        server,
    )
    .run();
    let d = out.diagnosis().expect("refused");
    assert_eq!(
        d.cause,
        Cause::PrematureSuccess(PrematureSuccess::EapSuccessBeforeCommitment),
        "{d}"
    );
    assert!(out.keys().is_none());
}

#[test]
fn configuration_rules() {
    let pki = Pki::new("eap-tls config");
    let base = || {
        Config::builder(USER)
            .methods([MethodType::Tls])
            .ca_certificates([pki.ca_der()])
            .server_name(SERVER_NAME)
    };
    let missing = base().build().unwrap_err();
    assert!(
        matches!(missing, ConfigError::MissingClientCertificate),
        "{missing:?}"
    );
    // Another certificate's key: refused before anything is sent.
    let (chain, _) = client_cert(&pki, "alice");
    let (_, wrong_key) = client_cert(&pki, "bob");
    let e = base()
        .client_certificate(chain, wrong_key)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            &e,
            ConfigError::ClientCertificate { reason }
                if reason == "the private key does not belong to the certificate"
        ),
        "{e:?}"
    );
    // PEAP still needs a password; EAP-TLS alone does not.
    let (chain, key) = client_cert(&pki, "alice");
    let e = base()
        .methods([MethodType::Tls, MethodType::Peap])
        .client_certificate(chain, key)
        .build()
        .unwrap_err();
    assert!(matches!(e, ConfigError::MissingCredential), "{e:?}");
    let e = base().client_pem(b"not pem", b"").build().unwrap_err();
    assert!(matches!(e, ConfigError::ClientCertificate { .. }), "{e:?}");
}

#[test]
fn an_eap_success_before_the_handshake_ends_is_refused() {
    let pki = Pki::new("eap-tls early success");
    for (tls13, early) in [
        (false, eap::testing::EarlySuccess::InHandshake),
        (true, eap::testing::EarlySuccess::InHandshake),
        (true, eap::testing::EarlySuccess::AfterTunnel),
    ] {
        let mut server = eap_tls_server(&pki, &pki, BOTH);
        server.knobs.early_success = Some(early);
        let out = Pair::new(
            eap_tls_client(&pki, client_cert(&pki, "alice"), tls13),
            server,
        )
        .run();
        let d = out.diagnosis().expect("refused");
        let want = match early {
            eap::testing::EarlySuccess::AfterTunnel => PrematureSuccess::EapSuccessBeforeCommitment,
            _ => PrematureSuccess::EapSuccessInHandshake,
        };
        assert_eq!(
            d.cause,
            Cause::PrematureSuccess(want),
            "tls13 {tls13} {early:?}: {d}"
        );
        assert!(out.keys().is_none());
    }
}
