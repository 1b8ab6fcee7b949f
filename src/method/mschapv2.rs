//! EAP-MSCHAPv2 peer (draft-kamath-pppext-eap-mschapv2; [RFC 2759](https://www.rfc-editor.org/rfc/rfc2759)).
//!
//! States: `ExpectChallenge` → (Response sent) `ExpectResult` → `Succeeded` (authenticator
//! response verified, Success acknowledged, the MSK kept), `Unproven` (a Success whose
//! authenticator response did not verify) or `Failed` (the server's Failure parsed and
//! acknowledged). The Success is only acknowledged after the authenticator response has
//! been checked in constant time: a server that cannot prove it knows the password gets no
//! ack. The states carry the outcome; a parent reads it as an [`Outcome`].
//!
//! Two Failures are answered with another try instead of an ack
//! ([RFC 2759 §6, §7](https://www.rfc-editor.org/rfc/rfc2759#section-6)):
//! - `E=648` (password expired) after our Response, with the server's new challenge
//!   (`C=`) and change protocol 3: a Change-Password packet, with the configured new
//!   password; without one, when the caller asked to be asked
//!   ([`ConfigBuilder::ask_for_new_password`](crate::ConfigBuilder::ask_for_new_password)),
//!   `AwaitNewPassword` until [`MsChapV2Peer::new_password`] brings it (the caller's
//!   [`Input::NewPassword`](crate::Input::NewPassword)). Once: a second 648, or 709, is
//!   the server refusing the change;
//! - `E=691 R=1` (retry allowed) with a `C=` challenge, while the retry budget
//!   ([`Limits::mschapv2_retries`](crate::Limits::mschapv2_retries), default 0) lasts:
//!   a new Response to that challenge, with the retry password if one is configured.

use super::{Ctx, Step};
use crate::config::{Config, Credential};
use crate::crypto::mppe::mschapv2_msk;
use crate::crypto::mschapv2::{
    authenticator_response_matches, generate_authenticator_response, generate_nt_response,
    nt_password_hash,
};
use crate::crypto::password_change::{
    PW_BLOCK_PASSWORD_LEN, new_password_encrypted_with_old_nt_password_hash,
    old_nt_password_hash_encrypted_with_new_nt_password_hash,
};
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Event;
use crate::method_type::MethodType;
use crate::secret::{Msk, NtHash, Password};
use crate::wire::mschapv2::{FailureMessage, MsChapV2, SuccessMessage, error_code};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use zeroize::Zeroizing;

/// What our last message to the server was: its result is read accordingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// A Response to the server's Challenge.
    Response,
    /// A Response to the new challenge of a Failure that allowed a retry.
    Retry,
    /// A Change-Password packet with the new password.
    ChangePassword,
}

#[derive(Debug)]
enum State {
    ExpectChallenge,
    /// Our NT-Response went out: the authenticator response the server must prove, and
    /// the MSK it leads to.
    ExpectResult {
        expected: [u8; 20],
        msk: Msk,
        sent: Sent,
    },
    Succeeded {
        msk: Msk,
    },
    /// The server's Success did not prove it knows the password.
    Unproven,
    /// The server's Failure.
    Failed(FailureInfo),
    /// The server said the password expired; the caller was asked for a new one
    /// ([`Event::NewPasswordRequired`]) and the Change-Password waits for it.
    AwaitNewPassword {
        /// The Failure's MS-CHAPv2-ID and new challenge.
        ms_id: u8,
        challenge: [u8; 16],
        /// The Identifier of the EAP request that carried it (the answer's).
        eap_id: u8,
        /// The Failure, for the diagnosis if the caller never answers.
        info: FailureInfo,
    },
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
/// [`Cause::mschap_failure`] (the one reading, shared with the capture explainer), and
/// whether it answered our Change-Password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailureInfo {
    text: Vec<u8>,
    after_change: bool,
}

impl FailureInfo {
    /// Keeps the failure text.
    pub(crate) fn parse(text: &[u8]) -> FailureInfo {
        FailureInfo {
            text: text.to_vec(),
            after_change: false,
        }
    }

