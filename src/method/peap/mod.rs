//! PEAPv0 peer ([MS-PEAP]; EAP method 25).
//!
//! States, named for what they wait for, each holding what it always has:
//! - `ExpectStart`: the server's PEAP Start. We answer with version 0 whatever the server
//!   offers (hostapd offers 1) and our ClientHello.
//! - `Handshake(TlsSession)`: TLS handshake messages, reassembled from fragments and fed
//!   to the tunnel; our flights go out fragmented at the configured size.
//! - `Tunnel { .. }`: the handshake is done, the server validated and the keys exported:
//!   inner EAP in the PEAPv0 compressed form, then the EAP-TLV Result (and Crypto-Binding)
//!   exchange.
//!
//! The TLS part (framing, fragment ACKs both ways, reassembly cap, handshake, failures)
//! is [`TlsSession`], shared with the other TLS methods. Nothing from the inner method
//! leaves before the tunnel is up.

mod keys;
mod phase2;

use self::phase2::Phase2;
use super::tls_core::keys::TunnelKeys;
use super::tls_core::{TlsSession, check_start, parse_frame};
use super::{Ctx, Decision, Step};
use crate::config::Config;
use crate::crypto::tls_keys::PEAP_TYPE_CODE;
use crate::diagnosis::{Cause, Phase, PrematureSuccess, SentMessage};
use crate::event::{Event, Keys};
use crate::wire::eap::MethodType;
use crate::wire::tls_frame::TlsFrame;

/// The only PEAP version we speak.
const PEAP_VERSION: u8 = 0;

/// Where PEAP stands.
// One per authentication, and the large variant is the one that lives longest: a Box
// would add an allocation and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    ExpectStart,
    Handshake(TlsSession),
    Tunnel {
        tls: TlsSession,
        keys: TunnelKeys,
        phase2: Phase2,
    },
}

/// The PEAP peer method.
#[derive(Debug)]
pub(crate) struct Peap {
    state: State,
}

impl Peap {
    pub(crate) fn new() -> Self {
        Peap {
            state: State::ExpectStart,
        }
    }

    fn phase2(&self) -> Option<&Phase2> {
        match &self.state {
            State::Tunnel { phase2, .. } => Some(phase2),
            State::ExpectStart | State::Handshake(_) => None,
        }
    }

    /// RFC 4137 decision: `CondSucc` once phase 2 answered a Result TLV Success.
    pub(crate) fn decision(&self) -> Decision {
        if self.keys().is_some() {
            Decision::CondSucc
        } else {
            Decision::Fail
        }
    }

    /// The session keys, once the decision is `CondSucc`.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        self.phase2().and_then(Phase2::keys)
    }

    /// How far PEAP got.
    pub(crate) fn phase(&self) -> Phase {
        match &self.state {
            State::ExpectStart => Phase::MethodNegotiation,
            State::Handshake(_) => Phase::TlsHandshake,
            State::Tunnel { phase2, .. } => phase2.phase(),
        }
    }

    /// An EAP-Success before phase 2 answered a Result TLV Success: in the handshake, or
    /// in the tunnel before the Result (CVE-2023-52160).
    pub(crate) fn premature_success(&self) -> PrematureSuccess {
        if self.phase2().is_some() {
            PrematureSuccess::EapSuccessBeforeResult
        } else {
            PrematureSuccess::EapSuccessInHandshake
        }
    }

    /// Silence after the server said, inside the tunnel, that the authentication failed
    /// (a Result TLV Failure or an MSCHAPv2 Failure) has that cause: its EAP-Failure was
    /// lost. Otherwise silence is only silence.
    pub(crate) fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        self.phase2()
            .filter(|p| p.server_reported_failure())
            .map(|_| self.failure_cause(config, last_sent))
            .filter(|c| {
                !matches!(
                    c,
                    Cause::FailureWithoutReason { .. }
                        | Cause::EndedWithoutVerdict { .. }
                        | Cause::RejectedAfterInnerSuccess { .. }
                )
            })
    }

    /// Explains an EAP-Failure from what PEAP saw.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match &self.state {
            State::Handshake(tls) => tls.handshake_failure_cause(config, last_sent),
            // Inside the tunnel a server that decides sends its verdict first (Result TLV,
            // MSCHAPv2 Failure); a bare EAP-Failure means it ended the session without one.
            State::Tunnel { phase2, .. } => {
                phase2
                    .failure_cause(config)
                    .unwrap_or(Cause::EndedWithoutVerdict {
                        after: last_sent,
                        sent: 1,
                    })
            }
            State::ExpectStart => Cause::FailureWithoutReason { after: last_sent },
        }
    }

    /// Processes the Type-Data of a PEAP request.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, id: u8, data: &[u8]) -> Step {
        let phase = self.phase();
        let frame = match parse_frame(data, "PEAP packet", phase) {
            Ok(f) => f,
            Err(step) => return step,
        };
        // Rounds that keep their state work on it in place (the state is large: moving it
        // out and back costs copies on every round).
        match &mut self.state {
            State::ExpectStart => {}
            State::Handshake(tls) => {
                if let Err(step) = tls.advance_handshake(ctx, &frame, phase, Some(PEAP_VERSION)) {
                    return step;
                }
            }
            State::Tunnel { tls, keys, phase2 } => {
                return match tls.framing(ctx, &frame, phase, Some(PEAP_VERSION)) {
                    Err(step) => step,
                    Ok(()) => inner(ctx, tls, keys, phase2, id),
                };
            }
        }
        // A transition (the Start, the end of the handshake) consumes the old state;
        // `ExpectStart` only stands in meanwhile.
        let (state, step) = match core::mem::replace(&mut self.state, State::ExpectStart) {
            State::Handshake(tls) => tunnel_up(ctx, tls, id),
            // Only the Start is left (the tunnel returned above).
            _ => start(ctx, &frame),
        };
        self.state = state;
        step
    }
}

