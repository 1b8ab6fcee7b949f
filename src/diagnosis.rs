//! Why an authentication failed: the phase it reached, the cause as data, and a one-line
//! hint saying what to change.
//!
//! `Display` of a [`crate::Diagnosis`] is one sentence an operator can act on, e.g.
//! `inner authentication: the server rejected the password of "alice" (MSCHAPv2 error 691,
//! retry allowed; server says "bad password"). Hint: check the password ...`.

use crate::method_type::MethodType;
use crate::text::write_list;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Display, Formatter};

pub(crate) mod cause;
mod code;
pub(crate) mod kind;
pub(crate) mod report;
mod transport;

pub use crate::wire::DecodeError;
pub use cause::{Cause, TimeoutKind};
pub use transport::{LocalEnd, LocalNetworkError, TransportFailure};
// Public at the crate root only; this path is for the crate's own code.
pub(crate) use report::Diagnosis;

/// How far the authentication got ([RFC 3748 §2](https://www.rfc-editor.org/rfc/rfc3748#section-2),
/// with the tunnel phases of PEAP (\[MS-PEAP\] §1.3), EAP-TTLS
/// ([RFC 5281 §7](https://www.rfc-editor.org/rfc/rfc5281#section-7)) and EAP-TLS, over any
/// lower layer: RADIUS, EAPOL or the caller's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Waiting for the first EAP-Request (EAPOL-Start sent, the RADIUS server not
    /// answering, or the caller's lower layer not delivering one).
    Start,
    /// EAP-Request/Identity answered.
    Identity,
    /// The server proposed methods; we accepted or NAKed.
    MethodNegotiation,
    /// The TLS handshake: phase 1 of PEAP and EAP-TTLS, the whole of EAP-TLS.
    TlsHandshake,
    /// The server certificate was checked.
    ServerValidation,
    /// Phase 2, inside the tunnel: PEAP's inner EAP method (EAP-MSCHAPv2, EAP-GTC),
    /// EAP-TTLS's (PAP, MSCHAPv2, EAP-MSCHAPv2); for EAP-MD5, the challenge itself.
    InnerAuthentication,
    /// PEAP's Crypto-Binding TLV exchange.
    CryptoBinding,
    /// The method done; waiting for the outer EAP-Success.
    Completion,
}

impl Display for Phase {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Start => "start",
            Phase::Identity => "identity",
            Phase::MethodNegotiation => "method negotiation",
            Phase::TlsHandshake => "TLS handshake",
            Phase::ServerValidation => "server validation",
            Phase::InnerAuthentication => "inner authentication",
            Phase::CryptoBinding => "cryptobinding",
            Phase::Completion => "completion",
        })
    }
}

/// The last message we sent, named for diagnoses of silence and bare failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SentMessage {
    /// Nothing: no EAP-Request has arrived yet.
    Nothing,
    /// EAP-Response/Identity.
    Identity,
    /// EAP-Response/Notification.
    Notification,
    /// A Nak listing the methods we allow.
    Nak,
    /// The TLS ClientHello (PEAP phase 1).
    ClientHello,
    /// One fragment of a longer TLS message.
    TlsFragment,
    /// An empty PEAP response acknowledging a fragment or a server flight.
    TlsAck,
    /// The client's TLS key exchange and Finished.
    TlsClientFinished,
    /// A TLS alert (we rejected the server).
    TlsAlert,
    /// The inner (phase 2) identity.
    InnerIdentity,
    /// An inner Nak.
    InnerNak,
    /// Our EAP-GTC response (the password, inside the tunnel).
    GtcResponse,
    /// Our EAP-MD5 response (the challenge hashed with the password, no tunnel).
    Md5Response,
    /// EAP-TTLS/PAP: our User-Name and User-Password AVPs (inside the tunnel).
    PapCredentials,
    /// The MSCHAPv2 Response with our NT-Response.
    MschapResponse,
    /// The MSCHAPv2 Success acknowledgement.
    MschapSuccessAck,
    /// The MSCHAPv2 Failure acknowledgement.
    MschapFailureAck,
    /// The MSCHAPv2 Change-Password packet with our new password
    /// ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)).
    MschapChangePassword,
    /// A Result TLV (with a Crypto-Binding TLV when the server sent one).
    ResultTlv {
        /// Success or Failure.
        success: bool,
    },
    /// A message inside the TLS tunnel that only its ends can read (a capture's view).
    TunnelData,
}

