//! TLS session resumption and PEAP fast reconnect, against the in-process authenticator
//! (rustls server with its default session store and TLS 1.3 tickets): the same
//! [`SessionCache`] given to successive authentications resumes from the second on; a
//! Result TLV Success without phase 2 is accepted only after a really resumed handshake
//! (CVE-2023-52160 otherwise); a session is never offered to a connection that expects
//! another server, nor to another method.

mod common;

use common::*;
use eap::ConfigBuilder;
use eap::Event;
use eap::MethodType;
use eap::diagnosis::{Cause, PrematureSuccess};
use eap::testing::{AuthenticatorConfig, Pair, PairOutcome, ServerOutcome};
use eap::tls::{SessionCache, TlsVersion};
use std::sync::Arc;

fn resumed(out: &PairOutcome) -> Option<bool> {
    out.events.iter().find_map(|e| match e {
        Event::TunnelUp { resumed, .. } => Some(*resumed),
        _ => None,
    })
}

fn certificate_events(out: &PairOutcome) -> usize {
    out.events
        .iter()
        .filter(|e| matches!(e, Event::ServerCertificate { .. }))
        .count()
}

fn server_msk(out: &PairOutcome) -> Vec<u8> {
    match &out.server {
        Some(ServerOutcome::Accept(k)) => k.msk.expose().to_vec(),
        other => panic!("server did not accept: {other:?} / {:?}", out.events),
    }
}

fn run_with(config: &eap::Config, server: AuthenticatorConfig) -> PairOutcome {
    Pair::new(config.clone(), server).run()
}

fn with_cache(b: ConfigBuilder, cache: &Arc<SessionCache>, tls13: bool) -> eap::Config {
    let b = b.session_cache(cache.clone());
    let b = if tls13 {
        b.tls_max(TlsVersion::TLS13)
    } else {
        b
    };
    b.build().unwrap()
}

#[test]
fn peap_resumes_from_the_second_authentication_and_fast_reconnects() {
    for tls13 in [false, true] {
        let pki = Pki::new("resume");
        let cache = Arc::new(SessionCache::default());
        let config = with_cache(client(&pki), &cache, tls13);
        let srv = server(&pki);

        let first = run_with(&config, srv.clone());
        assert!(first.keys().is_some(), "{:?}", first.diagnosis());
        assert_eq!(resumed(&first), Some(false), "tls13={tls13}");
        assert!(!cache.is_empty(), "tls13={tls13}: the session was kept");

        // The server resumes and skips phase 2 (fast reconnect).
        let mut fast = srv.clone();
        fast.knobs.early_result_success = true;
        let second = run_with(&config, fast);
        let keys = second
            .keys()
            .unwrap_or_else(|| panic!("tls13={tls13}: {:?}", second.diagnosis()));
        assert_eq!(resumed(&second), Some(true), "tls13={tls13}");
        assert!(second.events.contains(&Event::FastReconnect));
        assert_eq!(keys.msk.expose().as_slice(), server_msk(&second));
        assert!(
            !second
                .events
                .iter()
                .any(|e| matches!(e, Event::InnerMethodProposed { .. })),
            "no inner method ran"
        );
        assert_ne!(keys.msk, first.keys().unwrap().msk, "fresh keys");

        // The server resumes but runs phase 2 anyway: that works too.
        let third = run_with(&config, srv.clone());
        assert!(third.keys().is_some(), "{:?}", third.diagnosis());
        assert_eq!(resumed(&third), Some(true), "tls13={tls13}");
        assert!(!third.events.contains(&Event::FastReconnect));
        assert_eq!(
            third.keys().unwrap().msk.expose().as_slice(),
            server_msk(&third)
        );
        // Fewer messages: no certificate flight to fragment, no key exchange round.
        assert!(
            second.transmitted.len() < first.transmitted.len(),
            "tls13={tls13}: {} vs {}",
            second.transmitted.len(),
            first.transmitted.len()
        );
        assert_eq!(certificate_events(&first), 1);
    }
}

#[test]
fn without_a_cache_every_handshake_is_full_and_phase2_cannot_be_skipped() {
    let pki = Pki::new("nocache");
    let config = client(&pki).build().unwrap();
    let srv = server(&pki);
    assert_eq!(resumed(&run_with(&config, srv.clone())), Some(false));
    let mut fast = srv;
    fast.knobs.early_result_success = true;
    let out = run_with(&config, fast);
    assert_eq!(resumed(&out), Some(false));
    assert_eq!(
        out.diagnosis().map(|d| d.cause.clone()),
        Some(Cause::PrematureSuccess(
            PrematureSuccess::ResultTlvBeforeInner
        )),
        "CVE-2023-52160: a full handshake never skips phase 2"
    );
}

