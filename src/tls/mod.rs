//! The TLS tunnel behind a small trait, so the core does not depend on one TLS library's
//! connection type.
//!
//! The core hands the tunnel whole TLS messages reassembled from EAP-TLS fragments and
//! takes back the bytes to send; once the handshake is done it moves inner EAP packets
//! through it as application data and exports key material. Two implementations come with
//! the crate, both on rustls:
//!
//! - [`RustlsConnector`] (feature `std`): rustls's buffered `ClientConnection`, with the
//!   exporter of rustls itself;
//! - [`UnbufferedConnector`] (feature `unbuffered`, no std): rustls's
//!   `UnbufferedClientConnection`, for firmware. It has no exporter in rustls 0.23, so key
//!   material comes from a per-connection key log (the TLS 1.2 master secret with the
//!   randoms seen on the wire, the TLS 1.3 exporter secret) through the crate's own
//!   [RFC 5705](https://www.rfc-editor.org/rfc/rfc5705) /
//!   [RFC 8446 §7.5](https://www.rfc-editor.org/rfc/rfc8446#section-7.5) code.
//!
//! Another stack (mbedTLS on a microcontroller, say) implements [`TlsConnector`] and
//! [`TlsTunnel`]: neither trait, nor any error they return, names a rustls type. The
//! skeleton of such a binding:
//!
//! ```
//! use eap::tls::{CertificateInfo, TlsConnector, TlsError, TlsErrorKind, TlsFailure};
//! use eap::tls::{TlsOffer, TlsTunnel, TlsVersion};
//!
//! struct OtherStack; // the handle of another TLS library's context
//!
//! impl TlsTunnel for OtherStack {
//!     fn receive(&mut self, _data: &[u8]) -> Result<(), TlsFailure> {
//!         // Feed the bytes; map the library's errors to ours.
//!         Err(TlsFailure::Protocol(TlsError::new(TlsErrorKind::Local, "not wired up")))
//!     }
//!     fn take_outgoing(&mut self, _out: &mut Vec<u8>) {}
//!     fn is_handshaking(&self) -> bool { true }
//!     fn send_plaintext(&mut self, _data: &[u8]) -> Result<(), TlsFailure> { Ok(()) }
//!     fn read_plaintext(&mut self, _out: &mut Vec<u8>) -> Result<(), TlsFailure> { Ok(()) }
//!     fn export(&self, _label: &[u8], _context: Option<&[u8]>, _out: &mut [u8])
//!         -> Result<(), TlsFailure> {
//!         Err(TlsFailure::Protocol(TlsError::new(TlsErrorKind::Local, "handshake not done")))
//!     }
//!     fn negotiated(&self) -> Option<(TlsVersion, u16)> { None }
//!     fn server_certificate(&self) -> Option<(CertificateInfo, bool)> { None }
//! }
//!
//! struct OtherConnector;
//!
//! impl TlsConnector for OtherConnector {
//!     fn connect(&self, _method: eap::MethodType)
//!         -> Result<Box<dyn TlsTunnel>, TlsFailure> { Ok(Box::new(OtherStack)) }
//!     fn offer(&self) -> TlsOffer { TlsOffer::default() }
//!     fn validates_server(&self) -> bool { true }
//! }
//! # let _ = eap::Config::builder("alice").password("pw")
//! #     .tls_connector(std::sync::Arc::new(OtherConnector)).build().unwrap();
//! ```
//!
//! Whatever the implementation, the contract the core relies on for its security promise:
//! **the handshake only completes after the server certificate was validated** (or the caller
//! chose the explicit opt-out), and a completed handshake is the only thing that lets inner
//! credentials out.
//!
//! Certificate dates are checked against a [`CertificateTime`]: a clock, or, for firmware
//! that has none before it joins the network, a floor such as its build date.

use crate::method_type::MethodType;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

