//! The server side of EAP-TTLS phase 2 (RFC 5281 §11): PAP, MSCHAPv2 as AVPs (challenge
//! derived from the tunnel) and EAP-MSCHAPv2 in EAP-Message AVPs, each with the knobs of
//! [`super::Knobs`] that apply (wrong password answered by an MSCHAPv2 error or a bare
//! reject, a wrong authenticator response).

use super::inner::InnerAction;
use super::server_tls::ServerTls;
use super::{AuthenticatorConfig, WrongPassword};
use crate::crypto::mschapv2::{
    generate_authenticator_response, generate_nt_response, nt_password_hash,
};
use crate::crypto::tls_keys::KeyMaterial;
use crate::event::Keys;
use crate::method_type::MethodType;
use crate::secret::Secret;
use crate::tls::TlsVersion;
use crate::wire::avp::{
    Avp, EAP_MESSAGE, MS_CHAP_CHALLENGE, MS_CHAP_ERROR, MS_CHAP2_RESPONSE, MS_CHAP2_SUCCESS,
    USER_NAME, USER_PASSWORD, VENDOR_MICROSOFT, emit_avps, parse_avps,
};
use crate::wire::eap::{Code, Eap};
use crate::wire::mschapv2::{MsChapV2, SuccessMessage};
use alloc::string::String;
use alloc::vec::Vec;

const TTLS_TYPE_CODE: u8 = 21;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for the peer's first AVPs.
    Credentials,
    /// MS-CHAP2-Success (true) or MS-CHAP-Error (false) sent; the peer's empty answer next.
    MschapAck { success: bool },
    /// Inner EAP: the MSCHAPv2 Challenge sent.
    EapChallenge { id: u8 },
    /// Inner EAP: MSCHAPv2 Success (true) or Failure (false) sent.
    EapResult { id: u8, success: bool },
}

pub(crate) struct TtlsServer {
    stage: Stage,
    user: String,
    challenge: [u8; 16],
    /// Inner EAP-MSCHAPv2 (knob `expired`): the new password of an accepted change.
    changed: Option<String>,
}

/// The TTLS keys: "ttls keying material" (TLS 1.2) or the RFC 9427 exporter (TLS 1.3).
pub(crate) fn ttls_keys(tls: &ServerTls) -> Keys {
    if tls.version() == Some(TlsVersion::TLS13) {
        return tls.keys(TTLS_TYPE_CODE);
    }
    let mut km = [0u8; 128];
    let _ = tls.export(b"ttls keying material", None, &mut km);
    let km = KeyMaterial(Secret::new(km));
    Keys {
        msk: km.msk(),
        emsk: km.emsk(),
        session_id: tls.session_id(TTLS_TYPE_CODE),
        from_cryptobinding: false,
    }
}

fn avps(list: &[Avp<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    emit_avps(list, &mut out);
    out
}

fn eap_message(packet: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in packet.chunks(253) {
        Avp::radius(EAP_MESSAGE, chunk).emit(&mut out);
    }
    out
}

fn password_of<'c>(config: &'c AuthenticatorConfig, user: &str) -> Option<&'c str> {
    config
        .users
        .iter()
        .find(|(u, _)| u == user)
        .map(|(_, p)| p.as_str())
}

impl TtlsServer {
    pub(crate) fn new() -> Self {
        TtlsServer {
            stage: Stage::Credentials,
            user: String::new(),
            challenge: [0; 16],
            changed: None,
        }
    }

    pub(crate) fn changed_password(&self) -> Option<&str> {
        self.changed.as_deref()
    }

    /// Inner EAP-MSCHAPv2 with knob `expired`: E=648 with a new challenge for a correct
    /// Response; the peer's Change-Password comes next (Identifier `id`).
    fn expired(&mut self, config: &AuthenticatorConfig, id: u8) -> InnerAction {
        self.challenge = super::inner::random(config);
        let mut text = Vec::new();
        crate::wire::mschapv2::FailureMessage {
            error: crate::wire::mschapv2::error_code::PASSWD_EXPIRED,
            retry: false,
            challenge: Some(self.challenge),
            version: Some(3),
            message: Some(b"Password expired"),
        }
        .emit(&mut text);
        let data = MsChapV2::Failure {
            id,
            ms_length: 0,
            message: &text,
        }
        .with_ms_length()
        .to_vec();
        self.stage = Stage::EapChallenge { id };
        InnerAction::Send(eap_message(
            &Eap::request(id, MethodType::MsChapV2, &data).to_vec(),
        ))
    }

