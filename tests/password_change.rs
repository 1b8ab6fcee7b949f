//! MSCHAPv2 password change (E=648, RFC 2759 §7) and retry (E=691 R=1) against the
//! in-process authenticator: the state machine in memory, hostile servers included. The
//! same flows against FreeRADIUS are in `interop_password_change.rs`.

mod common;

use common::*;
use eap::testing::{Authenticator, AuthenticatorConfig, ServerOutcome};
use eap::{ApiError, Event, Input, Instant, Limits, Output, Supplicant};

const NEW: &str = "n€w horse battery";

fn expired_server(pki: &Pki) -> AuthenticatorConfig {
    let mut srv = server(pki);
    srv.knobs.expired = true;
    srv
}

fn server_msk(server: &Option<ServerOutcome>) -> Vec<u8> {
    match server {
        Some(ServerOutcome::Accept(keys)) => keys.msk.expose().to_vec(),
        other => panic!("server did not accept: {other:?}"),
    }
}

#[test]
fn an_expired_password_is_changed_and_the_keys_agree() {
    let pki = Pki::new("cpw");
    let mut pair = eap::testing::Pair::new(
        client(&pki).new_password(NEW).build().unwrap(),
        expired_server(&pki),
    );
    let out = pair.run();
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
    assert_eq!(keys.msk.expose().to_vec(), server_msk(&out.server));
    assert!(
        out.events.contains(&Event::PasswordChanged),
        "{:?}",
        out.events
    );
    assert_eq!(pair.authenticator.changed_password(), Some(NEW));
    // Next time the new password is the password: no change.
    let mut srv = server(&pki);
    srv.users = vec![(USER.into(), NEW.into())];
    let again = run(client(&pki).password(NEW).new_password("unused"), srv);
    assert!(again.keys().is_some());
    assert!(!again.events.contains(&Event::PasswordChanged));
}

#[test]
fn without_a_new_password_the_expired_password_is_named_with_the_remedy() {
    let pki = Pki::new("cpw-none");
    let out = run(client(&pki), expired_server(&pki));
    let d = out.diagnosis().expect("a failure");
    assert_eq!(d.cause.code(), "password_expired");
    let text = d.to_string();
    assert!(
        text.contains("expired") && text.contains("--new-password"),
        "{text}"
    );
}

/// Drives `supplicant` against `server` by hand, answering `NewPasswordRequired` with
/// `answer` (checking the API's refusals on the way).
fn drive_asking(
    supplicant: &mut Supplicant,
    server: &mut Authenticator,
    answer: &str,
) -> Vec<Event> {
    let now = Instant::ZERO;
    let mut events = Vec::new();
    let mut to_peer = server.start();
    let mut asked = 0;
    while !supplicant.is_finished() {
        assert!(!to_peer.is_empty(), "stalled after {events:?}");
        for p in std::mem::take(&mut to_peer) {
            supplicant
                .handle_input(Input::Packet { now, eap: &p })
                .unwrap();
        }
        loop {
            match supplicant.poll_output() {
                Output::Transmit(p) => to_peer.extend(server.handle(&p)),
                Output::Event(e) => {
                    if let Event::NewPasswordRequired { .. } = e {
                        asked += 1;
                        let too_long = "x".repeat(257);
                        assert_eq!(
                            supplicant.handle_input(Input::NewPassword {
                                now,
                                password: &too_long
                            }),
                            Err(ApiError::NewPasswordTooLong)
                        );
                        // Queued behind this event: the answer goes out next.
                        supplicant
                            .handle_input(Input::NewPassword {
                                now,
                                password: answer,
                            })
                            .unwrap();
                    }
                    events.push(e);
                }
                Output::Idle { .. } => break,
                _ => {}
            }
        }
    }
    assert_eq!(asked, 1);
    assert_eq!(
        supplicant.handle_input(Input::NewPassword {
            now,
            password: answer
        }),
        Err(ApiError::NewPasswordNotRequested)
    );
    events
}

#[test]
fn asked_for_a_new_password_the_caller_answers_with_an_input() {
    let pki = Pki::new("cpw-ask");
    let mut supplicant = Supplicant::new(
        client(&pki).ask_for_new_password().build().unwrap(),
        Instant::ZERO,
    );
    let mut server = Authenticator::new(expired_server(&pki));
    let events = drive_asking(&mut supplicant, &mut server, NEW);
    assert!(events.contains(&Event::NewPasswordRequired {
        server_message: Some("Password expired".into())
    }));
    assert!(events.contains(&Event::PasswordChanged));
    assert!(
        matches!(events.last(), Some(Event::Authenticated(_))),
        "{events:?}"
    );
    assert_eq!(server.changed_password(), Some(NEW));
    // Nothing asked: a new password is a caller's mistake.
    let mut idle = Supplicant::new(client(&pki).build().unwrap(), Instant::ZERO);
    assert_eq!(
        idle.handle_input(Input::NewPassword {
            now: Instant::ZERO,
            password: NEW
        }),
        Err(ApiError::NewPasswordNotRequested)
    );
}

