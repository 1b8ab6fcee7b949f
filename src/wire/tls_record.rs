//! What can be read in clear in a TLS byte stream ([RFC 5246 §6.2, §7.4](https://www.rfc-editor.org/rfc/rfc5246#section-7.4),
//! [RFC 8446 §4](https://www.rfc-editor.org/rfc/rfc8446#section-4)): ClientHello offers,
//! the ServerHello choice, the TLS 1.2 Certificate chain, alerts before encryption.
//!
//! The supplicant uses it for the client and server randoms (the PEAP Session-Id), for
//! diagnoses (what we offered, what the server chose, which alert it sent) and the capture
//! explainer uses it for timelines. It never decrypts anything: after a ChangeCipherSpec (TLS
//! 1.2) or a ServerHello selecting TLS 1.3, the scanner reports further records as
//! encrypted.
//!
//! Bounds: handshake messages are reassembled across records up to
//! [`MAX_HANDSHAKE_MESSAGE`] octets; larger ones are reported as too large and skipped.
//! Lists inside hellos are capped at what their length fields allow within the message.

use super::DecodeError;
use alloc::vec::Vec;

/// The largest handshake message the scanner reassembles (a certificate chain fits).
pub const MAX_HANDSHAKE_MESSAGE: usize = 64 * 1024;

/// TLS record content types.
pub mod content_type {
    /// change_cipher_spec.
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    /// alert.
    pub const ALERT: u8 = 21;
    /// handshake.
    pub const HANDSHAKE: u8 = 22;
    /// application_data.
    pub const APPLICATION_DATA: u8 = 23;
}

/// Handshake message types.
pub mod handshake_type {
    /// client_hello.
    pub const CLIENT_HELLO: u8 = 1;
    /// server_hello.
    pub const SERVER_HELLO: u8 = 2;
    /// new_session_ticket.
    pub const NEW_SESSION_TICKET: u8 = 4;
    /// certificate.
    pub const CERTIFICATE: u8 = 11;
    /// server_key_exchange.
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    /// certificate_request.
    pub const CERTIFICATE_REQUEST: u8 = 13;
    /// server_hello_done.
    pub const SERVER_HELLO_DONE: u8 = 14;
    /// client_key_exchange.
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;
    /// finished.
    pub const FINISHED: u8 = 20;
}

/// TLS 1.3 in `supported_versions`.
pub const TLS13: u16 = 0x0304;
/// TLS 1.2.
pub const TLS12: u16 = 0x0303;

/// A ClientHello's offers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientHello {
    /// legacy_version.
    pub legacy_version: u16,
    /// Client random.
    pub random: [u8; 32],
    /// Offered cipher suites, in order (GREASE values included as sent).
    pub cipher_suites: Vec<u16>,
    /// `supported_versions` extension (empty if absent: TLS 1.2 and below, by legacy_version).
    pub supported_versions: Vec<u16>,
    /// `supported_groups` extension.
    pub groups: Vec<u16>,
    /// `signature_algorithms` extension.
    pub signature_algorithms: Vec<u16>,
    /// `server_name` (SNI) host name, if sent.
    pub server_name: Option<Vec<u8>>,
}

/// A ServerHello's choice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerHello {
    /// legacy_version.
    pub legacy_version: u16,
    /// Server random. (A HelloRetryRequest has the RFC 8446 §4.1.3 special value.)
    pub random: [u8; 32],
    /// The chosen cipher suite.
    pub cipher_suite: u16,
    /// `supported_versions` selected version (TLS 1.3), if present.
    pub selected_version: Option<u16>,
}

impl ServerHello {
    /// The negotiated version: `selected_version`, else `legacy_version`.
    pub fn version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }
}

/// One thing seen in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsEvent {
    /// A ClientHello.
    ClientHello(ClientHello),
    /// A ServerHello.
    ServerHello(ServerHello),
    /// A TLS 1.2 Certificate message: the DER certificates, leaf first.
    Certificate(Vec<Vec<u8>>),
    /// Any other cleartext handshake message, by type.
    Handshake(u8),
    /// A handshake message larger than [`MAX_HANDSHAKE_MESSAGE`], skipped.
    TooLarge {
        /// Its type.
        msg_type: u8,
        /// Its declared length.
        length: usize,
    },
    /// An alert in clear: level and description.
    Alert {
        /// 1 warning, 2 fatal.
        level: u8,
        /// AlertDescription.
        description: u8,
    },
    /// ChangeCipherSpec: what follows from this side is encrypted (TLS 1.2).
    ChangeCipherSpec,
    /// An encrypted record (application data, or anything after encryption started).
    Encrypted {
        /// Its content type.
        content_type: u8,
        /// Its length.
        length: usize,
    },
    /// Bytes that are not TLS records; scanning of this direction stops.
    NotTls,
}

/// Scans one direction of a TLS connection. Feed it the bytes as they come, cut anywhere.
#[derive(Debug, Clone, Default)]
pub struct TlsScanner {
    // Private state: partial record, partial handshake message, whether encryption started.
    pending: Vec<u8>,
    handshake: Vec<u8>,
    encrypted: bool,
    dead: bool,
}

impl TlsScanner {
    /// A scanner at the start of a connection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the direction as encrypted from now on (the caller saw a ServerHello choosing
    /// TLS 1.3 in the other direction).
    pub fn set_encrypted(&mut self) {
        self.encrypted = true;
    }

    /// Consumes `bytes`, returning what became visible. Memory held is bounded by one record
    /// (≤ 18,437 octets) plus one handshake message (≤ [`MAX_HANDSHAKE_MESSAGE`]).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<TlsEvent> {
        todo!("wire helper")
    }
}

/// Parses a ClientHello body (after the 4-octet handshake header).
pub fn parse_client_hello(body: &[u8]) -> Result<ClientHello, DecodeError> {
    todo!("wire helper")
}

/// Parses a ServerHello body (after the 4-octet handshake header).
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, DecodeError> {
    todo!("wire helper")
}

/// The IANA name of a cipher suite (`"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"`), if known.
pub fn cipher_suite_name(suite: u16) -> Option<&'static str> {
    todo!("wire helper")
}

/// The IANA name of an alert description (`"handshake_failure"`), if known.
pub fn alert_name(description: u8) -> Option<&'static str> {
    todo!("wire helper")
}
