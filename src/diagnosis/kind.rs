//! A small, stable classification of failures, so an application can branch on what to
//! tell its user without knowing each server's dialect (FreeRADIUS's Result TLV Failure
//! and Windows NPS's MSCHAPv2 `E=691` both mean a wrong password).

use super::{Cause, CryptoBindingError, Diagnosis, LocalNetworkError, TransportFailure};
use crate::tls::TlsErrorKind;
use crate::wire::mschapv2::error_code;
use core::fmt::{self, Display, Formatter};

/// What kind of failure a [`Diagnosis`] is, for programs: a few classes that stay stable
/// while [`Cause`] grows. Each has a snake_case name ([`FailureKind::as_str`]) that the
/// JSON report uses as `cause.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The server refused what identifies us: the password or user name (an MSCHAPv2
    /// `E=691` as well as FreeRADIUS's bare Result TLV Failure, a GTC, PAP or EAP-MD5
    /// rejection), or our client certificate (EAP-TLS).
    BadCredentials,
    /// The credentials may be right but the account may not log on: restricted hours,
    /// disabled, password expired, no network access permission (MSCHAPv2 `E=646`–`649`).
    AccountRestricted,
    /// The server refused without saying the credentials were wrong: the outer identity or
    /// realm, an authorization policy after a successful inner method, or no reason given.
    AccessDenied,
    /// We refused the server: its certificate (untrusted CA, name, dates), a server that
    /// did not prove it knows the password, a cryptobinding that does not verify, or a
    /// premature success (CVE-2023-52160). Do not send credentials to this network.
    UntrustedServer,
    /// No common ground: no common TLS version or cipher suite, or no EAP method (outer or
    /// inner) both sides allow.
    NegotiationFailed,
    /// The server broke a protocol rule, never concluded, or sent keys or replies that do
    /// not hold up.
    ServerMisbehaved,
    /// Nobody answered: no reply from the RADIUS server, no 802.1X authenticator on the
    /// port, or our side could not send.
    Unreachable,
    /// The server answered and then fell silent, or the authentication took too long.
    Timeout,
    /// The server ended the session without a verdict, most likely after a lost reply:
    /// starting again may succeed.
    Interrupted,
    /// The link went down or the interface disappeared.
    LinkDown,
    /// The fault is on this side: a wrong RADIUS shared secret, a failed random generator,
    /// or a local TLS error.
    LocalError,
}

impl FailureKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [FailureKind] = &[
        FailureKind::BadCredentials,
        FailureKind::AccountRestricted,
        FailureKind::AccessDenied,
        FailureKind::UntrustedServer,
        FailureKind::NegotiationFailed,
        FailureKind::ServerMisbehaved,
        FailureKind::Unreachable,
        FailureKind::Timeout,
        FailureKind::Interrupted,
        FailureKind::LinkDown,
        FailureKind::LocalError,
    ];

    /// The stable snake_case name (`bad_credentials`, `untrusted_server`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureKind::BadCredentials => "bad_credentials",
            FailureKind::AccountRestricted => "account_restricted",
            FailureKind::AccessDenied => "access_denied",
            FailureKind::UntrustedServer => "untrusted_server",
            FailureKind::NegotiationFailed => "negotiation_failed",
            FailureKind::ServerMisbehaved => "server_misbehaved",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Timeout => "timeout",
            FailureKind::Interrupted => "interrupted",
            FailureKind::LinkDown => "link_down",
            FailureKind::LocalError => "local_error",
        }
    }
}

