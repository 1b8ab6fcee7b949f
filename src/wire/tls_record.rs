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

/// The largest record fragment (RFC 5246 §6.2.3: 2^14 + 2048, the ciphertext limit).
const MAX_RECORD_BODY: usize = 16384 + 2048;

/// The ServerHello random of a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The record being read: its header is known, `left` body octets are still to come.
#[derive(Debug, Clone, Copy)]
struct Record {
    content_type: u8,
    length: usize,
    left: usize,
}

/// Scans one direction of a TLS connection. Feed it the bytes as they come, cut anywhere.
#[derive(Debug, Clone, Default)]
pub struct TlsScanner {
    // Private state: partial record, partial handshake message, whether encryption started.
    // `pending` holds a partial record header (< 5 octets) or the first octet of an alert;
    // record bodies are consumed as they arrive, so `handshake` (≤ 4 + MAX_HANDSHAKE_MESSAGE)
    // is the only sizeable buffer.
    pending: Vec<u8>,
    handshake: Vec<u8>,
    encrypted: bool,
    dead: bool,
    /// The record whose body is being read.
    record: Option<Record>,
    /// Body octets of a too-large handshake message still to skip.
    skip: usize,
    /// A ServerHello chose TLS 1.3: encryption starts after the current record.
    encrypt_after_record: bool,
    /// [`TlsScanner::first_hello`]: stop reading at the first hello.
    hello_only: bool,
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
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<TlsEvent> {
        let mut events = Vec::new();
        while !self.dead {
            let Some(mut record) = self.record else {
                let [content_type, major, _, hi, lo] = match bytes.first_chunk::<5>() {
                    // A whole header at hand (records arrive whole, as a rule): read in place.
                    Some(&header) if self.pending.is_empty() => {
                        bytes = &bytes[5..];
                        header
                    }
                    _ => {
                        let n = (5 - self.pending.len()).min(bytes.len());
                        self.pending.extend_from_slice(&bytes[..n]);
                        bytes = &bytes[n..];
                        let Ok(header) = <[u8; 5]>::try_from(self.pending.as_slice()) else {
                            break;
                        };
                        self.pending.clear();
                        header
                    }
                };
                let length = usize::from(u16::from_be_bytes([hi, lo]));
                if !(20..=23).contains(&content_type) || major != 3 || length > MAX_RECORD_BODY {
                    events.push(TlsEvent::NotTls);
                    *self = Self {
                        dead: true,
                        ..Self::default()
                    };
                    break;
                }
                self.record = Some(Record {
                    content_type,
                    length,
                    left: length,
                });
                continue;
            };
            let (body, rest) = bytes.split_at(record.left.min(bytes.len()));
            bytes = rest;
            record.left -= body.len();
            self.record_body(record.content_type, body, &mut events);
            if record.left > 0 {
                self.record = Some(record);
                break;
            }
            self.record = None;
            self.end_record(record, &mut events);
        }
        events
    }

    /// As [`TlsScanner::push`], but reads only up to the first ClientHello or ServerHello
    /// and returns it (`None` while none is complete, or if the bytes are not TLS). What
    /// follows the hello is neither buffered nor parsed (a server's certificates, say), and
    /// the scanner reads nothing more once it returned one: for a caller that wants the
    /// hello alone.
    pub(crate) fn first_hello(&mut self, bytes: &[u8]) -> Option<TlsEvent> {
        self.hello_only = true;
        self.push(bytes)
            .into_iter()
            .find(|e| matches!(e, TlsEvent::ClientHello(_) | TlsEvent::ServerHello(_)))
    }

    /// Part of a record's body.
    fn record_body(&mut self, content_type: u8, body: &[u8], events: &mut Vec<TlsEvent>) {
        if self.encrypted {
            return;
        }
        match content_type {
            content_type::HANDSHAKE => self.handshake_bytes(body, events),
            content_type::ALERT => {
                for &octet in body {
                    if let Some(&level) = self.pending.first() {
                        self.pending.clear();
                        events.push(TlsEvent::Alert {
                            level,
                            description: octet,
                        });
                    } else {
                        self.pending.push(octet);
                    }
                }
            }
            _ => {}
        }
    }

