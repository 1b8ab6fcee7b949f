//! What a decrypted tunnel says: the inner exchange of PEAPv0 (compressed inner EAP and
//! EAP-TLV), EAP-TTLS (AVPs, RFC 5281 §10-11) and the encrypted TLS 1.3 handshake of
//! EAP-TLS, read through the crate's codecs, and the inner failure it shows, in the live
//! supplicant's [`Cause`] vocabulary.

use super::conv::Conv;
use super::decrypt::{KeyLog, Opened, Plain};
use super::names::{alert_text, quote, suite};
use super::teap_view::TeapSeen;
use super::verdict::{End, Finding, Mschap, Stage, Verdict};
use crate::diagnosis::{Cause, Phase};
use crate::method_type::MethodType;
use crate::method_type::{TeapInner, TtlsInner};
use crate::wire::avp::{self, iter_avps};
use crate::wire::eap::{Code, Eap};
use crate::wire::mschapv2::MsChapV2;
use crate::wire::peap_inner::Inner;
use crate::wire::tlv::{ResultStatus, TlvType, parse_tlvs};
use std::format;
use std::string::String;
use std::vec::Vec;

/// Inner EAP packets are read up to this long (as the live TTLS peer caps them).
const MAX_INNER_EAP: usize = 4096;

/// The client's last credentials inside the tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Identity,
    MschapResponse,
    Gtc,
    Pap,
    MschapAvps,
    EapMschap,
    ClientCertificate,
    Other,
}

/// What the tunnel showed.
#[derive(Debug, Clone, Default)]
pub(super) struct TunnelView {
    /// Detail lines by timeline entry.
    pub details: Vec<(usize, String)>,
    pub story: Vec<String>,
    /// The inner identity.
    pub user: Option<String>,
    /// The server's verdict inside the tunnel (or, for TTLS, the credentials its outer
    /// Failure answered).
    pub cause: Option<(Phase, Cause)>,
    /// The inner method, when one ran.
    pub inner: Option<MethodType>,
    /// The inner MSCHAPv2 exchange (EAP-MSCHAPv2, or TTLS's MSCHAPv2 AVPs), for the
    /// password check.
    pub mschap: Mschap,
}

struct Reader {
    view: TunnelView,
    sent: Option<Sent>,
    mschap_failure: Option<Vec<u8>>,
    result: Option<ResultStatus>,
    cryptobinding: bool,
    server_alert: Option<u8>,
    /// TEAP: what its TLVs showed.
    teap: TeapSeen,
}

/// Reads the opened records of a `method` tunnel. `failed`: the outer result was a failure.
pub(super) fn read(method: MethodType, plains: &[Plain], failed: bool) -> TunnelView {
    let mut r = Reader {
        view: TunnelView::default(),
        sent: None,
        mschap_failure: None,
        result: None,
        cryptobinding: false,
        server_alert: None,
        teap: Default::default(),
    };
    for p in plains {
        match (p.content_type, p.decrypted) {
            (23, _) => match method {
                MethodType::Peap => r.peap(p),
                MethodType::Ttls => r.ttls(p),
                MethodType::Teap => r.teap(p),
                _ => r.line(p, format!("{} octets of application data", p.data.len())),
            },
            (21, true) => {
                if let [level, description, ..] = p.data[..] {
                    let text = alert_text(level, description);
                    r.line(p, format!("TLS alert: {text}"));
                    let who = if p.to_server { "client" } else { "server" };
                    r.view
                        .story
                        .push(format!("the {who} sent TLS alert {text} (decrypted)"));
                    if !p.to_server && (level == 2 || description != 0) {
                        r.server_alert = Some(description);
                    }
                }
            }
            // A Certificate from the client (in clear in TLS 1.2, encrypted in 1.3).
            (22, _)
                if p.to_server
                    && method == MethodType::Tls
                    && handshake_types(&p.data).contains(&11) =>
            {
                r.sent = Some(Sent::ClientCertificate);
                // In clear (TLS 1.2) the timeline and story have it already.
                if p.decrypted {
                    r.line(p, "TLS Certificate (the client's)".into());
                    r.view.story.push("the client sent its certificate".into());
                }
            }
            _ => {}
        }
    }
    r.finish(method, failed)
}

