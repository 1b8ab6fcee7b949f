//! TEAP phase 2 ([RFC 9930 §3.6](https://www.rfc-editor.org/rfc/rfc9930#section-3.6)): the
//! TLVs inside the tunnel. One message of the server may end an inner method
//! (Intermediate-Result with its Crypto-Binding), end the session (Result) or start the
//! next inner method (Identity-Type with an EAP-Payload or a Basic-Password-Auth-Req);
//! we answer them in that order, in one message.
//!
//! Rules we hold the server to (each refusal ends the authentication with a diagnosis and
//! our Result TLV Failure):
//! - an Intermediate-Result Success needs our side of the inner method complete
//!   (EAP-MSCHAPv2 with the server's authenticator response verified, EAP-TLS finished,
//!   the password sent) and a Crypto-Binding TLV that verifies; none, or a wrong one, is
//!   refused ([`CryptoBindingError`]);
//! - a Result Success needs at least one inner method bound this way: a Result Success
//!   before any is the phase-2 bypass CVE-2023-52160 is about in PEAP;
//! - two Result TLVs, two Intermediate-Result TLVs, two EAP-Payload TLVs in one message
//!   are violations;
//! - an unknown TLV with the M bit gets a NAK TLV naming it (RFC 9930 §4.2.5), alone;
//! - nothing is answered before the tunnel is up: this code only runs inside it (a
//!   Basic-Password-Auth-Req in clear is only TLS data the handshake refuses).

use crate::config::{Config, Credential};
use crate::crypto::teap::{Chain, PrfHash, S_IMCK_LEN, compound_mac};
use crate::diagnosis::{
    Cause, CryptoBindingError, Diagnosis, Phase, PrematureSuccess, ProtocolViolation, SentMessage,
};
use crate::event::{Event, Keys};
use crate::method::eap_tls::EapTls;
use crate::method::inner::InnerEap;
use crate::method::mschapv2::Outcome as MschapOutcome;
use crate::method::{Ctx, Decision, Step};
use crate::method_type::{MethodType, TeapInner};
use crate::secret::{Emsk, Msk, Secret};
use crate::wire::eap::{Code, Eap};
use crate::wire::teap::{
    IdentityType, TEAP_VERSION, TeapCryptoBinding, TeapStatus, TeapTlv, TeapTlvType,
    basic_password_resp, binding_flags, nak_value, parse_teap_tlvs,
};
use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::sync::Arc;
use alloc::vec::Vec;
use zeroize::Zeroizing;

/// The inner authentication of the current identity.
#[derive(Debug)]
enum Round {
    /// None runs (none yet, or the last one was bound).
    Idle,
    /// We sent the Basic-Password-Auth-Resp.
    Password,
    /// EAP-MSCHAPv2 (or its Identity) through the inner-EAP peer PEAP and TTLS share.
    Eap(InnerEap),
    /// EAP-TLS with the identity's certificate (after the inner Identity).
    Tls(Box<EapTls>),
    /// We refused the server's request for this identity (a NAK TLV or an inner Nak).
    Refused,
}

/// An inner method's MSK (empty: none) and EMSK (if it exports one).
type InnerKeys = (Zeroizing<Vec<u8>>, Option<Zeroizing<Vec<u8>>>);

/// Where the session stands.
#[derive(Debug)]
enum Verdict {
    Pending,
    /// We answered a Result TLV Success: the session's keys.
    Succeeded(Keys),
    /// The server said Failure (Intermediate-Result or Result), or sent an Error TLV.
    ServerFailed {
        error: Option<u32>,
    },
}

/// Phase 2 of one TEAP session.
#[derive(Debug)]
pub(crate) struct Phase2 {
    chain: Chain,
    server_outer_tlvs: Vec<u8>,
    session_id: Vec<u8>,
    /// The identity the server asks for now (its last Identity-Type; User until one came).
    machine: bool,
    round: Round,
    /// The identity and inner method of the last round that started, for diagnoses.
    last: Option<(bool, TeapInner)>,
    /// Inner methods bound so far.
    bound: u32,
    /// The last Crypto-Binding carried the EMSK Compound MAC.
    emsk_bound: bool,
    verdict: Verdict,
}

fn fail(phase: Phase, cause: Cause) -> Step {
    Step::Fail {
        data: Some((
            result_tlv(TeapStatus::Failure),
            SentMessage::ResultTlv { success: false },
        )),
        diagnosis: Box::new(Diagnosis::new(phase, cause)),
    }
}

