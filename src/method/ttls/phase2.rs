//! EAP-TTLS phase 2 ([RFC 5281 §11](https://www.rfc-editor.org/rfc/rfc5281#section-11)):
//! the inner authentication as AVPs inside the tunnel.
//!
//! - PAP (§11.2.5): User-Name and User-Password (zero-padded to a multiple of 16) in our
//!   first message; the server's EAP-Success or EAP-Failure is its verdict.
//! - MSCHAPv2 (§11.2.4): MS-CHAP-Challenge and its Ident are not sent by the server but
//!   derived by both sides from the tunnel ("ttls challenge", 17 octets), so a server
//!   cannot choose them; our first message carries User-Name, MS-CHAP-Challenge and
//!   MS-CHAP2-Response. The server's MS-CHAP2-Success must prove it knows the password
//!   (checked in constant time) before we acknowledge it; MS-CHAP-Error is its refusal.
//! - EAP (§11.1): inner EAP in EAP-Message AVPs, starting with our EAP-Response/Identity;
//!   the conversation is the inner-EAP peer PEAP uses too ([`InnerEap`]: Identity,
//!   Notification, Nak, EAP-MSCHAPv2), offering EAP-MSCHAPv2 only.
//!
//! States carry their data: the MSCHAPv2 state holds the authenticator response it
//! expects; the EAP state holds the inner peer.

use crate::config::{Config, Credential};
use crate::crypto::mschapv2::{
    authenticator_response_matches, generate_authenticator_response, generate_nt_response,
    nt_password_hash,
};
use crate::diagnosis::{Cause, Diagnosis, Phase, ProtocolViolation, SentMessage};
use crate::event::Event;
use crate::method::inner::InnerEap;
use crate::method::mschapv2::{FailureInfo, Outcome as MschapOutcome};
use crate::method::{Ctx, Step};
use crate::method_type::MethodType;
use crate::method_type::TtlsInner;
use crate::secret::NtHash;
use crate::tls::TlsTunnel;
use crate::wire::avp::{
    Avp, EAP_MESSAGE, MS_CHAP_CHALLENGE, MS_CHAP_ERROR, MS_CHAP2_RESPONSE, MS_CHAP2_SUCCESS,
    REPLY_MESSAGE, USER_NAME, USER_PASSWORD, VENDOR_MICROSOFT, emit_avps, iter_avps, pad_password,
};
use crate::wire::eap::Eap;
use crate::wire::mschapv2::SuccessMessage;
use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;
use zeroize::Zeroizing;

/// RFC 5281 §11.2.4: the label of the MSCHAPv2 challenge material.
const CHALLENGE_LABEL: &[u8] = b"ttls challenge";
/// Length of an MS-CHAP2-Response AVP's data.
const MS_CHAP2_RESPONSE_LEN: usize = 50;
/// Inner EAP packets are at most this long (as the outer layer caps EAP).
const MAX_INNER_EAP: usize = 4096;
/// The inner EAP methods offered: EAP-MSCHAPv2 alone.
const INNER_EAP_OFFERED: &[MethodType] = &[MethodType::MsChapV2];

/// Phase 2 of one TTLS session.
#[derive(Debug)]
pub(crate) enum Phase2 {
    /// PAP credentials sent; the server decides.
    PapSent,
    /// Our MS-CHAP2-Response went out; the server's proof must match `expected`.
    MschapSent { expected: [u8; 20], ident: u8 },
    /// The server's MS-CHAP2-Success verified and acknowledged.
    MschapSucceeded,
    /// The server refused with MS-CHAP-Error.
    MschapFailed(FailureInfo),
    /// Inner EAP.
    Eap(InnerEap),
}

fn diag(cause: Cause) -> Diagnosis {
    Diagnosis::new(Phase::InnerAuthentication, cause)
}

fn fail(cause: Cause) -> Step {
    Step::Fail {
        data: None,
        diagnosis: Box::new(diag(cause)),
    }
}

