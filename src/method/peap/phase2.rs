//! PEAPv0 phase 2 ([MS-PEAP] §3.2.5.2 – §3.2.5.4): inner EAP in the compressed form, the
//! EAP-TLV Result and Crypto-Binding exchange.
//!
//! A Result TLV Success is only answered with Success when the inner method has succeeded
//! with a verified authenticator response (and a valid Crypto-Binding TLV when one came or
//! the policy requires it); anything earlier is the phase-2 bypass of CVE-2023-52160.
//! The one exception is fast reconnect ([MS-PEAP] §3.3.5.2, example in §4.1.3): after a
//! handshake that really resumed an earlier session, the server may skip phase 2 and send
//! its Result TLV Success before any inner method; a Crypto-Binding TLV is then keyed by
//! the tunnel key alone ([`crate::crypto::peap::fast_reconnect_keys`], as hostapd and
//! wpa_supplicant do). After a full handshake the rule stays (wpa_supplicant's fix of
//! CVE-2023-52160 draws the same line).

use crate::config::{Config, Credential, Cryptobinding};
use crate::diagnosis::{
    Cause, CryptoBindingError, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage,
};
use crate::event::{Event, Keys};
use crate::method::mschapv2::MsChapV2Peer;
use crate::method::tls_core::keys::TunnelKeys;
use crate::method::{Ctx, Step, inner_response_type};
use crate::wire::eap::{Code, Eap, MethodType};
use crate::wire::peap_inner::Inner;
use crate::wire::tlv::{
    CryptoBinding, ResultStatus, Tlv, TlvType, emit_tlvs, parse_tlvs, result_value,
};
use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;

/// Where the Result TLV exchange stands.
#[derive(Debug)]
enum Outcome {
    Pending,
    /// We answered a Result TLV Success; these are the session's keys.
    Succeeded(Keys),
    /// The server sent a Result TLV Failure (its verdict), and we answered it.
    ServerFailed,
    /// We sent a Result TLV Failure on our own (a broken TLV, a failed cryptobinding).
    WeFailed,
}

/// Phase-2 state of one PEAP session.
#[derive(Debug)]
pub(crate) struct Phase2 {
    mschap: Option<MsChapV2Peer>,
    /// We answered an EAP-GTC request with the password.
    gtc_answered: bool,
    refused: Option<MethodType>,
    outcome: Outcome,
    cryptobinding_used: bool,
    /// The handshake resumed an earlier session: fast reconnect may skip the inner method.
    resumed: bool,
}

fn diag(phase: Phase, cause: Cause) -> Diagnosis {
    Diagnosis::new(phase, cause)
}

impl Phase2 {
    /// Phase 2 of a tunnel whose handshake was full, or `resumed`.
    pub(crate) fn new(resumed: bool) -> Self {
        Phase2 {
            mschap: None,
            gtc_answered: false,
            refused: None,
            outcome: Outcome::Pending,
            cryptobinding_used: false,
            resumed,
        }
    }

