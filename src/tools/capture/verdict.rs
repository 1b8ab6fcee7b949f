//! The outcome of a captured conversation, in the supplicant's diagnosis vocabulary
//! ([`Phase`], [`Cause`]) where it fits, and in [`Finding`]'s own words where a capture
//! knows something the live supplicant never says (the client gave up, the capture ends);
//! and the MSCHAPv2 password check.
//!
//! One reading of failure: every failure a live run can report is a [`Finding::Cause`],
//! built with the diagnosis module's constructors (`Cause::mschap_failure`,
//! `Cause::rejected_after_identity`, ...) and worded, hinted and coded by [`Cause`] itself,
//! so a live run and its capture agree by construction (`tests/operator.rs` checks every
//! method). Only what a capture alone can see (the client's own alert, a rejection inside
//! a tunnel it cannot open, a client that stopped answering, a capture that ends, the WPA
//! key handshakes) is worded here: the supplicant never reports those, so they stay out of
//! its diagnosis module.

use super::keys::{KeyFinding, KeyKind, Keys};
use super::names::suite;
use crate::crypto::mschapv2::{
    authenticator_response_matches, generate_authenticator_response, generate_nt_response,
    nt_password_hash,
};
use crate::diagnosis::cause::Alert;
use crate::diagnosis::{Cause, Phase, SentMessage, TimeoutKind, TransportFailure};
use crate::method_type::MethodType;
use crate::tls::{CertificateInfo, CertificateProblem, TlsOffer, TlsVersion};
use crate::wire::eapol_key::{Message, Rsn};
use crate::wire::mschapv2::SuccessMessage;
use crate::wire::tls_record::{ClientHello, ServerHello};
use core::fmt::{self, Display, Formatter};
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

/// How the conversation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationOutcome {
    /// The server accepted (EAP-Success, Access-Accept).
    Success,
    /// The server rejected, a side gave up, or a side aborted.
    Failure,
    /// The capture ends before either.
    Incomplete,
}

impl Display for ConversationOutcome {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConversationOutcome::Success => "success",
            ConversationOutcome::Failure => "failure",
            ConversationOutcome::Incomplete => "incomplete",
        })
    }
}

/// How far a conversation got: an EAP phase (the supplicant's [`Phase`]), or a WPA key
/// handshake after it (or instead of it, on a PSK network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// A phase of the EAP authentication.
    Eap(Phase),
    /// The 4-way handshake.
    FourWay,
    /// The group key handshake.
    GroupKey,
}

impl From<Phase> for Stage {
    fn from(p: Phase) -> Stage {
        Stage::Eap(p)
    }
}

impl PartialEq<Phase> for Stage {
    fn eq(&self, p: &Phase) -> bool {
        *self == Stage::Eap(*p)
    }
}

impl Stage {
    /// The stable snake_case code: a live run's
    /// [`Phase::as_str`](crate::diagnosis::Phase::as_str), `four_way_handshake` or
    /// `group_key_handshake`.
    pub fn code(&self) -> &'static str {
        match self {
            Stage::Eap(p) => p.as_str(),
            Stage::FourWay => "four_way_handshake",
            Stage::GroupKey => "group_key_handshake",
        }
    }
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Eap(p) => write!(f, "{p}"),
            Stage::FourWay => f.write_str("4-way handshake"),
            Stage::GroupKey => f.write_str("group key handshake"),
        }
    }
}

