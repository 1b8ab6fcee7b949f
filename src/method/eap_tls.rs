//! EAP-TLS peer ([RFC 5216](https://www.rfc-editor.org/rfc/rfc5216); TLS 1.3 per
//! [RFC 9190](https://www.rfc-editor.org/rfc/rfc9190); EAP method 13): mutual
//! authentication with certificates, no inner method.
//!
//! The Start and the handshake (with our certificate when the server asks) are the
//! [`tls_core`](super::tls_core) skeleton's; once the handshake is done on our side and the
//! keys exported, EAP-TLS waits, in [`Up`]:
//! - `ExpectCommitment` (TLS 1.3): the server must still send its protected success
//!   indication, one octet 0x00 of application data (RFC 9190 §2.5), before an EAP-Success
//!   may be honoured;
//! - `Authenticated`: the handshake is complete on both sides; we acknowledged the server's
//!   last message and wait for EAP-Success (decision `CondSucc`).
//!
//! Our certificate leaves only inside a handshake whose server certificate is validated by
//! the connector's verifier, as for every TLS method.

use super::tls_core::keys::TunnelKeys;
use super::tls_core::{InTunnel, Negotiated, PROTECTED_SUCCESS, TlsMethod, TlsSession, fail};
use super::{Ctx, Decision, Step};
use crate::config::Config;
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Keys;
use crate::method_type::MethodType;
use crate::tls::TlsVersion;
use crate::wire::tls_frame::TlsFrame;
use core::ops::ControlFlow;

/// The EAP-TLS peer method.
pub(crate) type EapTls = TlsMethod<Up>;

/// TLS alerts by which a server refuses a client certificate (RFC 8446 §6.2).
fn refuses_certificate(alert: u8) -> bool {
    matches!(alert, 42..=46 | 48 | 49 | 116)
}

/// What EAP-TLS waits for once the handshake is done on our side.
#[derive(Debug)]
enum Stage {
    ExpectCommitment,
    Authenticated,
}

/// EAP-TLS once the handshake is done on our side: the keys, and what is still awaited.
#[derive(Debug)]
pub(crate) struct Up {
    keys: Keys,
    stage: Stage,
}

impl InTunnel for Up {
    const METHOD: MethodType = MethodType::Tls;
    /// Reserved, zero.
    const VERSION: u8 = 0;
    const PACKET: &'static str = "EAP-TLS packet";
    const NOT_START: &'static str = "an EAP-TLS request without the Start flag";

    /// Resumed (RFC 5216 §2.1.2, RFC 9190 §2.1.3): no certificates either way, the same
    /// keys derivation, and under TLS 1.3 the same commitment before EAP-Success.
    fn up(
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        keys: TunnelKeys,
        negotiated: Negotiated,
        _id: u8,
    ) -> (Self, Step) {
        let keys = keys.plain_keys();
        if negotiated.version >= TlsVersion::TLS13 {
            // Our Certificate, CertificateVerify and Finished go out now; the server's
            // commitment (or its alert refusing our certificate) comes next.
            let step = tls.flush(ctx.config, SentMessage::TlsClientFinished);
            let stage = Stage::ExpectCommitment;
            return (Up { keys, stage }, step);
        }
        // TLS 1.2: the server's Finished was its last handshake message; we acknowledge it.
        let step = tls.flush(ctx.config, SentMessage::TlsAck);
        let stage = Stage::Authenticated;
        (Up { keys, stage }, step)
    }

    fn process(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        frame: &TlsFrame<'_>,
        _id: u8,
    ) -> Step {
        if let ControlFlow::Break(step) = tls.framing(ctx, frame, self.phase()) {
            return step;
        }
        if let Stage::ExpectCommitment = self.stage {
            match commitment(ctx, tls) {
                Err(step) => return step,
                Ok(true) => self.stage = Stage::Authenticated,
                // A NewSessionTicket before the commitment: acknowledged, still waiting.
                Ok(false) => {}
            }
        }
        // Once authenticated, only post-handshake records (tickets) may still come; they
        // are ACKed.
        tls.flush(ctx.config, SentMessage::TlsAck)
    }

    /// `CondSucc` once the handshake is complete on both sides (TLS 1.3: after the
    /// server's commitment).
    fn decision(&self) -> Decision {
        match self.stage {
            Stage::Authenticated => Decision::CondSucc,
            Stage::ExpectCommitment => Decision::Fail,
        }
    }

    fn keys(&self) -> Option<&Keys> {
        match self.stage {
            Stage::Authenticated => Some(&self.keys),
            Stage::ExpectCommitment => None,
        }
    }

    fn phase(&self) -> Phase {
        match self.stage {
            Stage::ExpectCommitment => Phase::TlsHandshake,
            Stage::Authenticated => Phase::Completion,
        }
    }

    /// After our last flight, most likely our certificate (the server's log says why).
    fn failure_cause(&self, _config: &Config, last_sent: SentMessage) -> Cause {
        match self.stage {
            Stage::ExpectCommitment => Cause::FailureAfterClientCertificate,
            Stage::Authenticated => Cause::FailureWithoutReason { after: last_sent },
        }
    }

    fn premature_success(&self) -> PrematureSuccess {
        match self.stage {
            Stage::ExpectCommitment => PrematureSuccess::EapSuccessBeforeCommitment,
            Stage::Authenticated => PrematureSuccess::EapSuccessInHandshake,
        }
    }

    /// During the handshake: the server refused what we offered (right after our
    /// ClientHello) or ended it without an alert; after our second flight, which carries
    /// our certificate (the server asked for it), most likely that certificate.
    fn handshake_failure_cause(tls: &TlsSession, config: &Config, last_sent: SentMessage) -> Cause {
        if tls.flights_sent() >= 2 {
            Cause::FailureAfterClientCertificate
        } else {
            tls.handshake_failure_cause(config, last_sent)
        }
    }

    /// A TLS alert after the server chose (our certificate may have gone out) that refuses
    /// a certificate is the server refusing ours.
    fn refine_failure(diagnosis: &mut Diagnosis) {
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
    }
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