    /// The cause it gives an EAP-Failure: the server's own words on `config`'s user.
    pub(crate) fn cause(&self, config: &Config) -> Cause {
        let cause = Cause::mschap_failure(config.identity().to_string(), &self.text);
        if self.after_change {
            cause.after_password_change()
        } else {
            cause
        }
    }
}

/// The EAP-MSCHAPv2 peer.
#[derive(Debug)]
pub(crate) struct MsChapV2Peer {
    /// The NT hash of the password of our last Response (what MSCHAPv2 proves knowledge
    /// of): the configured one, the retry password's, or the new password's.
    hash: NtHash,
    /// Retries (E=691 R=1) still allowed.
    retries_left: u32,
    state: State,
}

fn fail(cause: Cause) -> Step {
    Step::Fail {
        data: None,
        diagnosis: Box::new(Diagnosis::new(Phase::InnerAuthentication, cause)),
    }
}

fn hash_of(credential: &Credential) -> NtHash {
    match credential {
        Credential::Password(p) => nt_password_hash(p.expose()),
        Credential::NtHash(h) => h.clone(),
    }
}

impl MsChapV2Peer {
    /// A peer proving knowledge of `credential`, allowed `retries` retries.
    pub(crate) fn new(credential: &Credential, retries: u32) -> Self {
        MsChapV2Peer {
            hash: hash_of(credential),
            retries_left: retries,
            state: State::ExpectChallenge,
        }
    }

