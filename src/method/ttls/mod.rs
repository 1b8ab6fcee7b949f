//! EAP-TTLS version 0 peer ([RFC 5281](https://www.rfc-editor.org/rfc/rfc5281); TLS 1.3
//! per [RFC 9427](https://www.rfc-editor.org/rfc/rfc9427); EAP method 21).
//!
//! States, named for what they wait for, each holding what it always has:
//! - `ExpectStart`: the server's TTLS Start, answered with version 0 and our ClientHello;
//! - `Handshake(TlsSession)`: the TLS handshake ([`TlsSession`], shared with PEAP and
//!   EAP-TLS: framing, fragments, reassembly cap, certificate verdict);
//! - `Tunnel { .. }`: the handshake is done on our side, the server validated and the keys
//!   exported; phase 2 ([`phase2`]) runs as AVPs inside the tunnel. Its first message (PAP
//!   credentials, the MSCHAPv2 response, or the inner EAP identity) leaves with (TLS 1.3)
//!   or right after (TLS 1.2) our Finished, never before the verdict;
//! - `Resumed { .. }`: the handshake resumed an earlier session, so the server may skip
//!   phase 2 ([RFC 5281 §10.1](https://www.rfc-editor.org/rfc/rfc5281#section-10.1);
//!   [RFC 9427 §2.1.3](https://www.rfc-editor.org/rfc/rfc9427#section-2.1.3) for TLS 1.3):
//!   we send our Finished only and the decision is already `CondSucc`. If the server asks
//!   for phase 2 anyway (an empty request), it starts as after a full handshake.
//!
//! Keys: TLS 1.2 "ttls keying material" (RFC 5281 §8), TLS 1.3 the RFC 9427 exporter with
//! Type-Code 21; the MSK does not depend on the inner method (TTLS has no cryptobinding).

mod phase2;

use self::phase2::Phase2;
use super::tls_core::keys::TunnelKeys;
use super::tls_core::{PROTECTED_SUCCESS, TlsSession, check_start, fail, parse_frame};
use super::{Ctx, Decision, Step};
use crate::config::Config;
use crate::diagnosis::{Cause, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Keys;
use crate::wire::eap::MethodType;
use crate::wire::tls_frame::TlsFrame;
use zeroize::Zeroizing;

/// EAP-TTLS's Type-Code: the TLS 1.3 exporter context and the Session-Id's first octet.
const TTLS_TYPE_CODE: u8 = 21;
/// The only TTLS version (the flags octet's version bits).
const TTLS_VERSION: u8 = 0;
/// RFC 5281 §8: the TLS 1.2 PRF label of the keying material.
const TTLS_KEY_LABEL: &[u8] = b"ttls keying material";

// One per authentication, and the large variant is the one that lives longest: a Box
// would add an allocation and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    ExpectStart,
    Handshake(TlsSession),
    Tunnel {
        tls: TlsSession,
        keys: Keys,
        phase2: Phase2,
    },
    Resumed {
        tls: TlsSession,
        keys: Keys,
    },
}

/// The EAP-TTLS peer method.
#[derive(Debug)]
pub(crate) struct Ttls {
    state: State,
}

impl Ttls {
    pub(crate) fn new() -> Self {
        Ttls {
            state: State::ExpectStart,
        }
    }

    /// `CondSucc` once phase 2 is complete on our side: PAP credentials sent, or the
    /// server's MSCHAPv2 success verified.
    pub(crate) fn decision(&self) -> Decision {
        match &self.state {
            State::Tunnel { phase2, .. } if phase2.complete() => Decision::CondSucc,
            State::Resumed { .. } => Decision::CondSucc,
            _ => Decision::Fail,
        }
    }

    /// The keys, once the decision is `CondSucc`.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match &self.state {
            State::Tunnel { keys, phase2, .. } if phase2.complete() => Some(keys),
            State::Resumed { keys, .. } => Some(keys),
            _ => None,
        }
    }

    /// How far TTLS got.
    pub(crate) fn phase(&self) -> Phase {
        match &self.state {
            State::ExpectStart => Phase::MethodNegotiation,
            State::Handshake(_) => Phase::TlsHandshake,
            State::Tunnel { phase2, .. } => phase2.phase(),
            State::Resumed { .. } => Phase::Completion,
        }
    }

    /// An EAP-Success before `CondSucc`.
    pub(crate) fn premature_success(&self) -> PrematureSuccess {
        match self.state {
            State::Tunnel { .. } => PrematureSuccess::EapSuccessBeforeInner,
            _ => PrematureSuccess::EapSuccessInHandshake,
        }
    }

    /// What an EAP-Failure means.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match &self.state {
            State::Handshake(tls) => tls.handshake_failure_cause(config, last_sent),
            State::Tunnel { phase2, .. } => phase2.failure_cause(config, last_sent),
            State::ExpectStart | State::Resumed { .. } => {
                Cause::FailureWithoutReason { after: last_sent }
            }
        }
    }

    /// Silence after the server's MSCHAPv2 Failure (its EAP-Failure was lost) has that
    /// cause; otherwise silence is silence.
    pub(crate) fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        match &self.state {
            State::Tunnel { phase2, .. } if phase2.server_reported_failure() => {
                Some(phase2.failure_cause(config, last_sent))
            }
            _ => None,
        }
    }

    /// Processes the Type-Data of an EAP-TTLS request.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, _id: u8, data: &[u8]) -> Step {
        let phase = self.phase();
        let frame = match parse_frame(data, "EAP-TTLS packet", phase) {
            Ok(f) => f,
            Err(step) => return step,
        };
        // A transition consumes the old state; `ExpectStart` only stands in meanwhile.
        let state = core::mem::replace(&mut self.state, State::ExpectStart);
        let (state, step) = match state {
            State::ExpectStart => start(ctx, &frame),
            State::Handshake(mut tls) => match tls.advance_handshake(ctx, &frame, phase, None) {
                Err(step) => (State::Handshake(tls), step),
                Ok(()) => tunnel_up(ctx, tls),
            },
            State::Tunnel {
                mut tls,
                keys,
                mut phase2,
            } => {
                let step = match tls.framing(ctx, &frame, phase, None) {
                    Err(step) => step,
                    Ok(()) => inner(ctx, &mut tls, Some(&mut phase2)),
                };
                (State::Tunnel { tls, keys, phase2 }, step)
            }
            // An empty request: the server wants phase 2 after all.
            State::Resumed { tls, keys } if frame.data.is_empty() && !tls.sending() => {
                start_phase2(ctx, tls, keys)
            }
            State::Resumed { mut tls, keys } => {
                let step = match tls.framing(ctx, &frame, phase, None) {
                    Err(step) => step,
                    Ok(()) => inner(ctx, &mut tls, None),
                };
                (State::Resumed { tls, keys }, step)
            }
        };
        self.state = state;
        step
    }
}