/// The Start: answered with our ClientHello.
fn start(ctx: &mut Ctx<'_>, frame: &TlsFrame<'_>) -> (State, Step) {
    if let Err(step) = check_start(frame, "a PEAP request without the Start flag") {
        return (State::ExpectStart, step);
    }
    ctx.emit(Event::PeapStarted {
        server_version: frame.version,
        version: PEAP_VERSION,
    });
    match TlsSession::start(ctx, MethodType::Peap, PEAP_VERSION) {
        Ok((tls, step)) => (State::Handshake(tls), step),
        Err(step) => (State::ExpectStart, step),
    }
}

/// The handshake finished: check the verdict, export keys, announce the tunnel, and handle
/// whatever inner data came with the server's last flight.
fn tunnel_up(ctx: &mut Ctx<'_>, mut tls: TlsSession, id: u8) -> (State, Step) {
    let negotiated = match tls.handshake_done(ctx) {
        Ok(n) => n,
        Err(step) => return (State::Handshake(tls), step),
    };
    let exported = TunnelKeys::export(
        tls.tunnel(),
        negotiated.version,
        tls.randoms(),
        PEAP_TYPE_CODE,
    );
    let keys = match exported {
        Ok(k) => k,
        Err(e) => {
            let step = tls.failure(ctx, e);
            return (State::Handshake(tls), step);
        }
    };
    ctx.emit(negotiated.tunnel_up());
    let mut phase2 = Phase2::new(negotiated.resumed);
    let step = match inner(ctx, &mut tls, &keys, &mut phase2, id) {
        // Nothing inside yet: acknowledge the server's Finished.
        Step::Respond {
            sent: SentMessage::TlsClientFinished,
            data,
        } => Step::Respond {
            data,
            sent: SentMessage::TlsAck,
        },
        other => other,
    };
    (State::Tunnel { tls, keys, phase2 }, step)
}

/// Phase 2: the inner data that came in this message, answered through the tunnel.
fn inner(
    ctx: &mut Ctx<'_>,
    tls: &mut TlsSession,
    keys: &TunnelKeys,
    phase2: &mut Phase2,
    id: u8,
) -> Step {
    let plaintext = match tls.read_plaintext(ctx) {
        Ok(p) => p,
        Err(step) => return step,
    };
    let mut sent = SentMessage::TlsClientFinished;
    if !plaintext.is_empty() {
        match phase2.process(ctx, keys, &plaintext, id) {
            Step::Respond { data, sent: inner } => {
                if let Err(step) = tls.send_plaintext(ctx, &data) {
                    return step;
                }
                sent = inner;
            }
            Step::Discard => return Step::Discard,
            Step::Fail { data, diagnosis } => {
                return Step::Fail {
                    data: tls.last_words(ctx.config, data),
                    diagnosis,
                };
            }
        }
    }
    tls.flush(ctx.config, sent)
}
