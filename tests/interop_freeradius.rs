//! Interop against FreeRADIUS 3.2 (Debian package) on loopback: PEAPv0 / EAP-MSCHAPv2
//! through our RADIUS transport, as a NAS relays it. Each test starts its own server with
//! the knobs it needs (tests/peers/freeradius.sh) and stops it on drop.

#[path = "peers/mod.rs"]
mod peers;

use eap::diagnosis::{Cause, Phase, TransportFailure};
use eap::tls::CertificateProblem;
use eap::tls::TlsVersion;
use peers::*;
use std::os::unix::fs::PermissionsExt;

const NEEDS: &[&str] = &["freeradius", "openssl"];

/// One authentication against `fr` that must fail; its diagnosis.
fn diagnose(fr: &FreeRadius, secret: &str, config: eap::ConfigBuilder) -> eap::Diagnosis {
    let (outcome, _, _) = authenticate_radius(&fr.addr(), secret, config.build().unwrap());
    diagnosis_of(&outcome).clone()
}

#[test]
fn success_and_msk_equals_mppe_keys() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let (outcome, events, t) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("alice", "password").build().unwrap(),
    );
    let keys = keys_of(&outcome);
    let msk = keys.msk.expose();
    let mppe = t.mppe_keys();
    assert_eq!(mppe.recv.as_ref().unwrap().expose()[..32], msk[..32]);
    assert_eq!(mppe.send.as_ref().unwrap().expose()[..32], msk[32..64]);
    assert!(
        !keys.from_cryptobinding,
        "FreeRADIUS sends no cryptobinding"
    );
    assert_eq!(keys.session_id.len(), 65);
    assert_eq!(keys.session_id[0], 0x19);
    assert!(events.iter().any(
        |e| matches!(e, eap::Event::TunnelUp { version, .. } if *version == TlsVersion::TLS12)
    ));
    assert!(fr.log().contains("Sent Access-Accept"));
}

#[test]
fn non_ascii_password() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let (outcome, _, _) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("josé", "pässwörd€").build().unwrap(),
    );
    keys_of(&outcome);
}

#[test]
fn wrong_password_stock_config_says_credentials_rejected() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let d = diagnose(&fr, SECRET, config("alice", "wrong"));
    assert_eq!(d.phase, Phase::InnerAuthentication, "{d}");
    assert_eq!(
        d.cause,
        Cause::CredentialsRejected {
            user: "alice".into()
        },
        "{d}"
    );
    assert!(d.to_string().contains("password"), "{d}");
}

#[test]
fn wrong_password_with_send_error_says_691_and_retry() {
    if !available(NEEDS) {
        return;
    }
    for (allow_retry, retry) in [("yes", true), ("no", false)] {
        let fr = FreeRadius::start(&[("SEND_ERROR", "yes"), ("ALLOW_RETRY", allow_retry)]);
        let d = diagnose(&fr, SECRET, config("alice", "wrong"));
        match &d.cause {
            Cause::MschapFailure {
                error, retry: r, ..
            } => {
                assert_eq!(*error, 691, "{d}");
                assert_eq!(*r, retry, "allow_retry = {allow_retry}: {d}");
            }
            other => panic!("expected an MSCHAPv2 Failure, got {other:?}: {d}"),
        }
        let text = d.to_string();
        assert!(text.contains("691"), "{text}");
        assert!(
            text.contains(if retry {
                ", retry allowed"
            } else {
                "no retry allowed"
            }),
            "{text}"
        );
    }
}

#[test]
fn unknown_user_is_rejected_in_phase_2() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let d = diagnose(&fr, SECRET, config("mallory", "password"));
    assert_eq!(d.phase, Phase::InnerAuthentication, "{d}");
    assert_eq!(
        d.cause,
        Cause::CredentialsRejected {
            user: "mallory".into()
        }
    );
}

