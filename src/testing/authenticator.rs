//! The server side: outer EAP, PEAP Start and version negotiation, the TLS handshake on a
//! rustls unbuffered server connection with fragmentation both ways, then phase 2
//! ([`super::inner`]).

use super::inner::{InnerAction, InnerServer};
use super::server_tls::ServerTls;
use super::teap::TeapServer;
use super::ttls::TtlsServer;
use super::{AuthenticatorConfig, EarlySuccess, ServerOutcome};
use crate::method_type::MethodType;
use crate::wire::eap::{Code, Eap};
use crate::wire::tls_frame::TlsFrame;
use alloc::vec;
use alloc::vec::Vec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Notification,
    Identity,
    Proposed,
    PeapStart,
    Handshake,
    AwaitFinishAck,
    Phase2,
    Done,
}

/// A sans-IO PEAPv0 / EAP-TLS / EAP-TTLS authenticator: feed it the peer's EAP responses,
/// send what it returns.
pub struct Authenticator {
    config: AuthenticatorConfig,
    stage: Stage,
    id: u8,
    last_request: Option<Vec<u8>>,
    tls: Option<ServerTls>,
    version: u8,
    tx: Vec<u8>,
    tx_pos: usize,
    rx: Vec<u8>,
    responses: usize,
    inner_sent: usize,
    inner: InnerServer,
    ttls: TtlsServer,
    teap: TeapServer,
    outcome: Option<ServerOutcome>,
}

