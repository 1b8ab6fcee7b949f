//! Every method's interop once more against the second real server: FreeRADIUS 3.2.7 from
//! the Debian 13 root (tests/peers/trixie.sh, OpenSSL 3.5), chrooted on loopback. PEAPv0
//! (EAP-MSCHAPv2 and GTC inside), EAP-TTLS (each inner method) and EAP-TLS, on TLS 1.2 and
//! 1.3, each with its MSK equal to the MS-MPPE keys the server sent; a wrong password is
//! still named. The 3.2.1 tests (interop_freeradius.rs, interop_ttls.rs) stay: the two
//! versions differ in behaviour users meet.

#[path = "peers/mod.rs"]
mod peers;

use eap::diagnosis::Cause;
use eap::tls::TlsVersion;
use eap::{MethodType, TtlsInner};
use peers::*;

const NEEDS: &[&str] = &["debootstrap", "openssl"];
const VERSIONS: [TlsVersion; 2] = [TlsVersion::TLS12, TlsVersion::TLS13];

/// One authentication that must succeed on `version`, with MSK == MS-MPPE keys and the
/// Session-Id of `type_code`.
fn succeeds(
    fr: &FreeRadius,
    what: &str,
    config: eap::ConfigBuilder,
    version: TlsVersion,
    type_code: u8,
) {
    let what = format!("{what} {version:?}");
    let (outcome, events, t) =
        authenticate_radius(&fr.addr(), SECRET, config.tls_max(version).build().unwrap());
    let keys = keys_of(&outcome);
    assert_msk_is_mppe(&t, keys, &what);
    assert_eq!(keys.session_id[0], type_code, "{what}");
    assert_eq!(tunnel_version(&events), Some(version), "{what}");
}

#[test]
fn peap_ttls_eap_tls_and_gtc_against_3_2_7_on_tls12_and_tls13() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start_327(&[("TLS_MAX", "1.3")]);
    assert!(fr.log().contains("FreeRADIUS Version 3.2.7"), "not 3.2.7");
    let read = |f: &str| std::fs::read(pki().join(f)).unwrap();
    for version in VERSIONS {
        succeeds(&fr, "PEAP", config("alice", "password"), version, 25);
        succeeds(
            &fr,
            "PEAP/GTC",
            config("alice", "password").inner_methods([MethodType::Gtc]),
            version,
            25,
        );
        for inner in [TtlsInner::Pap, TtlsInner::MsChapV2, TtlsInner::EapMsChapV2] {
            succeeds(
                &fr,
                &format!("TTLS/{inner}"),
                config("alice", "password")
                    .methods([MethodType::Ttls])
                    .ttls_inner(inner),
                version,
                21,
            );
        }
        succeeds(
            &fr,
            "EAP-TLS",
            eap::Config::builder("alice")
                .methods([MethodType::Tls])
                .client_pem(&read("client.pem"), &read("client.key"))
                .ca_pem_file(pki().join("ca.pem"))
                .unwrap()
                .server_name(SERVER_NAME),
            version,
            13,
        );
        let (outcome, _, _) = authenticate_radius(
            &fr.addr(),
            SECRET,
            config("alice", "wrong").tls_max(version).build().unwrap(),
        );
        let d = diagnosis_of(&outcome);
        assert_eq!(
            d.cause,
            Cause::CredentialsRejected {
                user: "alice".into()
            },
            "{version:?}: {d}"
        );
    }
}