    /// An empty message from the peer (its answer to our MSCHAPv2 verdict).
    pub(crate) fn empty(&mut self, tls: &ServerTls) -> InnerAction {
        match self.stage {
            Stage::MschapAck { success: true } => InnerAction::Accept(ttls_keys(tls)),
            _ => InnerAction::Reject,
        }
    }

    /// The peer's AVPs.
    pub(crate) fn handle(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        plaintext: &[u8],
        id: u8,
    ) -> InnerAction {
        let Ok(list) = parse_avps(plaintext) else {
            return InnerAction::Reject;
        };
        let find = |vendor: Option<u32>, code: u32| {
            list.iter().find(|a| a.is(vendor, code)).map(|a| a.data)
        };
        let eap: Vec<u8> = list
            .iter()
            .filter(|a| a.is(None, EAP_MESSAGE))
            .flat_map(|a| a.data.iter().copied())
            .collect();
        if !eap.is_empty() {
            return self.inner_eap(config, tls, &eap, id);
        }
        if self.stage != Stage::Credentials {
            return InnerAction::Reject;
        }
        let Some(user) = find(None, USER_NAME) else {
            return InnerAction::Reject;
        };
        let user = String::from_utf8_lossy(user).into_owned();
        let password = password_of(config, &user);
        if let Some(padded) = find(None, USER_PASSWORD) {
            // PAP: the password, zero-padded to a multiple of 16.
            let ok = padded.len() % 16 == 0
                && password.is_some_and(|p| {
                    let p = p.as_bytes();
                    padded.len() >= p.len()
                        && &padded[..p.len()] == p
                        && padded[p.len()..].iter().all(|&b| b == 0)
                });
            return if ok {
                InnerAction::Accept(ttls_keys(tls))
            } else {
                InnerAction::Reject
            };
        }
        let (Some(challenge), Some(response)) = (
            find(Some(VENDOR_MICROSOFT), MS_CHAP_CHALLENGE),
            find(Some(VENDOR_MICROSOFT), MS_CHAP2_RESPONSE),
        ) else {
            return InnerAction::Reject;
        };
        // The challenge must be the one both sides derive from the tunnel.
        let mut material = [0u8; 17];
        let _ = tls.export(b"ttls challenge", None, &mut material);
        if challenge != &material[..16] || response.len() != 50 || response[0] != material[16] {
            return InnerAction::Reject;
        }
        let ident = material[16];
        let mut peer_challenge = [0u8; 16];
        peer_challenge.copy_from_slice(&response[2..18]);
        let mut challenge16 = [0u8; 16];
        challenge16.copy_from_slice(&material[..16]);
        let Some(password) = password else {
            return InnerAction::Reject;
        };
        let hash = nt_password_hash(password);
        let expected = generate_nt_response(&challenge16, &peer_challenge, user.as_bytes(), &hash);
        if response[26..50] != expected {
            return match config.knobs.wrong_password {
                WrongPassword::MschapFailure => {
                    self.stage = Stage::MschapAck { success: false };
                    let mut text = alloc::vec![ident];
                    text.extend_from_slice(b"E=691 R=0 V=3 M=wrong password");
                    InnerAction::Send(avps(&[Avp::microsoft(MS_CHAP_ERROR, &text)]))
                }
                WrongPassword::ResultTlvFailure => InnerAction::Reject,
            };
        }
        let mut auth = generate_authenticator_response(
            &hash,
            &expected,
            &peer_challenge,
            &challenge16,
            user.as_bytes(),
        );
        if config.knobs.bad_authenticator_response {
            auth[0] ^= 1;
        }
        let mut text = alloc::vec![ident];
        SuccessMessage {
            authenticator_response: auth,
            message: None,
        }
        .emit(&mut text);
        self.stage = Stage::MschapAck { success: true };
        InnerAction::Send(avps(&[Avp::microsoft(MS_CHAP2_SUCCESS, &text)]))
    }

