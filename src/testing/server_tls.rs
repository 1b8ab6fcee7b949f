//! The authenticator's TLS: rustls's `UnbufferedServerConnection` on the crate's driver,
//! so the authenticator runs without std (the no_std check uses it), with keys exported
//! the same way as the no_std client tunnel (its own key log), and rustls's exporter
//! still checking both on hosts through the std client.

use crate::tls::driver::Driver;
use crate::tls::keylog::SecretLog;
use crate::tls::{TlsFailure, TlsVersion};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::server::UnbufferedServerConnection;

/// One server connection.
pub(crate) struct ServerTls {
    driver: Driver<UnbufferedServerConnection>,
}

impl ServerTls {
    /// A connection with `config`, whose key log (if any) still gets every line.
    pub(crate) fn new(config: &Arc<rustls::ServerConfig>) -> Result<Self, rustls::Error> {
        let mut config = rustls::ServerConfig::clone(config);
        let secrets = Arc::new(SecretLog::new(Some(config.key_log.clone())));
        config.key_log = secrets.clone();
        let conn = UnbufferedServerConnection::new(Arc::new(config))?;
        Ok(ServerTls {
            driver: Driver::new(Box::new(conn), secrets)?,
        })
    }

    /// Feeds the client's TLS bytes.
    pub(crate) fn receive(&mut self, data: &[u8]) -> Result<(), rustls::Error> {
        self.driver.receive(data)
    }

    /// Moves what is to be sent into `out`.
    pub(crate) fn take_outgoing(&mut self, out: &mut Vec<u8>) {
        self.driver.take_outgoing(out);
    }

    /// True until the handshake has completed.
    pub(crate) fn is_handshaking(&self) -> bool {
        self.driver.is_handshaking()
    }

    /// Encrypts `data`.
    pub(crate) fn send_plaintext(&mut self, data: &[u8]) -> Result<(), rustls::Error> {
        self.driver.send_plaintext(data)
    }

    /// Moves the decrypted application data into `out`.
    pub(crate) fn read_plaintext(&mut self, out: &mut Vec<u8>) {
        self.driver.read_plaintext(out);
    }

    /// The negotiated version.
    /// True once a completed handshake resumed an earlier session.
    pub(crate) fn resumed(&self) -> bool {
        self.driver.resumed()
    }

    /// The negotiated cipher suite.
    pub(crate) fn suite(&self) -> Option<u16> {
        self.driver.negotiated().map(|(_, s)| s)
    }

    pub(crate) fn version(&self) -> Option<TlsVersion> {
        self.driver.negotiated().map(|(v, _)| v)
    }

    /// The EAP Session-Id (RFC 5216 §2.3 for TLS 1.2, RFC 9427 §2.1 for TLS 1.3); empty
    /// before the handshake is done.
    pub(crate) fn session_id(&self, type_code: u8) -> Vec<u8> {
        self.driver.session_id(type_code).unwrap_or_default()
    }

    /// The keys of a TLS method without an inner one (EAP-TLS: RFC 5216 §2.3, RFC 9190
    /// §2.3), `type_code` being the exporter context and the Session-Id's first octet.
    pub(crate) fn keys(&self, type_code: u8) -> crate::event::Keys {
        use crate::crypto::tls_keys::{KeyMaterial, TLS12_KEY_LABEL, TLS13_KEY_LABEL};
        let mut km = [0u8; 128];
        let _ = if self.version() == Some(TlsVersion::TLS13) {
            self.export(TLS13_KEY_LABEL, Some(&[type_code]), &mut km)
        } else {
            self.export(TLS12_KEY_LABEL, None, &mut km)
        };
        let km = KeyMaterial(crate::secret::Secret::new(km));
        crate::event::Keys {
            msk: km.msk(),
            emsk: km.emsk(),
            session_id: self.session_id(type_code),
            from_cryptobinding: false,
        }
    }

    /// The exporter.
    pub(crate) fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsFailure> {
        self.driver.export(label, context, out)
    }
}
