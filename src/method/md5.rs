//! EAP-MD5-Challenge peer ([RFC 3748 §5.4](https://www.rfc-editor.org/rfc/rfc3748#section-5.4);
//! EAP method 4): the CHAP hash of [RFC 1994 §4.1](https://www.rfc-editor.org/rfc/rfc1994#section-4.1),
//! MD5(Identifier ‖ password ‖ challenge), sent without a tunnel.
//!
//! It authenticates no server and exposes a hash of the password to offline guessing by
//! anyone who sees the exchange, and it derives no keys: the configuration refuses it unless
//! [`danger_allow_eap_md5`](crate::config::ConfigBuilder::danger_allow_eap_md5) names the
//! risk. Some wired switches still run it.
//!
//! States: `ExpectChallenge`, then `Answered` (decision `CondSucc`, RFC 4137 §4.1.2: the
//! server's EAP-Success or EAP-Failure is the only verdict; a new challenge is answered
//! again).

use super::{Ctx, Decision, Step};
use crate::config::{Config, Credential};
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use alloc::boxed::Box;
use alloc::vec::Vec;
use md5::{Digest, Md5 as Md5Hash};

/// The length of the Value of our response: one MD5 digest.
const VALUE_SIZE: u8 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    ExpectChallenge,
    Answered,
}

/// The EAP-MD5-Challenge peer method.
#[derive(Debug)]
pub(crate) struct Md5 {
    state: State,
}

impl Md5 {
    pub(crate) fn new() -> Self {
        Md5 {
            state: State::ExpectChallenge,
        }
    }

    /// `CondSucc` once a challenge was answered.
    pub(crate) fn decision(&self) -> Decision {
        match self.state {
            State::Answered => Decision::CondSucc,
            State::ExpectChallenge => Decision::Fail,
        }
    }

    /// How far it got: the answer is the whole method, so after it only the verdict is left.
    pub(crate) fn phase(&self) -> Phase {
        match self.state {
            State::ExpectChallenge => Phase::MethodNegotiation,
            State::Answered => Phase::Completion,
        }
    }

    /// An EAP-Failure after our answer is the server's verdict on the password.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match self.state {
            State::Answered => Cause::Md5Rejected {
                user: config.outer_identity().into(),
            },
            State::ExpectChallenge => Cause::FailureWithoutReason { after: last_sent },
        }
    }

    /// An EAP-Success before our answer.
    pub(crate) fn premature_success(&self) -> PrematureSuccess {
        PrematureSuccess::EapSuccessBeforeMethod
    }

    /// Answers one challenge: Value-Size, Value (the challenge), Name (ignored).
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, id: u8, data: &[u8]) -> Step {
        let Some((&size, rest)) = data.split_first() else {
            return Step::Discard;
        };
        let size = usize::from(size);
        if size == 0 || rest.len() < size {
            // RFC 3748 §5.4: a Value-Size beyond the data is a malformed request.
            return Step::Discard;
        }
        let Some(Credential::Password(password)) = &ctx.config.credential else {
            // build() refuses EAP-MD5 without a password.
            return Step::Fail {
                data: None,
                diagnosis: Box::new(Diagnosis::new(
                    Phase::MethodNegotiation,
                    Cause::Protocol(ProtocolViolation::Unexpected(
                        "EAP-MD5 without a password (refused by the configuration)",
                    )),
                )),
            };
        };
        let mut hash = Md5Hash::new();
        hash.update([id]);
        hash.update(password.expose().as_bytes());
        hash.update(&rest[..size]);
        let mut response = Vec::with_capacity(1 + usize::from(VALUE_SIZE));
        response.push(VALUE_SIZE);
        response.extend_from_slice(&hash.finalize());
        self.state = State::Answered;
        Step::Respond {
            data: response,
            sent: SentMessage::Md5Response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(password: &str) -> Config {
        // EAP-MD5 alone: no TLS method, so no CA is asked for.
        Config::builder("bob")
            .password(password)
            .methods([crate::method_type::MethodType::Md5Challenge])
            .danger_allow_eap_md5()
            .build()
            .unwrap()
    }

    fn answer(m: &mut Md5, config: &Config, id: u8, data: &[u8]) -> Step {
        let mut out = alloc::collections::VecDeque::new();
        let mut ctx = Ctx {
            config,
            out: &mut out,
            clockless_floor: &mut None,
        };
        m.process(&mut ctx, id, data)
    }

    /// The CHAP hash of RFC 1994 with a known answer: MD5(0x01 ‖ "password" ‖ 16 × 0x00),
    /// computed independently: `(printf '\x01password'; head -c16 /dev/zero) | md5sum`.
    #[test]
    fn answers_with_the_chap_hash() {
        let c = config("password");
        let mut m = Md5::new();
        let mut req = alloc::vec![16];
        req.extend_from_slice(&[0; 16]);
        req.extend_from_slice(b"server-name");
        let Step::Respond { data, sent } = answer(&mut m, &c, 1, &req) else {
            panic!("no response");
        };
        assert_eq!(sent, SentMessage::Md5Response);
        assert_eq!(data[0], 16);
        assert_eq!(hex(&data[1..]), "ae88b6c2fe68bc923ae994f652508d12");
        assert_eq!(m.decision(), Decision::CondSucc);
    }

    #[test]
    fn malformed_challenges_are_discarded() {
        let c = config("password");
        for req in [&[][..], &[0][..], &[5, 1, 2, 3][..]] {
            let mut m = Md5::new();
            let step = answer(&mut m, &c, 1, req);
            assert!(matches!(step, Step::Discard), "{req:?}");
            assert_eq!(m.decision(), Decision::Fail);
        }
    }

    fn hex(b: &[u8]) -> alloc::string::String {
        b.iter().map(|x| alloc::format!("{x:02x}")).collect()
    }
}