/// What the capture shows about the outcome.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Finding {
    /// The server accepted the client.
    Accepted {
        /// The method that ran.
        method: Option<MethodType>,
        /// The TLS version and cipher suite, for TLS-based methods (seen in clear).
        tls: Option<(TlsVersion, u16)>,
        /// For RADIUS: whether the Access-Accept carries both MS-MPPE keys.
        mppe_keys: Option<bool>,
    },
    /// A cause the live supplicant reports too (the client's view).
    Cause(Cause),
    /// The client aborted the TLS handshake with an alert that names no certificate
    /// problem the supplicant's vocabulary has (e.g. `bad_certificate`, `handshake_failure`).
    ClientAlert {
        /// AlertDescription.
        alert: u8,
        /// The server certificate, when it was seen in clear.
        certificate: Option<CertificateInfo>,
    },
    /// The server rejected after exchanges inside the encrypted tunnel: the inner
    /// authentication failed, and the capture cannot show why.
    RejectedInTunnel {
        /// Server messages inside the tunnel.
        exchanges: u32,
        /// The user, when given (`--identity`): the inner identity is encrypted.
        user: Option<String>,
        /// The outer identity.
        outer_identity: Option<String>,
    },
    /// The server repeated a request and the client never answered.
    ClientStoppedAnswering {
        /// The request, named.
        request: String,
        /// Times the server sent it.
        attempts: u32,
        /// From its first to its last transmission.
        waited: Duration,
    },
    /// The capture ends with no outcome.
    CaptureEnds {
        /// The last message, named.
        after: String,
    },
    /// What the WPA key handshakes show (after EAP, or alone on a PSK network).
    Keys(KeyFinding),
}

impl Display for Finding {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Accepted {
                method,
                tls,
                mppe_keys,
            } => {
                f.write_str("the server accepted the client")?;
                if let Some(m) = method {
                    write!(f, " after {m}")?;
                }
                if let Some((v, s)) = tls {
                    write!(f, " ({v}, {})", suite(*s))?;
                }
                match mppe_keys {
                    Some(true) => f.write_str(
                        "; the Access-Accept carries MS-MPPE-Send-Key and MS-MPPE-Recv-Key",
                    ),
                    Some(false) => f.write_str("; the Access-Accept carries no MS-MPPE keys"),
                    None => Ok(()),
                }
            }
            Finding::Cause(c) => write!(f, "{c}"),
            Finding::ClientAlert {
                alert: a,
                certificate: c,
            } => {
                write!(
                    f,
                    "the client aborted the TLS handshake with alert {}",
                    Alert(*a)
                )?;
                if let Some(c) = c {
                    write!(f, " after the server certificate {c}")?;
                }
                Ok(())
            }
            Finding::RejectedInTunnel {
                exchanges,
                user,
                outer_identity,
            } => {
                write!(
                    f,
                    "the server rejected the client after {exchanges} exchanges inside the TLS tunnel"
                )?;
                match (user, outer_identity) {
                    (Some(u), _) => write!(f, " (user \"{u}\")")?,
                    (None, Some(o)) => write!(f, " (outer identity \"{o}\")")?,
                    (None, None) => {}
                }
                f.write_str(": what it said inside is encrypted, so the capture cannot show whether or why the inner authentication failed")
            }
            Finding::ClientStoppedAnswering {
                request,
                attempts,
                waited,
            } => write!(
                f,
                "the client stopped answering: the server sent {request} {attempts} times over {} s",
                waited.as_secs()
            ),
            Finding::CaptureEnds { after } => {
                write!(f, "the capture ends after {after}, before any outcome")
            }
            Finding::Keys(k) => write!(f, "{k}"),
        }
    }
}

/// The codes [`Finding::code`] gives besides a live run's cause codes
/// ([`Cause::CODES`](crate::diagnosis::Cause::CODES)).
pub const CAPTURE_CODES: &[&str] = &[
    "accepted",
    "client_tls_alert",
    "rejected_in_tunnel",
    "client_stopped_answering",
    "capture_ends",
    "wpa_key_handshake",
];