/// The handshake message types in a run of handshake messages.
fn handshake_types(mut data: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    while let [t, a, b, c, rest @ ..] = data {
        types.push(*t);
        let len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
        data = rest.get(len..).unwrap_or_default();
    }
    types
}

impl Reader {
    fn line(&mut self, p: &Plain, text: String) {
        self.view
            .details
            .push((p.entry, format!("decrypted: {text}")));
    }

    /// One inner EAP packet (PEAP's, or TTLS's EAP-Message).
    /// `with_id`: false for PEAP's compressed form, which carries no Identifier.
    fn eap(&mut self, p: &Plain, eap: &Eap<'_>, with_id: bool) {
        let code = eap.code;
        let id = if with_id {
            format!(" id {}", eap.identifier)
        } else {
            String::new()
        };
        let text = match eap.method() {
            Some((MethodType::Tlv, data)) => self.tlvs(p, data),
            Some((m, data)) => {
                if m != MethodType::Identity && m != MethodType::Nak && m != MethodType::Tlv {
                    self.view.inner.get_or_insert(m);
                }
                let what = self.method_data(p.to_server, m, data);
                format!("EAP {code:?}{id} {m}{what}")
            }
            None => format!("EAP {code:?}{id}"),
        };
        self.line(p, text);
    }

    fn method_data(&mut self, to_server: bool, m: MethodType, data: &[u8]) -> String {
        match (m, to_server) {
            (MethodType::Identity, true) => {
                self.sent = Some(Sent::Identity);
                let user = String::from_utf8_lossy(data).into_owned();
                self.view.story.push(format!(
                    "the client identified inside the tunnel as {}",
                    quote(data)
                ));
                self.view.user = Some(user);
                format!(" {}", quote(data))
            }
            (MethodType::Gtc, true) => {
                self.sent = Some(Sent::Gtc);
                self.view
                    .story
                    .push("the client sent its GTC response".into());
                " response (password)".into()
            }
            (MethodType::Gtc, false) => format!(" {}", quote(data)),
            (MethodType::MsChapV2, _) => match MsChapV2::parse(data) {
                Ok(MsChapV2::Challenge {
                    challenge, name, ..
                }) => {
                    self.view.mschap.challenge = Some(challenge);
                    format!(" Challenge from {}", quote(name))
                }
                Ok(MsChapV2::Response {
                    peer_challenge,
                    nt_response,
                    name,
                    ..
                }) => {
                    self.view.mschap.response = Some((peer_challenge, nt_response, name.to_vec()));
                    self.sent = Some(Sent::MschapResponse);
                    self.view
                        .user
                        .get_or_insert_with(|| String::from_utf8_lossy(name).into_owned());
                    self.view.story.push(format!(
                        "the client sent its MSCHAPv2 Response as {}",
                        quote(name)
                    ));
                    format!(" Response as {}", quote(name))
                }
                Ok(MsChapV2::Success { message, .. }) => {
                    self.view.mschap.success = Some(message.to_vec());
                    self.view
                        .story
                        .push("the server sent an MSCHAPv2 Success".into());
                    format!(" Success {}", quote(message))
                }
                Ok(MsChapV2::Failure { message, .. }) => {
                    self.mschap_failure = Some(message.to_vec());
                    self.view.story.push(format!(
                        "the server sent an MSCHAPv2 Failure {}",
                        quote(message)
                    ));
                    format!(" Failure {}", quote(message))
                }
                Ok(MsChapV2::SuccessAck) => " Success acknowledgement".into(),
                Ok(MsChapV2::FailureAck) => " Failure acknowledgement".into(),
                Ok(MsChapV2::ChangePassword { .. }) => {
                    self.sent = Some(Sent::MschapResponse);
                    self.view
                        .story
                        .push("the client sent an MSCHAPv2 Change-Password".into());
                    " Change-Password".into()
                }
                Ok(_) => String::new(),
                Err(e) => format!(" malformed ({e})"),
            },
            (_, true) => {
                self.sent = Some(Sent::Other);
                String::new()
            }
            _ => String::new(),
        }
    }