fn result_tlv(status: TeapStatus) -> Vec<u8> {
    let mut out = Vec::new();
    TeapTlv::new(TeapTlvType::Result, true, &u16::from(status).to_be_bytes()).emit(&mut out);
    out
}

fn violation(what: &'static str) -> Step {
    fail(
        Phase::InnerAuthentication,
        Cause::Protocol(ProtocolViolation::Unexpected(what)),
    )
}

/// Constant-time equality of two MACs.
fn same(a: &[u8; 20], b: &[u8; 20]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// TLVs we act on; any other with the M bit is answered with a NAK TLV.
fn understood(t: TeapTlvType) -> bool {
    matches!(
        t,
        TeapTlvType::IdentityType
            | TeapTlvType::EapPayload
            | TeapTlvType::BasicPasswordAuthReq
            | TeapTlvType::IntermediateResult
            | TeapTlvType::CryptoBinding
            | TeapTlvType::Result
            | TeapTlvType::Error
    )
}

/// What one server message holds, each TLV at most once.
#[derive(Default)]
struct Message<'a> {
    identity: Option<u16>,
    payload: Option<&'a [u8]>,
    password_request: bool,
    intermediate: Option<u16>,
    binding: Option<&'a [u8]>,
    result: Option<u16>,
    error: Option<u32>,
}

impl<'a> Message<'a> {
    fn read(tlvs: &[TeapTlv<'a>]) -> Result<Self, Step> {
        let mut m = Message::default();
        let malformed = |error| {
            fail(
                Phase::InnerAuthentication,
                Cause::Protocol(ProtocolViolation::Malformed {
                    what: "TEAP TLV",
                    error,
                }),
            )
        };
        for t in tlvs {
            match t.tlv_type {
                TeapTlvType::IdentityType => {
                    m.identity = Some(t.u16_value("Identity-Type TLV").map_err(malformed)?)
                }
                TeapTlvType::EapPayload if m.payload.is_some() => {
                    return Err(violation("two EAP-Payload TLVs in one TEAP message"));
                }
                TeapTlvType::EapPayload => m.payload = Some(t.value),
                TeapTlvType::BasicPasswordAuthReq => m.password_request = true,
                TeapTlvType::IntermediateResult if m.intermediate.is_some() => {
                    return Err(violation(
                        "two Intermediate-Result TLVs in one TEAP message",
                    ));
                }
                TeapTlvType::IntermediateResult => {
                    m.intermediate =
                        Some(t.u16_value("Intermediate-Result TLV").map_err(malformed)?)
                }
                TeapTlvType::CryptoBinding if m.binding.is_some() => {
                    return Err(violation("two Crypto-Binding TLVs in one TEAP message"));
                }
                TeapTlvType::CryptoBinding => m.binding = Some(t.value),
                TeapTlvType::Result if m.result.is_some() => {
                    return Err(violation("two Result TLVs in one TEAP message"));
                }
                TeapTlvType::Result => {
                    m.result = Some(t.u16_value("Result TLV").map_err(malformed)?)
                }
                TeapTlvType::Error => m.error = Some(u32::from(t.error_code().map_err(malformed)?)),
                _ => {}
            }
        }
        Ok(m)
    }
}

impl Phase2 {
    /// Phase 2 of a tunnel with `hash` (its suite's) and `session_key_seed`.
    pub(crate) fn new(
        hash: PrfHash,
        session_key_seed: &Secret<S_IMCK_LEN>,
        server_outer_tlvs: Vec<u8>,
        session_id: Vec<u8>,
    ) -> Self {
        Phase2 {
            chain: Chain::new(hash, session_key_seed),
            server_outer_tlvs,
            session_id,
            machine: false,
            round: Round::Idle,
            last: None,
            bound: 0,
            emsk_bound: false,
            verdict: Verdict::Pending,
        }
    }

