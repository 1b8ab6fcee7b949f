//! The explainer inside the TLS tunnel: captures made by `radius_auth --pcap` of
//! wrong-password runs against FreeRADIUS (tests/captures/tunnel-*, see its README) carry
//! the TLS secrets; the tunnel is decrypted (TLS 1.2 and 1.3) and the inner failure named
//! with the live run's cause and code. Wrong, missing and separately given secrets; cut
//! and corrupted captures; `explain --json` and `--keylog`.

use eap::MethodType;
use eap::TtlsInner;
use eap::diagnosis::{Cause, Phase};
use eap::unstable::capture::{
    Capture, ConversationOutcome, Finding, KeyLog, Options, PasswordCheck, Report, explain_capture,
    read_capture,
};
use std::path::PathBuf;
use std::process::Command;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/captures")
        .join(format!("{name}.pcapng"))
}

fn capture(name: &str) -> Capture {
    read_capture(&std::fs::read(path(name)).unwrap()).unwrap()
}

fn one(capture: &Capture, options: &Options) -> Report {
    let r = explain_capture(capture, options);
    assert_eq!(r.conversations.len(), 1, "{r}");
    r
}

/// Each capture: the cause the live `radius_auth` reported for that run, and its code.
#[test]
fn inner_failures_are_named_after_decryption() {
    let alice = || "alice".to_string();
    let cases: [(&str, Phase, Cause, &str); 7] = [
        (
            "tunnel-peap-1.2",
            Phase::InnerAuthentication,
            Cause::CredentialsRejected { user: alice() },
            "credentials_rejected",
        ),
        (
            "tunnel-peap-e691-1.3",
            Phase::InnerAuthentication,
            Cause::MschapFailure {
                user: alice(),
                error: 691,
                retry: true,
                message: Some("Authentication rejected".into()),
            },
            "password_rejected",
        ),
        (
            "tunnel-peap-gtc-1.3",
            Phase::InnerAuthentication,
            Cause::PasswordRejected {
                user: alice(),
                method: MethodType::Gtc,
            },
            "credentials_rejected",
        ),
        (
            "tunnel-ttls-pap-1.2",
            Phase::InnerAuthentication,
            Cause::TtlsCredentialsRejected {
                user: alice(),
                inner: TtlsInner::Pap,
            },
            "credentials_rejected",
        ),
        (
            "tunnel-ttls-mschapv2-1.3",
            Phase::InnerAuthentication,
            Cause::TtlsCredentialsRejected {
                user: alice(),
                inner: TtlsInner::MsChapV2,
            },
            "credentials_rejected",
        ),
        (
            "tunnel-ttls-eap-mschapv2-e691-1.2",
            Phase::InnerAuthentication,
            Cause::MschapFailure {
                user: alice(),
                error: 691,
                retry: true,
                message: Some("Authentication rejected".into()),
            },
            "password_rejected",
        ),
        (
            "tunnel-tls-badcert-1.3",
            Phase::TlsHandshake,
            Cause::FailureAfterClientCertificate,
            "client_certificate_rejected",
        ),
    ];
    for (name, phase, cause, code) in cases {
        let c = capture(name);
        assert!(!c.tls_secrets.is_empty(), "{name}: the DSB is read back");
        let r = one(&c, &Options::default());
        let conv = &r.conversations[0];
        let v = &conv.verdict;
        assert_eq!(v.outcome, ConversationOutcome::Failure, "{name}");
        assert_eq!(v.phase, phase, "{name}:\n{r}");
        assert_eq!(v.finding, Finding::Cause(cause), "{name}:\n{r}");
        assert_eq!(v.finding.code(), code, "{name}");
        let tunnel = conv.tunnel.as_deref().unwrap_or_default();
        assert!(tunnel.starts_with("decrypted"), "{name}: {tunnel}");
        assert!(
            !tunnel.contains("do not open"),
            "{name}: every record opens: {tunnel}"
        );
        let text = r.to_string();
        assert!(text.contains("\n      decrypted: "), "{name}:\n{text}");
    }
    // The other TLS 1.2 AEADs: AES-128-GCM and ChaCha20-Poly1305 (RFC 7905 nonces).
    for (name, suite) in [
        (
            "tunnel-peap-aes128-1.2",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ),
        (
            "tunnel-peap-chacha-1.2",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ),
    ] {
        let r = one(&capture(name), &Options::default());
        assert!(
            r.to_string()
                .contains(&format!("ServerHello: TLS 1.2, {suite}"))
        );
        let v = &r.conversations[0].verdict;
        assert_eq!(v.finding.code(), "credentials_rejected", "{name}:\n{r}");
    }
    // The inner exchange is in the timeline.
    let text = one(&capture("tunnel-peap-e691-1.3"), &Options::default()).to_string();
    for inner in [
        "decrypted: EAP Response Identity \"alice\"",
        "decrypted: EAP Request EAP-MSCHAPv2 Challenge from",
        "decrypted: EAP Request EAP-MSCHAPv2 Failure \"E=691 R=1 ",
        "decrypted: EAP-TLV: Result Failure",
    ] {
        assert!(text.contains(inner), "{inner} in\n{text}");
    }
    let text = one(&capture("tunnel-ttls-pap-1.2"), &Options::default()).to_string();
    assert!(
        text.contains("decrypted: AVPs: User-Name \"alice\", User-Password"),
        "{text}"
    );
}