    fn tlvs(&mut self, p: &Plain, data: &[u8]) -> String {
        let Ok(tlvs) = parse_tlvs(data) else {
            return "EAP-TLV (malformed)".into();
        };
        let mut names = Vec::new();
        for t in &tlvs {
            match t.tlv_type {
                TlvType::Result => {
                    let status = t.result_status().ok();
                    let word = match status {
                        Some(ResultStatus::Success) => "Success",
                        Some(ResultStatus::Failure) => "Failure",
                        _ => "(unknown status)",
                    };
                    names.push(format!("Result {word}"));
                    if !p.to_server {
                        self.result = status;
                        self.view
                            .story
                            .push(format!("the server sent a Result TLV {word}"));
                    }
                }
                TlvType::CryptoBinding => {
                    names.push("Crypto-Binding".into());
                    if p.to_server {
                        self.cryptobinding = true;
                    }
                }
                other => names.push(format!("TLV {}", u16::from(other))),
            }
        }
        format!("EAP-TLV: {}", names.join(", "))
    }

    fn peap(&mut self, p: &Plain) {
        match Inner::decode(&p.data) {
            Ok(inner) => {
                let code = if p.to_server {
                    Code::Response
                } else {
                    Code::Request
                };
                let eap = inner.to_eap(code, 0);
                self.eap(p, &eap, matches!(inner, Inner::Full(_)));
            }
            Err(e) => self.line(p, format!("inner packet malformed ({e})")),
        }
    }

    /// One decrypted TEAP record: its TLVs, the inner EAP packets through [`Reader::eap`].
    fn teap(&mut self, p: &Plain) {
        let record = self.teap.record(&p.data, p.to_server);
        for e in &record.eap {
            match Eap::parse(e) {
                Ok(eap) => {
                    self.eap(p, &eap, true);
                    if p.to_server && self.sent == Some(Sent::MschapResponse) {
                        self.sent = Some(Sent::EapMschap);
                    }
                }
                Err(err) => self.line(p, format!("EAP-Payload malformed ({err})")),
            }
        }
        if let Some(user) = record.password_user {
            self.sent = Some(Sent::Pap);
            self.view.user = Some(String::from_utf8_lossy(user).into_owned());
            self.view.story.push(format!(
                "the client sent the user name {} and its password (TEAP Basic-Password-Auth)",
                quote(user)
            ));
        }
        self.cryptobinding |= self.teap.cryptobinding;
        if let Some(line) = record.line {
            self.line(p, line);
        }
    }

