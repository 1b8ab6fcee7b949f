//! Reads what a diagnosis needs from a DER certificate ([RFC 5280 §4.1](https://www.rfc-editor.org/rfc/rfc5280#section-4.1)):
//! subject, issuer, subjectAltName DNS names and validity.
//!
//! A small DER reader of our own instead of a general X.509 crate: it runs without std, it
//! allocates only the strings it returns (x509-parser built a 31 KB OID registry per
//! process), and it never decides trust: the chain and signatures are webpki's job. Any
//! input that is not the expected shape yields `None`, never a panic.

use super::CertificateInfo;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// Universal tags used here.
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const BOOLEAN: u8 = 0x01;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0]` EXPLICIT (version), `[3]` EXPLICIT (extensions), `[2]` IMPLICIT IA5String (dNSName).
const CONTEXT_0: u8 = 0xa0;
const CONTEXT_3: u8 = 0xa3;
const DNS_NAME: u8 = 0x82;

/// id-ce-subjectAltName (2.5.29.17).
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
/// id-at-commonName (2.5.4.3).
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// Reads one definite-length TLV from the front of `input`: (tag, contents).
fn tlv<'a>(input: &mut &'a [u8]) -> Option<(u8, &'a [u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (octets, after) = rest.split_at(n);
        rest = after;
        octets
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let (body, after) = rest.split_at(len);
    *input = after;
    Some((tag, body))
}

/// Reads a TLV that must have `tag`.
fn expect<'a>(input: &mut &'a [u8], tag: u8) -> Option<&'a [u8]> {
    match tlv(input)? {
        (t, body) if t == tag => Some(body),
        _ => None,
    }
}

/// The parts of a certificate this module reads.
struct Tbs<'a> {
    issuer: &'a [u8],
    validity: &'a [u8],
    subject: &'a [u8],
    /// The whole subjectPublicKeyInfo, tag and length included.
    spki: &'a [u8],
    extensions: Option<&'a [u8]>,
}

fn tbs(der: &[u8]) -> Option<Tbs<'_>> {
    let mut input = der;
    let mut cert = expect(&mut input, SEQUENCE)?;
    let mut tbs = expect(&mut cert, SEQUENCE)?;
    if tbs.first() == Some(&CONTEXT_0) {
        tlv(&mut tbs)?; // version
    }
    tlv(&mut tbs)?; // serialNumber
    tlv(&mut tbs)?; // signature AlgorithmIdentifier
    let issuer = expect(&mut tbs, SEQUENCE)?;
    let validity = expect(&mut tbs, SEQUENCE)?;
    let subject = expect(&mut tbs, SEQUENCE)?;
    let rest = tbs;
    tlv(&mut tbs)?; // subjectPublicKeyInfo
    let spki = &rest[..rest.len() - tbs.len()];
    let mut extensions = None;
    while !tbs.is_empty() {
        let (tag, body) = tlv(&mut tbs)?;
        if tag == CONTEXT_3 {
            let mut b = body;
            extensions = Some(expect(&mut b, SEQUENCE)?);
        }
    }
    Some(Tbs {
        issuer,
        validity,
        subject,
        spki,
        extensions,
    })
}

/// The subjectPublicKeyInfo of `der` as encoded there (tag and length included).
pub(crate) fn spki(der: &[u8]) -> Option<&[u8]> {
    Some(tbs(der)?.spki)
}

/// notBefore and notAfter of `der`, seconds since the Unix epoch.
pub(crate) fn validity(der: &[u8]) -> Option<(i64, i64)> {
    let mut v = tbs(der)?.validity;
    let not_before = time(&mut v)?;
    let not_after = time(&mut v)?;
    Some((not_before, not_after))
}

/// Subject, issuer, DNS names (subjectAltName, else the Common Name) and validity of
/// `der`; `None` if it does not parse.
pub(crate) fn describe(der: &[u8], chain_len: usize) -> Option<CertificateInfo> {
    let tbs = tbs(der)?;
    let mut v = tbs.validity;
    let not_before = time(&mut v)?;
    let not_after = time(&mut v)?;
    let mut dns_names = match tbs.extensions {
        Some(ext) => san_dns_names(ext)?,
        None => Vec::new(),
    };
    if dns_names.is_empty() {
        dns_names = common_names(tbs.subject)?;
    }
    Some(CertificateInfo {
        subject: name_text(tbs.subject)?,
        issuer: name_text(tbs.issuer)?,
        dns_names,
        not_before,
        not_after,
        chain_len,
    })
}

fn san_dns_names(mut extensions: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    while !extensions.is_empty() {
        let mut ext = expect(&mut extensions, SEQUENCE)?;
        let oid = expect(&mut ext, OID)?;
        if ext.first() == Some(&BOOLEAN) {
            tlv(&mut ext)?;
        }
        let mut value = expect(&mut ext, OCTET_STRING)?;
        if oid != OID_SAN {
            continue;
        }
        let mut general_names = expect(&mut value, SEQUENCE)?;
        while !general_names.is_empty() {
            let (tag, body) = tlv(&mut general_names)?;
            if tag == DNS_NAME {
                names.push(String::from_utf8_lossy(body).into_owned());
            }
        }
    }
    Some(names)
}

/// Each AttributeTypeAndValue of a Name, in order: (OID contents, value tag, value).
fn attributes(mut name: &[u8], mut f: impl FnMut(&[u8], u8, &[u8], bool)) -> Option<()> {
    while !name.is_empty() {
        let mut rdn = expect(&mut name, SET)?;
        let mut first = true;
        while !rdn.is_empty() {
            let mut atv = expect(&mut rdn, SEQUENCE)?;
            let oid = expect(&mut atv, OID)?;
            let (tag, value) = tlv(&mut atv)?;
            f(oid, tag, value, first);
            first = false;
        }
    }
    Some(())
}

fn common_names(name: &[u8]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    attributes(name, |oid, tag, value, _| {
        if oid == OID_CN {
            let mut name = String::new();
            push_string_value(&mut name, tag, value);
            out.push(name);
        }
    })?;
    Some(out)
}

/// The Name as text, RDNs in certificate order, `", "` between them and `" + "` inside a
/// multi-valued one: `O=eap tests, CN=radius.example.test`.
fn name_text(name: &[u8]) -> Option<String> {
    // The DER is a little longer than the text of usual names: one allocation.
    let mut out = String::with_capacity(name.len());
    attributes(name, |oid, tag, value, first_in_rdn| {
        if !out.is_empty() {
            out.push_str(if first_in_rdn { ", " } else { " + " });
        }
        match attribute_name(oid) {
            Some(short) => out.push_str(short),
            None => write_oid(&mut out, oid),
        }
        out.push('=');
        push_string_value(&mut out, tag, value);
    })?;
    Some(out)
}

fn attribute_name(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, n] => match n {
            3 => "CN",
            4 => "SN",
            5 => "serialNumber",
            6 => "C",
            7 => "L",
            8 => "ST",
            9 => "street",
            10 => "O",
            11 => "OU",
            12 => "title",
            42 => "GN",
            _ => return None,
        },
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID",
        _ => return None,
    })
}

/// Dotted decimal form of an OID's contents.
fn write_oid(out: &mut String, oid: &[u8]) {
    let mut value: u64 = 0;
    let mut first = true;
    for &b in oid {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 != 0 {
            continue;
        }
        if first {
            let (a, b) = if value < 80 {
                (value / 40, value % 40)
            } else {
                (2, value - 80)
            };
            let _ = write!(out, "{a}.{b}");
            first = false;
        } else {
            let _ = write!(out, ".{value}");
        }
        value = 0;
    }
}

/// Appends a DirectoryString or IA5String value as text (lossy for anything that is not
/// UTF-8).
fn push_string_value(out: &mut String, tag: u8, value: &[u8]) {
    match tag {
        // BMPString: UTF-16BE.
        0x1e => {
            let units = value
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        }
        // UniversalString: UTF-32BE.
        0x1c => out.extend(value.chunks_exact(4).map(|c| {
            char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .unwrap_or(char::REPLACEMENT_CHARACTER)
        })),
        // Borrowed when it is UTF-8 already: no copy of its own.
        _ => out.push_str(&String::from_utf8_lossy(value)),
    }
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) as
/// seconds since the Unix epoch.
fn time(input: &mut &[u8]) -> Option<i64> {
    let (tag, body) = tlv(input)?;
    let (year, rest) = match tag {
        UTC_TIME => {
            let yy = digits(body.get(..2)?)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &body[2..])
        }
        GENERALIZED_TIME => (digits(body.get(..4)?)?, &body[4..]),
        _ => return None,
    };
    if rest.len() != 11 || rest[10] != b'Z' {
        return None;
    }
    let month = digits(&rest[0..2])?;
    let day = digits(&rest[2..4])?;
    let hour = digits(&rest[4..6])?;
    let minute = digits(&rest[6..8])?;
    let second = digits(&rest[8..10])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

fn digits(d: &[u8]) -> Option<i64> {
    d.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a Unix time, for diagnoses.
pub(crate) fn date_text(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = String::new();
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 12, 3), 20_790);
        assert_eq!(date_text(20_790 * 86_400 + 3_600), "2026-12-03");
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_text(951_782_400), "2000-02-29");
    }

    #[test]
    fn times() {
        let mut utc: &[u8] = b"\x17\x0d261125013701Z";
        assert_eq!(time(&mut utc), Some(1_795_570_621));
        let mut gen_time: &[u8] = b"\x18\x0f21261101013701Z";
        assert_eq!(time(&mut gen_time), Some(4_949_170_621));
        let mut bad: &[u8] = b"\x17\x0d26112501370aZ";
        assert_eq!(time(&mut bad), None);
        let mut short: &[u8] = b"\x17\x05261125";
        assert_eq!(time(&mut short), None);
    }

    #[test]
    fn oid_text() {
        let mut s = String::new();
        write_oid(
            &mut s,
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01],
        );
        assert_eq!(s, "1.2.840.113549.1.9.1");
    }

    fn der(pem: &[u8]) -> alloc::vec::Vec<u8> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        CertificateDer::from_pem_slice(pem).unwrap().to_vec()
    }

    #[test]
    fn describes_an_openssl_certificate() {
        let cert = der(include_bytes!("../../tests/data/rsa-server.pem"));
        let info = describe(&cert, 2).unwrap();
        assert_eq!(info.subject, "O=eap tests, CN=radius.example.org");
        assert_eq!(info.issuer, "O=eap tests, CN=eap test RSA CA");
        assert_eq!(info.dns_names, ["radius.example.org"]);
        assert_eq!(info.not_before, 1_796_284_975);
        assert_eq!(info.not_after, 4_949_884_975);
        assert_eq!(info.chain_len, 2);
        assert_eq!(validity(&cert), Some((1_796_284_975, 4_949_884_975)));
        // Without a subjectAltName the Common Name stands in: the CA has none.
        let ca = der(include_bytes!("../../tests/data/rsa-ca.pem"));
        assert_eq!(describe(&ca, 1).unwrap().dns_names, ["eap test RSA CA"]);
    }

    #[test]
    fn every_truncation_is_refused_without_panic() {
        let cert = der(include_bytes!("../../tests/data/server.pem"));
        assert!(describe(&cert, 1).is_some());
        for n in 0..cert.len() {
            assert!(describe(&cert[..n], 1).is_none(), "prefix of {n}");
        }
        for i in 0..cert.len() {
            let mut bad = cert.clone();
            bad[i] ^= 0xff;
            let _ = describe(&bad, 1);
        }
    }

    #[test]
    fn truncated_and_long_lengths_are_refused() {
        let mut four_octet_len: &[u8] = &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(tlv(&mut four_octet_len), None);
        let mut indefinite: &[u8] = &[0x30, 0x80, 0, 0];
        assert_eq!(tlv(&mut indefinite), None);
        assert!(describe(&[], 1).is_none());
        assert!(describe(&[0x30, 0x03, 0x30, 0x01, 0x00], 1).is_none());
    }
}
