//! EAP-TTLS version 0 peer ([RFC 5281](https://www.rfc-editor.org/rfc/rfc5281); TLS 1.3
//! per [RFC 9427](https://www.rfc-editor.org/rfc/rfc9427); EAP method 21).
//!
//! The Start, answered with version 0 and our ClientHello, and the handshake are the
//! [`tls_core`](super::tls_core) skeleton's (framing, fragments, reassembly cap, certificate
//! verdict). Once the handshake is done on our side, the server validated and the keys
//! exported, [`Up`] holds the keys and one of:
//! - `Phase2(..)`: phase 2 ([`phase2`]) runs as AVPs inside the tunnel. Its first message
//!   (PAP credentials, the MSCHAPv2 response, or the inner EAP identity) leaves with (TLS
//!   1.3) or right after (TLS 1.2) our Finished, never before the verdict;
//! - `Resumed`: the handshake resumed an earlier session, so the server may skip phase 2
//!   ([RFC 5281 §10.1](https://www.rfc-editor.org/rfc/rfc5281#section-10.1);
//!   [RFC 9427 §2.1.3](https://www.rfc-editor.org/rfc/rfc9427#section-2.1.3) for TLS 1.3):
//!   we send our Finished only and the decision is already `CondSucc`. If the server asks
//!   for phase 2 anyway (an empty request), it starts as after a full handshake.
//!
//! Keys: TLS 1.2 "ttls keying material" (RFC 5281 §8), TLS 1.3 the RFC 9427 exporter with
//! Type-Code 21; the MSK does not depend on the inner method (TTLS has no cryptobinding).

mod phase2;

use self::phase2::Phase2;
use super::tls_core::keys::TunnelKeys;
use super::tls_core::{InTunnel, Negotiated, PROTECTED_SUCCESS, TlsMethod, TlsSession, fail};
use super::{Ctx, Step};
use crate::config::Config;
use crate::diagnosis::{Cause, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Keys;
use crate::method_type::MethodType;
use crate::secret::Password;
use crate::wire::tls_frame::TlsFrame;
use core::ops::ControlFlow;

/// The EAP-TTLS peer method.
pub(crate) type Ttls = TlsMethod<Up>;

/// Whether phase 2 runs.
#[derive(Debug)]
enum Stage {
    Phase2(Phase2),
    Resumed,
}

/// EAP-TTLS once the handshake is done on our side: the keys, and phase 2 unless resumed.
#[derive(Debug)]
pub(crate) struct Up {
    keys: Keys,
    stage: Stage,
}

impl InTunnel for Up {
    const METHOD: MethodType = MethodType::Ttls;
    /// The only TTLS version.
    const VERSION: u8 = 0;
    /// RFC 5281 §8: the TLS 1.2 PRF label of the keying material.
    const TLS12_KEY_LABEL: &'static [u8] = b"ttls keying material";
    const PACKET: &'static str = "EAP-TTLS packet";
    const NOT_START: &'static str = "an EAP-TTLS request without the Start flag";

    /// After a resumption our Finished only: the server may end here with EAP-Success.
    /// Otherwise phase 2's first message through the tunnel.
    fn up(
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        keys: TunnelKeys,
        negotiated: Negotiated,
        _id: u8,
    ) -> (Self, Step) {
        let mut up = Up {
            keys: keys.plain_keys(),
            stage: Stage::Resumed,
        };
        let step = if negotiated.resumed {
            tls.flush(ctx.config, SentMessage::TlsClientFinished)
        } else {
            up.start_phase2(ctx, tls)
        };
        (up, step)
    }

    fn process(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        frame: &TlsFrame<'_>,
        _id: u8,
    ) -> Step {
        // After a resumption, an empty request: the server wants phase 2 after all.
        if let Stage::Resumed = self.stage {
            if frame.data.is_empty() && !tls.sending() {
                return self.start_phase2(ctx, tls);
            }
        }
        if let ControlFlow::Break(step) = tls.framing(ctx, frame, self.phase()) {
            return step;
        }
        let plaintext = match tls.read_plaintext(ctx) {
            Ok(p) => p,
            Err(step) => return step,
        };
        // A handshake record after ours (a TLS 1.3 ticket) or an empty request; after a
        // resumption, also the one-octet protected success indication of RFC 9190 §2.5,
        // which FreeRADIUS 3.2 sends in TTLS when TLS 1.3 resumed and phase 2 is skipped.
        match &mut self.stage {
            _ if plaintext.is_empty() => tls.flush(ctx.config, SentMessage::TlsAck),
            Stage::Resumed if plaintext == PROTECTED_SUCCESS => {
                tls.flush(ctx.config, SentMessage::TlsAck)
            }
            Stage::Resumed => fail(
                Phase::InnerAuthentication,
                Cause::Protocol(ProtocolViolation::Unexpected(
                    "EAP-TTLS AVPs from the server before phase 2 started",
                )),
            ),
            Stage::Phase2(phase2) => {
                let step = phase2.process(ctx, &plaintext);
                tls.answer(ctx, step)
            }
        }
    }

    fn keys(&self) -> Option<&Keys> {
        match &self.stage {
            Stage::Phase2(phase2) if !phase2.complete() => None,
            Stage::Phase2(_) | Stage::Resumed => Some(&self.keys),
        }
    }

    fn phase(&self) -> Phase {
        match &self.stage {
            Stage::Phase2(phase2) => phase2.phase(),
            Stage::Resumed => Phase::Completion,
        }
    }

    fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match &self.stage {
            Stage::Phase2(phase2) => phase2.failure_cause(config, last_sent),
            Stage::Resumed => Cause::FailureWithoutReason { after: last_sent },
        }
    }

    /// Silence after the server's refusal inside the tunnel (its EAP-Failure was lost) has
    /// that cause; otherwise silence is silence.
    fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        match &self.stage {
            Stage::Phase2(phase2) if phase2.server_reported_failure() => {
                Some(phase2.failure_cause(config, last_sent))
            }
            Stage::Phase2(_) | Stage::Resumed => None,
        }
    }

    /// The caller's new password: inner EAP-MSCHAPv2's Change-Password through the tunnel.
    fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        password: &Password,
    ) -> Option<Step> {
        let Stage::Phase2(phase2) = &mut self.stage else {
            return None;
        };
        let step = phase2.new_password(ctx, password)?;
        Some(tls.answer(ctx, step))
    }

    fn premature_success(&self) -> PrematureSuccess {
        match self.stage {
            Stage::Phase2(_) => PrematureSuccess::EapSuccessBeforeInner,
            // Not asked: the decision is already `CondSucc`.
            Stage::Resumed => PrematureSuccess::EapSuccessInHandshake,
        }
    }
}

impl Up {
    /// Phase 2's first message through the tunnel (a failure to make it leaves the state
    /// as it was).
    fn start_phase2(&mut self, ctx: &mut Ctx<'_>, tls: &mut TlsSession) -> Step {
        match Phase2::start(ctx, tls.tunnel()) {
            Ok((phase2, first)) => {
                self.stage = Stage::Phase2(phase2);
                tls.answer(ctx, first)
            }
            Err(step) => step,
        }
    }
}