    /// The end of a record.
    fn end_record(&mut self, record: Record, events: &mut Vec<TlsEvent>) {
        // An odd octet left over from an alert record is dropped.
        self.pending.clear();
        if self.encrypted || record.content_type == content_type::APPLICATION_DATA {
            events.push(TlsEvent::Encrypted {
                content_type: record.content_type,
                length: record.length,
            });
        } else if record.content_type == content_type::CHANGE_CIPHER_SPEC {
            events.push(TlsEvent::ChangeCipherSpec);
            self.encrypt_after_record = true;
        }
        if self.encrypt_after_record {
            self.encrypt_after_record = false;
            self.encrypted = true;
            self.handshake = Vec::new();
            self.skip = 0;
        }
    }

    /// Cleartext handshake-record octets: reassembles messages, skips too-large ones.
    fn handshake_bytes(&mut self, mut data: &[u8], events: &mut Vec<TlsEvent>) {
        loop {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                self.skip -= n;
                data = &data[n..];
                if self.skip > 0 {
                    return;
                }
            }
            if self.handshake.len() < 4 {
                let n = (4 - self.handshake.len()).min(data.len());
                self.handshake.extend_from_slice(&data[..n]);
                data = &data[n..];
            }
            let &[msg_type, a, b, c, ..] = self.handshake.as_slice() else {
                return;
            };
            let length = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
            if length > MAX_HANDSHAKE_MESSAGE {
                events.push(TlsEvent::TooLarge { msg_type, length });
                self.handshake.clear();
                self.skip = length;
                continue;
            }
            // The whole message's room at once (bounded above), not one growth per record.
            self.handshake
                .reserve_exact(4 + length - self.handshake.len());
            let n = (4 + length - self.handshake.len()).min(data.len());
            self.handshake.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.handshake.len() < 4 + length {
                return;
            }
            let message = core::mem::take(&mut self.handshake);
            let event = self.handshake_message(msg_type, &message[4..]);
            let hello = matches!(event, TlsEvent::ClientHello(_) | TlsEvent::ServerHello(_));
            events.push(event);
            if hello && self.hello_only {
                self.dead = true;
                return;
            }
        }
    }

    /// One complete cleartext handshake message.
    fn handshake_message(&mut self, msg_type: u8, body: &[u8]) -> TlsEvent {
        let parsed = match msg_type {
            handshake_type::CLIENT_HELLO => parse_client_hello(body).map(TlsEvent::ClientHello),
            handshake_type::SERVER_HELLO => parse_server_hello(body).map(|hello| {
                // A HelloRetryRequest is followed by a second ServerHello, still in clear.
                if hello.selected_version.is_some_and(|v| v >= TLS13) && hello.random != HRR_RANDOM
                {
                    self.encrypt_after_record = true;
                }
                TlsEvent::ServerHello(hello)
            }),
            handshake_type::CERTIFICATE => parse_certificate_list(body).map(TlsEvent::Certificate),
            _ => return TlsEvent::Handshake(msg_type),
        };
        parsed.unwrap_or(TlsEvent::Handshake(msg_type))
    }
}

fn bad_length(what: &'static str, declared: usize, available: usize) -> DecodeError {
    DecodeError::BadLength {
        what,
        declared,
        available,
    }
}

/// A cursor over a structure's octets; every length is checked before use.
struct Reader<'a> {
    what: &'static str,
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(what: &'static str, buf: &'a [u8]) -> Self {
        Self { what, buf }
    }

    /// The next `n` octets of a fixed-size field.
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        super::need(self.what, self.buf, n)?;
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    /// A big-endian integer of `n` ≤ 3 octets.
    fn uint(&mut self, n: usize) -> Result<usize, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0, |v, &b| v << 8 | usize::from(b)))
    }

    /// A vector with an `n`-octet length prefix.
    fn vec(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let len = self.uint(n)?;
        if len > self.buf.len() {
            return Err(bad_length(self.what, len, self.buf.len()));
        }
        self.take(len)
    }

    /// A list of u16 values with an `n`-octet length prefix (which must be even).
    fn u16_list(&mut self, n: usize) -> Result<Vec<u16>, DecodeError> {
        let list = self.vec(n)?;
        if list.len() % 2 != 0 {
            return Err(bad_length(self.what, list.len(), list.len() - 1));
        }
        let pairs = list.chunks_exact(2);
        Ok(pairs.map(|p| u16::from_be_bytes([p[0], p[1]])).collect())
    }
}