    /// The keys once a Result TLV Success has been answered.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match &self.verdict {
            Verdict::Succeeded(keys) => Some(keys),
            Verdict::Pending | Verdict::ServerFailed { .. } => None,
        }
    }

    /// The phase phase 2 is in.
    pub(crate) fn phase(&self) -> Phase {
        match self.verdict {
            Verdict::Succeeded(_) => Phase::Completion,
            Verdict::Pending | Verdict::ServerFailed { .. } => Phase::InnerAuthentication,
        }
    }

    /// The server said, inside the tunnel, that the authentication failed.
    pub(crate) fn server_reported_failure(&self) -> bool {
        matches!(self.verdict, Verdict::ServerFailed { .. })
    }

    /// What an EAP-Failure means: an Error TLV names itself; otherwise the identity and
    /// inner method we had answered for last (FreeRADIUS 3.2.7 rejects a wrong password
    /// or certificate with a bare EAP-Failure, without the Error TLV RFC 9930 §3.6
    /// recommends), or an MSCHAPv2 Failure's own reason.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        if let Verdict::ServerFailed { error: Some(code) } = self.verdict {
            return Cause::TeapError {
                code,
                machine: self.machine,
            };
        }
        if let Verdict::Succeeded(_) = self.verdict {
            return Cause::RejectedAfterInnerSuccess {
                cryptobinding: true,
            };
        }
        if let Round::Eap(inner) = &self.round {
            if let Some(f) = inner.mschap_failure() {
                return f.cause(config);
            }
        }
        match (&self.round, self.last) {
            (Round::Password | Round::Eap(_) | Round::Tls(_), Some((machine, inner))) => {
                Cause::TeapInnerRejected {
                    machine,
                    user: identity_of(config, machine).to_string(),
                    inner,
                }
            }
            (_, Some((machine, inner))) if self.server_reported_failure() => {
                Cause::TeapInnerRejected {
                    machine,
                    user: identity_of(config, machine).to_string(),
                    inner,
                }
            }
            _ => Cause::EndedWithoutVerdict {
                after: last_sent,
                sent: 1,
            },
        }
    }

    /// One decrypted message of TLVs; returns the TLVs to send back.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, data: &[u8]) -> Step {
        let tlvs = match parse_teap_tlvs(data) {
            Ok(t) => t,
            Err(error) => {
                return fail(
                    Phase::InnerAuthentication,
                    Cause::Protocol(ProtocolViolation::Malformed {
                        what: "TEAP TLVs",
                        error,
                    }),
                );
            }
        };
        // RFC 9930 §4.2.5: an unknown mandatory TLV is answered with a NAK TLV, alone.
        if let Some(t) = tlvs.iter().find(|t| t.mandatory && !understood(t.tlv_type)) {
            let mut out = Vec::new();
            TeapTlv::new(TeapTlvType::Nak, true, &nak_value(t.tlv_type)).emit(&mut out);
            return Step::Respond {
                data: out,
                sent: SentMessage::TunnelData,
            };
        }
        let m = match Message::read(&tlvs) {
            Ok(m) => m,
            Err(step) => return step,
        };
        if let Some(code) = m.error {
            self.verdict = Verdict::ServerFailed { error: Some(code) };
            return fail(
                Phase::InnerAuthentication,
                Cause::TeapError {
                    code,
                    machine: self.machine,
                },
            );
        }
        let mut out = Zeroizing::new(Vec::new());
        let mut sent = SentMessage::TunnelData;
        if let Some(status) = m.intermediate {
            if let Err(step) = self.intermediate(ctx, status, m.binding, &mut out) {
                return step;
            }
        } else if m.binding.is_some() && m.result.is_none() {
            return violation("a Crypto-Binding TLV without Intermediate-Result or Result");
        }
        if let Some(status) = m.result {
            return self.result(ctx, status, m.intermediate.is_some(), out);
        }
        if m.identity.is_some() || m.payload.is_some() || m.password_request {
            match self.request(ctx, &m, &mut out) {
                Ok(s) => sent = s,
                Err(step) => return step,
            }
        }
        Step::Respond {
            data: core::mem::take(&mut *out),
            sent,
        }
    }

    /// The end of the current inner method: on Success, its keys advance the chains and
    /// the server's Crypto-Binding must verify; we answer with ours.
    fn intermediate(
        &mut self,
        ctx: &mut Ctx<'_>,
        status: u16,
        binding: Option<&[u8]>,
        out: &mut Vec<u8>,
    ) -> Result<(), Step> {
        if TeapStatus::from(status) != TeapStatus::Success {
            self.verdict = Verdict::ServerFailed { error: None };
            TeapTlv::new(
                TeapTlvType::IntermediateResult,
                true,
                &u16::from(TeapStatus::Failure).to_be_bytes(),
            )
            .emit(out);
            return Ok(());
        }
        let Some(binding) = binding else {
            return Err(fail(
                Phase::CryptoBinding,
                Cause::CryptoBinding(CryptoBindingError::Missing),
            ));
        };
        let Some((msk, emsk)) = self.round_keys() else {
            return Err(fail(
                Phase::InnerAuthentication,
                Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner),
            ));
        };
        self.chain.advance(&msk[..], emsk.as_ref().map(|e| &e[..]));
        let response = self
            .verify(binding)
            .map_err(|e| fail(Phase::CryptoBinding, Cause::CryptoBinding(e)))?;
        TeapTlv::new(
            TeapTlvType::IntermediateResult,
            true,
            &u16::from(TeapStatus::Success).to_be_bytes(),
        )
        .emit(out);
        out.extend_from_slice(&response);
        if let Some((_, inner)) = self.last {
            ctx.emit(Event::InnerMethodSucceeded {
                method: match inner {
                    TeapInner::Password => MethodType::Teap,
                    TeapInner::MsChapV2 => MethodType::MsChapV2,
                    TeapInner::Tls => MethodType::Tls,
                },
            });
        }
        self.round = Round::Idle;
        self.bound += 1;
        Ok(())
    }

    /// The keys of the finished inner method (IMSK inputs): `None` if it is not finished
    /// on our side. EAP-MSCHAPv2's MSK has its two halves swapped, as EAP-FAST-MSCHAPv2
    /// (RFC 9930 §3.6.3, RFC 5422 §3.2.3).
    fn round_keys(&self) -> Option<InnerKeys> {
        match &self.round {
            Round::Password => Some((Zeroizing::new(Vec::new()), None)),
            Round::Eap(inner) => match inner.mschap()? {
                MschapOutcome::Succeeded(msk) => {
                    let m = msk.expose();
                    let mut v = Vec::with_capacity(32);
                    v.extend_from_slice(&m[16..32]);
                    v.extend_from_slice(&m[..16]);
                    Some((Zeroizing::new(v), None))
                }
                _ => None,
            },
            Round::Tls(tls) if tls.decision() == Decision::CondSucc => {
                let keys = tls.keys()?;
                Some((
                    Zeroizing::new(keys.msk.expose().to_vec()),
                    Some(Zeroizing::new(keys.emsk.expose().to_vec())),
                ))
            }
            Round::Idle | Round::Refused | Round::Tls(_) => None,
        }
    }

    /// Verifies the server's Crypto-Binding (a Binding Request of version 1 whose Compound
    /// MACs verify: the MSK one, and the EMSK one when we have an EMSK) and returns our
    /// Binding Response TLV, with the EMSK MAC too when both sides have one.
    fn verify(&mut self, value: &[u8]) -> Result<Vec<u8>, CryptoBindingError> {
        let b = TeapCryptoBinding::parse(value).map_err(|_| CryptoBindingError::Malformed)?;
        if b.version != TEAP_VERSION {
            return Err(CryptoBindingError::Version(b.version));
        }
        if b.received_version != TEAP_VERSION {
            return Err(CryptoBindingError::ReceivedVersion(b.received_version));
        }
        if b.sub_type != 0 {
            return Err(CryptoBindingError::SubType(b.sub_type));
        }
        let hash = self.chain.hash();
        let zeroed = b.zeroed_tlv();
        let mac = |cmk| compound_mac(hash, cmk, &zeroed, &self.server_outer_tlvs, &[]);
        let emsk_sent = b.flags & binding_flags::EMSK != 0;
        let msk_sent = b.flags & binding_flags::MSK != 0;
        let mut checked = false;
        if msk_sent {
            if !same(&mac(self.chain.msk_cmk()), &b.msk_mac) {
                return Err(CryptoBindingError::BadMac);
            }
            checked = true;
        }
        let emsk_cmk = self.chain.emsk_cmk();
        if emsk_sent {
            if let Some(cmk) = emsk_cmk {
                if !same(&mac(cmk), &b.emsk_mac) {
                    return Err(CryptoBindingError::BadMac);
                }
                checked = true;
            }
        }
        if !checked {
            return Err(CryptoBindingError::Missing);
        }
        // Our response: the server's nonce with its last bit set (RFC 9930 §4.2.13).
        let both = emsk_sent && emsk_cmk.is_some();
        let mut nonce = b.nonce;
        nonce[31] |= 1;
        let mut ours = TeapCryptoBinding {
            reserved: 0,
            version: TEAP_VERSION,
            received_version: TEAP_VERSION,
            flags: if both {
                binding_flags::BOTH
            } else {
                binding_flags::MSK
            },
            sub_type: 1,
            nonce,
            emsk_mac: [0; 20],
            msk_mac: [0; 20],
        };
        let zeroed = ours.zeroed_tlv();
        let mac = |cmk| compound_mac(hash, cmk, &zeroed, &self.server_outer_tlvs, &[]);
        ours.msk_mac = mac(self.chain.msk_cmk());
        if let (true, Some(cmk)) = (both, emsk_cmk) {
            ours.emsk_mac = mac(cmk);
        }
        self.emsk_bound = both;
        let mut out = Vec::new();
        TeapTlv::new(TeapTlvType::CryptoBinding, true, &ours.value()).emit(&mut out);
        Ok(out)
    }

    /// The Result TLV: Success only after an inner method was bound and none runs.
    fn result(
        &mut self,
        _ctx: &mut Ctx<'_>,
        status: u16,
        with_intermediate: bool,
        mut out: Zeroizing<Vec<u8>>,
    ) -> Step {
        if TeapStatus::from(status) != TeapStatus::Success {
            self.verdict = Verdict::ServerFailed { error: None };
            TeapTlv::new(
                TeapTlvType::Result,
                true,
                &u16::from(TeapStatus::Failure).to_be_bytes(),
            )
            .emit(&mut out);
            return Step::Respond {
                data: core::mem::take(&mut *out),
                sent: SentMessage::ResultTlv { success: false },
            };
        }
        if self.server_reported_failure() {
            return violation("a Result TLV Success after an Intermediate-Result Failure");
        }
        if self.bound == 0 || !matches!(self.round, Round::Idle) {
            return fail(
                Phase::InnerAuthentication,
                Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner),
            );
        }
        let _ = with_intermediate;
        TeapTlv::new(
            TeapTlvType::Result,
            true,
            &u16::from(TeapStatus::Success).to_be_bytes(),
        )
        .emit(&mut out);
        let (msk, emsk) = self.chain.session_keys(self.emsk_bound);
        self.verdict = Verdict::Succeeded(Keys {
            msk: Msk::new(msk),
            emsk: Emsk::new(emsk),
            session_id: self.session_id.clone(),
            from_cryptobinding: true,
        });
        Step::Respond {
            data: core::mem::take(&mut *out),
            sent: SentMessage::ResultTlv { success: true },
        }
    }

    /// The start or next step of an inner method: Identity-Type (echoed), then the
    /// password or the inner EAP packet's answer, for the identity asked.
    fn request(
        &mut self,
        ctx: &mut Ctx<'_>,
        m: &Message<'_>,
        out: &mut Vec<u8>,
    ) -> Result<SentMessage, Step> {
        if let Some(t) = m.identity {
            let machine = match IdentityType::from(t) {
                IdentityType::User => false,
                IdentityType::Machine => true,
                _ => return Err(violation("an Identity-Type TLV of an unknown type")),
            };
            if machine && ctx.config.teap_machine.is_none() {
                return Err(fail(
                    Phase::InnerAuthentication,
                    Cause::TeapNoCredential { machine },
                ));
            }
            if machine != self.machine || !matches!(self.round, Round::Eap(_) | Round::Tls(_)) {
                self.round = Round::Idle;
            }
            self.machine = machine;
            TeapTlv::new(TeapTlvType::IdentityType, false, &t.to_be_bytes()).emit(out);
        }
        let config = self.identity_config(ctx.config);
        let inner = config.teap_inner;
        if m.password_request {
            let password = match (&config.credential, inner) {
                (Some(Credential::Password(p)), TeapInner::Password) => p,
                _ => {
                    // We do not do passwords for this identity: refuse the TLV.
                    self.round = Round::Refused;
                    TeapTlv::new(
                        TeapTlvType::Nak,
                        true,
                        &nak_value(TeapTlvType::BasicPasswordAuthReq),
                    )
                    .emit(out);
                    return Ok(SentMessage::TunnelData);
                }
            };
            let Some(value) =
                basic_password_resp(config.identity.as_bytes(), password.expose().as_bytes())
            else {
                return Err(fail(
                    Phase::InnerAuthentication,
                    Cause::Protocol(ProtocolViolation::Unexpected(
                        "a user name or password longer than Basic-Password-Auth carries",
                    )),
                ));
            };
            let value = Zeroizing::new(value);
            TeapTlv::new(TeapTlvType::BasicPasswordAuthResp, true, &value).emit(out);
            self.round = Round::Password;
            self.last = Some((self.machine, TeapInner::Password));
            return Ok(SentMessage::PapCredentials);
        }
        let Some(payload) = m.payload else {
            return Ok(SentMessage::TunnelData);
        };
        let eap = match Eap::parse(payload) {
            Ok(e) if e.code == Code::Request => e,
            Ok(_) => return Err(violation("an inner EAP packet that is not a request")),
            Err(error) => {
                return Err(fail(
                    Phase::InnerAuthentication,
                    Cause::Protocol(ProtocolViolation::Malformed {
                        what: "EAP-Payload TLV",
                        error,
                    }),
                ));
            }
        };
        let mut sub = Ctx {
            config: &config,
            out: &mut *ctx.out,
            clockless_floor: &mut *ctx.clockless_floor,
        };
        let step = self.inner_eap(&mut sub, inner, &eap);
        match step {
            Step::Respond { data, sent } => {
                TeapTlv::new(TeapTlvType::EapPayload, true, &data).emit(out);
                Ok(sent)
            }
            Step::Discard => Err(Step::Discard),
            // The inner MSCHAPv2 asked the caller for a new password (E=648): the answer
            // goes out through `new_password`.
            Step::Wait => Err(Step::Wait),
            Step::Fail { diagnosis, .. } => Err(inner_failure(diagnosis)),
        }
    }

    /// The configuration of the identity the server is authenticating now: the machine's
    /// when it asked for the machine and one is configured, else the user's.
    fn identity_config(&self, config: &Config) -> Arc<Config> {
        match (self.machine, &config.teap_machine) {
            (true, Some(machine)) => machine.clone(),
            _ => Arc::new(config.clone()),
        }
    }

    /// The caller's new password, after the inner EAP-MSCHAPv2 of the current identity
    /// asked for one ([`Event::NewPasswordRequired`]): its Change-Password in an
    /// EAP-Payload TLV; `None` if nothing waits.
    pub(crate) fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        password: &crate::secret::Password,
    ) -> Option<Step> {
        let config = self.identity_config(ctx.config);
        let Round::Eap(inner) = &mut self.round else {
            return None;
        };
        let mut sub = Ctx {
            config: &config,
            out: &mut *ctx.out,
            clockless_floor: &mut *ctx.clockless_floor,
        };
        let step = inner.new_password(&mut sub, password, |eap| eap.to_vec())?;
        Some(match step {
            Step::Respond { data, sent } => {
                let mut out = Vec::new();
                TeapTlv::new(TeapTlvType::EapPayload, true, &data).emit(&mut out);
                Step::Respond { data: out, sent }
            }
            Step::Fail { diagnosis, .. } => inner_failure(diagnosis),
            other => other,
        })
    }

    /// One inner EAP request for `inner`: the inner-EAP peer for the Identity and
    /// EAP-MSCHAPv2, our EAP-TLS peer for EAP-TLS. Returns the whole response packet.
    fn inner_eap(&mut self, ctx: &mut Ctx<'_>, inner: TeapInner, eap: &Eap<'_>) -> Step {
        let id = eap.identifier;
        let Some((method, data)) = eap.method() else {
            return violation("an inner EAP request without a Type");
        };
        let wrap = |m: MethodType| move |d: Vec<u8>, s| (Eap::response(id, m, &d).to_vec(), s);
        if inner == TeapInner::Tls && method != MethodType::Identity {
            if method != MethodType::Tls {
                let (t, nak) = crate::method::nak(method, &[MethodType::Tls]);
                self.round = Round::Refused;
                ctx.emit(Event::InnerMethodProposed {
                    method,
                    accepted: false,
                });
                return Step::Respond {
                    data: Eap::response(id, t, &nak).to_vec(),
                    sent: SentMessage::InnerNak,
                };
            }
            if !matches!(self.round, Round::Tls(_)) {
                ctx.emit(Event::InnerMethodProposed {
                    method,
                    accepted: true,
                });
                self.round = Round::Tls(Box::new(EapTls::new()));
                self.last = Some((self.machine, TeapInner::Tls));
            }
            return match &mut self.round {
                Round::Tls(tls) => tls.process(ctx, id, data).map_data(wrap(MethodType::Tls)),
                // Set just above.
                _ => Step::Discard,
            };
        }
        if !matches!(self.round, Round::Eap(_)) {
            self.round = Round::Eap(InnerEap::Idle);
        }
        let offered: &[MethodType] = match inner {
            TeapInner::MsChapV2 => &[MethodType::MsChapV2],
            // Identity only: the method itself is refused below.
            TeapInner::Password | TeapInner::Tls => &[],
        };
        if method != MethodType::Identity {
            self.last = Some((self.machine, inner));
        }
        match &mut self.round {
            Round::Eap(peer) => peer.packet(ctx, offered, eap, |r| r.to_vec()),
            // Set just above.
            _ => Step::Discard,
        }
    }
}

