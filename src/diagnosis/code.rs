//! The stable codes of a failure: [`Cause::code`] and [`Phase::as_str`], snake_case names
//! that programs match on (`radius_auth --json`'s `cause.code` and `cause.phase`, `explain
//! --json`, the C API), the same live and from a capture because this is the one table.
//! The README lists each code with its meaning.

use super::{Cause, Phase};
use crate::tls::CertificateProblem;

impl Cause {
    /// Every code [`Cause::code`] gives.
    pub const CODES: &'static [&'static str] = &[
        "password_rejected",
        "restricted_logon_hours",
        "account_disabled",
        "password_expired",
        "no_dialin_permission",
        "mschapv2_failure",
        "password_change_failed",
        "password_still_expired",
        "credentials_rejected",
        "tls_alert",
        "tls_error",
        "tls_no_common_suite",
        "certificate_untrusted",
        "certificate_expired",
        "certificate_not_yet_valid",
        "certificate_name_mismatch",
        "certificate_san_malformed",
        "certificate_rejected",
        "method_not_allowed",
        "identity_rejected",
        "failure_without_reason",
        "server_result_failure",
        "rejected_after_inner_success",
        "timeout",
        "too_many_rounds",
        "server_not_proven",
        "cryptobinding_failed",
        "premature_success",
        "inner_method_refused",
        "protocol_violation",
        "lower_layer_down",
        "random_failure",
        "client_certificate_rejected",
        "ended_without_verdict",
        "wrong_shared_secret",
        "no_reply",
        "no_authenticator",
        "key_mismatch",
        "local_network_error",
        "no_message_authenticator",
        "accept_without_eap_success",
        "teap_error",
        "teap_no_credential",
        "connection_refused",
    ];

    /// The stable snake_case code of this cause, e.g. `password_rejected`,
    /// `certificate_untrusted`, `no_reply` (one of [`Cause::CODES`]).
    pub fn code(&self) -> &'static str {
        use super::TransportFailure as T;
        match self {
            Cause::MschapFailure { error: 691, .. } => "password_rejected",
            Cause::MschapFailure { error: 646, .. } => "restricted_logon_hours",
            Cause::MschapFailure { error: 647, .. } => "account_disabled",
            Cause::MschapFailure { error: 648, .. } => "password_expired",
            Cause::MschapFailure { error: 649, .. } => "no_dialin_permission",
            Cause::MschapFailure { .. } => "mschapv2_failure",
            Cause::PasswordChangeRefused { error: 648, .. } => "password_still_expired",
            Cause::PasswordChangeRefused { .. } => "password_change_failed",
            Cause::CredentialsRejected { .. }
            | Cause::PasswordRejected { .. }
            | Cause::Md5Rejected { .. }
            | Cause::TtlsCredentialsRejected { .. }
            | Cause::TeapInnerRejected { .. } => "credentials_rejected",
            Cause::TeapError { .. } => "teap_error",
            Cause::TeapNoCredential { .. } => "teap_no_credential",
            Cause::TlsAlert { .. } => "tls_alert",
            Cause::Tls(_) => "tls_error",
            Cause::HandshakeRejected { .. } => "tls_no_common_suite",
            Cause::CertificateRejected { problem, .. } => match problem {
                CertificateProblem::UnknownIssuer => "certificate_untrusted",
                CertificateProblem::Expired | CertificateProblem::ExpiredBeforeFloor { .. } => {
                    "certificate_expired"
                }
                CertificateProblem::NotValidYet => "certificate_not_yet_valid",
                CertificateProblem::NameMismatch { .. } => "certificate_name_mismatch",
                CertificateProblem::MalformedSubjectAltName => "certificate_san_malformed",
                _ => "certificate_rejected",
            },
            Cause::MethodNotAllowed { .. } => "method_not_allowed",
            Cause::RejectedAfterIdentity { .. } => "identity_rejected",
            Cause::FailureWithoutReason { .. } => "failure_without_reason",
            Cause::ServerResultFailure => "server_result_failure",
            Cause::RejectedAfterInnerSuccess { .. } => "rejected_after_inner_success",
            Cause::Timeout { .. } => "timeout",
            Cause::TooManyRounds { .. } => "too_many_rounds",
            Cause::AuthenticatorResponseMismatch => "server_not_proven",
            Cause::CryptoBinding(_) => "cryptobinding_failed",
            Cause::PrematureSuccess(_) => "premature_success",
            Cause::InnerMethodRefused { .. } => "inner_method_refused",
            Cause::Protocol(_) => "protocol_violation",
            Cause::LowerLayerDown => "lower_layer_down",
            Cause::RandomFailure => "random_failure",
            Cause::ClientCertificateRejected { .. } | Cause::FailureAfterClientCertificate => {
                "client_certificate_rejected"
            }
            Cause::EndedWithoutVerdict { .. } => "ended_without_verdict",
            Cause::Transport(t) => match t {
                T::WrongSharedSecret => "wrong_shared_secret",
                T::NoReply { .. } => "no_reply",
                T::NoAuthenticator { .. } => "no_authenticator",
                T::KeyMismatch => "key_mismatch",
                T::LocalNetwork { .. } => "local_network_error",
                T::NoMessageAuthenticator { .. } => "no_message_authenticator",
                T::AcceptWithoutEapSuccess { .. } => "accept_without_eap_success",
                T::ConnectionRefused { .. } => "connection_refused",
            },
        }
    }
}

impl Phase {
    /// The stable snake_case name of the phase, e.g. `tls_handshake`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::Identity => "identity",
            Phase::MethodNegotiation => "method_negotiation",
            Phase::TlsHandshake => "tls_handshake",
            Phase::ServerValidation => "server_validation",
            Phase::InnerAuthentication => "inner_authentication",
            Phase::CryptoBinding => "cryptobinding",
            Phase::Completion => "completion",
        }
    }
}
