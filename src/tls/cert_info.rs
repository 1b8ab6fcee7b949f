//! Reads what diagnoses and the server-name check need from a DER certificate
//! ([RFC 5280 §4.1](https://www.rfc-editor.org/rfc/rfc5280#section-4.1)): subject, issuer,
//! subjectAltName DNS names, validity and the subjectPublicKeyInfo.
//!
//! # Trust decisions it takes part in
//!
//! The chain and its signatures are webpki's job, but this reader supplies facts that
//! decide trust (`tls/verify.rs`), so it reads DER strictly:
//! - **the server name**: the configured exact name or domain suffix is matched against
//!   the leaf's dNSNames read here ([`read`]), with the subject's Common Names only when
//!   the certificate has no dNSName at all (RFC 6125 §6.4.4); a subjectAltName that does
//!   not parse is reported as malformed ([`Names::MalformedSan`]) and the certificate is
//!   refused, never read past or reinterpreted;
//! - **the instant the chain is checked at without a clock**: the notBefore dates of the
//!   chain's certificates ([`validity`]);
//! - **which key the handshake signature is checked with**: the leaf's subjectPublicKeyInfo
//!   ([`spki`]) is compared with the one webpki validated.
//!
//! Strict means X.690 DER as webpki reads it: identifier octets in the low and the
//! high-tag-number form, definite lengths in their shortest form only, each element read by
//! its own length and nothing left over inside a structure or after the certificate, the
//! TBSCertificate fields in order, a GeneralName only of the nine RFC 5280 kinds, a dNSName
//! only of IA5 characters, and one subjectAltName extension at most. Anything else yields
//! `None` (or [`Names::MalformedSan`]), never a panic. A proptest below and the `cert_info`
//! fuzz target check it against a reference parser.
//!
//! A small reader of our own instead of a general X.509 crate: it runs without std and
//! allocates only the strings it returns (x509-parser built a 31 KB OID registry per
//! process).

use super::CertificateInfo;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// An identifier: class and constructed bits (the top three bits of the first octet) and
/// the tag number, read in either form ([X.690 §8.1.2](https://www.itu.int/rec/T-REC-X.690)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tag {
    class: u8,
    number: u32,
}

impl Tag {
    /// A tag of the low-tag-number form, from its one identifier octet.
    const fn of(octet: u8) -> Tag {
        Tag {
            class: octet & 0xe0,
            number: (octet & 0x1f) as u32,
        }
    }
}

/// Universal tags used here.
const SEQUENCE: Tag = Tag::of(0x30);
const SET: Tag = Tag::of(0x31);
const OID: Tag = Tag::of(0x06);
const OCTET_STRING: Tag = Tag::of(0x04);
const BIT_STRING: Tag = Tag::of(0x03);
const INTEGER: Tag = Tag::of(0x02);
const BOOLEAN: Tag = Tag::of(0x01);
const UTC_TIME: Tag = Tag::of(0x17);
const GENERALIZED_TIME: Tag = Tag::of(0x18);
/// TBSCertificate's `[0]` EXPLICIT version, `[1]`/`[2]` IMPLICIT unique identifiers and
/// `[3]` EXPLICIT extensions.
const VERSION: Tag = Tag::of(0xa0);
const ISSUER_UID: Tag = Tag::of(0x81);
const SUBJECT_UID: Tag = Tag::of(0x82);
const EXTENSIONS: Tag = Tag::of(0xa3);
/// Context-specific class (bits 8-7 = 10), and the constructed bit.
const CONTEXT: u8 = 0x80;
const CONSTRUCTED: u8 = 0x20;