fn avps(list: &[Avp<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    emit_avps(list, &mut out);
    out
}

impl Phase2 {
    /// Our first phase-2 message, by the configured inner method.
    pub(crate) fn start(ctx: &mut Ctx<'_>, tunnel: &dyn TlsTunnel) -> Result<(Self, Step), Step> {
        let config = ctx.config;
        let user = config.identity.as_bytes();
        let credential = config.credential.as_ref().ok_or_else(|| {
            fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "EAP-TTLS without credentials (refused by the configuration)",
            )))
        })?;
        match config.ttls_inner {
            TtlsInner::Pap => {
                let Credential::Password(password) = credential else {
                    // build() refuses PAP with an NT hash.
                    return Err(fail(Cause::Protocol(ProtocolViolation::Unexpected(
                        "EAP-TTLS/PAP without a password (refused by the configuration)",
                    ))));
                };
                let mut padded = Zeroizing::new(Vec::new());
                pad_password(password.expose().as_bytes(), &mut padded);
                let step = Step::Respond {
                    data: avps(&[
                        Avp::radius(USER_NAME, user),
                        Avp::radius(USER_PASSWORD, &padded),
                    ]),
                    sent: SentMessage::PapCredentials,
                };
                Ok((Phase2::PapSent, step))
            }
            TtlsInner::MsChapV2 => {
                let mut material = [0u8; 17];
                if tunnel.export(CHALLENGE_LABEL, None, &mut material).is_err() {
                    return Err(Step::Fail {
                        data: None,
                        diagnosis: Box::new(Diagnosis::new(
                            Phase::TlsHandshake,
                            Cause::Protocol(ProtocolViolation::Unexpected(
                                "a tunnel whose key material cannot be exported",
                            )),
                        )),
                    });
                }
                let mut challenge = [0u8; 16];
                challenge.copy_from_slice(&material[..16]);
                let ident = material[16];
                let mut peer_challenge = [0u8; 16];
                if !ctx.random(&mut peer_challenge) {
                    return Err(fail(Cause::RandomFailure));
                }
                let hash: NtHash = match credential {
                    Credential::Password(p) => nt_password_hash(p.expose()),
                    Credential::NtHash(h) => h.clone(),
                };
                let nt_response = generate_nt_response(&challenge, &peer_challenge, user, &hash);
                let expected = generate_authenticator_response(
                    &hash,
                    &nt_response,
                    &peer_challenge,
                    &challenge,
                    user,
                );
                let mut response = [0u8; MS_CHAP2_RESPONSE_LEN];
                response[0] = ident;
                // Flags (0) and Reserved (8 zeros) stay zero.
                response[2..18].copy_from_slice(&peer_challenge);
                response[26..50].copy_from_slice(&nt_response);
                let step = Step::Respond {
                    data: avps(&[
                        Avp::radius(USER_NAME, user),
                        Avp::microsoft(MS_CHAP_CHALLENGE, &challenge),
                        Avp::microsoft(MS_CHAP2_RESPONSE, &response),
                    ]),
                    sent: SentMessage::MschapResponse,
                };
                Ok((Phase2::MschapSent { expected, ident }, step))
            }
            TtlsInner::EapMsChapV2 => {
                // The inner conversation starts with our Identity; no request precedes it.
                let identity = Eap::response(0, MethodType::Identity, user).to_vec();
                let step = Step::Respond {
                    data: eap_message(&identity),
                    sent: SentMessage::InnerIdentity,
                };
                Ok((Phase2::Eap(InnerEap::Idle), step))
            }
        }
    }

    /// True once phase 2 is complete on our side (the decision may become `CondSucc`).
    pub(crate) fn complete(&self) -> bool {
        match self {
            Phase2::PapSent | Phase2::MschapSucceeded => true,
            Phase2::Eap(inner) => matches!(inner.mschap(), Some(MschapOutcome::Succeeded(_))),
            Phase2::MschapSent { .. } | Phase2::MschapFailed(_) => false,
        }
    }

    /// Inner authentication until the server proved itself (MSCHAPv2) or, for PAP,
    /// gave its verdict (the EAP-Success or EAP-Failure itself); then completion.
    pub(crate) fn phase(&self) -> Phase {
        match self {
            Phase2::PapSent | Phase2::MschapSent { .. } | Phase2::MschapFailed(_) => {
                Phase::InnerAuthentication
            }
            Phase2::MschapSucceeded => Phase::Completion,
            Phase2::Eap(_) if self.complete() => Phase::Completion,
            Phase2::Eap(_) => Phase::InnerAuthentication,
        }
    }

    /// The server refused inside the tunnel (MS-CHAP-Error, an MSCHAPv2 Failure, an
    /// inner EAP-Failure).
    pub(crate) fn server_reported_failure(&self) -> bool {
        match self {
            Phase2::MschapFailed(_) | Phase2::Eap(InnerEap::ServerFailed) => true,
            Phase2::Eap(inner) => inner.mschap_failure().is_some(),
            Phase2::PapSent | Phase2::MschapSent { .. } | Phase2::MschapSucceeded => false,
        }
    }

    /// What an EAP-Failure means in phase 2.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        let user = config.identity().to_string();
        let ended = Cause::EndedWithoutVerdict {
            after: last_sent,
            sent: 1,
        };
        match self {
            Phase2::PapSent => Cause::TtlsCredentialsRejected {
                user,
                inner: TtlsInner::Pap,
            },
            Phase2::MschapSent { .. } => Cause::TtlsCredentialsRejected {
                user,
                inner: TtlsInner::MsChapV2,
            },
            Phase2::MschapFailed(f) => f.cause(config),
            Phase2::MschapSucceeded => Cause::RejectedAfterInnerSuccess {
                cryptobinding: false,
            },
            Phase2::Eap(inner) => match (inner, inner.mschap()) {
                (_, Some(MschapOutcome::Failed(f))) => f.cause(config),
                (_, Some(MschapOutcome::Succeeded(_))) => Cause::RejectedAfterInnerSuccess {
                    cryptobinding: false,
                },
                (_, Some(MschapOutcome::Responded)) => Cause::TtlsCredentialsRejected {
                    user,
                    inner: TtlsInner::EapMsChapV2,
                },
                (InnerEap::Refused(proposed), _) => Cause::InnerMethodRefused {
                    proposed: *proposed,
                    offered: INNER_EAP_OFFERED.to_vec(),
                },
                (InnerEap::ServerFailed, _) => Cause::ServerResultFailure,
                (
                    InnerEap::Idle | InnerEap::MsChapV2(_) | InnerEap::Gtc,
                    None | Some(MschapOutcome::NotResponded),
                ) => ended,
            },
        }
    }

    /// The caller's new password, when inner EAP-MSCHAPv2 waits for one: its
    /// Change-Password in EAP-Message AVPs.
    pub(crate) fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        password: &crate::secret::Password,
    ) -> Option<Step> {
        let Phase2::Eap(inner) = self else {
            return None;
        };
        inner.new_password(ctx, password, |response| eap_message(&response.to_vec()))
    }

    /// One decrypted phase-2 message; the returned step's data is the plaintext (AVPs) to
    /// send back (empty: an empty TTLS response).
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, plaintext: &[u8]) -> Step {
        let mut eap = Vec::new();
        let mut success = None;
        let mut error = None;
        // AVPs are read one by one: nothing is allocated per AVP.
        let mut count = 0usize;
        for avp in iter_avps(plaintext) {
            let avp = match avp {
                Ok(a) => a,
                Err(error) => {
                    return fail(Cause::Protocol(ProtocolViolation::Malformed {
                        what: "EAP-TTLS AVPs",
                        error,
                    }));
                }
            };
            count += 1;
            if avp.is(None, EAP_MESSAGE) {
                // Long inner packets come split over several EAP-Message AVPs.
                if eap.len() + avp.data.len() > MAX_INNER_EAP {
                    return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                        "an inner EAP packet longer than 4096 octets",
                    )));
                }
                eap.extend_from_slice(avp.data);
            } else if avp.is(Some(VENDOR_MICROSOFT), MS_CHAP2_SUCCESS) {
                success = Some(avp.data);
            } else if avp.is(Some(VENDOR_MICROSOFT), MS_CHAP_ERROR) {
                error = Some(avp.data);
            } else if avp.is(None, REPLY_MESSAGE) {
                crate::method::notification(ctx.out, avp.data);
            } else if avp.mandatory {
                return fail(Cause::Protocol(ProtocolViolation::UnknownMandatoryAvp {
                    vendor: avp.vendor,
                    code: avp.code,
                }));
            }
        }
        match self {
            Phase2::MschapSent { expected, ident } => {
                if let Some(data) = error {
                    let info = mschap_error(data);
                    *self = Phase2::MschapFailed(info);
                    return respond_empty(SentMessage::MschapFailureAck);
                }
                let Some(data) = success else {
                    return fail(Cause::Protocol(ProtocolViolation::Unexpected(
                        "an EAP-TTLS message without MS-CHAP2-Success or MS-CHAP-Error after our MS-CHAP2-Response",
                    )));
                };
                // Ident, then "S=<40 hex>" (and an optional message).
                let verified = data.split_first().is_some_and(|(&id, message)| {
                    id == *ident
                        && SuccessMessage::parse(message).is_ok_and(|m| {
                            authenticator_response_matches(expected, &m.authenticator_response)
                        })
                });
                if !verified {
                    return fail(Cause::AuthenticatorResponseMismatch);
                }
                *self = Phase2::MschapSucceeded;
                ctx.emit(Event::InnerMethodSucceeded {
                    method: MethodType::MsChapV2,
                });
                respond_empty(SentMessage::MschapSuccessAck)
            }
            Phase2::Eap(inner) if !eap.is_empty() => match Eap::parse(&eap) {
                Ok(packet) => inner.packet(ctx, INNER_EAP_OFFERED, &packet, |response| {
                    eap_message(&response.to_vec())
                }),
                Err(error) => fail(Cause::Protocol(ProtocolViolation::Malformed {
                    what: "inner EAP packet",
                    error,
                })),
            },
            Phase2::Eap(_) => fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "an EAP-TTLS message without an EAP-Message AVP during inner EAP",
            ))),
            Phase2::PapSent if success.is_none() && error.is_none() && eap.is_empty() => {
                // Only a Reply-Message (a PAP challenge asking the user something): nothing
                // we can answer without a user.
                fail(Cause::Protocol(ProtocolViolation::Unexpected(
                    "a PAP challenge (Reply-Message) after our credentials, which needs a user's answer",
                )))
            }
            Phase2::MschapSucceeded if count == 0 => respond_empty(SentMessage::TlsAck),
            _ => fail(Cause::Protocol(ProtocolViolation::Unexpected(
                "EAP-TTLS AVPs that do not belong to the inner method in use",
            ))),
        }
    }
}

/// An MS-CHAP-Error AVP: Ident, then "E=... R=... M=...".
fn mschap_error(data: &[u8]) -> FailureInfo {
    FailureInfo::parse(data.get(1..).unwrap_or_default())
}

fn respond_empty(sent: SentMessage) -> Step {
    Step::Respond {
        data: Vec::new(),
        sent,
    }
}

/// An inner EAP packet as EAP-Message AVPs (split at 253 octets, as RADIUS does).
fn eap_message(packet: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in packet.chunks(253) {
        Avp::radius(EAP_MESSAGE, chunk).emit(&mut out);
    }
    out
}
