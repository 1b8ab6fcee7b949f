//! PEAPv0 phase 2 ([MS-PEAP] §3.2.5.2 – §3.2.5.4): inner EAP in the compressed form (the
//! conversation itself is the inner-EAP peer TTLS uses too, [`InnerEap`], offering the
//! configured inner methods), then the EAP-TLV Result and Crypto-Binding exchange.
//!
//! A Result TLV Success is only answered with Success when the inner method has succeeded
//! (EAP-MSCHAPv2 with a verified authenticator response; EAP-GTC once the password went
//! out), and with a valid Crypto-Binding TLV when one came or the policy requires it;
//! anything earlier is the phase-2 bypass of CVE-2023-52160.
//! The one exception is fast reconnect ([MS-PEAP] §3.3.5.2, example in §4.1.3): after a
//! handshake that really resumed an earlier session, the server may skip phase 2 and send
//! its Result TLV Success before any inner method; a Crypto-Binding TLV is then keyed by
//! the tunnel key alone ([`crate::crypto::peap::fast_reconnect_keys`], as hostapd and
//! wpa_supplicant do). After a full handshake the rule stays (wpa_supplicant's fix of
//! CVE-2023-52160 draws the same line).

use crate::config::{Config, Cryptobinding};
use crate::diagnosis::{
    Cause, CryptoBindingError, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage,
};
use crate::event::{Event, Keys};
use crate::method::inner::InnerEap;
use crate::method::mschapv2::Outcome as MschapOutcome;
use crate::method::tls_core::keys::TunnelKeys;
use crate::method::{Ctx, Step};
use crate::method_type::MethodType;
use crate::wire::DecodeError;
use crate::wire::eap::{Code, Eap};
use crate::wire::peap_inner::Inner;
use crate::wire::tlv::{
    CryptoBinding, ResultStatus, Tlv, TlvType, emit_tlvs, parse_tlvs, result_value,
};
use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;
use zeroize::Zeroizing;

/// Where the Result TLV exchange stands.
#[derive(Debug)]
enum Verdict {
    Pending,
    /// We answered a Result TLV Success: the session's keys, and whether they came from a
    /// verified Crypto-Binding TLV.
    Succeeded {
        keys: Keys,
        cryptobinding: bool,
    },
    /// The server sent a Result TLV Failure (its verdict), and we answered it.
    ServerFailed,
    /// We sent a Result TLV Failure on our own (a broken TLV, a failed cryptobinding).
    WeFailed,
}

/// Phase-2 state of one PEAP session: the inner conversation and the Result TLV exchange,
/// which go on side by side (a Result may come before, after or instead of an inner
/// method).
#[derive(Debug)]
pub(crate) struct Phase2 {
    inner: InnerEap,
    verdict: Verdict,
    /// The handshake resumed an earlier session: fast reconnect may skip the inner method.
    resumed: bool,
    /// The last inner request came with a full EAP header (not compressed): an answer
    /// given later (a new password) takes the same form.
    inner_full: bool,
}

fn diag(phase: Phase, cause: Cause) -> Diagnosis {
    Diagnosis::new(phase, cause)
}

impl Phase2 {
    /// Phase 2 of a tunnel whose handshake was full, or `resumed`.
    pub(crate) fn new(resumed: bool) -> Self {
        Phase2 {
            inner: InnerEap::Idle,
            verdict: Verdict::Pending,
            resumed,
            inner_full: false,
        }
    }

