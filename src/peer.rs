//! The EAP peer layer ([RFC 3748](https://www.rfc-editor.org/rfc/rfc3748), [RFC 4137 §4](https://www.rfc-editor.org/rfc/rfc4137#section-4)):
//! Identifiers and duplicate requests, Identity and Notification, method selection and Nak,
//! the Success/Failure rules, and the round and time limits.
//!
//! It is an enum of states: selecting a method (Identity, Notification and Nak rounds),
//! running one ([`Method`], which decides its own causes for an EAP-Failure, for silence
//! and for a premature EAP-Success, and which this layer never looks inside), done. The
//! Nak and Notification rules are shared with the levels inside tunnels
//! ([`method::nak`], [`method::notification`]).
//!
//! Rules kept here:
//! - a request with the last Identifier and the same bytes is a retransmission: the last
//!   response goes out again and nothing is processed twice (§4.1, RFC 4137 RETRANSMIT); a
//!   request with the same Identifier but different bytes is processed as a new one (RFC
//!   4137 compares Identifiers only, but servers exist that reuse them; wpa_supplicant does
//!   the same);
//! - a method proposal we do not allow is answered with a Nak listing the allowed methods
//!   in order (an expanded Nak for expanded types, §5.3.2); once a method is selected,
//!   requests for another are discarded (RFC 4137 DISCARD);
//! - EAP-Success is honoured only when the method's decision is `CondSucc` and its
//!   Identifier is the last one, +1 or +2 (what real servers send); an earlier Success ends
//!   the authentication as an attack (CVE-2023-52160); EAP-Failure is always honoured and
//!   explained from what the method saw;
//! - the limits count from the authenticator's first packet: before it, waiting is the lower
//!   layer's business (EAPOL: startPeriod and maxStart; RADIUS: retransmissions), so the two
//!   never race;
//! - a dropped packet is remembered until the next one, so that silence after it is
//!   explained by what was wrong with it.

use crate::config::Config;
use crate::diagnosis::{
    Cause, Diagnosis, DroppedPacket, Phase, PrematureSuccess, SentMessage, TimeoutKind,
};
use crate::event::{Event, Output};
use crate::method::{self, Ctx, Decision, Method, Step};
use crate::method_type::MethodType;
use crate::secret::Password;
use crate::time::Instant;
use crate::wire::eap::{Code, Eap};
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The limits' deadlines, running from the authenticator's first packet.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    /// The first packet plus the overall limit.
    overall: Instant,
    /// The last response (or the first packet) plus the silence limit.
    silence: Instant,
}

/// Where the authentication stands ([RFC 4137 §4](https://www.rfc-editor.org/rfc/rfc4137#section-4)).
// One per authentication, and the large variant is the one that lives longest: a Box
// would add an allocation and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    /// No method yet: Identity, Notification and Nak rounds.
    Selecting {
        identity_sent: bool,
        /// The last proposal we refused, and what our Nak offered.
        nak: Option<(MethodType, Vec<MethodType>)>,
    },
    /// A method runs (every later request of another Type is discarded).
    Running(Method),
    /// Ended (`Authenticated` or `Failed` was emitted); the method and its TLS
    /// connection are freed, the phase reached stays.
    Done { phase: Phase },
}

/// The running (or finished) authentication.
pub(crate) struct Peer {
    state: State,
    /// `None` until the authenticator's first packet.
    deadlines: Option<Deadlines>,
    /// The last packet from the authenticator, if it was dropped.
    last_dropped: Option<DroppedPacket>,
    last_id: Option<u8>,
    last_request: Vec<u8>,
    last_response: Option<Vec<u8>>,
    last_sent: SentMessage,
    /// Times the last response went out (more than 1: the server retransmitted its request).
    last_sends: u32,
    rounds: u32,
    server_message: Option<String>,
    /// The server certificate's dates were checked against this floor, not a clock
    /// ([`Event::CertificateDatesNotChecked`]): a failure's diagnosis says so.
    clockless_floor: Option<i64>,
    /// Packets dropped as RFC 3748 says (malformed, unexpected).
    pub(crate) dropped: u64,
    /// The Identifier of the request whose answer waits for the caller (a new password,
    /// [`Event::NewPasswordRequired`]).
    awaiting_caller: Option<u8>,
}

