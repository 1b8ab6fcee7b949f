//! TEAP against a hostile server, below the tunnel: a Basic-Password-Auth-Req (and an
//! EAP-Payload) sent before any TLS handshake, as cleartext where the TLS data belongs,
//! is never answered: no TLV, no password, only the failure. The phase-2 rules (missing or
//! wrong Crypto-Binding, Result Success before the inner method, two Result TLVs, unknown
//! mandatory TLV -> NAK TLV) are unit tests beside the code (src/method/teap/phase2.rs)
//! and the `teap_phase2` fuzz target.

mod common;

use common::*;
use eap::{Event, Input, Instant, MethodType, Output, Supplicant, TeapInner};

/// Feeds `packet`; returns what the supplicant sent and its events.
fn feed(s: &mut Supplicant, packet: &[u8]) -> (Vec<Vec<u8>>, Vec<Event>) {
    let _ = s.handle_input(Input::Packet {
        now: Instant::ZERO,
        eap: packet,
    });
    let (mut sent, mut events) = (Vec::new(), Vec::new());
    loop {
        match s.poll_output() {
            Output::Transmit(p) => sent.push(p.to_vec()),
            Output::Event(e) => events.push(e),
            Output::Idle { .. } => return (sent, events),
            _ => {}
        }
    }
}

fn request(id: u8, type_data: &[u8]) -> Vec<u8> {
    let len = (5 + type_data.len()) as u16;
    let mut p = vec![1, id];
    p.extend_from_slice(&len.to_be_bytes());
    p.push(55);
    p.extend_from_slice(type_data);
    p
}

#[test]
fn tlvs_before_the_tunnel_are_never_answered() {
    let pki = Pki::new("teap-hostile");
    // Basic-Password-Auth-Req with Identity-Type User, and an EAP-Payload (Identity).
    let password_req: &[u8] = &[0x00, 0x02, 0, 2, 0, 1, 0x80, 13, 0, 0];
    let payload_req: &[u8] = &[0x80, 9, 0, 5, 1, 9, 0, 5, 1];
    for (name, tlvs) in [("password", password_req), ("eap-payload", payload_req)] {
        for inner in [TeapInner::Password, TeapInner::MsChapV2] {
            let config = client(&pki)
                .methods([MethodType::Teap])
                .teap_inner(inner)
                .build()
                .unwrap();
            let mut s = Supplicant::new(config, Instant::ZERO);
            let (sent, _) = feed(&mut s, &[1, 1, 0, 5, 1]);
            assert_eq!(sent.len(), 1, "{name}: identity");
            let (sent, _) = feed(&mut s, &request(2, &[0x21]));
            assert_eq!(sent.len(), 1, "{name}: ClientHello");
            // In place of the ServerHello: the TLVs in clear, with and without a Start.
            let mut all = Vec::new();
            let mut events = Vec::new();
            for (id, flags) in [(3u8, 0x01u8), (4, 0x21)] {
                let mut td = vec![flags];
                td.extend_from_slice(tlvs);
                let (sent, ev) = feed(&mut s, &request(id, &td));
                all.extend(sent);
                events.extend(ev);
            }
            for p in &all {
                assert!(
                    !p.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()),
                    "{name}: the password left"
                );
                assert!(
                    !p.windows(2).any(|w| w == [0x80, 14]),
                    "{name}: a Basic-Password-Auth-Resp left"
                );
                assert!(
                    !p.windows(2).any(|w| w == [0x80, 9]),
                    "{name}: an EAP-Payload left"
                );
            }
            assert!(
                events.iter().any(|e| matches!(e, Event::Failed(_))),
                "{name}: {events:?}"
            );
            assert!(!events.iter().any(|e| matches!(e, Event::Authenticated(_))));
        }
    }
}