#[test]
fn a_refused_change_is_diagnosed_by_name() {
    let pki = Pki::new("cpw-refused");
    for (error, code, words) in [
        (
            709,
            "password_change_failed",
            "refused to change the password",
        ),
        (648, "password_still_expired", "still reports the password"),
    ] {
        let mut srv = expired_server(&pki);
        srv.knobs.change_error = Some(error);
        let out = run(client(&pki).new_password(NEW), srv);
        let d = out
            .diagnosis()
            .unwrap_or_else(|| panic!("{error}: no failure"));
        assert_eq!(d.cause.code(), code);
        assert!(d.to_string().contains(words), "{d}");
        assert!(!out.events.contains(&Event::PasswordChanged));
    }
}

fn retrying(pki: &Pki, retries: u32) -> eap::ConfigBuilder {
    client(pki)
        .password("WRONG")
        .limits(Limits::default().with_mschapv2_retries(retries))
}

fn retry_server(pki: &Pki) -> AuthenticatorConfig {
    let mut srv = server(pki);
    srv.knobs.retry = true;
    srv
}

fn retries_seen(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::PasswordRetry { .. }))
        .count()
}

#[test]
fn a_retry_with_the_right_password_succeeds_in_one_session() {
    let pki = Pki::new("retry");
    let out = run(
        retrying(&pki, 1).retry_password(PASSWORD),
        retry_server(&pki),
    );
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
    assert_eq!(keys.msk.expose().to_vec(), server_msk(&out.server));
    assert_eq!(retries_seen(&out.events), 1);
}

#[test]
fn without_a_retry_budget_the_first_refusal_ends_it() {
    let pki = Pki::new("retry-none");
    // A retry password alone allows no retry: the budget is 0 by default.
    let out = run(
        client(&pki).password("WRONG").retry_password(PASSWORD),
        retry_server(&pki),
    );
    let d = out.diagnosis().expect("a failure");
    assert_eq!(d.cause.code(), "password_rejected");
    assert!(
        d.cause.hint().contains("--retry-password"),
        "{}",
        d.cause.hint()
    );
    assert_eq!(retries_seen(&out.events), 0);
}

#[test]
fn a_server_that_allows_retries_forever_gets_the_budget() {
    let pki = Pki::new("retry-forever");
    let out = run(retrying(&pki, 3), retry_server(&pki));
    assert_eq!(
        out.diagnosis().expect("a failure").cause.code(),
        "password_rejected"
    );
    assert_eq!(retries_seen(&out.events), 3);
}

/// Replaces the phase-2 plaintext number `index` with an inner MSCHAPv2 Failure
/// (PEAPv0 compressed form) saying `text`.
fn failure_plaintext(text: &[u8]) -> Vec<u8> {
    let mut p = vec![26, 4, 1, 0, 0];
    p.extend_from_slice(text);
    let ms_len = (p.len() - 1) as u16;
    p[3..5].copy_from_slice(&ms_len.to_be_bytes());
    p
}

#[test]
fn hostile_servers_get_no_change_and_no_retry() {
    let pki = Pki::new("cpw-hostile");
    // A 648 before any Response (in place of the Challenge): nothing to change.
    let mut srv = expired_server(&pki);
    srv.knobs.mutate_inner = Some(|i, p| {
        if i == 1 {
            *p = failure_plaintext(b"E=648 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=x");
        }
    });
    let out = run(client(&pki).new_password(NEW), srv);
    assert_eq!(
        out.diagnosis().expect("a failure").cause.code(),
        "password_expired"
    );
    assert!(!out.events.contains(&Event::PasswordChanged));
    // A retry challenge of the wrong length: no retry.
    let mut srv = retry_server(&pki);
    srv.knobs.mutate_inner = Some(|i, p| {
        if i == 2 {
            *p = failure_plaintext(b"E=691 R=1 C=00112233 V=3 M=short");
        }
    });
    let out = run(retrying(&pki, 2).retry_password(PASSWORD), srv);
    assert!(out.diagnosis().is_some());
    assert_eq!(retries_seen(&out.events), 0);
}

#[test]
fn over_ttls_eap_mschapv2_the_asked_for_change_goes_through_the_tunnel() {
    let pki = Pki::new("cpw-ttls");
    let config = client(&pki)
        .methods([eap::MethodType::Ttls])
        .ttls_inner(eap::TtlsInner::EapMsChapV2)
        .ask_for_new_password()
        .build()
        .unwrap();
    let mut srv = expired_server(&pki);
    srv.method = eap::MethodType::Ttls;
    let mut supplicant = Supplicant::new(config, Instant::ZERO);
    let mut server = Authenticator::new(srv);
    let events = drive_asking(&mut supplicant, &mut server, NEW);
    assert!(events.contains(&Event::PasswordChanged), "{events:?}");
    assert!(
        matches!(events.last(), Some(Event::Authenticated(_))),
        "{events:?}"
    );
    assert_eq!(server.changed_password(), Some(NEW));
    assert_eq!(
        supplicant.keys().map(|k| k.msk.expose().to_vec()),
        Some(server_msk(&server.outcome().cloned()))
    );
}
