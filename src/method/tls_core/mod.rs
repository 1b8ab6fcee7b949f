//! The skeleton every TLS-based method shares (PEAP, EAP-TLS, EAP-TTLS), written once:
//! the Start, the handshake, the end of the handshake (certificate verdict, key export,
//! `TunnelUp`), then the method's own part. A method implements [`InTunnel`] for what it does
//! once the tunnel is up and is a [`TlsMethod`] of it.
//!
//! States, named for what they wait for:
//! - `ExpectStart`: the method's Start, answered with our ClientHello;
//! - `Tls { tls, stage: Handshake }`: TLS handshake messages, reassembled from fragments
//!   and fed to the tunnel; our flights go out fragmented at the configured size;
//! - `Tls { tls, stage: Up(..) }`: the handshake is done, the server validated and the
//!   keys exported; the method's [`InTunnel`] state runs.
//!
//! One convention for state, here and in every method: a round works on its state in
//! place (`&mut`), and a transition assigns the next state, built from what the old one
//! lends. What every later state has sits beside the state that changes (the
//! [`TlsSession`] beside `Handshake | Up`), so a transition never has to move it out.
//!
//! The TLS part (framing, fragment ACKs both ways, reassembly cap, the handshake's facts,
//! failures) is [`TlsSession`]; the keys are [`keys::TunnelKeys`]. A method owns one
//! `TlsSession` from the moment it answers the Start; it only exists while a tunnel does,
//! so nothing here is optional. Nothing from an inner method leaves before the tunnel is up.

pub(crate) mod fragment;
pub(crate) mod keys;
mod session;

use self::keys::TunnelKeys;
use self::session::parse_frame;
pub(crate) use self::session::{Negotiated, TlsSession, check_start, fail};
use super::{Ctx, Decision, Step};
use crate::config::Config;
use crate::crypto::tls_keys::TLS12_KEY_LABEL;
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, SentMessage};
use crate::event::Keys;
use crate::method_type::MethodType;
use crate::secret::Password;
use crate::wire::tls_frame::TlsFrame;
use alloc::vec::Vec;
use core::ops::ControlFlow;

/// The TLS 1.3 server's protected success indication: one octet 0x00 of application data
/// ([RFC 9190 §2.5](https://www.rfc-editor.org/rfc/rfc9190#section-2.5)).
pub(crate) const PROTECTED_SUCCESS: &[u8] = &[0x00];

/// What a TLS method does once its tunnel is up: the part that differs between PEAP,
/// EAP-TLS and EAP-TTLS. The constants say what differs before.
pub(crate) trait InTunnel: Sized + core::fmt::Debug {
    /// The method's EAP Type (its Type-Code is the TLS 1.3 exporter context and the
    /// Session-Id's first octet).
    const METHOD: MethodType;
    /// The version bits of the flags octet we send.
    const VERSION: u8;
    /// Requests after the Start must carry [`InTunnel::VERSION`] (PEAP); otherwise the
    /// bits are reserved and ignored.
    const STRICT_VERSION: bool = false;
    /// The TLS 1.2 exporter label of the key material.
    const TLS12_KEY_LABEL: &'static [u8] = TLS12_KEY_LABEL;
    /// What a request is called when its frame does not parse.
    const PACKET: &'static str;
    /// A first request without the Start flag.
    const NOT_START: &'static str;

    /// Checks the method's Start; returns the Outer TLVs it carried (TEAP's, kept for the
    /// crypto-binding; none for the others, whose Start is the flags octet alone).
    fn check_start(frame: &TlsFrame<'_>) -> Result<Vec<u8>, Step> {
        check_start(frame, Self::NOT_START).map(|()| Vec::new())
    }

    /// The Start was accepted, before our ClientHello goes out.
    fn started(_ctx: &mut Ctx<'_>, _frame: &TlsFrame<'_>) {}

