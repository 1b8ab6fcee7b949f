//! EAP-TLS peer ([RFC 5216](https://www.rfc-editor.org/rfc/rfc5216); TLS 1.3 per
//! [RFC 9190](https://www.rfc-editor.org/rfc/rfc9190); EAP method 13): mutual
//! authentication with certificates, no inner method.
//!
//! States, named for what they wait for, each holding what it always has:
//! - `ExpectStart`: the server's EAP-TLS Start, answered with our ClientHello;
//! - `Handshake(TlsSession)`: the handshake, with our certificate when the server asks;
//! - `ExpectCommitment { .. }` (TLS 1.3): our side of the handshake is done and the keys
//!   exported; the server must still send its protected success indication, one octet 0x00
//!   of application data (RFC 9190 §2.5), before an EAP-Success may be honoured;
//! - `Authenticated { .. }`: the handshake is complete on both sides; we acknowledged the
//!   server's last message and wait for EAP-Success (decision `CondSucc`).
//!
//! Our certificate leaves only inside a handshake whose server certificate is validated by
//! the connector's verifier, as for every TLS method.

use super::tls_core::keys::TunnelKeys;
use super::tls_core::{PROTECTED_SUCCESS, TlsSession, check_start, fail, parse_frame};
use super::{Ctx, Decision, Step};
use crate::config::Config;
use crate::diagnosis::{Cause, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Keys;
use crate::tls::TlsVersion;
use crate::wire::eap::MethodType;
use crate::wire::tls_frame::TlsFrame;

/// EAP-TLS's Type-Code: the exporter context and the Session-Id's first octet.
const EAP_TLS_TYPE_CODE: u8 = 13;
/// The version bits of the EAP-TLS flags octet (reserved, zero).
const FLAGS_VERSION: u8 = 0;

/// TLS alerts by which a server refuses a client certificate (RFC 8446 §6.2).
fn refuses_certificate(alert: u8) -> bool {
    matches!(alert, 42..=46 | 48 | 49 | 116)
}

// One per authentication, and the large variants are the ones that live longest: a Box
// would add an allocation and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    ExpectStart,
    Handshake(TlsSession),
    ExpectCommitment { tls: TlsSession, keys: Keys },
    Authenticated { tls: TlsSession, keys: Keys },
}

/// The EAP-TLS peer method.
#[derive(Debug)]
pub(crate) struct EapTls {
    state: State,
}

impl EapTls {
    pub(crate) fn new() -> Self {
        EapTls {
            state: State::ExpectStart,
        }
    }

    /// `CondSucc` once the handshake is complete on both sides (TLS 1.3: after the
    /// server's commitment).
    pub(crate) fn decision(&self) -> Decision {
        match self.state {
            State::Authenticated { .. } => Decision::CondSucc,
            _ => Decision::Fail,
        }
    }