// Without a built-in connector (neither `std` nor `unbuffered`) only the types and the
// name rule are used; the verifier, key log and DER reader wait for a connector.
#[cfg_attr(not(any(feature = "std", feature = "unbuffered")), allow(dead_code))]
pub(crate) mod cert_info;
mod clock;
#[cfg_attr(not(feature = "unbuffered"), allow(dead_code))]
pub(crate) mod keylog;

#[cfg_attr(not(any(feature = "std", feature = "unbuffered")), allow(dead_code))]
mod errors;
#[cfg_attr(not(any(feature = "std", feature = "unbuffered")), allow(dead_code))]
pub(crate) mod setup;
#[cfg_attr(not(any(feature = "std", feature = "unbuffered")), allow(dead_code))]
mod verify;

#[cfg(feature = "unbuffered")]
pub(crate) mod driver;
#[cfg(feature = "std")]
mod rustls_tunnel;
#[cfg(feature = "std")]
mod session_cache;
#[cfg(feature = "unbuffered")]
mod unbuffered;

#[cfg(feature = "std")]
pub use clock::SystemClock;
pub use clock::{CertificateTime, FixedTime, UnixClock};
#[cfg(feature = "std")]
pub use rustls_tunnel::RustlsConnector;
#[cfg(feature = "std")]
pub use session_cache::SessionCache;
#[cfg(feature = "unbuffered")]
pub use unbuffered::UnbufferedConnector;
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
#[non_exhaustive]
pub struct TlsOffer {
    /// Protocol versions, highest first.
    pub versions: Vec<TlsVersion>,
    /// Cipher suites (IANA values) in preference order.
    pub cipher_suites: Vec<u16>,
}

/// What a server certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificateInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// subjectAltName DNS names (the Common Name when there are none).
    pub dns_names: Vec<String>,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: i64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// Number of certificates the server sent.
    pub chain_len: usize,
}

/// `"<subject>" (issuer "<issuer>"; names: <name>, ...)`: how diagnoses and events name a
/// certificate.
impl fmt::Display for CertificateInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" (issuer \"{}\"; names: ",
            self.subject, self.issuer
        )?;
        crate::text::write_list(f, &self.dns_names)?;
        f.write_str(")")
    }
}

/// Why a server certificate was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// Not signed by any configured CA (self-signed, or another CA).
    UnknownIssuer,
    /// Past its notAfter.
    Expired,
    /// Before its notBefore.
    NotValidYet,
    /// With no clock ([`CertificateTime::NoClock`]): no instant at or after the floor
    /// lies within the validity of every certificate of the chain (a certificate expired
    /// before the floor, e.g. before the firmware was built).
    ExpiredBeforeFloor {
        /// The floor, seconds since the Unix epoch.
        floor: i64,
    },
    /// None of its names matches the configured rule.
    NameMismatch {
        /// The rule, as configured: the name itself (quoted only when displayed).
        expected: ServerNameRule,
    },
    /// A signature in the chain is invalid.
    BadSignature,
    /// Not valid for TLS server authentication (extended key usage).
    NotForServerAuth,
    /// Not a parsable certificate.
    BadEncoding,
    /// Its subjectAltName extension is not well-formed DER (a GeneralName of no known
    /// kind, a length that runs past its element, data left over, or the extension twice):
    /// none of its names can be trusted, so none is matched against the configured rule.
    MalformedSubjectAltName,
    /// Anything else the TLS library reported, in its words.
    Other(String),
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateProblem::UnknownIssuer => f.write_str("is not signed by a trusted CA"),
            CertificateProblem::Expired => f.write_str("has expired"),
            CertificateProblem::NotValidYet => f.write_str("is not valid yet"),
            CertificateProblem::ExpiredBeforeFloor { floor } => write!(
                f,
                "expired before {}, the earliest date this device accepts without a clock",
                cert_info::date_text(*floor)
            ),
            CertificateProblem::NameMismatch { expected } => {
                write!(f, "does not match the expected server name {expected}")
            }
            CertificateProblem::BadSignature => f.write_str("has an invalid signature"),
            CertificateProblem::NotForServerAuth => {
                f.write_str("is not valid for TLS server authentication (extended key usage)")
            }
            CertificateProblem::BadEncoding => f.write_str("cannot be parsed"),
            CertificateProblem::MalformedSubjectAltName => {
                f.write_str("has a malformed subjectAltName extension")
            }
            CertificateProblem::Other(e) => write!(f, "was rejected ({e})"),
        }
    }
}

