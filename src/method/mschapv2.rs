//! EAP-MSCHAPv2 peer (draft-kamath-pppext-eap-mschapv2; [RFC 2759](https://www.rfc-editor.org/rfc/rfc2759)).
//!
//! States: `ExpectChallenge` → (Response sent) `ExpectResult` → `Succeeded` (authenticator
//! response verified, Success acknowledged, the MSK kept), `Unproven` (a Success whose
//! authenticator response did not verify) or `Failed` (the server's Failure parsed and
//! acknowledged). The Success is only acknowledged after the authenticator response has
//! been checked in constant time: a server that cannot prove it knows the password gets no
//! ack. The states carry the outcome; a parent reads it as an [`Outcome`].

use super::{Ctx, Step};
use crate::config::{Config, Credential};
use crate::crypto::mppe::mschapv2_msk;
use crate::crypto::mschapv2::{
    authenticator_response_matches, generate_authenticator_response, generate_nt_response,
    nt_password_hash,
};
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Event;
use crate::method_type::MethodType;
use crate::secret::{Msk, NtHash};
use crate::wire::mschapv2::{MsChapV2, SuccessMessage};
use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

#[derive(Debug)]
enum State {
    ExpectChallenge,
    /// Our NT-Response went out: the authenticator response the server must prove, and
    /// the MSK it leads to.
    ExpectResult {
        expected: [u8; 20],
        msk: Msk,
    },
    Succeeded {
        msk: Msk,
    },
    /// The server's Success did not prove it knows the password.
    Unproven,
    /// The server's Failure.
    Failed(FailureInfo),
}

/// How far the exchange got, for the parent's decision and diagnoses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// No NT-Response of ours yet.
    NotResponded,
    /// Our NT-Response went out; the server has not proved itself (no verdict yet, or a
    /// Success whose authenticator response did not verify).
    Responded,
    /// The server proved it knows the password: the MSK.
    Succeeded(&'a Msk),
    /// The server's Failure (before or after our NT-Response).
    Failed(&'a FailureInfo),
}

/// What the server said in an MSCHAPv2 Failure: its text "E=... R=... M=..."
/// ([RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6)), read by
/// [`Cause::mschap_failure`] (the one reading, shared with the capture explainer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailureInfo {
    text: Vec<u8>,
}

impl FailureInfo {
    /// Keeps the failure text.
    pub(crate) fn parse(text: &[u8]) -> FailureInfo {
        FailureInfo {
            text: text.to_vec(),
        }
    }

    /// The cause it gives an EAP-Failure: the server's own words on `config`'s user.
    pub(crate) fn cause(&self, config: &Config) -> Cause {
        Cause::mschap_failure(config.identity().to_string(), &self.text)
    }
}