#[test]
fn a_session_is_not_resumed_for_another_server_name_or_method() {
    let pki = Pki::new("othername");
    let cache = Arc::new(SessionCache::new(4));
    let srv = server(&pki);
    let a = with_cache(client(&pki), &cache, false);
    assert_eq!(resumed(&run_with(&a, srv.clone())), Some(false));

    // The same CA and cache, another name rule (the certificate satisfies both): full.
    let b = with_cache(client(&pki).domain_suffix("example.org"), &cache, false);
    let mut fast = srv.clone();
    fast.knobs.early_result_success = true;
    let out = run_with(&b, fast.clone());
    assert_eq!(
        resumed(&out),
        Some(false),
        "another name rule never resumes"
    );
    assert!(
        matches!(
            out.diagnosis().map(|d| &d.cause),
            Some(Cause::PrematureSuccess(_))
        ),
        "and the phase-2 bypass stays refused: {:?}",
        out.events
    );
    // The first rule still resumes its own session.
    let again = run_with(&a, fast);
    assert_eq!(resumed(&again), Some(true));
    assert!(again.keys().is_some(), "{:?}", again.diagnosis());

    // One configuration (one verifier) allowing two methods: a TTLS session is not
    // offered to PEAP, and PEAP's own is.
    let both = with_cache(
        client(&pki).methods([MethodType::Ttls, MethodType::Peap]),
        &cache,
        false,
    );
    let mut ttls = srv.clone();
    ttls.method = MethodType::Ttls;
    assert_eq!(resumed(&run_with(&both, ttls.clone())), Some(false));
    let ttls = run_with(&both, ttls);
    assert_eq!(resumed(&ttls), Some(true));
    let keys = ttls.keys().unwrap_or_else(|| panic!("{:?}", ttls.events));
    assert_eq!(keys.msk.expose().as_slice(), server_msk(&ttls));
    assert!(
        !ttls
            .events
            .iter()
            .any(|e| matches!(e, Event::InnerMethodProposed { .. })),
        "TTLS skipped phase 2 after the resumption (RFC 5281 §10.1)"
    );
    let peap = run_with(&both, srv.clone());
    assert!(peap.keys().is_some(), "{:?}", peap.diagnosis());
    assert_eq!(
        resumed(&peap),
        Some(false),
        "a TTLS session is not offered to PEAP"
    );
    assert_eq!(resumed(&run_with(&both, srv)), Some(true));
}

#[test]
fn cache_debug_is_redacted_and_clear_forgets() {
    let pki = Pki::new("clear");
    let cache = Arc::new(SessionCache::default());
    let config = with_cache(client(&pki), &cache, true);
    run_with(&config, server(&pki));
    let debug = format!("{cache:?}");
    assert_eq!(debug, "SessionCache { capacity: 1, entries: 1, .. }");
    cache.clear();
    assert!(cache.is_empty());
    assert_eq!(resumed(&run_with(&config, server(&pki))), Some(false));
}

#[test]
fn fast_reconnect_with_cryptobinding_uses_the_tunnel_key() {
    let pki = Pki::new("fastbind");
    let cache = Arc::new(SessionCache::default());
    let config = with_cache(
        client(&pki).cryptobinding(eap::Cryptobinding::Required),
        &cache,
        false,
    );
    let mut srv = server(&pki);
    srv.cryptobinding = true;
    assert!(run_with(&config, srv.clone()).keys().is_some());
    srv.knobs.early_result_success = true;
    let out = run_with(&config, srv);
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
    assert_eq!(resumed(&out), Some(true));
    assert!(out.events.contains(&Event::FastReconnect));
    assert!(out.events.contains(&Event::CryptoBindingVerified));
    assert!(keys.from_cryptobinding);
    assert_eq!(keys.msk.expose().as_slice(), server_msk(&out));
}

#[test]
fn reauthentication_in_one_supplicant_resumes_and_keeps_keys_until_the_outcome() {
    let pki = Pki::new("reauth");
    let cache = Arc::new(SessionCache::default());
    let config = with_cache(client(&pki), &cache, true);
    let srv = server(&pki);
    let mut pair = Pair::new(config, srv.clone());
    let first = pair.run();
    let first_keys = first.keys().cloned().expect("first authentication");
    assert_eq!(pair.supplicant.keys(), Some(&first_keys));

    // The authenticator's re-authentication timer: a new EAP-Request/Identity.
    let mut fast = srv.clone();
    fast.knobs.early_result_success = true;
    pair.authenticator = eap::testing::Authenticator::new(fast);
    let second = pair.run();
    assert_eq!(
        second.events.first(),
        Some(&Event::Reauthenticating { keys_valid: true })
    );
    assert_eq!(resumed(&second), Some(true));
    let second_keys = second.keys().cloned().expect("re-authentication");
    assert_ne!(second_keys.msk, first_keys.msk);
    assert_eq!(pair.supplicant.keys(), Some(&second_keys));

    // A failed re-authentication (the password changed on the server): its diagnosis,
    // and the old keys are no longer reported.
    let mut changed = srv;
    changed.users = vec![(USER.into(), "another password".into())];
    pair.authenticator = eap::testing::Authenticator::new(changed);
    let third = pair.run();
    assert_eq!(
        third.events.first(),
        Some(&Event::Reauthenticating { keys_valid: true })
    );
    let d = third.diagnosis().expect("failed re-authentication");
    assert!(
        matches!(d.cause, Cause::MschapFailure { error: 691, .. }),
        "{d}"
    );
    assert_eq!(pair.supplicant.keys(), None);
}