    /// The keys, once the decision is `CondSucc`.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match &self.state {
            State::Authenticated { keys, .. } => Some(keys),
            _ => None,
        }
    }

    /// How far EAP-TLS got.
    pub(crate) fn phase(&self) -> Phase {
        match self.state {
            State::ExpectStart => Phase::MethodNegotiation,
            State::Handshake(_) | State::ExpectCommitment { .. } => Phase::TlsHandshake,
            State::Authenticated { .. } => Phase::Completion,
        }
    }

    /// What an EAP-Failure means: during the handshake, the server refused what we
    /// offered (right after our ClientHello) or ended it without an alert; after our last
    /// flight, most likely our certificate (the server's log says why).
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match &self.state {
            // Our second flight carries our certificate (the server asked for it).
            State::Handshake(tls) if tls.flights_sent() >= 2 => {
                Cause::FailureAfterClientCertificate
            }
            State::Handshake(tls) => tls.handshake_failure_cause(config, last_sent),
            State::ExpectCommitment { .. } => Cause::FailureAfterClientCertificate,
            _ => Cause::FailureWithoutReason { after: last_sent },
        }
    }

    /// An EAP-Success before `CondSucc`.
    pub(crate) fn premature_success(&self) -> PrematureSuccess {
        match self.state {
            State::ExpectCommitment { .. } => PrematureSuccess::EapSuccessBeforeCommitment,
            _ => PrematureSuccess::EapSuccessInHandshake,
        }
    }

    /// Processes the Type-Data of an EAP-TLS request.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, _id: u8, data: &[u8]) -> Step {
        let phase = self.phase();
        let frame = match parse_frame(data, "EAP-TLS packet", phase) {
            Ok(f) => f,
            Err(step) => return step,
        };
        // A transition consumes the old state; `ExpectStart` only stands in meanwhile.
        let state = core::mem::replace(&mut self.state, State::ExpectStart);
        let (state, step) = match state {
            State::ExpectStart => start(ctx, &frame),
            State::Handshake(mut tls) => match tls.advance_handshake(ctx, &frame, phase, None) {
                Err(step) => (State::Handshake(tls), step),
                Ok(()) => handshake_done(ctx, tls),
            },
            State::ExpectCommitment { mut tls, keys } => {
                match tls
                    .framing(ctx, &frame, phase, None)
                    .and_then(|()| commitment(ctx, &mut tls))
                {
                    Err(step) => (State::ExpectCommitment { tls, keys }, step),
                    Ok(true) => {
                        let step = tls.flush(ctx.config, SentMessage::TlsAck);
                        (State::Authenticated { tls, keys }, step)
                    }
                    // A NewSessionTicket before the commitment: acknowledged, still waiting.
                    Ok(false) => {
                        let step = tls.flush(ctx.config, SentMessage::TlsAck);
                        (State::ExpectCommitment { tls, keys }, step)
                    }
                }
            }
            State::Authenticated { mut tls, keys } => {
                // Only post-handshake records (tickets) may still come; they are ACKed.
                let step = match tls.framing(ctx, &frame, phase, None) {
                    Err(step) => step,
                    Ok(()) => tls.flush(ctx.config, SentMessage::TlsAck),
                };
                (State::Authenticated { tls, keys }, step)
            }
        };
        self.state = state;
        // A TLS alert after our certificate went out is the server refusing it.
        match step {
            Step::Fail {
                data,
                mut diagnosis,
            } => {
                if let Cause::TlsAlert {
                    alert,
                    chosen: Some(_),
                    ..
                } = diagnosis.cause
                {
                    if refuses_certificate(alert) {
                        diagnosis.cause = Cause::ClientCertificateRejected { alert };
                    }
                }
                Step::Fail { data, diagnosis }
            }
            other => other,
        }
    }
}

/// The Start: answered with our ClientHello.
fn start(ctx: &mut Ctx<'_>, frame: &TlsFrame<'_>) -> (State, Step) {
    if let Err(step) = check_start(frame, "an EAP-TLS request without the Start flag") {
        return (State::ExpectStart, step);
    }
    match TlsSession::start(ctx, MethodType::Tls, FLAGS_VERSION) {
        Ok((tls, step)) => (State::Handshake(tls), step),
        Err(step) => (State::ExpectStart, step),
    }
}

/// The handshake is done on our side: verdict, keys, and what comes next by version.
fn handshake_done(ctx: &mut Ctx<'_>, mut tls: TlsSession) -> (State, Step) {
    let negotiated = match tls.handshake_done(ctx) {
        Ok(n) => n,
        Err(step) => return (State::Handshake(tls), step),
    };
    let version = negotiated.version;
    let keys = match TunnelKeys::export(tls.tunnel(), version, tls.randoms(), EAP_TLS_TYPE_CODE) {
        Ok(k) => k.plain_keys(),
        Err(e) => {
            let step = tls.failure(ctx, e);
            return (State::Handshake(tls), step);
        }
    };
    ctx.emit(negotiated.tunnel_up());
    // Resumed (RFC 5216 §2.1.2, RFC 9190 §2.1.3): no certificates either way, the same
    // keys derivation, and under TLS 1.3 the same commitment before EAP-Success.
    if version >= TlsVersion::TLS13 {
        // Our Certificate, CertificateVerify and Finished go out now; the server's
        // commitment (or its alert refusing our certificate) comes next.
        let step = tls.flush(ctx.config, SentMessage::TlsClientFinished);
        return (State::ExpectCommitment { tls, keys }, step);
    }
    // TLS 1.2: the server's Finished was its last handshake message; we acknowledge it.
    let step = tls.flush(ctx.config, SentMessage::TlsAck);
    (State::Authenticated { tls, keys }, step)
}

/// TLS 1.3: the application data received: `Ok(true)` for the commitment, `Ok(false)` for
/// none yet; anything else is a protocol violation (EAP-TLS carries no application data).
fn commitment(ctx: &mut Ctx<'_>, tls: &mut TlsSession) -> Result<bool, Step> {
    let data = tls.read_plaintext(ctx)?;
    match data.as_slice() {
        [] => Ok(false),
        PROTECTED_SUCCESS => Ok(true),
        _ => Err(fail(
            Phase::TlsHandshake,
            Cause::Protocol(ProtocolViolation::Unexpected(
                "application data other than the TLS 1.3 commitment (one octet 0x00) in EAP-TLS",
            )),
        )),
    }
}