    /// The keys once a Result TLV Success has been answered.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match &self.outcome {
            Outcome::Succeeded(k) => Some(k),
            _ => None,
        }
    }

    /// The phase phase 2 is in.
    pub(crate) fn phase(&self) -> Phase {
        match self.outcome {
            Outcome::Succeeded(_) => Phase::Completion,
            _ => Phase::InnerAuthentication,
        }
    }

    /// The best explanation of a failure known from inside the tunnel.
    pub(crate) fn failure_cause(&self, config: &Config) -> Option<Cause> {
        let user = config.identity();
        if let Some(f) = self.mschap.as_ref().and_then(|m| m.failure.as_ref()) {
            return Some(Cause::MschapFailure {
                user: user.to_string(),
                error: f.error,
                retry: f.retry,
                message: f.message.clone(),
            });
        }
        if let Outcome::Succeeded(_) = self.outcome {
            return Some(Cause::RejectedAfterInnerSuccess {
                cryptobinding: self.cryptobinding_used,
            });
        }
        if let Some(proposed) = self.refused {
            return Some(Cause::InnerMethodRefused {
                proposed,
                offered: config.inner_methods.clone(),
            });
        }
        // Only the server's own verdict (a Result TLV Failure) names the credentials; an
        // EAP-Failure without one is explained by the caller as a session ended without a
        // verdict.
        if let Outcome::ServerFailed = self.outcome {
            // After our NT-Response and before the inner method succeeded, the Failure is
            // about the credentials; otherwise the server gave no reason.
            if self.gtc_answered {
                return Some(Cause::PasswordRejected {
                    user: user.to_string(),
                    method: MethodType::Gtc,
                });
            }
            let rejected = self
                .mschap
                .as_ref()
                .is_some_and(|m| m.responded && m.msk().is_none());
            return Some(if rejected {
                Cause::CredentialsRejected {
                    user: user.to_string(),
                }
            } else {
                Cause::ServerResultFailure
            });
        }
        None
    }

    /// A Result TLV Failure or an MSCHAPv2 Failure was received.
    pub(crate) fn server_reported_failure(&self) -> bool {
        matches!(self.outcome, Outcome::ServerFailed)
            || self.mschap.as_ref().is_some_and(|m| m.failure.is_some())
    }

    /// Handles one decrypted inner payload; the returned Step's data is the plaintext to
    /// send back through the tunnel.
    pub(crate) fn process(
        &mut self,
        ctx: &mut Ctx<'_>,
        keys: &TunnelKeys,
        plaintext: &[u8],
        outer_id: u8,
    ) -> Step {
        let inner = match Inner::decode(plaintext) {
            Ok(i) => i,
            Err(error) => {
                return Step::Fail {
                    data: None,
                    diagnosis: Box::new(diag(
                        Phase::InnerAuthentication,
                        Cause::Protocol(ProtocolViolation::Malformed {
                            what: "inner EAP packet",
                            error,
                        }),
                    )),
                };
            }
        };
        let full = matches!(inner, Inner::Full(_));
        let eap = inner.to_eap(Code::Request, outer_id);
        match (eap.code, eap.method()) {
            (Code::Request, Some((MethodType::Tlv, data))) => {
                self.tlvs(ctx, keys, eap.identifier, data)
            }
            (Code::Request, Some((method, data))) => {
                let step = self.request(ctx, method, data);
                wrap(step, eap.identifier, method, full)
            }
            (Code::Success | Code::Failure, _) => Step::Fail {
                data: None,
                diagnosis: Box::new(diag(
                    Phase::InnerAuthentication,
                    Cause::Protocol(ProtocolViolation::Unexpected(
                        "an inner EAP-Success or EAP-Failure (not used in PEAPv0)",
                    )),
                )),
            },
            // The TLS record is consumed: a silent discard would make the server's
            // retransmission a replay, so an inner packet we cannot answer ends it here.
            _ => Step::Fail {
                data: None,
                diagnosis: Box::new(diag(
                    Phase::InnerAuthentication,
                    Cause::Protocol(ProtocolViolation::Unexpected(
                        "an inner EAP packet that is not a request",
                    )),
                )),
            },
        }
    }

    /// An inner request other than EAP-TLV; returns the response Type-Data.
    fn request(&mut self, ctx: &mut Ctx<'_>, method: MethodType, data: &[u8]) -> Step {
        match method {
            MethodType::Identity => Step::Respond {
                data: ctx.config.identity.as_bytes().to_vec(),
                sent: SentMessage::InnerIdentity,
            },
            MethodType::Notification => {
                crate::method::notification(ctx.out, data);
                Step::Respond {
                    data: Vec::new(),
                    sent: SentMessage::Notification,
                }
            }
            MethodType::MsChapV2 if self.mschap.is_some() => match self.mschap.as_mut() {
                Some(mschap) => mschap.process(ctx, data),
                None => Step::Discard,
            },
            // Offered only with a password to prove (build() requires one for PEAP).
            m if ctx.config.inner_methods.contains(&m) && m == MethodType::MsChapV2 => {
                match &ctx.config.credential {
                    Some(credential) => {
                        ctx.emit(Event::InnerMethodProposed {
                            method: m,
                            accepted: true,
                        });
                        let mut mschap = MsChapV2Peer::new(credential);
                        self.refused = None;
                        let step = mschap.process(ctx, data);
                        self.mschap = Some(mschap);
                        step
                    }
                    None => self.refuse(ctx, m),
                }
            }
            // EAP-GTC (RFC 3748 §5.6) inside the validated tunnel only: the password goes
            // to the server as it is, so it needs the cleartext password, not an NT hash.
            MethodType::Gtc
                if ctx.config.inner_methods.contains(&MethodType::Gtc) && self.mschap.is_none() =>
            {
                let Some(Credential::Password(password)) = &ctx.config.credential else {
                    return self.refuse(ctx, MethodType::Gtc);
                };
                if !self.gtc_answered {
                    ctx.emit(Event::InnerMethodProposed {
                        method: MethodType::Gtc,
                        accepted: true,
                    });
                }
                self.gtc_answered = true;
                // The negotiation moved on from any method we refused.
                self.refused = None;
                Step::Respond {
                    data: password.expose().as_bytes().to_vec(),
                    sent: SentMessage::GtcResponse,
                }
            }
            m => self.refuse(ctx, m),
        }
    }

    /// An inner proposal we refuse: an inner Nak offering what we allow.
    fn refuse(&mut self, ctx: &mut Ctx<'_>, m: MethodType) -> Step {
        {
            {
                ctx.emit(Event::InnerMethodProposed {
                    method: m,
                    accepted: false,
                });
                self.refused = Some(m);
                let (_, nak) = crate::method::nak(m, &ctx.config.inner_methods);
                Step::Respond {
                    data: nak,
                    sent: SentMessage::InnerNak,
                }
            }
        }
    }

    fn tlvs(&mut self, ctx: &mut Ctx<'_>, keys: &TunnelKeys, id: u8, data: &[u8]) -> Step {
        let phase = Phase::InnerAuthentication;
        let tlvs = match parse_tlvs(data) {
            Ok(t) => t,
            Err(error) => {
                return self.fail_with_result(
                    id,
                    diag(
                        phase,
                        Cause::Protocol(ProtocolViolation::Malformed {
                            what: "EAP-TLV",
                            error,
                        }),
                    ),
                );
            }
        };
        let mut status = None;
        let mut binding = None;
        for tlv in &tlvs {
            match tlv.tlv_type {
                TlvType::Result if status.is_some() => {
                    return self.fail_with_result(
                        id,
                        diag(
                            phase,
                            Cause::Protocol(ProtocolViolation::MultipleResultTlvs),
                        ),
                    );
                }
                TlvType::Result => match tlv.result_status() {
                    Ok(s) => status = Some(s),
                    Err(error) => {
                        return self.fail_with_result(
                            id,
                            diag(
                                phase,
                                Cause::Protocol(ProtocolViolation::Malformed {
                                    what: "Result TLV",
                                    error,
                                }),
                            ),
                        );
                    }
                },
                TlvType::CryptoBinding => {
                    binding = Some((CryptoBinding::parse(tlv.value), tlv.mandatory))
                }
                other if tlv.mandatory => {
                    let t = u16::from(other);
                    return self.fail_with_result(
                        id,
                        diag(
                            phase,
                            Cause::Protocol(ProtocolViolation::UnknownMandatoryTlv(t)),
                        ),
                    );
                }
                _ => {}
            }
        }
        match status {
            Some(ResultStatus::Success) => self.result_success(ctx, keys, id, binding),
            Some(ResultStatus::Failure) => {
                self.outcome = Outcome::ServerFailed;
                Step::Respond {
                    data: result_packet(id, ResultStatus::Failure, None),
                    sent: SentMessage::ResultTlv { success: false },
                }
            }
            _ => self.fail_with_result(
                id,
                diag(
                    phase,
                    Cause::Protocol(ProtocolViolation::Unexpected(
                        "an EAP-TLV packet without a Result TLV",
                    )),
                ),
            ),
        }
    }

    fn result_success(
        &mut self,
        ctx: &mut Ctx<'_>,
        keys: &TunnelKeys,
        id: u8,
        binding: Option<(Result<CryptoBinding, crate::wire::DecodeError>, bool)>,
    ) -> Step {
        let mschap_isk = self.mschap.as_ref().and_then(|m| m.msk()).map(|msk| {
            let mut isk = [0u8; 32];
            isk.copy_from_slice(&msk.expose()[..32]);
            zeroize::Zeroizing::new(isk)
        });
        // GTC derives no keys: its ISK is zeros ([MS-PEAP] 3.1.5.5).
        let gtc_isk = self
            .gtc_answered
            .then(|| zeroize::Zeroizing::new([0u8; 32]));
        // Fast reconnect: only after a resumed handshake, and only before any inner method
        // began (one that began must finish). No ISK then: the binding keys come from the
        // tunnel key alone.
        let fast_reconnect = self.resumed && self.mschap.is_none() && !self.gtc_answered;
        if fast_reconnect {
            ctx.emit(Event::FastReconnect);
        }
        let Some(isk) = mschap_isk
            .or(gtc_isk)
            .map(Some)
            .or(fast_reconnect.then_some(None))
        else {
            return self.fail_with_result(
                id,
                diag(
                    Phase::InnerAuthentication,
                    Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner),
                ),
            );
        };
        let policy = ctx.config.cryptobinding;
        let bind_fail = |e| diag(Phase::CryptoBinding, Cause::CryptoBinding(e));
        let (binding_tlv, session_keys) = match (policy, binding) {
            (Cryptobinding::Off, _) | (Cryptobinding::Optional, None) => (None, keys.plain_keys()),
            (Cryptobinding::Required, None) => {
                return self.fail_with_result(id, bind_fail(CryptoBindingError::Missing));
            }
            (_, Some((Err(_), _))) => {
                return self.fail_with_result(id, bind_fail(CryptoBindingError::Malformed));
            }
            (_, Some((Ok(request), mandatory))) => {
                match keys.bind(&request, mandatory, isk.as_deref()) {
                    Ok((tlv, k)) => {
                        ctx.emit(Event::CryptoBindingVerified);
                        self.cryptobinding_used = true;
                        (Some(tlv), k)
                    }
                    Err(e) => return self.fail_with_result(id, bind_fail(e)),
                }
            }
        };
        self.outcome = Outcome::Succeeded(session_keys);
        Step::Respond {
            data: result_packet(id, ResultStatus::Success, binding_tlv.as_ref()),
            sent: SentMessage::ResultTlv { success: true },
        }
    }

    /// Ends with `diagnosis`, telling the server with a Result TLV Failure.
    fn fail_with_result(&mut self, id: u8, diagnosis: Diagnosis) -> Step {
        self.outcome = Outcome::WeFailed;
        Step::Fail {
            data: Some((
                result_packet(id, ResultStatus::Failure, None),
                SentMessage::ResultTlv { success: false },
            )),
            diagnosis: Box::new(diagnosis),
        }
    }
}

/// An EAP-TLV Response (full header, as PEAPv0 sends TLVs) with a Result TLV and optionally
/// a Crypto-Binding TLV.
fn result_packet(id: u8, status: ResultStatus, binding_tlv: Option<&[u8; 60]>) -> Vec<u8> {
    let value = result_value(status);
    let mut tlvs = Vec::with_capacity(70);
    emit_tlvs(
        &[Tlv {
            mandatory: true,
            reserved: false,
            tlv_type: TlvType::Result,
            value: &value,
        }],
        &mut tlvs,
    );
    if let Some(b) = binding_tlv {
        tlvs.extend_from_slice(b);
    }
    Inner::Full(Eap::response(id, MethodType::Tlv, &tlvs)).to_vec()
}

/// Turns an inner method's Type-Data step into the inner packet to encrypt, in the form the
/// request came in (compressed unless it carried a full header).
fn wrap(step: Step, id: u8, method: MethodType, full: bool) -> Step {
    step.map_data(|data, sent| {
        let eap = Eap::response(id, inner_response_type(method, sent), &data);
        let packet = if full {
            Inner::Full(eap)
        } else {
            Inner::from_eap(eap)
        };
        (packet.to_vec(), sent)
    })
}
