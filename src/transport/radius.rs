//! A NAS-side RADIUS client for EAP ([RFC 3579](https://www.rfc-editor.org/rfc/rfc3579)),
//! as `eapol_test` is one: each EAP response goes to the server in an Access-Request, each
//! Access-Challenge brings the next EAP request.
//!
//! What it does, per RFC 2865 / 3579 / 2548:
//! - Access-Request with User-Name (the identity from our EAP-Response/Identity),
//!   Calling-Station-Id, NAS-Port-Type, Framed-MTU, the EAP packet split into EAP-Message
//!   attributes of at most 253 octets, the State of the last Access-Challenge, and a
//!   Message-Authenticator;
//! - every reply is checked (Identifier, Response Authenticator, Message-Authenticator, which
//!   every reply must carry: RFC 3579 §3.2 and Blast-RADIUS, CVE-2024-3596) and silently
//!   dropped if it fails, as RFC 2865 §3 says; a server that only ever sends replies that
//!   fail the checks is reported as a wrong shared secret, or as replies without
//!   Message-Authenticator when that is all that was wrong with them;
//! - a request without a valid reply is retransmitted unchanged (same Identifier and
//!   Authenticator) after [`RadiusConfig::retry_interval`], up to
//!   [`RadiusConfig::attempts`] times in all ([`super::retry`]); a send that fails with a
//!   local network error (no route, no buffer space, link down) counts as a lost packet and
//!   is retried the same way; if the last one fails too, the diagnosis names our side;
//! - an Access-Reject answering a request sent more than once is reported as the server
//!   ending the session without a verdict (most likely it lost it after a lost reply),
//!   unless the server had stated one ([`Cause::answering_retransmission`]);
//! - Access-Accept: it must carry an EAP-Success (one is never made up: an Accept without
//!   it is a server fault, [`TransportFailure::AcceptWithoutEapSuccess`]);
//!   MS-MPPE-Recv-Key / MS-MPPE-Send-Key are decrypted and, at
//!   [`Transport::finish`], compared with our MSK (MSK\[0..32\] = Recv-Key, MSK\[32..64\] =
//!   Send-Key: the server names them from its own side);
//! - Access-Reject: its EAP-Failure (or one made up, if the server sent none: such a bare
//!   Reject needs no Message-Authenticator, as it carries no EAP-Message) goes to the
//!   core, and its Reply-Message goes into the diagnosis.
//!
//! The RADIUS server sends no EAP-Request/Identity (the NAS does, on a real port), so the
//! transport hands the core one to start each authentication.

use super::drive::{Outcome, Received, Transport};
use super::retry::{Due, Exhausted, Retransmission, RetryPolicy, local_network_error};
use super::socket::DatagramSocket;
use crate::crypto::mppe_attr;
use crate::crypto::radius::{ReplyError, sign_request, verify_reply};
use crate::diagnosis::{Cause, Diagnosis, LocalEnd, LowerLayer, Phase, TransportFailure};
use crate::secret::SecretVec;
use crate::wire::eap::{Code as EapCode, Eap, MethodType};
use crate::wire::radius::{self, Builder, Code, Packet, attr};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use rustls::crypto::CryptoProvider;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How to reach the server and what to put in requests.
#[derive(Clone)]
pub struct RadiusConfig {
    /// The server's address.
    pub server: SocketAddr,
    /// The shared secret.
    pub secret: SecretVec,
    /// Calling-Station-Id (the supplicant's MAC, as `02-00-00-00-00-01`).
    pub calling_station_id: String,
    /// NAS-Port-Type (default 19, Wireless - IEEE 802.11, as eapol_test).
    pub nas_port_type: u32,
    /// Framed-MTU: the largest EAP packet the server should send (default 1400).
    pub framed_mtu: u32,
    /// Time before a request without a valid reply is sent again (default 3 s).
    pub retry_interval: Duration,
    /// Requests sent in all before giving up (default 3).
    pub attempts: u32,
}

impl fmt::Debug for RadiusConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RadiusConfig")
            .field("server", &self.server)
            .field("secret", &"<redacted>")
            .field("calling_station_id", &self.calling_station_id)
            .field("nas_port_type", &self.nas_port_type)
            .field("framed_mtu", &self.framed_mtu)
            .field("retry_interval", &self.retry_interval)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl RadiusConfig {
    /// Defaults for a server and secret.
    pub fn new(server: SocketAddr, secret: &[u8]) -> Self {
        RadiusConfig {
            server,
            secret: SecretVec::new(secret.to_vec()),
            calling_station_id: String::from("02-00-00-00-00-01"),
            nas_port_type: radius::NAS_PORT_TYPE_WIRELESS_80211,
            framed_mtu: 1400,
            retry_interval: Duration::from_secs(3),
            attempts: 3,
        }
    }

    /// Resolves `host:port` and uses the first address.
    pub fn resolve(server: &str, secret: &[u8]) -> io::Result<Self> {
        let addr = server
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address for server"))?;
        Ok(Self::new(addr, secret))
    }
}

