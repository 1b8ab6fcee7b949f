//! The server side of PEAPv0 phase 2: inner Identity, EAP-MSCHAPv2 verification (RFC 2759),
//! EAP-TLV Result and Crypto-Binding ([MS-PEAP] §3.2.5).

use super::AuthenticatorConfig;
use super::WrongPassword;
use super::server_tls::ServerTls;
use crate::crypto::mppe::mschapv2_msk;
use crate::crypto::mschapv2::{
    generate_authenticator_response, generate_nt_response, nt_password_hash,
};
use crate::crypto::peap::{compound_keys, compound_mac, csk, fast_reconnect_keys};
use crate::crypto::tls_keys::{KeyMaterial, PEAP_TYPE_CODE, TLS12_KEY_LABEL, TLS13_KEY_LABEL};
use crate::event::Keys;
use crate::method_type::MethodType;
use crate::secret::{Emsk, Msk, Secret};
use crate::tls::TlsVersion;
use crate::wire::eap::{Code, Eap};
use crate::wire::mschapv2::{FailureMessage, MsChapV2, SuccessMessage, error_code};
use crate::wire::peap_inner::Inner;
use crate::wire::tlv::{
    CryptoBinding, CryptoBindingSubType, ResultStatus, Tlv, TlvType, parse_tlvs, result_value,
};
use alloc::string::String;
use alloc::vec::Vec;

/// What phase 2 wants the outer layer to do.
pub(crate) enum InnerAction {
    /// Encrypt and send this inner packet.
    Send(Vec<u8>),
    /// Send EAP-Success with these keys.
    Accept(Keys),
    /// Send EAP-Failure.
    Reject,
    /// Send a premature EAP-Success (knob).
    EarlySuccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Identity,
    Challenge,
    Gtc,
    SuccessAck,
    FailureAck,
    /// E=648 sent: a Change-Password (or the Failure's ack) comes next.
    Expired,
    Result {
        success: bool,
    },
}

/// The fields of a peer's Change-Password ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)).
pub(crate) struct ChangePassword<'a> {
    pub(crate) encrypted_password: &'a [u8; 516],
    pub(crate) encrypted_hash: &'a [u8; 16],
    pub(crate) peer_challenge: &'a [u8; 16],
    pub(crate) nt_response: &'a [u8; 24],
}

impl ChangePassword<'_> {
    /// Checks it as FreeRADIUS's `local_cpw` does: the new password decrypted under
    /// `old`'s hash, the old hash's proof under the new one, the NT-Response under the new
    /// password to `challenge` (the Failure's). The new password and its hash.
    pub(crate) fn check(
        &self,
        old: &str,
        user_name: &[u8],
        challenge: &[u8; 16],
    ) -> Option<(String, crate::secret::NtHash)> {
        use crate::crypto::password_change::old_nt_password_hash_encrypted_with_new_nt_password_hash as proof_of;
        let old_hash = nt_password_hash(old);
        let mut block = zeroize::Zeroizing::new(*self.encrypted_password);
        crate::crypto::rc4::Rc4::new(old_hash.expose())?.apply(&mut block[..]);
        let len = u32::from_le_bytes([block[512], block[513], block[514], block[515]]) as usize;
        if len > 512 || len % 2 != 0 {
            return None;
        }
        let units: Vec<u16> = block[512 - len..512]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let new = String::from_utf16(&units).ok()?;
        let new_hash = nt_password_hash(&new);
        let response = generate_nt_response(challenge, self.peer_challenge, user_name, &new_hash);
        (proof_of(&old_hash, &new_hash) == *self.encrypted_hash && response == *self.nt_response)
            .then_some((new, new_hash))
    }
}

pub(crate) struct InnerServer {
    stage: Stage,
    user: Option<String>,
    challenge: [u8; 16],
    msk: Option<Msk>,
    /// The peer answered GTC with the right password.
    gtc_ok: bool,
    /// The new password of an accepted Change-Password.
    changed: Option<String>,
    binding: Option<(CryptoBinding, Secret<20>, Secret<40>)>,
}

pub(crate) fn random<const N: usize>(config: &AuthenticatorConfig) -> [u8; N] {
    let mut out = [0u8; N];
    config
        .tls
        .crypto_provider()
        .secure_random
        .fill(&mut out)
        .expect("rng");
    out
}

fn tlv_packet(id: u8, tlvs: &[u8]) -> Vec<u8> {
    Inner::Full(Eap::request(id, MethodType::Tlv, tlvs)).to_vec()
}

