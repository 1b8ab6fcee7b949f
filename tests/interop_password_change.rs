//! MSCHAPv2 password change (E=648, RFC 2759 §7) and retry (E=691 R=1) against FreeRADIUS
//! 3.2 (tests/peers/freeradius.sh with SEND_ERROR=yes, PASSCHANGE=yes: the user
//! "expiring" / "oldpass" has an expired password, and a change is stored where the next
//! authentication reads it; rlm_mschap allows retries by default). PEAP and
//! TTLS/EAP-MSCHAPv2, through the library (MSK against the decrypted MS-MPPE keys) and
//! the radius_auth CLI (flags, notes, JSON, capture).

#[path = "peers/mod.rs"]
mod peers;

use eap::{Event, Limits, MethodType, TtlsInner};
use peers::*;
use std::process::Command;

const NEEDS: &[&str] = &["freeradius", "openssl", "python3"];
const NEW: &str = "N3w-pässword";

fn server() -> FreeRadius {
    FreeRadius::start(&[("SEND_ERROR", "yes"), ("PASSCHANGE", "yes")])
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON report of a `--json` run (one authentication).
fn json(out: &std::process::Output) -> serde_json::Value {
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?} {}", stderr(out)))
}

/// What `explain` reads in a capture that carries its TLS secrets (`--pcap`).
fn explained(pcap: &std::path::Path) -> String {
    eap::unstable::capture::explain(&std::fs::read(pcap).unwrap(), &Default::default())
        .unwrap()
        .to_string()
}

#[test]
fn peap_expired_password_is_changed_with_the_flag_and_then_is_the_password() {
    if !available(NEEDS) {
        return;
    }
    let fr = server();
    // Without --new-password: the run fails naming the expired password and the flag.
    let out = radius_auth(&fr.addr(), "expiring", "oldpass", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let last = last_stderr_line(&out);
    assert!(
        last.contains("password expired")
            && last.contains("648")
            && last.contains("--new-password"),
        "{last}"
    );
    // With it: one authentication changes the password, and the MSK is the MS-MPPE keys.
    let (outcome, events, t) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("expiring", "oldpass")
            .new_password(NEW)
            .build()
            .unwrap(),
    );
    let keys = keys_of(&outcome);
    assert_msk_is_mppe(&t, keys, "after the password change");
    assert!(events.contains(&Event::PasswordChanged), "{events:?}");
    assert!(fr.log().contains("Password change packet received"));
    // The new password is now the password (no change, no expiry), the old one is wrong.
    let out = radius_auth(
        &fr.addr(),
        "expiring",
        NEW,
        &["--new-password", "unused", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["result"], "success", "{v}");
    assert_eq!(v["password_changed"], false, "{v}");
    let (outcome, _, t) =
        authenticate_radius(&fr.addr(), SECRET, config("expiring", NEW).build().unwrap());
    assert_msk_is_mppe(&t, keys_of(&outcome), "with the new password");
    let out = radius_auth(&fr.addr(), "expiring", "oldpass", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(last_stderr_line(&out).contains("691"), "{}", stderr(&out));
}

#[test]
fn cli_changes_an_expired_password_over_ttls_eap_mschapv2_and_says_so_in_json() {
    if !available(NEEDS) {
        return;
    }
    let fr = server();
    let pcap = fr.dir.join("change.pcapng");
    let out = Command::new(example("radius_auth"))
        .args(radius_auth_args(
            &fr.addr(),
            "expiring",
            "oldpass",
            &[
                "--method",
                "ttls-eap-mschapv2",
                "--new-password-env",
                "EAP_TEST_NEW_PASSWORD",
                "--json",
                "--pcap",
                pcap.to_str().unwrap(),
            ],
        ))
        .env("EAP_TEST_NEW_PASSWORD", NEW)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["result"], "success", "{v}");
    assert_eq!(v["password_changed"], true, "{v}");
    assert!(
        stderr(&out).contains("note: password changed"),
        "{}",
        stderr(&out)
    );
    // In the capture: the server's 648, our Change-Password, its Success.
    let report = explained(&pcap);
    assert!(report.contains("E=648 R=0"), "{report}");
    assert!(report.contains("EAP-MSCHAPv2 Change-Password"), "{report}");
    assert!(report.contains("outcome: success"), "{report}");
    // The library over TTLS with the new password: no change, MSK = MS-MPPE keys.
    let (outcome, events, t) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("expiring", NEW)
            .methods([MethodType::Ttls])
            .ttls_inner(TtlsInner::EapMsChapV2)
            .build()
            .unwrap(),
    );
    assert_msk_is_mppe(&t, keys_of(&outcome), "TTLS with the new password");
    assert!(!events.contains(&Event::PasswordChanged));
}

#[test]
fn a_retry_password_succeeds_in_one_session_and_without_it_the_first_failure_ends_the_run() {
    if !available(NEEDS) {
        return;
    }
    let fr = server();
    let pcap = fr.dir.join("retry.pcapng");
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "WRONG",
        &[
            "--retry-password",
            "password",
            "--pcap",
            pcap.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(msk_lines(&out).len(), 1);
    assert!(
        stderr(&out).contains("note: the server refused the password and allows a retry"),
        "{}",
        stderr(&out)
    );
    // The capture (with its TLS secrets) shows the server's E=691 R=1 inside the tunnel,
    // then our second Response in the same session.
    let report = explained(&pcap);
    assert!(report.contains("E=691 R=1"), "{report}");
    assert_eq!(
        report
            .matches("decrypted: EAP Response EAP-MSCHAPv2 Response as")
            .count(),
        2,
        "{report}"
    );
    assert!(
        fr.log()
            .contains("Authentication re-try from client after we sent a failure")
    );
    // The library: the MSK after a retry is the MS-MPPE keys.
    let (outcome, events, t) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("alice", "WRONG")
            .retry_password("password")
            .limits(Limits::default().with_mschapv2_retries(1))
            .build()
            .unwrap(),
    );
    assert_msk_is_mppe(&t, keys_of(&outcome), "after a retry");
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::PasswordRetry { .. }))
            .count(),
        1
    );
    // Without --retry-password the first failure ends the run: one Response, no retry.
    let pcap = fr.dir.join("no-retry.pcapng");
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "WRONG",
        &["--json", "--pcap", pcap.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["cause"]["code"], "password_rejected", "{v}");
    assert_eq!(v["mschapv2_retries"], 0, "{v}");
    assert!(
        v["cause"]["message"]
            .as_str()
            .unwrap()
            .contains("retry allowed"),
        "{v}"
    );
    let report = explained(&pcap);
    assert!(report.contains("E=691 R=1"), "{report}");
    assert_eq!(
        report
            .matches("decrypted: EAP Response EAP-MSCHAPv2 Response as")
            .count(),
        1,
        "{report}"
    );
}
