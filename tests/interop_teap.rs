//! TEAP (RFC 9930) against FreeRADIUS 3.2.7 (`rlm_eap_teap`, the Debian 13 root of
//! tests/peers/trixie.sh): inner Basic-Password-Auth, EAP-MSCHAPv2 and EAP-TLS, and a
//! machine (EAP-TLS) then user (EAP-MSCHAPv2) chain in one tunnel, offering TLS 1.2 and
//! 1.3, each with the MSK equal to the MS-MPPE keys FreeRADIUS sent (its TEAP MSK, from the
//! last S-IMCK); a wrong user password and a wrong machine certificate each diagnosed by
//! identity and method, through the library and through `radius_auth --method teap`.
//!
//! FreeRADIUS 3.2.7 never negotiates TLS 1.3 for TEAP, whatever `tls_max_version` says
//! (`rlm_eap_teap.c`, `mod_session_init`: "Disallow TLS 1.3 for now"): offered 1.3, it
//! answers 1.2, which the tests check. Our TEAP over TLS 1.3 is covered against the
//! in-process authenticator (tests/teap.rs).

#[path = "peers/mod.rs"]
mod peers;

use eap::diagnosis::Cause;
use eap::tls::TlsVersion;
use eap::{MethodType, TeapInner};
use peers::*;

const NEEDS: &[&str] = &["debootstrap", "openssl"];
const VERSIONS: [TlsVersion; 2] = [TlsVersion::TLS12, TlsVersion::TLS13];
const MACHINE: &str = "host/pc1.example.test";

fn read(f: &str) -> Vec<u8> {
    std::fs::read(pki().join(f)).unwrap()
}

/// The user alice with `inner` (password "password", or the test PKI's `client`
/// certificate for EAP-TLS).
fn user(inner: TeapInner, password: &str, version: TlsVersion) -> eap::ConfigBuilder {
    let b = config("alice", password)
        .methods([MethodType::Teap])
        .teap_inner(inner)
        .tls_max(version);
    if inner == TeapInner::Tls {
        b.client_pem(&read("client.pem"), &read("client.key"))
    } else {
        b
    }
}

/// The machine credential: EAP-TLS with the PKI's certificate `cert` (client: trusted;
/// other-client: from a CA the server does not trust).
fn machine(cert: &str, version: TlsVersion) -> eap::Config {
    eap::Config::builder(MACHINE)
        .methods([MethodType::Teap])
        .teap_inner(TeapInner::Tls)
        .client_pem(&read(&format!("{cert}.pem")), &read(&format!("{cert}.key")))
        .ca_pem_file(pki().join("ca.pem"))
        .unwrap()
        .server_name(SERVER_NAME)
        .tls_max(version)
        .build()
        .unwrap()
}

/// One TEAP authentication that must succeed with MSK == MS-MPPE keys and a TEAP
/// Session-Id.
fn succeeds(fr: &FreeRadius, what: &str, config: eap::ConfigBuilder, version: TlsVersion) {
    let what = format!("{what} {version:?}");
    let (outcome, events, t) = authenticate_radius(&fr.addr(), SECRET, config.build().unwrap());
    let keys = keys_of(&outcome);
    assert_msk_is_mppe(&t, keys, &what);
    assert!(keys.from_cryptobinding, "{what}");
    assert_eq!(keys.session_id[0], 55, "{what}: TEAP Session-Id");
    // 3.2.7 caps TEAP at TLS 1.2 (see the module doc).
    let _ = version;
    assert_eq!(tunnel_version(&events), Some(TlsVersion::TLS12), "{what}");
}

fn fails(fr: &FreeRadius, config: eap::ConfigBuilder) -> eap::Diagnosis {
    let (outcome, _, _) = authenticate_radius(&fr.addr(), SECRET, config.build().unwrap());
    diagnosis_of(&outcome).clone()
}

#[test]
fn teap_inner_password_mschapv2_and_tls_on_tls12_and_tls13() {
    if !available(NEEDS) {
        return;
    }
    for (knob, inner) in [
        ("password", TeapInner::Password),
        ("mschapv2", TeapInner::MsChapV2),
        ("tls", TeapInner::Tls),
    ] {
        let fr = FreeRadius::start_327(&[("TLS_MAX", "1.3"), ("TEAP_USER", knob)]);
        for version in VERSIONS {
            succeeds(&fr, knob, user(inner, "password", version), version);
        }
        if inner != TeapInner::Tls {
            let d = fails(&fr, user(inner, "wrong", TlsVersion::TLS13));
            assert_eq!(
                d.cause,
                Cause::TeapInnerRejected {
                    machine: false,
                    user: "alice".into(),
                    inner
                },
                "{knob}: {d}"
            );
            assert!(d.to_string().contains("user identity \"alice\""), "{d}");
        }
    }
}