impl Finding {
    /// The stable snake_case code of the finding: a live run's
    /// [`Cause::code`](crate::diagnosis::Cause::code) for a [`Finding::Cause`], else
    /// one of `accepted`, `client_tls_alert`, `rejected_in_tunnel`,
    /// `client_stopped_answering`, `capture_ends`, `wpa_key_handshake` (the README lists
    /// them).
    pub fn code(&self) -> &'static str {
        match self {
            Finding::Accepted { .. } => "accepted",
            Finding::Cause(c) => c.code(),
            Finding::ClientAlert { .. } => "client_tls_alert",
            Finding::RejectedInTunnel { .. } => "rejected_in_tunnel",
            Finding::ClientStoppedAnswering { .. } => "client_stopped_answering",
            Finding::CaptureEnds { .. } => "capture_ends",
            Finding::Keys(_) => "wpa_key_handshake",
        }
    }

    /// The class of a failure a live run would report ([`Cause::kind`]); `None` for the
    /// findings only a capture gives.
    pub fn kind(&self) -> Option<crate::diagnosis::kind::FailureKind> {
        match self {
            Finding::Cause(c) => Some(c.kind()),
            _ => None,
        }
    }

    /// One line saying what to change.
    pub fn hint(&self) -> &'static str {
        match self {
            Finding::Accepted { .. } => "nothing to fix",
            Finding::Cause(c) => c.hint(),
            Finding::ClientAlert { .. } => {
                "the client refused the server's TLS parameters or certificate: check the client's CA, server name and TLS settings against the server's certificate"
            }
            Finding::RejectedInTunnel { .. } => {
                "the server's log says why (a wrong user name or password shows there); to see the inner exchange, capture with the client's TLS secrets (radius_auth --pcap stores them; or explain --keylog FILE)"
            }
            Finding::ClientStoppedAnswering { .. } => {
                "the client went away or could not process the server's message: check the client's log"
            }
            Finding::CaptureEnds { .. } => "capture the whole authentication",
            Finding::Keys(k) => k.hint(),
        }
    }
}

/// The verdict on one conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// How it ended.
    pub outcome: ConversationOutcome,
    /// How far it got.
    pub phase: Stage,
    /// Why it ended so.
    pub finding: Finding,
    /// The milestones, in order ("the server proposed PEAP", ...).
    pub story: Vec<String>,
    /// A RADIUS Reply-Message or EAP Notification from the server.
    pub server_message: Option<String>,
}

/// The result of checking a password against a cleartext EAP-MSCHAPv2 exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The NT-Response was computed from this password.
    Matches {
        /// The user name hashed.
        user: String,
        /// Whether the server's Success authenticator response verifies too (`None`
        /// when the server sent no Success).
        authenticator_response: Option<bool>,
    },
    /// The NT-Response was not computed from this password (or from this user name).
    DoesNotMatch {
        /// The user name hashed.
        user: String,
    },
    /// Nothing to check the password against.
    NotChecked(&'static str),
}

impl Display for PasswordCheck {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PasswordCheck::Matches {
                user,
                authenticator_response,
            } => {
                write!(f, "matches (the NT-Response of \"{user}\" verifies")?;
                match authenticator_response {
                    Some(true) => f.write_str("; so does the server's authenticator response)"),
                    Some(false) => f.write_str(
                        "; the server's authenticator response does NOT: the server does not know this password)",
                    ),
                    None => f.write_str(")"),
                }
            }
            PasswordCheck::DoesNotMatch { user } => write!(
                f,
                "does not match (the NT-Response of \"{user}\" was computed from another password or user name)"
            ),
            PasswordCheck::NotChecked(why) => write!(f, "not checked ({why})"),
        }
    }
}

/// An EAP-MSCHAPv2 exchange seen in clear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Mschap {
    pub challenge: Option<[u8; 16]>,
    pub response: Option<([u8; 16], [u8; 24], Vec<u8>)>,
    pub success: Option<Vec<u8>>,
    pub failure: Option<Vec<u8>>,
}

