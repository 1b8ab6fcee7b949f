//! PEAPv0 peer ([MS-PEAP]; EAP method 25).
//!
//! States, named for what they wait for:
//! - `ExpectStart`: the server's PEAP Start. We answer with version 0 whatever the server
//!   offers (hostapd offers 1) and our ClientHello.
//! - `ExpectServerFlight`: TLS handshake messages, reassembled from fragments and fed to the
//!   tunnel; our flights go out fragmented at the configured size.
//! - `Tunnel`: the handshake is done and the server validated: inner EAP in the PEAPv0
//!   compressed form, then the EAP-TLV Result (and Crypto-Binding) exchange.
//!
//! Fragment ACKs work both ways in every state ([`fragment`]). Nothing from the inner
//! method leaves before the tunnel is up.

pub(crate) mod fragment;
mod keys;
mod phase2;

use self::fragment::{Outbound, Reassembly};
use self::keys::TunnelKeys;
use self::phase2::Phase2;
use super::{Ctx, Decision, Step};
use crate::config::Config;
use crate::diagnosis::{Cause, Diagnosis, Phase, ProtocolViolation, SentMessage};
use crate::event::{Event, Keys};
use crate::tls::{TlsFailure, TlsTunnel, TlsVersion};
use crate::wire::tls_frame::TlsFrame;
use crate::wire::tls_record::{TlsEvent, TlsScanner};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The only PEAP version we speak.
const PEAP_VERSION: u8 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    ExpectStart,
    ExpectServerFlight,
    Tunnel,
}

/// The PEAP peer method.
pub(crate) struct Peap {
    state: State,
    tls: Option<Box<dyn TlsTunnel>>,
    rx: Reassembly,
    tx: Outbound,
    client_scan: TlsScanner,
    server_scan: TlsScanner,
    client_random: Option<[u8; 32]>,
    server_random: Option<[u8; 32]>,
    chosen: Option<(TlsVersion, u16)>,
    flights_sent: u32,
    keys: Option<TunnelKeys>,
    phase2: Phase2,
}

impl core::fmt::Debug for Peap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Peap")
            .field("state", &self.state)
            .field("chosen", &self.chosen)
            .finish_non_exhaustive()
    }
}

fn fail(phase: Phase, cause: Cause) -> Step {
    Step::Fail {
        data: None,
        diagnosis: Diagnosis::new(phase, cause),
    }
}

impl Peap {
    pub(crate) fn new() -> Self {
        Peap {
            state: State::ExpectStart,
            tls: None,
            rx: Reassembly::default(),
            tx: Outbound::default(),
            client_scan: TlsScanner::new(),
            server_scan: TlsScanner::new(),
            client_random: None,
            server_random: None,
            chosen: None,
            flights_sent: 0,
            keys: None,
            phase2: Phase2::new(),
        }
    }

    /// Frees the TLS connection and the fragment buffers once the authentication has
    /// ended (the phase, keys and failure cause stay).
    pub(crate) fn release(&mut self) {
        self.tls = None;
        self.rx = Reassembly::default();
        self.tx = Outbound::default();
        self.client_scan = TlsScanner::new();
        self.server_scan = TlsScanner::new();
    }

    /// RFC 4137 decision: `CondSucc` once phase 2 answered a Result TLV Success.
    pub(crate) fn decision(&self) -> Decision {
        if self.phase2.keys().is_some() {
            Decision::CondSucc
        } else {
            Decision::Fail
        }
    }