impl Display for SentMessage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SentMessage::Nothing => "nothing (no EAP-Request has arrived)",
            SentMessage::Identity => "EAP-Response/Identity",
            SentMessage::Notification => "EAP-Response/Notification",
            SentMessage::Nak => "Nak",
            SentMessage::ClientHello => "TLS ClientHello",
            SentMessage::TlsFragment => "TLS fragment",
            SentMessage::TlsAck => "PEAP acknowledgement",
            SentMessage::TlsClientFinished => "TLS key exchange and Finished",
            SentMessage::TlsAlert => "TLS alert",
            SentMessage::InnerIdentity => "inner identity",
            SentMessage::InnerNak => "inner Nak",
            SentMessage::MschapResponse => "MSCHAPv2 Response",
            SentMessage::GtcResponse => "GTC response (the password, inside the tunnel)",
            SentMessage::Md5Response => "EAP-MD5 response",
            SentMessage::PapCredentials => {
                "TTLS/PAP User-Name and User-Password (inside the tunnel)"
            }
            SentMessage::MschapSuccessAck => "MSCHAPv2 Success acknowledgement",
            SentMessage::MschapFailureAck => "MSCHAPv2 Failure acknowledgement",
            SentMessage::MschapChangePassword => "MSCHAPv2 Change-Password",
            SentMessage::ResultTlv { success: true } => "Result TLV (Success)",
            SentMessage::ResultTlv { success: false } => "Result TLV (Failure)",
            SentMessage::TunnelData => "encrypted message inside the TLS tunnel",
        })
    }
}

/// What was wrong with a Crypto-Binding TLV ([MS-PEAP] §2.2.8.2, §3.2.5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoBindingError {
    /// The Compound MAC does not verify.
    BadMac,
    /// Version is not 0.
    Version(u8),
    /// RecvVersion is not our PEAP version (0).
    ReceivedVersion(u8),
    /// SubType is not Binding Request.
    SubType(u8),
    /// The TLV value is not 56 octets.
    Malformed,
    /// Required by the configuration, but the server sent none.
    Missing,
}

impl Display for CryptoBindingError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CryptoBindingError::BadMac => f.write_str("has a Compound MAC that does not verify"),
            CryptoBindingError::Version(v) => write!(f, "has unsupported version {v}"),
            CryptoBindingError::ReceivedVersion(v) => {
                write!(f, "names PEAP version {v}, not the version 0 we negotiated")
            }
            CryptoBindingError::SubType(s) => write!(f, "has SubType {s}, not Binding Request"),
            CryptoBindingError::Malformed => f.write_str("is malformed"),
            CryptoBindingError::Missing => {
                f.write_str("is missing, and the configuration requires it")
            }
        }
    }
}

/// A success signal that arrived before the inner authentication was complete
/// (the PEAP phase-2 bypass, CVE-2023-52160).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrematureSuccess {
    /// EAP-Success before PEAP started.
    EapSuccessBeforeMethod,
    /// EAP-Success during the TLS handshake.
    EapSuccessInHandshake,
    /// EAP-Success inside the tunnel before the Result TLV exchange finished.
    EapSuccessBeforeResult,
    /// A Result TLV Success before the inner method succeeded.
    ResultTlvBeforeInner,
    /// An MSCHAPv2 Success before our Response.
    MschapSuccessBeforeResponse,
    /// EAP-TLS with TLS 1.3: an EAP-Success before the server's protected success
    /// indication, the one octet 0x00 of application data
    /// ([RFC 9190 §2.5](https://www.rfc-editor.org/rfc/rfc9190#section-2.5)).
    EapSuccessBeforeCommitment,
    /// EAP-TTLS: an EAP-Success before the inner authentication was complete (for
    /// MSCHAPv2, before the server proved that it knows the password).
    EapSuccessBeforeInner,
}