/// The MS-MPPE keys of an Access-Accept, decrypted.
#[derive(Clone, Debug, Default)]
pub struct MppeKeys {
    /// MS-MPPE-Recv-Key (the server's receive key: our MSK\[0..32\]).
    pub recv: Option<SecretVec>,
    /// MS-MPPE-Send-Key (our MSK\[32..64\]).
    pub send: Option<SecretVec>,
}

/// The outstanding request.
struct Pending {
    packet: Vec<u8>,
    authenticator: [u8; 16],
    identifier: u8,
    retry: Retransmission<Instant>,
}

/// A RADIUS client transport.
pub struct RadiusTransport {
    config: RadiusConfig,
    socket: Box<dyn DatagramSocket>,
    provider: Arc<CryptoProvider>,
    next_id: u8,
    user_name: Option<Vec<u8>>,
    state: Option<Vec<u8>>,
    pending: Option<Pending>,
    start: bool,
    bad_replies: u32,
    /// Sends of the request the last Access-Reject answered (more than 1: retransmitted).
    reject_answered_sends: u32,
    /// Replies dropped for want of a Message-Authenticator (counted in `bad_replies` too).
    no_message_authenticator: u32,
    /// A reply has passed the checks in this authentication: a later reply that fails
    /// them was damaged on the way, not signed with another secret.
    answered: bool,
    last_eap_id: u8,
    reply_message: Option<String>,
    keys: MppeKeys,
    tap: Option<crate::capture::Tap>,
}