/// id-ce-subjectAltName (2.5.29.17).
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
/// id-at-commonName (2.5.4.3).
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// Reads one DER element from the front of `input`: (tag, contents). `None` for an
/// indefinite or non-minimal length, a length past the input, or a tag number that is not
/// in its shortest form.
fn tlv<'a>(input: &mut &'a [u8]) -> Option<(Tag, &'a [u8])> {
    let (&id, mut rest) = input.split_first()?;
    let mut tag = Tag::of(id);
    if tag.number == 0x1f {
        // High-tag-number form (X.690 §8.1.2.4): base-128 digits, bit 8 set on all but the
        // last; DER: no leading zero digit, and only for numbers of 31 and more.
        let mut number: u32 = 0;
        loop {
            let (&b, after) = rest.split_first()?;
            rest = after;
            if (number == 0 && b == 0x80) || number > u32::MAX >> 7 {
                return None;
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        if number < 0x1f {
            return None;
        }
        tag.number = number;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        // 0x80 is the indefinite form, which DER forbids; 0xff is reserved.
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (octets, after) = rest.split_at(n);
        rest = after;
        // The shortest form: no leading zero octet, and the long form only from 128 on.
        if octets[0] == 0 {
            return None;
        }
        let len = octets
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return None;
        }
        len
    };
    if rest.len() < len {
        return None;
    }
    let (body, after) = rest.split_at(len);
    *input = after;
    Some((tag, body))
}

/// Reads an element that must have `tag`.
fn expect<'a>(input: &mut &'a [u8], tag: Tag) -> Option<&'a [u8]> {
    match tlv(input)? {
        (t, body) if t == tag => Some(body),
        _ => None,
    }
}

/// Reads an element that must have `tag` and be all that `input` holds.
fn only(mut input: &[u8], tag: Tag) -> Option<&[u8]> {
    let body = expect(&mut input, tag)?;
    input.is_empty().then_some(body)
}

/// The tag of the next element, without reading it.
fn peek(input: &[u8]) -> Option<Tag> {
    let mut copy = input;
    tlv(&mut copy).map(|(tag, _)| tag)
}

/// Reads an element with `tag` if it comes next.
fn optional<'a>(input: &mut &'a [u8], tag: Tag) -> Option<Option<&'a [u8]>> {
    if input.is_empty() || peek(input)? != tag {
        return Some(None);
    }
    expect(input, tag).map(Some)
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

/// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }, and
/// nothing after it; the TBSCertificate's fields in order
/// ([RFC 5280 §4.1](https://www.rfc-editor.org/rfc/rfc5280#section-4.1)).
fn tbs(der: &[u8]) -> Option<Tbs<'_>> {
    let mut cert = only(der, SEQUENCE)?;
    let mut tbs = expect(&mut cert, SEQUENCE)?;
    expect(&mut cert, SEQUENCE)?; // signatureAlgorithm
    expect(&mut cert, BIT_STRING)?; // signatureValue
    if !cert.is_empty() {
        return None;
    }
    if let Some(version) = optional(&mut tbs, VERSION)? {
        only(version, INTEGER)?;
    }
    expect(&mut tbs, INTEGER)?; // serialNumber
    expect(&mut tbs, SEQUENCE)?; // signature AlgorithmIdentifier
    let issuer = expect(&mut tbs, SEQUENCE)?;
    let validity = expect(&mut tbs, SEQUENCE)?;
    let subject = expect(&mut tbs, SEQUENCE)?;
    let rest = tbs;
    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }, and
    // nothing else inside (its octets are compared with the key webpki validated).
    let mut key_info = expect(&mut tbs, SEQUENCE)?;
    expect(&mut key_info, SEQUENCE)?;
    expect(&mut key_info, BIT_STRING)?;
    if !key_info.is_empty() {
        return None;
    }
    let spki = &rest[..rest.len() - tbs.len()];
    optional(&mut tbs, ISSUER_UID)?;
    optional(&mut tbs, SUBJECT_UID)?;
    let extensions = match optional(&mut tbs, EXTENSIONS)? {
        Some(explicit) => Some(only(explicit, SEQUENCE)?),
        None => None,
    };
    if !tbs.is_empty() {
        return None;
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
pub fn spki(der: &[u8]) -> Option<&[u8]> {
    Some(tbs(der)?.spki)
}

/// Validity ::= SEQUENCE { notBefore Time, notAfter Time }, as seconds since the Unix epoch.
fn validity_of(mut v: &[u8]) -> Option<(i64, i64)> {
    let not_before = time(&mut v)?;
    let not_after = time(&mut v)?;
    v.is_empty().then_some((not_before, not_after))
}

/// notBefore and notAfter of `der`, seconds since the Unix epoch.
pub fn validity(der: &[u8]) -> Option<(i64, i64)> {
    validity_of(tbs(der)?.validity)
}

/// Where the names a certificate is matched on came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// The subjectAltName's dNSNames (one or more).
    San,
    /// The subject's Common Names: the certificate has no dNSName (no subjectAltName, or
    /// one with other kinds of names only).
    CommonName,
    /// The subjectAltName extension does not parse as DER GeneralNames (or there are two):
    /// no name of this certificate may be trusted. The description lists none.
    MalformedSan,
}

