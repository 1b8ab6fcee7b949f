//! Successful PEAPv0 / EAP-MSCHAPv2 authentications against the in-process authenticator.

mod common;

use common::*;
use eap::Cryptobinding;
use eap::MethodType;
use eap::testing::{AuthenticatorConfig, Pair, ServerOutcome};
use eap::tls::TlsVersion;
use eap::{Event, Keys};

fn server_keys(outcome: &eap::testing::PairOutcome) -> &Keys {
    match outcome.server.as_ref() {
        Some(ServerOutcome::Accept(k)) => k,
        other => panic!("server did not accept: {other:?}"),
    }
}

#[test]
fn success_without_cryptobinding_both_sides_agree() {
    let pki = Pki::new("ok");
    let out = run(client(&pki), server(&pki));
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
    assert!(!keys.from_cryptobinding);
    let server = server_keys(&out);
    assert_eq!(keys.msk, server.msk);
    assert_eq!(keys.emsk, server.emsk);
    assert_ne!(keys.msk.expose(), keys.emsk.expose());
    assert_eq!(keys.session_id.len(), 65);
    assert_eq!(keys.session_id[0], 0x19);
    assert_eq!(
        event_names(&out.events),
        [
            "IdentitySent",
            "MethodAccepted",
            "PeapStarted",
            "CertificateValidated",
            "TunnelUp",
            "InnerAccepted",
            "InnerSucceeded",
            "Authenticated"
        ]
    );
    let Event::IdentitySent { identity } = &out.events[0] else {
        unreachable!()
    };
    assert_eq!(identity, "anonymous@example.org");
    let Event::TunnelUp { version, .. } = out.events[4] else {
        unreachable!()
    };
    assert_eq!(version, TlsVersion::TLS12, "TLS 1.2 is the default");
}

#[test]
fn success_with_cryptobinding_keys_from_csk() {
    let pki = Pki::new("cb");
    let mut srv = server(&pki);
    srv.cryptobinding = true;
    let out = run(client(&pki), srv.clone());
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
    assert!(keys.from_cryptobinding);
    let server = server_keys(&out);
    assert_eq!(keys.msk, server.msk);
    assert_eq!(keys.emsk, server.emsk);
    assert!(event_names(&out.events).contains(&"CryptoBindingVerified"));

    // The same exchange without cryptobinding gives keys from the TLS key material:
    // cryptobinding changed them (and required still works when the server sends it).
    let out2 = run(client(&pki).cryptobinding(Cryptobinding::Required), srv);
    assert!(out2.keys().unwrap().from_cryptobinding);
    assert_ne!(
        out2.keys().unwrap().msk,
        keys.msk,
        "fresh TLS session, fresh keys"
    );
}

#[test]
fn cryptobinding_off_ignores_the_tlv_and_the_server_rejects() {
    // Policy off: the Crypto-Binding TLV is neither verified nor answered; our test
    // server, like hostapd with cryptobinding required, then refuses the session.
    let pki = Pki::new("cb-off");
    let mut srv = server(&pki);
    srv.cryptobinding = true;
    let out = run(client(&pki).cryptobinding(Cryptobinding::Off), srv);
    assert_eq!(out.server, Some(ServerOutcome::Reject));
    let d = out.diagnosis().expect("failed");
    assert!(
        matches!(
            d.cause,
            eap::diagnosis::Cause::RejectedAfterInnerSuccess {
                cryptobinding: false
            }
        ),
        "{d}"
    );
}

#[test]
fn non_ascii_password_and_domain_user() {
    let pki = Pki::new("utf8");
    let password = "pässwörd€𝄞";
    let user = "EXAMPLE\\bob";
    let srv = AuthenticatorConfig::new(server_tls(&pki.server()), user, password);
    let out = run(client(&pki).password(password), srv.clone());
    assert!(out.keys().is_none(), "identity differs: alice is not known");
    let cfg = eap::Config::builder(user)
        .password(password)
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME);
    let out = run(cfg, srv);
    assert_eq!(
        out.keys().map(|k| &k.msk),
        Some(&server_keys(&out).msk),
        "{:?}",
        out.diagnosis()
    );
}

#[test]
fn nt_hash_credential() {
    let pki = Pki::new("hash");
    let hash = eap::unstable::crypto::mschapv2::nt_password_hash(PASSWORD);
    let cfg = eap::Config::builder(USER)
        .nt_hash(hash)
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME);
    let out = run(cfg, server(&pki));
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
}

