//! radius_auth before and around the first packet (issue 28), with no RADIUS server: a
//! port nobody listens on is named at once ("connection refused"); `--json` prints one
//! object for a setup or argument error; identities and passwords the protocol cannot
//! carry are refused before any datagram leaves (a UDP socket of the test's stands in for
//! the server and counts them); the shared secret from a file or the environment signs
//! the requests; `--users` needs no `--identity` / `--password`.

#[path = "peers/mod.rs"]
mod peers;

use peers::example;
use serde_json::Value;
use std::net::UdpSocket;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> Output {
    Command::new(example("radius_auth"))
        .args(args)
        .output()
        .expect("run radius_auth")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The only JSON object on stdout.
fn one_object(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one object expected: {stdout}");
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// A UDP socket standing in for a RADIUS server that never answers.
fn silent_server() -> (UdpSocket, String) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let addr = s.local_addr().unwrap().to_string();
    (s, addr)
}

/// A loopback port that was free a moment ago: the kernel answers port unreachable.
fn refused_server() -> String {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

/// One authentication as alice towards `server` (any server certificate), plus `extra`.
fn alice(server: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--server",
        server,
        "--secret",
        "testing123",
        "--identity",
        "alice@example.org",
        "--password",
        "password",
        "--insecure-accept-any-server",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The datagrams `s` has received (waiting 300 ms for each).
fn datagrams(s: &UdpSocket) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.recv(&mut buf) {
        out.push(buf[..n].to_vec());
    }
    out
}

/// The usual flags towards `server`, one attempt of 0.5 s (a silent server costs little).
fn base(server: &str) -> Vec<String> {
    [
        "--server",
        server,
        "--secret",
        "testing123",
        "--insecure-accept-any-server",
        "--attempts",
        "1",
        "--retry-interval",
        "0.5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_with(server: &str, extra: &[&str]) -> Output {
    let mut args = base(server);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

#[test]
fn nothing_listening_is_named_at_once_with_its_own_code() {
    let server = refused_server();
    let started = Instant::now();
    let out = alice(&server, &[]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let last = peers::last_stderr_line(&out);
    assert!(
        last.contains(&format!("nothing answers on {server} (connection refused)")),
        "{last}"
    );

    let json = alice(&server, &["--json"]);
    let v = one_object(&json);
    assert_eq!(v["cause"]["code"], "connection_refused", "{v}");
    assert_eq!(v["cause"]["kind"], "unreachable", "{v}");
    assert_eq!(v["server"], server.as_str(), "{v}");
    assert_eq!(v["method"], "peap", "{v}");
}

#[test]
fn load_mode_names_a_refused_port_for_each_authentication() {
    let server = refused_server();
    let started = Instant::now();
    let out = alice(&server, &["--concurrency", "2", "--count", "4", "--json"]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let objects: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 5, "{stdout}");
    for v in &objects[..4] {
        assert_eq!(v["cause"]["code"], "connection_refused", "{v}");
    }
    let summary = &objects[4]["summary"];
    assert_eq!(
        summary["failures_by_cause"]["connection_refused"], 4,
        "{summary}"
    );
    assert_eq!(summary["server"], server.as_str(), "{summary}");
}

#[test]
fn a_server_that_never_answers_is_no_reply_whatever_the_timeout() {
    let (s, server) = silent_server();
    // The retransmissions run out first (0.5 s), or the supplicant's own limit does
    // (--timeout 1 against 3 attempts 3 s apart): the same fault, the same code.
    for (retry, timeout) in [("0.5", "30"), ("3", "1")] {
        let out = run(&[
            "--server",
            &server,
            "--secret",
            "testing123",
            "--insecure-accept-any-server",
            "--identity",
            "alice@example.org",
            "--password",
            "password",
            "--retry-interval",
            retry,
            "--attempts",
            "3",
            "--timeout",
            timeout,
            "--json",
        ]);
        let v = one_object(&out);
        assert_eq!(v["cause"]["code"], "no_reply", "--timeout {timeout}: {v}");
        assert_eq!(v["cause"]["kind"], "unreachable", "{v}");
        assert!(!datagrams(&s).is_empty());
    }
}

#[test]
fn json_prints_one_object_for_setup_and_argument_errors() {
    let dir = peers::scratch("cli-setup");
    let not_pem = dir.join("notes.txt");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--server".into(),
                "radius.nonexistent.invalid:1812".into(),
                "--secret".into(),
                "s".into(),
                "--identity".into(),
                "alice@example.org".into(),
                "--password".into(),
                "p".into(),
                "--insecure-accept-any-server".into(),
            ],
            "server_unresolvable",
        ),
        (
            vec![
                "--server".into(),
                "127.0.0.1:1812".into(),
                "--secret".into(),
                "s".into(),
                "--identity".into(),
                "alice@example.org".into(),
                "--password".into(),
                "p".into(),
                "--ca-cert".into(),
                not_pem.to_str().unwrap().into(),
                "--server-name".into(),
                "radius.example.org".into(),
            ],
            "configuration_error",
        ),
        (
            vec![
                "--server".into(),
                "127.0.0.1:1812".into(),
                "--no-such-flag".into(),
            ],
            "bad_argument",
        ),
    ];
    for (args, code) in cases {
        let mut args = args;
        args.push("--json".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        assert_ne!(out.status.code(), Some(0));
        let v = one_object(&out);
        assert_eq!(v["result"], "error", "{v}");
        assert_eq!(v["cause"]["code"], code, "{v}");
        assert_eq!(v["cause"]["kind"], "local_error", "{v}");
        assert!(v["time"].as_str().unwrap().ends_with('Z'), "{v}");
        assert!(v["server"].is_string() && v["method"] == "peap", "{v}");
        if code == "configuration_error" {
            let m = v["cause"]["message"].as_str().unwrap();
            assert!(
                m.starts_with("--ca-cert: ") && m.contains("notes.txt holds no certificate"),
                "{m}"
            );
        }
    }
}

#[test]
fn what_cannot_work_is_refused_before_any_datagram_leaves() {
    let (s, server) = silent_server();
    // The control: a valid run sends, so the socket does see what leaves.
    let ok = run_with(
        &server,
        &["--identity", "alice@example.org", "--password", "password"],
    );
    assert_eq!(ok.status.code(), Some(1));
    assert!(!datagrams(&s).is_empty(), "the control sent nothing");

    let long_password = "p".repeat(300);
    let long_identity = format!("{}@example.org", "a".repeat(288));
    assert_eq!(long_identity.len(), 300);
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--identity",
                "alice@example.org",
                "--password",
                &long_password,
            ],
            "the password is 300 characters long; MSCHAPv2 allows at most 256",
        ),
        (
            &["--identity", &long_identity, "--password", "password"],
            "the identity is 300 octets long; a RADIUS User-Name allows at most 253",
        ),
        (
            &[
                "--identity",
                "alice@example.org",
                "--anonymous-identity",
                &long_identity,
                "--password",
                "password",
            ],
            "the outer identity is 300 octets long; a RADIUS User-Name allows at most 253",
        ),
        (
            &["--identity", "alice@example.org", "--password", ""],
            "the password is empty",
        ),
    ];
    for (extra, sentence) in cases {
        let out = run_with(&server, extra);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            peers::last_stderr_line(&out),
            format!("error: {sentence}"),
            "{extra:?}"
        );
        assert!(datagrams(&s).is_empty(), "a datagram left for {extra:?}");
    }
    // An attribute value over 253 octets: refused the same way.
    let long_nas = "n".repeat(254);
    let out = run_with(
        &server,
        &[
            "--identity",
            "alice@example.org",
            "--password",
            "password",
            "--nas-identifier",
            &long_nas,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("NAS-Identifier: 254 octets"),
        "{}",
        stderr(&out)
    );
    assert!(datagrams(&s).is_empty());
}

