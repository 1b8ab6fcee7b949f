//! The TLS tunnel behind a small trait, so the core does not depend on one TLS library's
//! connection type.
//!
//! The core hands the tunnel whole TLS messages reassembled from EAP-TLS fragments and
//! takes back the bytes to send; once the handshake is done it moves inner EAP packets
//! through it as application data and exports key material. Hosts get the rustls-backed
//! [`RustlsConnector`] (feature `std`); firmware may implement [`TlsConnector`] over
//! another stack (rustls 0.23's no_std connection has no exporter yet).
//!
//! Whatever the implementation, the contract the core relies on for its security promise:
//! **the handshake only completes after the server certificate was validated** (or the caller
//! chose the explicit opt-out), and a completed handshake is the only thing that lets inner
//! credentials out.

use crate::diagnosis::{CertificateInfo, CertificateProblem};
use alloc::boxed::Box;
use alloc::vec::Vec;

#[cfg(feature = "std")]
pub(crate) mod cert_info;
#[cfg(feature = "std")]
mod rustls_tunnel;
#[cfg(feature = "std")]
mod verify;

#[cfg(feature = "std")]
pub use rustls_tunnel::RustlsConnector;
#[cfg(feature = "std")]
pub use verify::ServerNameRule;

/// A protocol version, as its wire value (0x0303 TLS 1.2, 0x0304 TLS 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TlsVersion(pub u16);

impl TlsVersion {
    /// TLS 1.2.
    pub const TLS12: TlsVersion = TlsVersion(0x0303);
    /// TLS 1.3.
    pub const TLS13: TlsVersion = TlsVersion(0x0304);
}

impl core::fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            0x0301 => f.write_str("TLS 1.0"),
            0x0302 => f.write_str("TLS 1.1"),
            0x0303 => f.write_str("TLS 1.2"),
            0x0304 => f.write_str("TLS 1.3"),
            v => write!(f, "TLS version {v:#06x}"),
        }
    }
}

/// What the client offers in its ClientHello, for diagnoses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsOffer {
    /// Protocol versions, highest first.
    pub versions: Vec<TlsVersion>,
    /// Cipher suites (IANA values) in preference order.
    pub cipher_suites: Vec<u16>,
}

/// Why the tunnel failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server sent a fatal alert (its AlertDescription).
    AlertReceived(u8),
    /// The server certificate was rejected.
    Certificate {
        /// Why.
        problem: CertificateProblem,
        /// The leaf certificate, when it could be read.
        certificate: Option<CertificateInfo>,
    },
    /// The server chose something we did not offer, or the handshake broke a rule
    /// (as the TLS library reported it).
    Protocol(rustls::Error),
}

/// One TLS client connection, driven in memory.
pub trait TlsTunnel: Send {
    /// Feeds TLS bytes from the server (a whole EAP-TLS message, or any part of one).
    fn receive(&mut self, data: &[u8]) -> Result<(), TlsFailure>;
    /// Appends the TLS bytes waiting to be sent (records, alerts) to `out`.
    fn take_outgoing(&mut self, out: &mut Vec<u8>);
    /// True until the handshake has completed.
    fn is_handshaking(&self) -> bool;
    /// Encrypts `data` as application data (queued for [`TlsTunnel::take_outgoing`]).
    /// Only valid after the handshake.
    fn send_plaintext(&mut self, data: &[u8]) -> Result<(), TlsFailure>;
    /// Appends the application data received so far to `out`.
    fn read_plaintext(&mut self, out: &mut Vec<u8>) -> Result<(), TlsFailure>;
    /// RFC 5705 / RFC 8446 §7.5 exporter: fills `out`. `context` `None` is "no context"
    /// (what TLS 1.2 PEAP uses), distinct from an empty one.
    fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsFailure>;
    /// The negotiated version and cipher suite, once known.
    fn negotiated(&self) -> Option<(TlsVersion, u16)>;
    /// The server's leaf certificate as seen by the verifier, and whether it was validated
    /// (false only under the explicit opt-out).
    fn server_certificate(&self) -> Option<(CertificateInfo, bool)>;
}

/// Makes a [`TlsTunnel`] per authentication.
pub trait TlsConnector: Send + Sync {
    /// Starts a new client connection (nothing is sent until the first `take_outgoing`).
    fn connect(&self) -> Result<Box<dyn TlsTunnel>, TlsFailure>;
    /// What the ClientHello offers.
    fn offer(&self) -> TlsOffer;
    /// True if this connector validates the server certificate; false only for the explicit
    /// opt-out.
    fn validates_server(&self) -> bool;
}
