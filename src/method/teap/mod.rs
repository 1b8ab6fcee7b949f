//! TEAP version 1 peer ([RFC 9930](https://www.rfc-editor.org/rfc/rfc9930); EAP method 55).
//!
//! The Start (version 1, with the server's Outer TLVs, e.g. Authority-ID, kept for the
//! crypto-binding) and the handshake (TLS 1.2 or 1.3) are the
//! [`tls_core`](super::tls_core) skeleton's. Once the handshake is done, the server
//! validated and the session_key_seed exported (RFC 9930 §6.1), [`Up`] runs phase 2
//! ([`phase2`]): TLVs inside the tunnel, one inner authentication per identity the server
//! asks for (Identity-Type User or Machine), each bound to the tunnel by a Crypto-Binding
//! TLV, then the Result TLV.
//!
//! Where FreeRADIUS 3.2.7 (`rlm_eap_teap`) and RFC 9930 differ, we follow the RFC in the
//! design and interoperate with the server as shipped; each place says so:
//! - it runs TEAP on TLS 1.2 only (`mod_session_init`: "Disallow TLS 1.3 for now"), though
//!   RFC 9930 defines TEAP on TLS 1.3 as well: offered 1.3, it answers 1.2 (our TLS 1.3
//!   TEAP is proven against the in-process authenticator only);
//! - its Start carries Outer TLVs (Authority-ID) with the O flag but, unlike RFC 9930
//!   §4.1's framing rules for a fragmented Start, never fragments it (nothing to do here);
//! - it sends the Identity-Type TLV without the M bit and refuses one with the M bit in a
//!   response (its check knows Identity-Type only as an unknown TLV): we echo it, M=0,
//!   next to the inner method's TLV whenever it came;
//! - its TLS 1.2 Session-Id is `0x37 ‖ client.random ‖ server.random` (RFC 5216 style);
//!   RFC 9930 §3.10 says `0x37 ‖ tls-unique`, which rustls does not expose (the client
//!   Finished is encrypted on the wire): we make FreeRADIUS's, as for the other methods
//!   (TLS 1.3: RFC 9427's Method-Id, as both say);
//! - it never sends an Error TLV with an Intermediate-Result Failure (RFC 9930 §3.6 says
//!   SHOULD): a rejected inner method ends in a bare EAP-Failure, so the identity and
//!   method we had just answered for name the failure ([`phase2::Phase2::failure_cause`]);
//! - it keeps the MSK and EMSK S-IMCK chains apart and advances the EMSK one only in rounds
//!   whose inner method exported an EMSK ([`crate::crypto::teap::Chain`]);
//! - its Result TLV comes in the same message as the last Intermediate-Result and
//!   Crypto-Binding (RFC 9930 allows it; we answer all three at once).

pub(crate) mod phase2;

