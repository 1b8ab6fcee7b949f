//! The inner-EAP peer of a tunnel, written once for PEAP's phase 2 and EAP-TTLS's inner
//! EAP ([RFC 5281 §11.1](https://www.rfc-editor.org/rfc/rfc5281#section-11.1)): inner
//! Identity, Notification
//! ([RFC 3748 §5.2](https://www.rfc-editor.org/rfc/rfc3748#section-5.2)), the Nak that
//! refuses a proposal ([RFC 3748 §5.3](https://www.rfc-editor.org/rfc/rfc3748#section-5.3)),
//! and the choice of an inner method among those the tunnel offers ([`InnerEap`]).
//!
//! The tunnel method keeps what is its own: how an inner packet travels (PEAPv0's
//! compressed form, TTLS's EAP-Message AVPs, given here as an `encode` function), PEAP's
//! EAP-TLV exchange, and what a failure means for it.
//!
//! States, named for where the conversation stands, each holding what it has: `Idle` (no
//! method yet), `Refused(proposed)`, `MsChapV2(peer)`, `Gtc` (the password was sent),
//! `ServerFailed` (an inner EAP-Failure, which only TTLS lets through). A method, once
//! accepted, runs to its end: a later proposal of another method is refused without
//! forgetting it.

use super::mschapv2::{self, MsChapV2Peer};
use super::{Ctx, Step};
use crate::config::Credential;
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage};
use crate::event::Event;
use crate::method_type::MethodType;
use crate::secret::Password;
use crate::wire::eap::{Code, EXPANDED_NAK, Eap};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Where the inner EAP conversation stands.
#[derive(Debug)]
pub(crate) enum InnerEap {
    /// No method yet (an Identity or a Notification may have been answered).
    Idle,
    /// We refused the server's last proposal with a Nak, and no method runs.
    Refused(MethodType),
    /// EAP-MSCHAPv2 runs (its peer holds the outcome).
    MsChapV2(MsChapV2Peer),
    /// We answered EAP-GTC ([RFC 3748 §5.6](https://www.rfc-editor.org/rfc/rfc3748#section-5.6))
    /// with the password; only the server's verdict is left.
    Gtc,
    /// The server sent an inner EAP-Failure (TTLS; PEAPv0 uses none).
    ServerFailed,
}

fn fail(cause: Cause) -> Step {
    Step::Fail {
        data: None,
        diagnosis: Box::new(Diagnosis::new(Phase::InnerAuthentication, cause)),
    }
}

/// The EAP Type of an inner method's response: its own, or a Nak's (expanded for an expanded
/// proposal, [RFC 3748 §5.3](https://www.rfc-editor.org/rfc/rfc3748#section-5.3)).
fn response_type(method: MethodType, sent: SentMessage) -> MethodType {
    match sent {
        SentMessage::InnerNak if method.is_expanded() => EXPANDED_NAK,
        SentMessage::InnerNak => MethodType::Nak,
        _ => method,
    }
}