impl Display for FailureKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Cause {
    /// The class of this cause (see [`FailureKind`]).
    pub fn kind(&self) -> FailureKind {
        use FailureKind as K;
        match self {
            Cause::MschapFailure { error, .. } => match *error {
                error_code::RESTRICTED_LOGON_HOURS
                | error_code::ACCT_DISABLED
                | error_code::PASSWD_EXPIRED
                | error_code::NO_DIALIN_PERMISSION => K::AccountRestricted,
                _ => K::BadCredentials,
            },
            // The account needs its password changed before it may log on.
            Cause::PasswordChangeRefused { .. } => K::AccountRestricted,
            Cause::CredentialsRejected { .. }
            | Cause::PasswordRejected { .. }
            | Cause::Md5Rejected { .. }
            | Cause::TtlsCredentialsRejected { .. }
            | Cause::TeapInnerRejected { .. }
            | Cause::ClientCertificateRejected { .. }
            | Cause::FailureAfterClientCertificate => K::BadCredentials,
            Cause::RejectedAfterIdentity { .. }
            | Cause::RejectedAfterInnerSuccess { .. }
            | Cause::FailureWithoutReason { .. }
            | Cause::ServerResultFailure => K::AccessDenied,
            Cause::CryptoBinding(CryptoBindingError::Missing) => K::NegotiationFailed,
            Cause::TeapError { code, .. } => match code {
                1..=6 => K::BadCredentials,
                1006..=1008 | 1010..=1012 => K::AccountRestricted,
                2001 => K::UntrustedServer,
                2002 => K::ServerMisbehaved,
                _ => K::AccessDenied,
            },
            Cause::TeapNoCredential { .. } => K::NegotiationFailed,
            Cause::CertificateRejected { .. }
            | Cause::AuthenticatorResponseMismatch
            | Cause::CryptoBinding(_)
            | Cause::PrematureSuccess(_) => K::UntrustedServer,
            Cause::TlsAlert { .. }
            | Cause::HandshakeRejected { .. }
            | Cause::MethodNotAllowed { .. }
            | Cause::InnerMethodRefused { .. } => K::NegotiationFailed,
            Cause::Tls(e) => match e.kind {
                TlsErrorKind::Incompatible => K::NegotiationFailed,
                TlsErrorKind::Local | TlsErrorKind::Random => K::LocalError,
                _ => K::ServerMisbehaved,
            },
            Cause::Protocol(_) | Cause::TooManyRounds { .. } => K::ServerMisbehaved,
            Cause::Timeout { .. } => K::Timeout,
            Cause::EndedWithoutVerdict { .. } => K::Interrupted,
            Cause::LowerLayerDown => K::LinkDown,
            Cause::RandomFailure => K::LocalError,
            Cause::Transport(t) => match t {
                TransportFailure::WrongSharedSecret => K::LocalError,
                TransportFailure::NoReply {
                    answered_before: true,
                    ..
                } => K::Timeout,
                TransportFailure::NoReply { .. } | TransportFailure::NoAuthenticator { .. } => {
                    K::Unreachable
                }
                TransportFailure::LocalNetwork {
                    error: LocalNetworkError::LinkDown | LocalNetworkError::InterfaceGone,
                    ..
                } => K::LinkDown,
                TransportFailure::LocalNetwork { .. }
                | TransportFailure::ConnectionRefused { .. } => K::Unreachable,
                TransportFailure::KeyMismatch
                | TransportFailure::NoMessageAuthenticator { .. }
                | TransportFailure::AcceptWithoutEapSuccess { .. } => K::ServerMisbehaved,
            },
        }
    }
}