    /// The session keys, once the decision is `CondSucc`.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        self.phase2.keys()
    }

    /// How far PEAP got.
    pub(crate) fn phase(&self) -> Phase {
        match self.state {
            State::ExpectStart => Phase::MethodNegotiation,
            State::ExpectServerFlight => Phase::TlsHandshake,
            State::Tunnel => self.phase2.phase(),
        }
    }

    /// True once the tunnel is up.
    pub(crate) fn is_tunnel_up(&self) -> bool {
        self.state == State::Tunnel
    }

    /// True if the server said, inside the tunnel, that the authentication failed (a
    /// Result TLV Failure or an MSCHAPv2 Failure): silence after that has a known cause.
    pub(crate) fn server_reported_failure(&self) -> bool {
        self.phase2.server_reported_failure()
    }

    /// Explains an EAP-Failure from what PEAP saw.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match self.state {
            State::ExpectServerFlight if self.chosen.is_none() && self.flights_sent <= 1 => {
                Cause::HandshakeRejected {
                    offered: config.tls.offer(),
                }
            }
            // Inside the tunnel a server that decides sends its verdict first (Result TLV,
            // MSCHAPv2 Failure); a bare EAP-Failure means it ended the session without one.
            State::Tunnel => {
                self.phase2
                    .failure_cause(config)
                    .unwrap_or(Cause::EndedWithoutVerdict {
                        after: last_sent,
                        sent: 1,
                    })
            }
            _ => Cause::FailureWithoutReason { after: last_sent },
        }
    }

    /// Processes the Type-Data of a PEAP request.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, id: u8, data: &[u8]) -> Step {
        let frame = match TlsFrame::parse(data) {
            Ok(f) => f,
            Err(error) => {
                return fail(
                    self.phase(),
                    Cause::Protocol(ProtocolViolation::Malformed {
                        what: "PEAP packet",
                        error,
                    }),
                );
            }
        };
        if self.state == State::ExpectStart {
            return self.start(ctx, &frame);
        }
        if frame.start {
            let handshake_complete = self.state == State::Tunnel;
            return fail(
                self.phase(),
                Cause::Protocol(ProtocolViolation::UnexpectedStart { handshake_complete }),
            );
        }
        if frame.version != PEAP_VERSION {
            return fail(
                self.phase(),
                Cause::Protocol(ProtocolViolation::PeapVersion(frame.version)),
            );
        }
        let fragment_size = ctx.config.fragment_size;
        if self.tx.pending() {
            if !frame.data.is_empty() || frame.more {
                return fail(
                    self.phase(),
                    Cause::Protocol(ProtocolViolation::UnexpectedData),
                );
            }
            return Step::Respond {
                data: self.tx.next(fragment_size, PEAP_VERSION),
                sent: SentMessage::TlsFragment,
            };
        }
        let message = match self.rx.push(&frame, ctx.config.limits.reassembly_cap) {
            Ok(Some(m)) => m,
            Ok(None) => return self.ack(SentMessage::TlsAck),
            Err(v) => return fail(self.phase(), Cause::Protocol(v)),
        };
        if message.is_empty() {
            // An empty request outside fragmentation: answer in kind. Repeated, the round
            // limit ends it.
            return self.ack(SentMessage::TlsAck);
        }
        self.message(ctx, id, &message)
    }

    fn ack(&self, sent: SentMessage) -> Step {
        Step::Respond {
            data: TlsFrame::data(PEAP_VERSION, &[]).to_vec(),
            sent,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<'_>, frame: &TlsFrame<'_>) -> Step {
        if !frame.start {
            return fail(
                Phase::MethodNegotiation,
                Cause::Protocol(ProtocolViolation::Unexpected(
                    "a PEAP request without the Start flag",
                )),
            );
        }
        // A Start is only the flags octet ([MS-PEAP] 2.2, RFC 5216 3.1): anything else under
        // the S flag is malformed, and refused as other malformed PEAP requests are.
        let length_flag = frame.message_length.is_some();
        if length_flag || frame.more || !frame.data.is_empty() {
            return fail(
                Phase::MethodNegotiation,
                Cause::Protocol(ProtocolViolation::MalformedStart {
                    length_flag,
                    more_flag: frame.more,
                    data_len: frame.data.len(),
                }),
            );
        }
        ctx.emit(Event::PeapStarted {
            server_version: frame.version,
            version: PEAP_VERSION,
        });
        let mut tls = match ctx.config.tls.connect() {
            Ok(t) => t,
            Err(e) => return self.tls_failure(ctx, e),
        };
        let mut hello = Vec::new();
        tls.take_outgoing(&mut hello);
        self.tls = Some(tls);
        self.state = State::ExpectServerFlight;
        self.send(hello, ctx.config.fragment_size, SentMessage::ClientHello)
    }

    /// Queues an outgoing TLS message and returns the first fragment.
    fn send(&mut self, bytes: Vec<u8>, fragment_size: usize, sent: SentMessage) -> Step {
        if bytes.is_empty() {
            return self.ack(SentMessage::TlsAck);
        }
        if self.client_random.is_none() {
            for ev in self.client_scan.push(&bytes) {
                if let TlsEvent::ClientHello(h) = ev {
                    self.client_random = Some(h.random);
                }
            }
        }
        self.flights_sent += 1;
        let more_than_one = bytes.len() > fragment_size;
        let data = self.tx.start(bytes, fragment_size, PEAP_VERSION);
        Step::Respond {
            data,
            sent: if more_than_one {
                SentMessage::TlsFragment
            } else {
                sent
            },
        }
    }

    fn scan_server(&mut self, message: &[u8]) {
        if self.server_random.is_some() {
            return;
        }
        for ev in self.server_scan.push(message) {
            if let TlsEvent::ServerHello(h) = ev {
                self.server_random = Some(h.random);
                self.chosen = Some((TlsVersion(h.version()), h.cipher_suite));
            }
        }
    }

    fn message(&mut self, ctx: &mut Ctx<'_>, id: u8, message: &[u8]) -> Step {
        if self.state == State::ExpectServerFlight {
            self.scan_server(message);
        }
        let Some(tls) = self.tls.as_mut() else {
            return fail(
                self.phase(),
                Cause::Protocol(ProtocolViolation::Unexpected("TLS data before Start")),
            );
        };
        if let Err(e) = tls.receive(message) {
            return self.tls_failure(ctx, e);
        }
        let mut sent = SentMessage::TlsClientFinished;
        if self.state == State::ExpectServerFlight && !tls.is_handshaking() {
            if let Err(step) = self.tunnel_up(ctx) {
                return step;
            }
            sent = SentMessage::TlsAck;
        }
        let tls = self.tls.as_mut().expect("set at start");
        if self.state == State::Tunnel {
            let mut plaintext = Vec::new();
            if let Err(e) = tls.read_plaintext(&mut plaintext) {
                return self.tls_failure(ctx, e);
            }
            if !plaintext.is_empty() {
                let keys = self.keys.as_ref().expect("exported at tunnel-up");
                match self.phase2.process(ctx, keys, &plaintext, id) {
                    Step::Respond { data, sent: inner } => {
                        if let Err(e) = tls.send_plaintext(&data) {
                            return self.tls_failure(ctx, e);
                        }
                        sent = inner;
                    }
                    Step::Discard => return Step::Discard,
                    Step::Fail { data, diagnosis } => {
                        let last = data.and_then(|(d, s)| {
                            tls.send_plaintext(&d).ok()?;
                            let mut out = Vec::new();
                            tls.take_outgoing(&mut out);
                            Some((
                                self.tx.start(out, ctx.config.fragment_size, PEAP_VERSION),
                                s,
                            ))
                        });
                        return Step::Fail {
                            data: last,
                            diagnosis,
                        };
                    }
                }
            }
        }
        let mut out = Vec::new();
        self.tls
            .as_mut()
            .expect("set at start")
            .take_outgoing(&mut out);
        self.send(out, ctx.config.fragment_size, sent)
    }

    /// The handshake finished: check the verdict, export keys, announce the tunnel.
    fn tunnel_up(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Step> {
        let tls = self.tls.as_ref().expect("set at start");
        let validated = match tls.server_certificate() {
            Some((certificate, validated)) => {
                ctx.emit(Event::ServerCertificate {
                    certificate,
                    validated,
                });
                if let Some(floor) = tls.clockless_floor() {
                    ctx.emit(Event::CertificateDatesNotChecked { floor });
                }
                validated
            }
            None => false,
        };
        if !validated && ctx.config.tls.validates_server() {
            // Defence in depth: a connector that validates must not finish a handshake with
            // an unvalidated server.
            return Err(fail(
                Phase::ServerValidation,
                Cause::CertificateRejected {
                    problem: crate::diagnosis::CertificateProblem::UnknownIssuer,
                    certificate: None,
                },
            ));
        }
        let (version, suite) = tls.negotiated().unwrap_or((TlsVersion::TLS12, 0));
        self.chosen = Some((version, suite));
        let keys = TunnelKeys::export(
            tls.as_ref(),
            version,
            self.client_random,
            self.server_random,
        )
        .map_err(|e| self.tls_failure(ctx, e))?;
        self.keys = Some(keys);
        self.state = State::Tunnel;
        ctx.emit(Event::TunnelUp {
            version,
            cipher_suite: suite,
        });
        Ok(())
    }

    /// Ends on a TLS failure, sending the alert the TLS library queued (if any).
    fn tls_failure(&mut self, ctx: &mut Ctx<'_>, failure: TlsFailure) -> Step {
        let (phase, cause) = match failure {
            TlsFailure::AlertReceived(alert) => (
                Phase::TlsHandshake,
                Cause::TlsAlert {
                    alert,
                    offered: ctx.config.tls.offer(),
                    chosen: self.chosen,
                },
            ),
            TlsFailure::Certificate {
                problem,
                certificate,
            } => {
                if let Some(c) = &certificate {
                    ctx.emit(Event::ServerCertificate {
                        certificate: c.clone(),
                        validated: false,
                    });
                }
                if let Some(floor) = self.tls.as_ref().and_then(|t| t.clockless_floor()) {
                    ctx.emit(Event::CertificateDatesNotChecked { floor });
                }
                (
                    Phase::ServerValidation,
                    Cause::CertificateRejected {
                        problem,
                        certificate,
                    },
                )
            }
            TlsFailure::Protocol(e) => (Phase::TlsHandshake, Cause::Tls(e)),
        };
        let mut alert = Vec::new();
        if let Some(tls) = self.tls.as_mut() {
            tls.take_outgoing(&mut alert);
        }
        let data = (!alert.is_empty()).then(|| {
            (
                self.tx.start(alert, ctx.config.fragment_size, PEAP_VERSION),
                SentMessage::TlsAlert,
            )
        });
        Step::Fail {
            data,
            diagnosis: Diagnosis::new(phase, cause),
        }
    }
}
