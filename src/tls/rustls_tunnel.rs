//! The rustls-backed tunnel: a [`ClientConnection`] driven in memory.

use super::verify::{EapVerifier, ServerNameRule, Verdict};
use super::{TlsConnector, TlsFailure, TlsOffer, TlsTunnel, TlsVersion};
use crate::diagnosis::{CertificateInfo, CertificateProblem};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::client::{ClientSessionStore, Resumption};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, KeyLog, RootCertStore, SupportedProtocolVersion};
use std::io::{ErrorKind, Read, Write};
use std::sync::Mutex;

/// Makes rustls client connections that validate the server as configured.
///
/// SNI is off (RADIUS servers do not expect it); session tickets and IDs are cached in
/// memory keyed by the server-name rule, so a reconnect to the same network can resume.
pub struct RustlsConnector {
    provider: Arc<CryptoProvider>,
    versions: Vec<&'static SupportedProtocolVersion>,
    policy: Option<(Arc<RootCertStore>, ServerNameRule)>,
    server_name: ServerName<'static>,
    sessions: Arc<dyn ClientSessionStore>,
    key_log: Option<Arc<dyn KeyLog>>,
}

impl core::fmt::Debug for RustlsConnector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RustlsConnector")
            .field("versions", &self.versions)
            .field("rule", &self.policy.as_ref().map(|(_, r)| r))
            .finish_non_exhaustive()
    }
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
        let name = ServerName::try_from(alloc::string::String::from(rule.cache_name()))
            .unwrap_or_else(|_| ServerName::try_from("eap.invalid").expect("valid literal"));
        Self::build(provider, versions, Some((Arc::new(roots), rule)), name)
    }

    /// A connector that accepts **any** server certificate. Inner credentials still wait
    /// for the finished handshake, but anyone can finish it: an impostor gets the
    /// MSCHAPv2 exchange to attack offline. For labs only.
    pub fn danger_accept_any_server(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Self {
        let name = ServerName::try_from("unvalidated.invalid").expect("valid literal");
        Self::build(provider, versions, None, name)
    }

    fn build(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
        policy: Option<(Arc<RootCertStore>, ServerNameRule)>,
        server_name: ServerName<'static>,
    ) -> Self {
        RustlsConnector {
            provider,
            versions: versions.to_vec(),
            policy,
            server_name,
            sessions: Arc::new(rustls::client::ClientSessionMemoryCache::new(16)),
            key_log: None,
        }
    }

    /// Logs TLS secrets (e.g. [`rustls::KeyLogFile`], NSS key log format) so captures of our
    /// sessions can be decrypted.
    pub fn with_key_log(mut self, key_log: Arc<dyn KeyLog>) -> Self {
        self.key_log = Some(key_log);
        self
    }

    fn client_config(&self, verdict: Arc<Mutex<Verdict>>) -> Result<ClientConfig, TlsFailure> {
        let verifier = EapVerifier {
            policy: self.policy.clone(),
            provider: self.provider.clone(),
            verdict,
        };
        let mut config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&self.versions)
            .map_err(TlsFailure::Protocol)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.enable_sni = false;
        config.resumption = Resumption::store(self.sessions.clone());
        if let Some(k) = &self.key_log {
            config.key_log = k.clone();
        }
        Ok(config)
    }
}

impl TlsConnector for RustlsConnector {
    fn connect(&self) -> Result<Box<dyn TlsTunnel>, TlsFailure> {
        let verdict = Arc::new(Mutex::new(Verdict::default()));
        let config = self.client_config(verdict.clone())?;
        let conn = ClientConnection::new(Arc::new(config), self.server_name.clone())
            .map_err(TlsFailure::Protocol)?;
        Ok(Box::new(RustlsTunnel {
            conn,
            verdict,
            plaintext: Vec::new(),
        }))
    }

    fn offer(&self) -> TlsOffer {
        let mut versions: Vec<TlsVersion> = self
            .versions
            .iter()
            .map(|v| TlsVersion(u16::from(v.version)))
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        let cipher_suites = self
            .provider
            .cipher_suites
            .iter()
            .filter(|s| self.versions.iter().any(|v| s.version() == *v))
            .map(|s| u16::from(s.suite()))
            .collect();
        TlsOffer {
            versions,
            cipher_suites,
        }
    }

    fn validates_server(&self) -> bool {
        self.policy.is_some()
    }
}

struct RustlsTunnel {
    conn: ClientConnection,
    verdict: Arc<Mutex<Verdict>>,
    plaintext: Vec<u8>,
}

impl RustlsTunnel {
    fn verdict(&self) -> Verdict {
        self.verdict
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn failure(&self, e: rustls::Error) -> TlsFailure {
        match e {
            rustls::Error::AlertReceived(a) => TlsFailure::AlertReceived(u8::from(a)),
            rustls::Error::InvalidCertificate(ref ce) => {
                let v = self.verdict();
                let problem = v
                    .problem
                    .unwrap_or_else(|| CertificateProblem::Other(ce.clone()));
                TlsFailure::Certificate {
                    problem,
                    certificate: v.certificate,
                }
            }
            other => TlsFailure::Protocol(other),
        }
    }

    fn drain_plaintext(&mut self) -> Result<(), TlsFailure> {
        let mut buf = [0u8; 2048];
        loop {
            match self.conn.reader().read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => self.plaintext.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(_) => {
                    return Err(TlsFailure::Protocol(rustls::Error::General(
                        "tls reader".into(),
                    )));
                }
            }
        }
    }
}

impl TlsTunnel for RustlsTunnel {
    fn receive(&mut self, mut data: &[u8]) -> Result<(), TlsFailure> {
        while !data.is_empty() {
            let n = self
                .conn
                .read_tls(&mut data)
                .map_err(|_| TlsFailure::Protocol(rustls::Error::General("tls buffer".into())))?;
            if let Err(e) = self.conn.process_new_packets() {
                return Err(self.failure(e));
            }
            self.drain_plaintext()?;
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
            .map_err(|_| TlsFailure::Protocol(rustls::Error::General("tls writer".into())))
    }

    fn read_plaintext(&mut self, out: &mut Vec<u8>) -> Result<(), TlsFailure> {
        self.drain_plaintext()?;
        out.append(&mut self.plaintext);
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
            .map_err(TlsFailure::Protocol)
    }

    fn negotiated(&self) -> Option<(TlsVersion, u16)> {
        let v = self.conn.protocol_version()?;
        let s = self.conn.negotiated_cipher_suite()?;
        Some((TlsVersion(u16::from(v)), u16::from(s.suite())))
    }

    fn server_certificate(&self) -> Option<(CertificateInfo, bool)> {
        let v = self.verdict();
        v.certificate.map(|c| (c, v.validated))
    }
}
