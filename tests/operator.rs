//! The operator's tool against FreeRADIUS on loopback: `radius_auth --json` for a success, a
//! wrong password, an untrusted CA and a certificate inside the warning window; `--nagios`
//! exit codes; the identity lint.

#[path = "peers/mod.rs"]
mod peers;

use peers::*;
use serde_json::Value;
use std::process::{Command, Output};

/// The JSON objects of a run's stdout, one per line.
fn objects(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Checks the keys every report carries.
fn assert_shape(v: &Value) {
    for key in [
        "result",
        "time",
        "server",
        "method",
        "identity",
        "outer_identity",
        "tls",
        "server_certificates",
        "round_trips",
        "timing_ms",
        "cause",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    for key in ["total", "tls_handshake", "inner_method"] {
        assert!(v["timing_ms"].get(key).is_some(), "timing_ms.{key} in {v}");
    }
}

/// A copy of the test PKI whose server certificate expires in `days` days.
fn pki_expiring_in(days: u32) -> std::path::PathBuf {
    let src = pki();
    let dir = scratch("pki-expiring");
    for f in [
        "ca.pem",
        "ca.key",
        "other-ca.pem",
        "client.pem",
        "other-client.pem",
        "server.key",
        "server.pem",
    ] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:radius.example.test\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-new",
        "-key",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/O=eap tests/CN=radius.example.test",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "4242",
        "-out",
        "server.pem",
        "-days",
        &days.to_string(),
        "-sha256",
        "-extfile",
        "server.ext",
    ]);
    dir
}

#[test]
fn json_reports_success_wrong_password_and_untrusted_ca() {
    let fr = FreeRadius::start(&[("REJECT_DELAY", "0")]);
    let ok = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--json", "--tls-max", "1.3"],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let v = &objects(&ok)[0];
    assert_shape(v);
    assert_eq!(v["result"], "success");
    assert_eq!(v["method"], "peap");
    assert_eq!(v["identity"], "alice");
    assert_eq!(v["outer_identity"], "anonymous");
    assert!(v["cause"].is_null());
    assert!(v.get("msk").is_none(), "no MSK without --show-keys");
    let tls = &v["tls"];
    assert!(tls["version"] == "1.2" || tls["version"] == "1.3", "{tls}");
    assert!(
        tls["cipher_suite"].as_str().unwrap().starts_with("TLS_"),
        "{tls}"
    );
    assert_eq!(tls["resumed"], false);
    let cert = &v["server_certificates"][0];
    assert_eq!(cert["dns_names"][0], SERVER_NAME);
    assert!(
        cert["subject"]
            .as_str()
            .unwrap()
            .contains("radius.example.test")
    );
    assert!(cert["not_after"].as_str().unwrap().ends_with('Z'));
    let days = cert["days_left"].as_i64().unwrap();
    assert!((3640..=3650).contains(&days), "{days}");
    assert!(v["round_trips"].as_u64().unwrap() >= 8, "{v}");
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"outer_identity_without_realm"), "{codes:?}");

    let keys = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--json", "--show-keys", "--count", "2"],
    );
    let objs = objects(&keys);
    assert_eq!(objs.len(), 3, "two reports and the summary");
    assert_eq!(objs[0]["msk"].as_str().unwrap().len(), 128);
    assert_eq!(objs[2]["summary"]["successes"], 2);

    let wrong = radius_auth(&fr.addr(), "alice", "wrong", &["--json"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(last_stderr_line(&wrong).starts_with("error: inner authentication:"));
    let v = &objects(&wrong)[0];
    assert_shape(v);
    assert_eq!(v["result"], "failure");
    assert_eq!(v["cause"]["code"], "credentials_rejected");
    assert_eq!(v["cause"]["kind"], "bad_credentials");
    assert_eq!(v["cause"]["phase"], "inner_authentication");
    assert!(v["cause"]["hint"].as_str().unwrap().contains("password"));

    let other_ca = pki().join("other-ca.pem");
    let untrusted = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--json", "--ca-cert", other_ca.to_str().unwrap()],
    );
    assert_eq!(untrusted.status.code(), Some(1));
    let v = &objects(&untrusted)[0];
    assert_eq!(v["cause"]["code"], "certificate_untrusted", "{v}");
    assert_eq!(v["cause"]["kind"], "untrusted_server", "{v}");
    assert_eq!(v["server_certificates"][0]["validated"], false, "{v}");
    assert!(v["tls"].is_null());
}