impl fmt::Debug for RadiusTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RadiusTransport")
            .field("config", &self.config)
            .field("local", &self.socket.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl RadiusTransport {
    /// Binds a UDP socket for `config.server` and draws Request Authenticators from
    /// `provider`'s secure random source.
    pub fn new(
        config: RadiusConfig,
        provider: &Arc<rustls::crypto::CryptoProvider>,
    ) -> io::Result<Self> {
        let socket = super::socket::UdpClient::new(config.server)?;
        Self::with_socket(config, provider, Box::new(socket))
    }

    /// As [`RadiusTransport::new`], over `socket` (connected to `config.server`).
    pub fn with_socket(
        config: RadiusConfig,
        provider: &Arc<rustls::crypto::CryptoProvider>,
        socket: Box<dyn DatagramSocket>,
    ) -> io::Result<Self> {
        let mut first = [0u8; 1];
        random(provider, &mut first)?;
        Ok(RadiusTransport {
            config,
            socket,
            provider: provider.clone(),
            next_id: first[0],
            user_name: None,
            state: None,
            pending: None,
            start: false,
            bad_replies: 0,
            reject_answered_sends: 0,
            no_message_authenticator: 0,
            answered: false,
            last_eap_id: 0,
            reply_message: None,
            keys: MppeKeys::default(),
            tap: None,
        })
    }

    /// Records every RADIUS datagram sent and received (pcapng, for `--pcap`).
    pub fn set_tap(&mut self, tap: crate::capture::Tap) {
        self.tap = Some(tap);
    }

    /// Sends the pending request (first time or again) and records it. A local network
    /// error counts as a lost packet; other socket errors end the run.
    fn transmit(&mut self, now: Instant) -> io::Result<()> {
        let Some(p) = self.pending.as_mut() else {
            return Ok(());
        };
        let result = match self.socket.send(&p.packet) {
            Ok(()) => Ok(()),
            Err(e) => Err(local_network_error(&e).ok_or(e)?),
        };
        p.retry.sent(now, result);
        if result.is_ok() {
            if let Some(p) = &self.pending {
                self.tap(&p.packet, true);
            }
        }
        Ok(())
    }

    /// Gives up on the pending request after its last attempt.
    fn give_up(&mut self) -> Option<Received> {
        let p = self.pending.take()?;
        let missing = self.no_message_authenticator;
        Some(Received::Failed(match p.retry.exhausted() {
            Exhausted::Local {
                error,
                failed_sends,
            } => TransportFailure::LocalNetwork {
                error,
                local: match self.socket.local_addr() {
                    Ok(a) if !a.ip().is_unspecified() => LocalEnd::Address(a.ip()),
                    _ => LocalEnd::Unknown,
                },
                failed_sends,
            },
            Exhausted::NoReply { .. } if missing > 0 && missing == self.bad_replies => {
                TransportFailure::NoMessageAuthenticator { replies: missing }
            }
            Exhausted::NoReply { .. } if self.bad_replies > 0 && !self.answered => {
                TransportFailure::WrongSharedSecret
            }
            Exhausted::NoReply { attempts } => TransportFailure::NoReply {
                attempts,
                answered_before: self.answered,
            },
        }))
    }

    fn tap(&self, datagram: &[u8], sent: bool) {
        if let (Some(tap), Ok(local)) = (&self.tap, self.socket.local_addr()) {
            let server = self.config.server;
            let (src, dst) = if sent {
                (local, server)
            } else {
                (server, local)
            };
            tap.udp(src, dst, datagram);
        }
    }

    /// The MS-MPPE keys of the last Access-Accept.
    pub fn mppe_keys(&self) -> &MppeKeys {
        &self.keys
    }

    /// The Reply-Message of the last reply, if any.
    pub fn reply_message(&self) -> Option<&str> {
        self.reply_message.as_deref()
    }

    /// The local address of the socket (for captures and logs).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    fn build_request(&mut self, eap: &[u8]) -> io::Result<Pending> {
        let mut authenticator = [0u8; 16];
        random(&self.provider, &mut authenticator)?;
        let identifier = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let mut b = Builder::new(Code::AccessRequest, identifier, authenticator);
        if let Some(u) = &self.user_name {
            b.attribute(attr::USER_NAME, u);
        }
        b.attribute(
            attr::CALLING_STATION_ID,
            self.config.calling_station_id.as_bytes(),
        )
        .integer(attr::NAS_PORT_TYPE, self.config.nas_port_type)
        .integer(attr::FRAMED_MTU, self.config.framed_mtu);
        if let Some(s) = &self.state {
            b.attribute(attr::STATE, s);
        }
        if !b.fits(eap.len() + 2 * eap.len().div_ceil(radius::MAX_ATTR_VALUE) + 18) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "EAP packet too large for one RADIUS packet",
            ));
        }
        b.eap_message(eap).message_authenticator();
        let mut packet = b.finish();
        sign_request(&mut packet, self.config.secret.expose());
        let policy = RetryPolicy {
            interval: self.config.retry_interval,
            attempts: self.config.attempts,
        };
        Ok(Pending {
            packet,
            authenticator,
            identifier,
            retry: Retransmission::new(policy, Instant::now()),
        })
    }

    /// Handles a datagram that may answer the pending request. Returns what to give the
    /// core, or `None` to keep waiting.
    fn accept_reply(&mut self, buf: &[u8]) -> Option<Received> {
        let pending = self.pending.as_ref()?;
        let p = Packet::parse(buf).ok()?;
        if p.identifier != pending.identifier {
            return None;
        }
        match verify_reply(buf, &pending.authenticator, self.config.secret.expose()) {
            Ok(()) => {}
            Err(ReplyError::Malformed) => return None,
            // A bare Access-Reject: no EAP-Message, so RFC 3579 §3.2 asks for no
            // Message-Authenticator, and its Response Authenticator verified. FreeRADIUS 3.2
            // sends one when it no longer has the EAP session (after a lost reply); it can
            // only end the session, never grant access, so it is taken as a Reject.
            Err(ReplyError::MissingMessageAuthenticator)
                if p.code == Code::AccessReject && p.first(attr::EAP_MESSAGE).is_none() => {}
            Err(e) => {
                self.bad_replies += 1;
                if e == ReplyError::MissingMessageAuthenticator {
                    self.no_message_authenticator += 1;
                }
                return None;
            }
        }
        self.answered = true;
        let request_authenticator = pending.authenticator;
        let sends = pending.retry.sends();
        self.pending = None;
        self.reply_message = p
            .iter()
            .filter_map(Result::ok)
            .filter(|a| a.attr_type == attr::REPLY_MESSAGE)
            .map(|a| String::from_utf8_lossy(a.value).into_owned())
            .reduce(|a, b| a + &b);
        let eap = p.eap_message();
        match p.code {
            Code::AccessChallenge => {
                self.state = p.first(attr::STATE).map(<[u8]>::to_vec);
                Some(Received::Eap(eap?))
            }
            Code::AccessAccept => {
                self.state = None;
                let code = eap.as_deref().and_then(|e| e.first()).copied();
                match eap {
                    Some(eap) if code == Some(u8::from(EapCode::Success)) => {
                        self.keys = self.decrypt_keys(&p, &request_authenticator);
                        Some(Received::Eap(eap))
                    }
                    // Never an EAP-Success of our making: the server must say it.
                    _ => Some(Received::Failed(
                        TransportFailure::AcceptWithoutEapSuccess { eap_code: code },
                    )),
                }
            }
            Code::AccessReject => {
                self.state = None;
                self.reject_answered_sends = sends;
                Some(Received::Eap(eap.unwrap_or_else(|| {
                    Eap::bare(EapCode::Failure, self.last_eap_id).to_vec()
                })))
            }
            _ => None,
        }
    }

    fn decrypt_keys(&self, p: &Packet<'_>, request_authenticator: &[u8; 16]) -> MppeKeys {
        let mut keys = MppeKeys::default();
        for a in p.vendor_attributes(radius::VENDOR_MICROSOFT) {
            let slot = match a.attr_type {
                radius::MS_MPPE_RECV_KEY => &mut keys.recv,
                radius::MS_MPPE_SEND_KEY => &mut keys.send,
                _ => continue,
            };
            *slot = mppe_attr::decrypt(self.config.secret.expose(), request_authenticator, a.value)
                .ok();
        }
        keys
    }
}

