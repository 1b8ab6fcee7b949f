//! Server certificate validation for EAP: the chain against the configured CAs (webpki,
//! through rustls), then the names against a wpa_supplicant-style rule (`domain_match`
//! exact, or `domain_suffix_match` on a label boundary). What the verifier saw is recorded
//! for events and diagnoses.

use super::cert_info;
use crate::diagnosis::{CertificateInfo, CertificateProblem};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_cert_signed_by_trust_anchor;
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use std::sync::Mutex;

/// Which names the RADIUS server's certificate must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerNameRule {
    /// One of the certificate's DNS names equals this name (case-insensitive; a wildcard
    /// `*.example.org` in the certificate covers one label), as wpa_supplicant's `domain_match`.
    Exact(String),
    /// One of the certificate's DNS names is this domain or ends in `.` + this domain, as
    /// wpa_supplicant's `domain_suffix_match`.
    DomainSuffix(String),
}

impl ServerNameRule {
    /// True if any of `names` satisfies the rule.
    pub fn matches<S: AsRef<str>>(&self, names: &[S]) -> bool {
        names.iter().any(|n| self.matches_one(n.as_ref()))
    }

    fn matches_one(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.');
        match self {
            ServerNameRule::Exact(want) => {
                let want = want.trim_end_matches('.');
                if name.eq_ignore_ascii_case(want) {
                    return true;
                }
                match (name.strip_prefix("*."), want.split_once('.')) {
                    (Some(domain), Some((label, rest))) => {
                        !label.is_empty() && domain.eq_ignore_ascii_case(rest)
                    }
                    _ => false,
                }
            }
            ServerNameRule::DomainSuffix(suffix) => {
                let suffix = suffix.trim_start_matches('.').trim_end_matches('.');
                if suffix.is_empty() {
                    return false;
                }
                let name = name.strip_prefix("*.").unwrap_or(name);
                if name.len() == suffix.len() {
                    return name.eq_ignore_ascii_case(suffix);
                }
                name.len() > suffix.len()
                    && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'
                    && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            }
        }
    }

    /// The name used as the TLS session-cache key (not sent: SNI is off).
    pub(crate) fn cache_name(&self) -> &str {
        match self {
            ServerNameRule::Exact(n) | ServerNameRule::DomainSuffix(n) => n,
        }
    }
}

impl fmt::Display for ServerNameRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerNameRule::Exact(n) => write!(f, "\"{n}\""),
            ServerNameRule::DomainSuffix(n) => write!(f, "\"{n}\" or a name ending in \".{n}\""),
        }
    }
}

/// What the verifier saw in one handshake.
#[derive(Debug, Default, Clone)]
pub(crate) struct Verdict {
    pub(crate) certificate: Option<CertificateInfo>,
    pub(crate) problem: Option<CertificateProblem>,
    pub(crate) validated: bool,
}

/// The rustls verifier of one connection.
#[derive(Debug)]
pub(crate) struct EapVerifier {
    /// `None`: the explicit opt-out (accept any server).
    pub(crate) policy: Option<(Arc<RootCertStore>, ServerNameRule)>,
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) verdict: Arc<Mutex<Verdict>>,
}

fn problem_of(e: &Error) -> CertificateProblem {
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
            other => CertificateProblem::Other(other.clone()),
        },
        _ => CertificateProblem::BadEncoding,
    }
}

impl EapVerifier {
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
        info: Option<&CertificateInfo>,
    ) -> Result<bool, (CertificateProblem, Error)> {
        let Some((roots, rule)) = &self.policy else {
            return Ok(false);
        };
        let parsed = ParsedCertificate::try_from(end_entity).map_err(|e| (problem_of(&e), e))?;
        verify_server_cert_signed_by_trust_anchor(
            &parsed,
            roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )
        .map_err(|e| (problem_of(&e), e))?;
        let names: &[String] = info.map(|i| i.dns_names.as_slice()).unwrap_or(&[]);
        if !rule.matches(names) {
            let expected = alloc::format!("{rule}");
            return Err((
                CertificateProblem::NameMismatch { expected },
                Error::InvalidCertificate(CertificateError::NotValidForName),
            ));
        }
        Ok(true)
    }
}

impl ServerCertVerifier for EapVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let info = cert_info::describe(end_entity, 1 + intermediates.len());
        let result = self.check(end_entity, intermediates, now, info.as_ref());
        let mut v = self.verdict.lock().unwrap_or_else(|p| p.into_inner());
        v.certificate = info;
        match result {
            Ok(validated) => {
                v.validated = validated;
                v.problem = None;
                Ok(ServerCertVerified::assertion())
            }
            Err((problem, err)) => {
                v.validated = false;
                v.problem = Some(problem);
                Err(err)
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::ServerNameRule::*;
    use alloc::string::ToString;

    #[test]
    fn exact_rule() {
        let r = Exact("radius.example.org".to_string());
        assert!(r.matches(&["RADIUS.example.org"]));
        assert!(r.matches(&["other", "radius.example.org."]));
        assert!(r.matches(&["*.example.org"]));
        assert!(!r.matches(&["*.org"]));
        assert!(!r.matches(&["xradius.example.org", "example.org"]));
        assert!(!r.matches::<&str>(&[]));
    }

    #[test]
    fn suffix_rule_on_label_boundary() {
        let r = DomainSuffix("example.org".to_string());
        assert!(r.matches(&["example.org"]));
        assert!(r.matches(&["radius.Example.ORG"]));
        assert!(r.matches(&["*.example.org"]));
        assert!(!r.matches(&["badexample.org"]));
        assert!(!r.matches(&["example.org.evil.net"]));
        assert!(!DomainSuffix(".".to_string()).matches(&["anything"]));
    }
}