#[test]
fn the_secret_from_a_file_or_the_environment_signs_the_requests() {
    use eap::unstable::radius_auth::verify_request;
    let (s, server) = silent_server();
    let dir = peers::scratch("cli-secret");
    let file = dir.join("secret");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let common = [
        "--identity",
        "alice@example.org",
        "--password",
        "password",
        "--insecure-accept-any-server",
        "--attempts",
        "1",
        "--retry-interval",
        "0.3",
        "--server",
        &server,
    ];
    let mut args: Vec<&str> = common.to_vec();
    args.extend(["--secret-file", file.to_str().unwrap()]);
    run(&args);
    let got = datagrams(&s);
    assert!(!got.is_empty());
    assert_eq!(verify_request(&got[0], b"from-a-file"), Ok(()));
    assert!(verify_request(&got[0], b"testing123").is_err());

    let mut args: Vec<&str> = common.to_vec();
    args.extend(["--secret-env", "EAP_TEST_SECRET"]);
    Command::new(example("radius_auth"))
        .args(&args)
        .env("EAP_TEST_SECRET", "from-the-env")
        .output()
        .unwrap();
    let got = datagrams(&s);
    assert_eq!(verify_request(&got[0], b"from-the-env"), Ok(()));

    // --users: no --identity or --password needed; the file's first user is sent.
    let users = dir.join("users");
    std::fs::write(&users, "bob@example.org hunter2\n").unwrap();
    let out = run(&[
        "--server",
        &server,
        "--secret",
        "testing123",
        "--insecure-accept-any-server",
        "--attempts",
        "1",
        "--retry-interval",
        "0.3",
        "--concurrency",
        "1",
        "--count",
        "1",
        "--users",
        users.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let got = datagrams(&s);
    assert!(
        got[0].windows(15).any(|w| w == b"bob@example.org"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn minus_4_and_minus_6_pick_the_family() {
    for (server, flag, why) in [
        ("[::1]:1812", "-4", "no IPv4 address"),
        ("127.0.0.1:1812", "-6", "no IPv6 address"),
    ] {
        let out = run(&[
            "--server",
            server,
            flag,
            "--secret",
            "s",
            "--identity",
            "alice@example.org",
            "--password",
            "p",
            "--insecure-accept-any-server",
            "--json",
        ]);
        let v = one_object(&out);
        assert_eq!(v["cause"]["code"], "server_unresolvable", "{v}");
        assert!(
            v["cause"]["message"].as_str().unwrap().ends_with(why),
            "{v}"
        );
    }
}

#[test]
fn help_and_version() {
    let help = run(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("PEAP, EAP-TTLS, EAP-TLS"),
        "{text}"
    );
    for heading in [
        "Server:",
        "RADIUS attributes:",
        "Identity and secrets:",
        "Method:",
        "Server validation:",
        "Output:",
        "Load:",
    ] {
        assert!(
            text.contains(&format!("\n{heading}\n")),
            "{heading} in {text}"
        );
    }
    let version = run(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("radius_auth {}", env!("CARGO_PKG_VERSION"))
    );
}