/// Subject, issuer, DNS names (subjectAltName, else the Common Name) and validity of
/// `der`, and where the names came from; `None` if the certificate does not parse.
pub fn read(der: &[u8], chain_len: usize) -> Option<(CertificateInfo, Names)> {
    let tbs = tbs(der)?;
    let (not_before, not_after) = validity_of(tbs.validity)?;
    let san = match tbs.extensions {
        Some(extensions) => san_dns_names(extensions)?,
        None => Some(Vec::new()),
    };
    let (dns_names, names) = match san {
        None => (Vec::new(), Names::MalformedSan),
        Some(dns) if !dns.is_empty() => (dns, Names::San),
        Some(_) => (common_names(tbs.subject)?, Names::CommonName),
    };
    let info = CertificateInfo {
        subject: name_text(tbs.subject)?,
        issuer: name_text(tbs.issuer)?,
        dns_names,
        not_before,
        not_after,
        chain_len,
    };
    Some((info, names))
}

/// [`read`]'s description alone, for showing a certificate (not for trusting it).
pub(crate) fn describe(der: &[u8], chain_len: usize) -> Option<CertificateInfo> {
    read(der, chain_len).map(|(info, _)| info)
}

/// The dNSNames of the subjectAltName among `extensions` (empty without one). The outer
/// `None`: an extension does not parse; the inner `None`: the subjectAltName is malformed
/// or comes twice.
fn san_dns_names(mut extensions: &[u8]) -> Option<Option<Vec<String>>> {
    // Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
    if extensions.is_empty() {
        return None;
    }
    let mut found: Option<Option<Vec<String>>> = None;
    while !extensions.is_empty() {
        // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }
        let mut ext = expect(&mut extensions, SEQUENCE)?;
        let oid = expect(&mut ext, OID)?;
        if let Some(critical) = optional(&mut ext, BOOLEAN)? {
            if critical.len() != 1 {
                return None;
            }
        }
        let value = expect(&mut ext, OCTET_STRING)?;
        if !ext.is_empty() {
            return None;
        }
        if oid == OID_SAN {
            found = Some(match found {
                None => general_names(value),
                Some(_) => None, // RFC 5280 §4.2: an extension appears at most once.
            });
        }
    }
    Some(found.unwrap_or(Some(Vec::new())))
}

/// The dNSNames of a GeneralNames value ([RFC 5280 §4.2.1.6](https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6)),
/// or `None` if it is not exactly one non-empty SEQUENCE of GeneralName.
fn general_names(value: &[u8]) -> Option<Vec<String>> {
    let mut general_names = only(value, SEQUENCE)?;
    if general_names.is_empty() {
        return None;
    }
    let mut names = Vec::new();
    while !general_names.is_empty() {
        let (tag, body) = tlv(&mut general_names)?;
        // otherName [0], x400Address [3], directoryName [4] (EXPLICIT: a Name is a
        // CHOICE) and ediPartyName [5] are constructed; rfc822Name [1], dNSName [2],
        // uniformResourceIdentifier [6], iPAddress [7] and registeredID [8] primitive.
        let constructed = match tag.number {
            0 | 3 | 4 | 5 => true,
            1 | 2 | 6 | 7 | 8 => false,
            _ => return None,
        };
        let class = if constructed {
            CONTEXT | CONSTRUCTED
        } else {
            CONTEXT
        };
        if tag.class != class {
            return None;
        }
        if tag.number == 2 {
            // IA5String: 7-bit characters only.
            if !body.is_ascii() {
                return None;
            }
            names.push(String::from_utf8_lossy(body).into_owned());
        }
    }
    Some(names)
}