    /// How far the exchange got.
    pub(crate) fn outcome(&self) -> Outcome<'_> {
        match &self.state {
            State::ExpectChallenge => Outcome::NotResponded,
            State::ExpectResult { .. } | State::Unproven => Outcome::Responded,
            State::Succeeded { msk } => Outcome::Succeeded(msk),
            State::Failed(info) | State::AwaitNewPassword { info, .. } => Outcome::Failed(info),
        }
    }

    /// The MSK once the server has proved it knows the password.
    pub(crate) fn msk(&self) -> Option<&Msk> {
        match self.outcome() {
            Outcome::Succeeded(msk) => Some(msk),
            Outcome::NotResponded | Outcome::Responded | Outcome::Failed(_) => None,
        }
    }

    /// One request's Type-Data; `eap_id` is the Identifier of the EAP request that
    /// carried it (kept when the answer waits for the caller).
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, eap_id: u8, data: &[u8]) -> Step {
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
            MsChapV2::Failure { id, message, .. } => self.failure(ctx, id, eap_id, message),
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
        // A new Challenge (after a Failure, say) is a new round: its outcome is what counts.
        self.respond(ctx, id, challenge, Sent::Response)
    }

    /// Our Response to `challenge` (the Challenge's, or a retry's `C=`) with `self.hash`.
    fn respond(&mut self, ctx: &mut Ctx<'_>, id: u8, challenge: &[u8; 16], sent: Sent) -> Step {
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
        self.state = State::ExpectResult {
            expected,
            msk,
            sent,
        };
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
        let (expected, msk, sent) = match &self.state {
            State::ExpectResult {
                expected,
                msk,
                sent,
            } => (expected, msk, *sent),
            // Retransmissions are answered by the peer layer (same Identifier, same
            // octets) before they reach a method: this is a second, new Success.
            State::Succeeded { .. } => {
                return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                    "a second MSCHAPv2 Success",
                )));
            }
            State::ExpectChallenge
            | State::Unproven
            | State::Failed(_)
            | State::AwaitNewPassword { .. } => {
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
        let changed = sent == Sent::ChangePassword;
        // The next state owns a copy; the old one is wiped as it is dropped.
        self.state = State::Succeeded { msk: msk.clone() };
        if changed {
            ctx.emit(Event::PasswordChanged);
        }
        ctx.emit(Event::InnerMethodSucceeded {
            method: MethodType::MsChapV2,
        });
        Step::Respond {
            data: vec![3],
            sent: SentMessage::MschapSuccessAck,
        }
    }

    fn failure(&mut self, ctx: &mut Ctx<'_>, ms_id: u8, eap_id: u8, message: &[u8]) -> Step {
        let sent = match &self.state {
            State::Succeeded { .. } => {
                return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                    "an MSCHAPv2 Failure after Success",
                )));
            }
            State::ExpectResult { sent, .. } => Some(*sent),
            // A Failure before our Response (or after an earlier one) gets no second try:
            // nothing of ours was judged.
            State::ExpectChallenge
            | State::Unproven
            | State::Failed(_)
            | State::AwaitNewPassword { .. } => None,
        };
        let mut info = FailureInfo::parse(message);
        let parsed = FailureMessage::parse(message).ok();
        match (sent, parsed) {
            // Our change was refused (709), or the password is still expired (648 once
            // more): diagnosed as the change's failure, never answered with another one.
            (Some(Sent::ChangePassword), _) => info.after_change = true,
            (Some(_), Some(f)) if f.error == error_code::PASSWD_EXPIRED && change_possible(&f) => {
                let challenge = f.challenge.unwrap_or_default();
                if let Some(new) = &ctx.config.new_password {
                    let new = new.clone();
                    return self.change_password(ctx, ms_id, &challenge, &new);
                }
                if ctx.config.ask_new_password {
                    ctx.emit(Event::NewPasswordRequired {
                        server_message: server_message(&f),
                    });
                    self.state = State::AwaitNewPassword {
                        ms_id,
                        challenge,
                        eap_id,
                        info,
                    };
                    return Step::Wait;
                }
            }
            (Some(_), Some(f))
                if f.error == error_code::AUTHENTICATION_FAILURE
                    && f.retry
                    && self.retries_left > 0 =>
            {
                if let Some(challenge) = f.challenge {
                    self.retries_left -= 1;
                    if let Some(p) = &ctx.config.retry_password {
                        self.hash = nt_password_hash(p.expose());
                    }
                    ctx.emit(Event::PasswordRetry {
                        server_message: server_message(&f),
                        retries_left: self.retries_left,
                    });
                    return self.respond(ctx, ms_id.wrapping_add(1), &challenge, Sent::Retry);
                }
            }
            _ => {}
        }
        self.state = State::Failed(info);
        Step::Respond {
            data: vec![4],
            sent: SentMessage::MschapFailureAck,
        }
    }

    /// The caller's new password, after [`Event::NewPasswordRequired`]: the EAP Identifier
    /// of the request it answers and the Change-Password packet; `None` if no new password
    /// was asked for.
    pub(crate) fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        password: &Password,
    ) -> Option<(u8, Step)> {
        let State::AwaitNewPassword {
            ms_id,
            challenge,
            eap_id,
            ..
        } = self.state
        else {
            return None;
        };
        Some((
            eap_id,
            self.change_password(ctx, ms_id, &challenge, password),
        ))
    }

    /// Change-Password ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)):
    /// the new password under the old hash, the old hash under the new one, and an
    /// NT-Response to the Failure's challenge computed with the new password. Its
    /// MS-CHAPv2-ID is the Failure's plus one, as Windows and wpa_supplicant send it.
    fn change_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        ms_id: u8,
        challenge: &[u8; 16],
        new: &Password,
    ) -> Step {
        let mut pad = Zeroizing::new([0u8; PW_BLOCK_PASSWORD_LEN]);
        let mut peer_challenge = [0u8; 16];
        if !ctx.random(&mut pad[..]) || !ctx.random(&mut peer_challenge) {
            return fail(Cause::RandomFailure);
        }
        let new_hash = nt_password_hash(new.expose());
        let encrypted_password = match new_password_encrypted_with_old_nt_password_hash(
            new.expose(),
            &self.hash,
            &pad,
        ) {
            Ok(block) => block,
            // The configuration and the input check the length first.
            Err(_) => {
                return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                    "a new password longer than 256 UTF-16 characters",
                )));
            }
        };
        let encrypted_hash =
            old_nt_password_hash_encrypted_with_new_nt_password_hash(&self.hash, &new_hash);
        let user = ctx.config.identity.as_bytes();
        let nt_response = generate_nt_response(challenge, &peer_challenge, user, &new_hash);
        let expected = generate_authenticator_response(
            &new_hash,
            &nt_response,
            &peer_challenge,
            challenge,
            user,
        );
        let msk = mschapv2_msk(&new_hash, &nt_response);
        self.hash = new_hash;
        self.state = State::ExpectResult {
            expected,
            msk,
            sent: Sent::ChangePassword,
        };
        let packet = MsChapV2::ChangePassword {
            id: ms_id.wrapping_add(1),
            ms_length: 0,
            encrypted_password: &encrypted_password,
            encrypted_hash,
            peer_challenge,
            reserved: [0; 8],
            nt_response,
            flags: 0,
        }
        .with_ms_length();
        Step::Respond {
            data: packet.to_vec(),
            sent: SentMessage::MschapChangePassword,
        }
    }
}

