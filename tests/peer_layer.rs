//! The EAP peer layer driven with hand-built packets, and the supplicant under random loss
//! and duplication.

mod common;

use common::*;
use eap::diagnosis::{Cause, ProtocolViolation};
use eap::testing::{Direction, Fault, Pair};
use eap::{Event, Input, Instant, Output, Supplicant};
use proptest::prelude::*;

fn supplicant() -> Supplicant {
    let pki = Pki::new("peer");
    Supplicant::new(client(&pki).build().unwrap(), Instant::ZERO)
}

fn feed(s: &mut Supplicant, t: u64, packet: &[u8]) -> (Vec<Vec<u8>>, Vec<Event>) {
    s.handle_input(Input::Packet {
        now: Instant::from_millis(t),
        eap: packet,
    })
    .unwrap();
    drain(s)
}

fn drain(s: &mut Supplicant) -> (Vec<Vec<u8>>, Vec<Event>) {
    let (mut tx, mut ev) = (vec![], vec![]);
    loop {
        match s.poll_output() {
            Output::Transmit(p) => tx.push(p),
            Output::Event(e) => ev.push(e),
            Output::Idle { .. } => return (tx, ev),
            _ => {}
        }
    }
}

#[test]
fn identity_is_answered_with_the_anonymous_identity() {
    let mut s = supplicant();
    let (tx, ev) = feed(&mut s, 0, &[1, 7, 0, 5, 1]);
    assert_eq!(
        tx,
        [[&[2u8, 7, 0, 26, 1][..], b"anonymous@example.org"].concat()]
    );
    assert!(
        matches!(&ev[0], Event::IdentitySent { identity } if identity == "anonymous@example.org")
    );
}

#[test]
fn retransmitted_request_gets_the_same_response_without_reprocessing() {
    let mut s = supplicant();
    let (first, ev1) = feed(&mut s, 0, &[1, 7, 0, 5, 1]);
    let (again, ev2) = feed(&mut s, 10, &[1, 7, 0, 5, 1]);
    assert_eq!(first, again);
    assert_eq!(ev1.len(), 1);
    assert!(ev2.is_empty(), "not processed twice");
    // Same Identifier, different content: a new request (a Notification here), answered.
    let (tx, ev) = feed(&mut s, 20, &[1, 7, 0, 6, 2, b'x']);
    assert_eq!(tx, [vec![2, 7, 0, 5, 2]]);
    assert_eq!(ev.len(), 1);
    assert_eq!(s.dropped(), 0);
}

#[test]
fn unknown_method_gets_a_legacy_nak_and_expanded_type_an_expanded_nak() {
    let mut s = supplicant();
    let (tx, ev) = feed(&mut s, 0, &[1, 1, 0, 6, 13, 0x20]);
    assert_eq!(tx, [vec![2, 1, 0, 6, 3, 25]]);
    assert!(matches!(
        &ev[0],
        Event::MethodProposed {
            accepted: false,
            ..
        }
    ));
    let (tx, _) = feed(&mut s, 1, &[1, 2, 0, 12, 254, 0, 0x12, 0x34, 0, 0, 0, 1]);
    assert_eq!(
        tx,
        [vec![
            2, 2, 0, 20, 254, 0, 0, 0, 0, 0, 0, 3, 254, 0, 0, 0, 0, 0, 0, 25
        ]]
    );
}

#[test]
fn malformed_packets_are_dropped_not_fatal() {
    let mut s = supplicant();
    for bad in [
        &[][..],
        &[1],
        &[1, 1, 0, 3],
        &[1, 1, 0, 9, 1],
        &[2, 1, 0, 4],
        &[9, 1, 0, 4],
    ] {
        let (tx, ev) = feed(&mut s, 0, bad);
        assert!(tx.is_empty() && ev.is_empty(), "{bad:?}");
    }
    assert_eq!(s.dropped(), 6);
    assert!(!s.is_finished());
}

