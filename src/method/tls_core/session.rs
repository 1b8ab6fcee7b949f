//! One TLS connection of an EAP method: EAP-TLS framing with fragments both ways and the
//! reassembly cap ([RFC 5216 §2.1.5, §3](https://www.rfc-editor.org/rfc/rfc5216#section-3)),
//! the handshake through the [`TlsTunnel`], the handshake's facts as the wire shows them
//! (the randoms, the version and suite the ServerHello chose), the server certificate
//! verdict at the end of the handshake, key export, and TLS failures turned into causes.

use super::fragment::{Outbound, Reassembly};
use super::keys::{HandshakeFacts, TunnelKeys};
use crate::config::Config;
use crate::diagnosis::{Cause, Diagnosis, Phase, ProtocolViolation, SentMessage};
use crate::event::Event;
use crate::method::{Ctx, Step};
use crate::method_type::MethodType;
use crate::tls::{CertificateProblem, TlsErrorKind, TlsFailure, TlsTunnel, TlsVersion};
use crate::wire::tls_frame::TlsFrame;
use crate::wire::tls_record::{TlsEvent, TlsScanner, client_hello_random};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::ControlFlow;
use zeroize::Zeroizing;

/// What a finished handshake negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Negotiated {
    pub(crate) version: TlsVersion,
    pub(crate) suite: u16,
    /// An earlier session was resumed ([`TlsTunnel::resumed`]): the only case in which a
    /// method may skip its inner authentication.
    pub(crate) resumed: bool,
    /// The key exchange group ([`TlsTunnel::key_exchange`]).
    pub(crate) key_exchange: Option<u16>,
}

impl Negotiated {
    /// The event that says the tunnel is up (once the keys are exported).
    pub(crate) fn tunnel_up(&self) -> Event {
        Event::TunnelUp {
            version: self.version,
            cipher_suite: self.suite,
            resumed: self.resumed,
            key_exchange: self.key_exchange,
        }
    }
}

/// How far the hellos got.
#[derive(Debug)]
enum Hello {
    /// Nothing sent yet (a TLS library may hold its ClientHello until the first flush).
    Unsent,
    /// Our ClientHello went out with this random; the scanner reads the ServerHello.
    Sent {
        client_random: [u8; 32],
        scanner: TlsScanner,
    },
    /// The ServerHello was read.
    Read(HandshakeFacts),
    /// Our first flight did not start with a ClientHello record we could read: the
    /// handshake may go on, but no TLS 1.2 Session-Id can be made (the export says so).
    Unreadable,
}

/// One TLS connection of an EAP method, with its fragment buffers.
pub(crate) struct TlsSession {
    /// The version bits of the flags octet this method sends.
    version: u8,
    /// Requests after the Start must carry `version` (PEAP) or may carry any (EAP-TLS and
    /// TTLS, whose bits are reserved).
    strict_version: bool,
    tls: Box<dyn TlsTunnel>,
    rx: Reassembly,
    tx: Outbound,
    hello: Hello,
    flights_sent: u32,
    /// The Outer TLVs of the server's Start (TEAP; empty for the other methods).
    server_outer_tlvs: Vec<u8>,
}

impl core::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsSession")
            .field("chosen", &self.chosen())
            .field("flights_sent", &self.flights_sent)
            .finish_non_exhaustive()
    }
}

/// A step that ends the authentication with `cause`, sending nothing.
// Cold and not inlined: a `Diagnosis` built in place would sit in every caller's frame.
#[cold]
#[inline(never)]
pub(crate) fn fail(phase: Phase, cause: Cause) -> Step {
    Step::Fail {
        data: None,
        diagnosis: Box::new(Diagnosis::new(phase, cause)),
    }
}

/// The frame of a TLS method's request ([RFC 5216 §3.1](https://www.rfc-editor.org/rfc/rfc5216#section-3.1));
/// one that does not parse ends the authentication, naming `what` it was.
pub(crate) fn parse_frame<'a>(
    data: &'a [u8],
    what: &'static str,
    phase: Phase,
) -> Result<TlsFrame<'a>, Step> {
    TlsFrame::parse(data).map_err(|error| {
        fail(
            phase,
            Cause::Protocol(ProtocolViolation::Malformed { what, error }),
        )
    })
}

