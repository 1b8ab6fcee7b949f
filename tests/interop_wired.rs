//! Wired 802.1X end to end: hostapd 2.10 as the authenticator (`driver=wired`) on one end
//! of a veth pair, our `wired_8021x` example (the EAPOL transport on an AF_PACKET socket)
//! on the other end, inside a network namespace the test creates. hostapd either runs its
//! internal EAP server or relays to FreeRADIUS. Each test makes its own namespace, veth
//! pair and daemons, and removes them on drop (also when it panics).

#[path = "peers/mod.rs"]
mod peers;

use peers::*;
use std::process::Output;
use std::time::Duration;

const NEEDS: &[&str] = &["hostapd", "ip", "openssl"];

/// The example succeeded: exit 0, one `MSK=<128 hex>`, `port: authorized`.
fn assert_authorized(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let msks = msk_lines(out);
    assert_eq!(msks.len(), 1, "{stdout}");
    let hex = msks[0].strip_prefix("MSK=").unwrap();
    assert_eq!(hex.len(), 128, "{stdout}");
    assert!(
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l == "port: authorized"), "{stdout}");
}

/// hostapd saw the supplicant `mac` authenticate (`success_event` for it), and then log
/// off (our EAPOL-Logoff at exit).
fn assert_hostapd_saw(h: &Hostapd, success_event: &str, mac: &str) {
    let success = format!("{success_event} {mac}");
    assert!(
        h.wait_for(&success, Duration::from_secs(2)),
        "no `{success}` in hostapd's log:\n{}",
        h.log()
    );
    let logoff = format!("AP-STA-DISCONNECTED {mac}");
    assert!(
        h.wait_for(&logoff, Duration::from_secs(2)),
        "no `{logoff}` (EAPOL-Logoff) in hostapd's log:\n{}",
        h.log()
    );
}

#[test]
fn wired_hostapd_internal_eap_server() {
    if !available(NEEDS) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let h = Hostapd::wired(&net.auth_if, None);
    let out = wired_8021x(&net, "password", &[]);
    assert_authorized(&out);
    assert_hostapd_saw(&h, "CTRL-EVENT-EAP-SUCCESS", &mac);
    assert!(
        h.log()
            .contains("EAP-PEAP: Valid cryptobinding TLV received")
    );
}

#[test]
fn wired_hostapd_relaying_to_freeradius() {
    if !available(&["hostapd", "ip", "openssl", "freeradius"]) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let fr = FreeRadius::start(&[]);
    let h = Hostapd::wired(&net.auth_if, Some(fr.port));
    let out = wired_8021x(&net, "password", &[]);
    assert_authorized(&out);
    // hostapd names the success of an EAP conversation it only relayed (its EAP server
    // state SUCCESS2, pass-through) CTRL-EVENT-EAP-SUCCESS2.
    assert_hostapd_saw(&h, "CTRL-EVENT-EAP-SUCCESS2", &mac);
    assert!(
        h.log().contains(&format!(
            "STA {mac} IEEE 802.1X: authenticated - EAP type: 25 (PEAP)"
        )),
        "{}",
        h.log()
    );
    assert!(fr.log().contains("Sent Access-Accept"));
}

