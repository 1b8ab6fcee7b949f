//! The capture explainer on the fixtures in tests/captures/ (made by
//! tests/peers/captures.sh against FreeRADIUS, hostapd, eapol_test and wpa_supplicant):
//! each fixture's outcome, phase and cause; the password check; the example binary; the
//! pcapng writer read back (by us and, where installed, by tshark); and arbitrary bytes.

#[path = "common/mod.rs"]
mod common;

use eap::MethodType;
use eap::diagnosis::{Cause, Phase, TimeoutKind};
use eap::tls::CertificateProblem;
use eap::unstable::capture::{
    ConversationOutcome, Finding, Link, Options, PasswordCheck, PcapTap, PcapWriter, Report, Stage,
    explain, link, read_capture,
};
use proptest::prelude::*;
use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/captures")
        .join(format!("{name}.pcapng"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn report(name: &str, options: &Options) -> Report {
    let r = explain(&fixture(name), options).unwrap();
    assert_eq!(r.conversations.len(), 1, "{name}:\n{r}");
    assert_eq!(r.ignored, 0, "{name}");
    assert_eq!(r.truncated, None, "{name}");
    r
}

/// The value of the first line starting with `key: `.
fn line(text: &str, key: &str) -> String {
    let prefix = format!("{key}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {key}: line in\n{text}"))
        .to_string()
}

/// Checks the `outcome:` and `phase:` lines and returns the `cause:` line.
fn explained(name: &str, outcome: &str, phase: &str) -> (Report, String) {
    let r = report(name, &Options::default());
    let text = r.to_string();
    assert_eq!(line(&text, "outcome"), outcome, "{name}:\n{text}");
    assert_eq!(line(&text, "phase"), phase, "{name}:\n{text}");
    let cause = line(&text, "cause");
    (r, cause)
}

#[test]
fn peap_success() {
    for name in ["peap-success", "peap-success-any"] {
        let (r, cause) = explained(name, "success", "completion");
        assert_eq!(
            cause,
            "the server accepted the client after PEAP (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384); \
             the Access-Accept carries MS-MPPE-Send-Key and MS-MPPE-Recv-Key"
        );
        let c = &r.conversations[0];
        assert!(matches!(&c.link, Link::Radius { user_name: Some(u), .. } if u == "anonymous"));
        let text = r.to_string();
        assert!(text.contains("ClientHello: versions TLS 1.2; 28 cipher suites: "));
        assert!(text.contains("ServerHello: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        assert!(text.contains(
            "subject \"O=eap tests, CN=radius.example.test\", issuer \"O=eap tests, CN=ca\", names: radius.example.test"
        ));
        assert!(text.contains("MS-MPPE-Send-Key and MS-MPPE-Recv-Key present"));
    }
}

#[test]
fn peap_wrong_password_is_rejected_inside_the_tunnel() {
    let (r, cause) = explained("peap-wrong-password", "failure", "inner authentication");
    assert_eq!(
        cause,
        "the server rejected the client after 3 exchanges inside the TLS tunnel (outer identity \"anonymous\"): \
         what it said inside is encrypted, so the capture cannot show whether or why the inner authentication failed"
    );
    assert!(r.to_string().contains("the server sent Access-Reject"));
    // Inside PEAP the password cannot be checked.
    let options = Options {
        password: Some("password".into()),
        ..Options::default()
    };
    let text = report("peap-wrong-password", &options).to_string();
    assert_eq!(
        line(&text, "password"),
        "not checked (the MSCHAPv2 exchange is inside the encrypted tunnel)"
    );
}

#[test]
fn untrusted_certificate_client_abort() {
    let (r, cause) = explained("untrusted-certificate", "failure", "server validation");
    assert_eq!(
        cause,
        "the server certificate \"O=eap tests, CN=radius.example.test\" (issuer \"O=eap tests, CN=ca\"; \
         names: radius.example.test) is not signed by a trusted CA"
    );
    let v = &r.conversations[0].verdict;
    assert!(matches!(
        &v.finding,
        Finding::Cause(Cause::CertificateRejected {
            problem: CertificateProblem::UnknownIssuer,
            certificate: Some(_)
        })
    ));
    assert!(
        v.story
            .iter()
            .any(|s| s == "the client sent TLS alert fatal unknown_ca (48)")
    );
}

#[test]
fn cipher_mismatch() {
    let (r, cause) = explained("cipher-mismatch", "failure", "TLS handshake");
    assert!(
        cause.starts_with(
            "the server answered EAP-Failure to our TLS ClientHello without choosing a cipher suite; \
             we offered TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        ),
        "{cause}"
    );
    let Finding::Cause(Cause::HandshakeRejected { offered }) = &r.conversations[0].verdict.finding
    else {
        panic!("{r}")
    };
    // The client offered only ECDHE suites (and the renegotiation SCSV); the server only
    // AES128-SHA.
    assert!(!offered.cipher_suites.contains(&0x002f));
    assert!(
        offered
            .cipher_suites
            .iter()
            .all(|s| *s == 0x00ff || *s >> 8 == 0xc0)
    );
}

#[test]
fn method_nak_without_alternative() {
    let (r, cause) = explained("method-nak", "failure", "method negotiation");
    assert!(cause.starts_with("the server proposed PEAP"), "{cause}");
    assert!(cause.contains("Nak offering EAP-FAST"), "{cause}");
    let finding = &r.conversations[0].verdict.finding;
    assert_eq!(
        finding,
        &Finding::Cause(Cause::MethodNotAllowed {
            proposed: MethodType::Peap,
            offered: vec![MethodType::Fast],
        })
    );
}

#[test]
fn nak_then_peap_succeeds() {
    let (r, _) = explained("nak-then-peap", "success", "completion");
    let text = r.to_string();
    assert!(text.contains(" Nak, asking for PEAP\n"), "{text}");
    assert!(
        line(&text, "story").contains(
            "the server proposed MD5-Challenge; the client NAKed MD5-Challenge, asking for PEAP; the server proposed PEAP"
        ),
        "{text}"
    );
}

fn password_line(name: &str, password: &str, identity: Option<&str>) -> String {
    let options = Options {
        password: Some(password.into()),
        identity: identity.map(Into::into),
        ..Options::default()
    };
    line(&report(name, &options).to_string(), "password")
}

#[test]
fn cleartext_mschapv2_and_the_password_check() {
    let (_, cause) = explained("mschapv2-success", "success", "completion");
    assert!(cause.starts_with("the server accepted the client after EAP-MSCHAPv2"));
    assert_eq!(
        password_line("mschapv2-success", "password", None),
        "matches (the NT-Response of \"alice\" verifies; so does the server's authenticator response)"
    );
    assert!(password_line("mschapv2-success", "Password", None).starts_with("does not match"));
    assert!(
        password_line("mschapv2-success", "password", Some("bob")).starts_with("does not match")
    );
    let options = Options {
        password: Some("password".into()),
        ..Options::default()
    };
    let r = report("mschapv2-success", &options);
    assert_eq!(
        r.conversations[0].password,
        Some(PasswordCheck::Matches {
            user: "alice".into(),
            authenticator_response: Some(true)
        })
    );
}

#[test]
fn cleartext_mschapv2_wrong_password() {
    let (r, cause) = explained("mschapv2-wrong-password", "failure", "inner authentication");
    assert_eq!(
        cause,
        "the server rejected the password of \"alice\" (MSCHAPv2 error 691, retry allowed; server says \"Authentication rejected\")"
    );
    assert!(matches!(
        &r.conversations[0].verdict.finding,
        Finding::Cause(Cause::MschapFailure {
            error: 691,
            retry: true,
            ..
        })
    ));
    // The client sent "wrong-password": the check says so, whatever the server thought.
    assert!(
        password_line("mschapv2-wrong-password", "password", None).starts_with("does not match")
    );
    assert_eq!(
        password_line("mschapv2-wrong-password", "wrong-password", None),
        "matches (the NT-Response of \"alice\" verifies)"
    );
}

#[test]
fn timeout_after_client_hello() {
    let (r, cause) = explained("timeout", "failure", "TLS handshake");
    assert_eq!(
        cause,
        "no answer from the server to our TLS ClientHello within 9 s"
    );
    let v = &r.conversations[0].verdict;
    assert!(matches!(
        v.finding,
        Finding::Cause(Cause::Timeout {
            kind: TimeoutKind::Silence(_),
            ..
        })
    ));
    assert!(
        v.story
            .last()
            .unwrap()
            .contains("was sent 3 times over 9 s, unanswered")
    );
    assert_eq!(r.to_string().matches("(retransmission)").count(), 2);
}

#[test]
fn eapol_with_hostapd() {
    let (r, cause) = explained("eapol-success", "success", "completion");
    assert_eq!(
        cause,
        "the server accepted the client after PEAP (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
    );
    assert_eq!(
        r.conversations[0].link,
        Link::Eapol {
            supplicant: Some([2, 0, 0, 0, 0x0a, 2]),
            authenticator: Some([2, 0, 0, 0, 0x0a, 1]),
        }
    );
    assert!(
        r.to_string()
            .contains("+0.000000 client->server EAPOL-Start")
    );
    let (r, cause) = explained("eapol-wrong-password", "failure", "inner authentication");
    assert!(
        cause.starts_with("the server rejected the client after 4 exchanges inside the TLS tunnel")
    );
    assert!(r.to_string().contains("the authenticator sent EAP-Failure"));
}

#[test]
fn phases_use_the_diagnosis_vocabulary() {
    let phases = [
        ("cipher-mismatch", Phase::TlsHandshake),
        ("method-nak", Phase::MethodNegotiation),
        ("untrusted-certificate", Phase::ServerValidation),
        ("timeout", Phase::TlsHandshake),
        ("peap-success", Phase::Completion),
    ];
    for (name, phase) in phases {
        let r = report(name, &Options::default());
        assert_eq!(r.conversations[0].verdict.phase, phase, "{name}");
    }
}

/// The example binary (built by `cargo test` beside this test's binary).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let p = dir.join(name);
    assert!(p.exists(), "{} not built", p.display());
    p
}

#[test]
fn example_binary_prints_the_report() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
    let out = Command::new(example("explain"))
        .arg(dir.join("untrusted-certificate.pcapng"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = report("untrusted-certificate", &Options::default()).to_string();
    assert_eq!(stdout, expected);
    let out = Command::new(example("explain"))
        .arg(dir.join("mschapv2-success.pcapng"))
        .args(["--password", "password", "--identity", "alice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(line(&stdout, "password").starts_with("matches"), "{stdout}");
    let out = Command::new(example("explain"))
        .arg(dir.join("no-such-file.pcapng"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Rewrites a fixture's packets with our writer: RADIUS as raw IP, EAPOL as Ethernet.
fn rewrite(name: &str) -> Vec<u8> {
    let capture = read_capture(&fixture(name)).unwrap();
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for p in &capture.packets {
        match link::decode(p.linktype, &p.data).unwrap() {
            link::Frame::Udp { src, dst, payload } => w.udp(p.time, src, dst, payload).unwrap(),
            link::Frame::Eapol { .. } => w.ethernet(p.time, &p.data).unwrap(),
            other => panic!("{name}: not EAPOL or RADIUS: {other:?}"),
        }
    }
    w.into_inner()
}

#[test]
fn writer_output_reads_back_the_same() {
    for name in ["peap-success", "eapol-wrong-password", "timeout"] {
        let original = report(name, &Options::default());
        let rewritten = explain(&rewrite(name), &Options::default()).unwrap();
        assert_eq!(rewritten.conversations, original.conversations, "{name}");
    }
}

/// Two RADIUS conversations between the same NAS socket and server, interleaved packet by
/// packet (the second's Identifiers moved so none is outstanding twice): told apart by
/// their State, plus a third, EAPOL one.
#[test]
fn interleaved_conversations_are_told_apart() {
    let nas: std::net::SocketAddr = "192.0.2.1:40000".parse().unwrap();
    let server: std::net::SocketAddr = "192.0.2.2:1812".parse().unwrap();
    let good = read_capture(&fixture("peap-success")).unwrap().packets;
    let bad = read_capture(&fixture("peap-wrong-password"))
        .unwrap()
        .packets;
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    let mut write = |p: &eap::unstable::capture::Packet, shift: u8, t: std::time::Duration| {
        let link::Frame::Udp { payload, .. } = link::decode(p.linktype, &p.data).unwrap() else {
            panic!("not UDP")
        };
        let mut payload = payload.to_vec();
        payload[1] = payload[1].wrapping_add(shift);
        // Requests come from the NAS (the ephemeral port), replies from the server.
        let (from, to) = if payload[0] == 1 {
            (nas, server)
        } else {
            (server, nas)
        };
        w.udp(t, from, to, &payload).unwrap();
    };
    let t0 = std::time::Duration::from_secs(1_800_000_000);
    for i in 0..good.len().max(bad.len()) {
        let t = t0 + std::time::Duration::from_millis(10 * i as u64);
        if let Some(p) = good.get(i) {
            write(p, 0, t);
        }
        if let Some(p) = bad.get(i) {
            write(p, 100, t + std::time::Duration::from_millis(5));
        }
    }
    for p in &read_capture(&fixture("eapol-success")).unwrap().packets {
        w.ethernet(t0 + p.time - good[0].time, &p.data).unwrap();
    }
    let r = explain(&w.into_inner(), &Options::default()).unwrap();
    let outcomes: Vec<(ConversationOutcome, Phase)> = r
        .conversations
        .iter()
        .map(|c| match c.verdict.phase {
            Stage::Eap(p) => (c.verdict.outcome, p),
            other => panic!("not an EAP phase: {other}"),
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (ConversationOutcome::Success, Phase::Completion),
            (ConversationOutcome::Failure, Phase::InnerAuthentication),
            (ConversationOutcome::Success, Phase::Completion),
        ],
        "{r}"
    );
    assert!(matches!(r.conversations[2].link, Link::Eapol { .. }));
    assert_eq!(r.conversations[0].timeline.len(), good.len());
    assert_eq!(r.conversations[1].timeline.len(), bad.len());
}

/// The wired EAPOL fixture as 802.11 data frames behind a radiotap header, as a Wi-Fi
/// monitor-mode capture shows EAPOL.
#[test]
fn wifi_radiotap_capture_explains_the_same() {
    let original = report("eapol-wrong-password", &Options::default());
    let capture = read_capture(&fixture("eapol-wrong-password")).unwrap();
    let ap = [2, 0, 0, 0, 0x0a, 1];
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for p in &capture.packets {
        let (dst, src, rest) = (&p.data[0..6], &p.data[6..12], &p.data[12..]);
        let mut f = vec![0, 0, 8, 0, 0, 0, 0, 0]; // radiotap: no fields
        if src == ap {
            f.extend_from_slice(&[0x08, 0x02, 0, 0]); // data, From DS
            f.extend_from_slice(&[dst, &ap, src].concat());
        } else {
            f.extend_from_slice(&[0x08, 0x01, 0, 0]); // data, To DS
            f.extend_from_slice(&[&ap, src, dst].concat());
        }
        f.extend_from_slice(&[0, 0, 0xaa, 0xaa, 3, 0, 0, 0]);
        f.extend_from_slice(rest);
        w.packet(127, p.time, &f).unwrap();
    }
    let wifi = explain(&w.into_inner(), &Options::default()).unwrap();
    assert_eq!(wifi.conversations, original.conversations);
}

#[test]
fn tap_writes_a_file_tshark_reads() {
    let path = std::env::temp_dir().join(format!("eap-tap-{}.pcapng", std::process::id()));
    let tap = PcapTap::create(&path).unwrap();
    let capture = read_capture(&fixture("mschapv2-success")).unwrap();
    let mut server_port = 0;
    for p in &capture.packets {
        if let Some(link::Frame::Udp { src, dst, payload }) = link::decode(p.linktype, &p.data) {
            if server_port == 0 {
                server_port = dst.port();
            }
            tap.clone().udp(src, dst, payload);
        }
    }
    let eapol = read_capture(&fixture("eapol-success")).unwrap();
    tap.ethernet(&eapol.packets[0].data);
    tap.finish().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let r = explain(&bytes, &Options::default()).unwrap();
    assert_eq!(r.conversations.len(), 2);
    assert_eq!(
        r.conversations[0].verdict.outcome,
        ConversationOutcome::Success
    );
    let tshark = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-d", &format!("udp.port=={server_port},radius")])
        .args(["-T", "fields", "-e", "radius.code", "-e", "eapol.type"])
        .output();
    match tshark {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let fields: Vec<&str> = text.lines().map(str::trim).collect();
            assert_eq!(fields, ["1", "11", "1", "11", "1", "2", "1"], "{text}");
        }
        _ => eprintln!("tshark not available: the pcapng was checked by our reader only"),
    }
    let _ = std::fs::remove_file(&path);
}

/// An in-process PEAP authentication written through a PcapTap that is also the TLS key log:
/// we explain it, and tshark (where installed) decrypts the tunnel with the secrets in the
/// file: it shows the inner EAP Identity (Type 1 inside PEAP). (Wireshark 4.0 stops there on
/// this in-process server's full-header inner Identity; on FreeRADIUS's exchange it decodes
/// the whole inner EAP-MSCHAPv2.)
#[test]
fn tap_with_key_log_gives_wireshark_the_tunnel() {
    use eap::testing::{Direction, Fault, Pair};
    let path = std::env::temp_dir().join(format!("eap-tap-keys-{}.pcapng", std::process::id()));
    let tap = PcapTap::create(&path).unwrap();
    let pki = common::Pki::new("capture");
    let config = common::client(&pki)
        .key_log(std::sync::Arc::new(tap.clone()))
        .build()
        .unwrap();
    let (supplicant, authenticator) = ([2, 0, 0, 0, 0, 0x51], [2, 0, 0, 0, 0, 0xa1]);
    let outcome = Pair::new(config, common::server(&pki)).run_with(|direction, eap| {
        let (src, dst) = match direction {
            Direction::ToServer => (supplicant, authenticator),
            Direction::ToPeer => (authenticator, supplicant),
        };
        let eapol = eap::unstable::wire::eapol::Eapol::eap(eap).to_vec();
        tap.ethernet(&[&dst[..], &src, &[0x88, 0x8e], &eapol].concat());
        Fault::Deliver
    });
    assert!(outcome.keys().is_some());
    tap.finish().unwrap();
    let r = explain(&std::fs::read(&path).unwrap(), &Options::default()).unwrap();
    assert_eq!(r.conversations.len(), 1, "{r}");
    assert_eq!(
        r.conversations[0].verdict.outcome,
        ConversationOutcome::Success,
        "{r}"
    );
    let tshark = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-T", "fields", "-e", "eap.type"])
        .output();
    match tshark {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.lines().any(|l| l.trim() == "25,1"),
                "tshark did not decrypt the tunnel:\n{text}"
            );
        }
        _ => eprintln!("tshark not available: decryption not checked"),
    }
    if std::env::var("KEEP").is_err() {
        let _ = std::fs::remove_file(&path);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        match explain(&bytes, &Options::default()) {
            Ok(r) => prop_assert!(r.conversations.len() <= r.packets),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn headers_then_garbage_never_panic(
        pcapng in any::<bool>(),
        body in proptest::collection::vec(any::<u8>(), 0..2000),
    ) {
        let head = if pcapng { fixture("method-nak")[..28].to_vec() } else {
            let mut h = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
            h.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
            h
        };
        let _ = explain(&[head, body].concat(), &Options::default());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..24),
        cut in 0usize..64,
    ) {
        let name = ["peap-success", "eapol-success", "mschapv2-success", "untrusted-certificate"][which];
        let mut bytes = fixture(name);
        for (at, value) in edits {
            let i = at % bytes.len();
            bytes[i] = value;
        }
        bytes.truncate(bytes.len().saturating_sub(cut));
        let _ = explain(&bytes, &Options { password: Some("password".into()), ..Options::default() })
            .map(|r| r.to_string());
    }
}