    fn ttls(&mut self, p: &Plain) {
        let mut names = Vec::new();
        // An inner EAP packet longer than 253 octets comes split over several EAP-Message
        // AVPs, read as one (RFC 5281 §11.1), as a live supplicant reads them.
        let mut eap_message: Vec<u8> = Vec::new();
        for a in iter_avps(&p.data) {
            let Ok(a) = a else {
                names.push("malformed AVP".into());
                break;
            };
            let ms = a.vendor == Some(avp::VENDOR_MICROSOFT);
            match (ms, a.code) {
                (false, avp::USER_NAME) => {
                    self.view.user = Some(String::from_utf8_lossy(a.data).into_owned());
                    names.push(format!("User-Name {}", quote(a.data)));
                }
                (false, avp::USER_PASSWORD) => {
                    self.sent = Some(Sent::Pap);
                    self.view
                        .story
                        .push("the client sent its PAP password".into());
                    names.push("User-Password".into());
                }
                (false, avp::EAP_MESSAGE) if eap_message.len() + a.data.len() <= MAX_INNER_EAP => {
                    eap_message.extend_from_slice(a.data);
                }
                (false, avp::EAP_MESSAGE) => names.push("EAP-Message too long".into()),
                (false, avp::REPLY_MESSAGE) => {
                    names.push(format!("Reply-Message {}", quote(a.data)))
                }
                (true, avp::MS_CHAP_CHALLENGE) => {
                    self.view.mschap.challenge = a.data.try_into().ok();
                    names.push("MS-CHAP-Challenge".into());
                }
                (true, avp::MS_CHAP2_RESPONSE) => {
                    // Ident, Flags, Peer-Challenge (16), Reserved (8), Response (24):
                    // RFC 2548 §2.3.2; the name hashed is the User-Name AVP's.
                    if let (Some(pc), Some(nt)) = (a.data.get(2..18), a.data.get(26..50)) {
                        let name = self.view.user.clone().unwrap_or_default().into_bytes();
                        let pc = pc.try_into().expect("16 octets");
                        let nt = nt.try_into().expect("24 octets");
                        self.view.mschap.response = Some((pc, nt, name));
                    }
                    self.sent = Some(Sent::MschapAvps);
                    self.view.inner = Some(MethodType::MsChapV2);
                    self.view
                        .story
                        .push("the client sent its MS-CHAP2-Response".into());
                    names.push("MS-CHAP2-Response".into());
                }
                (true, avp::MS_CHAP2_SUCCESS) => {
                    // Ident, then "S=<authenticator response>".
                    self.view.mschap.success = a.data.get(1..).map(<[u8]>::to_vec);
                    self.view
                        .story
                        .push("the server sent MS-CHAP2-Success".into());
                    names.push("MS-CHAP2-Success".into());
                }
                (true, avp::MS_CHAP_ERROR) => {
                    // One octet of MSCHAP Ident, then the Failure text.
                    let text = a.data.get(1..).unwrap_or_default();
                    self.mschap_failure = Some(text.to_vec());
                    self.view
                        .story
                        .push(format!("the server sent MS-CHAP-Error {}", quote(text)));
                    names.push(format!("MS-CHAP-Error {}", quote(text)));
                }
                (_, code) => names.push(format!("AVP {code}")),
            }
        }
        if !eap_message.is_empty() {
            match Eap::parse(&eap_message) {
                Ok(eap) => {
                    self.eap(p, &eap, true);
                    if p.to_server && self.sent == Some(Sent::MschapResponse) {
                        self.sent = Some(Sent::EapMschap);
                    }
                }
                Err(e) => names.push(format!("EAP-Message malformed ({e})")),
            }
        }
        if !names.is_empty() {
            self.line(p, format!("AVPs: {}", names.join(", ")));
        }
    }