#[test]
fn wired_wrong_password_leaves_the_port_unauthorized() {
    if !available(NEEDS) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let h = Hostapd::wired(&net.auth_if, None);
    let out = wired_8021x(&net, "wrong", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(msk_lines(&out).is_empty(), "{stdout}");
    assert!(
        stdout.lines().any(|l| l == "port: unauthorized"),
        "{stdout}"
    );
    let last = last_stderr_line(&out);
    assert!(last.starts_with("error: "), "{last}");
    assert!(last.contains("alice"), "names the user: {last}");
    assert!(
        h.wait_for(
            &format!("CTRL-EVENT-EAP-FAILURE {mac}"),
            Duration::from_secs(2)
        ),
        "{}",
        h.log()
    );
}

#[test]
fn wired_no_authenticator_gives_up_after_the_starts() {
    if !available(&["ip"]) {
        return;
    }
    let net = VethNamespace::new();
    let started = std::time::Instant::now();
    let out = wired_8021x(
        &net,
        "password",
        &["--start-period", "1", "--max-starts", "2"],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let last = last_stderr_line(&out);
    assert!(
        last.contains("no EAP-Request after 2 EAPOL-Start frames"),
        "{last}"
    );
    assert!(
        (Duration::from_millis(1900)..Duration::from_secs(5)).contains(&took),
        "2 EAPOL-Starts 1 s apart, then 1 s more: {took:?}"
    );
}

/// The first EAPOL-Start is lost (hostapd ignores a Start from a station for a few seconds
/// after its EAPOL-Logoff, which the first run sends at exit): the second Start, a
/// startPeriod later, is answered and the run succeeds, although the overall limit is
/// shorter than the startPeriod. It counts from the authenticator's first answer.
#[test]
fn wired_lost_first_start_succeeds_at_the_next_start() {
    if !available(NEEDS) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let h = Hostapd::wired(&net.auth_if, None);
    assert_authorized(&wired_8021x(&net, "password", &[]));
    assert_hostapd_saw(&h, "CTRL-EVENT-EAP-SUCCESS", &mac);
    let started = std::time::Instant::now();
    let out = wired_8021x(
        &net,
        "password",
        &["--start-period", "6", "--max-starts", "3", "--timeout", "5"],
    );
    let took = started.elapsed();
    assert_authorized(&out);
    assert!(
        took >= Duration::from_secs(6),
        "the first Start was answered ({took:?}): this run did not lose it\n{}",
        h.log()
    );
    assert!(took < Duration::from_secs(12), "{took:?}");
}

/// The harness itself (namespace, veth pair, hostapd) with the reference supplicant: if
/// this fails too, the setup is at fault, not our transport.
#[test]
fn wired_wpa_supplicant_baseline() {
    if !available(&["hostapd", "ip", "openssl", "wpa_supplicant"]) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let h = Hostapd::wired(&net.auth_if, None);
    let conf = h.dir.join("wpa_supplicant.conf");
    std::fs::write(
        &conf,
        format!(
            "ap_scan=0\nnetwork={{\n key_mgmt=IEEE8021X\n eapol_flags=0\n eap=PEAP\n identity=\"alice\"\n anonymous_identity=\"anonymous\"\n password=\"password\"\n ca_cert=\"{}\"\n domain_match=\"{SERVER_NAME}\"\n phase2=\"auth=MSCHAPV2\"\n}}\n",
            pki().join("ca.pem").display()
        ),
    )
    .unwrap();
    let mut cmd = net.command(std::path::Path::new("wpa_supplicant"));
    cmd.args(["-D", "wired", "-i", &net.supp_if, "-c"])
        .arg(&conf);
    let mut supplicant = spawn_logged(&mut cmd, &h.dir.join("wpa_supplicant.log"));
    assert!(
        supplicant.wait_for("CTRL-EVENT-EAP-SUCCESS", Duration::from_secs(10)),
        "wpa_supplicant:\n{}\nhostapd:\n{}",
        supplicant.log_text(),
        h.log()
    );
    assert!(h.wait_for(
        &format!("CTRL-EVENT-EAP-SUCCESS {mac}"),
        Duration::from_secs(2)
    ));
}

#[test]
fn wired_eap_tls_with_hostapd_internal_eap_server() {
    if !available(NEEDS) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let h = Hostapd::wired(&net.auth_if, None);
    let (cert, key) = (pki().join("client.pem"), pki().join("client.key"));
    let out = wired_8021x(
        &net,
        "unused",
        &[
            "--method",
            "tls",
            "--client-cert",
            cert.to_str().unwrap(),
            "--client-key",
            key.to_str().unwrap(),
        ],
    );
    assert_authorized(&out);
    assert_hostapd_saw(&h, "CTRL-EVENT-EAP-SUCCESS", &mac);
    assert!(h.log().contains("EAP-TLS"), "hostapd ran EAP-TLS");
}

#[test]
fn wired_ttls_with_hostapd_internal_eap_server() {
    if !available(NEEDS) {
        return;
    }
    // One authenticator per run: a port authorized once is not re-authenticated here.
    for method in ["ttls-pap", "ttls-mschapv2", "ttls-eap-mschapv2"] {
        let net = VethNamespace::new();
        let mac = net.supp_mac();
        let h = Hostapd::wired(&net.auth_if, None);
        let out = wired_8021x(&net, "password", &["--method", method]);
        assert_authorized(&out);
        assert_hostapd_saw(&h, "CTRL-EVENT-EAP-SUCCESS", &mac);
        assert!(
            h.log().contains("EAP-TTLS"),
            "{method}: hostapd ran EAP-TTLS"
        );
    }
}

#[test]
fn wired_reauthentication_keeps_the_port_authorized_and_resumes() {
    if !available(NEEDS) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    // hostapd re-authenticates every second and keeps TLS sessions for resumption.
    let h = Hostapd::wired_with(
        &net.auth_if,
        None,
        &[("REAUTH_PERIOD", "1"), ("TLS_SESSION_LIFETIME", "3600")],
    );
    let out = wired_8021x(
        &net,
        "password",
        &["--reauth", "3", "--reauth-wait", "10", "--resume", "-v"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let msks = msk_lines(&out);
    assert_eq!(msks.len(), 4, "{stdout}");
    assert!(
        msks.windows(2).all(|w| w[0] != w[1]),
        "fresh keys: {stdout}"
    );
    let reauths: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("reauth: "))
        .collect();
    assert_eq!(reauths.len(), 3, "{stdout}");
    assert!(stdout.lines().any(|l| l == "port: authorized"), "{stdout}");
    // Every port change is reported: authorized once, and the only way back to
    // unauthorized is the EAPOL-Logoff at exit.
    let changes: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("event: port "))
        .collect();
    assert_eq!(changes, ["Authorized", "Unauthorized"], "{stderr}");
    let successes = h
        .log()
        .matches(&format!("CTRL-EVENT-EAP-SUCCESS {mac}"))
        .count();
    assert!(
        successes >= 4,
        "hostapd logged {successes} successes:\n{}",
        h.log()
    );
    eprintln!("{reauths:?}");
}