impl Display for PrematureSuccess {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrematureSuccess::EapSuccessBeforeMethod => "an EAP-Success before any method ran",
            PrematureSuccess::EapSuccessInHandshake => "an EAP-Success during the TLS handshake",
            PrematureSuccess::EapSuccessBeforeResult => {
                "an EAP-Success before the inner authentication and Result TLV were complete"
            }
            PrematureSuccess::ResultTlvBeforeInner => {
                "a Result TLV Success before the inner authentication succeeded"
            }
            PrematureSuccess::MschapSuccessBeforeResponse => {
                "an MSCHAPv2 Success before we had sent our Response"
            }
            PrematureSuccess::EapSuccessBeforeCommitment => {
                "an EAP-Success before its TLS 1.3 protected success indication (RFC 9190)"
            }
            PrematureSuccess::EapSuccessBeforeInner => {
                "an EAP-Success inside EAP-TTLS before the inner authentication was complete"
            }
        })
    }
}

/// A broken rule of the protocol, by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolViolation {
    /// A packet of the named kind could not be decoded.
    Malformed {
        /// What it was.
        what: &'static str,
        /// Why.
        error: DecodeError,
    },
    /// A TLS message exceeds the reassembly cap: announced above it, or more fragments
    /// arrived than it allows.
    MessageTooLarge {
        /// The TLS Message Length the server announced, if it announced one.
        announced: Option<u64>,
        /// Octets of the message that had arrived, the refused fragment included.
        arrived: u64,
        /// The configured cap.
        cap: usize,
    },
    /// The fragments did not add up to the announced TLS Message Length.
    FragmentLength {
        /// Announced.
        declared: u64,
        /// Received.
        received: u64,
    },
    /// The server sent data while we still had fragments to send (it should ACK).
    UnexpectedData,
    /// The server insists on a PEAP version we do not speak.
    PeapVersion(u8),
    /// A mandatory TLV we do not understand ([MS-PEAP] §2.2.8).
    UnknownMandatoryTlv(u16),
    /// The server sent a second PEAP Start after the handshake began.
    UnexpectedStart {
        /// The TLS handshake had already completed (the tunnel was up).
        handshake_complete: bool,
    },
    /// A PEAP Start that is not one: a Start carries no L or M flag and no data
    /// ([MS-PEAP] §2.2, [RFC 5216 §3.1](https://www.rfc-editor.org/rfc/rfc5216#section-3.1)).
    MalformedStart {
        /// The L flag (TLS Message Length included) was set.
        length_flag: bool,
        /// The M flag (more fragments) was set.
        more_flag: bool,
        /// Octets of data after the flags (and the length, if any).
        data_len: usize,
    },
    /// More than one Result TLV in one EAP-TLV message: which result is meant is ambiguous.
    MultipleResultTlvs,
    /// EAP-TTLS: a mandatory AVP we do not understand
    /// ([RFC 5281 §10.1](https://www.rfc-editor.org/rfc/rfc5281#section-10.1)).
    UnknownMandatoryAvp {
        /// The Vendor-ID, if the V bit was set.
        vendor: Option<u32>,
        /// The AVP Code.
        code: u32,
    },
    /// An inner packet that makes no sense at this point (named).
    Unexpected(&'static str),
}

impl Display for ProtocolViolation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolViolation::Malformed { what, error } => {
                write!(f, "sent a malformed {what} ({error})")
            }
            ProtocolViolation::MessageTooLarge {
                announced: Some(announced),
                cap,
                ..
            } if *announced > *cap as u64 => write!(
                f,
                "announced a TLS message of {announced} octets, above our cap of {cap}"
            ),
            ProtocolViolation::MessageTooLarge {
                announced: Some(announced),
                arrived,
                cap,
            } => write!(
                f,
                "announced a TLS message of {announced} octets but sent {arrived} octets of fragments, above our cap of {cap}"
            ),
            ProtocolViolation::MessageTooLarge {
                announced: None,
                arrived,
                cap,
            } => write!(
                f,
                "sent {arrived} octets of fragments without announcing a length, above our cap of {cap}"
            ),
            ProtocolViolation::FragmentLength { declared, received } => write!(
                f,
                "sent fragments totalling {received} octets for a TLS message of {declared}"
            ),
            ProtocolViolation::UnexpectedData => {
                f.write_str("sent data instead of acknowledging our fragment")
            }
            ProtocolViolation::PeapVersion(v) => {
                write!(f, "insists on PEAP version {v}; we speak only PEAPv0")
            }
            ProtocolViolation::UnknownMandatoryTlv(t) => {
                write!(f, "sent a mandatory TLV of unknown type {t}")
            }
            ProtocolViolation::UnknownMandatoryAvp {
                vendor: Some(v),
                code,
            } => write!(
                f,
                "sent a mandatory AVP we do not know (vendor {v}, code {code})"
            ),
            ProtocolViolation::UnknownMandatoryAvp { vendor: None, code } => {
                write!(f, "sent a mandatory AVP we do not know (code {code})")
            }
            ProtocolViolation::UnexpectedStart {
                handshake_complete: false,
            } => f.write_str("restarted PEAP (a second Start) in the middle of the TLS handshake"),
            ProtocolViolation::UnexpectedStart {
                handshake_complete: true,
            } => {
                f.write_str("restarted PEAP (a second Start) after the TLS handshake had completed")
            }
            ProtocolViolation::MalformedStart {
                length_flag,
                more_flag,
                data_len,
            } => {
                f.write_str("sent a malformed PEAP Start (a Start has no L or M flag and no data; this one had")?;
                let mut parts = Vec::new();
                if *length_flag {
                    parts.push(String::from("the L flag"));
                }
                if *more_flag {
                    parts.push(String::from("the M flag"));
                }
                if *data_len > 0 {
                    let s = if *data_len == 1 { "" } else { "s" };
                    parts.push(alloc::format!("{data_len} octet{s} of data"));
                }
                f.write_str(" ")?;
                write_list(f, &parts)?;
                f.write_str(")")
            }
            ProtocolViolation::MultipleResultTlvs => f.write_str(
                "sent more than one Result TLV in one message, which makes its result ambiguous",
            ),
            ProtocolViolation::Unexpected(what) => write!(f, "sent {what} out of sequence"),
        }
    }
}

