//! [`TestPki`]: a certificate authority and a server certificate that ship with the crate,
//! so a test of your own loop needs no certificate generation and no rustls set-up.

use super::AuthenticatorConfig;
use crate::config::{Config, ConfigBuilder};
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::SupportedProtocolVersion;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A fixed test PKI (ECDSA P-256): the CA "eap test CA" and a server certificate for
/// [`TestPki::SERVER_NAME`], both valid from 2026 to 2126, with the server's private key.
/// The key is in the crate's sources, so anyone can impersonate this server: for tests only,
/// never in a configuration that reaches a network.
///
/// ```
/// use eap::testing::{Pair, TestPki};
///
/// let config = TestPki::client("alice@example.org", "password").build()?;
/// let server = TestPki::authenticator("alice@example.org", "password");
/// let outcome = Pair::new(config, server).run();
/// assert!(outcome.keys().is_some(), "{:?}", outcome.diagnosis());
/// # Ok::<(), eap::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TestPki;

impl TestPki {
    /// The CA certificate, PEM.
    pub const CA_PEM: &'static [u8] = include_bytes!("../../tests/data/ca.pem");
    /// The name in the server certificate (its subjectAltName and Common Name).
    pub const SERVER_NAME: &'static str = "radius.example.org";
    pub(crate) const SERVER_CHAIN_PEM: &'static [u8] =
        include_bytes!("../../tests/data/server.pem");
    pub(crate) const SERVER_KEY_PEM: &'static [u8] = include_bytes!("../../tests/data/server.key");

    /// A configuration for `identity` with `password` that trusts the test CA and checks
    /// [`TestPki::SERVER_NAME`]; go on with the builder (methods, limits, ...) and `build()`.
    pub fn client(identity: impl Into<alloc::string::String>, password: &str) -> ConfigBuilder {
        Config::builder(identity)
            .password(password)
            .ca_pem(Self::CA_PEM)
            .expect("the test CA is a valid PEM certificate")
            .server_name(Self::SERVER_NAME)
    }

    /// A well-behaved PEAP authenticator (TLS 1.2 and 1.3) serving the test server
    /// certificate, with one user; adjust its fields (method, knobs, ...) as needed.
    pub fn authenticator(user: &str, password: &str) -> AuthenticatorConfig {
        Self::authenticator_with_versions(user, password, rustls::DEFAULT_VERSIONS)
    }

    /// As [`TestPki::authenticator`], offering only `versions` (e.g.
    /// `&[&rustls::version::TLS12]`).
    pub fn authenticator_with_versions(
        user: &str,
        password: &str,
        versions: &[&'static SupportedProtocolVersion],
    ) -> AuthenticatorConfig {
        AuthenticatorConfig::new(Arc::new(Self::server_tls(versions)), user, password)
    }

    // ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
    // that); it stays the default and the firmware provider.
    #[allow(deprecated)]
    fn server_tls(versions: &[&'static SupportedProtocolVersion]) -> rustls::ServerConfig {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(Self::SERVER_CHAIN_PEM)
                .collect::<Result<_, _>>()
                .expect("the test server certificate is valid PEM");
        let key = PrivateKeyDer::from_pem_slice(Self::SERVER_KEY_PEM)
            .expect("the test server key is valid PEM");
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_protocol_versions(versions)
        .expect("the ring provider supports TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the test certificate matches its key")
    }
}
