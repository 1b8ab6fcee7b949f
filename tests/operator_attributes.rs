//! The RADIUS attributes federations expect, checked in FreeRADIUS's debug log (`-X`
//! prints every attribute it receives): NAS-IP-Address on every Access-Request by default,
//! and NAS-Identifier, Operator-Name, Called-Station-Id, Connect-Info, a generic `--attr`
//! and the Chargeable-User-Identity request when given; `--cui` reports the CUI the
//! server returns (tests/peers/freeradius.sh returns "cui-alice" when asked). Also a CA
//! file in DER that authenticates, and the server-validation flags of issue 28.

#[path = "peers/mod.rs"]
mod peers;

use peers::*;
use serde_json::Value;

/// The attribute lines of the Access-Requests in a FreeRADIUS debug log, per request:
/// `(N)   Name = value` lines that follow `(N) Received Access-Request`.
fn received(log: &str) -> Vec<Vec<String>> {
    let mut requests: Vec<Vec<String>> = Vec::new();
    let mut current: Option<String> = None;
    for line in log.lines() {
        if line.contains(" Received Access-Request ") {
            let n = line.split(')').next().unwrap_or("").to_string();
            current = Some(n);
            requests.push(Vec::new());
            continue;
        }
        match &current {
            Some(n) if line.starts_with(&format!("{n})   ")) => {
                requests
                    .last_mut()
                    .unwrap()
                    .push(line[n.len() + 1..].trim().to_string());
            }
            _ => current = None,
        }
    }
    requests
}

#[test]
fn freeradius_logs_our_attributes_and_cui_comes_back() {
    if !available(&["freeradius"]) {
        return;
    }
    let fr = FreeRadius::start(&[("REJECT_DELAY", "0")]);

    // Defaults: NAS-IP-Address (the socket's local address) on every request, no CUI.
    let plain = radius_auth(&fr.addr(), "alice", "password", &["--json"]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let v: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(v["cui"], Value::Null, "{v}");
    assert_eq!(v["server"], fr.addr(), "{v}");
    assert!(v["time"].as_str().unwrap().ends_with('Z'), "{v}");
    let requests = received(&fr.log());
    assert!(requests.len() >= 5, "{requests:?}");
    for r in &requests {
        assert!(
            r.iter().any(|a| a == "NAS-IP-Address = 127.0.0.1"),
            "a request without NAS-IP-Address: {r:?}"
        );
        assert!(
            !r.iter().any(|a| a.starts_with("Chargeable-User-Identity")),
            "{r:?}"
        );
    }
    let before = requests.len();

    // Everything given: in every request; the CUI comes back.
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &[
            "--nas-ip",
            "192.0.2.7",
            "--nas-identifier",
            "ap-7.example.test",
            "--operator-name",
            "example.test",
            "--called-station-id",
            "02-00-00-00-00-02:eduroam",
            "--connect-info",
            "CONNECT 54Mbps 802.11g",
            "--attr",
            "5=7",
            "--cui",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.lines().any(|l| l == "CUI=cui-alice"), "{stdout}");
    let requests = received(&fr.log());
    let ours = &requests[before..];
    assert!(ours.len() >= 5, "{ours:?}");
    for r in ours {
        for want in [
            "NAS-IP-Address = 192.0.2.7",
            "NAS-Identifier = \"ap-7.example.test\"",
            "Operator-Name = \"1example.test\"",
            "Called-Station-Id = \"02-00-00-00-00-02:eduroam\"",
            "Connect-Info = \"CONNECT 54Mbps 802.11g\"",
            "NAS-Port = 7",
            "Chargeable-User-Identity = 0x00",
        ] {
            assert!(r.iter().any(|a| a == want), "{want} missing in {r:?}");
        }
    }

    // --json: the CUI as "cui".
    let json = radius_auth(&fr.addr(), "alice", "password", &["--cui", "--json"]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["cui"], "cui-alice", "{v}");

    // An IPv6 NAS address goes as NAS-IPv6-Address.
    let before = received(&fr.log()).len();
    let v6 = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--nas-ip", "2001:db8::7"],
    );
    assert_eq!(v6.status.code(), Some(0));
    let requests = received(&fr.log());
    assert!(
        requests[before..]
            .iter()
            .all(|r| r.iter().any(|a| a == "NAS-IPv6-Address = 2001:db8::7")),
        "{:?}",
        &requests[before..]
    );
}

#[test]
fn a_der_ca_file_authenticates() {
    if !available(&["freeradius", "openssl"]) {
        return;
    }
    let fr = FreeRadius::start(&[("REJECT_DELAY", "0")]);
    let dir = scratch("der-ca");
    let der = dir.join("ca.der");
    let status = std::process::Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(pki().join("ca.pem"))
        .arg("-out")
        .arg(&der)
        .status()
        .unwrap();
    assert!(status.success());
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--ca-cert", der.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(msk_lines(&out).len(), 1);
}

#[test]
fn several_names_a_subject_and_tls_min_as_operators_write_them() {
    if !available(&["freeradius"]) {
        return;
    }
    let fr = FreeRadius::start(&[("REJECT_DELAY", "0")]);
    let run = |extra: &[&str]| {
        let out = radius_auth(&fr.addr(), "alice", "password", extra);
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), v)
    };
    // Any of several names may match.
    let (code, v) = run(&[
        "--server-name",
        "other.example.test",
        "--domain-suffix",
        "example.test",
        "--json",
    ]);
    assert_eq!(code, Some(0), "{v}");
    // None does: the mismatch names every rule.
    let (code, v) = run(&[
        "--server-name",
        "other.example.test",
        "--server-name",
        "third.example.test",
        "--json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(v["cause"]["code"], "certificate_name_mismatch", "{v}");
    let m = v["cause"]["message"].as_str().unwrap();
    assert!(
        m.contains("\"other.example.test\" or \"third.example.test\""),
        "{m}"
    );
    // The exact subject, on top of the name.
    let subject = "O=eap tests, CN=radius.example.test";
    let (code, v) = run(&["--server-subject", subject, "--json"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["server_certificates"][0]["subject"], subject, "{v}");
    let (code, v) = run(&["--server-subject", "O=eap tests, CN=impostor", "--json"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["cause"]["code"], "certificate_name_mismatch", "{v}");
    // --save-server-cert: the chain as received, in PEM, also when it is refused.
    let saved = scratch("save-cert").join("chain.pem");
    let (code, v) = run(&[
        "--server-name",
        "other.example.test",
        "--save-server-cert",
        saved.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, Some(1), "{v}");
    let certs = |pem: &[u8]| -> Vec<Vec<u8>> {
        use eap::rustls::pki_types::CertificateDer;
        use eap::rustls::pki_types::pem::PemObject;
        CertificateDer::pem_slice_iter(pem)
            .map(|c| c.unwrap().as_ref().to_vec())
            .collect()
    };
    let got = certs(&std::fs::read(&saved).unwrap());
    assert_eq!(got.len() as u64, v["chain_length"].as_u64().unwrap(), "{v}");
    let leaf = certs(&std::fs::read(pki().join("server.pem")).unwrap());
    assert_eq!(got[0], leaf[0], "the leaf first, as sent");
    // --tls-min 1.3 against a TLS 1.2 server: no common version, named as such.
    let (code, v) = run(&["--tls-min", "1.3", "--tls-max", "1.3", "--json"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["cause"]["phase"], "tls_handshake", "{v}");
    assert_eq!(v["tls"], Value::Null, "{v}");
}
