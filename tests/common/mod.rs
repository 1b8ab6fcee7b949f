//! Test PKI and configurations shared by the integration tests.
#![allow(dead_code)]

pub mod san;

use eap::ConfigBuilder;
use eap::testing::{AuthenticatorConfig, Pair, PairOutcome};
use eap::{Config, Event};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

pub const SERVER_NAME: &str = "radius.example.org";
pub const USER: &str = "alice@example.org";
pub const PASSWORD: &str = "correct horse";

/// A test certificate authority.
pub struct Pki {
    pub ca: CertifiedIssuer<'static, KeyPair>,
}

/// A server's chain and key.
pub struct ServerCert {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Pki {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} CA"));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Pki { ca }
    }

    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// A server certificate for `names`, valid from `years_from_now.0` to `.1` years from now.
    pub fn server_with(&self, names: &[&str], validity: (i32, i32)) -> ServerCert {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).unwrap();
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let year = 2026;
        params.not_before = rcgen::date_time_ymd(year + validity.0, 1, 1);
        params.not_after = rcgen::date_time_ymd(year + validity.1, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        ServerCert {
            chain: vec![cert.der().clone(), self.ca_der()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    pub fn server(&self) -> ServerCert {
        self.server_with(&[SERVER_NAME], (-1, 10))
    }
}

// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A rustls server config for `cert`, TLS 1.2 and 1.3.
pub fn server_tls(cert: &ServerCert) -> Arc<rustls::ServerConfig> {
    server_tls_with(
        cert,
        provider(),
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    )
}

pub fn server_tls_with(
    cert: &ServerCert,
    provider: Arc<rustls::crypto::CryptoProvider>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ServerConfig> {
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(cert.chain.clone(), cert.key.clone_key())
            .unwrap(),
    )
}

/// A client that trusts `pki` and expects SERVER_NAME.
pub fn client(pki: &Pki) -> ConfigBuilder {
    Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .password(PASSWORD)
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME)
}

/// A well-behaved server for `pki` knowing USER / PASSWORD.
pub fn server(pki: &Pki) -> AuthenticatorConfig {
    AuthenticatorConfig::new(server_tls(&pki.server()), USER, PASSWORD)
}

pub fn run(client: ConfigBuilder, server: AuthenticatorConfig) -> PairOutcome {
    Pair::new(client.build().unwrap(), server).run()
}

/// The names of the events, for asserting on the sequence.
pub fn event_names(events: &[Event]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e {
            Event::IdentitySent { .. } => "IdentitySent",
            Event::Notification { .. } => "Notification",
            Event::MethodProposed { accepted: true, .. } => "MethodAccepted",
            Event::MethodProposed {
                accepted: false, ..
            } => "MethodNaked",
            Event::PeapStarted { .. } => "PeapStarted",
            Event::ServerCertificate {
                validated: true, ..
            } => "CertificateValidated",
            Event::ServerCertificate {
                validated: false, ..
            } => "CertificateNotValidated",
            Event::TunnelUp { .. } => "TunnelUp",
            Event::InnerMethodProposed { accepted: true, .. } => "InnerAccepted",
            Event::InnerMethodProposed {
                accepted: false, ..
            } => "InnerRefused",
            Event::InnerMethodSucceeded { .. } => "InnerSucceeded",
            Event::CryptoBindingVerified => "CryptoBindingVerified",
            Event::Authenticated(_) => "Authenticated",
            Event::Failed(_) => "Failed",
            _ => "Other",
        })
        .collect()
}

/// True if `packet` is a PEAP message whose TLS data starts with an application_data
/// record (content type 23): phase 2, which must never reach an unvalidated server.
pub fn carries_phase2_data(packet: &[u8]) -> bool {
    use eap::MethodType;
    use eap::unstable::wire::eap::Eap;
    use eap::unstable::wire::tls_frame::TlsFrame;
    match Eap::parse(packet).ok().and_then(|e| e.method()) {
        Some((MethodType::Peap, data)) => {
            TlsFrame::parse(data).is_ok_and(|f| f.data.first() == Some(&23))
        }
        _ => false,
    }
}