/// The identity answered for: the machine's or the user's.
fn identity_of(config: &Config, machine: bool) -> &str {
    match (machine, &config.teap_machine) {
        (true, Some(m)) => m.identity(),
        _ => config.identity(),
    }
}

/// An inner method's failure: a Result TLV Failure as our last words.
fn inner_failure(diagnosis: alloc::boxed::Box<crate::diagnosis::Diagnosis>) -> Step {
    Step::Fail {
        data: Some((
            result_tlv(TeapStatus::Failure),
            SentMessage::ResultTlv { success: false },
        )),
        diagnosis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::teap::{Chain, compound_mac};
    use crate::event::Output;
    use alloc::collections::VecDeque;

    const SEED: [u8; 40] = [1; 40];
    const OUTER: &[u8] = &[0, 1, 0, 2, b'i', b'd'];

    fn config() -> Config {
        Config::builder("alice")
            .password("pw")
            .danger_accept_any_server_certificate()
            .methods([MethodType::Teap])
            .teap_inner(TeapInner::Password)
            .build()
            .unwrap()
    }

    fn phase2() -> Phase2 {
        Phase2::new(
            PrfHash::Sha256,
            &Secret::new(SEED),
            OUTER.to_vec(),
            alloc::vec![55],
        )
    }

    fn tlv(out: &mut Vec<u8>, t: TeapTlvType, v: &[u8]) {
        TeapTlv::new(t, true, v).emit(out);
    }

    fn run(p: &mut Phase2, msg: &[u8]) -> Step {
        let c = config();
        let mut out = VecDeque::<Output>::new();
        let mut ctx = Ctx {
            config: &c,
            out: &mut out,
            clockless_floor: &mut None,
        };
        p.process(&mut ctx, msg)
    }

    fn respond(step: Step) -> Vec<u8> {
        match step {
            Step::Respond { data, .. } => data,
            other => panic!("not a response: {other:?}"),
        }
    }

    fn cause(step: Step) -> Cause {
        match step {
            Step::Fail { diagnosis, data } => {
                // Every refusal says Result Failure through the tunnel.
                assert_eq!(data.unwrap().0, result_tlv(TeapStatus::Failure));
                diagnosis.cause
            }
            other => panic!("not a failure: {other:?}"),
        }
    }

    /// The server's Intermediate-Result + Crypto-Binding after a password round (IMSK of
    /// zeros), optionally with a Result; `mac` spoils the MAC when false.
    fn binding_message(good_mac: bool, result: bool) -> Vec<u8> {
        let mut chain = Chain::new(PrfHash::Sha256, &Secret::new(SEED));
        chain.advance(&[], None);
        let mut b = TeapCryptoBinding {
            reserved: 0,
            version: 1,
            received_version: 1,
            flags: binding_flags::MSK,
            sub_type: 0,
            nonce: [6; 32],
            emsk_mac: [0; 20],
            msk_mac: [0; 20],
        };
        b.nonce[31] = 0;
        b.msk_mac = compound_mac(
            PrfHash::Sha256,
            chain.msk_cmk(),
            &b.zeroed_tlv(),
            OUTER,
            &[],
        );
        if !good_mac {
            b.msk_mac[0] ^= 1;
        }
        let mut m = Vec::new();
        tlv(&mut m, TeapTlvType::IntermediateResult, &[0, 1]);
        tlv(&mut m, TeapTlvType::CryptoBinding, &b.value());
        if result {
            tlv(&mut m, TeapTlvType::Result, &[0, 1]);
        }
        m
    }

    fn password_round(p: &mut Phase2) {
        let mut m = Vec::new();
        TeapTlv::new(TeapTlvType::IdentityType, false, &[0, 1]).emit(&mut m);
        tlv(&mut m, TeapTlvType::BasicPasswordAuthReq, &[]);
        let r = respond(run(p, &m));
        let tlvs = parse_teap_tlvs(&r).unwrap();
        assert_eq!(tlvs[0].tlv_type, TeapTlvType::IdentityType);
        assert_eq!(tlvs[1].tlv_type, TeapTlvType::BasicPasswordAuthResp);
        assert_eq!(tlvs[1].value, b"\x05alice\x02pw");
    }

    #[test]
    fn password_then_binding_and_result_succeeds_with_chain_keys() {
        let mut p = phase2();
        password_round(&mut p);
        let r = respond(run(&mut p, &binding_message(true, true)));
        let tlvs = parse_teap_tlvs(&r).unwrap();
        let types: Vec<_> = tlvs.iter().map(|t| t.tlv_type).collect();
        assert_eq!(
            types,
            [
                TeapTlvType::IntermediateResult,
                TeapTlvType::CryptoBinding,
                TeapTlvType::Result
            ]
        );
        // Our Binding Response verifies under the same CMK, nonce with its last bit set.
        let ours = TeapCryptoBinding::parse(tlvs[1].value).unwrap();
        assert_eq!((ours.sub_type, ours.flags, ours.nonce[31]), (1, 2, 1));
        let mut chain = Chain::new(PrfHash::Sha256, &Secret::new(SEED));
        chain.advance(&[], None);
        let want = compound_mac(
            PrfHash::Sha256,
            chain.msk_cmk(),
            &ours.zeroed_tlv(),
            OUTER,
            &[],
        );
        assert_eq!(ours.msk_mac, want);
        let keys = p.keys().expect("keys after Result Success");
        assert_eq!(keys.msk.expose(), &chain.session_keys(false).0);
        assert!(keys.from_cryptobinding);
    }

    #[test]
    fn a_wrong_or_missing_crypto_binding_is_refused() {
        let mut p = phase2();
        password_round(&mut p);
        assert_eq!(
            cause(run(&mut p, &binding_message(false, true))),
            Cause::CryptoBinding(CryptoBindingError::BadMac)
        );
        let mut p = phase2();
        password_round(&mut p);
        let mut m = Vec::new();
        tlv(&mut m, TeapTlvType::IntermediateResult, &[0, 1]);
        tlv(&mut m, TeapTlvType::Result, &[0, 1]);
        assert_eq!(
            cause(run(&mut p, &m)),
            Cause::CryptoBinding(CryptoBindingError::Missing)
        );
        assert!(p.keys().is_none());
    }

    #[test]
    fn result_success_before_any_inner_method_is_refused() {
        let mut p = phase2();
        let mut m = Vec::new();
        tlv(&mut m, TeapTlvType::Result, &[0, 1]);
        assert_eq!(
            cause(run(&mut p, &m)),
            Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner)
        );
        // Nor with a binding of an inner method that never ran.
        let mut p = phase2();
        assert_eq!(
            cause(run(&mut p, &binding_message(true, true))),
            Cause::PrematureSuccess(PrematureSuccess::ResultTlvBeforeInner)
        );
    }

    #[test]
    fn two_result_tlvs_are_a_violation() {
        let mut p = phase2();
        password_round(&mut p);
        let mut m = binding_message(true, true);
        tlv(&mut m, TeapTlvType::Result, &[0, 1]);
        assert!(matches!(
            cause(run(&mut p, &m)),
            Cause::Protocol(ProtocolViolation::Unexpected(w)) if w.contains("two Result")
        ));
    }

    #[test]
    fn an_unknown_mandatory_tlv_gets_a_nak_tlv() {
        let mut p = phase2();
        let mut m = Vec::new();
        tlv(&mut m, TeapTlvType::Unknown(0x123), b"x");
        let r = respond(run(&mut p, &m));
        assert_eq!(r, [0x80, 4, 0, 6, 0, 0, 0, 0, 0x01, 0x23]);
        // Optional unknown TLVs are ignored: nothing to answer.
        let mut m = Vec::new();
        TeapTlv::new(TeapTlvType::Unknown(0x123), false, b"x").emit(&mut m);
        assert!(respond(run(&mut p, &m)).is_empty());
    }

    #[test]
    fn error_tlv_and_missing_machine_credential_are_named() {
        let mut p = phase2();
        let mut m = Vec::new();
        tlv(&mut m, TeapTlvType::Error, &2001u32.to_be_bytes());
        let c = cause(run(&mut p, &m));
        assert_eq!(
            c,
            Cause::TeapError {
                code: 2001,
                machine: false
            }
        );
        assert!(
            c.to_string().contains("2001 (Tunnel Compromise Error)"),
            "{c}"
        );
        let mut p = phase2();
        let mut m = Vec::new();
        TeapTlv::new(TeapTlvType::IdentityType, false, &[0, 2]).emit(&mut m);
        tlv(&mut m, TeapTlvType::BasicPasswordAuthReq, &[]);
        assert_eq!(
            cause(run(&mut p, &m)),
            Cause::TeapNoCredential { machine: true }
        );
    }

    #[test]
    fn a_rejected_password_names_the_identity_and_method() {
        let mut p = phase2();
        password_round(&mut p);
        let c = config();
        let cause = p.failure_cause(&c, SentMessage::PapCredentials);
        assert_eq!(
            cause,
            Cause::TeapInnerRejected {
                machine: false,
                user: "alice".into(),
                inner: TeapInner::Password
            }
        );
    }
}