/// The EAP-MSCHAPv2 peer.
#[derive(Debug)]
pub(crate) struct MsChapV2Peer {
    /// The NT hash of the user's password (what MSCHAPv2 proves knowledge of).
    hash: NtHash,
    state: State,
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
        }
    }

    /// How far the exchange got.
    pub(crate) fn outcome(&self) -> Outcome<'_> {
        match &self.state {
            State::ExpectChallenge => Outcome::NotResponded,
            State::ExpectResult { .. } | State::Unproven => Outcome::Responded,
            State::Succeeded { msk } => Outcome::Succeeded(msk),
            State::Failed(info) => Outcome::Failed(info),
        }
    }

    /// The MSK once the server has proved it knows the password.
    pub(crate) fn msk(&self) -> Option<&Msk> {
        match self.outcome() {
            Outcome::Succeeded(msk) => Some(msk),
            Outcome::NotResponded | Outcome::Responded | Outcome::Failed(_) => None,
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
        // A new Challenge (after a Failure, say) is a new round: its outcome is what counts.
        self.state = State::ExpectResult { expected, msk };
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
        let (expected, msk) = match &self.state {
            State::ExpectResult { expected, msk } => (expected, msk),
            // Retransmissions are answered by the peer layer (same Identifier, same
            // octets) before they reach a method: this is a second, new Success.
            State::Succeeded { .. } => {
                return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                    "a second MSCHAPv2 Success",
                )));
            }
            State::ExpectChallenge | State::Unproven | State::Failed(_) => {
                return fail(Cause::PrematureSuccess(
                    PrematureSuccess::MschapSuccessBeforeResponse,
                ));
            }
        };
        let verified = SuccessMessage::parse(message)
            .map(|m| authenticator_response_matches(expected, &m.authenticator_response))
            .unwrap_or(false);
        if !verified {
            self.state = State::Unproven;
            return fail(Cause::AuthenticatorResponseMismatch);
        }
        // The next state owns a copy; the old one is wiped as it is dropped.
        self.state = State::Succeeded { msk: msk.clone() };
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
        self.state = State::Failed(FailureInfo::parse(message));
        Step::Respond {
            data: vec![4],
            sent: SentMessage::MschapFailureAck,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;

    fn config() -> Config {
        Config::builder("bob")
            .password("pw")
            .danger_accept_any_server_certificate()
            .build()
            .unwrap()
    }

    fn step(peer: &mut MsChapV2Peer, config: &Config, packet: MsChapV2<'_>) -> Step {
        let mut out = VecDeque::new();
        let mut ctx = Ctx {
            config,
            out: &mut out,
            clockless_floor: &mut None,
        };
        peer.process(&mut ctx, &packet.with_ms_length().to_vec())
    }

    fn challenge() -> MsChapV2<'static> {
        MsChapV2::Challenge {
            id: 1,
            ms_length: 0,
            challenge: [9; 16],
            name: b"server",
        }
    }

    fn success(message: &[u8]) -> MsChapV2<'_> {
        MsChapV2::Success {
            id: 1,
            ms_length: 0,
            message,
        }
    }

    fn cause(step: &Step) -> &Cause {
        let Step::Fail { diagnosis, .. } = step else {
            panic!("not a failure: {step:?}");
        };
        &diagnosis.cause
    }

    fn peer(config: &Config) -> MsChapV2Peer {
        MsChapV2Peer::new(config.credential.as_ref().unwrap())
    }

    /// The Success the server would send to our response: its proof of the password.
    fn proof(response: &[u8]) -> Vec<u8> {
        let Ok(MsChapV2::Response {
            peer_challenge,
            nt_response,
            ..
        }) = MsChapV2::parse(response)
        else {
            panic!("not a response");
        };
        let hash = nt_password_hash("pw");
        let expected =
            generate_authenticator_response(&hash, &nt_response, &peer_challenge, &[9; 16], b"bob");
        let mut message = b"S=".to_vec();
        for b in expected {
            message.extend_from_slice(alloc::format!("{b:02X}").as_bytes());
        }
        message
    }

    #[test]
    fn the_states_carry_the_outcome() {
        let c = config();
        let mut p = peer(&c);
        assert!(matches!(p.outcome(), Outcome::NotResponded));
        let early = step(&mut p, &c, success(b"S=00"));
        assert!(matches!(
            cause(&early),
            Cause::PrematureSuccess(PrematureSuccess::MschapSuccessBeforeResponse)
        ));
        let Step::Respond { data: response, .. } = step(&mut p, &c, challenge()) else {
            panic!("no response");
        };
        assert!(matches!(p.outcome(), Outcome::Responded));
        let proof = proof(&response);
        let Step::Respond { data, .. } = step(&mut p, &c, success(&proof)) else {
            panic!("the proof was refused");
        };
        assert_eq!(data, [3]);
        assert!(matches!(p.outcome(), Outcome::Succeeded(_)));
        assert!(p.msk().is_some());
        let again = step(&mut p, &c, success(&proof));
        assert!(matches!(cause(&again), Cause::Protocol(_)));
    }

    #[test]
    fn an_unproven_success_is_no_success() {
        let c = config();
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let wrong = alloc::format!("S={}", "0".repeat(40));
        let refused = step(&mut p, &c, success(wrong.as_bytes()));
        assert_eq!(cause(&refused), &Cause::AuthenticatorResponseMismatch);
        assert!(matches!(p.outcome(), Outcome::Responded));
        assert!(p.msk().is_none());
    }

    #[test]
    fn a_failure_is_kept_with_its_words() {
        let c = config();
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let message = b"E=691 R=0 C=00000000000000000000000000000000 V=3 M=bad password";
        let Step::Respond { data, .. } = step(
            &mut p,
            &c,
            MsChapV2::Failure {
                id: 1,
                ms_length: 0,
                message,
            },
        ) else {
            panic!("no ack");
        };
        assert_eq!(data, [4]);
        let Outcome::Failed(info) = p.outcome() else {
            panic!("no failure");
        };
        assert!(matches!(
            info.cause(&c),
            Cause::MschapFailure { error: 691, retry: false, ref message, .. }
                if message.as_deref() == Some("bad password")
        ));
    }
}
