//! rustls's errors in our terms: a protocol failure's kind, a certificate error's problem.
//! Read by the verifier, the connectors and the handshake driver; imports none of them.

use super::{CertificateProblem, TlsError, TlsErrorKind, TlsFailure};
use rustls::CertificateError;
use rustls::Error;

/// The problem a rustls certificate error names.
pub(crate) fn problem_of(e: &Error) -> CertificateProblem {
    match e {
        Error::InvalidCertificate(ce) => match ce {
            CertificateError::UnknownIssuer => CertificateProblem::UnknownIssuer,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertificateProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertificateProblem::NotValidYet
            }
            CertificateError::BadSignature => CertificateProblem::BadSignature,
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                CertificateProblem::NotForServerAuth
            }
            CertificateError::BadEncoding => CertificateProblem::BadEncoding,
            other => CertificateProblem::Other(alloc::format!("{other:?}")),
        },
        _ => CertificateProblem::BadEncoding,
    }
}

/// A rustls error that is not an alert or a certificate problem, in our terms.
pub(crate) fn protocol(e: rustls::Error) -> TlsFailure {
    use rustls::Error as E;
    let kind = match &e {
        E::InvalidMessage(_) => TlsErrorKind::Malformed,
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            TlsErrorKind::UnexpectedMessage
        }
        E::PeerIncompatible(_) => TlsErrorKind::Incompatible,
        E::PeerMisbehaved(_) | E::NoCertificatesPresented | E::PeerSentOversizedRecord => {
            TlsErrorKind::Misbehaved
        }
        E::DecryptError => TlsErrorKind::Decrypt,
        E::FailedToGetRandomBytes => TlsErrorKind::Random,
        E::General(_)
        | E::FailedToGetCurrentTime
        | E::EncryptError
        | E::HandshakeNotComplete
        | E::NoApplicationProtocol
        | E::BadMaxFragmentSize => TlsErrorKind::Local,
        _ => TlsErrorKind::Other,
    };
    TlsFailure::Protocol(TlsError::new(kind, alloc::format!("{e}")))
}