#[test]
fn untrusted_ca_gets_no_credentials() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let config = eap::Config::builder("alice")
        .anonymous_identity("anonymous")
        .password("password")
        .ca_pem_file(pki().join("other-ca.pem"))
        .unwrap()
        .server_name(SERVER_NAME)
        .build()
        .unwrap();
    let (outcome, events, _) = authenticate_radius(&fr.addr(), SECRET, config);
    let d = diagnosis_of(&outcome);
    assert_eq!(d.phase, Phase::ServerValidation, "{d}");
    match &d.cause {
        Cause::CertificateRejected {
            problem: CertificateProblem::UnknownIssuer,
            certificate: Some(c),
        } => assert_eq!(c.dns_names, [SERVER_NAME]),
        other => panic!("{other:?}"),
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, eap::Event::InnerMethodProposed { .. }))
    );
    assert!(
        !fr.log().contains("Got inner identity"),
        "the inner identity reached the server"
    );
}

#[test]
fn server_name_rule_that_does_not_match() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--domain-suffix", "example.org"],
    );
    assert_eq!(out.status.code(), Some(1));
    let last = last_stderr_line(&out);
    assert!(last.starts_with("error: "), "{last}");
    assert!(
        last.contains(SERVER_NAME),
        "names the certificate's name: {last}"
    );
    assert!(last.contains("example.org"), "names the rule: {last}");
    assert!(msk_lines(&out).is_empty());
}

#[test]
fn cipher_mismatch_is_named() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("CIPHER_LIST", "AES128-SHA")]);
    let d = diagnose(&fr, SECRET, config("alice", "password"));
    assert_eq!(d.phase, Phase::TlsHandshake, "{d}");
    assert!(
        matches!(
            d.cause,
            Cause::TlsAlert { .. } | Cause::HandshakeRejected { .. }
        ),
        "{:?}",
        d.cause
    );
    let text = d.to_string();
    assert!(text.contains("cipher suite"), "{text}");
    assert!(
        text.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "lists what we offered: {text}"
    );
}

#[test]
fn tls13_when_both_allow_it() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    let (outcome, events, t) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("alice", "password")
            .tls_max(TlsVersion::TLS13)
            .build()
            .unwrap(),
    );
    let keys = keys_of(&outcome);
    assert!(events.iter().any(
        |e| matches!(e, eap::Event::TunnelUp { version, .. } if *version == TlsVersion::TLS13)
    ));
    let mppe = t.mppe_keys();
    assert_eq!(
        mppe.recv.as_ref().unwrap().expose()[..32],
        keys.msk.expose()[..32]
    );
}

#[test]
fn tls13_offered_to_a_tls12_server_falls_back() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let (outcome, events, _) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("alice", "password")
            .tls_max(TlsVersion::TLS13)
            .build()
            .unwrap(),
    );
    keys_of(&outcome);
    assert!(events.iter().any(
        |e| matches!(e, eap::Event::TunnelUp { version, .. } if *version == TlsVersion::TLS12)
    ));
}

#[test]
fn tls13_only_server_refuses_a_tls12_client() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("TLS_MIN", "1.3"), ("TLS_MAX", "1.3")]);
    let d = diagnose(&fr, SECRET, config("alice", "password"));
    assert_eq!(d.phase, Phase::TlsHandshake, "{d}");
    let text = d.to_string();
    assert!(text.contains("TLS 1.2"), "says what we offered: {text}");
    assert!(text.contains("version"), "{text}");
}

#[test]
fn wrong_shared_secret() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let d = diagnose(&fr, "not-the-secret", config("alice", "password"));
    // FreeRADIUS drops requests whose Message-Authenticator fails, without a reply.
    assert_eq!(
        d.cause,
        Cause::Transport(TransportFailure::NoReply {
            attempts: 2,
            answered_before: false
        })
    );
    assert!(d.to_string().contains("shared secret"), "{d}");
    assert!(fr.log().contains("Shared secret is incorrect"));
}