    /// The tunnel is up (`TunnelUp` announced, `keys` exported): the first state, and the
    /// answer to the request that finished the handshake (request Identifier `id`).
    fn up(
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        keys: TunnelKeys,
        negotiated: Negotiated,
        id: u8,
    ) -> (Self, Step);

    /// One request once the tunnel is up: its frame still to be passed through
    /// [`TlsSession::framing`].
    fn process(
        &mut self,
        ctx: &mut Ctx<'_>,
        tls: &mut TlsSession,
        frame: &TlsFrame<'_>,
        id: u8,
    ) -> Step;

    /// The caller's new password (after [`Event::NewPasswordRequired`](crate::Event::NewPasswordRequired)),
    /// answering the request that waits for it; `None` if none waits (the default: only
    /// methods with an inner MSCHAPv2 ask).
    fn new_password(
        &mut self,
        _ctx: &mut Ctx<'_>,
        _tls: &mut TlsSession,
        _password: &Password,
    ) -> Option<Step> {
        None
    }

    /// RFC 4137 decision: `CondSucc` once the method has its keys (the default: what
    /// PEAP, TTLS and TEAP decide), else `Fail`.
    fn decision(&self) -> Decision {
        if self.keys().is_some() {
            Decision::CondSucc
        } else {
            Decision::Fail
        }
    }
    /// The session keys, once the decision is `CondSucc`.
    fn keys(&self) -> Option<&Keys>;
    /// How far it got.
    fn phase(&self) -> Phase;
    /// What an EAP-Failure means.
    fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause;
    /// What silence means, when the method knows better than "no answer".
    fn silence_cause(&self, _config: &Config, _last_sent: SentMessage) -> Option<Cause> {
        None
    }
    /// An EAP-Success before `CondSucc`.
    fn premature_success(&self) -> PrematureSuccess;

    /// What an EAP-Failure during the handshake means.
    fn handshake_failure_cause(tls: &TlsSession, config: &Config, last_sent: SentMessage) -> Cause {
        tls.handshake_failure_cause(config, last_sent)
    }

    /// A failure decided by any round, read once more by the method (EAP-TLS names the
    /// alerts that refuse its certificate).
    fn refine_failure(_diagnosis: &mut Diagnosis) {}
}

/// Where a TLS method stands.
// One per authentication, and the large variant is the one that lives longest: a Box
// would add an allocation and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State<T> {
    ExpectStart,
    Tls { tls: TlsSession, stage: Stage<T> },
}

/// How far the TLS connection got.
#[derive(Debug)]
enum Stage<T> {
    Handshake,
    Up(T),
}

/// A TLS-based EAP method: the shared skeleton around its [`InTunnel`] part.
#[derive(Debug)]
pub(crate) struct TlsMethod<T> {
    state: State<T>,
}

impl<T: InTunnel> TlsMethod<T> {
    pub(crate) fn new() -> Self {
        TlsMethod {
            state: State::ExpectStart,
        }
    }

    fn up_state(&self) -> Option<&T> {
        match &self.state {
            State::Tls {
                stage: Stage::Up(up),
                ..
            } => Some(up),
            State::ExpectStart
            | State::Tls {
                stage: Stage::Handshake,
                ..
            } => None,
        }
    }

    /// RFC 4137 decision: only the method's part, once up, may say `CondSucc`.
    pub(crate) fn decision(&self) -> Decision {
        self.up_state().map_or(Decision::Fail, T::decision)
    }

