//! EAP-TTLS interop: FreeRADIUS 3.2 (each inner method, TLS 1.2 and 1.3, MSK against the
//! decrypted MS-MPPE keys, a wrong password per inner method, radius_auth against
//! eapol_test, captures through `explain`) and hostapd's internal EAP server (TLS 1.2 and
//! 1.3).

#[path = "peers/mod.rs"]
mod peers;

use eap::MethodType;
use eap::TtlsInner;
use eap::diagnosis::Cause;
use eap::tls::TlsVersion;
use peers::*;

const NEEDS: &[&str] = &["freeradius", "openssl"];
const INNERS: [TtlsInner; 3] = [TtlsInner::Pap, TtlsInner::MsChapV2, TtlsInner::EapMsChapV2];

fn ttls(password: &str, inner: TtlsInner, tls13: bool) -> eap::ConfigBuilder {
    config("alice", password)
        .methods([MethodType::Ttls])
        .ttls_inner(inner)
        .tls_max(if tls13 {
            TlsVersion::TLS13
        } else {
            TlsVersion::TLS12
        })
}

/// One TTLS authentication that must succeed with MSK == the decrypted MS-MPPE keys.
fn succeeds(addr: &str, inner: TtlsInner, tls13: bool) {
    let (outcome, events, t) = authenticate_radius(
        addr,
        SECRET,
        ttls("password", inner, tls13).build().unwrap(),
    );
    let keys = keys_of(&outcome);
    assert_msk_is_mppe(&t, keys, &format!("{inner} tls13 {tls13}"));
    assert_eq!(keys.session_id[0], 21, "EAP-TTLS Session-Id");
    let want = if tls13 {
        TlsVersion::TLS13
    } else {
        TlsVersion::TLS12
    };
    assert_eq!(tunnel_version(&events), Some(want), "{inner} tls13 {tls13}");
}

#[test]
fn freeradius_ttls_every_inner_method_tls12_and_tls13_msk_equals_mppe_keys() {
    if !available(NEEDS) {
        return;
    }
    // FreeRADIUS proposes PEAP (its default_eap_type); we Nak it for TTLS.
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    for tls13 in [false, true] {
        for inner in INNERS {
            succeeds(&fr.addr(), inner, tls13);
        }
    }
}

#[test]
fn freeradius_ttls_wrong_password_per_inner_method_is_diagnosed() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    for tls13 in [false, true] {
        for inner in INNERS {
            let (outcome, _, _) = authenticate_radius(
                &fr.addr(),
                SECRET,
                ttls("wrong", inner, tls13).build().unwrap(),
            );
            let d = diagnosis_of(&outcome);
            assert_eq!(
                d.cause,
                Cause::TtlsCredentialsRejected {
                    user: "alice".into(),
                    inner
                },
                "{inner} tls13 {tls13}: {d}"
            );
            assert!(
                d.to_string()
                    .contains("rejected the credentials of \"alice\"")
            );
        }
    }
}

#[test]
fn freeradius_ttls_eap_mschapv2_with_send_error_says_691() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("SEND_ERROR", "yes")]);
    let (outcome, _, _) = authenticate_radius(
        &fr.addr(),
        SECRET,
        ttls("wrong", TtlsInner::EapMsChapV2, false)
            .build()
            .unwrap(),
    );
    let d = diagnosis_of(&outcome);
    assert!(
        matches!(&d.cause, Cause::MschapFailure { error: 691, .. }),
        "{d}"
    );
}

#[test]
fn eapol_test_and_our_cli_agree_on_ttls() {
    if !available(&["freeradius", "openssl", "eapol_test"]) {
        return;
    }
    let fr = FreeRadius::start(&[("TLS_MAX", "1.3")]);
    // eapol_test speaks TLS 1.3 for EAP only when told to.
    for (tls_max, phase1) in [("1.2", ""), ("1.3", " phase1=\"tls_disable_tlsv1_3=0\"\n")] {
        for (arg, phase2) in [
            ("ttls-pap", "auth=PAP"),
            ("ttls-mschapv2", "auth=MSCHAPV2"),
            ("ttls-eap-mschapv2", "autheap=MSCHAPV2"),
        ] {
            for (password, ok) in [("password", true), ("wrong", false)] {
                let what = format!("{arg} TLS {tls_max} {password}");
                let (succeeded, text) = eapol_test(
                    &fr,
                    &format!("{arg}-{tls_max}-{ok}"),
                    &format!(
                        " eap=TTLS\n identity=\"alice\"\n anonymous_identity=\"anonymous\"\n password=\"{password}\"\n phase2=\"{phase2}\"\n{phase1}"
                    ),
                );
                assert_eq!(succeeded, ok, "eapol_test {what}: {text}");
                if ok && tls_max == "1.3" {
                    assert!(text.contains("TLSv1.3"), "eapol_test {what}: not TLS 1.3");
                }
                let ours = radius_auth(
                    &fr.addr(),
                    "alice",
                    password,
                    &["--method", arg, "--tls-max", tls_max],
                );
                let stderr = String::from_utf8_lossy(&ours.stderr);
                assert_eq!(
                    ours.status.code(),
                    Some(if ok { 0 } else { 1 }),
                    "{what}: {stderr}"
                );
                if ok {
                    assert_eq!(msk_lines(&ours).len(), 1, "{what}");
                } else {
                    assert!(
                        last_stderr_line(&ours).contains("rejected the credentials of \"alice\""),
                        "{what}: {stderr}"
                    );
                }
            }
        }
    }
}

#[test]
fn hostapd_ttls_inner_methods_msk_equals_mppe_keys() {
    if !available(&["hostapd", "openssl"]) {
        return;
    }
    let h = Hostapd::radius_server();
    for inner in INNERS {
        succeeds(&h.addr(), inner, false);
    }
    assert!(h.log().contains("CTRL-EVENT-EAP-SUCCESS"));
    let (outcome, _, _) = authenticate_radius(
        &h.addr(),
        SECRET,
        ttls("wrong", TtlsInner::Pap, false).build().unwrap(),
    );
    let d = diagnosis_of(&outcome);
    assert_eq!(
        d.cause,
        Cause::TtlsCredentialsRejected {
            user: "alice".into(),
            inner: TtlsInner::Pap
        },
        "{d}"
    );
}

#[test]
fn hostapd_ttls_over_tls13() {
    if !available(&["hostapd", "openssl"]) {
        return;
    }
    let h = Hostapd::radius_server_with(&[("TLS13", "yes")]);
    for inner in INNERS {
        succeeds(&h.addr(), inner, true);
    }
}

#[test]
fn ttls_captures_explain_success_and_the_pap_rejection() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    for (password, ok) in [("password", true), ("wrong", false)] {
        let pcap = fr.dir.join(format!("ttls-{ok}.pcapng"));
        let out = radius_auth(
            &fr.addr(),
            "alice",
            password,
            &["--method", "ttls-pap", "--pcap", pcap.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(if ok { 0 } else { 1 }));
        let report =
            eap::unstable::capture::explain(&std::fs::read(&pcap).unwrap(), &Default::default())
                .unwrap()
                .to_string();
        assert!(report.contains("EAP-TTLS"), "{report}");
        if ok {
            assert!(report.contains("outcome: success"), "{report}");
        } else {
            assert!(report.contains("outcome: failure"), "{report}");
            assert!(report.contains("phase: inner authentication"), "{report}");
        }
    }
}
