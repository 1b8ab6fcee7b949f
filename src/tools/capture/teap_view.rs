//! TEAP in a capture: what the TLVs of one decrypted tunnel record say (names, the inner EAP
//! packets, the credentials sent, the server's Result / Intermediate-Result / Error), and
//! the cause they give a failure, worded as a live run words it
//! ([`Cause::TeapInnerRejected`], [`Cause::TeapError`]). The tunnel reader applies them.

use super::names::quote;
use crate::diagnosis::{Cause, Phase};
use crate::method_type::TeapInner;
use crate::wire::teap::{IdentityType, TeapTlvType, parse_teap_tlvs};
use std::format;
use std::string::String;
use std::vec::Vec;

/// What the TEAP TLVs of a session showed so far.
#[derive(Debug, Clone, Default)]
pub(super) struct TeapSeen {
    /// The last Identity-Type was Machine.
    machine: bool,
    /// The server's Error TLV code.
    error: Option<u32>,
    /// A Failure in an Intermediate-Result or Result from the server.
    server_failure: bool,
    /// A Result Success from the server.
    server_success: bool,
    /// A Crypto-Binding TLV went by.
    pub(super) cryptobinding: bool,
}

/// One record's TLVs, for the reader to apply.
pub(super) struct TeapRecord<'a> {
    /// The detail line (`TEAP Identity-Type User, BasicPasswordAuthReq`), if any TLV.
    pub(super) line: Option<String>,
    /// Inner EAP packets (EAP-Payload TLVs), in order.
    pub(super) eap: Vec<&'a [u8]>,
    /// The user name of a Basic-Password-Auth-Resp (the client sent its password).
    pub(super) password_user: Option<&'a [u8]>,
}

fn status_text(v: &[u8]) -> &'static str {
    match v {
        [0, 1] => "Success",
        [0, 2] => "Failure",
        _ => "unknown status",
    }
}

impl TeapSeen {
    /// Reads one decrypted record (`to_server`: the client's).
    pub(super) fn record<'a>(&mut self, data: &'a [u8], to_server: bool) -> TeapRecord<'a> {
        let mut r = TeapRecord {
            line: None,
            eap: Vec::new(),
            password_user: None,
        };
        let Ok(tlvs) = parse_teap_tlvs(data) else {
            r.line = Some("malformed TEAP TLVs".into());
            return r;
        };
        let mut names: Vec<String> = Vec::new();
        for t in &tlvs {
            match t.tlv_type {
                TeapTlvType::IdentityType => {
                    let machine = t.u16_value("Identity-Type").ok().map(IdentityType::from)
                        == Some(IdentityType::Machine);
                    self.machine = machine;
                    names.push(format!(
                        "Identity-Type {}",
                        if machine { "Machine" } else { "User" }
                    ));
                }
                TeapTlvType::EapPayload => r.eap.push(t.value),
                TeapTlvType::BasicPasswordAuthResp => {
                    let user = t
                        .value
                        .split_first()
                        .and_then(|(&n, rest)| rest.get(..usize::from(n)))
                        .unwrap_or_default();
                    r.password_user = Some(user);
                    names.push(format!("Basic-Password-Auth-Resp {}", quote(user)));
                }
                TeapTlvType::Result | TeapTlvType::IntermediateResult => {
                    let last = t.tlv_type == TeapTlvType::Result;
                    if !to_server {
                        self.server_failure |= t.value == [0, 2];
                        self.server_success |= last && t.value == [0, 1];
                    }
                    names.push(format!(
                        "{} {}",
                        if last {
                            "Result"
                        } else {
                            "Intermediate-Result"
                        },
                        status_text(t.value)
                    ));
                }
                TeapTlvType::Error => {
                    let code = t.error_code().map(u32::from).unwrap_or(0);
                    if !to_server {
                        self.error = Some(code);
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
            r.line = Some(format!("TEAP {}", names.join(", ")));
        }
        r
    }

    /// The cause of a TEAP failure: an Error TLV names itself; otherwise the identity and
    /// inner method (`inner`, what the client last sent credentials for) that the failure,
    /// or the server's Failure TLV, answered.
    pub(super) fn cause(
        &self,
        user: String,
        inner: Option<TeapInner>,
        failed: bool,
    ) -> Option<(Phase, Cause)> {
        let machine = self.machine;
        if let Some(code) = self.error {
            return Some((
                Phase::InnerAuthentication,
                Cause::TeapError { code, machine },
            ));
        }
        if !failed && !self.server_failure {
            return None;
        }
        if self.server_success && !self.server_failure {
            return Some((
                Phase::InnerAuthentication,
                Cause::RejectedAfterInnerSuccess {
                    cryptobinding: self.cryptobinding,
                },
            ));
        }
        Some((
            Phase::InnerAuthentication,
            Cause::TeapInnerRejected {
                machine,
                user,
                inner: inner?,
            },
        ))
    }
}
