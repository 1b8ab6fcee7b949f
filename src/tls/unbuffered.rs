//! The no_std tunnel: rustls's `UnbufferedClientConnection` (feature `unbuffered`).

use super::clock::CertificateTime;
use super::driver::Driver;
use super::errors::protocol;
use super::keylog::SecretLog;
use super::setup::ClientSetup;
use super::verify::{EapVerifier, Policy, ServerNameRule};
use super::{CertificateInfo, TlsConnector, TlsFailure, TlsOffer, TlsTunnel, TlsVersion};
use crate::method_type::MethodType;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::client::{ClientSessionStore, UnbufferedClientConnection};
use rustls::crypto::CryptoProvider;
use rustls::{KeyLog, RootCertStore, SupportedProtocolVersion};

/// Makes rustls unbuffered client connections, which run without std: for firmware.
///
/// It validates the server like [`RustlsConnector`](crate::tls::RustlsConnector) (chain to
/// the CAs, then the name rule), with the certificate dates checked as the
/// [`CertificateTime`] policy says. Key material is exported from a per-connection key log
/// (see the [module docs](crate::tls)). Session resumption is off unless a
/// [`ClientSessionStore`] is given (all connections then share one verifier, so a
/// certificate failure is described without the certificate's subject and issuer).
///
/// You rarely make one: without std (feature `unbuffered`), `ConfigBuilder::build` makes it
/// from the configuration (CAs, name rule, versions, time policy, client certificate, key
/// log, session store). What it needs from you is the rustls crypto provider, given with
/// `ConfigBuilder::crypto_provider`: without std this crate picks none (the build fails with
/// `ConfigError::NoProvider`), so the firmware adds rustls with a provider to its own
/// dependencies, e.g. `rustls = { version = "0.23", default-features = false, features =
/// ["ring", "tls12"] }` (as `nostd-check/` does), and passes
/// `Arc::new(rustls::crypto::ring::default_provider())` with a `secure_random` on the
/// device's entropy source. Make one yourself only to hand it to
/// `ConfigBuilder::tls_connector`.
///
/// rustls needs atomic pointers (its `Arc`): targets such as `thumbv7em-none-eabihf` and
/// `riscv32imac` have them; `thumbv6m-none-eabi` and `riscv32imc-unknown-none-elf` do not.
#[derive(Debug)]
pub struct UnbufferedConnector {
    setup: ClientSetup,
}

impl UnbufferedConnector {
    /// A connector that validates the server: its chain must end at one of `roots` and one
    /// of its names satisfy `rule`; dates are checked as `time` says.
    pub fn new(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
        roots: RootCertStore,
        rule: ServerNameRule,
        time: CertificateTime,
    ) -> Self {
        Self::from_setup(ClientSetup::new(
            provider,
            versions,
            Some(Policy { roots, rule }),
            time,
        ))
    }

    /// A connector that accepts **any** server certificate. For labs only: an impostor
    /// finishes the handshake and gets the inner exchange to attack offline.
    pub fn danger_accept_any_server(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
        time: CertificateTime,
    ) -> Self {
        Self::from_setup(ClientSetup::new(provider, versions, None, time))
    }

    /// A connector over a setup filled already (`ConfigBuilder::build`'s).
    pub(crate) fn from_setup(setup: ClientSetup) -> Self {
        UnbufferedConnector { setup }
    }

    /// Also gives the TLS secrets to `key_log` (NSS key log lines).
    pub fn with_key_log(mut self, key_log: Arc<dyn KeyLog>) -> Self {
        self.setup.key_log = Some(key_log);
        self
    }

    /// Presents this certificate and key when the server asks for one (EAP-TLS). Built by
    /// [`crate::ConfigBuilder::client_certificate`], which checks that they match.
    pub fn with_client_certificate(mut self, key: Arc<rustls::sign::CertifiedKey>) -> Self {
        self.setup.set_client_certificate(key);
        self
    }

    /// Resumes TLS sessions from `store` (keyed by the server-name rule).
    pub fn with_session_store(mut self, store: Arc<dyn ClientSessionStore>) -> Self {
        self.setup.resume_from(store);
        self
    }
}

impl TlsConnector for UnbufferedConnector {
    fn connect(&self, method: MethodType) -> Result<Box<dyn TlsTunnel>, TlsFailure> {
        let verifier = self.setup.verifier();
        let secrets = Arc::new(SecretLog::new(self.setup.key_log.clone()));
        let conn = self.connection(verifier.clone(), secrets.clone(), method)?;
        let driver = Driver::new(conn, secrets).map_err(protocol)?;
        Ok(Box::new(UnbufferedTunnel { driver, verifier }))
    }

    fn offer(&self) -> TlsOffer {
        self.setup.offer()
    }

    fn validates_server(&self) -> bool {
        self.setup.policy.is_some()
    }
}

impl UnbufferedConnector {
    /// A new connection (its ClientHello made), boxed at once. Not inlined, nor is
    /// [`UnbufferedConnector::client_config`]: the config and the connection are large
    /// values, and their temporaries would otherwise stay in `connect`'s frame while the
    /// driver runs rustls below it.
    #[inline(never)]
    fn connection(
        &self,
        verifier: Arc<EapVerifier>,
        secrets: Arc<SecretLog>,
        method: MethodType,
    ) -> Result<Box<UnbufferedClientConnection>, TlsFailure> {
        let config = self.client_config(verifier, secrets)?;
        let conn = UnbufferedClientConnection::new(config, self.setup.cache_key(method))
            .map_err(protocol)?;
        Ok(Box::new(conn))
    }

    #[inline(never)]
    fn client_config(
        &self,
        verifier: Arc<EapVerifier>,
        secrets: Arc<SecretLog>,
    ) -> Result<Arc<rustls::ClientConfig>, TlsFailure> {
        Ok(Arc::new(self.setup.config(verifier, Some(secrets))?))
    }
}

struct UnbufferedTunnel {
    driver: Driver<UnbufferedClientConnection>,
    verifier: Arc<EapVerifier>,
}

impl TlsTunnel for UnbufferedTunnel {
    fn receive(&mut self, data: &[u8]) -> Result<(), TlsFailure> {
        self.driver
            .receive(data)
            .map_err(|e| self.verifier.failure(e))
    }

    fn take_outgoing(&mut self, out: &mut Vec<u8>) {
        self.driver.take_outgoing(out);
    }

    fn is_handshaking(&self) -> bool {
        self.driver.is_handshaking()
    }

    fn send_plaintext(&mut self, data: &[u8]) -> Result<(), TlsFailure> {
        if self.driver.is_handshaking() {
            return Err(protocol(rustls::Error::HandshakeNotComplete));
        }
        self.driver
            .send_plaintext(data)
            .map_err(|e| self.verifier.failure(e))
    }

    fn read_plaintext(&mut self, out: &mut Vec<u8>) -> Result<(), TlsFailure> {
        self.driver.read_plaintext(out);
        Ok(())
    }

    fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsFailure> {
        self.driver.export(label, context, out)
    }

    fn negotiated(&self) -> Option<(TlsVersion, u16)> {
        self.driver.negotiated()
    }

    fn server_certificate(&self) -> Option<(CertificateInfo, bool)> {
        if self.driver.is_handshaking() {
            return None;
        }
        self.verifier.completed(self.driver.peer_certificates())
    }

    fn clockless_floor(&self) -> Option<i64> {
        self.verifier.clockless_floor()
    }

    fn resumed(&self) -> bool {
        self.driver.resumed()
    }

    fn key_exchange(&self) -> Option<u16> {
        self.driver.key_exchange()
    }
}
