//! Why an authentication failed: the phase it reached, the cause as data, and a one-line
//! hint saying what to change.
//!
//! `Display` of a [`crate::Diagnosis`] is one sentence an operator can act on, e.g.
//! `inner authentication: the server rejected the password of "alice" (MSCHAPv2 error 691,
//! retry allowed; server says "bad password"). Hint: check the password ...`.

use crate::method_type::{MethodType, TtlsInner};
use crate::text::write_list;
use crate::tls::{CertificateInfo, CertificateProblem, TlsError, TlsOffer, TlsVersion};
use crate::wire::mschapv2::error_code;
use crate::wire::tls_record::{alert_name, cipher_suite_name};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Display, Formatter};
use core::time::Duration;

mod code;
pub(crate) mod kind;
pub(crate) mod report;

pub use crate::wire::DecodeError;
// Public at the crate root only; this path is for the crate's own code.
pub(crate) use report::Diagnosis;

/// How far the authentication got ([RFC 3748 §2](https://www.rfc-editor.org/rfc/rfc3748#section-2)
/// and the PEAP phases of [MS-PEAP] §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Waiting for the first EAP-Request (EAPOL-Start sent, or RADIUS not answering).
    Start,
    /// EAP-Request/Identity answered.
    Identity,
    /// The server proposed methods; we accepted or NAKed.
    MethodNegotiation,
    /// PEAP phase 1: the TLS handshake.
    TlsHandshake,
    /// The server certificate was checked.
    ServerValidation,
    /// PEAP phase 2: the inner method (EAP-MSCHAPv2).
    InnerAuthentication,
    /// The Crypto-Binding TLV exchange.
    CryptoBinding,
    /// Phase 2 done; waiting for the outer EAP-Success.
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

/// A local network error: our side of the path, not the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalNetworkError {
    /// No route to the server's network (`ENETUNREACH`).
    NetworkUnreachable,
    /// No route to the server (`EHOSTUNREACH`).
    HostUnreachable,
    /// The kernel had no buffer space for the packet (`ENOBUFS`).
    NoBufferSpace,
    /// The link or interface is down (`ENETDOWN`).
    LinkDown,
    /// The interface no longer exists (`ENODEV`, `ENXIO`).
    InterfaceGone,
}

impl Display for LocalNetworkError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocalNetworkError::NetworkUnreachable => "network unreachable",
            LocalNetworkError::HostUnreachable => "host unreachable",
            LocalNetworkError::NoBufferSpace => "no buffer space",
            LocalNetworkError::LinkDown => "link down",
            LocalNetworkError::InterfaceGone => "interface gone",
        })
    }
}

/// Where on our side a [`LocalNetworkError`] happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalEnd {
    /// Our address (RADIUS: the socket's local address, when the kernel had chosen one).
    Address(core::net::IpAddr),
    /// Our interface (EAPOL).
    Interface(String),
    /// Not known (no route, so no source address was chosen).
    Unknown,
}

impl Display for LocalEnd {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            LocalEnd::Address(a) => write!(f, " from {a}"),
            LocalEnd::Interface(i) => write!(f, " on interface {i}"),
            LocalEnd::Unknown => Ok(()),
        }
    }
}

/// A failure below EAP: the RADIUS exchange or the 802.1X port.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFailure {
    /// A RADIUS reply failed its Response Authenticator or Message-Authenticator check.
    WrongSharedSecret,
    /// No reply after every retransmission.
    NoReply {
        /// Requests sent, the first included.
        attempts: u32,
        /// The server had answered earlier requests of this authentication: its address
        /// and secret are right, and the replies were lost on the path or it stopped.
        answered_before: bool,
    },
    /// No EAP-Request after every EAPOL-Start (no authenticator on this port).
    NoAuthenticator {
        /// EAPOL-Starts sent.
        starts: u32,
    },
    /// The RADIUS server sent an Access-Accept whose MS-MPPE keys differ from our MSK.
    KeyMismatch,
    /// Our side could not send: a local network error that lasted through every attempt
    /// (it is retried as a lost packet is, and reported only if it persists).
    LocalNetwork {
        /// The last error.
        error: LocalNetworkError,
        /// Where.
        local: LocalEnd,
        /// Sends that failed with a local error.
        failed_sends: u32,
    },
    /// Every reply lacked a Message-Authenticator and was dropped (required in every reply:
    /// RFC 3579 §3.2, and Blast-RADIUS, CVE-2024-3596).
    NoMessageAuthenticator {
        /// Replies dropped for it.
        replies: u32,
    },
    /// An Access-Accept without an EAP-Success: the server's fault (RFC 3579 §2.6.3); we do
    /// not make one up.
    AcceptWithoutEapSuccess {
        /// The Code of the EAP packet it carried instead, if it carried one.
        eap_code: Option<u8>,
    },
}

