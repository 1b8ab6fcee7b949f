//! Server certificate validation for EAP: the chain against the configured CAs (webpki,
//! through rustls), then the names against a wpa_supplicant-style rule (`domain_match`
//! exact, or `domain_suffix_match` on a label boundary), with the dates checked as the
//! [`CertificateTime`] policy says.
//!
//! What the verifier saw on a failure is recorded for diagnoses without a lock: a verifier
//! made for one connection records its one verdict in a set-once cell. rustls resumes a
//! session only with the very verifier that validated it (it compares the `Arc`), so a
//! connector that resumes sessions shares one verifier among its connections; that one
//! records nothing, and a failure is then described from the error alone (the problem,
//! without the certificate's subject and issuer). Either way a completed handshake's
//! certificate is read from the connection itself.

use super::clock::CertificateTime;
use super::setup::protocol;
use super::{CertificateInfo, CertificateProblem, TlsFailure, cert_info};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use once_cell::race::OnceBox;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_cert_signed_by_trust_anchor;
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

/// Which names the RADIUS server's certificate must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
}

/// Whom to trust: the CAs and the name rule.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) roots: RootCertStore,
    pub(crate) rule: ServerNameRule,
}

/// The rustls verifier of one connection.
#[derive(Debug)]
pub(crate) struct EapVerifier {
    /// `None`: the explicit opt-out (accept any server).
    policy: Option<Arc<Policy>>,
    provider: Arc<CryptoProvider>,
    time: CertificateTime,
    /// Per-connection verifiers record their verdict; a shared one does not.
    record: bool,
    verdict: OnceBox<Verdict>,
}

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

impl EapVerifier {
    /// A verifier for one connection (`record`) or for all of a connector's connections.
    pub(crate) fn new(
        policy: Option<Arc<Policy>>,
        provider: Arc<CryptoProvider>,
        time: CertificateTime,
        record: bool,
    ) -> Self {
        EapVerifier {
            policy,
            provider,
            time,
            record,
            verdict: OnceBox::new(),
        }
    }

    /// True unless this is the explicit opt-out.
    pub(crate) fn validates(&self) -> bool {
        self.policy.is_some()
    }

    /// A rustls error in our terms, with what this verifier recorded for a certificate
    /// error (or, unrecorded, what the error itself says).
    pub(crate) fn failure(&self, e: Error) -> TlsFailure {
        match e {
            Error::AlertReceived(a) => TlsFailure::AlertReceived(u8::from(a)),
            Error::InvalidCertificate(_) => match self.verdict.get() {
                Some(Verdict {
                    problem: Some(problem),
                    certificate,
                    ..
                }) => TlsFailure::Certificate {
                    problem: problem.clone(),
                    certificate: certificate.clone(),
                },
                _ => TlsFailure::Certificate {
                    problem: self.problem(&e),
                    certificate: None,
                },
            },
            other => protocol(other),
        }
    }

    /// The problem a certificate error stands for, under this verifier's policy.
    fn problem(&self, e: &Error) -> CertificateProblem {
        match (problem_of(e), &self.policy, self.time.floor()) {
            (CertificateProblem::Expired, _, Some(floor)) => {
                CertificateProblem::ExpiredBeforeFloor { floor }
            }
            (CertificateProblem::Other(_), Some(policy), _)
                if matches!(
                    e,
                    Error::InvalidCertificate(CertificateError::NotValidForName)
                ) =>
            {
                CertificateProblem::NameMismatch {
                    expected: policy.rule.clone(),
                }
            }
            (p, _, _) => p,
        }
    }

    /// The leaf of a completed handshake (full or resumed) and whether it was validated.
    pub(crate) fn completed(
        &self,
        chain: Option<&[CertificateDer<'static>]>,
    ) -> Option<(CertificateInfo, bool)> {
        let chain = chain?;
        // A full handshake's verdict already holds the leaf's description: no second parse.
        if let Some(Verdict {
            certificate: Some(info),
            problem: None,
        }) = self.verdict.get()
        {
            return Some((info.clone(), self.validates()));
        }
        let info = cert_info::describe(chain.first()?, chain.len())?;
        Some((info, self.validates()))
    }

    /// The floor used instead of a clock, if any.
    pub(crate) fn clockless_floor(&self) -> Option<i64> {
        self.time.floor()
    }

    /// The instant the chain's dates are checked at: the clock's `now`, or without a clock
    /// the earliest instant at or after the floor at which every certificate the server
    /// sent has begun its validity (webpki then refuses the chain if one ended before).
    fn check_time(
        &self,
        now: UnixTime,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
    ) -> Result<UnixTime, (CertificateProblem, Error)> {
        let Some(floor) = self.time.floor() else {
            return Ok(now);
        };
        let mut at = floor;
        for cert in core::iter::once(end_entity).chain(intermediates) {
            let (not_before, _) = cert_info::validity(cert).ok_or((
                CertificateProblem::BadEncoding,
                Error::InvalidCertificate(CertificateError::BadEncoding),
            ))?;
            at = at.max(not_before);
        }
        let at = u64::try_from(at).unwrap_or(0);
        Ok(UnixTime::since_unix_epoch(Duration::from_secs(at)))
    }

    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
        info: Option<&CertificateInfo>,
    ) -> Result<bool, (CertificateProblem, Error)> {
        let Some(policy) = &self.policy else {
            return Ok(false);
        };
        let at = self.check_time(now, end_entity, intermediates)?;
        let parsed = ParsedCertificate::try_from(end_entity).map_err(|e| (problem_of(&e), e))?;
        verify_server_cert_signed_by_trust_anchor(
            &parsed,
            &policy.roots,
            intermediates,
            at,
            self.provider.signature_verification_algorithms.all,
        )
        .map_err(|e| (self.problem(&e), e))?;
        let names: &[String] = info.map(|i| i.dns_names.as_slice()).unwrap_or(&[]);
        if !policy.rule.matches(names) {
            return Err((
                CertificateProblem::NameMismatch {
                    expected: policy.rule.clone(),
                },
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
        let (verdict, result) = match result {
            Ok(_) => (
                Verdict {
                    certificate: info,
                    problem: None,
                },
                Ok(ServerCertVerified::assertion()),
            ),
            Err((problem, err)) => (
                Verdict {
                    certificate: info,
                    problem: Some(problem),
                },
                Err(err),
            ),
        };
        // One handshake per connection: a second call (none in TLS 1.2 or 1.3) keeps the
        // first verdict, and its result still goes back to rustls.
        if self.record {
            let _ = self.verdict.set(Box::new(verdict));
        }
        result
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
    fn a_suffix_mismatch_quotes_each_name_once() {
        use crate::tls::CertificateProblem;
        let problem = CertificateProblem::NameMismatch {
            expected: DomainSuffix("example.org".to_string()),
        };
        assert_eq!(
            alloc::format!("{problem}"),
            "does not match the expected server name \"example.org\" or a name ending in \".example.org\""
        );
    }

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
