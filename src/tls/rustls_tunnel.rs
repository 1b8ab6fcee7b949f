//! The rustls-backed tunnel for hosts: a [`ClientConnection`] driven in memory, with
//! rustls's own exporter.

use super::clock::CertificateTime;
use super::errors::protocol;
use super::setup::ClientSetup;
use super::verify::{EapVerifier, Policy, ServerNameRule};
use super::{CertificateInfo, TlsConnector, TlsError, TlsErrorKind, TlsFailure, TlsOffer};
use super::{TlsTunnel, TlsVersion};
use crate::method_type::MethodType;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::crypto::CryptoProvider;
use rustls::{ClientConnection, KeyLog, RootCertStore, SupportedProtocolVersion};
use std::io::{Read, Write};

/// Makes rustls client connections that validate the server as configured.
///
/// SNI is off (RADIUS servers do not expect it). Sessions are not resumed unless
/// [`RustlsConnector::with_session_store`] gives a store (keyed by the server-name rule).
/// Certificate dates are checked against the system clock unless
/// [`RustlsConnector::with_certificate_time`] says otherwise.
#[derive(Debug)]
pub struct RustlsConnector {
    setup: ClientSetup,
}

impl RustlsConnector {
    /// A connector that validates the server: its chain must end at one of `roots` and one
    /// of its names satisfy `rule`. `versions` in preference order (e.g. `[&TLS12]`).
    pub fn new(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
        roots: RootCertStore,
        rule: ServerNameRule,
    ) -> Self {
        Self::from_setup(ClientSetup::new(
            provider,
            versions,
            Some(Policy { roots, rule }),
            CertificateTime::default(),
        ))
    }

    /// A connector that accepts **any** server certificate. Inner credentials still wait
    /// for the finished handshake, but anyone can finish it: an impostor gets the
    /// MSCHAPv2 exchange to attack offline. For labs only.
    pub fn danger_accept_any_server(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Self {
        Self::from_setup(ClientSetup::new(
            provider,
            versions,
            None,
            CertificateTime::default(),
        ))
    }

    /// A connector over a setup filled already (`ConfigBuilder::build`'s).
    pub(crate) fn from_setup(setup: ClientSetup) -> Self {
        RustlsConnector { setup }
    }

    /// Presents this certificate and key when the server asks for one (EAP-TLS). Built by
    /// [`crate::ConfigBuilder::client_certificate`], which checks that they match.
    pub fn with_client_certificate(mut self, key: Arc<rustls::sign::CertifiedKey>) -> Self {
        self.setup.set_client_certificate(key);
        self
    }

    /// Resumes TLS sessions from `store` (e.g. rustls's `ClientSessionMemoryCache`). All
    /// connections then share one verifier, so a certificate failure is described without
    /// the certificate's subject and issuer (see [`crate::tls`]).
    pub fn with_session_store(
        mut self,
        store: Arc<dyn rustls::client::ClientSessionStore>,
    ) -> Self {
        self.setup.resume_from(store);
        self
    }

    /// Logs TLS secrets (e.g. [`rustls::KeyLogFile`], NSS key log format) so captures of our
    /// sessions can be decrypted.
    pub fn with_key_log(mut self, key_log: Arc<dyn KeyLog>) -> Self {
        self.setup.key_log = Some(key_log);
        self
    }

    /// Checks certificate dates as `time` says (default: the system clock).
    pub fn with_certificate_time(mut self, time: CertificateTime) -> Self {
        self.setup.set_time(time);
        self
    }
}

impl TlsConnector for RustlsConnector {
    fn connect(&self, method: MethodType) -> Result<Box<dyn TlsTunnel>, TlsFailure> {
        let verifier = self.setup.verifier();
        let config = self.setup.config(verifier.clone(), None)?;
        let conn = ClientConnection::new(Arc::new(config), self.setup.cache_key(method))
            .map_err(protocol)?;
        Ok(Box::new(RustlsTunnel {
            conn,
            verifier,
            plaintext: Vec::new(),
        }))
    }

    fn offer(&self) -> TlsOffer {
        self.setup.offer()
    }

    fn validates_server(&self) -> bool {
        self.setup.policy.is_some()
    }
}

struct RustlsTunnel {
    conn: ClientConnection,
    verifier: Arc<EapVerifier>,
    plaintext: Vec<u8>,
}

fn local(what: &str) -> TlsFailure {
    TlsFailure::Protocol(TlsError::new(TlsErrorKind::Local, what))
}

impl RustlsTunnel {
    /// Moves the `n` octets of plaintext rustls holds into `plaintext`: sized from what
    /// rustls reports, so no probing reads (and nothing at all during the handshake).
    fn take_plaintext(&mut self, n: usize) -> Result<(), TlsFailure> {
        if n == 0 {
            return Ok(());
        }
        let start = self.plaintext.len();
        self.plaintext.resize(start + n, 0);
        self.conn
            .reader()
            .read_exact(&mut self.plaintext[start..])
            .map_err(|_| local("the TLS reader failed"))
    }
}

impl TlsTunnel for RustlsTunnel {
    fn receive(&mut self, mut data: &[u8]) -> Result<(), TlsFailure> {
        while !data.is_empty() {
            let n = self
                .conn
                .read_tls(&mut data)
                .map_err(|_| local("the TLS receive buffer is full"))?;
            let state = match self.conn.process_new_packets() {
                Ok(state) => state,
                Err(e) => return Err(self.verifier.failure(e)),
            };
            self.take_plaintext(state.plaintext_bytes_to_read())?;
            if n == 0 {
                break;
            }
        }
        Ok(())
    }

    fn take_outgoing(&mut self, out: &mut Vec<u8>) {
        while self.conn.wants_write() {
            match self.conn.write_tls(out) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    fn send_plaintext(&mut self, data: &[u8]) -> Result<(), TlsFailure> {
        self.conn
            .writer()
            .write_all(data)
            .map_err(|_| local("the TLS writer failed"))
    }

    fn read_plaintext(&mut self, out: &mut Vec<u8>) -> Result<(), TlsFailure> {
        // Plaintext only appears when records are processed, and `receive` took it then.
        // Handed over whole when `out` is empty (the usual case): no copy.
        if out.is_empty() {
            core::mem::swap(out, &mut self.plaintext);
        } else {
            out.append(&mut self.plaintext);
        }
        Ok(())
    }

    fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsFailure> {
        self.conn
            .export_keying_material(out, label, context)
            .map(|_| ())
            .map_err(protocol)
    }

    fn negotiated(&self) -> Option<(TlsVersion, u16)> {
        let v = self.conn.protocol_version()?;
        let s = self.conn.negotiated_cipher_suite()?;
        Some((TlsVersion(u16::from(v)), u16::from(s.suite())))
    }

    fn server_certificate(&self) -> Option<(CertificateInfo, bool)> {
        if self.conn.is_handshaking() {
            return None;
        }
        self.verifier.completed(self.conn.peer_certificates())
    }

    fn clockless_floor(&self) -> Option<i64> {
        self.verifier.clockless_floor()
    }

    fn resumed(&self) -> bool {
        !self.conn.is_handshaking()
            && self.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    fn key_exchange(&self) -> Option<u16> {
        self.conn
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name()))
    }
}