impl Mschap {
    /// Checks `password` against the last Challenge / Response pair.
    pub fn check(&self, password: &str, identity: Option<&str>) -> PasswordCheck {
        let (Some(challenge), Some((peer_challenge, nt_response, name))) =
            (&self.challenge, &self.response)
        else {
            return PasswordCheck::NotChecked("no cleartext EAP-MSCHAPv2 Challenge and Response");
        };
        let name = identity.map_or(&name[..], str::as_bytes);
        let user = String::from_utf8_lossy(name).into_owned();
        let hash = nt_password_hash(password);
        let expected = generate_nt_response(challenge, peer_challenge, name, &hash);
        if !authenticator_response_matches_24(&expected, nt_response) {
            return PasswordCheck::DoesNotMatch { user };
        }
        let authenticator_response = self.success.as_ref().map(|m| {
            SuccessMessage::parse(m).is_ok_and(|s| {
                let want = generate_authenticator_response(
                    &hash,
                    nt_response,
                    peer_challenge,
                    challenge,
                    name,
                );
                authenticator_response_matches(&want, &s.authenticator_response)
            })
        });
        PasswordCheck::Matches {
            user,
            authenticator_response,
        }
    }
}

fn authenticator_response_matches_24(a: &[u8; 24], b: &[u8; 24]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// How the conversation ended, as seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Success,
    Failure,
}

/// The last message of a conversation and its retransmissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Last {
    pub to_server: bool,
    /// Named for sentences ("the client's TLS ClientHello").
    pub name: String,
    /// The supplicant's name for it, when it is the client's.
    pub sent: Option<SentMessage>,
    pub first: Duration,
    pub last: Duration,
    pub count: u32,
}

/// Facts gathered from one conversation, for the verdict.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observed {
    pub radius: bool,
    pub outer_identity: Option<String>,
    /// Methods the server proposed, in order (consecutive repeats collapsed).
    pub proposed: Vec<MethodType>,
    /// Each Nak: what the server had proposed and what the client asked for.
    pub naks: Vec<(MethodType, Vec<MethodType>)>,
    /// A method the client answered with (not Identity, Nak or Notification).
    pub accepted: Option<MethodType>,
    pub client_hello: Option<ClientHello>,
    pub server_hello: Option<ServerHello>,
    pub certificate: Option<CertificateInfo>,
    pub client_alert: Option<u8>,
    /// EAP-TLS: the client sent a non-empty Certificate (seen in clear).
    pub client_certificate: bool,
    pub server_alert: Option<u8>,
    pub tunnel_up: bool,
    pub tunnel_exchanges: u32,
    pub mschap: Mschap,
    pub end: Option<End>,
    pub mppe_keys: Option<bool>,
    pub server_message: Option<String>,
    pub requests: u32,
    pub replies: u32,
    pub last: Option<Last>,
    /// The client's last message, named as the supplicant names it.
    pub last_sent: Option<SentMessage>,
    /// Times the client sent its last message (more than 1: retransmitted).
    pub last_sent_count: u32,
    pub story: Vec<String>,
}

/// The versions and suites a ClientHello offered (GREASE values left out).
pub(crate) fn offer(ch: &ClientHello) -> TlsOffer {
    let grease = |v: &u16| v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff;
    let versions: Vec<TlsVersion> = if ch.supported_versions.is_empty() {
        std::vec![TlsVersion(ch.legacy_version)]
    } else {
        let v = ch.supported_versions.iter().filter(|v| !grease(v));
        v.map(|&v| TlsVersion(v)).collect()
    };
    TlsOffer {
        versions,
        cipher_suites: ch
            .cipher_suites
            .iter()
            .copied()
            .filter(|s| !grease(s))
            .collect(),
    }
}

fn certificate_problem(alert: u8) -> Option<CertificateProblem> {
    match alert {
        48 => Some(CertificateProblem::UnknownIssuer),
        45 => Some(CertificateProblem::Expired),
        _ => None,
    }
}

impl Observed {
    fn user(&self, identity: Option<&str>) -> Option<String> {
        let from_mschap = self.mschap.response.as_ref();
        let from_mschap = from_mschap.map(|r| String::from_utf8_lossy(&r.2).into_owned());
        identity
            .map(str::to_string)
            .or(from_mschap)
            .or_else(|| self.outer_identity.clone())
    }