/// A packet from the authenticator that the peer dropped, as RFC 3748 says, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DroppedPacket {
    /// Not a valid EAP packet.
    Malformed(DecodeError),
    /// An EAP-Request without a Type.
    RequestWithoutType,
    /// An EAP-Request of Type Nak (only peers send Nak).
    NakRequest,
    /// A request for another method after PEAP had been selected.
    OtherMethod(MethodType),
    /// A Code a peer does not take (a Response, or an unknown Code).
    UnexpectedCode(u8),
    /// An EAP-Success whose Identifier is not that of our last response, +1 or +2.
    StaleSuccess {
        /// Its Identifier.
        identifier: u8,
        /// The Identifier of our last response.
        last: u8,
    },
}

impl Display for DroppedPacket {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            DroppedPacket::Malformed(e) => write!(f, "malformed ({e})"),
            DroppedPacket::RequestWithoutType => f.write_str("an EAP-Request without a Type"),
            DroppedPacket::NakRequest => {
                f.write_str("an EAP-Request of Type Nak, which only peers send")
            }
            DroppedPacket::OtherMethod(m) => {
                write!(f, "a request for {m} after PEAP had been selected")
            }
            DroppedPacket::UnexpectedCode(c) => {
                write!(f, "an EAP packet with Code {c}, which a peer does not take")
            }
            DroppedPacket::StaleSuccess { identifier, last } => write!(
                f,
                "an EAP-Success with Identifier {identifier}, not {last}, {} or {}",
                last.wrapping_add(1),
                last.wrapping_add(2)
            ),
        }
    }
}

/// The link the EAP conversation ran over, as the transport knows it: hints about
/// silence depend on it (there is no shared secret on an 802.1X port, and no switch port
/// behind a RADIUS client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LowerLayer {
    /// IEEE 802.1X EAPOL: an authenticator (switch port, access point) relays to its
    /// RADIUS server.
    Eapol {
        /// The authenticator had answered our EAPOL-Start (an EAP packet arrived).
        authenticator_answered: bool,
    },
    /// RADIUS, as a NAS: we talk to the RADIUS server ourselves.
    Radius {
        /// A reply had passed the authenticator checks (so address, port and shared
        /// secret are right).
        server_answered: bool,
    },
}

/// Something a diagnosis adds after its hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// The server certificate's dates were checked against a floor, not a clock
    /// ([`CertificateTime::NoClock`](crate::tls::CertificateTime::NoClock)).
    CertificateDatesNotCheckedAgainstClock {
        /// The floor, seconds since the Unix epoch.
        floor: i64,
    },
}

impl Display for Note {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Note::CertificateDatesNotCheckedAgainstClock { floor } => write!(
                f,
                "certificate dates not checked against a clock (no clock; accepted from {} on)",
                crate::tls::cert_info::date_text(*floor)
            ),
        }
    }
}
