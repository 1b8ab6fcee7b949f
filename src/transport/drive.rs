//! The transport trait and a blocking loop that runs a [`Supplicant`] over one.

use crate::diagnosis::{Diagnosis, TransportFailure};
use crate::event::{Event, Input, Keys, Output};
use crate::method_type::MethodType;
use crate::supplicant::Supplicant;
use alloc::vec::Vec;
use std::time::Instant as StdInstant;

/// What a transport delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Received {
    /// An EAP packet from the authenticator.
    Eap(Vec<u8>),
    /// Nothing arrived before the deadline.
    Timeout,
    /// The lower layer gave up (no reply, wrong shared secret, no authenticator).
    Failed(TransportFailure),
}

/// Moves EAP packets between a supplicant and an authenticator.
pub trait Transport {
    /// Local failures (sockets, interfaces).
    type Error: std::error::Error + 'static;

    /// Starts the conversation (EAPOL-Start; RADIUS: nothing to send yet).
    fn start(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Sends one EAP packet.
    fn send(&mut self, eap: &[u8]) -> Result<(), Self::Error>;

    /// Waits until `deadline` at most for the next packet. Before the authenticator's first
    /// packet the supplicant runs no timer and [`drive`] passes a deadline far ahead: the
    /// transport gives up by itself then ([`Received::Failed`], e.g. after the last
    /// EAPOL-Start or the last RADIUS retransmission).
    fn recv(&mut self, deadline: StdInstant) -> Result<Received, Self::Error>;

    /// The authentication ended (the transport may check keys, log off, ...). May turn a
    /// success into a failure (e.g. RADIUS MS-MPPE keys that disagree with the MSK).
    fn finish(&mut self, outcome: &mut AuthOutcome) -> Result<(), Self::Error> {
        let _ = outcome;
        Ok(())
    }

    /// Adds what the transport knows to a diagnosis (e.g. a RADIUS Reply-Message).
    fn annotate(&self, diagnosis: &mut Diagnosis) {
        let _ = diagnosis;
    }
}

/// How far ahead [`drive`] sets the deadline while the supplicant waits for the
/// authenticator's first packet (and runs no timer of its own).
const WAIT_FOR_AUTHENTICATOR: core::time::Duration = core::time::Duration::from_secs(3600);

// Exhaustive on purpose: every authentication ends in exactly one of these three ways (RFC
// 4137's SUCCESS with or without keys, or FAILURE); a fourth would break callers anyway.
/// How an authentication ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthOutcome {
    /// Success, with the keys.
    Authenticated(Keys),
    /// Success of a method that derives no keys (EAP-MD5, under its explicit opt-in).
    AuthenticatedWithoutKeys {
        /// The method.
        method: MethodType,
    },
    /// Failure, explained.
    Failed(Diagnosis),
}

impl AuthOutcome {
    /// The outcome a final event announces (`None` for any other event).
    pub fn from_event(event: Event) -> Option<AuthOutcome> {
        match event {
            Event::Authenticated(k) => Some(AuthOutcome::Authenticated(k)),
            Event::AuthenticatedWithoutKeys { method } => {
                Some(AuthOutcome::AuthenticatedWithoutKeys { method })
            }
            Event::Failed(d) => Some(AuthOutcome::Failed(d)),
            _ => None,
        }
    }

    /// The final event that announces it.
    pub fn to_event(&self) -> Event {
        match self {
            AuthOutcome::Authenticated(k) => Event::Authenticated(k.clone()),
            AuthOutcome::AuthenticatedWithoutKeys { method } => {
                Event::AuthenticatedWithoutKeys { method: *method }
            }
            AuthOutcome::Failed(d) => Event::Failed(d.clone()),
        }
    }

    /// True for a success, with or without keys.
    pub fn is_success(&self) -> bool {
        !matches!(self, AuthOutcome::Failed(_))
    }

    /// The keys of a keyed success.
    pub fn keys(&self) -> Option<&Keys> {
        match self {
            AuthOutcome::Authenticated(k) => Some(k),
            _ => None,
        }
    }