impl Peer {
    pub(crate) fn new() -> Self {
        Peer {
            state: State::Selecting {
                identity_sent: false,
                nak: None,
            },
            deadlines: None,
            last_dropped: None,
            last_id: None,
            last_request: Vec::new(),
            last_response: None,
            last_sent: SentMessage::Nothing,
            last_sends: 0,
            rounds: 0,
            server_message: None,
            clockless_floor: None,
            dropped: 0,
            awaiting_caller: None,
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        matches!(self.state, State::Done { .. })
    }

    /// When to call back: while running, once the authenticator has spoken.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        if self.is_finished() {
            return None;
        }
        self.deadlines.map(|d| d.silence.min(d.overall))
    }

    /// Drops a packet from the authenticator, remembering why.
    fn drop_packet(&mut self, why: DroppedPacket) {
        self.dropped += 1;
        self.last_dropped = Some(why);
    }

    /// Restarts the silence limit (we answered).
    fn answered(&mut self, config: &Config, now: Instant) {
        if let Some(d) = self.deadlines.as_mut() {
            d.silence = now + config.limits.silence;
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        match &self.state {
            State::Running(m) => m.phase(),
            State::Selecting { nak: Some(_), .. } => Phase::MethodNegotiation,
            State::Selecting {
                identity_sent: true,
                ..
            } => Phase::Identity,
            State::Selecting { .. } => Phase::Start,
            State::Done { phase } => *phase,
        }
    }

    #[inline(never)]
    fn finish(&mut self, out: &mut VecDeque<Output>, event: Event) {
        // The method goes, and with it the TLS connection and its buffers (firmware keeps
        // the supplicant for the next re-authentication).
        self.state = State::Done {
            phase: self.phase(),
        };
        // Kept only to answer retransmitted requests, which end with the authentication:
        // nothing of them stays with a supplicant kept for the next one.
        self.last_request = Vec::new();
        self.last_response = None;
        let event = match event {
            Event::Failed(mut d) => {
                if d.server_message.is_none() {
                    d.server_message = self.server_message.clone();
                }
                if let Some(floor) = self.clockless_floor {
                    d.notes.push(
                        crate::diagnosis::Note::CertificateDatesNotCheckedAgainstClock { floor },
                    );
                }
                Event::Failed(d)
            }
            other => other,
        };
        out.push_back(Output::Event(event));
    }

    // The rare ends (a failure, a success) are not inlined: their events and diagnoses
    // would otherwise sit in `packet`'s frame under every round's method call, the
    // deepest path of an authentication.
    #[inline(never)]
    fn fail(&mut self, out: &mut VecDeque<Output>, phase: Phase, cause: Cause) {
        self.finish(out, Event::Failed(Diagnosis::new(phase, cause)));
    }

    /// Checks the clock against the limits.
    pub(crate) fn tick(&mut self, config: &Config, now: Instant, out: &mut VecDeque<Output>) {
        let Some(deadlines) = self.deadlines.filter(|_| !self.is_finished()) else {
            return;
        };
        let last_sent = self.last_sent;
        let dropped = self.last_dropped;
        if now >= deadlines.overall {
            let kind = TimeoutKind::Overall(config.limits.overall);
            let cause = Cause::Timeout {
                kind,
                last_sent,
                dropped,
            };
            self.fail(out, self.phase(), cause);
        } else if now >= deadlines.silence {
            // A method that heard the server's verdict explains the silence after it (its
            // EAP-Failure lost); otherwise it is a timeout naming our last message.
            let known = match &self.state {
                State::Running(m) => m.silence_cause(config, last_sent),
                _ => None,
            };
            let cause = known.unwrap_or(Cause::Timeout {
                kind: TimeoutKind::Silence(config.limits.silence),
                last_sent,
                dropped,
            });
            self.fail(out, self.phase(), cause);
        }
    }

    pub(crate) fn lower_layer_down(&mut self, out: &mut VecDeque<Output>) {
        if !self.is_finished() {
            self.fail(out, self.phase(), Cause::LowerLayerDown);
        }
    }

    /// One EAP packet from the authenticator.
    pub(crate) fn packet(
        &mut self,
        config: &Config,
        now: Instant,
        bytes: &[u8],
        out: &mut VecDeque<Output>,
    ) {
        if self.is_finished() {
            self.dropped += 1;
            return;
        }
        // The authenticator has answered: the limits start counting.
        self.deadlines.get_or_insert(Deadlines {
            overall: now + config.limits.overall,
            silence: now + config.limits.silence,
        });
        let eap = match Eap::parse(bytes) {
            Ok(eap) => eap,
            Err(e) => return self.drop_packet(DroppedPacket::Malformed(e)),
        };
        match eap.code {
            Code::Request => self.request(config, now, &eap, &bytes[..eap.len()], out),
            Code::Success => self.success(eap.identifier, out),
            Code::Failure => self.failure(config, out),
            other => self.drop_packet(DroppedPacket::UnexpectedCode(other.into())),
        }
    }

    fn request(
        &mut self,
        config: &Config,
        now: Instant,
        eap: &Eap<'_>,
        bytes: &[u8],
        out: &mut VecDeque<Output>,
    ) {
        let id = eap.identifier;
        // RFC 4137 §4.4 compares Identifiers only; servers exist that reuse an Identifier
        // for a new request, so (as wpa_supplicant does) only the same octets make a
        // retransmission. A new request with the old Identifier is processed as new.
        if self.last_id == Some(id) && self.last_request == bytes {
            if let Some(r) = &self.last_response {
                self.last_sends += 1;
                out.push_back(Output::Transmit(r.clone()));
                self.last_dropped = None;
                self.answered(config, now);
            } else {
                self.dropped += 1;
            }
            return;
        }
        let Some((method, data)) = eap.method() else {
            return self.drop_packet(DroppedPacket::RequestWithoutType);
        };
        // A new request: whatever waited for the caller is no longer the question.
        self.awaiting_caller = None;
        if self.rounds >= config.limits.max_rounds {
            let last_sent = self.last_sent;
            self.fail(
                out,
                self.phase(),
                Cause::TooManyRounds {
                    limit: config.limits.max_rounds,
                    last_sent,
                },
            );
            return;
        }
        // The round's events go out first, then its response.
        let (response_type, step) = match method {
            MethodType::Identity => {
                if let State::Selecting { identity_sent, .. } = &mut self.state {
                    *identity_sent = true;
                }
                let identity = config.outer_identity();
                out.push_back(Output::Event(Event::IdentitySent {
                    identity: identity.to_string(),
                }));
                let step = Step::Respond {
                    data: identity.as_bytes().to_vec(),
                    sent: SentMessage::Identity,
                };
                (MethodType::Identity, step)
            }
            MethodType::Notification => {
                self.server_message = Some(method::notification(out, data));
                (
                    MethodType::Notification,
                    Step::Respond {
                        data: Vec::new(),
                        sent: SentMessage::Notification,
                    },
                )
            }
            _ => self.method_request(config, method, id, data, out),
        };
        match step {
            Step::Discard => self.drop_packet(match method {
                MethodType::Nak => DroppedPacket::NakRequest,
                other => DroppedPacket::OtherMethod(other),
            }),
            Step::Wait => {
                // Processed, not answered yet: a retransmission of it is dropped (it must
                // not be processed twice), and the caller's answer goes out with its
                // Identifier.
                self.last_dropped = None;
                self.rounds += 1;
                self.last_id = Some(id);
                self.last_request.clear();
                self.last_request.extend_from_slice(bytes);
                self.last_response = None;
                self.awaiting_caller = Some(id);
            }
            Step::Respond { data, sent } => {
                self.last_dropped = None;
                self.rounds += 1;
                self.last_id = Some(id);
                // Kept in the buffer of the last round: no allocation per round.
                self.last_request.clear();
                self.last_request.extend_from_slice(bytes);
                self.respond(config, now, id, response_type, &data, sent, out);
            }
            Step::Fail { data, diagnosis } => {
                self.method_failed(id, response_type, data, diagnosis, out);
            }
        }
    }

    /// Sends our response to request `id`, kept for its retransmissions.
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &mut self,
        config: &Config,
        now: Instant,
        id: u8,
        response_type: MethodType,
        data: &[u8],
        sent: SentMessage,
        out: &mut VecDeque<Output>,
    ) {
        let response = Eap::response(id, response_type, data).to_vec();
        let last = self.last_response.get_or_insert_with(Vec::new);
        last.clear();
        last.extend_from_slice(&response);
        self.last_sent = sent;
        self.last_sends = 1;
        self.answered(config, now);
        out.push_back(Output::Transmit(response));
    }

    /// The caller's new password, answering the request that waits for it; false if none
    /// waits (nothing asked, or the authentication moved on or ended).
    pub(crate) fn new_password(
        &mut self,
        config: &Config,
        now: Instant,
        password: &Password,
        out: &mut VecDeque<Output>,
    ) -> bool {
        let Some(id) = self.awaiting_caller else {
            return false;
        };
        let State::Running(m) = &mut self.state else {
            return false;
        };
        let mut ctx = Ctx {
            config,
            out,
            clockless_floor: &mut self.clockless_floor,
        };
        let Some(step) = m.new_password(&mut ctx, password) else {
            return false;
        };
        let response_type = m.method_type();
        self.awaiting_caller = None;
        match step {
            Step::Respond { data, sent } => {
                self.respond(config, now, id, response_type, &data, sent, out);
            }
            Step::Fail { data, diagnosis } => {
                self.method_failed(id, response_type, data, diagnosis, out);
            }
            // A method answers the question it asked.
            Step::Discard | Step::Wait => {}
        }
        true
    }

    /// A method ended the authentication: its last response, if any, then `Failed`.
    // The diagnosis comes boxed and is unboxed here, not in the caller: out of
    // `request`'s frame.
    #[allow(clippy::boxed_local)]
    #[inline(never)]
    fn method_failed(
        &mut self,
        id: u8,
        response_type: MethodType,
        data: Option<(Vec<u8>, SentMessage)>,
        diagnosis: Box<Diagnosis>,
        out: &mut VecDeque<Output>,
    ) {
        if let Some((data, sent)) = data {
            self.last_sent = sent;
            out.push_back(Output::Transmit(
                Eap::response(id, response_type, &data).to_vec(),
            ));
        }
        self.finish(out, Event::Failed(*diagnosis));
    }

    /// A request for a method: the running one's, the start of an allowed one, or a Nak.
    fn method_request(
        &mut self,
        config: &Config,
        method: MethodType,
        id: u8,
        data: &[u8],
        out: &mut VecDeque<Output>,
    ) -> (MethodType, Step) {
        if let State::Selecting { .. } = self.state {
            if method != MethodType::Nak && config.methods.contains(&method) {
                if let Some(m) = Method::new(method) {
                    out.push_back(Output::Event(Event::MethodProposed {
                        method,
                        accepted: true,
                        offered: Vec::new(),
                    }));
                    self.state = State::Running(m);
                }
            }
        }
        match &mut self.state {
            State::Running(m) if m.method_type() == method => {
                let mut ctx = Ctx {
                    config,
                    out,
                    clockless_floor: &mut self.clockless_floor,
                };
                (method, m.process(&mut ctx, id, data))
            }
            State::Selecting { nak, .. } if method != MethodType::Nak => {
                let offered = config.methods.clone();
                out.push_back(Output::Event(Event::MethodProposed {
                    method,
                    accepted: false,
                    offered: offered.clone(),
                }));
                let (response_type, data) = method::nak(method, &offered);
                *nak = Some((method, offered));
                (
                    response_type,
                    Step::Respond {
                        data,
                        sent: SentMessage::Nak,
                    },
                )
            }
            // A Nak request, another method's request once one runs, or after the end.
            _ => (method, Step::Discard),
        }
    }

    #[inline(never)]
    fn success(&mut self, id: u8, out: &mut VecDeque<Output>) {
        let which = match &self.state {
            State::Running(m) if m.decision() == Decision::CondSucc => {
                let last = self.last_id.unwrap_or(id);
                if ![last, last.wrapping_add(1), last.wrapping_add(2)].contains(&id) {
                    return self.drop_packet(DroppedPacket::StaleSuccess {
                        identifier: id,
                        last,
                    });
                }
                if let Some(keys) = m.keys().cloned() {
                    return self.finish(out, Event::Authenticated(keys));
                }
                if !m.derives_keys() {
                    let method = m.method_type();
                    return self.finish(out, Event::AuthenticatedWithoutKeys { method });
                }
                // CondSucc of a keyed method always has keys; were it not so, this is no
                // success either.
                m.premature_success()
            }
            State::Running(m) => m.premature_success(),
            State::Selecting { .. } | State::Done { .. } => {
                PrematureSuccess::EapSuccessBeforeMethod
            }
        };
        self.fail(out, self.phase(), Cause::PrematureSuccess(which));
    }

    #[inline(never)]
    fn failure(&mut self, config: &Config, out: &mut VecDeque<Output>) {
        let cause = match &self.state {
            State::Running(m) => m.failure_cause(config, self.last_sent),
            State::Selecting {
                nak: Some((proposed, offered)),
                ..
            } => Cause::MethodNotAllowed {
                proposed: *proposed,
                offered: offered.clone(),
            },
            State::Selecting {
                identity_sent: true,
                ..
            } => Cause::rejected_after_identity(config.outer_identity(), Some(&config.identity)),
            State::Selecting { .. } | State::Done { .. } => Cause::FailureWithoutReason {
                after: self.last_sent,
            },
        };
        // A Failure that follows a response we had to send again (the authenticator
        // retransmitted its request) may only mean the server lost the session.
        let cause = cause.answering_retransmission(self.last_sends);
        self.fail(out, self.phase(), cause);
    }
}