fn compressed(method: MethodType, data: &[u8]) -> Vec<u8> {
    Inner::Compressed { method, data }.to_vec()
}

fn result_tlv(status: ResultStatus) -> Vec<u8> {
    let value = result_value(status);
    let mut out = Vec::new();
    Tlv {
        mandatory: true,
        reserved: false,
        tlv_type: TlvType::Result,
        value: &value,
    }
    .emit(&mut out);
    out
}

fn key_material(tls: &ServerTls) -> KeyMaterial {
    let mut km = [0u8; 128];
    let tls13 = tls.version() == Some(TlsVersion::TLS13);
    let _ = if tls13 {
        tls.export(TLS13_KEY_LABEL, Some(&[PEAP_TYPE_CODE]), &mut km[..])
    } else {
        tls.export(TLS12_KEY_LABEL, None, &mut km[..])
    };
    KeyMaterial(Secret::new(km))
}

impl InnerServer {
    pub(crate) fn new(_config: &AuthenticatorConfig) -> Self {
        InnerServer {
            stage: Stage::Identity,
            user: None,
            challenge: [0; 16],
            msk: None,
            gtc_ok: false,
            binding: None,
            changed: None,
        }
    }

    pub(crate) fn changed_password(&self) -> Option<&str> {
        self.changed.as_deref()
    }

    pub(crate) fn start(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        id: u8,
    ) -> InnerAction {
        if config.knobs.early_result_success {
            // Phase 2 skipped: fast reconnect after a resumption, the bypass otherwise.
            return self.result_success(config, tls, id);
        }
        self.stage = Stage::Identity;
        InnerAction::Send(compressed(MethodType::Identity, &[]))
    }

    pub(crate) fn handle(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        plain: &[u8],
        id: u8,
    ) -> InnerAction {
        let Ok(inner) = Inner::decode(plain) else {
            return InnerAction::Reject;
        };
        let eap = inner.to_eap(Code::Response, id);
        let Some((method, data)) = eap.method() else {
            return InnerAction::Reject;
        };
        let next_id = id.wrapping_add(1);
        match (self.stage, method) {
            (Stage::Identity, MethodType::Identity) => {
                self.user = Some(String::from_utf8_lossy(data).into());
                if let Some(m) = config.knobs.inner_method {
                    self.stage = Stage::Gtc;
                    return InnerAction::Send(compressed(m, b"Password: "));
                }
                self.challenge = random(config);
                self.stage = Stage::Challenge;
                let ch = MsChapV2::Challenge {
                    id: next_id,
                    ms_length: 0,
                    challenge: self.challenge,
                    name: b"authenticator",
                }
                .with_ms_length()
                .to_vec();
                InnerAction::Send(compressed(MethodType::MsChapV2, &ch))
            }
            (Stage::Gtc, MethodType::Gtc) => {
                let user = self.user.clone().unwrap_or_default();
                let correct = config
                    .users
                    .iter()
                    .any(|(u, p)| *u == user && p.as_bytes() == data);
                self.gtc_ok = correct;
                if correct {
                    self.result_success(config, tls, next_id)
                } else {
                    self.result(next_id, false)
                }
            }
            (Stage::Gtc, _) => self.result(next_id, false),
            (Stage::Challenge, MethodType::MsChapV2) => self.response(config, tls, data, next_id),
            (Stage::SuccessAck, MethodType::MsChapV2) if data.first() == Some(&3) => {
                self.result_success(config, tls, next_id)
            }
            // A retry (R=1): a new Response to the Failure's challenge.
            (Stage::FailureAck, MethodType::MsChapV2)
                if config.knobs.retry && data.first() == Some(&2) =>
            {
                self.response(config, tls, data, next_id)
            }
            (Stage::FailureAck, MethodType::MsChapV2) => self.result(next_id, false),
            (Stage::Expired, MethodType::MsChapV2) if data.first() == Some(&7) => {
                self.change_password(config, data, next_id)
            }
            (Stage::Expired, MethodType::MsChapV2) => self.result(next_id, false),
            (Stage::Result { success }, MethodType::Tlv) => {
                self.result_response(config, tls, data, success)
            }
            _ => InnerAction::Reject,
        }
    }

    fn result(&mut self, id: u8, success: bool) -> InnerAction {
        self.stage = Stage::Result { success };
        let status = if success {
            ResultStatus::Success
        } else {
            ResultStatus::Failure
        };
        InnerAction::Send(tlv_packet(id, &result_tlv(status)))
    }

