//! Stable snake_case names for failures, as C strings.
//!
//! The cause codes are those of `radius_auth --json` (`cause.code`). The library keeps its
//! own mapping in `eap::unstable::report`, outside the public API this crate may use, so
//! the same table is written here over the public `Cause`; a cause added later reads
//! `"other"` until it is added here.

use core::ffi::CStr;
use eap_core::FailureKind;
use eap_core::diagnosis::{Cause, Phase, TransportFailure};
use eap_core::tls::CertificateProblem;

/// The stable code of a cause.
pub(crate) fn cause_code(cause: &Cause) -> &'static CStr {
    use TransportFailure as T;
    match cause {
        Cause::MschapFailure { error: 691, .. } => c"password_rejected",
        Cause::MschapFailure { error: 646, .. } => c"restricted_logon_hours",
        Cause::MschapFailure { error: 647, .. } => c"account_disabled",
        Cause::MschapFailure { error: 648, .. } => c"password_expired",
        Cause::MschapFailure { error: 649, .. } => c"no_dialin_permission",
        Cause::MschapFailure { .. } => c"mschapv2_failure",
        Cause::CredentialsRejected { .. }
        | Cause::PasswordRejected { .. }
        | Cause::Md5Rejected { .. }
        | Cause::TtlsCredentialsRejected { .. } => c"credentials_rejected",
        Cause::TlsAlert { .. } => c"tls_alert",
        Cause::Tls(_) => c"tls_error",
        Cause::HandshakeRejected { .. } => c"tls_no_common_suite",
        Cause::CertificateRejected { problem, .. } => match problem {
            CertificateProblem::UnknownIssuer => c"certificate_untrusted",
            CertificateProblem::Expired | CertificateProblem::ExpiredBeforeFloor { .. } => {
                c"certificate_expired"
            }
            CertificateProblem::NotValidYet => c"certificate_not_yet_valid",
            CertificateProblem::NameMismatch { .. } => c"certificate_name_mismatch",
            _ => c"certificate_rejected",
        },
        Cause::MethodNotAllowed { .. } => c"method_not_allowed",
        Cause::RejectedAfterIdentity { .. } => c"identity_rejected",
        Cause::FailureWithoutReason { .. } => c"failure_without_reason",
        Cause::ServerResultFailure => c"server_result_failure",
        Cause::RejectedAfterInnerSuccess { .. } => c"rejected_after_inner_success",
        Cause::Timeout { .. } => c"timeout",
        Cause::TooManyRounds { .. } => c"too_many_rounds",
        Cause::AuthenticatorResponseMismatch => c"server_not_proven",
        Cause::CryptoBinding(_) => c"cryptobinding_failed",
        Cause::PrematureSuccess(_) => c"premature_success",
        Cause::InnerMethodRefused { .. } => c"inner_method_refused",
        Cause::Protocol(_) => c"protocol_violation",
        Cause::LowerLayerDown => c"lower_layer_down",
        Cause::RandomFailure => c"random_failure",
        Cause::ClientCertificateRejected { .. } | Cause::FailureAfterClientCertificate => {
            c"client_certificate_rejected"
        }
        Cause::EndedWithoutVerdict { .. } => c"ended_without_verdict",
        Cause::Transport(t) => match t {
            T::WrongSharedSecret => c"wrong_shared_secret",
            T::NoReply { .. } => c"no_reply",
            T::NoAuthenticator { .. } => c"no_authenticator",
            T::KeyMismatch => c"key_mismatch",
            T::LocalNetwork { .. } => c"local_network_error",
            T::NoMessageAuthenticator { .. } => c"no_message_authenticator",
            T::AcceptWithoutEapSuccess { .. } => c"accept_without_eap_success",
            _ => c"other",
        },
        _ => c"other",
    }
}

/// The stable code of a phase (as `radius_auth --json`'s `cause.phase`).
pub(crate) fn phase_code(phase: Phase) -> &'static CStr {
    match phase {
        Phase::Start => c"start",
        Phase::Identity => c"identity",
        Phase::MethodNegotiation => c"method_negotiation",
        Phase::TlsHandshake => c"tls_handshake",
        Phase::ServerValidation => c"server_validation",
        Phase::InnerAuthentication => c"inner_authentication",
        Phase::CryptoBinding => c"cryptobinding",
        Phase::Completion => c"completion",
        _ => c"other",
    }
}

/// [`FailureKind::as_str`], NUL-terminated.
pub(crate) fn kind_code(kind: FailureKind) -> &'static CStr {
    match kind {
        FailureKind::BadCredentials => c"bad_credentials",
        FailureKind::AccountRestricted => c"account_restricted",
        FailureKind::AccessDenied => c"access_denied",
        FailureKind::UntrustedServer => c"untrusted_server",
        FailureKind::NegotiationFailed => c"negotiation_failed",
        FailureKind::ServerMisbehaved => c"server_misbehaved",
        FailureKind::Unreachable => c"unreachable",
        FailureKind::Timeout => c"timeout",
        FailureKind::Interrupted => c"interrupted",
        FailureKind::LinkDown => c"link_down",
        FailureKind::LocalError => c"local_error",
        _ => c"other",
    }
}
