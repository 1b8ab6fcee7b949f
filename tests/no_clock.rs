//! Certificate dates without a clock: chain and names still checked, a certificate that
//! expired before the floor refused, a valid chain accepted, and both outcomes saying that
//! the dates were not checked against a clock.

mod common;

use common::*;
use eap::Event;
use eap::diagnosis::{Cause, Phase};
use eap::tls::CertificateProblem;

/// 2026-06-01, a firmware build date.
const FLOOR: u64 = 1_780_272_000;

#[test]
fn a_certificate_that_expired_before_the_floor_is_refused_and_says_so() {
    let pki = Pki::new("no clock");
    // Valid 2023-01-01 .. 2025-01-01: expired before the floor.
    let server_cert = pki.server_with(&[SERVER_NAME], (-3, -1));
    let out = run(
        client(&pki).no_clock(FLOOR),
        eap::testing::AuthenticatorConfig::new(server_tls(&server_cert), USER, PASSWORD),
    );
    let d = out.diagnosis().expect("refused");
    assert_eq!(d.phase, Phase::ServerValidation);
    let Cause::CertificateRejected {
        problem,
        certificate,
    } = &d.cause
    else {
        panic!("{d}");
    };
    assert_eq!(
        *problem,
        CertificateProblem::ExpiredBeforeFloor {
            floor: FLOOR as i64
        }
    );
    assert_eq!(certificate.as_ref().unwrap().dns_names, [SERVER_NAME]);
    let text = d.to_string();
    assert!(text.contains("expired before 2026-06-01"), "{text}");
    assert!(
        text.contains("certificate dates not checked against a clock"),
        "{text}"
    );
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::CertificateDatesNotChecked { .. }))
    );
    // No credentials went out.
    assert!(
        !out.events
            .iter()
            .any(|e| matches!(e, Event::TunnelUp { .. }))
    );
}

#[test]
fn a_valid_chain_is_accepted_with_the_notice() {
    let pki = Pki::new("no clock");
    // Valid from 2027: after the floor, and after today's clock too.
    let server_cert = pki.server_with(&[SERVER_NAME], (1, 10));
    let tls = server_tls(&server_cert);
    let out = run(
        client(&pki).no_clock(FLOOR),
        eap::testing::AuthenticatorConfig::new(tls.clone(), USER, PASSWORD),
    );
    assert!(out.keys().is_some(), "{:?}", out.diagnosis());
    let cert = out
        .events
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::ServerCertificate {
                    validated: true,
                    ..
                }
            )
        })
        .expect("certificate event");
    assert!(matches!(
        out.events[cert + 1],
        Event::CertificateDatesNotChecked { floor } if floor == FLOOR as i64
    ));
    // The same chain against the system clock: not valid yet, and no notice.
    let out = run(
        client(&pki),
        eap::testing::AuthenticatorConfig::new(tls, USER, PASSWORD),
    );
    let d = out.diagnosis().expect("refused with a clock");
    assert!(matches!(
        d.cause,
        Cause::CertificateRejected {
            problem: CertificateProblem::NotValidYet,
            ..
        }
    ));
    assert!(!d.to_string().contains("not checked against a clock"));
}

#[test]
fn without_a_clock_the_ca_and_name_are_still_checked() {
    let pki = Pki::new("no clock");
    let other = Pki::new("rogue");
    let out = run(client(&other).no_clock(FLOOR), server(&pki));
    let d = out.diagnosis().expect("refused");
    assert!(matches!(
        d.cause,
        Cause::CertificateRejected {
            problem: CertificateProblem::UnknownIssuer,
            ..
        }
    ));
    let wrong_name = pki.server_with(&["other.example.org"], (-1, 10));
    let out = run(
        client(&pki).no_clock(FLOOR),
        eap::testing::AuthenticatorConfig::new(server_tls(&wrong_name), USER, PASSWORD),
    );
    assert!(matches!(
        out.diagnosis().expect("refused").cause,
        Cause::CertificateRejected {
            problem: CertificateProblem::NameMismatch { .. },
            ..
        }
    ));
}
