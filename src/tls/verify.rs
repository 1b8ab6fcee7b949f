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

use super::cert_info::{self, Names};
use super::clock::CertificateTime;
use super::errors::{problem_of, protocol};
use super::{CertificateInfo, CertificateProblem, TlsFailure};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use once_cell::race::OnceBox;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_cert_signed_by_trust_anchor;
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
    verify_tls13_signature_with_raw_key,
};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
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
    /// The certificate's subject, as [`CertificateInfo::subject`] writes it (e.g.
    /// `O=Example, CN=radius.example.org`), equals this, ignoring ASCII case: an exact
    /// form of wpa_supplicant's `subject_match`.
    Subject(String),
    /// Any of these rules (several names or domains, as wpa_supplicant's `domain_match`
    /// with `;`): one is enough.
    AnyOf(Vec<ServerNameRule>),
    /// Every one of these rules (e.g. a name rule and a subject).
    AllOf(Vec<ServerNameRule>),
}

impl ServerNameRule {
    /// True if any of `names` satisfies the rule (a [`ServerNameRule::Subject`] needs the
    /// certificate: [`ServerNameRule::matches_certificate`]; here it does not match).
    pub fn matches<S: AsRef<str>>(&self, names: &[S]) -> bool {
        match self {
            ServerNameRule::Subject(_) => false,
            ServerNameRule::AnyOf(rules) => rules.iter().any(|r| r.matches(names)),
            ServerNameRule::AllOf(rules) => {
                !rules.is_empty() && rules.iter().all(|r| r.matches(names))
            }
            _ => names.iter().any(|n| self.matches_one(n.as_ref())),
        }
    }

    /// True if the certificate (its DNS names and subject) satisfies the rule.
    pub fn matches_certificate(&self, certificate: &CertificateInfo) -> bool {
        match self {
            ServerNameRule::Subject(want) => certificate.subject.eq_ignore_ascii_case(want.trim()),
            ServerNameRule::AnyOf(rules) => {
                rules.iter().any(|r| r.matches_certificate(certificate))
            }
            ServerNameRule::AllOf(rules) => {
                !rules.is_empty() && rules.iter().all(|r| r.matches_certificate(certificate))
            }
            _ => self.matches(&certificate.dns_names),
        }
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
            ServerNameRule::Subject(_) | ServerNameRule::AnyOf(_) | ServerNameRule::AllOf(_) => {
                false
            }
        }
    }
}

impl fmt::Display for ServerNameRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerNameRule::Exact(n) => write!(f, "\"{n}\""),
            ServerNameRule::DomainSuffix(n) => write!(f, "\"{n}\" or a name ending in \".{n}\""),
            ServerNameRule::Subject(s) => write!(f, "with subject \"{s}\""),
            ServerNameRule::AnyOf(rules) | ServerNameRule::AllOf(rules) => {
                let joint = if matches!(self, ServerNameRule::AnyOf(_)) {
                    " or "
                } else {
                    " and "
                };
                for (i, r) in rules.iter().enumerate() {
                    if i > 0 {
                        f.write_str(joint)?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
        }
    }
}

/// What the verifier saw in one handshake.
#[derive(Debug, Default, Clone)]
pub(crate) struct Verdict {
    pub(crate) certificate: Option<CertificateInfo>,
    pub(crate) problem: Option<CertificateProblem>,
    /// The validated leaf's public key (as webpki read it), for the handshake signature.
    pub(crate) key: Option<SubjectPublicKeyInfoDer<'static>>,
}

/// Whom to trust: the CAs and the name rule.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) roots: RootCertStore,
    pub(crate) rule: ServerNameRule,
}

/// Who receives the server's certificate chain as received, leaf first, before it is
/// validated ([`ConfigBuilder::observe_server_chain`](crate::ConfigBuilder::observe_server_chain)).
#[derive(Clone)]
pub(crate) struct ChainSink(pub(crate) Arc<ObserveChain>);

