//! Post-quantum key exchange (feature `post-quantum`: the host connector on aws-lc-rs with
//! X25519MLKEM768 preferred) against FreeRADIUS 3.2.7 on OpenSSL 3.5 (the Debian 13 root):
//! TLS 1.3 PEAP, TTLS and EAP-TLS negotiate X25519MLKEM768, with the MSK equal to the
//! MS-MPPE keys; `radius_auth --json --tls-max 1.3` reports `"key_exchange":"X25519MLKEM768"`.
//! (TEAP is not among them: FreeRADIUS 3.2.7 runs TEAP on TLS 1.2 only, see
//! interop_teap.rs.)
#![cfg(feature = "post-quantum")]

#[path = "peers/mod.rs"]
mod peers;

use eap::tls::TlsVersion;
use eap::{MethodType, TtlsInner};
use peers::*;

const NEEDS: &[&str] = &["debootstrap", "openssl"];
const X25519MLKEM768: u16 = 0x11ec;

fn key_exchange(events: &[eap::Event]) -> Option<u16> {
    events.iter().find_map(|e| match e {
        eap::Event::TunnelUp { key_exchange, .. } => *key_exchange,
        _ => None,
    })
}

#[test]
fn tls13_methods_negotiate_x25519mlkem768_against_3_2_7() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start_327(&[("TLS_MAX", "1.3")]);
    let read = |f: &str| std::fs::read(pki().join(f)).unwrap();
    let configs = [
        ("PEAP", config("alice", "password")),
        (
            "TTLS",
            config("alice", "password")
                .methods([MethodType::Ttls])
                .ttls_inner(TtlsInner::EapMsChapV2),
        ),
        (
            "EAP-TLS",
            eap::Config::builder("alice")
                .methods([MethodType::Tls])
                .client_pem(&read("client.pem"), &read("client.key"))
                .ca_pem_file(pki().join("ca.pem"))
                .unwrap()
                .server_name(SERVER_NAME),
        ),
    ];
    for (what, c) in configs {
        let (outcome, events, t) = authenticate_radius(
            &fr.addr(),
            SECRET,
            c.tls_max(TlsVersion::TLS13).build().unwrap(),
        );
        assert_msk_is_mppe(&t, keys_of(&outcome), what);
        assert_eq!(tunnel_version(&events), Some(TlsVersion::TLS13), "{what}");
        assert_eq!(key_exchange(&events), Some(X25519MLKEM768), "{what}");
    }
    let out = radius_auth(
        &fr.addr(),
        "alice",
        "password",
        &["--json", "--tls-max", "1.3"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(r#""key_exchange":"X25519MLKEM768""#),
        "{stdout}"
    );
    assert!(stdout.contains(r#""result":"success""#), "{stdout}");
    // TLS 1.2 has no ML-KEM: an elliptic curve.
    let (outcome, events, _) = authenticate_radius(
        &fr.addr(),
        SECRET,
        config("alice", "password").build().unwrap(),
    );
    keys_of(&outcome);
    assert_ne!(key_exchange(&events), Some(X25519MLKEM768));
}