    /// The keys once a Result TLV Success has been answered.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match &self.verdict {
            Verdict::Succeeded { keys, .. } => Some(keys),
            Verdict::Pending | Verdict::ServerFailed | Verdict::WeFailed => None,
        }
    }

    /// The phase phase 2 is in.
    pub(crate) fn phase(&self) -> Phase {
        match self.verdict {
            Verdict::Succeeded { .. } => Phase::Completion,
            Verdict::Pending | Verdict::ServerFailed | Verdict::WeFailed => {
                Phase::InnerAuthentication
            }
        }
    }

    /// The best explanation of a failure known from inside the tunnel.
    pub(crate) fn failure_cause(&self, config: &Config) -> Option<Cause> {
        if let Some(f) = self.inner.mschap_failure() {
            return Some(f.cause(config));
        }
        if let Verdict::Succeeded { cryptobinding, .. } = self.verdict {
            return Some(Cause::RejectedAfterInnerSuccess { cryptobinding });
        }
        if let InnerEap::Refused(proposed) = self.inner {
            return Some(Cause::InnerMethodRefused {
                proposed,
                offered: config.inner_methods.clone(),
            });
        }
        // Only the server's own verdict (a Result TLV Failure) names the credentials; an
        // EAP-Failure without one is explained by the caller as a session ended without a
        // verdict.
        if let Verdict::ServerFailed = self.verdict {
            let user = config.identity().to_string();
            // After our password or NT-Response and before the inner method succeeded,
            // the Failure is about the credentials; otherwise the server gave no reason.
            return Some(match (&self.inner, self.inner.mschap()) {
                (InnerEap::Gtc, _) => Cause::PasswordRejected {
                    user,
                    method: MethodType::Gtc,
                },
                (_, Some(MschapOutcome::Responded)) => Cause::CredentialsRejected { user },
                _ => Cause::ServerResultFailure,
            });
        }
        None
    }

    /// A Result TLV Failure or an MSCHAPv2 Failure was received.
    pub(crate) fn server_reported_failure(&self) -> bool {
        matches!(self.verdict, Verdict::ServerFailed) || self.inner.mschap_failure().is_some()
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
        self.inner_full = full;
        let eap = inner.to_eap(Code::Request, outer_id);
        match (eap.code, eap.method()) {
            (Code::Request, Some((MethodType::Tlv, data))) => {
                self.tlvs(ctx, keys, eap.identifier, data)
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
            // Answered in the form the request came in (compressed unless it carried a
            // full header).
            _ => {
                let offered = &ctx.config.inner_methods;
                self.inner.packet(ctx, offered, &eap, |response| {
                    if full {
                        Inner::Full(response)
                    } else {
                        Inner::from_eap(response)
                    }
                    .to_vec()
                })
            }
        }
    }

    /// The caller's new password (after [`Event::NewPasswordRequired`]): the inner
    /// Change-Password as the tunnel's plaintext, in the form of the request it answers.
    pub(crate) fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        password: &crate::secret::Password,
    ) -> Option<Step> {
        let full = self.inner_full;
        self.inner.new_password(ctx, password, |response| {
            if full {
                Inner::Full(response)
            } else {
                Inner::from_eap(response)
            }
            .to_vec()
        })
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
                self.verdict = Verdict::ServerFailed;
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
        binding: Option<(Result<CryptoBinding, DecodeError>, bool)>,
    ) -> Step {
        // The inner method's ISK ([MS-PEAP] 3.1.5.5): MSCHAPv2's from its MSK once the
        // server proved itself; GTC derives no keys, so zeros. Fast reconnect: only after a
        // resumed handshake, and only before any inner method began (one that began must
        // finish); no ISK then, the binding keys come from the tunnel key alone.
        let isk = match &self.inner {
            InnerEap::MsChapV2(peer) => peer.msk().map(|msk| {
                let mut isk = Zeroizing::new([0u8; 32]);
                isk.copy_from_slice(&msk.expose()[..32]);
                Some(isk)
            }),
            InnerEap::Gtc => Some(Some(Zeroizing::new([0u8; 32]))),
            InnerEap::Idle | InnerEap::Refused(_) | InnerEap::ServerFailed if self.resumed => {
                ctx.emit(Event::FastReconnect);
                Some(None)
            }
            InnerEap::Idle | InnerEap::Refused(_) | InnerEap::ServerFailed => None,
        };
        let Some(isk) = isk else {
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
                        (Some(tlv), k)
                    }
                    Err(e) => return self.fail_with_result(id, bind_fail(e)),
                }
            }
        };
        self.verdict = Verdict::Succeeded {
            cryptobinding: binding_tlv.is_some(),
            keys: session_keys,
        };
        Step::Respond {
            data: result_packet(id, ResultStatus::Success, binding_tlv.as_ref()),
            sent: SentMessage::ResultTlv { success: true },
        }
    }

    /// Ends with `diagnosis`, telling the server with a Result TLV Failure.
    fn fail_with_result(&mut self, id: u8, diagnosis: Diagnosis) -> Step {
        self.verdict = Verdict::WeFailed;
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