/// What [`ChainSink`] calls.
pub(crate) type ObserveChain = dyn Fn(&[CertificateDer<'_>]) + Send + Sync;

impl fmt::Debug for ChainSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainSink")
    }
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
    chain_sink: Option<ChainSink>,
}

impl EapVerifier {
    /// A verifier for one connection (`record`) or for all of a connector's connections.
    pub(crate) fn new(
        policy: Option<Arc<Policy>>,
        provider: Arc<CryptoProvider>,
        time: CertificateTime,
        record: bool,
        chain_sink: Option<ChainSink>,
    ) -> Self {
        EapVerifier {
            policy,
            provider,
            time,
            record,
            verdict: OnceBox::new(),
            chain_sink,
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
            ..
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
        leaf: Option<&(CertificateInfo, Names)>,
    ) -> Result<Option<SubjectPublicKeyInfoDer<'static>>, (CertificateProblem, Error)> {
        let Some(policy) = &self.policy else {
            return Ok(None);
        };
        let at = self.check_time(now, end_entity, intermediates)?;
        let key = self.chain_to_roots(policy, end_entity, intermediates, at)?;
        // The names come from the strict reader's parse of the validated leaf: its
        // dNSNames, or its Common Names only when it has no dNSName at all.
        let bad_encoding = Error::InvalidCertificate(CertificateError::BadEncoding);
        let names = match leaf {
            None => return Err((CertificateProblem::BadEncoding, bad_encoding)),
            Some((_, Names::MalformedSan)) => {
                return Err((CertificateProblem::MalformedSubjectAltName, bad_encoding));
            }
            Some((info, Names::San | Names::CommonName)) => info,
        };
        if !policy.rule.matches_certificate(names) {
            return Err((
                CertificateProblem::NameMismatch {
                    expected: policy.rule.clone(),
                },
                Error::InvalidCertificate(CertificateError::NotValidForName),
            ));
        }
        Ok(Some(key))
    }