    fn response(
        &mut self,
        config: &AuthenticatorConfig,
        _tls: &ServerTls,
        data: &[u8],
        id: u8,
    ) -> InnerAction {
        let Ok(MsChapV2::Response {
            peer_challenge,
            nt_response,
            name,
            ..
        }) = MsChapV2::parse(data)
        else {
            return InnerAction::Reject;
        };
        let password = self.password(config);
        let hash = nt_password_hash(password.as_deref().unwrap_or("\u{0}no such user\u{0}"));
        let expected = generate_nt_response(&self.challenge, &peer_challenge, name, &hash);
        let correct = password.is_some() && expected == nt_response;
        let failure = match (correct, config.knobs.force_error) {
            (true, _) if config.knobs.expired && self.changed.is_none() => {
                Some(error_code::PASSWD_EXPIRED)
            }
            (true, None) => None,
            (true, Some(code)) => Some(code),
            (false, _) => Some(error_code::AUTHENTICATION_FAILURE),
        };
        if let Some(error) = failure {
            if error == error_code::AUTHENTICATION_FAILURE
                && config.knobs.wrong_password == WrongPassword::ResultTlvFailure
            {
                return self.result(id, false);
            }
            return self.failure(config, error, id);
        }
        self.success(config, &hash, &nt_response, &peer_challenge, name, id)
    }

    /// The user's password: the one a Change-Password set, else the configured one.
    fn password(&self, config: &AuthenticatorConfig) -> Option<String> {
        if let Some(p) = &self.changed {
            return Some(p.clone());
        }
        let user = self.user.clone().unwrap_or_default();
        config
            .users
            .iter()
            .find(|(u, _)| *u == user)
            .map(|(_, p)| p.clone())
    }

    /// An MSCHAPv2 Failure with `error`, a new challenge (kept: a retry or a change
    /// answers it), R as the knob says (never for 648: a change is no retry).
    fn failure(&mut self, config: &AuthenticatorConfig, error: u32, id: u8) -> InnerAction {
        self.challenge = random(config);
        let expired = error == error_code::PASSWD_EXPIRED;
        let mut message = Vec::new();
        FailureMessage {
            error,
            retry: config.knobs.retry && !expired,
            challenge: Some(self.challenge),
            version: Some(3),
            message: Some(if expired {
                &b"Password expired"[..]
            } else {
                &b"Authentication failed"[..]
            }),
        }
        .emit(&mut message);
        self.stage = if expired && self.changed.is_none() && self.stage != Stage::Expired {
            Stage::Expired
        } else {
            Stage::FailureAck
        };
        let f = MsChapV2::Failure {
            id: id.wrapping_sub(1),
            ms_length: 0,
            message: &message,
        }
        .with_ms_length()
        .to_vec();
        InnerAction::Send(compressed(MethodType::MsChapV2, &f))
    }

    /// A Change-Password (RFC 2759 §7) after our E=648, checked as FreeRADIUS's
    /// `local_cpw` does.
    fn change_password(
        &mut self,
        config: &AuthenticatorConfig,
        data: &[u8],
        id: u8,
    ) -> InnerAction {
        let Ok(MsChapV2::ChangePassword {
            encrypted_password,
            encrypted_hash,
            peer_challenge,
            nt_response,
            ..
        }) = MsChapV2::parse(data)
        else {
            return InnerAction::Reject;
        };
        let Some(old) = self.password(config) else {
            return InnerAction::Reject;
        };
        let user = self.user.clone().unwrap_or_default();
        let name = crate::crypto::mschapv2::user_name_for_hash(user.as_bytes()).to_vec();
        let change = ChangePassword {
            encrypted_password,
            encrypted_hash: &encrypted_hash,
            peer_challenge: &peer_challenge,
            nt_response: &nt_response,
        };
        let Some((new, new_hash)) = change.check(&old, &name, &self.challenge) else {
            return self.failure(config, error_code::CHANGING_PASSWORD, id);
        };
        if let Some(error) = config.knobs.change_error {
            return self.failure(config, error, id);
        }
        self.changed = Some(new);
        self.success(config, &new_hash, &nt_response, &peer_challenge, &name, id)
    }

