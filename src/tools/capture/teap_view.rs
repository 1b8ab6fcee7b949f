//! TEAP in a capture: the TLVs of a decrypted tunnel record (names, the inner EAP packets,
//! the credentials sent, the server's Result / Intermediate-Result / Error) and the cause
//! they give a failure, worded as a live run words it ([`Cause::TeapInnerRejected`],
//! [`Cause::TeapError`]).

use super::decrypt::Plain;
use super::names::quote;
use super::tunnel::{Reader, Sent};
use crate::diagnosis::{Cause, Phase};
use crate::method_type::TeapInner;
use crate::wire::eap::Eap;
use crate::wire::teap::{IdentityType, TeapTlvType, parse_teap_tlvs};
use crate::wire::tlv::ResultStatus;
use std::format;
use std::string::String;
use std::vec::Vec;

/// What the TEAP TLVs showed beyond the shared reader's fields.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TeapSeen {
    /// The last Identity-Type was Machine.
    machine: bool,
    /// The server's Error TLV code.
    error: Option<u32>,
    /// A Failure in an Intermediate-Result or Result from the server.
    server_failure: bool,
}

fn status_text(v: &[u8]) -> &'static str {
    match v {
        [0, 1] => "Success",
        [0, 2] => "Failure",
        _ => "unknown status",
    }
}

impl Reader {
    /// One decrypted TEAP record: its TLVs.
    pub(super) fn teap(&mut self, p: &Plain) {
        let Ok(tlvs) = parse_teap_tlvs(&p.data) else {
            self.line(p, "malformed TEAP TLVs".into());
            return;
        };
        let mut names: Vec<String> = Vec::new();
        for t in &tlvs {
            match t.tlv_type {
                TeapTlvType::IdentityType => {
                    let machine = t.u16_value("Identity-Type").ok().map(IdentityType::from)
                        == Some(IdentityType::Machine);
                    self.teap.machine = machine;
                    names.push(format!(
                        "Identity-Type {}",
                        if machine { "Machine" } else { "User" }
                    ));
                }
                TeapTlvType::EapPayload => match Eap::parse(t.value) {
                    Ok(eap) => {
                        self.eap(p, &eap, true);
                        if p.to_server && self.sent == Some(Sent::MschapResponse) {
                            self.sent = Some(Sent::EapMschap);
                        }
                    }
                    Err(e) => names.push(format!("EAP-Payload malformed ({e})")),
                },
                TeapTlvType::BasicPasswordAuthResp => {
                    let user = t
                        .value
                        .split_first()
                        .and_then(|(&n, rest)| rest.get(..usize::from(n)))
                        .unwrap_or_default();
                    self.sent = Some(Sent::Pap);
                    self.view.user = Some(String::from_utf8_lossy(user).into_owned());
                    self.view.story.push(format!(
                        "the client sent the user name {} and its password (TEAP Basic-Password-Auth)",
                        quote(user)
                    ));
                    names.push(format!("Basic-Password-Auth-Resp {}", quote(user)));
                }
                TeapTlvType::Result | TeapTlvType::IntermediateResult => {
                    let final_ = t.tlv_type == TeapTlvType::Result;
                    let status = status_text(t.value);
                    if !p.to_server {
                        if t.value == [0, 2] {
                            self.teap.server_failure = true;
                            self.result = Some(ResultStatus::Failure);
                        } else if final_ && t.value == [0, 1] {
                            self.result = Some(ResultStatus::Success);
                        }
                    }
                    names.push(format!(
                        "{} {status}",
                        if final_ {
                            "Result"
                        } else {
                            "Intermediate-Result"
                        }
                    ));
                }
                TeapTlvType::Error => {
                    let code = t.error_code().map(u32::from).unwrap_or(0);
                    if !p.to_server {
                        self.teap.error = Some(code);
                    }
                    names.push(format!(
                        "Error {}",
                        crate::diagnosis::cause::TeapErrorName(code)
                    ));
                }
                TeapTlvType::CryptoBinding => {
                    self.cryptobinding = true;
                    names.push("Crypto-Binding".into());
                }
                other => names.push(format!("{other:?}")),
            }
        }
        if !names.is_empty() {
            self.line(p, format!("TEAP {}", names.join(", ")));
        }
    }

    /// The cause of a TEAP failure: an Error TLV names itself; otherwise the identity and
    /// inner method whose credentials the failure (or the server's Failure TLV) answered.
    pub(super) fn teap_cause(&self, user: String, failed: bool) -> Option<(Phase, Cause)> {
        let machine = self.teap.machine;
        if let Some(code) = self.teap.error {
            return Some((
                Phase::InnerAuthentication,
                Cause::TeapError { code, machine },
            ));
        }
        if !failed && !self.teap.server_failure {
            return None;
        }
        if self.result == Some(ResultStatus::Success) && !self.teap.server_failure {
            return Some((
                Phase::InnerAuthentication,
                Cause::RejectedAfterInnerSuccess {
                    cryptobinding: self.cryptobinding,
                },
            ));
        }
        let inner = match self.sent {
            Some(Sent::Pap) => TeapInner::Password,
            Some(Sent::EapMschap | Sent::MschapResponse) => TeapInner::MsChapV2,
            _ => return None,
        };
        Some((
            Phase::InnerAuthentication,
            Cause::TeapInnerRejected {
                machine,
                user,
                inner,
            },
        ))
    }
}