/// With the tunnel open, `--password` is checked against the inner MSCHAPv2 exchange: the
/// runs used the password "wrong".
#[test]
fn password_check_inside_the_decrypted_tunnel() {
    for name in [
        "tunnel-peap-1.2",
        "tunnel-peap-e691-1.3",
        "tunnel-ttls-mschapv2-1.3",
        "tunnel-ttls-eap-mschapv2-e691-1.2",
    ] {
        let c = capture(name);
        let check = |password: &str| {
            let options = Options {
                password: Some(password.into()),
                ..Options::default()
            };
            one(&c, &options).conversations[0].password.clone().unwrap()
        };
        assert_eq!(
            check("wrong"),
            PasswordCheck::Matches {
                user: "alice".into(),
                authenticator_response: None
            },
            "{name}"
        );
        assert_eq!(
            check("password"),
            PasswordCheck::DoesNotMatch {
                user: "alice".into()
            },
            "{name}"
        );
    }
    // Without the secrets it cannot be checked.
    let mut c = capture("tunnel-peap-1.2");
    c.tls_secrets.clear();
    let options = Options {
        password: Some("wrong".into()),
        ..Options::default()
    };
    assert!(matches!(
        one(&c, &options).conversations[0].password,
        Some(PasswordCheck::NotChecked(_))
    ));
}

/// Flips one hex digit of every secret: same sessions, wrong keys.
fn spoil(secrets: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(secrets.to_vec()).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        let last = l.pop().unwrap();
        l.push(if last == '0' { '1' } else { '0' });
        out.push_str(&l);
        out.push('\n');
    }
    out.into_bytes()
}

/// EAP-TLS in TLS 1.2: the client's Certificate is in clear, so the refusal is named
/// without the secrets too.
#[test]
fn eap_tls_client_certificate_in_clear() {
    let mut c = capture("tunnel-tls-badcert-1.2");
    c.tls_secrets.clear();
    let r = one(&c, &Options::default());
    let v = &r.conversations[0].verdict;
    assert_eq!(v.phase, Phase::TlsHandshake, "{r}");
    assert_eq!(
        v.finding,
        Finding::Cause(Cause::FailureAfterClientCertificate)
    );
    assert!(
        r.to_string()
            .contains("Certificate (the client's): 1 certificate(s)")
    );
}