impl Diagnosis {
    /// The class of this failure (see [`FailureKind`]): what an application branches on,
    /// e.g. to ask for the password again on [`FailureKind::BadCredentials`] and to warn of
    /// an impostor on [`FailureKind::UntrustedServer`].
    pub fn kind(&self) -> FailureKind {
        self.cause.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::{
        LocalEnd, Phase, PrematureSuccess, ProtocolViolation, SentMessage, TimeoutKind,
    };
    use crate::method_type::MethodType;
    use crate::method_type::TtlsInner;
    use crate::tls::{CertificateProblem, TlsError, TlsOffer};
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;
    use core::time::Duration;

    /// The position of a cause's variant in [`Cause`]; no wildcard, so a new variant does
    /// not compile until it is listed here and classified.
    fn variant(c: &Cause) -> usize {
        match c {
            Cause::MschapFailure { .. } => 0,
            Cause::CredentialsRejected { .. } => 1,
            Cause::TlsAlert { .. } => 2,
            Cause::Tls(_) => 3,
            Cause::CertificateRejected { .. } => 4,
            Cause::MethodNotAllowed { .. } => 5,
            Cause::RejectedAfterIdentity { .. } => 6,
            Cause::FailureWithoutReason { .. } => 7,
            Cause::ServerResultFailure => 8,
            Cause::RejectedAfterInnerSuccess { .. } => 9,
            Cause::Timeout { .. } => 10,
            Cause::TooManyRounds { .. } => 11,
            Cause::AuthenticatorResponseMismatch => 12,
            Cause::CryptoBinding(_) => 13,
            Cause::PrematureSuccess(_) => 14,
            Cause::InnerMethodRefused { .. } => 15,
            Cause::Protocol(_) => 16,
            Cause::LowerLayerDown => 17,
            Cause::RandomFailure => 18,
            Cause::Transport(_) => 19,
            Cause::ClientCertificateRejected { .. } => 20,
            Cause::FailureAfterClientCertificate => 21,
            Cause::PasswordRejected { .. } => 22,
            Cause::Md5Rejected { .. } => 23,
            Cause::HandshakeRejected { .. } => 24,
            Cause::EndedWithoutVerdict { .. } => 25,
            Cause::TtlsCredentialsRejected { .. } => 26,
            Cause::PasswordChangeRefused { .. } => 27,
            Cause::TeapInnerRejected { .. } => 28,
            Cause::TeapError { .. } => 29,
            Cause::TeapNoCredential { .. } => 30,
        }
    }
    const VARIANTS: usize = 31;

    fn user() -> String {
        String::from("alice@example.org")
    }

    fn offer() -> TlsOffer {
        TlsOffer {
            versions: vec![crate::tls::TlsVersion::TLS12],
            cipher_suites: vec![0xc02f],
        }
    }

    fn mschap(error: u32) -> Cause {
        Cause::MschapFailure {
            user: user(),
            error,
            retry: false,
            message: None,
        }
    }

    /// Every variant of [`Cause`] (and the sub-cases that change the class), with the
    /// class an application should see.
    fn one_of_each() -> Vec<(Cause, FailureKind)> {
        use FailureKind as K;
        let silence = TimeoutKind::Silence(Duration::from_secs(30));
        let local = |error| {
            Cause::Transport(TransportFailure::LocalNetwork {
                error,
                local: LocalEnd::Unknown,
                failed_sends: 3,
            })
        };
        vec![
            (mschap(691), K::BadCredentials),
            (mschap(646), K::AccountRestricted),
            (mschap(647), K::AccountRestricted),
            (mschap(648), K::AccountRestricted),
            (mschap(649), K::AccountRestricted),
            (
                Cause::PasswordChangeRefused {
                    user: user(),
                    error: 709,
                    message: None,
                },
                K::AccountRestricted,
            ),
            (
                Cause::PasswordChangeRefused {
                    user: user(),
                    error: 648,
                    message: None,
                },
                K::AccountRestricted,
            ),
            (
                Cause::CredentialsRejected { user: user() },
                K::BadCredentials,
            ),
            (
                Cause::TlsAlert {
                    alert: 40,
                    offered: offer(),
                    chosen: None,
                },
                K::NegotiationFailed,
            ),
            (
                Cause::Tls(TlsError::new(TlsErrorKind::Incompatible, "no common suite")),
                K::NegotiationFailed,
            ),
            (
                Cause::Tls(TlsError::new(TlsErrorKind::Decrypt, "bad record mac")),
                K::ServerMisbehaved,
            ),
            (
                Cause::Tls(TlsError::new(TlsErrorKind::Local, "clock")),
                K::LocalError,
            ),
            (
                Cause::CertificateRejected {
                    problem: CertificateProblem::UnknownIssuer,
                    certificate: None,
                },
                K::UntrustedServer,
            ),
            (
                Cause::MethodNotAllowed {
                    proposed: MethodType::Md5Challenge,
                    offered: vec![MethodType::Peap],
                },
                K::NegotiationFailed,
            ),
            (
                Cause::RejectedAfterIdentity {
                    outer_identity: user(),
                    anonymous_without_realm: false,
                },
                K::AccessDenied,
            ),
            (
                Cause::FailureWithoutReason {
                    after: SentMessage::Identity,
                },
                K::AccessDenied,
            ),
            (Cause::ServerResultFailure, K::AccessDenied),
            (
                Cause::RejectedAfterInnerSuccess {
                    cryptobinding: true,
                },
                K::AccessDenied,
            ),
            (
                Cause::Timeout {
                    kind: silence,
                    last_sent: SentMessage::ClientHello,
                    dropped: None,
                },
                K::Timeout,
            ),
            (
                Cause::TooManyRounds {
                    limit: 50,
                    last_sent: SentMessage::TlsAck,
                },
                K::ServerMisbehaved,
            ),
            (Cause::AuthenticatorResponseMismatch, K::UntrustedServer),
            (
                Cause::CryptoBinding(CryptoBindingError::BadMac),
                K::UntrustedServer,
            ),
            (
                Cause::CryptoBinding(CryptoBindingError::Missing),
                K::NegotiationFailed,
            ),
            (
                Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner),
                K::UntrustedServer,
            ),
            (
                Cause::InnerMethodRefused {
                    proposed: MethodType::Gtc,
                    offered: vec![MethodType::MsChapV2],
                },
                K::NegotiationFailed,
            ),
            (
                Cause::Protocol(ProtocolViolation::UnexpectedData),
                K::ServerMisbehaved,
            ),
            (Cause::LowerLayerDown, K::LinkDown),
            (Cause::RandomFailure, K::LocalError),
            (
                Cause::Transport(TransportFailure::WrongSharedSecret),
                K::LocalError,
            ),
            (
                Cause::Transport(TransportFailure::NoReply {
                    attempts: 3,
                    answered_before: false,
                }),
                K::Unreachable,
            ),
            (
                Cause::Transport(TransportFailure::NoReply {
                    attempts: 3,
                    answered_before: true,
                }),
                K::Timeout,
            ),
            (
                Cause::Transport(TransportFailure::NoAuthenticator { starts: 3 }),
                K::Unreachable,
            ),
            (
                Cause::Transport(TransportFailure::KeyMismatch),
                K::ServerMisbehaved,
            ),
            (local(LocalNetworkError::HostUnreachable), K::Unreachable),
            (local(LocalNetworkError::LinkDown), K::LinkDown),
            (local(LocalNetworkError::InterfaceGone), K::LinkDown),
            (
                Cause::Transport(TransportFailure::NoMessageAuthenticator { replies: 2 }),
                K::ServerMisbehaved,
            ),
            (
                Cause::Transport(TransportFailure::AcceptWithoutEapSuccess { eap_code: None }),
                K::ServerMisbehaved,
            ),
            (
                Cause::ClientCertificateRejected { alert: 42 },
                K::BadCredentials,
            ),
            (Cause::FailureAfterClientCertificate, K::BadCredentials),
            (
                Cause::PasswordRejected {
                    user: user(),
                    method: MethodType::Gtc,
                },
                K::BadCredentials,
            ),
            (Cause::Md5Rejected { user: user() }, K::BadCredentials),
            (
                Cause::HandshakeRejected { offered: offer() },
                K::NegotiationFailed,
            ),
            (
                Cause::EndedWithoutVerdict {
                    after: SentMessage::MschapResponse,
                    sent: 2,
                },
                K::Interrupted,
            ),
            (
                Cause::TtlsCredentialsRejected {
                    user: user(),
                    inner: TtlsInner::Pap,
                },
                K::BadCredentials,
            ),
            (
                Cause::TeapInnerRejected {
                    machine: true,
                    user: user(),
                    inner: crate::method_type::TeapInner::Tls,
                },
                K::BadCredentials,
            ),
            (
                Cause::TeapError {
                    code: 2001,
                    machine: false,
                },
                K::UntrustedServer,
            ),
            (
                Cause::TeapNoCredential { machine: true },
                K::NegotiationFailed,
            ),
        ]
    }

