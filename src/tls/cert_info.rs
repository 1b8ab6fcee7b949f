//! Reads what a diagnosis needs from a DER certificate.

use crate::diagnosis::CertificateInfo;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use x509_parser::extensions::GeneralName;

/// Subject, issuer, DNS names (subjectAltName, else the Common Name) and validity of
/// `der`; `None` if it does not parse.
pub(crate) fn describe(der: &[u8], chain_len: usize) -> Option<CertificateInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut dns_names: Vec<String> = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(n) = name {
                dns_names.push(n.to_string());
            }
        }
    }
    if dns_names.is_empty() {
        dns_names.extend(
            cert.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok())
                .map(ToString::to_string),
        );
    }
    Some(CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        dns_names,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        chain_len,
    })
}