/// Checks the method's first request: a Start, and only the flags octet (RFC 5216 §3.1,
/// [MS-PEAP] 2.2, RFC 5281 §9.1); anything else under the S flag is malformed.
/// `not_start` names a first request without the flag.
pub(crate) fn check_start(frame: &TlsFrame<'_>, not_start: &'static str) -> Result<(), Step> {
    if !frame.start {
        return Err(fail(
            Phase::MethodNegotiation,
            Cause::Protocol(ProtocolViolation::Unexpected(not_start)),
        ));
    }
    let length_flag = frame.message_length.is_some();
    if length_flag || frame.more || !frame.data.is_empty() {
        return Err(fail(
            Phase::MethodNegotiation,
            Cause::Protocol(ProtocolViolation::MalformedStart {
                length_flag,
                more_flag: frame.more,
                data_len: frame.data.len(),
            }),
        ));
    }
    Ok(())
}

/// The phase and cause of a TLS failure (emitting the certificate events it carries).
fn cause_of(
    ctx: &mut Ctx<'_>,
    failure: TlsFailure,
    chosen: Option<(TlsVersion, u16)>,
    clockless_floor: Option<i64>,
) -> (Phase, Cause) {
    match failure {
        TlsFailure::AlertReceived(alert) => (
            Phase::TlsHandshake,
            Cause::TlsAlert {
                alert,
                offered: ctx.config.tls.offer(),
                chosen,
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
            if let Some(floor) = clockless_floor {
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
        // A broken entropy source is ours, whenever rustls asks it (the ClientHello's
        // random and key share at the start, a TLS 1.2 key exchange later): the same
        // cause as MSCHAPv2's challenge, with no hint about the server.
        TlsFailure::Protocol(e) if e.kind == TlsErrorKind::Random => {
            (Phase::TlsHandshake, Cause::RandomFailure)
        }
        TlsFailure::Protocol(e) => (Phase::TlsHandshake, Cause::Tls(e)),
    }
}

impl TlsSession {
    /// Starts a connection of `method` (after its Start) and returns it with the first
    /// fragment of our ClientHello. `version` is the flags octet's version bits we send;
    /// `strict_version` makes other bits in a later request a violation (PEAP).
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        method: MethodType,
        version: u8,
        strict_version: bool,
        server_outer_tlvs: Vec<u8>,
    ) -> Result<(Self, Step), Step> {
        let tls = ctx.config.tls.connect(method).map_err(|e| {
            let (phase, cause) = cause_of(ctx, e, None, None);
            fail(phase, cause)
        })?;
        let mut session = TlsSession {
            version,
            strict_version,
            tls,
            rx: Reassembly::default(),
            tx: Outbound::default(),
            hello: Hello::Unsent,
            flights_sent: 0,
            server_outer_tlvs,
        };
        let step = session.flush(ctx.config, SentMessage::ClientHello);
        Ok((session, step))
    }

    /// The Outer TLVs of the server's Start (TEAP's crypto-binding covers them).
    pub(crate) fn server_outer_tlvs(&self) -> &[u8] {
        &self.server_outer_tlvs
    }

    /// The tunnel, for a method's own exports (TTLS's MSCHAPv2 challenge).
    pub(crate) fn tunnel(&self) -> &dyn TlsTunnel {
        self.tls.as_ref()
    }

    /// The version and suite the ServerHello chose, once read.
    fn chosen(&self) -> Option<(TlsVersion, u16)> {
        match &self.hello {
            Hello::Read(facts) => Some((facts.version, facts.suite)),
            Hello::Unsent | Hello::Sent { .. } | Hello::Unreadable => None,
        }
    }

    /// Explains an EAP-Failure during the handshake: right after our ClientHello, before
    /// the server chose anything, it refused what we offered.
    pub(crate) fn handshake_failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        if self.chosen().is_none() && self.flights_sent <= 1 {
            Cause::HandshakeRejected {
                offered: config.tls.offer(),
            }
        } else {
            Cause::FailureWithoutReason { after: last_sent }
        }
    }

    /// True while fragments of our last message wait for the server's ACKs.
    pub(crate) fn sending(&self) -> bool {
        self.tx.pending()
    }

    /// How many of our flights went out (the ClientHello is the first).
    pub(crate) fn flights_sent(&self) -> u32 {
        self.flights_sent
    }

    /// An empty frame of this method: the ACK of a fragment.
    pub(crate) fn ack(&self, sent: SentMessage) -> Step {
        Step::Respond {
            data: TlsFrame::data(self.version, &[]).to_vec(),
            sent,
        }
    }

    /// A request after the Start: a second Start is a violation, and so are other version
    /// bits than ours when the method checks them (PEAP); then the ACK of our pending
    /// fragment, or one fragment of the server's message, and a whole message goes to the
    /// tunnel. `Continue` once the tunnel took a whole message; `Break` with the step that
    /// answers anything else (an ACK, our next fragment, a failure).
    pub(crate) fn framing(
        &mut self,
        ctx: &mut Ctx<'_>,
        frame: &TlsFrame<'_>,
        phase: Phase,
    ) -> ControlFlow<Step> {
        if frame.start {
            return ControlFlow::Break(fail(
                phase,
                Cause::Protocol(ProtocolViolation::UnexpectedStart {
                    handshake_complete: !self.is_handshaking(),
                }),
            ));
        }
        if self.strict_version && frame.version != self.version {
            return ControlFlow::Break(fail(
                phase,
                Cause::Protocol(ProtocolViolation::PeapVersion(frame.version)),
            ));
        }
        let message = self.inbound(frame, ctx.config, phase)?;
        match self.receive(ctx, &message) {
            Ok(()) => ControlFlow::Continue(()),
            Err(step) => ControlFlow::Break(step),
        }
    }

    /// The framing of one request (already checked for Start and version): the ACK of our
    /// pending fragment, or one fragment of the server's message. `Continue` with a whole
    /// message (lent by the frame when it came in one); `Break` with the answer otherwise.
    fn inbound<'a>(
        &mut self,
        frame: &TlsFrame<'a>,
        config: &Config,
        phase: Phase,
    ) -> ControlFlow<Step, Cow<'a, [u8]>> {
        if self.tx.pending() {
            if !frame.data.is_empty() || frame.more {
                return ControlFlow::Break(fail(
                    phase,
                    Cause::Protocol(ProtocolViolation::UnexpectedData),
                ));
            }
            return ControlFlow::Break(Step::Respond {
                data: self.tx.next(config.fragment_size, self.version),
                sent: SentMessage::TlsFragment,
            });
        }
        match self.rx.push(frame, config.limits.reassembly_cap) {
            Ok(Some(m)) if !m.is_empty() => ControlFlow::Continue(m),
            // An empty request outside fragmentation: answer in kind. Repeated, the round
            // limit ends it.
            Ok(_) => ControlFlow::Break(self.ack(SentMessage::TlsAck)),
            Err(v) => ControlFlow::Break(fail(phase, Cause::Protocol(v))),
        }
    }

    /// Feeds a whole server message to the tunnel (reading the ServerHello on the way).
    fn receive(&mut self, ctx: &mut Ctx<'_>, message: &[u8]) -> Result<(), Step> {
        if let Hello::Sent {
            client_random,
            scanner,
        } = &mut self.hello
        {
            if let Some(TlsEvent::ServerHello(h)) = scanner.first_hello(message) {
                self.hello = Hello::Read(HandshakeFacts {
                    client_random: *client_random,
                    server_random: h.random,
                    version: TlsVersion(h.version()),
                    suite: h.cipher_suite,
                });
            }
        }
        self.tls.receive(message).map_err(|e| self.failure(ctx, e))
    }

    /// One request during the handshake: its frame reassembled and fed to TLS, then our
    /// next flight. `Break` with the step to answer with (an ACK, our flight, or a
    /// failure); `Continue` once the handshake completed on our side.
    pub(crate) fn advance_handshake(
        &mut self,
        ctx: &mut Ctx<'_>,
        frame: &TlsFrame<'_>,
        phase: Phase,
    ) -> ControlFlow<Step> {
        self.framing(ctx, frame, phase)?;
        if self.is_handshaking() {
            return ControlFlow::Break(self.flush(ctx.config, SentMessage::TlsClientFinished));
        }
        ControlFlow::Continue(())
    }

    /// True until the handshake has completed.
    pub(crate) fn is_handshaking(&self) -> bool {
        self.tls.is_handshaking()
    }

    /// The handshake finished: announces the certificate verdict and refuses an
    /// unvalidated server (defence in depth: a connector that validates must not finish a
    /// handshake with one). Returns what was negotiated. A resumed handshake carries no
    /// certificate: the one reported is the one validated when the session was made.
    pub(crate) fn handshake_done(&mut self, ctx: &mut Ctx<'_>) -> Result<Negotiated, Step> {
        let validated = match self.tls.server_certificate() {
            Some((certificate, validated)) => {
                ctx.emit(Event::ServerCertificate {
                    certificate,
                    validated,
                });
                if let Some(floor) = self.tls.clockless_floor() {
                    ctx.emit(Event::CertificateDatesNotChecked { floor });
                }
                validated
            }
            None => false,
        };
        if !validated && ctx.config.tls.validates_server() {
            return Err(fail(
                Phase::ServerValidation,
                Cause::CertificateRejected {
                    problem: CertificateProblem::UnknownIssuer,
                    certificate: None,
                },
            ));
        }
        let (version, suite) = self.tls.negotiated().unwrap_or((TlsVersion::TLS12, 0));
        Ok(Negotiated {
            version,
            suite,
            resumed: self.tls.resumed(),
            key_exchange: self.tls.key_exchange(),
        })
    }

    /// Exports the tunnel's keys ([`TunnelKeys::export`]): with TLS 1.2 the Session-Id
    /// needs both randoms, so a handshake whose ServerHello or ClientHello was not read
    /// fails here rather than yielding an empty Session-Id.
    pub(crate) fn export_keys(
        &self,
        version: TlsVersion,
        method: MethodType,
        tls12_label: &[u8],
    ) -> Result<TunnelKeys, TlsFailure> {
        let facts = match &self.hello {
            Hello::Read(facts) => Some(facts),
            Hello::Unsent | Hello::Sent { .. } | Hello::Unreadable => None,
        };
        TunnelKeys::export(
            self.tls.as_ref(),
            version,
            facts,
            method.type_octet(),
            tls12_label,
        )
    }

    /// Decrypted application data received so far.
    pub(crate) fn read_plaintext(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Step> {
        let mut plaintext = Vec::new();
        self.tls
            .read_plaintext(&mut plaintext)
            .map_err(|e| self.failure(ctx, e))?;
        Ok(plaintext)
    }

    /// Encrypts application data (sent with the next flight).
    pub(crate) fn send_plaintext(&mut self, ctx: &mut Ctx<'_>, data: &[u8]) -> Result<(), Step> {
        self.tls
            .send_plaintext(data)
            .map_err(|e| self.failure(ctx, e))
    }

    /// A phase-2 step through the tunnel: its plaintext encrypted (none: just our flight,
    /// e.g. an empty TTLS response) and sent, its last words on a failure. The plaintext may
    /// hold a password (PAP, GTC, Basic-Password-Auth): wiped once encrypted.
    pub(crate) fn answer(&mut self, ctx: &mut Ctx<'_>, step: Step) -> Step {
        match step {
            Step::Respond { data, sent } => {
                let data = Zeroizing::new(data);
                if !data.is_empty() {
                    if let Err(step) = self.send_plaintext(ctx, &data) {
                        return step;
                    }
                }
                self.flush(ctx.config, sent)
            }
            Step::Discard => Step::Discard,
            Step::Wait => Step::Wait,
            Step::Fail { data, diagnosis } => Step::Fail {
                data: self.last_words(ctx.config, data),
                diagnosis,
            },
        }
    }

    /// Sends what the tunnel has queued (an ACK when nothing), labelled `sent`.
    pub(crate) fn flush(&mut self, config: &Config, sent: SentMessage) -> Step {
        let mut out = Vec::new();
        self.tls.take_outgoing(&mut out);
        self.send(out, config.fragment_size, sent)
    }

    /// The last words of a failure decided inside the tunnel: `data` encrypted and its
    /// first fragment, if the tunnel can still carry it.
    pub(crate) fn last_words(
        &mut self,
        config: &Config,
        data: Option<(Vec<u8>, SentMessage)>,
    ) -> Option<(Vec<u8>, SentMessage)> {
        let (plaintext, sent) = data?;
        self.tls.send_plaintext(&plaintext).ok()?;
        let mut out = Vec::new();
        self.tls.take_outgoing(&mut out);
        Some((self.tx.start(out, config.fragment_size, self.version), sent))
    }

    /// Queues an outgoing TLS message and returns the first fragment.
    fn send(&mut self, bytes: Vec<u8>, fragment_size: usize, sent: SentMessage) -> Step {
        if bytes.is_empty() {
            return self.ack(SentMessage::TlsAck);
        }
        if let Hello::Unsent = self.hello {
            // Our ClientHello: the first flight, its first record.
            self.hello = match client_hello_random(&bytes) {
                Some(client_random) => Hello::Sent {
                    client_random,
                    scanner: TlsScanner::new(),
                },
                None => Hello::Unreadable,
            };
        }
        self.flights_sent += 1;
        let more_than_one = bytes.len() > fragment_size;
        let data = self.tx.start(bytes, fragment_size, self.version);
        Step::Respond {
            data,
            sent: if more_than_one {
                SentMessage::TlsFragment
            } else {
                sent
            },
        }
    }

    /// Ends on a TLS failure, sending the alert the TLS library queued (if any).
    pub(crate) fn failure(&mut self, ctx: &mut Ctx<'_>, failure: TlsFailure) -> Step {
        let (phase, cause) = cause_of(ctx, failure, self.chosen(), self.tls.clockless_floor());
        let mut alert = Vec::new();
        self.tls.take_outgoing(&mut alert);
        let data = (!alert.is_empty()).then(|| {
            (
                self.tx.start(alert, ctx.config.fragment_size, self.version),
                SentMessage::TlsAlert,
            )
        });
        Step::Fail {
            data,
            diagnosis: Box::new(Diagnosis::new(phase, cause)),
        }
    }
}