    #[test]
    fn every_cause_has_its_class() {
        let cases = one_of_each();
        let mut seen = [false; VARIANTS];
        for (cause, want) in &cases {
            seen[variant(cause)] = true;
            assert_eq!(cause.kind(), *want, "{cause:?}");
            let d = Diagnosis::new(Phase::InnerAuthentication, cause.clone());
            assert_eq!(d.kind(), *want);
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|&i| !seen[i]).collect();
        assert!(missing.is_empty(), "variants without a case: {missing:?}");
        // Every class is reachable, so none is dead weight in the public enum.
        for kind in FailureKind::ALL {
            assert!(cases.iter().any(|(_, k)| k == kind), "{kind:?} unreachable");
        }
    }

    #[test]
    fn server_dialects_of_a_wrong_password_agree() {
        // Windows NPS (and FreeRADIUS with send_error = yes): MSCHAPv2 E=691.
        let nps = Diagnosis::new(Phase::InnerAuthentication, mschap(691));
        // Stock FreeRADIUS: a Result TLV Failure without an MSCHAPv2 error code.
        let freeradius = Diagnosis::new(
            Phase::InnerAuthentication,
            Cause::CredentialsRejected { user: user() },
        );
        assert_ne!(nps.cause, freeradius.cause);
        assert_eq!(nps.kind(), FailureKind::BadCredentials);
        assert_eq!(freeradius.kind(), FailureKind::BadCredentials);
    }

    /// The one table of codes: every cause's code is listed in `Cause::CODES`, every
    /// listed code is some cause's, and codes are distinct snake_case.
    #[test]
    fn every_cause_has_a_listed_code() {
        let mut given: Vec<&str> = one_of_each().iter().map(|(c, _)| c.code()).collect();
        for code in &given {
            assert!(Cause::CODES.contains(code), "{code} not in Cause::CODES");
        }
        given.sort_unstable();
        given.dedup();
        let mut listed = Cause::CODES.to_vec();
        listed.sort_unstable();
        listed.dedup();
        assert_eq!(listed.len(), Cause::CODES.len(), "a code listed twice");
        for code in &listed {
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            );
        }
        // one_of_each() covers every variant, not every code of a variant's sub-cases
        // (e.g. each certificate problem): what it gives is listed, most of the list is given.
        assert!(given.len() * 4 >= listed.len() * 3, "{given:?}");
        assert_eq!(Phase::TlsHandshake.as_str(), "tls_handshake");
    }

    #[test]
    fn names_are_distinct_snake_case() {
        let mut names: Vec<&str> = FailureKind::ALL.iter().map(|k| k.as_str()).collect();
        for n in &names {
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{n}"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FailureKind::ALL.len());
        assert_eq!(
            alloc::format!("{}", FailureKind::UntrustedServer),
            "untrusted_server"
        );
    }
}
