//! The TLS part that every TLS-based method shares (PEAP today; EAP-TLS and EAP-TTLS use
//! the same): EAP-TLS framing with fragments both ways and the reassembly cap
//! ([RFC 5216 §2.1.5, §3](https://www.rfc-editor.org/rfc/rfc5216#section-3)), the handshake
//! through the [`TlsTunnel`], the randoms and parameters seen on the wire, the server
//! certificate verdict at the end of the handshake, and TLS failures turned into causes.
//!
//! A method owns one [`TlsSession`] from the moment it answers the Start; it only exists
//! while a tunnel does, so nothing here is optional.

pub(crate) mod fragment;
pub(crate) mod keys;

use self::fragment::{Outbound, Reassembly};
use super::{Ctx, Step};
use crate::config::Config;
use crate::diagnosis::SentMessage;
use crate::diagnosis::{Cause, Diagnosis, Phase, ProtocolViolation};
use crate::event::Event;
use crate::tls::CertificateProblem;
use crate::tls::{TlsErrorKind, TlsFailure, TlsTunnel, TlsVersion};
use crate::wire::eap::MethodType;
use crate::wire::tls_frame::TlsFrame;
use crate::wire::tls_record::{TlsEvent, TlsScanner, client_hello_random};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The TLS 1.3 server's protected success indication: one octet 0x00 of application data
/// ([RFC 9190 §2.5](https://www.rfc-editor.org/rfc/rfc9190#section-2.5)).
pub(crate) const PROTECTED_SUCCESS: &[u8] = &[0x00];

/// What an inbound frame amounts to.
pub(crate) enum Inbound<'a> {
    /// Answer with this (an ACK, our next fragment, or a failure).
    Step(Step),
    /// A whole TLS message from the server (lent by the frame when it came in one).
    Message(Cow<'a, [u8]>),
}

/// What a finished handshake negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Negotiated {
    pub(crate) version: TlsVersion,
    pub(crate) suite: u16,
    /// An earlier session was resumed ([`TlsTunnel::resumed`]): the only case in which a
    /// method may skip its inner authentication.
    pub(crate) resumed: bool,
}

impl Negotiated {
    /// The event that says the tunnel is up (once the keys are exported).
    pub(crate) fn tunnel_up(&self) -> Event {
        Event::TunnelUp {
            version: self.version,
            cipher_suite: self.suite,
            resumed: self.resumed,
        }
    }
}

/// One TLS connection of an EAP method, with its fragment buffers.
pub(crate) struct TlsSession {
    /// The version bits of the flags octet this method sends.
    version: u8,
    tls: Box<dyn TlsTunnel>,
    rx: Reassembly,
    tx: Outbound,
    /// Reads the ServerHello; dropped once read.
    server_scan: Option<TlsScanner>,
    client_random: Option<[u8; 32]>,
    server_random: Option<[u8; 32]>,
    chosen: Option<(TlsVersion, u16)>,
    flights_sent: u32,
}

impl core::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsSession")
            .field("chosen", &self.chosen)
            .field("flights_sent", &self.flights_sent)
            .finish_non_exhaustive()
    }
}

/// A step that ends the authentication with `cause`, sending nothing.
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