    /// The MSCHAPv2 Success proving `hash`.
    fn success(
        &mut self,
        config: &AuthenticatorConfig,
        hash: &crate::secret::NtHash,
        nt_response: &[u8; 24],
        peer_challenge: &[u8; 16],
        name: &[u8],
        id: u8,
    ) -> InnerAction {
        let (hash, nt_response, peer_challenge) = (hash, *nt_response, *peer_challenge);
        let mut auth = generate_authenticator_response(
            hash,
            &nt_response,
            &peer_challenge,
            &self.challenge,
            name,
        );
        if config.knobs.bad_authenticator_response {
            auth[0] ^= 0x01;
        }
        self.msk = Some(mschapv2_msk(hash, &nt_response));
        let mut message = Vec::new();
        SuccessMessage {
            authenticator_response: auth,
            message: Some(b"Welcome"),
        }
        .emit(&mut message);
        self.stage = Stage::SuccessAck;
        let s = MsChapV2::Success {
            id: id.wrapping_sub(1),
            ms_length: 0,
            message: &message,
        }
        .with_ms_length()
        .to_vec();
        InnerAction::Send(compressed(MethodType::MsChapV2, &s))
    }

    fn result_success(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        id: u8,
    ) -> InnerAction {
        self.stage = Stage::Result { success: true };
        let mut tlvs = result_tlv(ResultStatus::Success);
        if config.cryptobinding {
            // GTC derives no keys: its ISK is zeros ([MS-PEAP] 3.1.5.5).
            let isk: [u8; 32] = match self.msk.as_ref() {
                Some(msk) => msk.expose()[..32].try_into().expect("32"),
                None => [0; 32],
            };
            let km = key_material(tls);
            // Fast reconnect (resumed, no inner method): keyed by the tunnel key alone,
            // as hostapd does.
            let keys = if tls.resumed() && self.msk.is_none() && !self.gtc_ok {
                fast_reconnect_keys(km.0.expose())
            } else {
                compound_keys(km.temp_key().expose(), &isk)
            };
            let mut request = CryptoBinding {
                reserved: 0,
                version: 0,
                received_version: 0,
                subtype: CryptoBindingSubType::Request,
                nonce: random(config),
                compound_mac: [0; 20],
            };
            request.compound_mac = compound_mac(&keys.cmk, &request.to_tlv_for_mac(true), &[]);
            if config.knobs.bad_cryptobinding_mac {
                request.compound_mac[19] ^= 0x80;
            }
            tlvs.extend_from_slice(&request.to_tlv(true));
            self.binding = Some((request, keys.cmk, keys.ipmk));
        }
        if config.knobs.early_success == Some(super::EarlySuccess::AfterTunnel) {
            return InnerAction::EarlySuccess;
        }
        InnerAction::Send(tlv_packet(id, &tlvs))
    }

    fn result_response(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        data: &[u8],
        success: bool,
    ) -> InnerAction {
        let Ok(tlvs) = parse_tlvs(data) else {
            return InnerAction::Reject;
        };
        let status = tlvs
            .iter()
            .find(|t| t.tlv_type == TlvType::Result)
            .and_then(|t| t.result_status().ok());
        if !success || status != Some(ResultStatus::Success) || config.knobs.reject_after_success {
            return InnerAction::Reject;
        }
        let km = key_material(tls);
        let session_id = tls.session_id(PEAP_TYPE_CODE);
        let keys = match &self.binding {
            None => Keys {
                msk: km.msk(),
                emsk: km.emsk(),
                session_id,
                from_cryptobinding: false,
            },
            Some((request, cmk, ipmk)) => {
                let Some(t) = tlvs.iter().find(|t| t.tlv_type == TlvType::CryptoBinding) else {
                    return InnerAction::Reject;
                };
                let Ok(response) = CryptoBinding::parse(t.value) else {
                    return InnerAction::Reject;
                };
                let mac = compound_mac(cmk, &response.to_tlv_for_mac(t.mandatory), &[]);
                if response.subtype != CryptoBindingSubType::Response
                    || response.nonce != request.nonce
                    || mac != response.compound_mac
                {
                    return InnerAction::Reject;
                }
                let csk = csk(ipmk);
                Keys {
                    msk: Msk::from_slice(&csk.expose()[..64]).expect("64"),
                    emsk: Emsk::from_slice(&csk.expose()[64..]).expect("64"),
                    session_id,
                    from_cryptobinding: true,
                }
            }
        };
        if self.msk.is_none() && !self.gtc_ok && !config.knobs.early_result_success {
            return InnerAction::Reject;
        }
        InnerAction::Accept(keys)
    }
}