#[test]
fn oversized_tls_message_length_is_refused_before_allocation() {
    let mut s = supplicant();
    feed(&mut s, 0, &[1, 1, 0, 5, 1]);
    let (tx, _) = feed(&mut s, 1, &[1, 2, 0, 6, 25, 0x20]);
    assert_eq!(tx.len(), 1, "ClientHello");
    // A first fragment announcing 4 GiB.
    let (_, ev) = feed(
        &mut s,
        2,
        &[1, 3, 0, 12, 25, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0x16, 0x03],
    );
    match &ev[..] {
        [Event::Failed(d)] => assert_eq!(
            d.cause,
            Cause::Protocol(ProtocolViolation::MessageTooLarge {
                announced: Some(0xFFFF_FFFF),
                arrived: 2,
                cap: 65536
            })
        ),
        other => panic!("{other:?}"),
    }
    assert!(s.is_finished());
}

#[test]
fn time_going_backwards_is_a_caller_error() {
    let mut s = supplicant();
    s.handle_input(Input::Timeout {
        now: Instant::from_millis(5),
    })
    .unwrap();
    assert!(
        s.handle_input(Input::Timeout {
            now: Instant::from_millis(4)
        })
        .is_err()
    );
}

#[test]
fn limits_count_from_the_authenticators_first_packet() {
    let mut s = supplicant();
    // Nothing from the authenticator yet: no timer (the lower layer's start sequence
    // decides how long to wait), and timeouts change nothing.
    assert_eq!(s.poll_output(), Output::Idle { next_timeout: None });
    s.handle_input(Input::Timeout {
        now: Instant::from_millis(600_000),
    })
    .unwrap();
    assert_eq!(drain(&mut s), (vec![], vec![]));
    assert!(!s.is_finished());
    // The first request, 10 minutes in, starts the silence limit.
    let (tx, _) = feed(&mut s, 600_000, &[1, 7, 0, 5, 1]);
    assert_eq!(tx.len(), 1);
    let Output::Idle {
        next_timeout: Some(t),
    } = s.poll_output()
    else {
        panic!()
    };
    assert_eq!(t, Instant::from_millis(630_000), "silence limit");
    s.handle_input(Input::Timeout { now: t }).unwrap();
    let (_, ev) = drain(&mut s);
    assert!(matches!(&ev[..], [Event::Failed(d)] if matches!(d.cause, Cause::Timeout { .. })));
    assert!(matches!(
        s.poll_output(),
        Output::Idle { next_timeout: None }
    ));
    s.handle_input(Input::Restart { now: t }).unwrap();
    assert!(!s.is_finished());
    let (tx, _) = feed(&mut s, 630_001, &[1, 9, 0, 5, 1]);
    assert_eq!(tx.len(), 1);
}

#[test]
fn duplicated_and_lost_packets_recover_with_server_retransmission() {
    let pki = Pki::new("loss");
    let mut n = 0;
    let mut pair = Pair::new(client(&pki).build().unwrap(), server(&pki));
    let out = pair.run_with(|_, _| {
        n += 1;
        match n % 5 {
            1 => Fault::Duplicate,
            3 => Fault::Drop,
            _ => Fault::Deliver,
        }
    });
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random drops and duplicates of server packets never panic and always end in
    /// Authenticated or a Diagnosis.
    #[test]
    fn random_faults_end_in_keys_or_diagnosis(faults in proptest::collection::vec(0u8..10, 64), frag in 64usize..1400) {
        let pki = Pki::new("prop");
        let mut srv = server(&pki);
        srv.fragment_size = frag;
        let mut pair = Pair::new(client(&pki).fragment_size(frag).build().unwrap(), srv);
        let mut i = 0;
        let out = pair.run_with(|dir, _| {
            let f = faults[i % faults.len()];
            i += 1;
            match (dir, f) {
                (Direction::ToPeer, 0) => Fault::Drop,
                (Direction::ToPeer, 1) => Fault::Duplicate,
                (Direction::ToServer, 2) => Fault::Drop,
                _ => Fault::Deliver,
            }
        });
        let ended = out.events.iter().filter(|e| matches!(e, Event::Authenticated(_) | Event::Failed(_))).count();
        prop_assert_eq!(ended, 1, "{:?}", out.events);
        prop_assert!(pair.supplicant.is_finished());
    }
}