/// The TLS connection that could not start, as a failure.
pub(crate) fn connect_failure(ctx: &mut Ctx<'_>, failure: TlsFailure) -> Step {
    let (phase, cause) = cause_of(ctx, failure, None, None);
    fail(phase, cause)
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
    /// Starts a connection (after the method's Start) and returns it with the first
    /// fragment of our ClientHello.
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        method: MethodType,
        version: u8,
    ) -> Result<(Self, Step), Step> {
        let tls = ctx
            .config
            .tls
            .connect(method)
            .map_err(|e| connect_failure(ctx, e))?;
        let mut session = TlsSession {
            version,
            tls,
            rx: Reassembly::default(),
            tx: Outbound::default(),
            server_scan: Some(TlsScanner::new()),
            client_random: None,
            server_random: None,
            chosen: None,
            flights_sent: 0,
        };
        let mut hello = Vec::new();
        session.tls.take_outgoing(&mut hello);
        let step = session.send(hello, ctx.config.fragment_size, SentMessage::ClientHello);
        Ok((session, step))
    }

    /// The tunnel, for the method's key export.
    pub(crate) fn tunnel(&self) -> &dyn TlsTunnel {
        self.tls.as_ref()
    }

    /// Our ClientHello's and the ServerHello's randoms (TLS 1.2 Session-Ids).
    pub(crate) fn randoms(&self) -> (Option<[u8; 32]>, Option<[u8; 32]>) {
        (self.client_random, self.server_random)
    }

    /// Explains an EAP-Failure during the handshake: right after our ClientHello, before
    /// the server chose anything, it refused what we offered.
    pub(crate) fn handshake_failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        if self.chosen.is_none() && self.flights_sent <= 1 {
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
    /// bits than `version` when the method checks them (PEAP); then the framing of
    /// [`TlsSession::inbound`], and a whole server message goes to the tunnel. `Err`
    /// carries the step that answers anything else (an ACK, our next fragment, a failure).
    pub(crate) fn framing(
        &mut self,
        ctx: &mut Ctx<'_>,
        frame: &TlsFrame<'_>,
        phase: Phase,
        version: Option<u8>,
    ) -> Result<(), Step> {
        if frame.start {
            return Err(fail(
                phase,
                Cause::Protocol(ProtocolViolation::UnexpectedStart {
                    handshake_complete: !self.is_handshaking(),
                }),
            ));
        }
        if version.is_some_and(|v| v != frame.version) {
            return Err(fail(
                phase,
                Cause::Protocol(ProtocolViolation::PeapVersion(frame.version)),
            ));
        }
        match self.inbound(frame, ctx.config, phase) {
            Inbound::Step(step) => Err(step),
            Inbound::Message(m) => self.receive(ctx, &m),
        }
    }

    /// Handles the framing of one request (already checked for Start and version by the
    /// method): the ACK of our pending fragment, or one fragment of the server's message.
    pub(crate) fn inbound<'a>(
        &mut self,
        frame: &TlsFrame<'a>,
        config: &Config,
        phase: Phase,
    ) -> Inbound<'a> {
        if self.tx.pending() {
            if !frame.data.is_empty() || frame.more {
                return Inbound::Step(fail(
                    phase,
                    Cause::Protocol(ProtocolViolation::UnexpectedData),
                ));
            }
            return Inbound::Step(Step::Respond {
                data: self.tx.next(config.fragment_size, self.version),
                sent: SentMessage::TlsFragment,
            });
        }
        match self.rx.push(frame, config.limits.reassembly_cap) {
            Ok(Some(m)) if !m.is_empty() => Inbound::Message(m),
            // An empty request outside fragmentation: answer in kind. Repeated, the round
            // limit ends it.
            Ok(_) => Inbound::Step(self.ack(SentMessage::TlsAck)),
            Err(v) => Inbound::Step(fail(phase, Cause::Protocol(v))),
        }
    }

    /// Feeds a whole server message to the tunnel (reading the ServerHello on the way).
    pub(crate) fn receive(&mut self, ctx: &mut Ctx<'_>, message: &[u8]) -> Result<(), Step> {
        if let Some(scanner) = self.server_scan.as_mut() {
            if let Some(TlsEvent::ServerHello(h)) = scanner.first_hello(message) {
                self.server_random = Some(h.random);
                self.chosen = Some((TlsVersion(h.version()), h.cipher_suite));
                self.server_scan = None;
            }
        }
        self.tls.receive(message).map_err(|e| self.failure(ctx, e))
    }

    /// One request during the handshake: its frame reassembled and fed to TLS, then our
    /// next flight. `Err` is the step to answer with (an ACK, our flight, or a failure);
    /// `Ok(())` means the handshake completed on our side.
    pub(crate) fn advance_handshake(
        &mut self,
        ctx: &mut Ctx<'_>,
        frame: &TlsFrame<'_>,
        phase: Phase,
        version: Option<u8>,
    ) -> Result<(), Step> {
        self.framing(ctx, frame, phase, version)?;
        if self.is_handshaking() {
            return Err(self.flush(ctx.config, SentMessage::TlsClientFinished));
        }
        Ok(())
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
        self.chosen = Some((version, suite));
        Ok(Negotiated {
            version,
            suite,
            resumed: self.tls.resumed(),
        })
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
        if self.client_random.is_none() {
            // Our ClientHello: the first flight, its first record.
            self.client_random = client_hello_random(&bytes);
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
        let (phase, cause) = cause_of(ctx, failure, self.chosen, self.tls.clockless_floor());
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
