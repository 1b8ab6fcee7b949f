//! The server-name check reads the certificate's names strictly (issue 30, a security fix):
//! a subjectAltName that a DER reader cannot parse is refused as malformed, never read past
//! or reinterpreted, so neither a name hidden inside another GeneralName nor a Common Name
//! standing in for a skipped dNSName can satisfy the configured rule. Each certificate is
//! signed by the configured CA and served by the in-process authenticator; the supplicant
//! must refuse it before any inner credential leaves.

mod common;

use common::san::{der, good_san, hidden_name_san, skipped_name_san};

use common::*;
use eap::diagnosis::{Cause, Phase};
use eap::testing::{AuthenticatorConfig, PairOutcome};
use eap::tls::{CertificateProblem, ServerNameRule};
use rcgen::{CertificateParams, CustomExtension, DnType, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A server certificate signed by `pki` with subject CN `cn` and exactly `san` as its
/// subjectAltName extension's value (none if `None`).
fn server_with_san(pki: &Pki, cn: &str, san: Option<Vec<u8>>) -> ServerCert {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    if let Some(san) = san {
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(&[2, 5, 29, 17], san));
    }
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &pki.ca).unwrap();
    ServerCert {
        chain: vec![cert.der().clone(), pki.ca_der()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

fn run_with(pki: &Pki, cert: &ServerCert, rule: &ServerNameRule) -> PairOutcome {
    let client = eap::Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .password(PASSWORD)
        .ca_certificates([pki.ca_der()]);
    let client = match rule {
        ServerNameRule::Exact(n) => client.server_name(n.as_str()),
        ServerNameRule::DomainSuffix(s) => client.domain_suffix(s.as_str()),
        other => panic!("{other:?}"),
    };
    run(
        client,
        AuthenticatorConfig::new(server_tls(cert), USER, PASSWORD),
    )
}

/// Refused in server validation as a malformed subjectAltName, and said so.
fn assert_refused_as_malformed(what: &str, out: &PairOutcome) {
    assert!(out.keys().is_none(), "{what}: authenticated");
    assert!(
        !out.transmitted.iter().any(|p| carries_phase2_data(p)),
        "{what}: application data sent to a server whose name was not validated"
    );
    let d = out
        .diagnosis()
        .unwrap_or_else(|| panic!("{what}: no diagnosis"));
    assert_eq!(d.phase, Phase::ServerValidation, "{what}: {d}");
    assert!(
        matches!(
            d.cause,
            Cause::CertificateRejected {
                problem: CertificateProblem::MalformedSubjectAltName,
                ..
            }
        ),
        "{what}: {:?}",
        d.cause
    );
    let text = d.to_string();
    assert!(text.contains("malformed subjectAltName"), "{what}: {text}");
    assert!(!d.hint().is_empty());
}

fn exact(n: &str) -> ServerNameRule {
    ServerNameRule::Exact(n.into())
}

fn suffix(n: &str) -> ServerNameRule {
    ServerNameRule::DomainSuffix(n.into())
}

#[test]
fn a_name_hidden_inside_a_high_tag_general_name_is_not_accepted() {
    let pki = Pki::new("hidden");
    let cert = server_with_san(&pki, "decoy.attacker.test", Some(hidden_name_san()));
    // The hidden name (the attack), the name a correct parser shows before the bad
    // element, and a suffix of the hidden one: the certificate is refused whole.
    for rule in [
        exact("hidden.example.net"),
        exact("decoy.attacker.test"),
        suffix("example.net"),
    ] {
        assert_refused_as_malformed(&format!("{rule:?}"), &run_with(&pki, &cert, &rule));
    }
}

#[test]
fn a_real_name_swallowed_by_a_bad_element_does_not_let_the_common_name_stand_in() {
    let pki = Pki::new("skipped");
    let cert = server_with_san(&pki, "cn-only.example.net", Some(skipped_name_san()));
    for rule in [
        exact("cn-only.example.net"),
        exact("ok.example.org"),
        exact("h.example.org"),
        suffix("example.net"),
    ] {
        assert_refused_as_malformed(&format!("{rule:?}"), &run_with(&pki, &cert, &rule));
    }
}

/// Controls: the same names well formed are read as any DER parser reads them, and the
/// Common Name stands in only when the certificate has no dNSName at all.
#[test]
fn well_formed_names_and_the_common_name_rule() {
    let pki = Pki::new("control");
    let cert = server_with_san(
        &pki,
        "cn-only.example.net",
        Some(good_san(&["decoy.attacker.test", "ok.example.org"])),
    );
    for rule in [
        exact("ok.example.org"),
        exact("decoy.attacker.test"),
        suffix("example.org"),
    ] {
        let out = run_with(&pki, &cert, &rule);
        assert!(out.keys().is_some(), "{rule:?}: {:?}", out.diagnosis());
    }
    // A dNSName is present: the Common Name is not a name of this server (RFC 6125 §6.4.4).
    let out = run_with(&pki, &cert, &exact("cn-only.example.net"));
    let d = out.diagnosis().expect("refused");
    assert!(
        matches!(
            &d.cause,
            Cause::CertificateRejected {
                problem: CertificateProblem::NameMismatch { .. },
                certificate: Some(c),
            } if c.dns_names == ["decoy.attacker.test", "ok.example.org"]
        ),
        "{:?}",
        d.cause
    );
    // Only an iPAddress in the SAN (no dNSName): the Common Name stands in.
    let ip_only = der(&[0x30], &der(&[0x87], &[192, 0, 2, 1]));
    let cert = server_with_san(&pki, "cn-only.example.net", Some(ip_only));
    let out = run_with(&pki, &cert, &exact("cn-only.example.net"));
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    // No SAN at all: the Common Name stands in.
    let cert = server_with_san(&pki, "cn-only.example.net", None);
    let out = run_with(&pki, &cert, &exact("cn-only.example.net"));
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
}

/// The two references the report compared with: webpki's own subject-name check answers
/// BadDer for the hidden name (it refuses a GeneralName of no RFC 5280 kind, as we do);
/// x509-parser, more lenient, skips the [31] element by its real length and lists the
/// names a correct reading gives, never the one hidden inside it. We refuse where webpki
/// does: a deliberate difference from x509-parser.
#[test]
fn the_reference_parsers_agree() {
    let pki = Pki::new("refs");
    let hidden = server_with_san(&pki, "decoy.attacker.test", Some(hidden_name_san()));
    let skipped = server_with_san(&pki, "cn-only.example.net", Some(skipped_name_san()));
    let leaf = |c: &ServerCert| -> CertificateDer<'static> { c.chain[0].clone() };

    let der = leaf(&hidden);
    let ee = webpki::EndEntityCert::try_from(&der).unwrap();
    let name = rustls::pki_types::ServerName::try_from("hidden.example.net").unwrap();
    assert_eq!(
        ee.verify_is_valid_for_subject_name(&name),
        Err(webpki::Error::BadDer)
    );

    for (cert, real) in [
        (&hidden, "decoy.attacker.test"),
        (&skipped, "ok.example.org"),
    ] {
        let der = leaf(cert);
        let (_, parsed) = x509_parser::parse_x509_certificate(&der).unwrap();
        let san = parsed.subject_alternative_name().unwrap().unwrap();
        let dns: Vec<&str> = san
            .value
            .general_names
            .iter()
            .filter_map(|g| match g {
                x509_parser::extensions::GeneralName::DNSName(n) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(dns, [real]);
    }
}