/// legacy_version, random and legacy_session_id, common to both hellos.
fn hello_start(r: &mut Reader<'_>) -> Result<(u16, [u8; 32]), DecodeError> {
    let legacy_version = r.uint(2)? as u16;
    let mut random = [0; 32];
    random.copy_from_slice(r.take(32)?);
    let session_id = r.vec(1)?;
    if session_id.len() > 32 {
        return Err(bad_length("session_id", session_id.len(), 32));
    }
    Ok((legacy_version, random))
}

/// Calls `f` with each extension's type and data, if the hello has extensions.
fn for_each_extension<'a>(
    r: &mut Reader<'a>,
    mut f: impl FnMut(usize, &'a [u8]) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    if r.buf.is_empty() {
        return Ok(());
    }
    let mut exts = Reader::new("TLS extensions", r.vec(2)?);
    while !exts.buf.is_empty() {
        let ext_type = exts.uint(2)?;
        f(ext_type, exts.vec(2)?)?;
    }
    Ok(())
}

/// The random of the ClientHello that `flight` starts with, when its first record holds
/// the whole message (as a TLS library sends its own hello); `None` otherwise. Reads the
/// random alone: none of the hello's lists.
pub(crate) fn client_hello_random(flight: &[u8]) -> Option<[u8; 32]> {
    let mut records = Reader::new("TLS record", flight);
    let header = records.take(3).ok()?;
    if header[0] != content_type::HANDSHAKE || header[1] != 3 {
        return None;
    }
    let mut record = Reader::new("TLS record", records.vec(2).ok()?);
    if record.uint(1).ok()? != usize::from(handshake_type::CLIENT_HELLO) {
        return None;
    }
    let mut body = Reader::new("ClientHello", record.vec(3).ok()?);
    hello_start(&mut body).ok().map(|(_, random)| random)
}

/// Parses a ClientHello body (after the 4-octet handshake header).
pub fn parse_client_hello(body: &[u8]) -> Result<ClientHello, DecodeError> {
    let mut r = Reader::new("ClientHello", body);
    let (legacy_version, random) = hello_start(&mut r)?;
    let mut hello = ClientHello {
        legacy_version,
        random,
        cipher_suites: r.u16_list(2)?,
        ..ClientHello::default()
    };
    r.vec(1)?; // legacy_compression_methods
    for_each_extension(&mut r, |ext_type, data| {
        match ext_type {
            0 => hello.server_name = parse_server_name(data)?,
            10 => hello.groups = Reader::new("supported_groups", data).u16_list(2)?,
            13 => {
                hello.signature_algorithms =
                    Reader::new("signature_algorithms", data).u16_list(2)?
            }
            43 => hello.supported_versions = Reader::new("supported_versions", data).u16_list(1)?,
            _ => {}
        }
        Ok(())
    })?;
    Ok(hello)
}

/// The first host_name of a ClientHello `server_name` extension (RFC 6066 §3).
fn parse_server_name(data: &[u8]) -> Result<Option<Vec<u8>>, DecodeError> {
    let mut names = Reader::new("server_name", data);
    if !data.is_empty() {
        names.buf = names.vec(2)?;
    }
    let mut host_name = None;
    while !names.buf.is_empty() {
        let name_type = names.uint(1)?;
        let name = names.vec(2)?;
        if name_type == 0 && host_name.is_none() {
            host_name = Some(name.to_vec());
        }
    }
    Ok(host_name)
}

/// Parses a ServerHello body (after the 4-octet handshake header).
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, DecodeError> {
    let mut r = Reader::new("ServerHello", body);
    let (legacy_version, random) = hello_start(&mut r)?;
    let mut hello = ServerHello {
        legacy_version,
        random,
        cipher_suite: r.uint(2)? as u16,
        selected_version: None,
    };
    r.take(1)?; // legacy_compression_method
    for_each_extension(&mut r, |ext_type, data| {
        if ext_type == 43 {
            let &[hi, lo] = data else {
                return Err(bad_length("supported_versions", data.len(), 2));
            };
            hello.selected_version = Some(u16::from_be_bytes([hi, lo]));
        }
        Ok(())
    })?;
    Ok(hello)
}

