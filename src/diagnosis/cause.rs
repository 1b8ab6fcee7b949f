//! The cause of a failure as data ([`Cause`]), its sentence (`Display`), its hint, and
//! the constructors the live methods and the capture explainer share. Its stable code is in
//! `code.rs`, its class in `kind.rs`.

use super::transport::TransportFailure;
use super::{CryptoBindingError, DroppedPacket, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::method_type::{MethodType, TeapInner, TtlsInner};
use crate::text::write_list;
use crate::tls::{CertificateInfo, CertificateProblem, TlsError, TlsOffer, TlsVersion};
use crate::wire::mschapv2::error_code;
use crate::wire::tls_record::{alert_name, cipher_suite_name};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Display, Formatter};
use core::time::Duration;

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
    /// The server refused our MSCHAPv2 password change
    /// ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)): its Failure
    /// after our Change-Password said 709 (ERROR_CHANGING_PASSWORD: the new password was
    /// not stored) or 648 again (the password is still expired).
    PasswordChangeRefused {
        /// The inner identity.
        user: String,
        /// E=: 709 or 648.
        error: u32,
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
    /// TEAP: the server rejected one identity's inner authentication (EAP-Failure or an
    /// Intermediate-Result / Result Failure after our credentials for it inside the
    /// validated tunnel).
    TeapInnerRejected {
        /// The machine identity (Identity-Type Machine) rather than the user.
        machine: bool,
        /// Its identity.
        user: String,
        /// The inner authentication that carried the credentials.
        inner: TeapInner,
    },
    /// TEAP: the server sent an Error TLV
    /// ([RFC 9930 §4.2.6](https://www.rfc-editor.org/rfc/rfc9930#section-4.2.6)).
    TeapError {
        /// Its code (named in the sentence when known: 2001 Tunnel Compromise, ...).
        code: u32,
        /// It came while the machine identity was authenticated.
        machine: bool,
    },
    /// TEAP: the server asked for an identity (Identity-Type TLV) we have no credential
    /// for.
    TeapNoCredential {
        /// It asked for the machine.
        machine: bool,
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
                    error_code::CHANGING_PASSWORD => "reports a failed password change for",
                    _ => "rejected",
                };
                let retry = if *retry { "retry allowed" } else { "no retry allowed" };
                write!(f, "the server {what} \"{user}\" (MSCHAPv2 error {error}, {retry}")?;
                if let Some(m) = message {
                    write!(f, "; server says \"{m}\"")?;
                }
                f.write_str(")")
            }
            Cause::PasswordChangeRefused { user, error, message } => {
                match *error {
                    error_code::PASSWD_EXPIRED => write!(
                        f,
                        "the server still reports the password of \"{user}\" expired after our password change (MSCHAPv2 error 648 answering our Change-Password"
                    )?,
                    _ => write!(
                        f,
                        "the server refused to change the password of \"{user}\" (MSCHAPv2 error {error} answering our Change-Password"
                    )?,
                }
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
            Cause::TeapInnerRejected {
                machine,
                user,
                inner,
            } => write!(
                f,
                "the server rejected the {} identity \"{user}\" in its TEAP inner {inner} authentication",
                who(*machine)
            ),
            Cause::TeapError { code, machine } => write!(
                f,
                "the server sent TEAP Error {} while the {} identity was authenticated",
                TeapErrorName(*code),
                who(*machine)
            ),
            Cause::TeapNoCredential { machine } => write!(
                f,
                "the server asked for the {} identity (TEAP Identity-Type), and we have no credential for it",
                who(*machine)
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

    /// The same MSCHAPv2 Failure when it answered our Change-Password: 709 or a second
    /// 648 is the change refused ([`Cause::PasswordChangeRefused`]); anything else stays.
    pub(crate) fn after_password_change(self) -> Cause {
        match self {
            Cause::MschapFailure {
                user,
                error: error @ (error_code::PASSWD_EXPIRED | error_code::CHANGING_PASSWORD),
                message,
                ..
            } => Cause::PasswordChangeRefused {
                user,
                error,
                message,
            },
            other => other,
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
            Cause::MschapFailure { error, retry, .. } => match *error {
                error_code::AUTHENTICATION_FAILURE if *retry => {
                    "check the password and the user name (inner identity); the server allows a retry within the session: radius_auth --retry-password P (Limits::mschapv2_retries with ConfigBuilder::retry_password)"
                }
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
                    "the password has expired: give a new one to change it within the authentication (radius_auth --new-password, or ConfigBuilder::new_password), or change it elsewhere (a domain workstation, the web portal), then retry"
                }
                error_code::CHANGING_PASSWORD => {
                    "the server could not store a new password; try another one or ask the directory administrator"
                }
                error_code::NO_DIALIN_PERMISSION => {
                    "the account lacks network access permission (dial-in tab or NPS policy); ask the administrator"
                }
                _ => "look up the MSCHAPv2 error code in the server's log",
            },
            Cause::PasswordChangeRefused { error, .. } => match *error {
                error_code::PASSWD_EXPIRED => {
                    "the change was accepted but the account is still marked expired: the server's password-change back end (FreeRADIUS: mschap passchange) did not clear the expiry; ask the administrator"
                }
                _ => {
                    "the new password was not stored: it may break the password policy (length, complexity, history) or the server's password-change back end failed (FreeRADIUS: mschap passchange); try another new password or ask the administrator"
                }
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
            Cause::TeapInnerRejected {
                inner: TeapInner::Tls,
                ..
            } => {
                "check that identity's client certificate (issued by a CA the server trusts for EAP-TLS, not expired or revoked); the server's log says why"
            }
            Cause::TeapInnerRejected { .. } => {
                "check that identity's user name and password; the server's log says which"
            }
            Cause::TeapError { .. } => {
                "the error code says what the server refused; its log has the detail"
            }
            Cause::TeapNoCredential { machine: true } => {
                "configure a machine credential (machine identity with a password or certificate), or have the server ask for the user only (identity_types)"
            }
            Cause::TeapNoCredential { machine: false } => {
                "configure the user's credential, or have the server ask for the machine only (identity_types)"
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

/// "machine" or "user".
fn who(machine: bool) -> &'static str {
    if machine { "machine" } else { "user" }
}

/// A TEAP Error TLV code by its RFC 9930 §4.2.6 name, with the number.
pub(crate) struct TeapErrorName(pub(crate) u32);

impl Display for TeapErrorName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            1 => "User account credentials incorrect",
            2 => "User account credentials expired",
            3 => "User account credentials locked",
            4 => "Machine account credentials incorrect",
            5 => "Machine account credentials expired",
            6 => "Machine account credentials locked",
            1001 => "Inner Method Error",
            1002 => "Unspecified authentication infrastructure problem",
            1003 => "Unspecified authentication failure",
            1004 => "Unspecified authorization failure",
            1005 => "User account credentials unavailable",
            1006 => "User account expired",
            1007 => "User account locked",
            1008 => "User account disabled",
            1009 => "Machine account credentials unavailable",
            1010 => "Machine account expired",
            1011 => "Machine account locked",
            1012 => "Machine account disabled",
            2001 => "Tunnel Compromise Error",
            2002 => "Unexpected TLVs Exchanged",
            _ => return write!(f, "{}", self.0),
        };
        write!(f, "{} ({name})", self.0)
    }
}