/// Each AttributeTypeAndValue of a Name, in order: (OID contents, value tag, value).
fn attributes(mut name: &[u8], mut f: impl FnMut(&[u8], Tag, &[u8], bool)) -> Option<()> {
    while !name.is_empty() {
        let mut rdn = expect(&mut name, SET)?;
        let mut first = true;
        while !rdn.is_empty() {
            let mut atv = expect(&mut rdn, SEQUENCE)?;
            let oid = expect(&mut atv, OID)?;
            let (tag, value) = tlv(&mut atv)?;
            if !atv.is_empty() {
                return None;
            }
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
fn push_string_value(out: &mut String, tag: Tag, value: &[u8]) {
    const BMP_STRING: Tag = Tag::of(0x1e);
    const UNIVERSAL_STRING: Tag = Tag::of(0x1c);
    match tag {
        // BMPString: UTF-16BE.
        BMP_STRING => {
            let units = value
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        }
        // UniversalString: UTF-32BE.
        UNIVERSAL_STRING => out.extend(value.chunks_exact(4).map(|c| {
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
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days in `month` (1-12) of `year`, proleptic Gregorian.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
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
    use alloc::vec;

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
        assert_eq!(read(&cert, 1).unwrap().1, Names::San);
        assert_eq!(read(&ca, 1).unwrap().1, Names::CommonName);
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

    /// X.690 DER as webpki reads it: the high-tag-number form read whole, lengths in their
    /// shortest definite form only.
    #[test]
    fn identifiers_and_lengths_are_read_strictly() {
        // [31] in the high-tag-number form: two identifier octets, then the length.
        let mut high: &[u8] = &[0x9f, 0x1f, 0x02, 0xaa, 0xbb, 0x01];
        let (tag, body) = tlv(&mut high).unwrap();
        assert_eq!((tag.class, tag.number, body), (0x80, 31, &[0xaa, 0xbb][..]));
        assert_eq!(high, [0x01]);
        // A three-octet identifier: [200] = 0x81 0x48.
        let mut three: &[u8] = &[0xbf, 0x81, 0x48, 0x00];
        assert_eq!(tlv(&mut three).unwrap().0.number, 200);
        // Not the shortest form: a number under 31, a leading zero digit.
        assert_eq!(tlv(&mut &[0x9f, 0x1e, 0x00][..]), None);
        assert_eq!(tlv(&mut &[0x9f, 0x80, 0x1f, 0x00][..]), None);
        // An identifier that never ends, or runs past u32.
        assert_eq!(tlv(&mut &[0x9f, 0x81, 0x82][..]), None);
        assert_eq!(
            tlv(&mut &[0x9f, 0x8f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00][..]),
            None
        );
        // Lengths: long form under 128, a leading zero octet, indefinite.
        assert_eq!(tlv(&mut &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5][..]), None);
        assert_eq!(tlv(&mut &[0x04, 0x82, 0x00, 0x80][..]), None);
        assert_eq!(tlv(&mut &[0x30, 0x80, 0x00, 0x00][..]), None);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7; 0x80]);
        assert_eq!(tlv(&mut &long[..]).unwrap().1.len(), 0x80);
    }

    /// GeneralNames: every kind skipped by its own length, a dNSName only of IA5
    /// characters, and anything else refused rather than read past.
    #[test]
    fn general_names_are_refused_not_reinterpreted() {
        let seq = |items: &[&[u8]]| {
            let body: Vec<u8> = items.concat();
            let mut v = vec![0x30, body.len() as u8];
            v.extend(body);
            v
        };
        let dns = |n: &str| {
            let mut v = vec![0x82, n.len() as u8];
            v.extend(n.as_bytes());
            v
        };
        // otherName, rfc822Name, directoryName, URI, iPAddress, registeredID, dNSName.
        let all = seq(&[
            &[0xa0, 0x03, 0x06, 0x01, 0x2a][..],
            &[0x81, 0x03, b'a', b'@', b'b'],
            &[0xa4, 0x02, 0x30, 0x00],
            &[0x86, 0x01, b'u'],
            &[0x87, 0x04, 192, 0, 2, 1],
            &[0x88, 0x01, 0x2a],
            &dns("radius.example.org"),
        ]);
        assert_eq!(general_names(&all).unwrap(), ["radius.example.org"]);
        // A tag of no RFC 5280 kind, in either form; a kind with the wrong constructed bit.
        assert_eq!(general_names(&seq(&[&[0x89, 0x00], &dns("a.b")])), None);
        assert_eq!(
            general_names(&seq(&[&[0x9f, 0x1f, 0x00], &dns("a.b")])),
            None
        );
        assert_eq!(general_names(&seq(&[&[0xa2, 0x00], &dns("a.b")])), None);
        assert_eq!(general_names(&seq(&[&[0x84, 0x00]])), None);
        // Not IA5; empty GeneralNames; data after the SEQUENCE; an element running past it.
        assert_eq!(general_names(&seq(&[&[0x82, 0x02, 0xc3, 0xa9]])), None);
        assert_eq!(general_names(&seq(&[])), None);
        let mut trailing = seq(&[&dns("a.b")]);
        trailing.push(0);
        assert_eq!(general_names(&trailing), None);
        assert_eq!(general_names(&[0x30, 0x03, 0x82, 0x05, b'a']), None);
    }

    /// A subjectAltName twice is malformed; extensions must be well formed around it.
    #[test]
    fn one_subject_alt_name_extension_at_most() {
        let ext = |oid: &[u8], value: &[u8]| {
            let mut body = vec![0x06, oid.len() as u8];
            body.extend(oid);
            body.extend([0x04, value.len() as u8]);
            body.extend(value);
            let mut v = vec![0x30, body.len() as u8];
            v.extend(body);
            v
        };
        let san = [0x30, 0x05, 0x82, 0x03, b'a', b'.', b'b'];
        let once = ext(OID_SAN, &san);
        assert_eq!(san_dns_names(&once), Some(Some(vec!["a.b".into()])));
        let twice = [once.clone(), once.clone()].concat();
        assert_eq!(san_dns_names(&twice), Some(None));
        let other = ext(&[0x55, 0x1d, 0x0f], &[0x03, 0x02, 0x05, 0xa0]);
        assert_eq!(
            san_dns_names(&[other.clone(), once].concat()),
            Some(Some(vec!["a.b".into()]))
        );
        assert_eq!(san_dns_names(&other), Some(Some(vec![])));
        // An empty Extensions SEQUENCE, or an element inside one that is not an Extension.
        assert_eq!(san_dns_names(&[]), None);
        assert_eq!(san_dns_names(&[0x04, 0x00]), None);
    }

    #[test]
    fn dates_are_checked_against_their_month() {
        let mut leap: &[u8] = b"\x17\x0d240229000000Z";
        assert!(time(&mut leap).is_some());
        let mut not_leap: &[u8] = b"\x17\x0d250229000000Z";
        assert_eq!(time(&mut not_leap), None);
        let mut april_31: &[u8] = b"\x18\x0f20250431000000Z";
        assert_eq!(time(&mut april_31), None);
        let mut leap_second: &[u8] = b"\x17\x0d251231235960Z";
        assert_eq!(time(&mut leap_second), None);
    }

    /// Found by the cert_info fuzz target: a subjectPublicKeyInfo whose BIT STRING ends one
    /// octet before the SEQUENCE does. x509-parser reads it and leaves the octet out of its
    /// SPKI; webpki refuses such a key. We refuse the certificate.
    #[test]
    fn an_spki_with_an_octet_after_its_key_is_refused() {
        let cert = der(include_bytes!("../../tests/data/server.pem"));
        let key = spki(&cert).unwrap().to_vec();
        let at = cert.windows(key.len()).position(|w| w == key).unwrap();
        // The key's BIT STRING one octet shorter: the SEQUENCE's last octet is left over.
        let mut key_info = &key[2..];
        expect(&mut key_info, SEQUENCE).unwrap();
        let bit_string_len_at = at + 2 + (key.len() - 2 - key_info.len()) + 1;
        let mut bad = cert.clone();
        assert!(bad[bit_string_len_at] < 0x80);
        bad[bit_string_len_at] -= 1;
        assert!(read(&bad, 1).is_none());
        assert!(spki(&bad).is_none());
        assert!(read(&cert, 1).is_some());
    }

    #[test]
    fn trailing_data_after_the_certificate_is_refused() {
        let mut cert = der(include_bytes!("../../tests/data/server.pem"));
        assert!(read(&cert, 1).is_some());
        cert.push(0);
        assert!(read(&cert, 1).is_none());
        assert!(validity(&cert).is_none());
        assert!(spki(&cert).is_none());
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