impl core::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authenticator")
            .field("stage", &self.stage)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// A server that has not sent anything yet.
    pub fn new(config: AuthenticatorConfig) -> Self {
        Authenticator {
            inner: InnerServer::new(&config),
            ttls: TtlsServer::new(),
            teap: TeapServer::new(),
            config,
            stage: Stage::Identity,
            id: 0,
            last_request: None,
            tls: None,
            version: 0,
            tx: Vec::new(),
            tx_pos: 0,
            rx: Vec::new(),
            responses: 0,
            inner_sent: 0,
            outcome: None,
        }
    }

    /// The first request(s): an optional Notification, then EAP-Request/Identity.
    pub fn start(&mut self) -> Vec<Vec<u8>> {
        if let Some(text) = self.config.knobs.notification.clone() {
            self.stage = Stage::Notification;
            return vec![self.request(MethodType::Notification, text.as_bytes())];
        }
        self.stage = Stage::Identity;
        vec![self.request(MethodType::Identity, &[])]
    }

    /// The last request sent, to retransmit on silence (RFC 3748 §4.1).
    pub fn last_request(&self) -> Option<&[u8]> {
        if self.stage == Stage::Done {
            None
        } else {
            self.last_request.as_deref()
        }
    }

    /// How the server ended, once it has.
    pub fn outcome(&self) -> Option<&ServerOutcome> {
        self.outcome.as_ref()
    }

    /// The password a Change-Password set (knob `expired`; PEAP or TTLS/EAP-MSCHAPv2),
    /// once the server accepted it.
    pub fn changed_password(&self) -> Option<&str> {
        self.inner
            .changed_password()
            .or(self.ttls.changed_password())
    }

    /// True once phase 1 is over on the server's side (the tunnel carries phase 2).
    pub fn is_tunnel_up(&self) -> bool {
        self.stage == Stage::Phase2
    }

    /// The Identifier of the last request sent.
    pub fn last_identifier(&self) -> u8 {
        self.id
    }

    /// Adversarial use: a request of any method and Type-Data, with the next Identifier
    /// (it becomes the request the server retransmits).
    pub fn raw_request(&mut self, method: MethodType, data: &[u8]) -> Vec<u8> {
        self.request(method, data)
    }

    /// Adversarial use: `plaintext` sent through the TLS tunnel as a PEAP request (the
    /// first fragment; later ones go out as the peer ACKs). Empty before the tunnel is up.
    pub fn tunnel_request(&mut self, plaintext: &[u8]) -> Vec<Vec<u8>> {
        if self.tls.is_none() {
            return Vec::new();
        }
        self.stage = Stage::Phase2;
        self.send_inner(plaintext.to_vec())
    }

    /// Adversarial use: raw TLS records (already framed by the caller, e.g. a handshake
    /// message in clear) sent as a PEAP request.
    pub fn tls_request(&mut self, records: Vec<u8>) -> Vec<Vec<u8>> {
        self.send_tls(records)
    }

    /// Adversarial use: asks the server's TLS to renegotiate inside the tunnel (TLS 1.2:
    /// rustls servers never do; this sends a HelloRequest record in clear, which a client
    /// in an established session must refuse) and returns it as a PEAP request.
    pub fn hello_request(&mut self) -> Vec<Vec<u8>> {
        // HelloRequest: handshake type 0, empty body, in a plaintext handshake record.
        self.send_tls(vec![22, 3, 3, 0, 4, 0, 0, 0, 0])
    }

    fn request(&mut self, method: MethodType, data: &[u8]) -> Vec<u8> {
        self.id = self.id.wrapping_add(1);
        let p = Eap::request(self.id, method, data).to_vec();
        self.last_request = Some(p.clone());
        p
    }

    fn finish(&mut self, outcome: ServerOutcome, id_offset: u8) -> Vec<u8> {
        let code = match outcome {
            ServerOutcome::Accept(_) => Code::Success,
            ServerOutcome::Reject => Code::Failure,
        };
        self.outcome = Some(outcome);
        self.stage = Stage::Done;
        Eap::bare(code, self.id.wrapping_add(id_offset)).to_vec()
    }

    fn reject(&mut self) -> Vec<Vec<u8>> {
        vec![self.finish(ServerOutcome::Reject, 0)]
    }

    fn peap_version(&self) -> u8 {
        self.config
            .knobs
            .insist_peap_version
            .unwrap_or(self.version)
    }

    /// Sends `bytes` as a PEAP message, fragmented at the configured size.
    fn send_tls(&mut self, bytes: Vec<u8>) -> Vec<Vec<u8>> {
        self.tx = bytes;
        self.tx_pos = 0;
        vec![self.next_fragment()]
    }

    fn next_fragment(&mut self) -> Vec<u8> {
        let size = self.config.fragment_size;
        let first = self.tx_pos == 0;
        let end = (self.tx_pos + size).min(self.tx.len());
        let more = end < self.tx.len();
        let frame = TlsFrame {
            more,
            start: false,
            reserved: 0,
            version: self.peap_version(),
            message_length: (first && more).then_some(self.tx.len() as u32),
            data: &self.tx[self.tx_pos..end],
        }
        .to_vec();
        self.tx_pos = end;
        if !more {
            self.tx.clear();
            self.tx_pos = 0;
        }
        self.request(self.config.method, &frame)
    }

    /// Takes one EAP packet from the peer and returns what to send back.
    pub fn handle(&mut self, packet: &[u8]) -> Vec<Vec<u8>> {
        if self.stage == Stage::Done {
            return Vec::new();
        }
        let Ok(eap) = Eap::parse(packet) else {
            return Vec::new();
        };
        if eap.code != Code::Response || eap.identifier != self.id {
            return Vec::new();
        }
        self.responses += 1;
        if self
            .config
            .knobs
            .stop_after
            .is_some_and(|n| self.responses > n)
        {
            return Vec::new();
        }
        let Some((method, data)) = eap.method() else {
            return Vec::new();
        };
        let knobs = self.config.knobs.clone();
        match self.stage {
            Stage::Notification => {
                self.stage = Stage::Identity;
                vec![self.request(MethodType::Identity, &[])]
            }
            Stage::Identity if method == MethodType::Identity => {
                if knobs.reject_identity {
                    return self.reject();
                }
                if knobs.early_success == Some(EarlySuccess::AfterIdentity) {
                    return vec![Eap::bare(Code::Success, self.id).to_vec()];
                }
                if let Some(m) = knobs.propose_first {
                    self.stage = Stage::Proposed;
                    let start = TlsFrame {
                        start: true,
                        ..TlsFrame::data(0, &[])
                    }
                    .to_vec();
                    return vec![self.request(m, &start)];
                }
                self.peap_start()
            }
            Stage::Proposed if method == MethodType::Nak => {
                if knobs.fail_after_nak || !data.contains(&self.config.method.type_octet()) {
                    return self.reject();
                }
                self.peap_start()
            }
            Stage::PeapStart | Stage::Handshake | Stage::AwaitFinishAck | Stage::Phase2
                if method == self.config.method =>
            {
                self.peap(data)
            }
            _ => self.reject(),
        }
    }

    fn peap_start(&mut self) -> Vec<Vec<u8>> {
        self.stage = Stage::PeapStart;
        let tls = ServerTls::new(&self.config.tls).expect("server config");
        self.tls = Some(tls);
        if self.config.method == MethodType::Teap {
            // Version 1, and the O flag: the Outer TLV Length, then Authority-ID.
            let outer = super::teap::outer_tlvs();
            let mut data = (outer.len() as u32).to_be_bytes().to_vec();
            data.extend_from_slice(&outer);
            let start = TlsFrame {
                start: true,
                reserved: crate::wire::teap::FLAG_OUTER_TLVS,
                ..TlsFrame::data(1, &data)
            }
            .to_vec();
            return vec![self.request(MethodType::Teap, &start)];
        }
        let start = TlsFrame {
            start: true,
            ..TlsFrame::data(self.config.knobs.peap_version, &[])
        }
        .to_vec();
        vec![self.request(self.config.method, &start)]
    }

    fn peap(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        let Ok(frame) = TlsFrame::parse(data) else {
            return self.reject();
        };
        if self.stage == Stage::PeapStart {
            self.version = if self.config.method == MethodType::Teap {
                1
            } else {
                frame.version.min(self.config.knobs.peap_version)
            };
            self.stage = Stage::Handshake;
        }
        if !self.tx.is_empty() {
            return if frame.data.is_empty() {
                vec![self.next_fragment()]
            } else {
                self.reject()
            };
        }
        self.rx.extend_from_slice(frame.data);
        if frame.more {
            let ack = TlsFrame::data(self.peap_version(), &[]).to_vec();
            return vec![self.request(self.config.method, &ack)];
        }
        let message = core::mem::take(&mut self.rx);
        if message.is_empty() {
            return match self.stage {
                Stage::Phase2 if self.config.method == MethodType::Ttls => {
                    let tls = self.tls.as_ref().expect("started");
                    let action = self.ttls.empty(tls);
                    self.act(action)
                }
                Stage::AwaitFinishAck => {
                    if self.config.knobs.early_success == Some(EarlySuccess::AfterTunnel) {
                        return vec![Eap::bare(Code::Success, self.id).to_vec()];
                    }
                    if self.config.method == MethodType::Ttls
                        && self.tls.as_ref().is_some_and(ServerTls::resumed)
                    {
                        return self.ttls_resumed();
                    }
                    if self.config.method == MethodType::Tls {
                        return self.eap_tls_success();
                    }
                    self.start_phase2()
                }
                _ => self.reject(),
            };
        }
        let tls = self.tls.as_mut().expect("started");
        if tls.receive(&message).is_err() {
            let mut alert = Vec::new();
            tls.take_outgoing(&mut alert);
            let mut out = Vec::new();
            if !alert.is_empty() {
                out.extend(self.send_tls(alert));
            }
            out.extend(self.reject());
            return out;
        }
        if self.config.method == MethodType::Ttls && !tls.is_handshaking() {
            return self.ttls_message();
        }
        let mut out = Vec::new();
        tls.take_outgoing(&mut out);
        let handshaking = tls.is_handshaking();
        match self.stage {
            Stage::Handshake if handshaking => {
                if self.config.knobs.early_success == Some(EarlySuccess::InHandshake) {
                    return vec![Eap::bare(Code::Success, self.id).to_vec()];
                }
                self.send_tls(out)
            }
            Stage::Handshake if self.config.method == MethodType::Tls => {
                // EAP-TLS: TLS 1.3 commits with one octet 0x00 of application data
                // (RFC 9190 §2.5); TLS 1.2's last message was our Finished.
                if tls.version() == Some(crate::tls::TlsVersion::TLS13)
                    && !self.config.knobs.no_commitment
                {
                    let _ = tls.send_plaintext(&[0x00]);
                    tls.take_outgoing(&mut out);
                }
                if self.config.knobs.early_success == Some(EarlySuccess::AfterTunnel) {
                    return vec![Eap::bare(Code::Success, self.id).to_vec()];
                }
                if out.is_empty() {
                    return self.eap_tls_success();
                }
                self.stage = Stage::AwaitFinishAck;
                self.send_tls(out)
            }
            Stage::Handshake => {
                if out.is_empty() {
                    if self.config.knobs.early_success == Some(EarlySuccess::AfterTunnel) {
                        return vec![Eap::bare(Code::Success, self.id).to_vec()];
                    }
                    self.start_phase2()
                } else {
                    self.stage = Stage::AwaitFinishAck;
                    self.send_tls(out)
                }
            }
            Stage::Phase2 if self.config.method == MethodType::Teap => {
                let mut plain = Vec::new();
                tls.read_plaintext(&mut plain);
                let action = self.teap.handle(&self.config, tls, &plain);
                self.act(action)
            }
            Stage::Phase2 => {
                let mut plain = Vec::new();
                tls.read_plaintext(&mut plain);
                let action = self.inner.handle(&self.config, tls, &plain, self.id);
                self.act(action)
            }
            _ => self.reject(),
        }
    }

    /// EAP-TTLS once our side of the handshake is done: the peer's phase-2 AVPs (with
    /// its TLS 1.3 Finished, or after our TLS 1.2 Finished), or our own last flight.
    fn ttls_message(&mut self) -> Vec<Vec<u8>> {
        let tls = self.tls.as_mut().expect("started");
        let mut plain = Vec::new();
        tls.read_plaintext(&mut plain);
        if plain.is_empty() {
            // TLS 1.2: the peer's Finished; ours goes out, its AVPs come next.
            let mut out = Vec::new();
            tls.take_outgoing(&mut out);
            if out.is_empty() && tls.resumed() && self.stage != Stage::Phase2 {
                // A resumed session: phase 2 is skipped (RFC 5281 §10.1), as FreeRADIUS does.
                return self.ttls_resumed();
            }
            if out.is_empty() || self.stage == Stage::Phase2 {
                return self.reject();
            }
            if self.config.knobs.early_success == Some(EarlySuccess::AfterTunnel) {
                return vec![Eap::bare(Code::Success, self.id).to_vec()];
            }
            self.stage = Stage::AwaitFinishAck;
            return self.send_tls(out);
        }
        if self.config.knobs.early_success == Some(EarlySuccess::AfterTunnel) {
            return vec![Eap::bare(Code::Success, self.id).to_vec()];
        }
        self.stage = Stage::Phase2;
        let action = self.ttls.handle(&self.config, tls, &plain, self.id);
        self.act(action)
    }

    /// EAP-TTLS after a resumed handshake: EAP-Success without phase 2.
    fn ttls_resumed(&mut self) -> Vec<Vec<u8>> {
        let Some(tls) = self.tls.as_ref() else {
            return self.reject();
        };
        let keys = super::ttls::ttls_keys(tls);
        vec![self.finish(ServerOutcome::Accept(keys), 0)]
    }

    /// EAP-TLS is over: EAP-Success with the keys of RFC 5216 §2.3 / RFC 9190 §2.3.
    fn eap_tls_success(&mut self) -> Vec<Vec<u8>> {
        let Some(tls) = self.tls.as_ref() else {
            return self.reject();
        };
        let keys = tls.keys(MethodType::Tls.type_octet());
        vec![self.finish(ServerOutcome::Accept(keys), 0)]
    }

    fn start_phase2(&mut self) -> Vec<Vec<u8>> {
        self.stage = Stage::Phase2;
        if self.config.method == MethodType::Teap {
            let action = self.teap.start(&self.config);
            return self.act(action);
        }
        let tls = self.tls.as_mut().expect("started");
        let action = self.inner.start(&self.config, tls, self.id.wrapping_add(1));
        self.act(action)
    }

    fn act(&mut self, action: InnerAction) -> Vec<Vec<u8>> {
        match action {
            InnerAction::Send(mut plaintext) => {
                if let Some(mutate) = self.config.knobs.mutate_inner {
                    mutate(self.inner_sent, &mut plaintext);
                }
                self.inner_sent += 1;
                if plaintext.is_empty() {
                    // Silent from here on: nothing to retransmit either.
                    self.last_request = None;
                    return Vec::new();
                }
                self.send_inner(plaintext)
            }
            InnerAction::Accept(keys) => {
                let offset = self.config.knobs.success_id_offset;
                vec![self.finish(ServerOutcome::Accept(keys), offset)]
            }
            InnerAction::Reject => self.reject(),
            InnerAction::EarlySuccess => vec![Eap::bare(Code::Success, self.id).to_vec()],
        }
    }

    fn send_inner(&mut self, plaintext: Vec<u8>) -> Vec<Vec<u8>> {
        let tls = self.tls.as_mut().expect("started");
        let _ = tls.send_plaintext(&plaintext);
        let mut out = Vec::new();
        tls.take_outgoing(&mut out);
        self.send_tls(out)
    }
}
