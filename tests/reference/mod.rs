//! The certificate reader compared with a reference: x509-parser (a dev-dependency only),
//! on the facts that decide trust. Used by `tests/cert_reader.rs` (over the committed fuzz
//! inputs, the test PKIs and Debian's ca-certificates bundle) and by the `cert_info` fuzz
//! target, so one function says what a disagreement is.
//!
//! Where both read a certificate, they must agree on notBefore and notAfter, the
//! subjectPublicKeyInfo octets, whether the subjectAltName has a dNSName and which ones
//! (our Common Name fallback only where the reference finds no dNSName). Deliberate
//! differences, not disagreements: we refuse what webpki refuses and x509-parser reads
//! leniently (a GeneralName of no RFC 5280 kind, a subjectAltName x509-parser skips); a
//! certificate either one cannot read at all is compared no further (a refusal is never a
//! trusted name).

#![allow(dead_code)]

use eap::unstable::fuzzing::{
    CertificateNames, certificate_spki, certificate_validity, read_certificate,
};
use x509_parser::extensions::GeneralName;

/// How a comparison ended, when nothing disagreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Both read it and agree on every fact.
    Same,
    /// Both read it; we refuse its subjectAltName as malformed where the reference lists
    /// names (stricter, as webpki).
    OursStricterSan,
    /// Only the reference reads it.
    OnlyReference,
    /// Only we read it.
    OnlyOurs,
    /// Neither reads it.
    Neither,
}

/// Compares our reading of `der` with x509-parser's; `Err` says what they disagree on.
pub fn compare(der: &[u8]) -> Result<Agreement, String> {
    let ours = read_certificate(der, 1);
    let theirs = match x509_parser::parse_x509_certificate(der) {
        Ok((&[], cert)) => Some(cert),
        _ => None,
    };
    let ((info, names), cert) = match (ours, theirs) {
        (Some(o), Some(t)) => (o, t),
        (Some(_), None) => return Ok(Agreement::OnlyOurs),
        (None, Some(_)) => return Ok(Agreement::OnlyReference),
        (None, None) => return Ok(Agreement::Neither),
    };
    let validity = cert.validity();
    let dates = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    if (info.not_before, info.not_after) != dates {
        return Err(format!(
            "validity: ours {:?}, reference {dates:?}",
            (info.not_before, info.not_after)
        ));
    }
    if certificate_validity(der) != Some(dates) {
        return Err("validity() differs from read()".into());
    }
    let spki = cert.tbs_certificate.subject_pki.raw;
    if certificate_spki(der) != Some(spki) {
        return Err("subjectPublicKeyInfo octets differ".into());
    }
    let reference_dns: Option<Vec<String>> = match cert.subject_alternative_name() {
        Ok(Some(san)) => Some(
            san.value
                .general_names
                .iter()
                .filter_map(|g| match g {
                    GeneralName::DNSName(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
        ),
        Ok(None) => Some(Vec::new()),
        // The reference refuses the extension (duplicated, unparsable): so do we, or
        // there is a disagreement.
        Err(_) => None,
    };
    match (names, reference_dns) {
        (CertificateNames::MalformedSan, None) => Ok(Agreement::Same),
        (CertificateNames::MalformedSan, Some(_)) => Ok(Agreement::OursStricterSan),
        (_, None) => Err(format!(
            "the reference refuses the subjectAltName, we read {:?} ({names:?})",
            info.dns_names
        )),
        (CertificateNames::San, Some(dns)) if dns == info.dns_names => Ok(Agreement::Same),
        (CertificateNames::San, Some(dns)) => Err(format!(
            "dNSNames: ours {:?}, reference {dns:?}",
            info.dns_names
        )),
        (CertificateNames::CommonName, Some(dns)) if dns.is_empty() => {
            // The fallback: the subject's Common Names, as far as the reference reads them
            // as text (ours reads BMP and Universal strings too).
            let cns: Vec<String> = cert
                .subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_string))
                .collect();
            if cns.iter().all(|cn| info.dns_names.contains(cn)) {
                Ok(Agreement::Same)
            } else {
                Err(format!(
                    "common names: ours {:?}, reference {cns:?}",
                    info.dns_names
                ))
            }
        }
        (CertificateNames::CommonName, Some(dns)) => Err(format!(
            "we fell back to the Common Name, the reference has dNSNames {dns:?}"
        )),
    }
}