/// What kind of TLS failure, other than an alert or the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsErrorKind {
    /// The peer sent a message that does not parse.
    Malformed,
    /// The peer sent a message that is not allowed at this point of the handshake.
    UnexpectedMessage,
    /// The peer chose something we did not offer, or offered nothing we support.
    Incompatible,
    /// The peer broke a rule of the protocol.
    Misbehaved,
    /// A record did not decrypt (wrong keys, corruption).
    Decrypt,
    /// Our side failed (configuration, clock, API use).
    Local,
    /// Our random number generator failed (the crypto provider's `SecureRandom`): nothing
    /// about the server. The methods report it as the diagnosis cause `RandomFailure`.
    Random,
    /// Anything else.
    Other,
}

/// A TLS failure as the TLS library reported it: a kind for programs, the library's own
/// words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsError {
    /// What kind of failure.
    pub kind: TlsErrorKind,
    /// The TLS library's description.
    pub detail: String,
}

impl TlsError {
    /// A failure of `kind` described as `detail`.
    pub fn new(kind: TlsErrorKind, detail: impl Into<String>) -> Self {
        TlsError {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl core::error::Error for TlsError {}

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
    Protocol(TlsError),
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
    /// (what TLS 1.2 PEAP uses), distinct from an empty one. Fails before the handshake
    /// has completed.
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
    /// `Some(floor)` when the certificate dates were checked against a floor (seconds since
    /// the Unix epoch) instead of a clock ([`CertificateTime::NoClock`]); `None` when a
    /// clock was used. The core reports it in an event and in diagnoses.
    fn clockless_floor(&self) -> Option<i64> {
        None
    }
    /// True once a completed handshake resumed an earlier session (a TLS 1.2 session ID or
    /// ticket, [RFC 5246 §7.3](https://www.rfc-editor.org/rfc/rfc5246#section-7.3); a
    /// TLS 1.3 PSK, [RFC 8446 §2.2](https://www.rfc-editor.org/rfc/rfc8446#section-2.2)):
    /// the server proved it holds the session's secret and sent no certificate. Only such a
    /// handshake lets a method skip its inner authentication (PEAP fast reconnect,
    /// [RFC 5281 §10.1](https://www.rfc-editor.org/rfc/rfc5281#section-10.1) for TTLS).
    fn resumed(&self) -> bool {
        false
    }
    /// The key exchange group the handshake used (IANA TLS Supported Groups value, e.g.
    /// 0x001d X25519, 0x11ec X25519MLKEM768), once known; `None` when the TLS stack does
    /// not say (or a TLS 1.2 resumption, which has none).
    fn key_exchange(&self) -> Option<u16> {
        None
    }
}

/// Makes a [`TlsTunnel`] per authentication.
pub trait TlsConnector: Send + Sync {
    /// Starts a new client connection for `method` (nothing is sent until the first
    /// `take_outgoing`). A connector that resumes sessions keys them by the method too, so
    /// that a session of one method is never offered to another.
    fn connect(&self, method: MethodType) -> Result<Box<dyn TlsTunnel>, TlsFailure>;
    /// What the ClientHello offers.
    fn offer(&self) -> TlsOffer;
    /// True if this connector validates the server certificate; false only for the explicit
    /// opt-out.
    fn validates_server(&self) -> bool;
}