impl InnerEap {
    /// The MSCHAPv2 outcome, when EAP-MSCHAPv2 runs.
    pub(crate) fn mschap(&self) -> Option<mschapv2::Outcome<'_>> {
        match self {
            InnerEap::MsChapV2(peer) => Some(peer.outcome()),
            InnerEap::Idle | InnerEap::Refused(_) | InnerEap::Gtc | InnerEap::ServerFailed => None,
        }
    }

    /// The server's MSCHAPv2 Failure, if one came.
    pub(crate) fn mschap_failure(&self) -> Option<&mschapv2::FailureInfo> {
        match self.mschap()? {
            mschapv2::Outcome::Failed(info) => Some(info),
            _ => None,
        }
    }

    /// One inner EAP packet (PEAP hands the EAP-TLV requests and the inner Success and
    /// Failure, which PEAPv0 does not use, to its own code first). A request is answered
    /// here, with `offered` the inner methods the tunnel accepts, in order (its Nak's
    /// list); `encode` turns the response into the tunnel's plaintext. An inner Success or
    /// Failure (TTLS) is acknowledged with no plaintext at all (an empty response).
    pub(crate) fn packet(
        &mut self,
        ctx: &mut Ctx<'_>,
        offered: &[MethodType],
        eap: &Eap<'_>,
        encode: impl Fn(Eap<'_>) -> Vec<u8>,
    ) -> Step {
        let empty = || Step::Respond {
            data: Vec::new(),
            sent: SentMessage::TlsAck,
        };
        match (eap.code, eap.method()) {
            (Code::Request, Some((method, data))) => {
                let id = eap.identifier;
                self.request(ctx, offered, id, method, data)
                    .map_data(|data, sent| {
                        (
                            encode(Eap::response(id, response_type(method, sent), &data)),
                            sent,
                        )
                    })
            }
            // RFC 5281 §11.1 ends inner EAP with the outer EAP-Success or EAP-Failure; some
            // servers send the inner one first. A Failure is their verdict (an MSCHAPv2
            // Failure before it stays the better explanation); a Success counts only after
            // the inner method succeeded.
            (Code::Failure, _) => {
                if self.mschap_failure().is_none() {
                    *self = InnerEap::ServerFailed;
                }
                empty()
            }
            (Code::Success, _) => match self.mschap() {
                Some(mschapv2::Outcome::Succeeded(_)) => empty(),
                _ => fail(Cause::PrematureSuccess(
                    PrematureSuccess::EapSuccessBeforeInner,
                )),
            },
            // The TLS record is consumed: a silent discard would make the server's
            // retransmission a replay, so an inner packet we cannot answer ends it here.
            _ => fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "an inner EAP packet that is not a request",
            ))),
        }
    }

    /// The caller's new password, after an MSCHAPv2 password-expired Failure asked for it
    /// ([`Event::NewPasswordRequired`]): the Change-Password, as the tunnel's plaintext
    /// (`encode`); `None` if nothing waits for one.
    pub(crate) fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        password: &Password,
        encode: impl Fn(Eap<'_>) -> Vec<u8>,
    ) -> Option<Step> {
        let InnerEap::MsChapV2(peer) = self else {
            return None;
        };
        let (id, step) = peer.new_password(ctx, password)?;
        Some(
            step.map_data(|data, sent| {
                (encode(Eap::response(id, MethodType::MsChapV2, &data)), sent)
            }),
        )
    }

    /// An inner request; returns the response's Type-Data.
    fn request(
        &mut self,
        ctx: &mut Ctx<'_>,
        offered: &[MethodType],
        id: u8,
        method: MethodType,
        data: &[u8],
    ) -> Step {
        match (method, &mut *self) {
            (MethodType::Identity, _) => Step::Respond {
                data: ctx.config.identity.as_bytes().to_vec(),
                sent: SentMessage::InnerIdentity,
            },
            (MethodType::Notification, _) => {
                super::notification(ctx.out, data);
                Step::Respond {
                    data: Vec::new(),
                    sent: SentMessage::Notification,
                }
            }
            (MethodType::MsChapV2, InnerEap::MsChapV2(peer)) => peer.process(ctx, id, data),
            (MethodType::MsChapV2, _) if offered.contains(&method) => {
                let Some(credential) = &ctx.config.credential else {
                    return self.refuse(ctx, offered, method);
                };
                ctx.emit(Event::InnerMethodProposed {
                    method,
                    accepted: true,
                });
                let mut peer = MsChapV2Peer::new(credential, ctx.config.limits.mschapv2_retries);
                let step = peer.process(ctx, id, data);
                *self = InnerEap::MsChapV2(peer);
                step
            }
            // Inside the validated tunnel only (as every inner method): the password goes
            // to the server as it is, so it needs the cleartext password, not an NT hash.
            (MethodType::Gtc, InnerEap::Idle | InnerEap::Refused(_) | InnerEap::Gtc)
                if offered.contains(&method) =>
            {
                let Some(Credential::Password(password)) = &ctx.config.credential else {
                    return self.refuse(ctx, offered, method);
                };
                if !matches!(self, InnerEap::Gtc) {
                    ctx.emit(Event::InnerMethodProposed {
                        method,
                        accepted: true,
                    });
                    *self = InnerEap::Gtc;
                }
                Step::Respond {
                    data: password.expose().as_bytes().to_vec(),
                    sent: SentMessage::GtcResponse,
                }
            }
            _ => self.refuse(ctx, offered, method),
        }
    }

    /// An inner proposal we refuse: a Nak offering what the tunnel accepts. A method that
    /// runs is not forgotten.
    fn refuse(&mut self, ctx: &mut Ctx<'_>, offered: &[MethodType], method: MethodType) -> Step {
        ctx.emit(Event::InnerMethodProposed {
            method,
            accepted: false,
        });
        if !matches!(self, InnerEap::MsChapV2(_) | InnerEap::Gtc) {
            *self = InnerEap::Refused(method);
        }
        let (_, nak) = super::nak(method, offered);
        Step::Respond {
            data: nak,
            sent: SentMessage::InnerNak,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::event::Output;
    use crate::wire::mschapv2::MsChapV2;
    use alloc::collections::VecDeque;

    const MSCHAPV2: &[MethodType] = &[MethodType::MsChapV2];

    fn config(inner: &[MethodType]) -> Config {
        Config::builder("bob")
            .password("pw")
            .danger_accept_any_server_certificate()
            .inner_methods(inner.to_vec())
            .build()
            .unwrap()
    }

    /// Hands `inner` one inner request; returns the response as a full EAP packet and
    /// the events.
    fn request(
        inner: &mut InnerEap,
        config: &Config,
        offered: &[MethodType],
        method: MethodType,
        data: &[u8],
    ) -> (Step, VecDeque<Output>) {
        let mut out = VecDeque::new();
        let mut ctx = Ctx {
            config,
            out: &mut out,
            clockless_floor: &mut None,
        };
        let eap = Eap::typed(Code::Request, 7, method, data);
        let step = inner.packet(&mut ctx, offered, &eap, |r| r.to_vec());
        (step, out)
    }

    /// The response's Type and Type-Data.
    fn response(step: &Step) -> (MethodType, Vec<u8>) {
        let Step::Respond { data, .. } = step else {
            panic!("no response: {step:?}");
        };
        let eap = Eap::parse(data).unwrap();
        assert_eq!((eap.code, eap.identifier), (Code::Response, 7));
        let (method, data) = eap.method().unwrap();
        (method, data.to_vec())
    }

    fn challenge() -> Vec<u8> {
        MsChapV2::Challenge {
            id: 1,
            ms_length: 0,
            challenge: [9; 16],
            name: b"server",
        }
        .with_ms_length()
        .to_vec()
    }

    #[test]
    fn identity_is_answered_whatever_runs() {
        let c = config(MSCHAPV2);
        let mut inner = InnerEap::Idle;
        let (step, _) = request(&mut inner, &c, MSCHAPV2, MethodType::Identity, b"");
        assert_eq!(response(&step), (MethodType::Identity, b"bob".to_vec()));
        assert!(matches!(inner, InnerEap::Idle));
    }

    #[test]
    fn a_proposal_not_offered_is_refused_with_the_offered_list() {
        let c = config(&[MethodType::Gtc]);
        let mut inner = InnerEap::Idle;
        let (step, out) = request(&mut inner, &c, MSCHAPV2, MethodType::Gtc, b"");
        assert_eq!(response(&step), (MethodType::Nak, alloc::vec![26]));
        assert!(matches!(inner, InnerEap::Refused(MethodType::Gtc)));
        assert!(out.iter().any(|o| matches!(
            o,
            Output::Event(Event::InnerMethodProposed {
                method: MethodType::Gtc,
                accepted: false
            })
        )));
    }

    #[test]
    fn a_running_method_is_not_forgotten_by_a_refusal() {
        let c = config(&[MethodType::MsChapV2, MethodType::Gtc]);
        let offered = &c.inner_methods;
        let mut inner = InnerEap::Idle;
        let (step, _) = request(&mut inner, &c, offered, MethodType::MsChapV2, &challenge());
        assert_eq!(response(&step).0, MethodType::MsChapV2);
        assert!(matches!(inner.mschap(), Some(mschapv2::Outcome::Responded)));
        // GTC is offered, but not while EAP-MSCHAPv2 runs.
        let (step, _) = request(&mut inner, &c, offered, MethodType::Gtc, b"");
        assert_eq!(response(&step), (MethodType::Nak, alloc::vec![26, 6]));
        assert!(matches!(inner.mschap(), Some(mschapv2::Outcome::Responded)));
    }

    #[test]
    fn gtc_is_answered_with_the_password() {
        let c = config(&[MethodType::Gtc]);
        let offered = &c.inner_methods;
        let mut inner = InnerEap::Refused(MethodType::Otp);
        for _ in 0..2 {
            let (step, _) = request(&mut inner, &c, offered, MethodType::Gtc, b"Password:");
            assert_eq!(response(&step), (MethodType::Gtc, b"pw".to_vec()));
            assert!(matches!(inner, InnerEap::Gtc));
        }
    }

    #[test]
    fn inner_failure_and_success() {
        let c = config(MSCHAPV2);
        let mut out = VecDeque::new();
        let mut ctx = Ctx {
            config: &c,
            out: &mut out,
            clockless_floor: &mut None,
        };
        let mut inner = InnerEap::Idle;
        let success = Eap::parse(&[3, 7, 0, 4]).unwrap();
        let step = inner.packet(&mut ctx, MSCHAPV2, &success, |r| r.to_vec());
        assert!(matches!(step, Step::Fail { .. }), "{step:?}");
        let failure = Eap::parse(&[4, 7, 0, 4]).unwrap();
        let step = inner.packet(&mut ctx, MSCHAPV2, &failure, |r| r.to_vec());
        assert!(matches!(step, Step::Respond { ref data, .. } if data.is_empty()));
        assert!(matches!(inner, InnerEap::ServerFailed));
    }
}