    /// The session keys, once the decision is `CondSucc`.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        self.up_state().and_then(T::keys)
    }

    /// How far the method got.
    pub(crate) fn phase(&self) -> Phase {
        match &self.state {
            State::ExpectStart => Phase::MethodNegotiation,
            State::Tls { stage, .. } => match stage {
                Stage::Handshake => Phase::TlsHandshake,
                Stage::Up(up) => up.phase(),
            },
        }
    }

    /// What an EAP-Failure means after `last_sent`.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match &self.state {
            State::ExpectStart => Cause::FailureWithoutReason { after: last_sent },
            State::Tls { tls, stage } => match stage {
                Stage::Handshake => T::handshake_failure_cause(tls, config, last_sent),
                Stage::Up(up) => up.failure_cause(config, last_sent),
            },
        }
    }

    /// What silence means: only the method's part, once up, may know better.
    pub(crate) fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        self.up_state()?.silence_cause(config, last_sent)
    }

    /// An EAP-Success before `CondSucc`.
    pub(crate) fn premature_success(&self) -> PrematureSuccess {
        self.up_state().map_or(
            PrematureSuccess::EapSuccessInHandshake,
            T::premature_success,
        )
    }

    /// The caller's new password, once the tunnel is up and its method waits for one.
    pub(crate) fn new_password(&mut self, ctx: &mut Ctx<'_>, password: &Password) -> Option<Step> {
        match &mut self.state {
            State::Tls {
                tls,
                stage: Stage::Up(up),
            } => up.new_password(ctx, tls, password),
            State::ExpectStart
            | State::Tls {
                stage: Stage::Handshake,
                ..
            } => None,
        }
    }

    /// Processes the Type-Data of a request.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, id: u8, data: &[u8]) -> Step {
        let phase = self.phase();
        let frame = match parse_frame(data, T::PACKET, phase) {
            Ok(f) => f,
            Err(step) => return step,
        };
        let step = match &mut self.state {
            State::ExpectStart => match start::<T>(ctx, &frame) {
                Ok((tls, step)) => {
                    self.state = State::Tls {
                        tls,
                        stage: Stage::Handshake,
                    };
                    step
                }
                Err(step) => step,
            },
            State::Tls { tls, stage } => match stage {
                Stage::Handshake => handshake(ctx, tls, stage, &frame, phase, id),
                Stage::Up(up) => up.process(ctx, tls, &frame, id),
            },
        };
        match step {
            Step::Fail {
                data,
                mut diagnosis,
            } => {
                T::refine_failure(&mut diagnosis);
                Step::Fail { data, diagnosis }
            }
            other => other,
        }
    }
}

/// The Start: answered with our ClientHello.
// Not inlined (nor `finish_handshake`): their locals would otherwise sit in
// `TlsMethod::process`'s frame under every round's call into the TLS stack, the deepest
// path of an authentication.
#[inline(never)]
fn start<T: InTunnel>(ctx: &mut Ctx<'_>, frame: &TlsFrame<'_>) -> Result<(TlsSession, Step), Step> {
    let outer_tlvs = T::check_start(frame)?;
    T::started(ctx, frame);
    TlsSession::start(ctx, T::METHOD, T::VERSION, T::STRICT_VERSION, outer_tlvs)
}

/// One request of the handshake; at its end the verdict (enforced by
/// [`TlsSession::handshake_done`]), the keys, `TunnelUp`, and the method's first state.
fn handshake<T: InTunnel>(
    ctx: &mut Ctx<'_>,
    tls: &mut TlsSession,
    stage: &mut Stage<T>,
    frame: &TlsFrame<'_>,
    phase: Phase,
    id: u8,
) -> Step {
    if let ControlFlow::Break(step) = tls.advance_handshake(ctx, frame, phase) {
        return step;
    }
    finish_handshake(ctx, tls, stage, id)
}

/// The end of the handshake: the verdict, the keys, `TunnelUp`, the method's first state.
#[inline(never)]
fn finish_handshake<T: InTunnel>(
    ctx: &mut Ctx<'_>,
    tls: &mut TlsSession,
    stage: &mut Stage<T>,
    id: u8,
) -> Step {
    let negotiated = match tls.handshake_done(ctx) {
        Ok(n) => n,
        Err(step) => return step,
    };
    let keys = match tls.export_keys(negotiated.version, T::METHOD, T::TLS12_KEY_LABEL) {
        Ok(k) => k,
        Err(e) => return tls.failure(ctx, e),
    };
    ctx.emit(negotiated.tunnel_up());
    let (up, step) = T::up(ctx, tls, keys, negotiated, id);
    *stage = Stage::Up(up);
    step
}
