//! Names and one-line descriptions for timelines: TLS suites, groups, versions, handshake
//! messages, alerts, and quoted text.

use crate::tls::TlsVersion;
use crate::wire::tls_record::{ClientHello, ServerHello, cipher_suite_name};
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

/// Text in double quotes, non-printable characters escaped (as Rust escapes them).
pub(crate) fn quote(bytes: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(bytes).escape_debug())
}

/// A GREASE value (RFC 8701).
fn grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

/// A cipher suite's IANA name, or its number.
pub(crate) fn suite(s: u16) -> String {
    cipher_suite_name(s).map_or_else(|| format!("{s:#06x}"), ToString::to_string)
}

/// A named group's IANA name, or its number.
fn group(g: u16) -> String {
    let name = match g {
        0x0017 => "secp256r1",
        0x0018 => "secp384r1",
        0x0019 => "secp521r1",
        0x001d => "x25519",
        0x001e => "x448",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x0102 => "ffdhe4096",
        0x0103 => "ffdhe6144",
        0x0104 => "ffdhe8192",
        0x11ec => "X25519MLKEM768",
        _ => return format!("{g:#06x}"),
    };
    name.to_string()
}

fn list<T: Copy>(items: &[T], name: impl Fn(T) -> String) -> String {
    let names: Vec<String> = items.iter().map(|&i| name(i)).collect();
    names.join(", ")
}

/// "ClientHello: versions ...; N cipher suites: ...; groups: ...; server name: ...".
pub(crate) fn client_hello_text(ch: &ClientHello) -> String {
    let versions: Vec<u16> = if ch.supported_versions.is_empty() {
        std::vec![ch.legacy_version]
    } else {
        ch.supported_versions
            .iter()
            .copied()
            .filter(|v| !grease(*v))
            .collect()
    };
    let suites: Vec<u16> = ch
        .cipher_suites
        .iter()
        .copied()
        .filter(|s| !grease(*s))
        .collect();
    let groups: Vec<u16> = ch.groups.iter().copied().filter(|g| !grease(*g)).collect();
    let mut s = format!(
        "ClientHello: versions {}; {} cipher suites: {}",
        list(&versions, |v| TlsVersion(v).to_string()),
        suites.len(),
        list(&suites, suite)
    );
    if !groups.is_empty() {
        s.push_str(&format!("; groups: {}", list(&groups, group)));
    }
    if let Some(name) = &ch.server_name {
        s.push_str(&format!("; server name: {}", quote(name)));
    }
    s
}

/// "ServerHello: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".
pub(crate) fn server_hello_text(sh: &ServerHello) -> String {
    format!(
        "ServerHello: {}, {}",
        TlsVersion(sh.version()),
        suite(sh.cipher_suite)
    )
}

/// A handshake message type's name.
pub(crate) fn handshake_name(t: u8) -> &'static str {
    match t {
        0 => "HelloRequest",
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        22 => "CertificateStatus",
        _ => "handshake message",
    }
}

/// "fatal unknown_ca (48)".
pub(crate) fn alert_text(level: u8, description: u8) -> String {
    let level = match level {
        1 => "warning",
        2 => "fatal",
        _ => "level?",
    };
    format!("{level} {}", crate::diagnosis::cause::Alert(description))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(quote("a\"b\n".as_bytes()), "\"a\\\"b\\n\"");
        assert!(grease(0x0a0a) && grease(0xfafa) && !grease(0x0a1a));
        assert_eq!(group(0x1d), "x25519");
        assert_eq!(suite(0xffff), "0xffff");
        assert_eq!(alert_text(2, 48), "fatal unknown_ca (48)");
        let ch = ClientHello {
            legacy_version: 0x0303,
            cipher_suites: std::vec![0x2a2a, 0xc02f],
            groups: std::vec![0x17],
            ..ClientHello::default()
        };
        assert_eq!(
            client_hello_text(&ch),
            "ClientHello: versions TLS 1.2; 1 cipher suites: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; groups: secp256r1"
        );
    }
}