#[test]
fn expiring_certificate_warns_and_nagios_exit_codes() {
    let pki = pki_expiring_in(10);
    let fr = FreeRadius::start(&[("PKI", pki.to_str().unwrap()), ("REJECT_DELAY", "0")]);
    let json = radius_auth(&fr.addr(), "alice", "password", &["--json"]);
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let v = &objects(&json)[0];
    assert_eq!(v["result"], "success");
    let days = v["server_certificates"][0]["days_left"].as_i64().unwrap();
    assert!((9..=10).contains(&days), "{days}");
    let w = v["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w["code"] == "certificate_expires_soon"),
        "{w:?}"
    );

    let warn = radius_auth(&fr.addr(), "alice", "password", &["--nagios"]);
    assert_eq!(
        warn.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&warn.stdout)
    );
    let line = String::from_utf8_lossy(&warn.stdout);
    assert!(line.starts_with("EAP WARNING - "), "{line}");
    assert!(
        line.contains("| time=") && line.contains("cert_days_left="),
        "{line}"
    );
    let ok = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--nagios", "--cert-warn-days", "5"],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("EAP OK - "));
    // Thresholds in the plugins' range syntax ("40:" alerts below 40); 10 days left is
    // under the critical 20.
    let crit = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &[
            "--nagios",
            "--cert-warn-days",
            "40",
            "--cert-crit-days",
            "20",
        ],
    );
    let line = String::from_utf8_lossy(&crit.stdout);
    assert_eq!(crit.status.code(), Some(2), "{line}");
    // The whole days left may tick over between two runs (9 or 10 here, as above).
    assert!(
        [days, days - 1]
            .iter()
            .any(|d| line.contains(&format!("cert_days_left={d};40:;20:"))),
        "{line}"
    );
    let rejected = radius_auth(&fr.addr(), "alice", "wrong", &["--nagios"]);
    assert_eq!(rejected.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&rejected.stdout)
            .starts_with("EAP CRITICAL - credentials_rejected")
    );
    let conflict = radius_auth(
        "127.0.0.1:1",
        "alice",
        "password",
        &["--nagios", "--password-file", "/nonexistent"],
    );
    assert_eq!(
        conflict.status.code(),
        Some(3),
        "--password with --password-file is refused: UNKNOWN"
    );
}