use self::phase2::Phase2;
use super::tls_core::keys::TunnelKeys;
use super::tls_core::{InTunnel, Negotiated, TlsMethod, TlsSession, fail};
use super::{Ctx, Step};
use crate::config::Config;
use crate::crypto::teap::{PrfHash, S_IMCK_LEN, SESSION_KEY_SEED_LABEL};
use crate::diagnosis::{Cause, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Keys;
use crate::method_type::MethodType;
use crate::secret::Secret;
use crate::wire::teap::{FLAG_OUTER_TLVS, TEAP_VERSION, split_outer_tlvs};
use crate::wire::tls_frame::TlsFrame;
use alloc::vec::Vec;
use core::ops::ControlFlow;
use zeroize::Zeroizing;

/// The TEAP peer method.
pub(crate) type Teap = TlsMethod<Up>;

/// TEAP once the tunnel is up: phase 2.
#[derive(Debug)]
pub(crate) struct Up {
    phase2: Phase2,
}

impl InTunnel for Up {
    const METHOD: MethodType = MethodType::Teap;
    const VERSION: u8 = TEAP_VERSION;
    const PACKET: &'static str = "TEAP packet";
    const NOT_START: &'static str = "a TEAP request without the Start flag";

    /// The Start: the S flag, no TLS data; with the O flag, its Outer TLVs (RFC 9930 §4.1),
    /// which the Compound MAC covers.
    fn check_start(frame: &TlsFrame<'_>) -> Result<Vec<u8>, Step> {
        let malformed = |error| {
            fail(
                Phase::MethodNegotiation,
                Cause::Protocol(ProtocolViolation::Malformed {
                    what: "TEAP Start",
                    error,
                }),
            )
        };
        let flags = frame.flags();
        let (tls, outer) = split_outer_tlvs(flags, frame.data).map_err(malformed)?;
        if !frame.start || frame.more || !tls.is_empty() {
            let mut bare = *frame;
            bare.data = tls;
            bare.reserved &= !FLAG_OUTER_TLVS;
            super::tls_core::check_start(&bare, Self::NOT_START)?;
        }
        Ok(outer.to_vec())
    }

    /// Phase 2 begins with whatever TLVs came with the server's last flight (TLS 1.2:
    /// FreeRADIUS sends its first TLVs after our acknowledgement).
    fn up(
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        keys: TunnelKeys,
        negotiated: Negotiated,
        _id: u8,
    ) -> (Self, Step) {
        let hash = PrfHash::of_suite(negotiated.suite);
        let mut seed = Zeroizing::new([0u8; S_IMCK_LEN]);
        let phase2 = match tls
            .tunnel()
            .export(SESSION_KEY_SEED_LABEL, None, &mut seed[..])
        {
            Ok(()) => Phase2::new(
                hash,
                &Secret::new(*seed),
                tls.server_outer_tlvs().to_vec(),
                keys.session_id,
            ),
            Err(e) => {
                // Still a state to be in; the failure ends the authentication.
                let up = Up {
                    phase2: Phase2::new(
                        hash,
                        &Secret::new([0; S_IMCK_LEN]),
                        Vec::new(),
                        Vec::new(),
                    ),
                };
                return (up, tls.failure(ctx, e));
            }
        };
        let mut up = Up { phase2 };
        let step = up.inner(ctx, tls);
        (up, step)
    }

    fn process(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        frame: &TlsFrame<'_>,
        _id: u8,
    ) -> Step {
        if frame.reserved & FLAG_OUTER_TLVS != 0 {
            return fail(
                self.phase(),
                Cause::Protocol(ProtocolViolation::Unexpected(
                    "TEAP Outer TLVs after the Start",
                )),
            );
        }
        if let ControlFlow::Break(step) = tls.framing(ctx, frame, self.phase()) {
            return step;
        }
        self.inner(ctx, tls)
    }

    fn keys(&self) -> Option<&Keys> {
        self.phase2.keys()
    }

    fn phase(&self) -> Phase {
        self.phase2.phase()
    }

    fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        self.phase2.failure_cause(config, last_sent)
    }

    /// Silence after the server's refusal inside the tunnel has that cause.
    fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        self.phase2
            .server_reported_failure()
            .then(|| self.phase2.failure_cause(config, last_sent))
    }

    fn premature_success(&self) -> PrematureSuccess {
        PrematureSuccess::EapSuccessBeforeResult
    }

    /// The caller's new password: the inner EAP-MSCHAPv2's Change-Password, in an
    /// EAP-Payload TLV through the tunnel.
    fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        password: &crate::secret::Password,
    ) -> Option<Step> {
        let step = self.phase2.new_password(ctx, password)?;
        Some(tls.answer(ctx, step))
    }
}

impl Up {
    /// The TLVs that came in this message, answered through the tunnel.
    fn inner(&mut self, ctx: &mut Ctx<'_>, tls: &mut TlsSession) -> Step {
        let plaintext = match tls.read_plaintext(ctx) {
            Ok(p) => p,
            Err(step) => return step,
        };
        if plaintext.is_empty() {
            return tls.flush(ctx.config, SentMessage::TlsClientFinished);
        }
        let step = self.phase2.process(ctx, &plaintext);
        tls.answer(ctx, step)
    }
}