    fn chosen(&self) -> Option<(TlsVersion, u16)> {
        let sh = self.server_hello.as_ref()?;
        Some((TlsVersion(sh.version()), sh.cipher_suite))
    }

    /// How far the conversation got.
    fn phase(&self) -> Phase {
        if self.tunnel_up || self.mschap.response.is_some() {
            Phase::InnerAuthentication
        } else if self.client_hello.is_some()
            || self.server_hello.is_some()
            || self.client_certificate
        {
            Phase::TlsHandshake
        } else if !self.proposed.is_empty() || !self.naks.is_empty() {
            Phase::MethodNegotiation
        } else if self.outer_identity.is_some() {
            Phase::Identity
        } else {
            Phase::Start
        }
    }

    /// The verdict.
    pub fn verdict(&self, identity: Option<&str>) -> Verdict {
        let (outcome, phase, finding) = self.judge(identity);
        Verdict {
            outcome,
            phase: Stage::Eap(phase),
            finding,
            story: self.story.clone(),
            server_message: self.server_message.clone(),
        }
    }

    fn judge(&self, identity: Option<&str>) -> (ConversationOutcome, Phase, Finding) {
        use ConversationOutcome::{Failure, Incomplete, Success};
        if self.end == Some(End::Success) {
            let tls = self.chosen();
            let finding = Finding::Accepted {
                method: self.accepted,
                tls,
                mppe_keys: self.mppe_keys,
            };
            return (Success, Phase::Completion, finding);
        }
        let offered = self.client_hello.as_ref().map(offer).unwrap_or_default();
        // A TLS alert decides, whoever sent it and whether or not a Failure followed.
        if let Some(a) = self.client_alert {
            if let Some(problem) = certificate_problem(a) {
                let cause = Cause::CertificateRejected {
                    problem,
                    certificate: self.certificate.clone(),
                };
                return (Failure, Phase::ServerValidation, Finding::Cause(cause));
            }
            let phase = if self.certificate.is_some() {
                Phase::ServerValidation
            } else {
                Phase::TlsHandshake
            };
            let finding = Finding::ClientAlert {
                alert: a,
                certificate: self.certificate.clone(),
            };
            return (Failure, phase, finding);
        }
        if let Some(alert) = self.server_alert.filter(|_| self.client_certificate) {
            let cause = Cause::ClientCertificateRejected { alert };
            return (Failure, Phase::TlsHandshake, Finding::Cause(cause));
        }
        if let Some(a) = self.server_alert {
            let cause = Cause::TlsAlert {
                alert: a,
                offered,
                chosen: self.chosen(),
            };
            return (Failure, Phase::TlsHandshake, Finding::Cause(cause));
        }
        if let Some(msg) = &self.mschap.failure {
            let user = self.user(identity).unwrap_or_default();
            let cause = Cause::mschap_failure(user, msg);
            return (Failure, Phase::InnerAuthentication, Finding::Cause(cause));
        }
        if self.end == Some(End::Failure) {
            return (Failure, self.phase(), self.failure_cause(identity, offered));
        }
        // No outcome: silence on one side, or the capture ends.
        let Some(last) = &self.last else {
            let after = "nothing of interest".to_string();
            return (Incomplete, Phase::Start, Finding::CaptureEnds { after });
        };
        let waited = last.last.saturating_sub(last.first);
        if last.count > 1 && last.to_server {
            let cause = if self.replies == 0 && self.radius {
                Cause::Transport(TransportFailure::NoReply {
                    attempts: last.count,
                    answered_before: false,
                })
            } else if !self.radius && self.requests == 0 {
                Cause::Transport(TransportFailure::NoAuthenticator { starts: last.count })
            } else {
                Cause::Timeout {
                    kind: TimeoutKind::Silence(waited),
                    last_sent: last.sent.unwrap_or(SentMessage::TlsAck),
                    dropped: None,
                }
            };
            return (Failure, self.phase(), Finding::Cause(cause));
        }
        if last.count > 1 {
            let finding = Finding::ClientStoppedAnswering {
                request: last.name.clone(),
                attempts: last.count,
                waited,
            };
            return (Failure, self.phase(), finding);
        }
        let after = last.name.clone();
        (Incomplete, self.phase(), Finding::CaptureEnds { after })
    }