    fn finish(mut self, method: MethodType, failed: bool) -> TunnelView {
        let user = self.view.user.clone().unwrap_or_default();
        let inner = |c| Some((Phase::InnerAuthentication, c));
        if method == MethodType::Teap {
            let inner = match self.sent {
                Some(Sent::Pap) => Some(TeapInner::Password),
                Some(Sent::EapMschap | Sent::MschapResponse) => Some(TeapInner::MsChapV2),
                _ => None,
            };
            self.view.cause = self.teap.cause(user, inner, failed);
            return self.view;
        }
        self.view.cause = if let Some(msg) = &self.mschap_failure {
            inner(Cause::mschap_failure(user, msg))
        } else if let Some(alert) = self
            .server_alert
            .filter(|_| self.sent == Some(Sent::ClientCertificate))
        {
            Some((
                Phase::TlsHandshake,
                Cause::ClientCertificateRejected { alert },
            ))
        } else if self.result == Some(ResultStatus::Failure) {
            inner(match self.sent {
                Some(Sent::MschapResponse | Sent::EapMschap) => Cause::CredentialsRejected { user },
                Some(Sent::Gtc) => Cause::PasswordRejected {
                    user,
                    method: MethodType::Gtc,
                },
                _ => Cause::ServerResultFailure,
            })
        } else if !failed {
            None
        } else if self.result == Some(ResultStatus::Success) {
            inner(Cause::RejectedAfterInnerSuccess {
                cryptobinding: self.cryptobinding,
            })
        } else {
            match (method, self.sent) {
                (MethodType::Ttls, Some(Sent::Pap)) => inner(Cause::TtlsCredentialsRejected {
                    user,
                    inner: TtlsInner::Pap,
                }),
                (MethodType::Ttls, Some(Sent::MschapAvps)) => {
                    inner(Cause::TtlsCredentialsRejected {
                        user,
                        inner: TtlsInner::MsChapV2,
                    })
                }
                (MethodType::Ttls, Some(Sent::EapMschap | Sent::MschapResponse)) => {
                    inner(Cause::TtlsCredentialsRejected {
                        user,
                        inner: TtlsInner::EapMsChapV2,
                    })
                }
                (MethodType::Tls, Some(Sent::ClientCertificate)) => {
                    Some((Phase::TlsHandshake, Cause::FailureAfterClientCertificate))
                }
                _ => None,
            }
        };
        self.view
    }
}

impl Conv {
    /// Decrypts the conversation's TLS tunnel with `log`, adds the inner packets to the
    /// timeline and the story, and names the inner failure in `verdict` where the capture
    /// alone could not. Returns the `tunnel:` line (`None`: no secrets given, or no TLS).
    pub(super) fn open_tunnel(&mut self, log: &KeyLog, verdict: &mut Verdict) -> Option<String> {
        if log.is_empty() || self.records.is_empty() {
            return None;
        }
        let (ch, sh) = (
            self.obs.client_hello.as_ref()?,
            self.obs.server_hello.as_ref()?,
        );
        let method = self.obs.accepted?;
        let opened = self
            .records
            .open(log, &ch.random, &sh.random, sh.version(), sh.cipher_suite);
        let (plains, unopened) = match opened {
            Opened::NoSecrets => {
                return Some(
                    "not decrypted: no TLS secrets for this session (its client random is not in the key log)"
                        .into(),
                );
            }
            Opened::Mismatch => {
                return Some("not decrypted: the secrets do not match this capture".into());
            }
            Opened::Unsupported(s) => {
                return Some(format!(
                    "not decrypted: {} is not a suite this reader decrypts (AEAD suites only)",
                    suite(s)
                ));
            }
            Opened::Records { plains, failed } => (plains, failed),
        };
        let failed = self.obs.end == Some(End::Failure);
        let view = read(method, &plains, failed);
        for (entry, line) in view.details {
            if let Some(e) = self.timeline.get_mut(entry) {
                e.details.push(line);
            }
        }
        verdict.story.extend(view.story);
        if view.mschap.challenge.is_some() && view.mschap.response.is_some() {
            self.obs.mschap = view.mschap;
        }
        let replaceable = matches!(
            verdict.finding,
            Finding::RejectedInTunnel { .. } | Finding::Cause(Cause::FailureWithoutReason { .. })
        );
        if let Some((phase, cause)) = view.cause.filter(|_| replaceable) {
            verdict.phase = Stage::Eap(phase);
            verdict.finding = Finding::Cause(cause);
        }
        let opened = plains.iter().filter(|p| p.decrypted).count();
        let mut line = format!("decrypted with the session's TLS secrets ({opened} records");
        if unopened > 0 {
            line.push_str(&format!(
                "; {unopened} more do not open: the secrets do not match them"
            ));
        }
        line.push(')');
        Some(line)
    }
}
