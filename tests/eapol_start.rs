//! The wired start sequence on a virtual clock: EAPOL-Starts lost before the authenticator
//! hears one, the supplicant's limits against the start timers, and the hints a user gets
//! on a port where nobody answers or the authenticator goes quiet.
//!
//! The loop below is what `transport::drive` and the EAPOL transport do together, with the
//! in-process authenticator behind the port: each EAPOL-Start that arrives makes it send
//! its Identity request.

mod common;

use common::*;
use eap::Diagnosis;
use eap::Limits;
use eap::diagnosis::{Cause, LowerLayer, Phase, TimeoutKind, TransportFailure};
use eap::testing::{Authenticator, AuthenticatorConfig};
use eap::transport::{EapolTimers, StartSequence, StartStep};
use eap::{Event, Input, Instant, Output, Supplicant};
use std::collections::VecDeque;
use std::time::Duration;

/// How a run on the port ended.
struct PortRun {
    outcome: Result<eap::Keys, Diagnosis>,
    /// EAPOL-Starts sent.
    starts: u32,
    /// Virtual time at the end.
    elapsed: Duration,
    /// Failures the supplicant reported by itself (not the start sequence's).
    supplicant_failures: usize,
}

/// Runs one authentication over a port whose first `lost` EAPOL-Starts never reach the
/// authenticator.
fn run_port(
    pki: &Pki,
    limits: Limits,
    timers: EapolTimers,
    lost: u32,
    server: AuthenticatorConfig,
) -> PortRun {
    let config = client(pki).limits(limits).build().unwrap();
    let mut now = Instant::ZERO;
    let mut seq = StartSequence::new(timers, now);
    let mut supplicant = Supplicant::new(config, now);
    let mut authenticator = Authenticator::new(server);
    let mut to_peer: VecDeque<Vec<u8>> = VecDeque::new();
    let mut starts = 0;
    let mut supplicant_failures = 0;
    for _ in 0..10_000 {
        // The lower layer: the start sequence.
        let wake_lower = loop {
            match seq.poll(now) {
                StartStep::SendStart => {
                    starts += 1;
                    if starts > lost {
                        to_peer.extend(authenticator.start());
                    }
                }
                StartStep::WaitUntil(t) => break Some(t),
                StartStep::NoAuthenticator { starts } => {
                    let mut d = Diagnosis::new(
                        supplicant.phase(),
                        Cause::Transport(TransportFailure::NoAuthenticator { starts }),
                    );
                    seq.annotate(&mut d);
                    return PortRun {
                        outcome: Err(d),
                        starts,
                        elapsed: now.saturating_duration_since(Instant::ZERO),
                        supplicant_failures,
                    };
                }
                _ => break None,
            }
        };
        for p in to_peer.drain(..) {
            seq.answered();
            supplicant
                .handle_input(Input::Packet { now, eap: &p })
                .unwrap();
        }
        let mut to_server = Vec::new();
        let wake_supplicant = loop {
            match supplicant.poll_output() {
                Output::Transmit(p) => to_server.push(p),
                Output::Event(Event::Authenticated(k)) => {
                    return PortRun {
                        outcome: Ok(k),
                        starts,
                        elapsed: now.saturating_duration_since(Instant::ZERO),
                        supplicant_failures,
                    };
                }
                Output::Event(Event::Failed(mut d)) => {
                    supplicant_failures += 1;
                    seq.annotate(&mut d);
                    return PortRun {
                        outcome: Err(d),
                        starts,
                        elapsed: now.saturating_duration_since(Instant::ZERO),
                        supplicant_failures,
                    };
                }
                Output::Idle { next_timeout } => break next_timeout,
                _ => {}
            }
        };
        for p in to_server {
            to_peer.extend(authenticator.handle(&p));
        }
        if !to_peer.is_empty() {
            continue;
        }
        let wake = match (wake_lower, wake_supplicant) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).expect("someone always has a timer"),
        };
        now = now.max(wake);
        supplicant.handle_input(Input::Timeout { now }).unwrap();
    }
    panic!("no end");
}

/// `wired_8021x`'s limits: `--timeout 30` sets both.
fn cli_limits() -> Limits {
    Limits::default()
        .with_overall(Duration::from_secs(30))
        .with_silence(Duration::from_secs(30))
}

#[test]
fn a_lost_first_start_costs_one_start_period() {
    for (name, limits) in [
        ("defaults", Limits::default()),
        ("--timeout 30", cli_limits()),
    ] {
        let pki = Pki::new("eapol-start");
        let run = run_port(&pki, limits, EapolTimers::default(), 1, server(&pki));
        assert!(run.outcome.is_ok(), "{name}: {:?}", run.outcome.err());
        assert_eq!(run.starts, 2, "{name}");
        assert_eq!(run.elapsed, Duration::from_secs(30), "{name}");
    }
}

#[test]
fn two_lost_starts_still_succeed_within_the_start_sequence() {
    let pki = Pki::new("eapol-start");
    let run = run_port(&pki, cli_limits(), EapolTimers::default(), 2, server(&pki));
    assert!(run.outcome.is_ok(), "{:?}", run.outcome.err());
    assert_eq!((run.starts, run.elapsed), (3, Duration::from_secs(60)));
}

#[test]
fn no_authenticator_after_max_start_and_the_supplicant_never_times_out_first() {
    let pki = Pki::new("eapol-start");
    let run = run_port(
        &pki,
        cli_limits(),
        EapolTimers::default(),
        u32::MAX,
        server(&pki),
    );
    let d = run.outcome.expect_err("no authenticator");
    assert_eq!(run.supplicant_failures, 0, "{d}");
    assert_eq!(
        d.cause,
        Cause::Transport(TransportFailure::NoAuthenticator { starts: 3 })
    );
    assert_eq!(run.elapsed, Duration::from_secs(90));
    assert_eq!(
        d.to_string(),
        "start: no EAP-Request after 3 EAPOL-Start frames: no 802.1X authenticator answers on \
         this port. Hint: there is no authenticator on this port, or 802.1X is disabled on the \
         switch port: check the port's configuration and that the cable is in the right port"
    );
}

#[test]
fn silence_after_the_authenticator_answered_names_the_authenticator_not_a_secret() {
    let pki = Pki::new("eapol-start");
    let mut srv = server(&pki);
    srv.knobs.stop_after = Some(1); // answers the Identity, then nothing
    let run = run_port(&pki, Limits::default(), EapolTimers::default(), 0, srv);
    let d = run.outcome.expect_err("silence");
    assert_eq!(run.supplicant_failures, 1);
    assert!(
        matches!(
            d.cause,
            Cause::Timeout {
                kind: TimeoutKind::Silence(_),
                dropped: None,
                ..
            }
        ),
        "{d:?}"
    );
    assert_eq!(d.phase, Phase::TlsHandshake);
    assert_eq!(
        d.lower_layer,
        Some(LowerLayer::Eapol {
            authenticator_answered: true
        })
    );
    assert_eq!(
        d.hint(),
        "the authenticator (switch port or access point) answered and then went quiet: check \
         it and the RADIUS server behind it; their logs say why"
    );
    assert!(!d.to_string().contains("secret"), "{d}");
    // The same silence from the bare core (no transport said which link) keeps the generic
    // hint.
    let bare = Diagnosis::new(d.phase, d.cause.clone());
    assert!(bare.hint().contains("shared secret"), "{bare}");
}