#[test]
fn teap_machine_then_user_chaining_and_a_wrong_machine_certificate() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start_327(&[
        ("TLS_MAX", "1.3"),
        ("TEAP_IDENTITY_TYPES", "machine,user"),
        ("TEAP_MACHINE", "tls"),
        ("TEAP_USER", "mschapv2"),
    ]);
    for version in VERSIONS {
        succeeds(
            &fr,
            "machine EAP-TLS then user EAP-MSCHAPv2",
            user(TeapInner::MsChapV2, "password", version).teap_machine(machine("client", version)),
            version,
        );
        let d = fails(
            &fr,
            user(TeapInner::MsChapV2, "password", version)
                .teap_machine(machine("other-client", version)),
        );
        assert_eq!(
            d.cause,
            Cause::TeapInnerRejected {
                machine: true,
                user: MACHINE.into(),
                inner: TeapInner::Tls
            },
            "{version:?}: {d}"
        );
        let d = fails(
            &fr,
            user(TeapInner::MsChapV2, "wrong", version).teap_machine(machine("client", version)),
        );
        assert_eq!(
            d.cause,
            Cause::TeapInnerRejected {
                machine: false,
                user: "alice".into(),
                inner: TeapInner::MsChapV2
            },
            "{version:?}: {d}"
        );
    }
    // Without a machine credential: the server's Identity-Type Machine is named.
    let d = fails(
        &fr,
        user(TeapInner::MsChapV2, "password", TlsVersion::TLS12),
    );
    assert_eq!(d.cause, Cause::TeapNoCredential { machine: true }, "{d}");
}

#[test]
fn radius_auth_method_teap_prints_the_msk_and_names_the_failed_identity() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start_327(&[
        ("TLS_MAX", "1.3"),
        ("TEAP_IDENTITY_TYPES", "machine,user"),
        ("TEAP_MACHINE", "tls"),
        ("TEAP_USER", "mschapv2"),
    ]);
    let pem = |f: &str| pki().join(f).display().to_string();
    for (cert, password, ok, needle) in [
        ("client", "password", true, ""),
        ("client", "wrong", false, "user identity \"alice\""),
        (
            "other-client",
            "password",
            false,
            "machine identity \"host/pc1",
        ),
    ] {
        let out = radius_auth(
            &fr.addr(),
            "alice",
            password,
            &[
                "--method",
                "teap",
                "--teap-inner",
                "mschapv2",
                "--tls-max",
                "1.3",
                "--machine-identity",
                MACHINE,
                "--machine-cert",
                &pem(&format!("{cert}.pem")),
                "--machine-key",
                &pem(&format!("{cert}.key")),
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(if ok { 0 } else { 1 }), "{stderr}");
        if ok {
            assert_eq!(msk_lines(&out).len(), 1, "{stderr}");
        } else {
            assert!(last_stderr_line(&out).contains(needle), "{stderr}");
        }
    }
}

#[test]
fn explain_reads_a_teap_capture_and_names_the_rejected_identity_as_the_live_run() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start_327(&[("TEAP_USER", "password")]);
    let pcap = fr.dir.join("teap.pcapng");
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "wrong",
        &[
            "--method",
            "teap",
            "--teap-inner",
            "password",
            "--pcap",
            pcap.to_str().unwrap(),
        ],
    );
    let live = last_stderr_line(&out);
    assert_eq!(out.status.code(), Some(1), "{live}");
    let want = "the server rejected the user identity \"alice\" in its TEAP inner Basic-Password-Auth authentication";
    assert!(live.contains(want), "{live}");
    let report =
        eap::unstable::capture::explain(&std::fs::read(&pcap).unwrap(), &Default::default())
            .unwrap()
            .to_string();
    // The Start's Outer TLV in clear; the tunnel opened with the capture's secrets.
    assert!(
        report.contains("outer TLV AuthorityId \"eap-tests\""),
        "{report}"
    );
    assert!(
        report.contains("decrypted: TEAP Identity-Type User, BasicPasswordAuthReq"),
        "{report}"
    );
    assert!(
        report.contains("Basic-Password-Auth-Resp \"alice\""),
        "{report}"
    );
    assert!(report.contains(want), "{report}");
}