    /// Why the server sent a Failure, from how far the conversation got; a Failure that
    /// answered a retransmitted message is named as such (the server most likely lost the
    /// session), as the live supplicant does.
    fn failure_cause(&self, identity: Option<&str>, offered: TlsOffer) -> Finding {
        let sent = self.last_sent_count;
        if sent > 1 {
            let after = self.last_client_message();
            match self.failure_cause_once(identity, offered) {
                Finding::Cause(c) => return Finding::Cause(c.answering_retransmission(sent)),
                Finding::RejectedInTunnel { .. } => {
                    return Finding::Cause(Cause::EndedWithoutVerdict { after, sent });
                }
                other => return other,
            }
        }
        self.failure_cause_once(identity, offered)
    }

    /// Why the server sent a Failure, when the client's last message went out once.
    fn failure_cause_once(&self, identity: Option<&str>, offered: TlsOffer) -> Finding {
        let after = self.last_client_message();
        if self.tunnel_up {
            return Finding::RejectedInTunnel {
                exchanges: self.tunnel_exchanges,
                user: identity.map(str::to_string),
                outer_identity: self.outer_identity.clone(),
            };
        }
        if self.client_certificate {
            return Finding::Cause(Cause::FailureAfterClientCertificate);
        }
        if self.mschap.response.is_some() {
            let after = SentMessage::MschapResponse;
            return Finding::Cause(Cause::FailureWithoutReason { after });
        }
        if self.server_hello.is_none() && self.client_hello.is_some() {
            return Finding::Cause(Cause::HandshakeRejected { offered });
        }
        if self.client_hello.is_none() && self.accepted.is_none() {
            if let Some((proposed, offered)) = self.naks.last() {
                let cause = Cause::MethodNotAllowed {
                    proposed: *proposed,
                    offered: offered.clone(),
                };
                return Finding::Cause(cause);
            }
            if self.proposed.is_empty() {
                if let Some(outer) = &self.outer_identity {
                    return Finding::Cause(Cause::rejected_after_identity(outer, identity));
                }
            }
        }
        Finding::Cause(Cause::FailureWithoutReason { after })
    }

    fn last_client_message(&self) -> SentMessage {
        self.last_sent.unwrap_or(SentMessage::Nothing)
    }
}

/// The WPA key handshakes' part of a verdict (here, not in `keys.rs`, so that the key
/// reader knows nothing of verdicts).
impl Keys {
    /// The verdict, given the EAP verdict (`eap`: whether there was any EAP at all).
    pub(super) fn judge(&self, v: Verdict, eap: bool, beacon: Option<&Rsn>) -> Verdict {
        if !self.any() || (eap && v.outcome == ConversationOutcome::Failure) {
            return v;
        }
        let mut v = v;
        let c = |m| self.count(m);
        let (m1, m2, m3, m4) = (
            c(Message::FourWay1),
            c(Message::FourWay2),
            c(Message::FourWay3),
            c(Message::FourWay4),
        );
        let finding = |kind| KeyFinding {
            kind,
            eap,
            counts: [m1, m2, m3, m4],
            akm: self.akm(beacon),
            departure: self.departure,
        };
        let (outcome, stage, kind) = if m4 > 0 && m3 > 0 {
            let g1 = c(Message::Group1);
            let g2 = c(Message::Group2);
            if g1 > 0 && g2 == 0 && (g1 > 1 || self.departure.is_some()) {
                (
                    ConversationOutcome::Failure,
                    Stage::GroupKey,
                    KeyKind::NoGroup2,
                )
            } else {
                (
                    ConversationOutcome::Success,
                    Stage::FourWay,
                    KeyKind::Completed,
                )
            }
        } else if m3 > 0 {
            let failed = m3 > 1 || self.departure.is_some();
            (outcome(failed), Stage::FourWay, KeyKind::NoMessage4)
        } else if m2 > 0 {
            let failed = m2 > 1 || m1 > 1 || self.departure.is_some();
            (outcome(failed), Stage::FourWay, KeyKind::NoMessage3)
        } else if m1 > 0 {
            let failed = m1 > 1 || self.departure.is_some();
            (outcome(failed), Stage::FourWay, KeyKind::NoMessage2)
        } else {
            (
                ConversationOutcome::Failure,
                Stage::FourWay,
                KeyKind::DepartureOnly,
            )
        };
        let f = finding(kind);
        if outcome == ConversationOutcome::Success {
            if eap {
                v.story.push("the 4-way handshake completed".into());
                return v;
            }
            v.story.push("the 4-way handshake completed".into());
        }
        v.outcome = outcome;
        v.phase = stage;
        v.finding = Finding::Keys(f);
        v
    }
}

