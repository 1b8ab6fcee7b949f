//! subjectAltName values written octet by octet: the two malformed ones of issue 30 (a
//! reader that takes each GeneralName's identifier as one octet misreads both) and
//! well-formed controls. Shared by `tests/server_name_san.rs` and the `cert_info` fuzz
//! seeds (`fuzz/src/bin/cert_seeds.rs`).

/// A DER element: `tag` (one or more identifier octets), short-form length, `body`.
pub fn der(tag: &[u8], body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 0x80);
    let mut v = tag.to_vec();
    v.push(body.len() as u8);
    v.extend_from_slice(body);
    v
}

/// The first certificate of the report: SAN { dNSName "decoy.attacker.test", [31] { 30
/// octets "A", then `82 12` "hidden.example.net" } }. A reader that takes `9f` as the
/// whole identifier reads `1f` as the length and then finds the hidden dNSName.
pub fn hidden_name_san() -> Vec<u8> {
    let mut inner = vec![b'A'; 30];
    inner.extend(der(&[0x82], b"hidden.example.net"));
    let mut names = der(&[0x82], b"decoy.attacker.test");
    names.extend(der(&[0x9f, 0x1f], &inner));
    der(&[0x30], &names)
}

/// The second: SAN { [31] of 14 octets ("h.example.org" and a NUL), dNSName
/// "ok.example.org" }. The same misreading swallows the real dNSName inside the [31]
/// element and falls back to the Common Name.
pub fn skipped_name_san() -> Vec<u8> {
    let mut names = der(&[0x9f, 0x1f], b"h.example.org\0");
    names.extend(der(&[0x82], b"ok.example.org"));
    der(&[0x30], &names)
}

/// A well-formed SAN with the same dNSNames the two above show a strict reader.
pub fn good_san(dns: &[&str]) -> Vec<u8> {
    let names: Vec<u8> = dns
        .iter()
        .flat_map(|n| der(&[0x82], n.as_bytes()))
        .collect();
    der(&[0x30], &names)
}
