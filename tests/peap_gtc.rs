//! PEAPv0 with inner EAP-GTC against the in-process authenticator: the password goes only
//! through the validated tunnel, keys agree (with and without cryptobinding, whose ISK is
//! zeros for GTC), a wrong password is named as such, and GTC stays refused unless allowed.

mod common;

use common::*;
use eap::MethodType;
use eap::diagnosis::{Cause, Phase};
use eap::testing::{Pair, ServerOutcome};
use eap::{Config, Event};

fn gtc_server(pki: &Pki, cryptobinding: bool) -> eap::testing::AuthenticatorConfig {
    let mut s = server(pki);
    s.knobs.inner_method = Some(MethodType::Gtc);
    s.cryptobinding = cryptobinding;
    s
}

#[test]
fn peap_gtc_succeeds_with_the_same_keys_on_both_sides() {
    let pki = Pki::new("gtc");
    for cryptobinding in [false, true] {
        let client = client(&pki)
            .inner_methods([MethodType::Gtc])
            .build()
            .unwrap();
        let out = Pair::new(client, gtc_server(&pki, cryptobinding)).run();
        let keys = out
            .keys()
            .unwrap_or_else(|| panic!("cryptobinding {cryptobinding}: {:?}", out.diagnosis()));
        let Some(ServerOutcome::Accept(server)) = &out.server else {
            panic!("{:?}", out.server);
        };
        assert_eq!(keys, server);
        assert_eq!(keys.from_cryptobinding, cryptobinding);
        assert!(out.events.iter().any(|e| matches!(
            e,
            Event::InnerMethodProposed {
                method: MethodType::Gtc,
                accepted: true
            }
        )));
        // The password never left in the clear: every packet before the tunnel is
        // cleartext, and none carries it.
        for p in &out.transmitted {
            assert!(!p.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
        }
    }
}

#[test]
fn a_wrong_gtc_password_is_named() {
    let pki = Pki::new("gtc wrong");
    let client = Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .password("not it")
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME)
        .inner_methods([MethodType::Gtc])
        .build()
        .unwrap();
    let out = Pair::new(client, gtc_server(&pki, false)).run();
    let d = out.diagnosis().expect("rejected");
    assert_eq!(d.phase, Phase::InnerAuthentication);
    assert_eq!(
        d.cause,
        Cause::PasswordRejected {
            user: USER.into(),
            method: MethodType::Gtc
        },
        "{d}"
    );
}

#[test]
fn gtc_is_refused_unless_allowed_and_needs_the_cleartext_password() {
    let pki = Pki::new("gtc refused");
    let out = Pair::new(client(&pki).build().unwrap(), gtc_server(&pki, false)).run();
    assert!(matches!(
        out.diagnosis().expect("refused").cause,
        Cause::InnerMethodRefused {
            proposed: MethodType::Gtc,
            ..
        }
    ));
    let hashed = Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .nt_hash(eap::unstable::crypto::mschapv2::nt_password_hash(PASSWORD))
        .ca_certificates([pki.ca_der()])
        .server_name(SERVER_NAME)
        .inner_methods([MethodType::Gtc])
        .build()
        .unwrap();
    let out = Pair::new(hashed, gtc_server(&pki, false)).run();
    assert!(matches!(
        out.diagnosis().expect("refused").cause,
        Cause::InnerMethodRefused {
            proposed: MethodType::Gtc,
            ..
        }
    ));
}