#[test]
fn wrong_missing_and_separate_secrets() {
    for name in ["tunnel-peap-1.2", "tunnel-peap-e691-1.3"] {
        let original = capture(name);
        // Wrong secrets: said so, and the verdict is the capture's alone.
        let mut c = original.clone();
        c.tls_secrets = spoil(&original.tls_secrets);
        let r = one(&c, &Options::default());
        let conv = &r.conversations[0];
        assert_eq!(
            conv.tunnel.as_deref(),
            Some("not decrypted: the secrets do not match this capture"),
            "{name}"
        );
        assert!(matches!(
            conv.verdict.finding,
            Finding::RejectedInTunnel { .. }
        ));
        assert_eq!(conv.verdict.finding.code(), "rejected_in_tunnel");
        // Secrets of other sessions only.
        let mut other = original.clone();
        other.tls_secrets = capture("tunnel-ttls-pap-1.2").tls_secrets;
        let r = one(&other, &Options::default());
        assert!(
            r.conversations[0]
                .tunnel
                .as_deref()
                .unwrap()
                .starts_with("not decrypted: no TLS secrets for this session"),
            "{r}"
        );
        // No secrets at all: no tunnel line, the former verdict.
        let mut bare = original.clone();
        bare.tls_secrets.clear();
        let r = one(&bare, &Options::default());
        assert_eq!(r.conversations[0].tunnel, None);
        assert!(!r.to_string().contains("tunnel:"));
        // The secrets from a key log file instead of the capture.
        let options = Options {
            tls_keys: Some(KeyLog::parse(&original.tls_secrets)),
            ..Options::default()
        };
        let r = one(&bare, &options);
        assert_eq!(r.conversations[0].verdict.phase, Phase::InnerAuthentication);
        assert!(matches!(
            r.conversations[0].verdict.finding,
            Finding::Cause(Cause::CredentialsRejected { .. } | Cause::MschapFailure { .. })
        ));
    }
}

#[test]
fn cut_and_corrupted_captures_never_panic() {
    for name in [
        "tunnel-peap-e691-1.3",
        "tunnel-ttls-pap-1.2",
        "tunnel-tls-badcert-1.3",
    ] {
        let bytes = std::fs::read(path(name)).unwrap();
        // Cut anywhere (truncated records, a truncated secrets block).
        for cut in (0..bytes.len()).step_by(97) {
            if let Ok(c) = read_capture(&bytes[..cut]) {
                let _ = explain_capture(&c, &Options::default()).to_string();
            }
        }
        // One octet changed in each packet in turn (a record that does not open).
        let c = capture(name);
        for i in 0..c.packets.len() {
            for at in [40usize, 100, 300] {
                let mut bad = c.clone();
                if let Some(b) = bad.packets[i].data.get_mut(at) {
                    *b ^= 0x5a;
                }
                let _ = explain_capture(&bad, &Options::default()).to_string();
            }
        }
    }
}

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let p = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(p.exists(), "{} not built", p.display());
    p
}

#[test]
fn explain_json_and_keylog() {
    let out = Command::new(example("explain"))
        .arg(path("tunnel-peap-e691-1.3"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["conversation"], 1);
    assert_eq!(v["result"], "failure");
    assert_eq!(v["cause"]["code"], "password_rejected");
    assert_eq!(v["cause"]["phase"], "inner_authentication");
    assert!(v["cause"]["hint"].as_str().unwrap().contains("password"));
    assert!(v["tunnel"].as_str().unwrap().starts_with("decrypted"));
    assert!(v["story"].as_array().unwrap().len() > 5);
    // --keylog on a capture without its secrets.
    let c = capture("tunnel-ttls-pap-1.2");
    let dir = std::env::temp_dir().join(format!("explain-keylog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keylog = dir.join("keys.txt");
    std::fs::write(&keylog, &c.tls_secrets).unwrap();
    let bare = dir.join("bare.pcap");
    let mut w = eap::unstable::capture::PcapWriter::new(Vec::new()).unwrap();
    for p in &c.packets {
        w.packet(p.linktype as u16, p.time, &p.data).unwrap();
    }
    std::fs::write(&bare, w.into_inner()).unwrap();
    let run = |extra: &[&std::ffi::OsStr]| {
        let out = Command::new(example("explain"))
            .arg(&bare)
            .args(extra)
            .arg("--json")
            .output()
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
        v
    };
    let v = run(&[]);
    assert_eq!(v["cause"]["code"], "rejected_in_tunnel");
    // A capture-only finding has no class: the verdict is hidden in the tunnel.
    assert_eq!(v["cause"]["kind"], serde_json::Value::Null);
    assert_eq!(v["tunnel"], serde_json::Value::Null);
    let v = run(&["--keylog".as_ref(), keylog.as_os_str()]);
    assert_eq!(v["cause"]["code"], "credentials_rejected");
    assert_eq!(v["cause"]["kind"], "bad_credentials");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readme_lists_the_codes_only_a_capture_gives() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    for code in eap::unstable::capture::CAPTURE_CODES {
        if *code != "accepted" {
            assert!(
                readme.contains(&format!("| `{code}` |")),
                "{code} not in the README"
            );
        }
    }
}