#[test]
fn cli_prints_msk_and_counts() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let out = radius_auth(&fr.addr(), "alice", "password", &["--count", "3"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let msks = msk_lines(&out);
    assert_eq!(msks.len(), 3);
    for m in &msks {
        let hex = m.strip_prefix("MSK=").unwrap();
        assert_eq!(hex.len(), 128);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
    assert_ne!(msks[0], msks[1], "fresh keys per authentication");
}

#[test]
fn eapol_test_and_our_cli_both_succeed_against_the_same_server() {
    if !available(&["freeradius", "openssl", "eapol_test"]) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let (succeeded, text) = eapol_test(
        &fr,
        "peap",
        " eap=PEAP\n identity=\"alice\"\n anonymous_identity=\"anonymous\"\n password=\"password\"\n phase2=\"auth=MSCHAPV2\"",
    );
    assert!(succeeded, "eapol_test: {text}");
    let ours = radius_auth(&fr.addr(), "alice", "password", &["--count", "20"]);
    assert_eq!(ours.status.code(), Some(0));
    assert_eq!(msk_lines(&ours).len(), 20);
}

#[test]
fn cli_pcap_opens_in_tshark_with_the_tunnel_decrypted_and_explains_as_success() {
    if !available(&["freeradius", "openssl", "tshark"]) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let pcap = fr.dir.join("ours.pcapng");
    // The capture and the key log carry the TLS secrets: their owner's alone (0600) under
    // the usual umask 022, and a key log that already exists world-readable is narrowed.
    let keylog = fr.dir.join("ours.keylog");
    std::fs::write(&keylog, "").unwrap();
    std::fs::set_permissions(&keylog, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new("sh")
        .args(["-c", "umask 022 && exec \"$0\" \"$@\""])
        .arg(example("radius_auth"))
        .args(radius_auth_args(
            &fr.addr(),
            "alice",
            "password",
            &[
                "--pcap",
                pcap.to_str().unwrap(),
                "--keylog",
                keylog.to_str().unwrap(),
            ],
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&pcap), 0o600, "--pcap file mode");
    assert_eq!(mode(&keylog), 0o600, "--keylog file mode");
    assert!(
        std::fs::read_to_string(&keylog)
            .unwrap()
            .contains("CLIENT_RANDOM")
            || std::fs::read_to_string(&keylog)
                .unwrap()
                .contains("EXPORTER_SECRET"),
        "the key log was written"
    );
    let report =
        eap::unstable::capture::explain(&std::fs::read(&pcap).unwrap(), &Default::default())
            .unwrap()
            .to_string();
    assert!(report.contains("outcome: success"), "{report}");
    // The TLS secrets travel in the file: tshark decrypts the tunnel and sees the inner
    // EAP-MSCHAPv2 (Type 26) and EAP-TLV (Type 33).
    let t = std::process::Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args(["-d", &format!("udp.port=={},radius", fr.port)])
        .args([
            "-Y",
            "eap.type == 26 || eap.type == 33",
            "-T",
            "fields",
            "-e",
            "eap.type",
        ])
        .output()
        .unwrap();
    let types = String::from_utf8_lossy(&t.stdout);
    assert!(
        types.contains("26"),
        "inner MSCHAPv2 not decrypted: {types:?}"
    );
    assert!(types.contains("33"), "inner TLV not decrypted: {types:?}");
}

/// An EAP-TLS client with the test PKI's `name` certificate (client: alice, trusted;
/// other-client: mallory, from a CA the server does not trust).
fn eap_tls_config(name: &str, tls13: bool) -> eap::ConfigBuilder {
    let read = |f: &str| std::fs::read(pki().join(f)).unwrap();
    eap::Config::builder("alice")
        .methods([eap::MethodType::Tls])
        .client_pem(&read(&format!("{name}.pem")), &read(&format!("{name}.key")))
        .ca_pem_file(pki().join("ca.pem"))
        .unwrap()
        .server_name(SERVER_NAME)
        .tls_max(if tls13 {
            TlsVersion::TLS13
        } else {
            TlsVersion::TLS12
        })
}

#[test]
fn eap_tls_tls12_and_tls13_msk_equals_mppe_keys() {
    if !available(NEEDS) {
        return;
    }
    // FreeRADIUS proposes PEAP (its default_eap_type); we Nak it for EAP-TLS.
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    for tls13 in [false, true] {
        let (outcome, events, t) = authenticate_radius(
            &fr.addr(),
            SECRET,
            eap_tls_config("client", tls13).build().unwrap(),
        );
        let keys = keys_of(&outcome);
        assert_msk_is_mppe(&t, keys, &format!("EAP-TLS tls13 {tls13}"));
        assert_eq!(keys.session_id[0], 13, "EAP-TLS Session-Id");
        let want = if tls13 {
            TlsVersion::TLS13
        } else {
            TlsVersion::TLS12
        };
        assert_eq!(tunnel_version(&events), Some(want), "tls13 {tls13}");
    }
}

#[test]
fn eap_tls_certificate_from_an_untrusted_ca_is_refused_and_named() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    for tls13 in [false, true] {
        let d = diagnose(&fr, SECRET, eap_tls_config("other-client", tls13));
        // FreeRADIUS ends it with an EAP-Failure and no alert: we say what we saw, and the
        // hint names the certificate.
        assert_eq!(
            d.cause,
            Cause::FailureAfterClientCertificate,
            "tls13 {tls13}: {d}"
        );
        assert!(d.hint().contains("refused our client certificate"), "{d}");
    }
    let log = fr.log();
    assert!(
        log.contains("unable to get local issuer certificate") || log.contains("unknown ca"),
        "FreeRADIUS refused the certificate for its issuer"
    );
}

#[test]
fn eapol_test_and_our_cli_agree_on_eap_tls_success_and_refusal() {
    if !available(&["freeradius", "openssl", "eapol_test"]) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let pem = |f: &str| pki().join(f).display().to_string();
    for (name, ok) in [("client", true), ("other-client", false)] {
        let (succeeded, text) = eapol_test(
            &fr,
            &format!("tls-{name}"),
            &format!(
                " eap=TLS\n identity=\"alice\"\n client_cert=\"{}\"\n private_key=\"{}\"",
                pem(&format!("{name}.pem")),
                pem(&format!("{name}.key"))
            ),
        );
        assert_eq!(succeeded, ok, "eapol_test {name}: {text}");
        let (cert, key) = (pem(&format!("{name}.pem")), pem(&format!("{name}.key")));
        let ours = radius_auth(
            &fr.addr(),
            "alice",
            "unused",
            &[
                "--method",
                "tls",
                "--client-cert",
                &cert,
                "--client-key",
                &key,
            ],
        );
        let stderr = String::from_utf8_lossy(&ours.stderr);
        assert_eq!(
            ours.status.code(),
            Some(if ok { 0 } else { 1 }),
            "{name}: {stderr}"
        );
        if ok {
            assert_eq!(msk_lines(&ours).len(), 1);
        } else {
            assert!(
                last_stderr_line(&ours).contains("after our client certificate"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn peap_gtc_msk_equals_mppe_keys_and_a_wrong_password_is_named() {
    if !available(NEEDS) {
        return;
    }
    // FreeRADIUS proposes EAP-MSCHAPv2 inside; we Nak it for GTC.
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    for version in [TlsVersion::TLS12, TlsVersion::TLS13] {
        let gtc = |password: &str| {
            config("alice", password)
                .inner_methods([eap::MethodType::Gtc])
                .tls_max(version)
        };
        let (outcome, events, t) =
            authenticate_radius(&fr.addr(), SECRET, gtc("password").build().unwrap());
        assert_msk_is_mppe(&t, keys_of(&outcome), &format!("PEAP/GTC {version:?}"));
        assert_eq!(tunnel_version(&events), Some(version));
        let d = diagnose(&fr, SECRET, gtc("wrong"));
        assert_eq!(
            d.cause,
            Cause::PasswordRejected {
                user: "alice".into(),
                method: eap::MethodType::Gtc
            },
            "{version:?}: {d}"
        );
    }
}

#[test]
fn eapol_test_and_our_cli_agree_on_peap_gtc() {
    if !available(&["freeradius", "openssl", "eapol_test"]) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    for (password, ok) in [("password", true), ("wrong", false)] {
        let (succeeded, text) = eapol_test(
            &fr,
            &format!("gtc-{ok}"),
            &format!(
                " eap=PEAP\n identity=\"alice\"\n anonymous_identity=\"anonymous\"\n password=\"{password}\"\n phase2=\"auth=GTC\""
            ),
        );
        assert_eq!(succeeded, ok, "eapol_test: {text}");
        let ours = radius_auth(&fr.addr(), "alice", password, &["--method", "peap-gtc"]);
        let stderr = String::from_utf8_lossy(&ours.stderr);
        assert_eq!(ours.status.code(), Some(if ok { 0 } else { 1 }), "{stderr}");
        if !ok {
            assert!(
                last_stderr_line(&ours).contains("rejected the password of \"alice\""),
                "{stderr}"
            );
        }
    }
}
