//! EAP-MSCHAPv2 peer (draft-kamath-pppext-eap-mschapv2; [RFC 2759](https://www.rfc-editor.org/rfc/rfc2759)).
//!
//! States: `ExpectChallenge` → (Response sent) `ExpectResult` → `Succeeded` (authenticator
//! response verified, Success acknowledged) or `Failed` (Failure parsed and acknowledged).
//! The Success is only acknowledged after the authenticator response has been checked in
//! constant time: a server that cannot prove it knows the password gets no ack.

use super::{Ctx, Step};
use crate::config::Credential;
use crate::crypto::mppe::mschapv2_msk;
use crate::crypto::mschapv2::{
    authenticator_response_matches, generate_authenticator_response, generate_nt_response,
    nt_password_hash,
};
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Event;
use crate::secret::{Msk, NtHash};
use crate::wire::eap::MethodType;
use crate::wire::mschapv2::{FailureMessage, MsChapV2, SuccessMessage};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;

#[derive(Debug)]
enum State {
    ExpectChallenge,
    ExpectResult { expected: [u8; 20], msk: Msk },
    Succeeded { msk: Msk },
    Failed,
}

/// What the server said in an MSCHAPv2 Failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailureInfo {
    pub(crate) error: u32,
    pub(crate) retry: bool,
    pub(crate) message: Option<String>,
}

impl FailureInfo {
    /// Reads the failure text "E=... R=... M=..." ([RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6));
    /// text that does not parse is kept whole as the message, with error 0.
    pub(crate) fn parse(text: &[u8]) -> FailureInfo {
        match FailureMessage::parse(text) {
            Ok(m) => FailureInfo {
                error: m.error,
                retry: m.retry,
                message: m.message.map(|t| String::from_utf8_lossy(t).to_string()),
            },
            Err(_) => FailureInfo {
                error: 0,
                retry: false,
                message: Some(String::from_utf8_lossy(text).to_string()),
            },
        }
    }
}

/// The EAP-MSCHAPv2 peer.
#[derive(Debug)]
pub(crate) struct MsChapV2Peer {
    /// The NT hash of the user's password (what MSCHAPv2 proves knowledge of).
    hash: NtHash,
    state: State,
    /// The server's Failure, if one came.
    pub(crate) failure: Option<FailureInfo>,
    /// True once our NT-Response has left.
    pub(crate) responded: bool,
}

fn fail(cause: Cause) -> Step {
    Step::Fail {
        data: None,
        diagnosis: Box::new(Diagnosis::new(Phase::InnerAuthentication, cause)),
    }
}

impl MsChapV2Peer {
    /// A peer proving knowledge of `credential`.
    pub(crate) fn new(credential: &Credential) -> Self {
        let hash = match credential {
            Credential::Password(p) => nt_password_hash(p.expose()),
            Credential::NtHash(h) => h.clone(),
        };
        MsChapV2Peer {
            hash,
            state: State::ExpectChallenge,
            failure: None,
            responded: false,
        }
    }

    /// The MSK once the server has proved it knows the password.
    pub(crate) fn msk(&self) -> Option<&Msk> {
        match &self.state {
            State::Succeeded { msk } => Some(msk),
            _ => None,
        }
    }

    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, data: &[u8]) -> Step {
        let packet = match MsChapV2::parse(data) {
            Ok(p) => p,
            Err(error) => {
                return fail(Cause::Protocol(ProtocolViolation::Malformed {
                    what: "MSCHAPv2 packet",
                    error,
                }));
            }
        };
        match packet {
            MsChapV2::Challenge { id, challenge, .. } => self.challenge(ctx, id, &challenge),
            MsChapV2::Success { message, .. } => self.success(ctx, message),
            MsChapV2::Failure { message, .. } => self.failure(message),
            // Acks, Change-Password and unknown OpCodes are not server requests.
            _ => fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "an MSCHAPv2 OpCode that is not a server request",
            ))),
        }
    }

    fn challenge(&mut self, ctx: &mut Ctx<'_>, id: u8, challenge: &[u8; 16]) -> Step {
        if matches!(self.state, State::Succeeded { .. }) {
            return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "an MSCHAPv2 Challenge after Success",
            )));
        }
        let mut peer_challenge = [0u8; 16];
        if !ctx.random(&mut peer_challenge) {
            return fail(Cause::RandomFailure);
        }
        let hash = &self.hash;
        let user = ctx.config.identity.as_bytes();
        let nt_response = generate_nt_response(challenge, &peer_challenge, user, hash);
        let expected =
            generate_authenticator_response(hash, &nt_response, &peer_challenge, challenge, user);
        let msk = mschapv2_msk(hash, &nt_response);
        self.state = State::ExpectResult { expected, msk };
        self.responded = true;
        let response = MsChapV2::Response {
            id,
            ms_length: 0,
            peer_challenge,
            reserved: [0; 8],
            nt_response,
            flags: 0,
            name: user,
        }
        .with_ms_length();
        Step::Respond {
            data: response.to_vec(),
            sent: SentMessage::MschapResponse,
        }
    }

    fn success(&mut self, ctx: &mut Ctx<'_>, message: &[u8]) -> Step {
        let State::ExpectResult { expected, .. } = &self.state else {
            if matches!(self.state, State::Succeeded { .. }) {
                // Retransmissions are answered by the peer layer (same Identifier, same
                // octets) before they reach a method: this is a second, new Success.
                return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                    "a second MSCHAPv2 Success",
                )));
            }
            return fail(Cause::PrematureSuccess(
                PrematureSuccess::MschapSuccessBeforeResponse,
            ));
        };
        let verified = SuccessMessage::parse(message)
            .map(|m| authenticator_response_matches(expected, &m.authenticator_response))
            .unwrap_or(false);
        if !verified {
            self.state = State::Failed;
            return fail(Cause::AuthenticatorResponseMismatch);
        }
        let State::ExpectResult { msk, .. } = core::mem::replace(&mut self.state, State::Failed)
        else {
            unreachable!("checked above");
        };
        self.state = State::Succeeded { msk };
        ctx.emit(Event::InnerMethodSucceeded {
            method: MethodType::MsChapV2,
        });
        Step::Respond {
            data: vec![3],
            sent: SentMessage::MschapSuccessAck,
        }
    }

    fn failure(&mut self, message: &[u8]) -> Step {
        if matches!(self.state, State::Succeeded { .. }) {
            return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "an MSCHAPv2 Failure after Success",
            )));
        }
        let info = FailureInfo::parse(message);
        self.failure = Some(info);
        self.state = State::Failed;
        Step::Respond {
            data: vec![4],
            sent: SentMessage::MschapFailureAck,
        }
    }
}