    /// The outcome as a `Result`, so that a failure propagates with `?`: `Ok(Some(keys))`
    /// for a success with keys, `Ok(None)` for a keyless one (EAP-MD5, under its opt-in),
    /// `Err(diagnosis)` for a failure. [`Diagnosis`] is an [`Error`](core::error::Error),
    /// and [`Diagnosis::kind`] tells what kind of failure it was.
    ///
    /// ```no_run
    /// use eap::transport::drive;
    /// use eap::transport::{RadiusConfig, RadiusTransport};
    /// use eap::{Config, Supplicant};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = Config::builder("alice@example.org")
    ///     .password("correct horse")
    ///     .ca_pem_file("ca.pem")?
    ///     .server_name("radius.example.org")
    ///     .build()?;
    /// let radius = RadiusConfig::resolve("radius.example.org:1812", b"testing123")?;
    /// let mut transport = RadiusTransport::new(radius, config.crypto_provider())?;
    /// let mut supplicant = Supplicant::new(config, eap::Instant::ZERO);
    /// // The first `?` is a local transport error, the second a failed authentication.
    /// let keys = drive(&mut supplicant, &mut transport, |_| {})?.into_result()?;
    /// println!("authenticated; keys: {}", keys.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_result(self) -> Result<Option<Keys>, Diagnosis> {
        match self {
            AuthOutcome::Authenticated(keys) => Ok(Some(keys)),
            AuthOutcome::AuthenticatedWithoutKeys { .. } => Ok(None),
            AuthOutcome::Failed(d) => Err(d),
        }
    }
}

/// Runs `supplicant` over `transport` until it succeeds or fails, calling `on_event` for
/// every event (the final `Authenticated` / `Failed` included, after
/// [`Transport::finish`] had its say). Time is the host's monotonic clock, counted from
/// the call. Errors are local transport failures only: a failed authentication is
/// `Ok(AuthOutcome::Failed(..))`, and [`AuthOutcome::into_result`] turns it into an error for `?`.
///
/// With [`Limits::restart_once`](crate::Limits::restart_once) set, a failure
/// attributable to a lost reply or a lost server session
/// ([`Diagnosis::is_lost_reply`]) is reported as [`Event::Restarting`] instead, and the
/// authentication starts again from the beginning after the hold period, once.
pub fn drive<T: Transport>(
    supplicant: &mut Supplicant,
    transport: &mut T,
    mut on_event: impl FnMut(&Event),
) -> Result<AuthOutcome, T::Error> {
    let mut restart = supplicant.config().limits().restart_once;
    loop {
        let outcome = drive_once(supplicant, transport, &mut on_event)?;
        match (outcome, restart.take()) {
            (AuthOutcome::Failed(diagnosis), Some(hold)) if diagnosis.is_lost_reply() => {
                on_event(&Event::Restarting { diagnosis, hold });
                std::thread::sleep(hold);
                // The transport may have given up while the core still waited.
                let now = supplicant.latest_input_time() + hold;
                let _ = supplicant.handle_input(Input::Restart { now });
            }
            (outcome, _) => return Ok(announce(outcome, &mut on_event)),
        }
    }
}

/// After a success, stays on the port: waits until `until` for the authenticator to
/// re-authenticate (a new EAP-Request/Identity: its reAuthPeriod timer, IEEE 802.1X-2010
/// §8.9) and runs that authentication to its end, without [`Transport::start`] (no
/// EAPOL-Start, and an EAPOL port stays authorized until the outcome). Resumes the TLS
/// session when the configuration has a session cache. Returns `None` if the authenticator
/// did not re-authenticate in time (or its lower layer gave up), else the outcome, which
/// `on_event` also receives, as [`drive`] does.
pub fn reauthenticate<T: Transport>(
    supplicant: &mut Supplicant,
    transport: &mut T,
    until: StdInstant,
    mut on_event: impl FnMut(&Event),
) -> Result<Option<AuthOutcome>, T::Error> {
    let origin = StdInstant::now();
    let base = supplicant.latest_input_time();
    while supplicant.is_finished() {
        match transport.recv(until)? {
            // Anything but an EAP-Request/Identity is dropped by the finished supplicant.
            Received::Eap(p) => {
                let now = base + origin.elapsed();
                let _ = supplicant.handle_input(Input::Packet { now, eap: &p });
            }
            Received::Timeout | Received::Failed(_) => return Ok(None),
        }
    }
    let outcome = run(supplicant, transport, &mut on_event)?;
    Ok(Some(announce(outcome, &mut on_event)))
}