#[test]
fn lint_warns_for_anonymous_not_for_anonymous_at_realm_and_password_from_file() {
    let fr = FreeRadius::start(&[]);
    let warned = radius_auth(
        &fr.addr(),
        "alice@example.org",
        "password",
        &["--count", "0"],
    );
    assert!(
        stderr(&warned).contains("warning: outer identity \"anonymous\" has no realm"),
        "{}",
        stderr(&warned)
    );
    let file = scratch("password").join("pw");
    std::fs::write(&file, "password\n").unwrap();
    let out = Command::new(example("radius_auth"))
        .args([
            "--server",
            &fr.addr(),
            "--secret",
            SECRET,
            "--identity",
            "alice",
        ])
        .args([
            "--anonymous-identity",
            "anonymous@example.org",
            "--server-name",
            SERVER_NAME,
        ])
        .arg("--ca-cert")
        .arg(pki().join("ca.pem"))
        .arg("--password-file")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("warning:"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(msk_lines(&out).len(), 1);
}

#[test]
fn probe_tells_a_tls12_only_server_from_a_tls13_capable_one() {
    let probe = |fr: &FreeRadius| {
        let out = radius_auth(&fr.addr(), "alice", "password", &["--probe", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        objects(&out).remove(0)["probe"].clone()
    };
    let old = FreeRadius::start(&[("TLS_MAX", "1.2")]);
    let p = probe(&old);
    assert_eq!(p["tls13"]["accepted"], false, "{p}");
    assert_eq!(p["tls13"]["version"], "1.2", "server chose 1.2: {p}");
    assert_eq!(p["tls12"]["accepted"], true, "{p}");
    assert!(
        p["tls12"]["cipher_suite"]
            .as_str()
            .unwrap()
            .starts_with("TLS_ECDHE_"),
        "{p}"
    );
    assert_eq!(p["android11"]["accepts"], true, "{p}");
    assert_eq!(p["windows11"]["accepts"], true, "falls back to 1.2: {p}");
    drop(old);

    let new = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    let p = probe(&new);
    assert_eq!(p["tls13"]["accepted"], true, "{p}");
    assert_eq!(p["tls13"]["version"], "1.3", "{p}");
    assert!(
        p["tls13"]["cipher_suite"]
            .as_str()
            .unwrap()
            .starts_with("TLS_AES_")
            || p["tls13"]["cipher_suite"]
                .as_str()
                .unwrap()
                .starts_with("TLS_CHACHA20"),
        "{p}"
    );
    assert_eq!(p["tls12"]["accepted"], true, "{p}");
    assert_eq!(p["server_certificates"][0]["dns_names"][0], SERVER_NAME);

    // A client with another CA: Android's rule refuses, and says why.
    let other_ca = pki().join("other-ca.pem");
    let out = radius_auth(
        &new.addr(),
        "alice",
        "password",
        &["--probe", "--ca-cert", other_ca.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let android = text
        .lines()
        .find(|l| l.starts_with("probe: Android 11"))
        .unwrap();
    assert!(
        android.contains("refuses") && android.contains("server validation"),
        "{text}"
    );
}

#[test]
fn load_mode_runs_1000_authentications_50_in_flight_with_distinct_msks() {
    let fr = FreeRadius::start(&[]);
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &[
            "--concurrency",
            "50",
            "--count",
            "1000",
            "--json",
            "--show-keys",
            "--timeout",
            "60",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", last_stderr_line(&out));
    let objs = objects(&out);
    assert_eq!(objs.len(), 1001, "1000 reports and the summary");
    let msks: std::collections::HashSet<&str> = objs[..1000]
        .iter()
        .map(|v| v["msk"].as_str().unwrap())
        .collect();
    assert_eq!(msks.len(), 1000, "distinct MSKs");
    let s = &objs[1000]["summary"];
    assert_eq!(s["count"], 1000);
    assert_eq!(s["successes"], 1000);
    assert!(s["auths_per_second"].as_f64().unwrap() > 0.0, "{s}");
    let l = &s["latency_ms"];
    let (p50, p95, p99, max) = (
        l["p50"].as_u64().unwrap(),
        l["p95"].as_u64().unwrap(),
        l["p99"].as_u64().unwrap(),
        l["max"].as_u64().unwrap(),
    );
    assert!(p50 <= p95 && p95 <= p99 && p99 <= max, "{l}");
    let human = stderr(&out);
    assert!(
        human.contains("load: 1000 authentications, 1000 succeeded"),
        "{human}"
    );
    // Distinct stations: FreeRADIUS logged several Calling-Station-Ids.
    let log = fr.log();
    assert!(
        log.contains("02-00-00-00-03-E7"),
        "the 1000th station in the log"
    );
}

#[test]
fn load_mode_with_users_file_counts_failures_by_cause() {
    let fr = FreeRadius::start(&[("REJECT_DELAY", "0")]);
    let users = scratch("users").join("users.txt");
    std::fs::write(&users, "alice password\n# a comment\nalice wrong\n").unwrap();
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &[
            "--concurrency",
            "4",
            "--count",
            "6",
            "--users",
            users.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let objs = objects(&out);
    let s = &objs.last().unwrap()["summary"];
    assert_eq!(s["successes"], 3, "{s}");
    assert_eq!(s["failures_by_cause"]["credentials_rejected"], 3, "{s}");
    assert!(last_stderr_line(&out).starts_with("error: 3 of 6 authentications failed; last: "));
}

/// `explain --json` on the `--pcap` capture of a failed run decrypts the tunnel and gives
/// the run's own cause: same code, kind, phase, message and hint, for every method, TLS 1.2
/// and 1.3: a wrong password for the password methods, a client certificate from a CA the
/// server does not trust for EAP-TLS.
#[test]
fn explain_names_the_inner_failure_of_a_pcap_with_the_live_code() {
    let fr = FreeRadius::start(&[
        ("REJECT_DELAY", "0"),
        ("SEND_ERROR", "yes"),
        ("TLS_MAX", "1.3"),
    ]);
    let cert = pki().join("other-client.pem");
    let key = pki().join("other-client.key");
    let eap_tls = [
        "--client-cert",
        cert.to_str().unwrap(),
        "--client-key",
        key.to_str().unwrap(),
    ];
    for (method, tls, extra) in [
        ("peap", "1.3", &[][..]),
        ("peap", "1.2", &[]),
        ("peap-gtc", "1.3", &[]),
        ("ttls-pap", "1.2", &[]),
        ("ttls-mschapv2", "1.3", &[]),
        ("ttls-eap-mschapv2", "1.2", &[]),
        ("tls", "1.2", &eap_tls[..]),
        ("tls", "1.3", &eap_tls[..]),
    ] {
        let pcap = fr.dir.join(format!("{method}-{tls}.pcapng"));
        let mut args = vec![
            "--json",
            "--method",
            method,
            "--tls-max",
            tls,
            "--pcap",
            pcap.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = radius_auth(&fr.addr(), "alice", "wrong", &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{method} {tls}: {}",
            stderr(&out)
        );
        let live = &objects(&out)[0]["cause"];
        let explained = Command::new(example("explain"))
            .arg(&pcap)
            .arg("--json")
            .output()
            .unwrap();
        assert_eq!(explained.status.code(), Some(1));
        let e = &objects(&explained)[0];
        assert!(
            e["tunnel"].as_str().unwrap().starts_with("decrypted"),
            "{method} {tls}: {e}"
        );
        let cause = &e["cause"];
        for key in ["code", "phase", "hint", "kind"] {
            assert_eq!(cause[key], live[key], "{method} {tls} {key}: {e} vs {live}");
        }
        assert_eq!(
            cause["message"], live["message"],
            "{method} {tls}: {e} vs {live}"
        );
    }
}

#[test]
fn readme_lists_every_cause_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // The causes' codes, and the tools' own for a run that could not start.
    for code in eap::diagnosis::Cause::CODES.iter().chain(&["local_error"]) {
        assert!(
            readme.contains(&format!("| `{code}` |")),
            "{code} not in the README"
        );
    }
    for kind in eap::FailureKind::ALL {
        assert!(
            readme.contains(&format!("| `{kind}` |")),
            "{kind} not in the README"
        );
    }
}

/// No server needed: a socket that never answers. Every session in flight gives up after
/// its retransmissions, on the load driver's one clock, and is counted as `no_reply`.
#[test]
fn load_mode_against_a_silent_server_reports_no_reply_for_each() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let out = radius_auth(
        &addr,
        "alice@example.org",
        "password",
        &[
            "--concurrency",
            "3",
            "--count",
            "5",
            "--json",
            "--retry-interval",
            "0.2",
            "--attempts",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let objs = objects(&out);
    assert_eq!(objs.len(), 6);
    for v in &objs[..5] {
        assert_eq!(v["cause"]["code"], "no_reply", "{v}");
        assert_eq!(v["cause"]["phase"], "identity", "{v}");
    }
    assert_eq!(objs[5]["summary"]["failures_by_cause"]["no_reply"], 5);
    // Two sends per session reached the socket.
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    let mut n = 0;
    while silent.recv(&mut buf).is_ok() {
        n += 1;
    }
    assert_eq!(n, 10, "5 sessions x 2 attempts");
}