impl Display for TransportFailure {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TransportFailure::WrongSharedSecret => {
                f.write_str("the RADIUS reply failed authentication: the shared secret is wrong")
            }
            TransportFailure::NoReply {
                attempts,
                answered_before,
            } => {
                write!(
                    f,
                    "no reply from the RADIUS server after {attempts} attempts"
                )?;
                if *answered_before {
                    f.write_str(", though it had answered our earlier requests")?;
                }
                Ok(())
            }
            TransportFailure::NoAuthenticator { starts } => {
                write!(
                    f,
                    "no EAP-Request after {starts} EAPOL-Start frames: no 802.1X authenticator answers on this port"
                )
            }
            TransportFailure::KeyMismatch => {
                f.write_str("the MS-MPPE keys in the Access-Accept differ from the MSK we derived")
            }
            TransportFailure::LocalNetwork {
                error,
                local,
                failed_sends,
            } => write!(
                f,
                "our side could not send: {error}{local} ({failed_sends} sends failed, the last one included)"
            ),
            TransportFailure::NoMessageAuthenticator { replies } => write!(
                f,
                "the RADIUS server's replies carry no Message-Authenticator, which every reply must (Blast-RADIUS, CVE-2024-3596); {replies} such replies dropped, and none with one answered our last request"
            ),
            TransportFailure::AcceptWithoutEapSuccess { eap_code: None } => f.write_str(
                "the RADIUS server sent an Access-Accept without an EAP-Message, so without the EAP-Success that must end the conversation",
            ),
            TransportFailure::AcceptWithoutEapSuccess {
                eap_code: Some(code),
            } => write!(
                f,
                "the RADIUS server sent an Access-Accept whose EAP-Message is not an EAP-Success (EAP Code {code})"
            ),
        }
    }
}

