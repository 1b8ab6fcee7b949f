//! The sans-IO supplicant: the one object a host or a firmware drives.

use crate::config::Config;
use crate::crypto::password_change::fits_pw_block;
use crate::event::{Event, Input, Keys, Output};
use crate::method_type::MethodType;
use crate::peer::Peer;
use crate::secret::Password;
use crate::time::Instant;
use crate::wire::eap::{Code, Eap};
use alloc::collections::VecDeque;

/// A mistake by the caller (never caused by the network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// `now` is earlier than the `now` of a previous input.
    #[error("time went backwards: {now:?} is before {previous:?}")]
    TimeWentBackwards {
        /// The input's time.
        now: Instant,
        /// The latest time seen before.
        previous: Instant,
    },
    /// [`Input::NewPassword`] when no [`Event::NewPasswordRequired`] waits for it (none
    /// was emitted, or the authentication has moved on or ended since).
    #[error("a new password was given, but none is waited for")]
    NewPasswordNotRequested,
    /// [`Input::NewPassword`] with a password longer than 256 characters (UTF-16), the
    /// most an MSCHAPv2 password change carries; the request still waits.
    #[error("the new password is longer than 256 characters (UTF-16)")]
    NewPasswordTooLong,
}

/// An EAP peer (PEAP, EAP-TLS, EAP-TTLS; EAP-MD5 only when named), driven by its caller:
/// no I/O, no clock, no randomness of its own.
///
/// # Run loop
///
/// The supplicant never does I/O, never reads a clock and never sleeps. The caller feeds it
/// [`Input`]s and then drains [`Supplicant::poll_output`] until it returns
/// [`Output::Idle`], which says when to call back with [`Input::Timeout`]:
///
/// ```no_run
/// use eap::{Config, Event, Input, Instant, Output, Supplicant};
/// # fn now() -> Instant { Instant::ZERO }
/// # fn send(_: &[u8]) {}
/// # fn install_key(_: &[u8; 64]) {}
/// # fn receive_until(_: Option<Instant>) -> Option<Vec<u8>> { None }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::builder("alice@example.org")
///     .anonymous_identity("anonymous@example.org")
///     .password("password")
///     .ca_pem_file("ca.pem")?
///     .server_name("radius.example.org")
///     .build()?;
/// let mut supplicant = Supplicant::new(config, now());
/// loop {
///     // 1. Drain everything the last input produced.
///     let deadline = loop {
///         match supplicant.poll_output() {
///             Output::Transmit(packet) => send(&packet),
///             // The MSK's `Debug` is redacted: hand `expose()` to whoever needs the key.
///             Output::Event(Event::Authenticated(keys)) => install_key(keys.msk.expose()),
///             Output::Event(Event::Failed(why)) => println!("error: {why}"),
///             Output::Event(other) => println!("{other:?}"),
///             Output::Idle { next_timeout } => break next_timeout,
///             _ => {}
///         }
///     };
///     if supplicant.is_finished() {
///         break;
///     }
///     // 2. Wait for a packet or the deadline, whichever comes first.
///     match receive_until(deadline) {
///         Some(packet) => supplicant.handle_input(Input::Packet { now: now(), eap: &packet })?,
///         None => supplicant.handle_input(Input::Timeout { now: now() })?,
///     }
/// }
/// # Ok(())
/// # }
/// ```
///
/// One supplicant runs one authentication at a time; [`Input::Restart`] starts a new one
/// with the same configuration.
///
/// # Re-authentication
///
/// After an authentication ended, a new EAP-Request/Identity from the authenticator (its
/// re-authentication timer, IEEE 802.1X-2010 §8.9 reAuthPeriod, or the answer to an
/// EAPOL-Start the caller sent) starts a new authentication at once, announced by
/// [`Event::Reauthenticating`]; with a session cache
/// ([`ConfigBuilder::session_cache`](crate::ConfigBuilder::session_cache)) it
/// resumes the TLS session. Until it ends, [`Supplicant::keys`] still returns the keys of
/// the last success; a failed re-authentication ends with [`Event::Failed`] and its
/// diagnosis, and the old keys are no longer reported.
pub struct Supplicant {
    config: Config,
    peer: Peer,
    out: VecDeque<Output>,
    latest: Instant,
    /// The keys of the last success, kept through a re-authentication until its outcome.
    keys: Option<Keys>,
}

impl core::fmt::Debug for Supplicant {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Supplicant")
            .field("config", &self.config)
            .field("finished", &self.peer.is_finished())
            .finish_non_exhaustive()
    }
}