/// A 648 we can answer: a 16-octet `C=` challenge, and change protocol 3 (RFC 2759's;
/// a server that names no version is taken to mean it).
fn change_possible(f: &FailureMessage<'_>) -> bool {
    f.challenge.is_some() && f.version.is_none_or(|v| v == 3)
}

fn server_message(f: &FailureMessage<'_>) -> Option<String> {
    f.message.map(|m| String::from_utf8_lossy(m).into_owned())
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
        peer.process(&mut ctx, 7, &packet.with_ms_length().to_vec())
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
        MsChapV2Peer::new(
            config.credential.as_ref().unwrap(),
            config.limits.mschapv2_retries,
        )
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

    // --- Password change (E=648) and retry (E=691 R=1) ---

    const C: &str = "00112233445566778899AABBCCDDEEFF";

    fn failure_packet(id: u8, text: &str) -> Vec<u8> {
        MsChapV2::Failure {
            id,
            ms_length: 0,
            message: text.as_bytes(),
        }
        .with_ms_length()
        .to_vec()
    }

    /// One request; the step and the events it emitted.
    fn run(peer: &mut MsChapV2Peer, config: &Config, data: &[u8]) -> (Step, Vec<Event>) {
        let mut out = VecDeque::new();
        let mut ctx = Ctx {
            config,
            out: &mut out,
            clockless_floor: &mut None,
        };
        let step = peer.process(&mut ctx, 7, data);
        (step, events(out))
    }

    fn events(out: VecDeque<crate::event::Output>) -> Vec<Event> {
        out.into_iter()
            .filter_map(|o| match o {
                crate::event::Output::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn data(step: &Step) -> &[u8] {
        let Step::Respond { data, .. } = step else {
            panic!("no response: {step:?}");
        };
        data
    }

    /// The server's check of a Change-Password (what FreeRADIUS's local_cpw does): the
    /// new password decrypted under the old hash, the old hash's proof, the NT-Response
    /// under the new hash to the Failure's challenge; returns the new password and the
    /// Success message proving the new hash.
    fn server_checks_change(
        packet: &[u8],
        old: &str,
        user: &[u8],
    ) -> (alloc::string::String, Vec<u8>) {
        let Ok(MsChapV2::ChangePassword {
            id,
            ms_length,
            encrypted_password,
            encrypted_hash,
            peer_challenge,
            reserved,
            nt_response,
            flags,
        }) = MsChapV2::parse(packet)
        else {
            panic!("not a Change-Password: {packet:?}");
        };
        assert_eq!((id, ms_length, reserved, flags), (0x2b, 586, [0; 8], 0));
        assert_eq!(packet.len(), 586);
        let old_hash = nt_password_hash(old);
        let mut block = *encrypted_password;
        crate::crypto::rc4::Rc4::new(old_hash.expose())
            .unwrap()
            .apply(&mut block);
        let len = u32::from_le_bytes(block[512..].try_into().unwrap()) as usize;
        let units: Vec<u16> = block[512 - len..512]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let new = alloc::string::String::from_utf16(&units).unwrap();
        let new_hash = nt_password_hash(&new);
        assert_eq!(
            encrypted_hash,
            old_nt_password_hash_encrypted_with_new_nt_password_hash(&old_hash, &new_hash)
        );
        let challenge = crate::crypto::test_util::arr::<16>(C);
        assert_eq!(
            nt_response,
            generate_nt_response(&challenge, &peer_challenge, user, &new_hash)
        );
        let proof = generate_authenticator_response(
            &new_hash,
            &nt_response,
            &peer_challenge,
            &challenge,
            user,
        );
        let mut message = b"S=".to_vec();
        for b in proof {
            message.extend_from_slice(alloc::format!("{b:02X}").as_bytes());
        }
        (new, message)
    }

    fn expiring(new_password: Option<&str>, ask: bool) -> Config {
        let mut b = Config::builder("bob")
            .password("pw")
            .danger_accept_any_server_certificate();
        if let Some(p) = new_password {
            b = b.new_password(p);
        }
        if ask {
            b = b.ask_for_new_password();
        }
        b.build().unwrap()
    }

    fn expired_text() -> alloc::string::String {
        alloc::format!("E=648 R=0 C={C} V=3 M=Password expired")
    }

    #[test]
    fn an_expired_password_is_changed_to_the_configured_one() {
        let c = expiring(Some("new pässword"), false);
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let (cpw, events) = run(&mut p, &c, &failure_packet(0x2a, &expired_text()));
        assert!(events.is_empty(), "{events:?}");
        assert!(matches!(
            cpw,
            Step::Respond {
                sent: SentMessage::MschapChangePassword,
                ..
            }
        ));
        let (new, proof) = server_checks_change(data(&cpw), "pw", b"bob");
        assert_eq!(new, "new pässword");
        assert!(matches!(p.outcome(), Outcome::Responded));
        let (ack, events) = run(&mut p, &c, &success(&proof).with_ms_length().to_vec());
        assert_eq!(data(&ack), [3]);
        assert_eq!(events[0], Event::PasswordChanged);
        assert!(p.msk().is_some());
    }

    #[test]
    fn without_a_new_password_an_expired_password_fails_as_before() {
        let c = expiring(None, false);
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let (ack, events) = run(&mut p, &c, &failure_packet(0x2a, &expired_text()));
        assert_eq!(data(&ack), [4]);
        assert!(events.is_empty());
        let Outcome::Failed(info) = p.outcome() else {
            panic!("not failed");
        };
        let cause = info.cause(&c);
        assert_eq!(cause.code(), "password_expired");
        assert!(cause.hint().contains("--new-password"), "{}", cause.hint());
    }

    #[test]
    fn asked_for_a_new_password_it_waits_then_changes() {
        let c = expiring(None, true);
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let (wait, events) = run(&mut p, &c, &failure_packet(0x2a, &expired_text()));
        assert!(matches!(wait, Step::Wait), "{wait:?}");
        assert_eq!(
            events,
            [Event::NewPasswordRequired {
                server_message: Some("Password expired".into())
            }]
        );
        // Still the server's Failure until the caller answers.
        assert!(matches!(p.outcome(), Outcome::Failed(_)));
        let mut out = VecDeque::new();
        let mut ctx = Ctx {
            config: &c,
            out: &mut out,
            clockless_floor: &mut None,
        };
        let (eap_id, cpw) = p.new_password(&mut ctx, &Password::new("fresh")).unwrap();
        assert_eq!(eap_id, 7);
        assert_eq!(server_checks_change(data(&cpw), "pw", b"bob").0, "fresh");
        // Asked once, answered once.
        assert!(p.new_password(&mut ctx, &Password::new("again")).is_none());
    }

    #[test]
    fn a_refused_change_is_named_and_never_repeated() {
        for (text, code) in [
            (
                "E=709 R=0 M=Password change failed",
                "password_change_failed",
            ),
            (expired_text().as_str(), "password_still_expired"),
        ] {
            let c = expiring(Some("new"), false);
            let mut p = peer(&c);
            step(&mut p, &c, challenge());
            let (cpw, _) = run(&mut p, &c, &failure_packet(0x2a, &expired_text()));
            assert!(matches!(
                cpw,
                Step::Respond {
                    sent: SentMessage::MschapChangePassword,
                    ..
                }
            ));
            // The server asks again (a change requested twice): an ack, no second change.
            let (ack, _) = run(&mut p, &c, &failure_packet(0x2c, text));
            assert_eq!(data(&ack), [4], "{text}");
            let Outcome::Failed(info) = p.outcome() else {
                panic!("not failed");
            };
            assert_eq!(info.cause(&c).code(), code, "{text}");
        }
    }

    #[test]
    fn hostile_expiry_failures_get_no_change() {
        let c = expiring(Some("new"), true);
        // A 648 before any Response of ours: nothing was judged, nothing is changed.
        let mut p = peer(&c);
        let (ack, events) = run(&mut p, &c, &failure_packet(1, &expired_text()));
        assert_eq!((data(&ack), events.len()), (&[4][..], 0));
        // A 648 without a usable challenge, or with another change protocol.
        for text in [
            "E=648 R=0 V=3 M=expired",
            "E=648 R=0 C=0011 V=3",
            &alloc::format!("E=648 R=0 C={C} V=2"),
        ] {
            let mut p = peer(&c);
            step(&mut p, &c, challenge());
            let (ack, events) = run(&mut p, &c, &failure_packet(1, text));
            assert_eq!((data(&ack), events.len()), (&[4][..], 0), "{text}");
        }
    }

    fn retrying(retries: u32, retry_password: Option<&str>) -> Config {
        let mut b = Config::builder("bob")
            .password("wrong")
            .danger_accept_any_server_certificate()
            .limits(crate::config::Limits::default().with_mschapv2_retries(retries));
        if let Some(p) = retry_password {
            b = b.retry_password(p);
        }
        b.build().unwrap()
    }

    fn retry_text() -> alloc::string::String {
        alloc::format!("E=691 R=1 C={C} V=3 M=Authentication rejected")
    }

    #[test]
    fn a_retry_answers_the_new_challenge_with_the_retry_password() {
        let c = retrying(1, Some("pw"));
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let (retry, events) = run(&mut p, &c, &failure_packet(0x2a, &retry_text()));
        assert!(matches!(
            events[..],
            [Event::PasswordRetry {
                retries_left: 0,
                ..
            }]
        ));
        let Ok(MsChapV2::Response {
            id,
            peer_challenge,
            nt_response,
            ..
        }) = MsChapV2::parse(data(&retry))
        else {
            panic!("not a Response");
        };
        assert_eq!(id, 0x2b);
        let challenge = crate::crypto::test_util::arr::<16>(C);
        assert_eq!(
            nt_response,
            generate_nt_response(&challenge, &peer_challenge, b"bob", &nt_password_hash("pw"))
        );
        // The budget is spent: the next refusal is final.
        let (ack, _) = run(&mut p, &c, &failure_packet(0x2c, &retry_text()));
        assert_eq!(data(&ack), [4]);
    }

    #[test]
    fn retries_are_bounded_and_off_by_default() {
        // Default budget 0: the first refusal ends it, whatever R says.
        let c = retrying(0, None);
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let (ack, events) = run(&mut p, &c, &failure_packet(1, &retry_text()));
        assert_eq!((data(&ack), events.len()), (&[4][..], 0));
        assert!(matches!(p.outcome(), Outcome::Failed(_)));
        // R=1 forever: three retries, then an ack.
        let c = retrying(3, None);
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let mut responses = 0;
        for id in 0..10u8 {
            let (s, _) = run(&mut p, &c, &failure_packet(id, &retry_text()));
            if data(&s) == [4] {
                break;
            }
            responses += 1;
        }
        assert_eq!(responses, 3);
        // A retry challenge of the wrong length is no retry.
        let c = retrying(1, None);
        let mut p = peer(&c);
        step(&mut p, &c, challenge());
        let (ack, _) = run(&mut p, &c, &failure_packet(1, "E=691 R=1 C=00112233 V=3"));
        assert_eq!(data(&ack), [4]);
    }
}