/// The Start: answered with version 0 and our ClientHello.
fn start(ctx: &mut Ctx<'_>, frame: &TlsFrame<'_>) -> (State, Step) {
    if let Err(step) = check_start(frame, "an EAP-TTLS request without the Start flag") {
        return (State::ExpectStart, step);
    }
    match TlsSession::start(ctx, MethodType::Ttls, TTLS_VERSION) {
        Ok((tls, step)) => (State::Handshake(tls), step),
        Err(step) => (State::ExpectStart, step),
    }
}

/// The handshake is done on our side: verdict (enforced by [`TlsSession::handshake_done`]),
/// keys, then phase 2's first message through the tunnel.
fn tunnel_up(ctx: &mut Ctx<'_>, mut tls: TlsSession) -> (State, Step) {
    let negotiated = match tls.handshake_done(ctx) {
        Ok(n) => n,
        Err(step) => return (State::Handshake(tls), step),
    };
    let exported = TunnelKeys::export_labelled(
        tls.tunnel(),
        negotiated.version,
        tls.randoms(),
        TTLS_TYPE_CODE,
        TTLS_KEY_LABEL,
    );
    let keys = match exported {
        Ok(k) => k.plain_keys(),
        Err(e) => {
            let step = tls.failure(ctx, e);
            return (State::Handshake(tls), step);
        }
    };
    ctx.emit(negotiated.tunnel_up());
    if negotiated.resumed {
        // Our Finished only: the server may end here with EAP-Success.
        let step = tls.flush(ctx.config, SentMessage::TlsClientFinished);
        return (State::Resumed { tls, keys }, step);
    }
    start_phase2(ctx, tls, keys)
}

/// Phase 2's first message through the tunnel.
fn start_phase2(ctx: &mut Ctx<'_>, mut tls: TlsSession, keys: Keys) -> (State, Step) {
    let (phase2, first) = match Phase2::start(ctx, tls.tunnel()) {
        Ok(started) => started,
        Err(step) => return (State::Resumed { tls, keys }, step),
    };
    let step = send(ctx, &mut tls, first);
    (State::Tunnel { tls, keys, phase2 }, step)
}

/// Phase 2: the AVPs that came in this message, answered through the tunnel (`None`:
/// after a resumption, where no phase 2 runs and AVPs from the server are out of turn).
fn inner(ctx: &mut Ctx<'_>, tls: &mut TlsSession, phase2: Option<&mut Phase2>) -> Step {
    let plaintext = match tls.read_plaintext(ctx) {
        Ok(p) => p,
        Err(step) => return step,
    };
    // A handshake record after ours (a TLS 1.3 ticket) or an empty request; after a
    // resumption, also the one-octet protected success indication of RFC 9190 §2.5,
    // which FreeRADIUS 3.2 sends in TTLS when TLS 1.3 resumed and phase 2 is skipped.
    if plaintext.is_empty() || (phase2.is_none() && plaintext == PROTECTED_SUCCESS) {
        return tls.flush(ctx.config, SentMessage::TlsAck);
    }
    let Some(phase2) = phase2 else {
        return fail(
            Phase::InnerAuthentication,
            Cause::Protocol(ProtocolViolation::Unexpected(
                "EAP-TTLS AVPs from the server before phase 2 started",
            )),
        );
    };
    let step = phase2.process(ctx, &plaintext);
    send(ctx, tls, step)
}

/// Encrypts a phase-2 step's AVPs (none: an empty TTLS response) and sends our flight.
fn send(ctx: &mut Ctx<'_>, tls: &mut TlsSession, step: Step) -> Step {
    match step {
        Step::Respond { data, sent } => {
            // Phase-2 plaintext may hold the password (PAP): wiped once encrypted.
            let data = Zeroizing::new(data);
            if !data.is_empty() {
                if let Err(step) = tls.send_plaintext(ctx, &data) {
                    return step;
                }
            }
            tls.flush(ctx.config, sent)
        }
        Step::Discard => Step::Discard,
        Step::Fail { data, diagnosis } => Step::Fail {
            data: tls.last_words(ctx.config, data),
            diagnosis,
        },
    }
}
