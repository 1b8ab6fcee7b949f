//! The server side of TEAP phase 2 (RFC 9930 §3.6) for fast tests: Identity-Type User with
//! a Basic-Password-Auth-Req, the password checked against the users, then
//! Intermediate-Result, Crypto-Binding (IMSK of zeros) and Result in one message, as
//! FreeRADIUS 3.2.7 sends them; the peer's Crypto-Binding must verify before EAP-Success.
//! The knobs that apply: `cryptobinding` (off: the binding is left out),
//! `bad_cryptobinding_mac`, `early_result_success` (a Result Success instead of the
//! password request) and `mutate_inner` (0: the password request, 1: the binding message).

use super::AuthenticatorConfig;
use super::inner::InnerAction;
use super::server_tls::ServerTls;
use crate::crypto::teap::{Chain, PrfHash, S_IMCK_LEN, SESSION_KEY_SEED_LABEL, compound_mac};
use crate::event::Keys;
use crate::secret::{Emsk, Msk, Secret};
use crate::wire::teap::{TeapCryptoBinding, TeapTlv, TeapTlvType, binding_flags, parse_teap_tlvs};
use alloc::vec::Vec;

/// The TEAP Type-Code (the Session-Id's first octet).
pub(crate) const TEAP_TYPE_CODE: u8 = 55;
/// The Authority-ID the Start carries as its Outer TLV.
pub(crate) const AUTHORITY_ID: &[u8] = b"eap-tests";

/// The server's Outer TLVs (what the Start carries, and the Compound MAC covers).
pub(crate) fn outer_tlvs() -> Vec<u8> {
    let mut out = Vec::new();
    TeapTlv::new(TeapTlvType::AuthorityId, false, AUTHORITY_ID).emit(&mut out);
    out
}

#[derive(Debug)]
enum Stage {
    Password,
    Binding(Chain),
}

pub(crate) struct TeapServer {
    stage: Stage,
}

fn status(t: TeapTlvType, s: u16) -> Vec<u8> {
    let mut out = Vec::new();
    TeapTlv::new(t, true, &s.to_be_bytes()).emit(&mut out);
    out
}

impl TeapServer {
    pub(crate) fn new() -> Self {
        TeapServer {
            stage: Stage::Password,
        }
    }

    /// Phase 2's first message.
    pub(crate) fn start(&mut self, config: &AuthenticatorConfig) -> InnerAction {
        if config.knobs.early_result_success {
            return InnerAction::Send(status(TeapTlvType::Result, 1));
        }
        let mut out = Vec::new();
        TeapTlv::new(TeapTlvType::IdentityType, false, &[0, 1]).emit(&mut out);
        TeapTlv::new(TeapTlvType::BasicPasswordAuthReq, true, &[]).emit(&mut out);
        InnerAction::Send(out)
    }

    pub(crate) fn handle(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        plain: &[u8],
    ) -> InnerAction {
        let Ok(tlvs) = parse_teap_tlvs(plain) else {
            return InnerAction::Reject;
        };
        let hash = PrfHash::of_suite(tls.suite().unwrap_or(0));
        match &self.stage {
            Stage::Password => {
                let Some(resp) = tlvs
                    .iter()
                    .find(|t| t.tlv_type == TeapTlvType::BasicPasswordAuthResp)
                else {
                    return InnerAction::Reject;
                };
                let v = resp.value;
                let Some(&ul) = v.first() else {
                    return InnerAction::Reject;
                };
                let ul = usize::from(ul);
                let (Some(user), Some(&pl)) = (v.get(1..1 + ul), v.get(1 + ul)) else {
                    return InnerAction::Reject;
                };
                let Some(password) = v.get(2 + ul..2 + ul + usize::from(pl)) else {
                    return InnerAction::Reject;
                };
                if !config
                    .users
                    .iter()
                    .any(|(u, p)| u.as_bytes() == user && p.as_bytes() == password)
                {
                    return InnerAction::Reject;
                }
                let mut seed = [0u8; S_IMCK_LEN];
                if tls.export(SESSION_KEY_SEED_LABEL, None, &mut seed).is_err() {
                    return InnerAction::Reject;
                }
                let mut chain = Chain::new(hash, &Secret::new(seed));
                chain.advance(&[], None);
                let mut out = status(TeapTlvType::IntermediateResult, 1);
                if config.cryptobinding {
                    let mut b = TeapCryptoBinding {
                        reserved: 0,
                        version: 1,
                        received_version: 1,
                        flags: binding_flags::MSK,
                        sub_type: 0,
                        nonce: [0x42; 32],
                        emsk_mac: [0; 20],
                        msk_mac: [0; 20],
                    };
                    b.msk_mac =
                        compound_mac(hash, chain.msk_cmk(), &b.zeroed_tlv(), &outer_tlvs(), &[]);
                    if config.knobs.bad_cryptobinding_mac {
                        b.msk_mac[0] ^= 0xff;
                    }
                    TeapTlv::new(TeapTlvType::CryptoBinding, true, &b.value()).emit(&mut out);
                }
                out.extend(status(TeapTlvType::Result, 1));
                self.stage = Stage::Binding(chain);
                InnerAction::Send(out)
            }
            Stage::Binding(chain) => {
                let result = tlvs.iter().find(|t| t.tlv_type == TeapTlvType::Result);
                let binding = tlvs
                    .iter()
                    .find(|t| t.tlv_type == TeapTlvType::CryptoBinding)
                    .and_then(|t| TeapCryptoBinding::parse(t.value).ok());
                let (Some(result), Some(b)) = (result, binding) else {
                    return InnerAction::Reject;
                };
                let want = compound_mac(hash, chain.msk_cmk(), &b.zeroed_tlv(), &outer_tlvs(), &[]);
                if result.value != [0, 1] || b.sub_type != 1 || b.msk_mac != want {
                    return InnerAction::Reject;
                }
                let (msk, emsk) = chain.session_keys(false);
                InnerAction::Accept(Keys {
                    msk: Msk::new(msk),
                    emsk: Emsk::new(emsk),
                    session_id: tls.session_id(TEAP_TYPE_CODE),
                    from_cryptobinding: true,
                })
            }
        }
    }
}
