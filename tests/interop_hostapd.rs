//! Interop against hostapd 2.10's internal EAP server, used as a RADIUS server on loopback
//! (`driver=none`, `eap_server=1`): the server that sends a PEAP Crypto-Binding TLV, and
//! offers PEAP version 1 (we answer with 0). Each test starts its own hostapd
//! (tests/peers/hostapd.sh) on a free port and stops it on drop.

#[path = "peers/mod.rs"]
mod peers;

use eap::Cryptobinding;
use eap::Event;
use eap::diagnosis::{Cause, Phase};
use eap::transport::AuthOutcome;
use peers::*;

const NEEDS: &[&str] = &["hostapd", "openssl"];

#[test]
fn peapv0_with_cryptobinding_and_msk_equals_mppe_keys() {
    if !available(NEEDS) {
        return;
    }
    let h = Hostapd::radius_server();
    let (outcome, events, t) = authenticate_radius(
        &h.addr(),
        SECRET,
        config("alice", "password").build().unwrap(),
    );
    let keys = keys_of(&outcome);
    assert!(
        keys.from_cryptobinding,
        "hostapd sends a Crypto-Binding TLV: the MSK comes from the CMK/IPMK chain"
    );
    assert!(events.contains(&Event::CryptoBindingVerified), "{events:?}");
    // The transport already failed the authentication (KeyMismatch) if they differed;
    // checked here again in the open.
    let msk = keys.msk.expose();
    let mppe = t.mppe_keys();
    let recv = mppe.recv.as_ref().expect("MS-MPPE-Recv-Key").expose();
    let send = mppe.send.as_ref().expect("MS-MPPE-Send-Key").expose();
    assert_eq!(recv[..32], msk[..32]);
    assert_eq!(send[..32], msk[32..64]);
    assert_eq!(keys.session_id.len(), 65);
    assert_eq!(keys.session_id[0], 0x19);
    let log = h.log();
    assert!(
        log.contains("EAP-PEAP: Valid cryptobinding TLV received"),
        "hostapd checked our Crypto-Binding TLV"
    );
    assert!(log.contains("CTRL-EVENT-EAP-SUCCESS"));
}

#[test]
fn server_offers_peap_version_1_and_we_speak_0() {
    if !available(NEEDS) {
        return;
    }
    let h = Hostapd::radius_server();
    let (outcome, events, _) = authenticate_radius(
        &h.addr(),
        SECRET,
        config("alice", "password").build().unwrap(),
    );
    keys_of(&outcome);
    let started: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::PeapStarted { .. }))
        .collect();
    assert_eq!(
        started,
        [&Event::PeapStarted {
            server_version: 1,
            version: 0
        }]
    );
    assert!(
        h.log()
            .contains("EAP-PEAP: peer ver=0, own ver=1; use version 0")
    );
}

#[test]
fn cryptobinding_required_succeeds() {
    if !available(NEEDS) {
        return;
    }
    let h = Hostapd::radius_server();
    let (outcome, events, t) = authenticate_radius(
        &h.addr(),
        SECRET,
        config("alice", "password")
            .cryptobinding(Cryptobinding::Required)
            .build()
            .unwrap(),
    );
    let keys = keys_of(&outcome);
    assert!(keys.from_cryptobinding);
    assert!(events.contains(&Event::CryptoBindingVerified));
    assert_eq!(
        t.mppe_keys().recv.as_ref().unwrap().expose()[..32],
        keys.msk.expose()[..32]
    );
}

#[test]
fn cli_prints_one_msk() {
    if !available(NEEDS) {
        return;
    }
    let h = Hostapd::radius_server();
    for extra in [&[][..], &["--cryptobinding", "required"][..]] {
        let out = radius_auth(&h.addr(), "alice", "password", extra);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let msks = msk_lines(&out);
        assert_eq!(msks.len(), 1, "{extra:?}: {msks:?}");
        let hex = msks[0].strip_prefix("MSK=").unwrap();
        assert_eq!(hex.len(), 128);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

#[test]
fn wrong_password_is_rejected_in_phase_2() {
    if !available(NEEDS) {
        return;
    }
    let h = Hostapd::radius_server();
    let (outcome, events, _) =
        authenticate_radius(&h.addr(), SECRET, config("alice", "wrong").build().unwrap());
    let d = match &outcome {
        AuthOutcome::Failed(d) => d,
        other => panic!("a wrong password succeeded: {other:?}"),
    };
    assert_eq!(d.phase, Phase::InnerAuthentication, "{d}");
    assert!(
        matches!(
            d.cause,
            Cause::MschapFailure { error: 691, .. } | Cause::CredentialsRejected { .. }
        ),
        "{:?}: {d}",
        d.cause
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Authenticated(_))));
}

/// EAP-TLS (hostapd proposes PEAP first; we Nak it) with the test PKI's `name`
/// certificate.
fn eap_tls_config(name: &str) -> eap::ConfigBuilder {
    let read = |f: &str| std::fs::read(pki().join(f)).unwrap();
    eap::Config::builder("alice")
        .methods([eap::MethodType::Tls])
        .client_pem(&read(&format!("{name}.pem")), &read(&format!("{name}.key")))
        .ca_pem_file(pki().join("ca.pem"))
        .unwrap()
        .server_name(SERVER_NAME)
        .tls_max(eap::tls::TlsVersion::TLS13)
}

#[test]
fn eap_tls_msk_equals_mppe_keys_and_an_untrusted_certificate_is_refused() {
    if !available(NEEDS) {
        return;
    }
    let h = Hostapd::radius_server();
    let (outcome, _, t) =
        authenticate_radius(&h.addr(), SECRET, eap_tls_config("client").build().unwrap());
    let keys = keys_of(&outcome);
    assert_msk_is_mppe(&t, keys, "EAP-TLS");
    assert_eq!(keys.session_id[0], 13);
    assert!(h.log().contains("CTRL-EVENT-EAP-SUCCESS"));
    let (outcome, _, _) = authenticate_radius(
        &h.addr(),
        SECRET,
        eap_tls_config("other-client").build().unwrap(),
    );
    let d = diagnosis_of(&outcome);
    assert!(
        matches!(
            d.cause,
            Cause::ClientCertificateRejected { .. } | Cause::FailureAfterClientCertificate
        ),
        "{d}"
    );
}