/// A TLS 1.2 Certificate body: a u24 list of u24-length DER certificates.
fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut list = Reader::new("Certificate", body);
    list.buf = list.vec(3)?;
    let mut certs = Vec::new();
    while !list.buf.is_empty() {
        let cert = list.vec(3)?;
        if cert.is_empty() {
            return Err(bad_length("ASN.1Cert", 0, list.buf.len()));
        }
        certs.push(cert.to_vec());
    }
    Ok(certs)
}

/// The IANA name of a TLS key exchange group (`"X25519MLKEM768"`), if known.
pub fn group_name(group: u16) -> Option<&'static str> {
    Some(match group {
        0x0017 => "secp256r1",
        0x0018 => "secp384r1",
        0x0019 => "secp521r1",
        0x001d => "X25519",
        0x001e => "X448",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x11eb => "SecP256r1MLKEM768",
        0x11ec => "X25519MLKEM768",
        0x11ed => "SecP384r1MLKEM1024",
        _ => return None,
    })
}

/// The IANA name of a cipher suite (`"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"`), if known.
pub fn cipher_suite_name(suite: u16) -> Option<&'static str> {
    Some(match suite {
        0x0000 => "TLS_NULL_WITH_NULL_NULL",
        0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x000A => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0x002F => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x003C => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003D => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x006B => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        0x009C => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009D => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009E => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009F => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x00FF => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        0x5600 => "TLS_FALLBACK_SCSV",
        0xC008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xC009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xC00A => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0xC013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xC014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xC023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xC024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xC027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xC028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xC02B => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xC02C => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xC030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCAA => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        _ => return None,
    })
}