/// Gives `on_event` the final event of `outcome` and returns the outcome: the keys move
/// into the event and back, not copied (a copy is one more secret to wipe).
fn announce(outcome: AuthOutcome, on_event: &mut impl FnMut(&Event)) -> AuthOutcome {
    let event = match outcome {
        AuthOutcome::Authenticated(k) => Event::Authenticated(k),
        AuthOutcome::AuthenticatedWithoutKeys { method } => {
            Event::AuthenticatedWithoutKeys { method }
        }
        AuthOutcome::Failed(d) => Event::Failed(d),
    };
    on_event(&event);
    match event {
        Event::Authenticated(k) => AuthOutcome::Authenticated(k),
        Event::AuthenticatedWithoutKeys { method } => {
            AuthOutcome::AuthenticatedWithoutKeys { method }
        }
        Event::Failed(d) => AuthOutcome::Failed(d),
        // Only the three above are built here.
        _ => unreachable!("a final event"),
    }
}

/// One authentication, from the start; the final event is left to the caller.
fn drive_once<T: Transport>(
    supplicant: &mut Supplicant,
    transport: &mut T,
    on_event: &mut impl FnMut(&Event),
) -> Result<AuthOutcome, T::Error> {
    if supplicant.is_finished() {
        let now = supplicant.latest_input_time();
        let _ = supplicant.handle_input(Input::Restart { now });
    }
    transport.start()?;
    run(supplicant, transport, on_event)
}

/// Runs the started authentication to its end; the final event is left to the caller.
fn run<T: Transport>(
    supplicant: &mut Supplicant,
    transport: &mut T,
    on_event: &mut impl FnMut(&Event),
) -> Result<AuthOutcome, T::Error> {
    let origin = StdInstant::now();
    let base = supplicant.latest_input_time();
    let now = || base + origin.elapsed();
    loop {
        let mut outcome = None;
        let deadline = loop {
            match supplicant.poll_output() {
                Output::Transmit(p) => transport.send(&p)?,
                Output::Event(Event::Failed(mut d)) => {
                    transport.annotate(&mut d);
                    outcome = Some(AuthOutcome::Failed(d));
                }
                Output::Event(
                    e @ (Event::Authenticated(_) | Event::AuthenticatedWithoutKeys { .. }),
                ) => outcome = AuthOutcome::from_event(e),
                Output::Event(e) => on_event(&e),
                Output::Idle { next_timeout } => break next_timeout,
            }
        };
        if let Some(mut outcome) = outcome {
            transport.finish(&mut outcome)?;
            return Ok(outcome);
        }
        let deadline = match deadline {
            Some(d) => origin + d.saturating_duration_since(base),
            // Nothing from the authenticator yet: the core runs no timer, and the
            // transport's own start sequence or retransmissions decide when to give up.
            None if !supplicant.is_finished() => StdInstant::now() + WAIT_FOR_AUTHENTICATOR,
            None => {
                return Ok(AuthOutcome::Failed(Diagnosis::new(
                    supplicant.phase(),
                    crate::diagnosis::Cause::LowerLayerDown,
                )));
            }
        };
        // Each arm leaves the supplicant with outputs to drain, or finished.
        let input_time = match transport.recv(deadline)? {
            Received::Eap(p) => {
                let t = now();
                let _ = supplicant.handle_input(Input::Packet { now: t, eap: &p });
                continue;
            }
            Received::Timeout => now(),
            Received::Failed(failure) => {
                let mut d = Diagnosis::new(
                    supplicant.phase(),
                    crate::diagnosis::Cause::Transport(failure),
                );
                transport.annotate(&mut d);
                let mut outcome = AuthOutcome::Failed(d);
                transport.finish(&mut outcome)?;
                return Ok(outcome);
            }
        };
        let _ = supplicant.handle_input(Input::Timeout { now: input_time });
    }
}
