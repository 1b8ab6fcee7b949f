//! PEAPv0 peer ([MS-PEAP]; EAP method 25).
//!
//! The Start, answered with version 0 whatever the server offers (hostapd offers 1), and
//! the handshake are the [`tls_core`](super::tls_core) skeleton's; PEAP checks the version
//! bits of every later request. Once the handshake is done, the server validated and the
//! keys exported, [`Up`] runs phase 2 ([`phase2`]): inner EAP in the PEAPv0 compressed
//! form, then the EAP-TLV Result (and Crypto-Binding) exchange. Nothing from the inner
//! method leaves before the tunnel is up.

mod keys;
mod phase2;

use self::phase2::Phase2;
use super::tls_core::keys::TunnelKeys;
use super::tls_core::{InTunnel, Negotiated, TlsMethod, TlsSession};
use super::{Ctx, Step};
use crate::config::Config;
use crate::diagnosis::{Cause, Phase, PrematureSuccess, SentMessage};
use crate::event::{Event, Keys};
use crate::method_type::MethodType;
use crate::secret::Password;
use crate::wire::tls_frame::TlsFrame;
use core::ops::ControlFlow;

/// The PEAP peer method.
pub(crate) type Peap = TlsMethod<Up>;

/// PEAP once the tunnel is up: its keys (for the cryptobinding) and phase 2.
#[derive(Debug)]
pub(crate) struct Up {
    keys: TunnelKeys,
    phase2: Phase2,
}

impl InTunnel for Up {
    const METHOD: MethodType = MethodType::Peap;
    /// The only PEAP version we speak.
    const VERSION: u8 = 0;
    const STRICT_VERSION: bool = true;
    const PACKET: &'static str = "PEAP packet";
    const NOT_START: &'static str = "a PEAP request without the Start flag";

    fn started(ctx: &mut Ctx<'_>, frame: &TlsFrame<'_>) {
        ctx.emit(Event::PeapStarted {
            server_version: frame.version,
            version: Self::VERSION,
        });
    }

    /// Phase 2 begins with whatever inner data came with the server's last flight.
    fn up(
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        keys: TunnelKeys,
        negotiated: Negotiated,
        id: u8,
    ) -> (Self, Step) {
        let mut up = Up {
            keys,
            phase2: Phase2::new(negotiated.resumed),
        };
        let step = match up.inner(ctx, tls, id) {
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
        (up, step)
    }

    fn process(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        frame: &TlsFrame<'_>,
        id: u8,
    ) -> Step {
        if let ControlFlow::Break(step) = tls.framing(ctx, frame, self.phase()) {
            return step;
        }
        self.inner(ctx, tls, id)
    }

    fn keys(&self) -> Option<&Keys> {
        self.phase2.keys()
    }

    fn phase(&self) -> Phase {
        self.phase2.phase()
    }

    /// Inside the tunnel a server that decides sends its verdict first (Result TLV,
    /// MSCHAPv2 Failure); a bare EAP-Failure means it ended the session without one.
    fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        self.phase2
            .failure_cause(config)
            .unwrap_or(Cause::EndedWithoutVerdict {
                after: last_sent,
                sent: 1,
            })
    }

    /// Silence after the server said, inside the tunnel, that the authentication failed
    /// (a Result TLV Failure or an MSCHAPv2 Failure) has that cause: its EAP-Failure was
    /// lost. Otherwise silence is only silence.
    fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        if !self.phase2.server_reported_failure() {
            return None;
        }
        Some(self.failure_cause(config, last_sent)).filter(|c| {
            !matches!(
                c,
                Cause::FailureWithoutReason { .. }
                    | Cause::EndedWithoutVerdict { .. }
                    | Cause::RejectedAfterInnerSuccess { .. }
            )
        })
    }

    /// The caller's new password: the inner Change-Password through the tunnel.
    fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        password: &Password,
    ) -> Option<Step> {
        let step = self.phase2.new_password(ctx, password)?;
        Some(tls.answer(ctx, step))
    }

    /// In the tunnel before the Result TLV Success: the phase-2 bypass of CVE-2023-52160.
    fn premature_success(&self) -> PrematureSuccess {
        PrematureSuccess::EapSuccessBeforeResult
    }
}

impl Up {
    /// Phase 2: the inner data that came in this message, answered through the tunnel.
    fn inner(&mut self, ctx: &mut Ctx<'_>, tls: &mut TlsSession, id: u8) -> Step {
        let plaintext = match tls.read_plaintext(ctx) {
            Ok(p) => p,
            Err(step) => return step,
        };
        if plaintext.is_empty() {
            return tls.flush(ctx.config, SentMessage::TlsClientFinished);
        }
        let step = self.phase2.process(ctx, &self.keys, &plaintext, id);
        tls.answer(ctx, step)
    }
}