impl TransportFailure {
    fn hint(&self) -> &'static str {
        match self {
            TransportFailure::WrongSharedSecret => {
                "use the secret configured for this client in the RADIUS server's clients.conf"
            }
            TransportFailure::NoReply {
                answered_before: true,
                ..
            } => {
                "packets were lost between us and the server, or the server stopped: retry (the restart-once option does it automatically), and check the path for loss"
            }
            TransportFailure::NoReply { .. } => {
                "check the server address and port, and the shared secret (FreeRADIUS drops requests with a wrong secret silently)"
            }
            TransportFailure::NoAuthenticator { .. } => {
                "there is no authenticator on this port, or 802.1X is disabled on the switch port: check the port's configuration and that the cable is in the right port"
            }
            TransportFailure::KeyMismatch => {
                "the server derived different keys: report this with a capture"
            }
            TransportFailure::LocalNetwork { .. } => {
                "the fault is on this machine, not the server: check this host's link, interface, address and route (ip link, ip route), then retry"
            }
            TransportFailure::NoMessageAuthenticator { .. } => {
                "make the server send Message-Authenticator in every reply (FreeRADIUS 3.2 does; others need an update or a setting against CVE-2024-3596); if it does, something on the path strips it"
            }
            TransportFailure::AcceptWithoutEapSuccess { .. } => {
                "the RADIUS server (or a proxy on the way) broke RFC 3579: an Access-Accept must carry the EAP-Success; its log and a capture show why"
            }
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

/// Why the wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// No request for this long after our last message.
    Silence(Duration),
    /// The whole authentication took longer than this.
    Overall(Duration),
}

/// The cause of a failure, as data.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Cause {
    /// EAP-MSCHAPv2 Failure with an error code ([RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6)):
    /// 691 wrong password, 646 restricted hours, 647 account disabled, 648 password
    /// expired, 649 no dial-in permission.
    MschapFailure {
        /// The inner identity.
        user: String,
        /// E=.
        error: u32,
        /// R=1.
        retry: bool,
        /// M=, the server's text.
        message: Option<String>,
    },
    /// The server ended phase 2 with a Result TLV Failure after our NT-Response, without an
    /// MSCHAPv2 Failure (FreeRADIUS's stock behaviour for a wrong password or unknown user).
    CredentialsRejected {
        /// The inner identity.
        user: String,
    },
    /// The server aborted the TLS handshake with an alert.
    TlsAlert {
        /// AlertDescription.
        alert: u8,
        /// What our ClientHello offered.
        offered: TlsOffer,
        /// The version and suite the server had chosen, if it got that far.
        chosen: Option<(TlsVersion, u16)>,
    },
    /// The TLS handshake failed for a reason other than an alert from the server or the
    /// certificate (as the TLS library reported it).
    Tls(TlsError),
    /// The server's certificate was rejected.
    CertificateRejected {
        /// Why.
        problem: CertificateProblem,
        /// The leaf certificate, when readable.
        certificate: Option<CertificateInfo>,
    },
    /// The server proposed a method the configuration does not allow and then failed.
    MethodNotAllowed {
        /// The method it proposed.
        proposed: MethodType,
        /// What our Nak offered.
        offered: Vec<MethodType>,
    },
    /// EAP-Failure right after our Identity: the outer identity or its realm was refused.
    RejectedAfterIdentity {
        /// The outer identity we sent.
        outer_identity: String,
        /// The anonymous identity has no realm while the real identity has one, so a
        /// federation (eduroam) cannot route the request.
        anonymous_without_realm: bool,
    },
    /// EAP-Failure with no reason we can name.
    FailureWithoutReason {
        /// The last message we sent.
        after: SentMessage,
    },
    /// A Result TLV Failure with no MSCHAPv2 reason.
    ServerResultFailure,
    /// EAP-Failure after we had answered a Result TLV Success.
    RejectedAfterInnerSuccess {
        /// Whether we answered a Crypto-Binding TLV.
        cryptobinding: bool,
    },
    /// No answer in time.
    Timeout {
        /// Which limit.
        kind: TimeoutKind,
        /// The message that went unanswered.
        last_sent: SentMessage,
        /// The server's last packet, if it was dropped: what was wrong with it.
        dropped: Option<DroppedPacket>,
    },
    /// More requests than the round limit.
    TooManyRounds {
        /// The limit.
        limit: u32,
        /// The last message we sent.
        last_sent: SentMessage,
    },
    /// The MSCHAPv2 authenticator response does not prove the server knows the password.
    AuthenticatorResponseMismatch,
    /// The Crypto-Binding TLV did not verify.
    CryptoBinding(CryptoBindingError),
    /// A success signal before the inner authentication was complete.
    PrematureSuccess(PrematureSuccess),
    /// Inside the tunnel the server asked for a method the configuration refuses.
    InnerMethodRefused {
        /// What it asked for.
        proposed: MethodType,
        /// What our inner Nak offered.
        offered: Vec<MethodType>,
    },
    /// The server broke a protocol rule.
    Protocol(ProtocolViolation),
    /// The lower layer went down (link lost, port unauthorized, Logoff).
    LowerLayerDown,
    /// The crypto provider's random generator failed.
    RandomFailure,
    /// The transport could not reach the authenticator, or the link to it is misconfigured.
    Transport(TransportFailure),
    /// EAP-TLS: the server refused our client certificate (the TLS alert it sent after our
    /// certificate: bad_certificate, unknown_ca, certificate_expired, access_denied, ...).
    ClientCertificateRejected {
        /// AlertDescription.
        alert: u8,
    },
    /// EAP-TLS: the server answered EAP-Failure after our client certificate went out,
    /// without a TLS alert (FreeRADIUS does so for a certificate it refuses).
    FailureAfterClientCertificate,
    /// The server ended phase 2 with a Result TLV Failure after the password went to it in
    /// the clear inside the tunnel (inner EAP-GTC): the password or user name is wrong.
    PasswordRejected {
        /// The inner identity.
        user: String,
        /// The inner method that carried the password.
        method: MethodType,
    },
    /// EAP-MD5: the server answered EAP-Failure to our response, its only verdict: the
    /// password or user name is wrong (or the user may not use EAP-MD5).
    Md5Rejected {
        /// The identity the hash was made for (the outer identity: there is no other).
        user: String,
    },
    /// The server answered EAP-Failure to our ClientHello without choosing a cipher suite.
    HandshakeRejected {
        /// What our ClientHello offered.
        offered: TlsOffer,
    },
    /// The server ended the session (EAP-Failure, Access-Reject) without a verdict: inside
    /// the tunnel with no Result TLV and no MSCHAPv2 Failure, or in answer to a message we
    /// had sent more than once. Most likely a reply was lost and the server no longer
    /// matched our retransmission; nothing says the credentials were wrong.
    EndedWithoutVerdict {
        /// Our last message: the one the failure answered.
        after: SentMessage,
        /// How many times we had sent it (more than 1: retransmitted).
        sent: u32,
    },
    /// EAP-TTLS with inner PAP or MSCHAPv2 (AVPs) or EAP-MSCHAPv2 without an MSCHAPv2
    /// Failure: the server answered EAP-Failure to our credentials inside the tunnel. TTLS
    /// has no verdict inside the tunnel for these; this EAP-Failure is the server's.
    TtlsCredentialsRejected {
        /// The inner identity.
        user: String,
        /// The inner method that carried the credentials.
        inner: TtlsInner,
    },
}