    /// Inner EAP: Identity, then EAP-MSCHAPv2 (or the knob's inner method).
    fn inner_eap(
        &mut self,
        config: &AuthenticatorConfig,
        tls: &ServerTls,
        packet: &[u8],
        outer_id: u8,
    ) -> InnerAction {
        let Ok(eap) = Eap::parse(packet) else {
            return InnerAction::Reject;
        };
        if eap.code != Code::Response {
            return InnerAction::Reject;
        }
        let next_id = outer_id.wrapping_add(1);
        match (self.stage, eap.method()) {
            (Stage::Credentials, Some((MethodType::Identity, name))) => {
                self.user = String::from_utf8_lossy(name).into_owned();
                let method = config.knobs.inner_method.unwrap_or(MethodType::MsChapV2);
                self.challenge = super::inner::random(config);
                let data = if method == MethodType::MsChapV2 {
                    MsChapV2::Challenge {
                        id: next_id,
                        ms_length: 0,
                        challenge: self.challenge,
                        name: b"test-authenticator",
                    }
                    .with_ms_length()
                    .to_vec()
                } else {
                    Vec::new()
                };
                self.stage = Stage::EapChallenge { id: next_id };
                InnerAction::Send(eap_message(&Eap::request(next_id, method, &data).to_vec()))
            }
            (Stage::EapChallenge { id }, Some((MethodType::Nak, _))) if eap.identifier == id => {
                InnerAction::Reject
            }
            (Stage::EapChallenge { id }, Some((MethodType::MsChapV2, data)))
                if eap.identifier == id && data.first() == Some(&7) =>
            {
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
                let Some(old) = password_of(config, &self.user) else {
                    return InnerAction::Reject;
                };
                let change = super::inner::ChangePassword {
                    encrypted_password,
                    encrypted_hash: &encrypted_hash,
                    peer_challenge: &peer_challenge,
                    nt_response: &nt_response,
                };
                let Some((new, _)) = change.check(old, self.user.as_bytes(), &self.challenge)
                else {
                    return InnerAction::Reject;
                };
                self.changed = Some(new);
                self.mschap_verdict(config, next_id, &peer_challenge, &nt_response)
            }
            (Stage::EapChallenge { id }, Some((MethodType::MsChapV2, data)))
                if eap.identifier == id =>
            {
                let Ok(MsChapV2::Response {
                    peer_challenge,
                    nt_response,
                    ..
                }) = MsChapV2::parse(data)
                else {
                    return InnerAction::Reject;
                };
                if config.knobs.expired && self.changed.is_none() {
                    let old = password_of(config, &self.user).map(nt_password_hash);
                    let correct = old.as_ref().is_some_and(|h| {
                        generate_nt_response(
                            &self.challenge,
                            &peer_challenge,
                            self.user.as_bytes(),
                            h,
                        ) == nt_response
                    });
                    if correct {
                        return self.expired(config, next_id);
                    }
                }
                self.mschap_verdict(config, next_id, &peer_challenge, &nt_response)
            }
            (Stage::EapResult { id, success }, Some((MethodType::MsChapV2, [op])))
                if eap.identifier == id =>
            {
                if success && *op == 3 {
                    InnerAction::Accept(ttls_keys(tls))
                } else {
                    InnerAction::Reject
                }
            }
            _ => InnerAction::Reject,
        }
    }

    /// The inner EAP-MSCHAPv2 verdict on an NT-Response to `self.challenge`, under the
    /// changed password if there is one.
    fn mschap_verdict(
        &mut self,
        config: &AuthenticatorConfig,
        next_id: u8,
        peer_challenge: &[u8; 16],
        nt_response: &[u8; 24],
    ) -> InnerAction {
        let (peer_challenge, nt_response) = (*peer_challenge, *nt_response);
        let password = self.changed.as_deref().or(password_of(config, &self.user));
        let hash = password.map(nt_password_hash);
        let user = self.user.as_bytes();
        let good = hash.as_ref().filter(|h| {
            generate_nt_response(&self.challenge, &peer_challenge, user, h) == nt_response
        });
        let (success, body) = match good {
            Some(h) => {
                let mut auth = generate_authenticator_response(
                    h,
                    &nt_response,
                    &peer_challenge,
                    &self.challenge,
                    user,
                );
                if config.knobs.bad_authenticator_response {
                    auth[0] ^= 1;
                }
                let mut m = Vec::new();
                SuccessMessage {
                    authenticator_response: auth,
                    message: None,
                }
                .emit(&mut m);
                (true, m)
            }
            None if config.knobs.wrong_password == WrongPassword::ResultTlvFailure => {
                return InnerAction::Reject;
            }
            None => (
                false,
                b"E=691 R=0 C=00000000000000000000000000000000 V=3 M=wrong password".to_vec(),
            ),
        };
        let data = if success {
            MsChapV2::Success {
                id: next_id,
                ms_length: 0,
                message: &body,
            }
        } else {
            MsChapV2::Failure {
                id: next_id,
                ms_length: 0,
                message: &body,
            }
        }
        .with_ms_length()
        .to_vec();
        self.stage = Stage::EapResult {
            id: next_id,
            success,
        };
        InnerAction::Send(eap_message(
            &Eap::request(next_id, MethodType::MsChapV2, &data).to_vec(),
        ))
    }
}