    /// webpki's chain check to the CAs, at `at`; the leaf's key when it passes. Not
    /// inlined: under it runs the deepest part of the handshake (webpki's chain building
    /// and the signature checks), and `check`'s own locals would sit above it.
    #[inline(never)]
    fn chain_to_roots(
        &self,
        policy: &Policy,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        at: UnixTime,
    ) -> Result<SubjectPublicKeyInfoDer<'static>, (CertificateProblem, Error)> {
        let parsed = ParsedCertificate::try_from(end_entity).map_err(|e| (problem_of(&e), e))?;
        verify_server_cert_signed_by_trust_anchor(
            &parsed,
            &policy.roots,
            intermediates,
            at,
            self.provider.signature_verification_algorithms.all,
        )
        .map_err(|e| (self.problem(&e), e))?;
        Ok(parsed.subject_public_key_info())
    }

    /// The key of the leaf this verifier validated, when `cert` is that leaf (its
    /// subjectPublicKeyInfo the one webpki read then): the handshake signature is checked
    /// against it without webpki parsing the whole certificate again.
    fn validated_key(
        &self,
        cert: &CertificateDer<'_>,
    ) -> Option<&SubjectPublicKeyInfoDer<'static>> {
        let key = self.verdict.get()?.key.as_ref()?;
        (cert_info::spki(cert)? == key.as_ref()).then_some(key)
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
        if let Some(sink) = &self.chain_sink {
            let mut chain = Vec::with_capacity(1 + intermediates.len());
            chain.push(end_entity.clone());
            chain.extend(intermediates.iter().cloned());
            (sink.0)(&chain);
        }
        let leaf = cert_info::read(end_entity, 1 + intermediates.len());
        let result = self.check(end_entity, intermediates, now, leaf.as_ref());
        let info = leaf.map(|(info, _)| info);
        let (verdict, result) = match result {
            Ok(key) => (
                Verdict {
                    certificate: info,
                    problem: None,
                    key,
                },
                Ok(ServerCertVerified::assertion()),
            ),
            Err((problem, err)) => (
                Verdict {
                    certificate: info,
                    problem: Some(problem),
                    key: None,
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
        let algorithms = &self.provider.signature_verification_algorithms;
        if let Some(key) = self.validated_key(cert) {
            if tls12_signed_by(key, message, dss, algorithms) {
                return Ok(HandshakeSignatureValid::assertion());
            }
        }
        // Any other case, and every failure (for rustls's own error), the rustls way.
        verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        if let Some(key) = self.validated_key(cert) {
            if let Ok(valid) = verify_tls13_signature_with_raw_key(message, key, dss, algorithms) {
                return Ok(valid);
            }
        }
        verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether `dss` is a valid TLS 1.2 signature of `message` under `key`, as rustls's
/// `verify_tls12_signature` decides it for the certificate holding `key`: a scheme of a
/// known signature algorithm, mapped by the provider, and the first of its algorithms that
/// fits the key's type verifies. `false` for anything else, failures included (the caller
/// then asks rustls, for its error).
fn tls12_signed_by(
    key: &SubjectPublicKeyInfoDer<'_>,
    message: &[u8],
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
) -> bool {
    use SignatureScheme as S;
    let known = matches!(
        dss.scheme,
        S::RSA_PKCS1_SHA1
            | S::RSA_PKCS1_SHA256
            | S::RSA_PKCS1_SHA384
            | S::RSA_PKCS1_SHA512
            | S::RSA_PSS_SHA256
            | S::RSA_PSS_SHA384
            | S::RSA_PSS_SHA512
            | S::ECDSA_SHA1_Legacy
            | S::ECDSA_NISTP256_SHA256
            | S::ECDSA_NISTP384_SHA384
            | S::ECDSA_NISTP521_SHA512
            | S::ED25519
            | S::ED448
    );
    if !known {
        return false;
    }
    let Some((_, candidates)) = algorithms.mapping.iter().find(|(s, _)| *s == dss.scheme) else {
        return false;
    };
    let Ok(key) = webpki::RawPublicKeyEntity::try_from(key) else {
        return false;
    };
    for alg in candidates.iter() {
        match key.verify_signature(*alg, message, dss.signature()) {
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => continue,
            Err(_) => return false,
            Ok(()) => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::ServerNameRule::*;
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    /// The handshake signature of a validated leaf is checked on the key recorded then,
    /// with rustls's verdict and errors: a good signature passes in TLS 1.2 and 1.3, a bad
    /// one fails with the error rustls gives, and another certificate is left to rustls.
    #[test]
    // ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
    // that); it stays the default and the firmware provider.
    #[allow(deprecated)]
    fn handshake_signatures_on_the_validated_key() {
        use super::*;
        use rustls::internal::msgs::codec::Codec;
        use rustls::pki_types::PrivateKeyDer;
        use rustls::pki_types::pem::PemObject;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = &provider.signature_verification_algorithms;
        for (ca, leaf, key, schemes) in [
            (
                &include_bytes!("../../tests/data/rsa-ca.pem")[..],
                &include_bytes!("../../tests/data/rsa-server.pem")[..],
                &include_bytes!("../../tests/data/rsa-server.key")[..],
                &[
                    SignatureScheme::RSA_PSS_SHA256,
                    SignatureScheme::RSA_PKCS1_SHA256,
                ][..],
            ),
            (
                &include_bytes!("../../tests/data/ca.pem")[..],
                &include_bytes!("../../tests/data/server.pem")[..],
                &include_bytes!("../../tests/data/server.key")[..],
                &[SignatureScheme::ECDSA_NISTP256_SHA256][..],
            ),
        ] {
            let ca = CertificateDer::from_pem_slice(ca).unwrap();
            let leaf = CertificateDer::from_pem_slice(leaf).unwrap();
            let mut roots = RootCertStore::empty();
            roots.add(ca.clone()).unwrap();
            let rule = Exact("radius.example.org".to_string());
            let policy = Some(Arc::new(Policy { roots, rule }));
            let time = CertificateTime::default();
            let verifier = EapVerifier::new(policy, provider.clone(), time, true, None);
            let name = ServerName::try_from("radius.example.org").unwrap();
            let now = UnixTime::now();
            assert!(
                verifier
                    .verify_server_cert(&leaf, &[], &name, &[], now)
                    .is_ok()
            );
            assert!(verifier.validated_key(&leaf).is_some());
            assert!(verifier.validated_key(&ca).is_none());
            let key = PrivateKeyDer::from_pem_slice(key).unwrap();
            let key = provider.key_provider.load_private_key(key).unwrap();
            let message = b"the handshake so far";
            for &scheme in schemes {
                let mut signature = key.choose_scheme(&[scheme]).unwrap().sign(message).unwrap();
                let dss = |signature: &[u8]| {
                    let mut encoded = u16::from(scheme).to_be_bytes().to_vec();
                    encoded.extend_from_slice(&(signature.len() as u16).to_be_bytes());
                    encoded.extend_from_slice(signature);
                    DigitallySignedStruct::read_bytes(&encoded).unwrap()
                };
                let good = dss(&signature);
                assert!(
                    verifier
                        .verify_tls12_signature(message, &leaf, &good)
                        .is_ok()
                );
                assert!(tls12_signed_by(
                    verifier.validated_key(&leaf).unwrap(),
                    message,
                    &good,
                    algorithms
                ));
                if scheme != SignatureScheme::RSA_PKCS1_SHA256 {
                    assert!(
                        verifier
                            .verify_tls13_signature(message, &leaf, &good)
                            .is_ok()
                    );
                }
                let last = signature.len() - 1;
                signature[last] ^= 1;
                let bad = dss(&signature);
                let ours = verifier
                    .verify_tls12_signature(message, &leaf, &bad)
                    .unwrap_err();
                let theirs = verify_tls12_signature(message, &leaf, &bad, algorithms).unwrap_err();
                assert_eq!(ours, theirs);
                let ours = verifier
                    .verify_tls13_signature(message, &leaf, &bad)
                    .unwrap_err();
                let theirs = verify_tls13_signature(message, &leaf, &bad, algorithms).unwrap_err();
                assert_eq!(ours, theirs);
                // Signed by the leaf's key, presented with the CA's certificate: rustls's way.
                let other = verifier
                    .verify_tls12_signature(message, &ca, &good)
                    .unwrap_err();
                let theirs = verify_tls12_signature(message, &ca, &good, algorithms).unwrap_err();
                assert_eq!(other, theirs);
            }
        }
    }

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

    #[test]
    fn any_of_all_of_and_subject() {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let der = CertificateDer::from_pem_slice(include_bytes!("../../tests/data/server.pem"));
        let cert = crate::tls::cert_info::describe(&der.unwrap(), 1).unwrap();
        let names = AnyOf(vec![
            Exact("other.example.org".to_string()),
            DomainSuffix(cert.dns_names[0].split_once('.').unwrap().1.to_string()),
        ]);
        assert!(names.matches_certificate(&cert), "{cert:?}");
        assert!(!AnyOf(vec![Exact("other.example.org".to_string())]).matches_certificate(&cert));
        assert!(!AnyOf(Vec::new()).matches_certificate(&cert));
        let subject = Subject(cert.subject.to_ascii_uppercase());
        assert!(subject.matches_certificate(&cert));
        // A subject needs the certificate, not just its names.
        assert!(!subject.matches(&cert.dns_names));
        let both = AllOf(vec![names.clone(), subject]);
        assert!(both.matches_certificate(&cert));
        let wrong = AllOf(vec![names, Subject("CN=impostor".to_string())]);
        assert!(!wrong.matches_certificate(&cert));
        assert!(!AllOf(Vec::new()).matches_certificate(&cert));
        assert!(
            wrong
                .to_string()
                .ends_with(" and with subject \"CN=impostor\""),
            "{wrong}"
        );
    }
}