/// A cipher suite by its IANA name (its value in hex when unknown).
pub(crate) struct Suite(pub(crate) u16);

impl Display for Suite {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match cipher_suite_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

/// A TLS alert as the sentences write it: `unknown_ca (48)`, or its number.
pub(crate) struct Alert(pub(crate) u8);

impl Display for Alert {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match alert_name(self.0) {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

fn write_offer(f: &mut Formatter<'_>, offered: &TlsOffer) -> fmt::Result {
    f.write_str("we offered ")?;
    write_list(f, &offered.versions)?;
    f.write_str(" with ")?;
    let suites: Vec<Suite> = offered.cipher_suites.iter().map(|&s| Suite(s)).collect();
    write_list(f, &suites)
}

fn write_certificate(f: &mut Formatter<'_>, cert: &Option<CertificateInfo>) -> fmt::Result {
    match cert {
        Some(c) => write!(f, "the server certificate {c}"),
        None => f.write_str("the server certificate"),
    }
}

/// TLS 1.3 / 1.2 alert descriptions that mean "no common parameters".
const ALERT_HANDSHAKE_FAILURE: u8 = 40;
const ALERT_PROTOCOL_VERSION: u8 = 70;
const ALERT_INSUFFICIENT_SECURITY: u8 = 71;

impl Display for Cause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Cause::MschapFailure { user, error, retry, message } => {
                let what = match *error {
                    error_code::AUTHENTICATION_FAILURE => "rejected the password of",
                    error_code::RESTRICTED_LOGON_HOURS => "refused logon at this time of day for",
                    error_code::ACCT_DISABLED => "reports the account disabled:",
                    error_code::PASSWD_EXPIRED => "reports the password expired for",
                    error_code::NO_DIALIN_PERMISSION => "reports no dial-in (network access) permission for",
                    _ => "rejected",
                };
                let retry = if *retry { "retry allowed" } else { "no retry allowed" };
                write!(f, "the server {what} \"{user}\" (MSCHAPv2 error {error}, {retry}")?;
                if let Some(m) = message {
                    write!(f, "; server says \"{m}\"")?;
                }
                f.write_str(")")
            }
            Cause::CredentialsRejected { user } => write!(
                f,
                "the server rejected the credentials of \"{user}\" after our MSCHAPv2 Response (a Result TLV Failure without an MSCHAPv2 error code)"
            ),
            Cause::TlsAlert { alert, offered, chosen } => {
                write!(f, "the server aborted the TLS handshake with alert {}", Alert(*alert))?;
                match chosen {
                    Some((v, s)) => write!(f, " after choosing {v} with {}", Suite(*s))?,
                    None => f.write_str(" before choosing a cipher suite")?,
                }
                f.write_str("; ")?;
                write_offer(f, offered)
            }
            Cause::Tls(e) => write!(f, "the TLS handshake failed: {e}"),
            Cause::CertificateRejected { problem, certificate } => {
                write_certificate(f, certificate)?;
                write!(f, " {problem}")
            }
            Cause::MethodNotAllowed { proposed, offered } => {
                write!(f, "the server proposed {proposed}, which the configuration does not allow")?;
                if let Some(why) = unprotected(*proposed) {
                    write!(f, " ({why})")?;
                }
                f.write_str("; we answered with a Nak offering ")?;
                write_list(f, offered)?;
                f.write_str(" and the server answered EAP-Failure")
            }
            Cause::RejectedAfterIdentity { outer_identity, anonymous_without_realm } => {
                write!(f, "the server answered EAP-Failure right after our identity \"{outer_identity}\"")?;
                if *anonymous_without_realm {
                    f.write_str("; the anonymous identity has no realm while the user's identity has one, so a federation such as eduroam cannot route it")?;
                }
                Ok(())
            }
            Cause::FailureWithoutReason { after } => {
                write!(f, "the server answered EAP-Failure after our {after}, with no reason given")
            }
            Cause::ServerResultFailure => {
                f.write_str("the server ended the tunnel with a Result TLV Failure, with no reason given")
            }
            Cause::RejectedAfterInnerSuccess { cryptobinding } => {
                f.write_str("the server sent EAP-Failure after the inner authentication succeeded")?;
                if *cryptobinding {
                    f.write_str(" and we answered its Crypto-Binding TLV")?;
                }
                Ok(())
            }
            Cause::Timeout {
                kind: TimeoutKind::Silence(d),
                last_sent,
                dropped: None,
            } => write!(
                f,
                "no answer from the server to our {last_sent} within {} s",
                d.as_secs()
            ),
            Cause::Timeout {
                kind: TimeoutKind::Silence(d),
                last_sent,
                dropped: Some(dropped),
            } => write!(
                f,
                "the server's last message was dropped as {dropped}, and then nothing came from it for {} s (our last message: {last_sent})",
                d.as_secs()
            ),
            Cause::Timeout {
                kind: TimeoutKind::Overall(d),
                last_sent,
                dropped,
            } => {
                write!(
                    f,
                    "the authentication did not finish within {} s (last sent: {last_sent}",
                    d.as_secs()
                )?;
                if let Some(dropped) = dropped {
                    write!(f, "; the server's last message was dropped as {dropped}")?;
                }
                f.write_str(")")
            }
            Cause::TooManyRounds { limit, last_sent } => write!(
                f,
                "the server sent more than {limit} requests without finishing (last sent: {last_sent})"
            ),
            Cause::AuthenticatorResponseMismatch => f.write_str(
                "the server's MSCHAPv2 Success does not prove that it knows the password (authenticator response mismatch)",
            ),
            Cause::CryptoBinding(e) => write!(f, "the server's Crypto-Binding TLV {e}"),
            Cause::PrematureSuccess(p @ PrematureSuccess::EapSuccessBeforeCommitment) => {
                write!(f, "the server sent {p}; refusing it")
            }
            Cause::PrematureSuccess(p @ PrematureSuccess::EapSuccessBeforeInner) => write!(
                f,
                "the server sent {p}; refusing it (the phase-2 bypass of CVE-2023-52160, in TTLS)"
            ),
            Cause::PrematureSuccess(p) => write!(
                f,
                "the server sent {p}; refusing it (the PEAP phase-2 bypass of CVE-2023-52160)"
            ),
            Cause::PasswordRejected { user, method } => write!(
                f,
                "the server rejected the password of \"{user}\" after our {method} response inside the tunnel (a Result TLV Failure)"
            ),
            Cause::Md5Rejected { user } => write!(
                f,
                "the server answered EAP-Failure to our EAP-MD5 response for \"{user}\": the password or user name is wrong"
            ),
            Cause::FailureAfterClientCertificate => f.write_str(
                "the server answered EAP-Failure after our client certificate and Finished, without a TLS alert",
            ),
            Cause::ClientCertificateRejected { alert } => write!(
                f,
                "the server refused our client certificate with alert {}",
                Alert(*alert)
            ),
            Cause::InnerMethodRefused { proposed, offered } => {
                write!(f, "inside the tunnel the server asked for {proposed}, which the configuration refuses; we answered with a Nak offering ")?;
                write_list(f, offered)
            }
            Cause::Protocol(v) => write!(f, "the server {v}"),
            Cause::LowerLayerDown => f.write_str("the link went down during the authentication"),
            Cause::RandomFailure => f.write_str("the random number generator failed"),
            Cause::Transport(t) => write!(f, "{t}"),
            Cause::HandshakeRejected { offered } => {
                f.write_str("the server answered EAP-Failure to our TLS ClientHello without choosing a cipher suite; ")?;
                write_offer(f, offered)
            }
            Cause::EndedWithoutVerdict { after, sent } if *sent > 1 => write!(
                f,
                "the server ended the session without giving a reason, in answer to our retransmitted {after} (sent {sent} times): most likely its reply to an earlier copy was lost and it no longer matched our retransmission"
            ),
            Cause::EndedWithoutVerdict { after, .. } => write!(
                f,
                "the server ended the session after our {after} without a verdict inside the tunnel (no Result TLV, no MSCHAPv2 Failure): most likely it had lost the session, e.g. after a lost reply"
            ),
            Cause::TtlsCredentialsRejected { user, inner } => write!(
                f,
                "the server rejected the credentials of \"{user}\" (EAP-Failure right after our TTLS/{inner} credentials inside the validated tunnel)"
            ),
        }
    }
}