/// The IANA name of an alert description (`"handshake_failure"`), if known.
#[rustfmt::skip]
pub fn alert_name(description: u8) -> Option<&'static str> {
    Some(match description {
        0 => "close_notify", 10 => "unexpected_message", 20 => "bad_record_mac",
        21 => "decryption_failed", 22 => "record_overflow", 30 => "decompression_failure",
        40 => "handshake_failure", 41 => "no_certificate", 42 => "bad_certificate",
        43 => "unsupported_certificate", 44 => "certificate_revoked", 45 => "certificate_expired",
        46 => "certificate_unknown", 47 => "illegal_parameter", 48 => "unknown_ca",
        49 => "access_denied", 50 => "decode_error", 51 => "decrypt_error",
        60 => "export_restriction", 70 => "protocol_version", 71 => "insufficient_security",
        80 => "internal_error", 86 => "inappropriate_fallback", 90 => "user_canceled",
        100 => "no_renegotiation", 109 => "missing_extension", 110 => "unsupported_extension",
        112 => "unrecognized_name", 113 => "bad_certificate_status_response",
        115 => "unknown_psk_identity", 116 => "certificate_required",
        120 => "no_application_protocol",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    /// `head`, then the length of `body` in `n` octets, then `body`.
    fn prefixed(head: &[u8], n: usize, body: &[u8]) -> Vec<u8> {
        let len = (body.len() as u32).to_be_bytes();
        [head, &len[4 - n..], body].concat()
    }

    /// `body` in records of `content_type`, at most 16384 octets each.
    fn records(content_type: u8, body: &[u8]) -> Vec<u8> {
        let header = [content_type, 3, 3];
        let records: Vec<_> = body
            .chunks(16384)
            .map(|c| prefixed(&header, 2, c))
            .collect();
        records.concat()
    }

    fn message(msg_type: u8, body: &[u8]) -> Vec<u8> {
        prefixed(&[msg_type], 3, body)
    }

    fn ext(ext_type: u16, data: &[u8]) -> Vec<u8> {
        prefixed(&ext_type.to_be_bytes(), 2, data)
    }

    /// legacy_version 0x0303, `random`, a 32-octet session id, then `rest` and `exts`.
    fn hello(random: [u8; 32], rest: &[u8], exts: &[Vec<u8>]) -> Vec<u8> {
        let start = [&[3, 3][..], &random, &[32], &[0x5a; 32], rest].concat();
        match exts {
            [] => start,
            _ => prefixed(&start, 2, &exts.concat()),
        }
    }

    /// A ClientHello body, the offset where its extensions start, and what it parses to.
    fn client_hello() -> (Vec<u8>, usize, ClientHello) {
        let suites = [0x0a0a, 0x1301, 0x1302, 0xc02f, 0x00ff];
        let suite_bytes: Vec<u8> = suites.iter().flat_map(|s: &u16| s.to_be_bytes()).collect();
        let rest = [prefixed(&[], 2, &suite_bytes), vec![1, 0]].concat();
        let sni = b"radius.example.org";
        let exts = [
            ext(0, &prefixed(&[], 2, &prefixed(&[0], 2, sni))),
            ext(10, &[0, 4, 0, 0x1d, 0, 0x17]),
            ext(13, &[0, 4, 4, 3, 8, 4]),
            ext(0xff01, &[0]),
            ext(43, &[4, 3, 4, 3, 3]),
        ];
        let expected = ClientHello {
            legacy_version: TLS12,
            random: [7; 32],
            cipher_suites: suites.to_vec(),
            supported_versions: vec![TLS13, TLS12],
            groups: vec![0x1d, 0x17],
            signature_algorithms: vec![0x0403, 0x0804],
            server_name: Some(sni.to_vec()),
        };
        (hello([7; 32], &rest, &exts), 67 + rest.len(), expected)
    }

    fn server_hello(random: [u8; 32], version: Option<u16>) -> Vec<u8> {
        let exts: Vec<_> = version.iter().map(|v| ext(43, &v.to_be_bytes())).collect();
        message(2, &hello(random, &[0x13, 0x01, 0], &exts))
    }

    fn scan(chunks: &[&[u8]]) -> Vec<TlsEvent> {
        let mut scanner = TlsScanner::new();
        chunks.iter().flat_map(|c| scanner.push(c)).collect()
    }

    fn enc(content_type: u8, length: usize) -> TlsEvent {
        TlsEvent::Encrypted {
            content_type,
            length,
        }
    }

    /// The ServerHello that `events` start with.
    fn first_server_hello(events: &[TlsEvent]) -> &ServerHello {
        match events.first() {
            Some(TlsEvent::ServerHello(sh)) => sh,
            _ => panic!("no ServerHello first: {events:?}"),
        }
    }

    #[test]
    fn client_hello_split_anywhere() {
        let (body, exts_start, expected) = client_hello();
        assert_eq!(parse_client_hello(&body), Ok(expected.clone()));
        let msg = message(1, &body);
        let rec = records(22, &msg);
        let want = vec![TlsEvent::ClientHello(expected)];
        for i in 0..=rec.len() {
            assert_eq!(scan(&[&rec[..i], &rec[i..]]), want, "record cut at {i}");
        }
        for i in 0..=msg.len() {
            let two = [records(22, &msg[..i]), records(22, &msg[i..])].concat();
            assert_eq!(scan(&[&two]), want, "message cut at {i}");
        }
        assert_eq!(scan(&rec.chunks(1).collect::<Vec<_>>()), want);
        // Every truncation fails, except the one dropping all extensions (they are optional).
        for i in 0..body.len() {
            assert_eq!(
                parse_client_hello(&body[..i]).is_ok(),
                i == exts_start,
                "{i}"
            );
        }
    }

    #[test]
    fn server_hello_versions() {
        // TLS 1.2: what follows from the server is still in clear.
        let tls12 = [server_hello([1; 32], None), message(14, &[])].concat();
        let ev = scan(&[&records(22, &tls12)]);
        let sh = first_server_hello(&ev);
        assert_eq!(
            (sh.version(), sh.cipher_suite, sh.random),
            (TLS12, 0x1301, [1; 32])
        );
        assert_eq!(
            ev[1],
            TlsEvent::Handshake(handshake_type::SERVER_HELLO_DONE)
        );
        // TLS 1.3: the compatibility CCS and the rest are encrypted.
        let sh13 = records(22, &server_hello([2; 32], Some(TLS13)));
        let ev = scan(&[&sh13, &records(20, &[1]), &records(23, &[0; 40])]);
        let sh = first_server_hello(&ev);
        assert_eq!((sh.version(), sh.selected_version), (TLS13, Some(TLS13)));
        assert_eq!(ev[1..], [enc(20, 1), enc(23, 40)]);
        // A HelloRetryRequest keeps the direction in clear.
        let hrr = records(22, &server_hello(HRR_RANDOM, Some(TLS13)));
        assert_eq!(
            scan(&[&hrr, &records(22, &message(2, &[]))])[1],
            TlsEvent::Handshake(2)
        );
    }

    #[test]
    fn first_hello_reads_no_further() {
        // A server's flight: the hello is returned, the certificates after it are not read.
        let certificate = message(11, &[0, 0, 11, 0, 0, 3, 1, 2, 3, 0, 0, 2, 4, 5]);
        let flight = records(22, &[server_hello([3; 32], None), certificate].concat());
        let mut scanner = TlsScanner::new();
        let Some(TlsEvent::ServerHello(sh)) = scanner.first_hello(&flight) else {
            panic!("no ServerHello");
        };
        assert_eq!(sh.random, [3; 32]);
        assert!(scanner.handshake.capacity() == 0 && scanner.push(&flight).is_empty());
        // Cut anywhere: nothing until the hello is whole.
        let (body, _, expected) = client_hello();
        let rec = records(22, &message(1, &body));
        for i in 0..rec.len() {
            let mut scanner = TlsScanner::new();
            assert_eq!(scanner.first_hello(&rec[..i]), None, "cut at {i}");
            let event = scanner.first_hello(&rec[i..]);
            assert_eq!(
                event,
                Some(TlsEvent::ClientHello(expected.clone())),
                "cut at {i}"
            );
        }
        assert_eq!(TlsScanner::new().first_hello(b"GET / HTTP/1.1"), None);
        // Our own hello's random, read alone.
        assert_eq!(client_hello_random(&rec), Some([7; 32]));
        for i in 0..rec.len() {
            assert_eq!(client_hello_random(&rec[..i]), None, "cut at {i}");
        }
        assert_eq!(client_hello_random(&flight), None);
    }

    #[test]
    fn certificates_alerts_ccs() {
        let mut body = vec![0, 0, 11, 0, 0, 3, 1, 2, 3, 0, 0, 2, 4, 5];
        let ev = scan(&[&records(22, &message(11, &body))]);
        assert_eq!(ev, [TlsEvent::Certificate(vec![vec![1, 2, 3], vec![4, 5]])]);
        body[2] += 1;
        let ev = scan(&[&records(22, &message(11, &body))]);
        assert_eq!(ev, [TlsEvent::Handshake(11)]);

        let alert = TlsEvent::Alert {
            level: 2,
            description: 40,
        };
        assert_eq!(scan(&[&records(21, &[2, 40])]), [alert]);
        assert_eq!(alert_name(40), Some("handshake_failure"));
        let name = cipher_suite_name(0xc02f);
        assert_eq!(name, Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assert_eq!((cipher_suite_name(0x0a0a), alert_name(255)), (None, None));

        let flight = [
            records(20, &[1]),
            records(22, &[0; 48]),
            records(21, &[0; 26]),
        ];
        let ev = scan(&[&flight.concat()]);
        assert_eq!(ev, [TlsEvent::ChangeCipherSpec, enc(22, 48), enc(21, 26)]);
        let mut scanner = TlsScanner::new();
        scanner.set_encrypted();
        assert_eq!(scanner.push(&records(22, &[1; 5])), [enc(22, 5)]);
    }

    #[test]
    fn not_tls_and_too_large() {
        let mut scanner = TlsScanner::new();
        assert_eq!(scanner.push(b"GET / HTTP/1.1\r\n"), [TlsEvent::NotTls]);
        assert_eq!(scanner.push(&records(21, &[2, 40])), []);
        assert_eq!(scan(&[&[22, 3, 3, 0x48, 0x01]]), [TlsEvent::NotTls]);
        assert_eq!(scan(&[&[22, 2, 0]]), []);

        let length = MAX_HANDSHAKE_MESSAGE + 1;
        let msgs = [message(11, &vec![0xaa; length]), message(14, &[])].concat();
        let mut scanner = TlsScanner::new();
        let mut ev = Vec::new();
        for chunk in records(22, &msgs).chunks(1000) {
            ev.extend(scanner.push(chunk));
            assert!(scanner.handshake.len() <= 4 && scanner.pending.len() <= 5);
        }
        let too_large = TlsEvent::TooLarge {
            msg_type: 11,
            length,
        };
        assert_eq!(ev, [too_large, TlsEvent::Handshake(14)]);
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_bounded(
            records_in in proptest::collection::vec(
                (20u8..=24, proptest::collection::vec(any::<u8>(), 0..600)), 0..8),
            garbage in proptest::collection::vec(any::<u8>(), 0..64),
            cuts in proptest::collection::vec(1usize..700, 1..10),
        ) {
            let mut bytes: Vec<u8> = records_in.iter().flat_map(|(t, b)| records(*t, b)).collect();
            bytes.extend(garbage);
            let mut scanner = TlsScanner::new();
            let mut rest = &bytes[..];
            for cut in cuts.iter().cycle() {
                if rest.is_empty() { break; }
                let (chunk, tail) = rest.split_at((*cut).min(rest.len()));
                rest = tail;
                scanner.push(chunk);
                prop_assert!(scanner.pending.len() + scanner.handshake.len()
                    <= 18437 + MAX_HANDSHAKE_MESSAGE);
            }
        }

        #[test]
        fn mutated_hellos_never_panic(pos in any::<usize>(), value in any::<u8>(), cut in 0..8usize) {
            let (mut body, _, _) = client_hello();
            let i = pos % body.len();
            body[i] = value;
            body.truncate(body.len() - cut);
            let _ = parse_client_hello(&body);
            let _ = parse_server_hello(&body);
            let _ = scan(&[&records(22, &message(1, &body))]);
        }
    }

    /// A rustls client's first flight and a rustls server's answer to it.
    #[cfg(feature = "std")]
    // ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
    // that); it stays the default and the firmware provider.
    #[allow(deprecated)]
    fn rustls_flights(versions: &[&'static rustls::SupportedProtocolVersion]) -> [Vec<u8>; 2] {
        use alloc::sync::Arc;
        use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let client = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let name = ServerName::try_from("radius.example.org").unwrap();
        let mut client = rustls::ClientConnection::new(Arc::new(client), name).unwrap();
        let key = rcgen::generate_simple_self_signed(["radius.example.org".into()]).unwrap();
        let der = PrivatePkcs8KeyDer::from(key.signing_key.serialize_der());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![key.cert.der().clone()], PrivateKeyDer::Pkcs8(der))
            .unwrap();
        let mut server = rustls::ServerConnection::new(Arc::new(server)).unwrap();
        let mut flights = [Vec::new(), Vec::new()];
        while client.wants_write() {
            client.write_tls(&mut flights[0]).unwrap();
        }
        server.read_tls(&mut &flights[0][..]).unwrap();
        server.process_new_packets().unwrap();
        while server.wants_write() {
            server.write_tls(&mut flights[1]).unwrap();
        }
        flights
    }

    #[cfg(feature = "std")]
    #[test]
    fn rustls_handshakes() {
        use rustls::version::{TLS12 as V12, TLS13 as V13};
        for (versions, version) in [(&[&V12][..], TLS12), (&[&V13, &V12][..], TLS13)] {
            let [hello, answer] = rustls_flights(versions);
            let ev = scan(&[&hello]);
            let [TlsEvent::ClientHello(ch)] = &ev[..] else {
                panic!("{ev:?}")
            };
            assert!(!ch.cipher_suites.is_empty() && ch.random != [0; 32]);
            assert!(
                ch.cipher_suites
                    .iter()
                    .all(|s| cipher_suite_name(*s).is_some())
            );
            assert_eq!(ch.server_name.as_deref(), Some(&b"radius.example.org"[..]));
            assert!(!ch.groups.is_empty() && !ch.signature_algorithms.is_empty());
            let ev = scan(&[&answer]);
            assert_eq!(first_server_hello(&ev).version(), version);
            if version == TLS12 {
                assert!(matches!(&ev[1], TlsEvent::Certificate(c) if c.len() == 1));
                assert_eq!(ev[2..], [TlsEvent::Handshake(12), TlsEvent::Handshake(14)]);
            } else {
                assert_eq!(ch.supported_versions, [TLS13, TLS12]);
                assert!(
                    ev.len() > 2
                        && ev[1..]
                            .iter()
                            .all(|e| matches!(e, TlsEvent::Encrypted { .. }))
                );
            }
        }
    }
}