#[test]
fn tls13_when_enabled() {
    let pki = Pki::new("tls13");
    let out = run(client(&pki).tls_max(TlsVersion::TLS13), server(&pki));
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
    assert_eq!(keys.msk, server_keys(&out).msk);
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::TunnelUp {
            version: TlsVersion::TLS13,
            ..
        }
    )));
    assert_eq!(keys.session_id.len(), 65);
}

#[test]
fn domain_suffix_rule() {
    let pki = Pki::new("suffix");
    let cfg = client(&pki).domain_suffix("example.org");
    assert!(run(cfg, server(&pki)).keys().is_some());
}

#[test]
fn server_proposes_eap_tls_first_we_nak_then_peap() {
    let pki = Pki::new("nak");
    let mut srv = server(&pki);
    srv.knobs.propose_first = Some(MethodType::Tls);
    let out = run(client(&pki), srv);
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    assert!(out.events.iter().any(|e| matches!(e,
        Event::MethodProposed { method: MethodType::Tls, accepted: false, offered } if offered == &[MethodType::Peap])));
    // Our Nak: Response, Type 3, desired type 25.
    let nak = out
        .transmitted
        .iter()
        .find(|p| p.get(4) == Some(&3))
        .expect("a Nak was sent");
    assert_eq!(&nak[4..], &[3, 25]);
}

#[test]
fn hostapd_style_version_1_offer_gets_version_0() {
    let pki = Pki::new("v1");
    let mut srv = server(&pki);
    srv.knobs.peap_version = 1;
    let out = run(client(&pki), srv);
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::PeapStarted {
            server_version: 1,
            version: 0
        }
    )));
}

#[test]
fn notification_is_surfaced_and_answered() {
    let pki = Pki::new("note");
    let mut srv = server(&pki);
    srv.knobs.notification = Some("Welcome to the lab".into());
    let out = run(client(&pki), srv);
    assert!(out.keys().is_some());
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::Notification { text } if text == "Welcome to the lab"))
    );
    assert_eq!(
        out.transmitted[0],
        [2, 1, 0, 5, 2],
        "empty Notification response"
    );
}

#[test]
fn success_identifier_tolerance() {
    let pki = Pki::new("ids");
    for offset in [0u8, 1, 2] {
        let mut srv = server(&pki);
        srv.knobs.success_id_offset = offset;
        let out = run(client(&pki), srv);
        assert!(
            out.keys().is_some(),
            "offset {offset}: {:?}",
            out.diagnosis()
        );
    }
    let mut srv = server(&pki);
    srv.knobs.success_id_offset = 3;
    let mut pair = Pair::new(client(&pki).build().unwrap(), srv);
    let out = pair.run();
    assert!(
        out.keys().is_none(),
        "an EAP-Success 3 Identifiers ahead is discarded"
    );
    assert!(pair.supplicant.dropped() >= 1);
}

#[test]
fn fragment_sizes_64_to_1400_both_ways() {
    let pki = Pki::new("frag");
    let cert = pki.server();
    let tls = server_tls(&cert);
    for size in [64usize, 100, 255, 300, 512, 1000, 1398, 1400] {
        let mut srv = AuthenticatorConfig::new(tls.clone(), USER, PASSWORD);
        srv.fragment_size = size;
        srv.cryptobinding = size % 2 == 0;
        let out = run(client(&pki).fragment_size(size), srv);
        let keys = out
            .keys()
            .unwrap_or_else(|| panic!("size {size}: {:?}", out.diagnosis()));
        assert_eq!(keys.msk, server_keys(&out).msk);
        for p in &out.transmitted {
            // EAP header 5 + flags 1 + length 4 + data.
            assert!(p.len() <= size + 10, "size {size}: sent {} octets", p.len());
        }
    }
}

#[test]
fn first_fragment_always_carries_the_tls_message_length() {
    let pki = Pki::new("len");
    let out = run(client(&pki), server(&pki));
    // Every PEAP response carrying TLS data in a first fragment has the L flag.
    let hello = &out.transmitted[1];
    assert_eq!(hello[4], 25);
    assert_eq!(hello[5] & 0x80, 0x80, "L flag on the ClientHello");
    let declared = u32::from_be_bytes(hello[6..10].try_into().unwrap()) as usize;
    assert_eq!(declared, hello.len() - 10);
}
