//! Failures compose with `?`: a [`Diagnosis`] is an `Error`, the drive loop's outcome turns
//! into a `Result`, and [`Diagnosis::kind`] classifies a failure the same way whatever
//! dialect the server speaks.

mod common;

use common::*;
use eap::ConfigError;
use eap::Diagnosis;
use eap::FailureKind;
use eap::diagnosis::{Cause, Phase};
use eap::testing::{Authenticator, AuthenticatorConfig, WrongPassword};
use eap::tls::{TlsError, TlsErrorKind};
use eap::transport::{Received, Transport, drive};
use eap::{Keys, Supplicant};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::error::Error;
use std::time::Instant;

/// The in-process authenticator as a transport: what it answers is delivered at once.
struct InMemory {
    server: Authenticator,
    queue: VecDeque<Vec<u8>>,
}

impl Transport for InMemory {
    type Error = Infallible;

    fn start(&mut self) -> Result<(), Infallible> {
        self.queue.extend(self.server.start());
        Ok(())
    }

    fn send(&mut self, eap: &[u8]) -> Result<(), Infallible> {
        self.queue.extend(self.server.handle(eap));
        Ok(())
    }

    fn recv(&mut self, _deadline: Instant) -> Result<Received, Infallible> {
        Ok(self
            .queue
            .pop_front()
            .map_or(Received::Timeout, Received::Eap))
    }
}

/// The program a user writes: every failure goes up with `?`.
fn authenticate(password: &str, server: AuthenticatorConfig) -> Result<Keys, Box<dyn Error>> {
    let pki_config = client(&PKI).password(password).build()?;
    let mut supplicant = Supplicant::new(pki_config, eap::Instant::ZERO);
    let mut transport = InMemory {
        server: Authenticator::new(server),
        queue: VecDeque::new(),
    };
    let keys = drive(&mut supplicant, &mut transport, |_| {})?.into_result()?;
    Ok(keys.ok_or("a keyless method")?)
}

static PKI: std::sync::LazyLock<Pki> = std::sync::LazyLock::new(|| Pki::new("errors"));

fn wrong_password(dialect: WrongPassword) -> Diagnosis {
    let mut srv = server(&PKI);
    srv.knobs.wrong_password = dialect;
    let err = authenticate("not the password", srv).unwrap_err();
    *err.downcast::<Diagnosis>()
        .expect("the error is the diagnosis")
}

#[test]
fn success_is_ok_with_keys() {
    let keys = authenticate(PASSWORD, server(&PKI)).unwrap();
    assert_ne!(keys.msk.expose(), &[0; 64]);
}

#[test]
fn a_wrong_password_is_bad_credentials_in_every_dialect() {
    // Windows NPS: an MSCHAPv2 Failure E=691.
    let nps = wrong_password(WrongPassword::MschapFailure);
    assert!(
        matches!(nps.cause, Cause::MschapFailure { error: 691, .. }),
        "{nps:?}"
    );
    // Stock FreeRADIUS: a Result TLV Failure after our NT-Response, no error code.
    let freeradius = wrong_password(WrongPassword::ResultTlvFailure);
    assert!(
        matches!(freeradius.cause, Cause::CredentialsRejected { .. }),
        "{freeradius:?}"
    );
    assert_eq!(nps.kind(), FailureKind::BadCredentials);
    assert_eq!(freeradius.kind(), FailureKind::BadCredentials);
    // No lower error behind a verdict of the server.
    assert!(nps.source().is_none());
}

#[test]
fn an_impostor_is_an_untrusted_server() {
    let other = Pki::new("impostor");
    let err = authenticate(PASSWORD, server(&other)).unwrap_err();
    let d = err.downcast_ref::<Diagnosis>().expect("a diagnosis");
    assert_eq!(d.kind(), FailureKind::UntrustedServer, "{d}");
    // Display is the one sentence, as before.
    assert_eq!(err.to_string(), d.to_string());
}

#[test]
fn a_tls_error_is_the_source() {
    let d = Diagnosis::new(
        Phase::TlsHandshake,
        Cause::Tls(TlsError::new(
            TlsErrorKind::Incompatible,
            "peer chose a suite we did not offer",
        )),
    );
    let source = d.source().expect("the TLS error");
    let tls = source.downcast_ref::<TlsError>().expect("a TlsError");
    assert_eq!(tls.kind, TlsErrorKind::Incompatible);
    assert_eq!(d.kind(), FailureKind::NegotiationFailed);
}

#[test]
fn a_missing_ca_file_names_the_file_and_keeps_the_io_error() {
    let path = std::env::temp_dir().join("eap-errors-no-such-ca.pem");
    let err = eap::Config::builder(USER)
        .ca_pem_file(&path)
        .map(|_| ())
        .unwrap_err();
    match &err {
        ConfigError::CaFile { path: p, .. } => assert_eq!(p, &path),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains("CA certificate 0"), "{text}");
    let io = err
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("the I/O error is the source");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    // And `?` carries it like any error.
    let boxed: Box<dyn Error> = err.into();
    assert!(boxed.source().is_some());
}