/// The constructors the live methods and the capture explainer share, so that a failure
/// seen live and the same failure read from a capture are reasoned and worded once.
impl Cause {
    /// The cause of an MSCHAPv2 Failure packet's text `E=... R=... M=...`
    /// ([RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6)) for `user`; text
    /// that does not parse is the server's verdict kept whole as the message, error 0.
    pub(crate) fn mschap_failure(user: String, text: &[u8]) -> Cause {
        match crate::wire::mschapv2::FailureMessage::parse(text) {
            Ok(m) => Cause::MschapFailure {
                user,
                error: m.error,
                retry: m.retry,
                message: m.message.map(|t| String::from_utf8_lossy(t).into_owned()),
            },
            Err(_) => Cause::MschapFailure {
                user,
                error: 0,
                retry: false,
                message: Some(String::from_utf8_lossy(text).into_owned()),
            },
        }
    }

    /// EAP-Failure right after our Identity, sent as `outer_identity`: the realm is the
    /// likely reason when the user's identity (`identity`, if known) has one and the outer
    /// identity does not.
    pub(crate) fn rejected_after_identity(outer_identity: &str, identity: Option<&str>) -> Cause {
        let has_realm = |s: &str| s.contains('@');
        Cause::RejectedAfterIdentity {
            outer_identity: outer_identity.into(),
            anonymous_without_realm: identity.is_some_and(has_realm) && !has_realm(outer_identity),
        }
    }

