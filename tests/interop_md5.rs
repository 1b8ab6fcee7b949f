//! EAP-MD5 interop, under its explicit opt-in: FreeRADIUS 3.2 (right and wrong password,
//! the library and `radius_auth` against `eapol_test`), the CLI refusing it without
//! `--insecure-allow-md5`, and a wired port opened by hostapd relaying to FreeRADIUS (the
//! one place MD5 is still met: switches).

#[path = "peers/mod.rs"]
mod peers;

use eap::MethodType;
use eap::diagnosis::Cause;
use eap::transport::AuthOutcome;
use eap::{Config, Event};
use peers::*;

const NEEDS: &[&str] = &["freeradius", "openssl"];

/// EAP-MD5 alone: no CA, no server name (there is no server to validate).
fn md5(password: &str) -> Config {
    Config::builder("alice")
        .password(password)
        .methods([MethodType::Md5Challenge])
        .danger_allow_eap_md5()
        .build()
        .unwrap()
}

#[test]
fn freeradius_md5_succeeds_without_keys_and_a_wrong_password_is_diagnosed() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let (outcome, events, _) = authenticate_radius(&fr.addr(), SECRET, md5("password"));
    assert_eq!(
        outcome,
        AuthOutcome::AuthenticatedWithoutKeys {
            method: MethodType::Md5Challenge
        },
        "{events:#?}"
    );
    // FreeRADIUS proposes PEAP first (its default_eap_type); our Nak offers MD5 only.
    assert!(events.iter().any(|e| matches!(
        e,
        Event::MethodProposed { method: MethodType::Peap, accepted: false, offered }
            if offered == &[MethodType::Md5Challenge]
    )));
    assert!(fr.log().contains("Sent Access-Accept"), "{}", fr.log());

    let (outcome, _, _) = authenticate_radius(&fr.addr(), SECRET, md5("wrong"));
    let d = diagnosis_of(&outcome);
    assert_eq!(
        d.cause,
        Cause::Md5Rejected {
            user: "alice".into()
        },
        "{d}"
    );
    assert!(
        d.to_string().contains("EAP-MD5 response for \"alice\""),
        "{d}"
    );
}

#[test]
fn eapol_test_and_our_cli_agree_on_md5() {
    if !available(&["freeradius", "openssl", "eapol_test"]) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let flags = [
        "--method",
        "md5",
        "--insecure-allow-md5",
        "--anonymous-identity",
        "alice",
    ];
    for (password, ok) in [("password", true), ("wrong", false)] {
        // -n: EAP-MD5 derives no keys, so none are expected in the Access-Accept.
        let (succeeded, text) = eapol_test_with(
            &fr,
            &format!("md5-{ok}"),
            &format!(" eap=MD5\n identity=\"alice\"\n password=\"{password}\""),
            &["-n"],
        );
        assert_eq!(succeeded, ok, "eapol_test md5 {password}: {text}");
        let ours = radius_auth(&fr.addr(), "alice", password, &flags);
        let stderr = String::from_utf8_lossy(&ours.stderr);
        assert_eq!(ours.status.code(), Some(if ok { 0 } else { 1 }), "{stderr}");
        // No keys: no MSK line, and a note that says why.
        assert!(msk_lines(&ours).is_empty(), "{stderr}");
        if ok {
            assert!(stderr.contains("derives no keys"), "{stderr}");
        } else {
            assert!(
                last_stderr_line(&ours).contains("EAP-MD5 response for \"alice\""),
                "{stderr}"
            );
        }
    }
    // Without the opt-in the CLI refuses before sending anything.
    let refused = radius_auth(&fr.addr(), "alice", "password", &["--method", "md5"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        last_stderr_line(&refused).contains("--insecure-allow-md5"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn wired_md5_through_hostapd_relaying_to_freeradius_opens_the_port() {
    if !available(&["hostapd", "ip", "openssl", "freeradius"]) {
        return;
    }
    let net = VethNamespace::new();
    let mac = net.supp_mac();
    let fr = FreeRadius::start(&[]);
    let h = Hostapd::wired(&net.auth_if, Some(fr.port));
    let out = wired_8021x(
        &net,
        "password",
        &[
            "--method",
            "md5",
            "--insecure-allow-md5",
            "--anonymous-identity",
            "alice",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("port: authorized"), "{stdout}\n{stderr}");
    assert!(!stdout.contains("MSK="), "{stdout}");
    assert!(
        h.wait_for(
            &format!("STA {mac} IEEE 802.1X: authenticated - EAP type: 4 (MD5)"),
            std::time::Duration::from_secs(5)
        ),
        "{}",
        h.log()
    );
}

#[test]
fn md5_is_refused_without_the_opt_in_and_with_an_nt_hash() {
    let refused = Config::builder("alice")
        .password("password")
        .methods([MethodType::Md5Challenge])
        .build()
        .unwrap_err();
    assert!(
        matches!(
            refused,
            eap::ConfigError::UnprotectedMethod(MethodType::Md5Challenge)
        ),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("danger_allow_eap_md5"));
    let hash = Config::builder("alice")
        .nt_hash(eap::NtHash::new([0; 16]))
        .methods([MethodType::Md5Challenge])
        .danger_allow_eap_md5()
        .build()
        .unwrap_err();
    assert!(
        matches!(hash, eap::ConfigError::PasswordNeeded("EAP-MD5")),
        "{hash:?}"
    );
}