/// Fills `buf` from the provider's secure random source.
fn random(provider: &CryptoProvider, buf: &mut [u8]) -> io::Result<()> {
    provider
        .secure_random
        .fill(buf)
        .map_err(|_| io::Error::other("no randomness"))
}

/// Local failures of the RADIUS transport: the socket's.
pub type RadiusError = io::Error;

impl Transport for RadiusTransport {
    type Error = RadiusError;

    fn start(&mut self) -> io::Result<()> {
        self.state = None;
        self.pending = None;
        self.user_name = None;
        self.bad_replies = 0;
        self.reject_answered_sends = 0;
        self.no_message_authenticator = 0;
        self.answered = false;
        self.reply_message = None;
        self.keys = MppeKeys::default();
        self.start = true;
        Ok(())
    }

    fn send(&mut self, eap: &[u8]) -> io::Result<()> {
        if let Ok(p) = Eap::parse(eap) {
            self.last_eap_id = p.identifier;
            if let Some((MethodType::Identity, name)) = p.method() {
                self.user_name = Some(name.to_vec());
            }
        }
        self.pending = Some(self.build_request(eap)?);
        self.transmit(Instant::now())
    }

    fn recv(&mut self, deadline: Instant) -> io::Result<Received> {
        if core::mem::take(&mut self.start) {
            // What a NAS sends first on a port.
            return Ok(Received::Eap(
                Eap::request(0, MethodType::Identity, &[]).to_vec(),
            ));
        }
        let mut buf = [0u8; radius::MAX_PACKET_LEN];
        loop {
            let now = Instant::now();
            let resend_at = match self.pending.as_ref().map(|p| p.retry.due(now)) {
                Some(Due::Send) => {
                    self.transmit(now)?;
                    continue;
                }
                Some(Due::GiveUp) => {
                    if let Some(gave_up) = self.give_up() {
                        return Ok(gave_up);
                    }
                    continue;
                }
                Some(Due::Wait(at)) => Some(at),
                None => None,
            };
            if now >= deadline {
                return Ok(Received::Timeout);
            }
            let until = resend_at.map_or(deadline, |r| r.min(deadline));
            let wait = until
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            match self.socket.recv(&mut buf, wait) {
                Ok(n) => {
                    self.tap(&buf[..n], false);
                    if let Some(r) = self.accept_reply(&buf[..n]) {
                        return Ok(r);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                // ICMP port unreachable from a previous send: the server is not there yet
                // or at all; or an ICMP error saying the path is down for now. Keep
                // retransmitting until the attempts run out.
                Err(e)
                    if e.kind() == io::ErrorKind::ConnectionRefused
                        || local_network_error(&e).is_some() =>
                {
                    std::thread::sleep(until.saturating_duration_since(Instant::now()));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn finish(&mut self, outcome: &mut Outcome) -> io::Result<()> {
        if let Outcome::Authenticated(keys) = outcome {
            let msk = keys.msk.expose();
            let recv_ok = self.keys.recv.as_ref().is_none_or(|k| {
                k.expose().len() >= 32 && bool::from(k.expose()[..32].ct_eq(&msk[..32]))
            });
            let send_ok = self.keys.send.as_ref().is_none_or(|k| {
                k.expose().len() >= 32 && bool::from(k.expose()[..32].ct_eq(&msk[32..64]))
            });
            if !(recv_ok && send_ok) {
                *outcome = Outcome::Failed(Diagnosis::new(
                    Phase::Completion,
                    Cause::Transport(TransportFailure::KeyMismatch),
                ));
            }
        }
        self.pending = None;
        Ok(())
    }

    fn annotate(&self, diagnosis: &mut Diagnosis) {
        if self.reject_answered_sends > 1 {
            diagnosis.cause = diagnosis
                .cause
                .clone()
                .answering_retransmission(self.reject_answered_sends);
        }
        if diagnosis.server_message.is_none() {
            diagnosis.server_message = self.reply_message.clone();
        }
        diagnosis.lower_layer = Some(LowerLayer::Radius {
            server_answered: self.answered,
        });
    }
}