    /// One line saying what to change.
    pub fn hint(&self) -> &'static str {
        match self {
            Cause::MschapFailure { error, .. } => match *error {
                error_code::AUTHENTICATION_FAILURE => {
                    "check the password and the user name (inner identity)"
                }
                error_code::RESTRICTED_LOGON_HOURS => {
                    "the account may only log on at certain hours; ask the directory administrator"
                }
                error_code::ACCT_DISABLED => {
                    "the account is disabled in the directory; ask its administrator to enable it"
                }
                error_code::PASSWD_EXPIRED => {
                    "change the password (e.g. on a domain workstation or the web portal), then retry"
                }
                error_code::NO_DIALIN_PERMISSION => {
                    "the account lacks network access permission (dial-in tab or NPS policy); ask the administrator"
                }
                _ => "look up the MSCHAPv2 error code in the server's log",
            },
            Cause::CredentialsRejected { .. } => {
                "check the user name and password; the RADIUS log says which (FreeRADIUS sends E=691 with send_error = yes)"
            }
            Cause::TlsAlert { alert, chosen, .. } => match (*alert, chosen) {
                (ALERT_PROTOCOL_VERSION, _) => {
                    "no common TLS version: allow TLS 1.2 on the server (or TLS 1.3 on both sides)"
                }
                (ALERT_HANDSHAKE_FAILURE | ALERT_INSUFFICIENT_SECURITY, None) => {
                    "no common cipher suite: the server likely allows only RSA key exchange or CBC suites; enable an ECDHE suite with AES-GCM or ChaCha20 on the server"
                }
                _ => "read the RADIUS server's log for why it aborted the handshake",
            },
            Cause::Tls(_) => {
                "compare the server's TLS settings with ours; a capture of the handshake shows the disagreement"
            }
            Cause::CertificateRejected { problem, .. } => match problem {
                CertificateProblem::NameMismatch { .. } => {
                    "set the server name (domain match or domain suffix) to one of the certificate's names, if this is your network"
                }
                CertificateProblem::UnknownIssuer => {
                    "configure the CA that signed the RADIUS server's certificate; if you did, this may not be the real network"
                }
                CertificateProblem::Expired | CertificateProblem::NotValidYet => {
                    "check this device's clock; if it is right, the server certificate must be renewed"
                }
                CertificateProblem::ExpiredBeforeFloor { .. } => {
                    "the server certificate expired before this device's date floor: it must be renewed (or the floor is wrong)"
                }
                CertificateProblem::MalformedSubjectAltName => {
                    "the certificate's subjectAltName is not valid DER, so none of its names can be trusted: have it reissued; do not send credentials to this network until then"
                }
                _ => {
                    "the server's certificate is unusable; do not send credentials to this network"
                }
            },
            Cause::MethodNotAllowed { .. } => {
                "enable one of the offered methods on the server for this realm, or allow the proposed one here if it is intended"
            }
            Cause::RejectedAfterIdentity {
                anonymous_without_realm: true,
                ..
            } => "use an anonymous identity with the realm, e.g. \"anonymous@example.org\"",
            Cause::RejectedAfterIdentity { .. } => {
                "check that the server accepts this outer identity and realm"
            }
            Cause::FailureWithoutReason { .. } | Cause::ServerResultFailure => {
                "the server's log says why; check the identity, realm and method configuration"
            }
            Cause::RejectedAfterInnerSuccess { .. } => {
                "the password was right; an authorization policy refused the login, or the server did not accept our cryptobinding"
            }
            Cause::Timeout {
                dropped: Some(_), ..
            } => {
                "the server sent something we could not use and did not follow up: a capture and the server's log show what it sent"
            }
            Cause::Timeout { .. } => {
                "check that the server is reachable and, for RADIUS, that the shared secret is right (servers drop requests with a wrong secret silently)"
            }
            Cause::TooManyRounds { .. } => {
                "the server keeps the conversation going without concluding; check its configuration"
            }
            Cause::AuthenticatorResponseMismatch => {
                "the server does not know the password: this may not be the real network; do not trust it"
            }
            Cause::CryptoBinding(CryptoBindingError::Missing) => {
                "allow servers without cryptobinding (policy optional) if this server cannot send it"
            }
            Cause::CryptoBinding(_) => {
                "the tunnel and the inner authentication may not end at the same server (possible man in the middle); do not trust this network"
            }
            Cause::PrematureSuccess(PrematureSuccess::EapSuccessBeforeCommitment) => {
                "this server ended EAP-TLS before it had finished TLS 1.3: it may be an impostor, or it predates RFC 9190; do not trust it"
            }
            Cause::PrematureSuccess(_) => {
                "this server skipped the inner authentication: it may be an impostor; do not trust it"
            }
            Cause::PasswordRejected { .. } | Cause::Md5Rejected { .. } => {
                "check the user name and password; the server's log says which"
            }
            Cause::FailureAfterClientCertificate => {
                "the server most likely refused our client certificate (a CA it does not trust, expired, revoked, or a name it does not accept); its log says which"
            }
            Cause::ClientCertificateRejected { .. } => {
                "have the client certificate issued by a CA the RADIUS server trusts for EAP-TLS, and check that it is not expired or revoked (the server's log names the reason)"
            }
            Cause::InnerMethodRefused { .. } => {
                "configure the server to use EAP-MSCHAPv2 inside PEAP, or allow the inner method here if that is intended"
            }
            Cause::Protocol(_) => {
                "the server does not follow the protocol; a capture and the server's log show where"
            }
            Cause::LowerLayerDown => "check the link (cable, association) and retry",
            Cause::RandomFailure => {
                "the platform's entropy source is broken; fix the crypto provider"
            }
            Cause::Transport(t) => t.hint(),
            Cause::HandshakeRejected { .. } => {
                "no common TLS version or cipher suite, most likely: compare the server's TLS settings (tls_min_version, cipher_list) with what we offered"
            }
            Cause::TtlsCredentialsRejected { .. } => {
                "check the user name and password (inner identity); the server's log says which"
            }
            Cause::EndedWithoutVerdict { .. } => {
                "nothing says the credentials are wrong: retry (the restart-once option does it automatically); if it recurs, look for packet loss between us and the server, and read the server's log"
            }
        }
    }

    /// The cause of a failure that answered a message we had sent `sent` times: when that
    /// is more than once and the cause was inferred only from when the failure came (no
    /// verdict from the server before it), the failure more likely means the server lost
    /// the session after a lost reply, and the cause becomes
    /// [`Cause::EndedWithoutVerdict`] naming the retransmitted message. Causes the server
    /// stated (an MSCHAPv2 Failure, a Result TLV Failure) and the rejection of a first
    /// Identity (which carries no server session to lose) stay.
    pub fn answering_retransmission(self, sent: u32) -> Cause {
        if sent <= 1 {
            return self;
        }
        let after = match self {
            Cause::FailureWithoutReason { after } | Cause::EndedWithoutVerdict { after, .. } => {
                after
            }
            Cause::HandshakeRejected { .. } => SentMessage::ClientHello,
            Cause::RejectedAfterInnerSuccess { .. } => SentMessage::ResultTlv { success: true },
            Cause::TtlsCredentialsRejected { inner, .. } => match inner {
                TtlsInner::Pap => SentMessage::PapCredentials,
                _ => SentMessage::MschapResponse,
            },
            Cause::MethodNotAllowed { .. } => SentMessage::Nak,
            other => return other,
        };
        Cause::EndedWithoutVerdict { after, sent }
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

/// Why a method proposed outside a tunnel is never allowed: what it would expose.
fn unprotected(method: MethodType) -> Option<&'static str> {
    match method {
        MethodType::Md5Challenge => Some(
            "outside a tunnel it would send a hash of the password that can be cracked offline, and it authenticates no server",
        ),
        MethodType::Gtc | MethodType::Otp => Some(
            "outside a tunnel it would send the password in the clear to a server nobody authenticated",
        ),
        MethodType::MsChapV2 => Some(
            "outside a tunnel it would expose the MSCHAPv2 exchange, which can be cracked offline, to a server nobody authenticated",
        ),
        _ => None,
    }
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