impl Supplicant {
    /// A supplicant waiting for the authenticator's first request (after the caller's
    /// EAPOL-Start, or its first RADIUS Access-Request).
    ///
    /// The limits (silence, overall) count from the authenticator's first packet. Until it
    /// arrives no timer runs (`Idle { next_timeout: None }`): waiting for an authenticator
    /// is the lower layer's job (EAPOL-Start every startPeriod, up to maxStart, as the
    /// EAPOL transport does), so that the two limits never race.
    pub fn new(config: Config, now: Instant) -> Self {
        let peer = Peer::new();
        Supplicant {
            config,
            peer,
            out: VecDeque::new(),
            latest: now,
            keys: None,
        }
    }

    /// Feeds one input. Errors only on caller mistakes; whatever the network sends is
    /// handled (answered, discarded, or ended with a diagnosis) and never panics.
    pub fn handle_input(&mut self, input: Input<'_>) -> Result<(), ApiError> {
        let now = input.now();
        if now < self.latest {
            return Err(ApiError::TimeWentBackwards {
                now,
                previous: self.latest,
            });
        }
        self.latest = now;
        match input {
            Input::Packet { eap, .. } => {
                if self.peer.is_finished() && is_identity_request(eap) {
                    self.restart();
                    self.out.push_back(Output::Event(Event::Reauthenticating {
                        keys_valid: self.keys.is_some(),
                    }));
                }
                self.peer.tick(&self.config, now, &mut self.out);
                self.peer.packet(&self.config, now, eap, &mut self.out);
            }
            Input::Timeout { .. } => self.peer.tick(&self.config, now, &mut self.out),
            Input::LowerLayerDown { .. } => {
                self.keys = None;
                self.peer.lower_layer_down(&mut self.out)
            }
            Input::LowerLayerUp { .. } => {
                if self.peer.is_finished() {
                    self.restart();
                }
            }
            Input::Restart { .. } => self.restart(),
            Input::NewPassword { password, .. } => {
                if !fits_pw_block(password) {
                    return Err(ApiError::NewPasswordTooLong);
                }
                let password = Password::new(password);
                if !self
                    .peer
                    .new_password(&self.config, now, &password, &mut self.out)
                {
                    return Err(ApiError::NewPasswordNotRequested);
                }
            }
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.peer = Peer::new();
    }

    /// The next thing to do; `Idle` when there is nothing until the next input. Never fails.
    #[must_use = "drain until Idle: a dropped output is a packet never sent or an event never seen"]
    pub fn poll_output(&mut self) -> Output {
        let Some(mut output) = self.out.pop_front() else {
            return Output::Idle {
                next_timeout: self.peer.next_timeout(),
            };
        };
        // Looked at in place: the output goes out as it is (moving a large value out of
        // the queue and back costs a copy each time).
        match &mut output {
            Output::Event(Event::Authenticated(keys)) => self.keys = Some(keys.clone()),
            // A keyless success replaces the keys of an earlier one: they no longer
            // belong to the session in force.
            Output::Event(Event::AuthenticatedWithoutKeys { .. }) => self.keys = None,
            Output::Event(Event::Failed(_)) => self.keys = None,
            _ => {}
        }
        output
    }

    /// The keys of the last successful authentication: still valid while a
    /// re-authentication runs, replaced by its keys or dropped by its failure (or by the
    /// lower layer going down).
    pub fn keys(&self) -> Option<&Keys> {
        self.keys.as_ref()
    }

    /// True once the authentication has ended (`Authenticated` or `Failed` was emitted).
    pub fn is_finished(&self) -> bool {
        self.peer.is_finished()
    }

    /// Packets dropped as RFC 3748 says (malformed, unexpected, or arriving after the end).
    pub fn dropped(&self) -> u64 {
        self.peer.dropped
    }

    /// How far the authentication has got (for transports that end it from outside).
    pub fn phase(&self) -> crate::diagnosis::Phase {
        self.peer.phase()
    }

    /// The latest `now` seen (creation or last input); inputs must not go before it.
    pub fn latest_input_time(&self) -> Instant {
        self.latest
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// An EAP-Request/Identity ([RFC 3748 §5.1](https://www.rfc-editor.org/rfc/rfc3748#section-5.1)):
/// after an authentication ended, the authenticator starting another.
fn is_identity_request(eap: &[u8]) -> bool {
    Eap::parse(eap).is_ok_and(|p| {
        p.code == Code::Request && matches!(p.method(), Some((MethodType::Identity, _)))
    })
}