fn outcome(failed: bool) -> ConversationOutcome {
    if failed {
        ConversationOutcome::Failure
    } else {
        ConversationOutcome::Incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::TransportFailure;

    fn last(to_server: bool, count: u32, sent: Option<SentMessage>) -> Option<Last> {
        Some(Last {
            to_server,
            name: "the client's Identity".into(),
            sent,
            first: Duration::from_secs(1),
            last: Duration::from_secs(7),
            count,
        })
    }

    fn judged(o: &Observed) -> (ConversationOutcome, Phase, Finding) {
        let v = o.verdict(None);
        let Stage::Eap(phase) = v.phase else {
            panic!("{}", v.phase)
        };
        (v.outcome, phase, v.finding)
    }

    #[test]
    fn silence() {
        // RADIUS: the very first Access-Request never answered.
        let mut o = Observed {
            radius: true,
            outer_identity: Some("anonymous".into()),
            last: last(true, 3, Some(SentMessage::Identity)),
            ..Observed::default()
        };
        let no_reply = Cause::Transport(TransportFailure::NoReply {
            attempts: 3,
            answered_before: false,
        });
        assert_eq!(
            judged(&o),
            (
                ConversationOutcome::Failure,
                Phase::Identity,
                Finding::Cause(no_reply)
            )
        );
        // EAPOL: Starts and nothing else.
        o.radius = false;
        o.outer_identity = None;
        let none = Cause::Transport(TransportFailure::NoAuthenticator { starts: 3 });
        assert_eq!(judged(&o).2, Finding::Cause(none));
        // The server repeats itself; the client is gone.
        o.requests = 2;
        o.last = last(false, 2, None);
        assert!(matches!(
            judged(&o),
            (
                ConversationOutcome::Failure,
                _,
                Finding::ClientStoppedAnswering { attempts: 2, .. }
            )
        ));
        // One message and the end of the capture.
        o.last = last(false, 1, None);
        assert!(matches!(
            judged(&o),
            (
                ConversationOutcome::Incomplete,
                _,
                Finding::CaptureEnds { .. }
            )
        ));
        let text = Finding::CaptureEnds {
            after: "the server's PEAP Start".into(),
        }
        .to_string();
        assert_eq!(
            text,
            "the capture ends after the server's PEAP Start, before any outcome"
        );
    }

    #[test]
    fn failures_by_how_far_it_got() {
        let mut o = Observed {
            outer_identity: Some("anonymous".into()),
            end: Some(End::Failure),
            ..Observed::default()
        };
        let v = o.verdict(Some("alice@example.org"));
        assert_eq!(v.phase, Phase::Identity);
        assert_eq!(
            v.finding,
            Finding::Cause(Cause::RejectedAfterIdentity {
                outer_identity: "anonymous".into(),
                anonymous_without_realm: true,
            })
        );
        o.server_alert = Some(40);
        o.client_hello = Some(ClientHello {
            legacy_version: 0x0303,
            cipher_suites: std::vec![0x1a1a, 0xc02f],
            ..ClientHello::default()
        });
        let (_, phase, finding) = judged(&o);
        assert_eq!(phase, Phase::TlsHandshake);
        let Finding::Cause(Cause::TlsAlert {
            alert: 40,
            offered,
            chosen: None,
        }) = finding
        else {
            panic!("{finding:?}")
        };
        assert_eq!(offered.cipher_suites, [0xc02f], "GREASE left out");
        o.client_alert = Some(42);
        let (_, _, finding) = judged(&o);
        assert_eq!(
            finding.to_string(),
            "the client aborted the TLS handshake with alert bad_certificate (42)"
        );
    }

    #[test]
    fn eap_tls_client_certificate_refused_in_clear() {
        let mut o = Observed {
            accepted: Some(MethodType::Tls),
            client_certificate: true,
            end: Some(End::Failure),
            ..Observed::default()
        };
        assert_eq!(
            judged(&o),
            (
                ConversationOutcome::Failure,
                Phase::TlsHandshake,
                Finding::Cause(Cause::FailureAfterClientCertificate)
            )
        );
        o.server_alert = Some(48);
        let (_, phase, finding) = judged(&o);
        assert_eq!(phase, Phase::TlsHandshake);
        assert_eq!(
            finding,
            Finding::Cause(Cause::ClientCertificateRejected { alert: 48 })
        );
        assert_eq!(finding.code(), "client_certificate_rejected");
        // Without a client certificate the same alert is the handshake's.
        o.client_certificate = false;
        assert!(matches!(
            judged(&o).2,
            Finding::Cause(Cause::TlsAlert { alert: 48, .. })
        ));
    }

    #[test]
    fn a_reject_answering_a_retransmission_is_not_an_inner_failure() {
        let mut o = Observed {
            radius: true,
            outer_identity: Some("anonymous".into()),
            tunnel_up: true,
            tunnel_exchanges: 3,
            end: Some(End::Failure),
            last_sent: Some(SentMessage::TlsAck),
            last_sent_count: 1,
            ..Observed::default()
        };
        assert!(matches!(
            judged(&o).2,
            Finding::RejectedInTunnel { exchanges: 3, .. }
        ));
        o.last_sent_count = 2;
        assert_eq!(
            judged(&o).2,
            Finding::Cause(Cause::EndedWithoutVerdict {
                after: SentMessage::TlsAck,
                sent: 2
            })
        );
        // A Reject after the first Identity was sent twice is still about the identity.
        let o = Observed {
            outer_identity: Some("anonymous".into()),
            end: Some(End::Failure),
            last_sent: Some(SentMessage::Identity),
            last_sent_count: 2,
            ..Observed::default()
        };
        assert!(matches!(
            judged(&o).2,
            Finding::Cause(Cause::RejectedAfterIdentity { .. })
        ));
    }

    #[test]
    fn password_check_needs_both_messages() {
        let m = Mschap::default();
        assert!(matches!(m.check("x", None), PasswordCheck::NotChecked(_)));
        // RFC 2759 §9.2 vectors: user "User", password "clientPass".
        let hex = |s: &str| -> std::vec::Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let m = Mschap {
            challenge: Some(hex("5B5D7C7D7B3F2F3E3C2C602132262628").try_into().unwrap()),
            response: Some((
                hex("21402324255E262A28295F2B3A337C7E").try_into().unwrap(),
                hex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF")
                    .try_into()
                    .unwrap(),
                b"User".to_vec(),
            )),
            success: Some(b"S=407A5589115FD0D6209F510FE9C04566932CDA56".to_vec()),
            failure: None,
        };
        assert_eq!(
            m.check("clientPass", None),
            PasswordCheck::Matches {
                user: "User".into(),
                authenticator_response: Some(true)
            }
        );
        assert_eq!(
            m.check("clientpass", None),
            PasswordCheck::DoesNotMatch {
                user: "User".into()
            }
        );
    }
}
