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
//!   unless the server had stated one ([`Cause::answering_retransmission`](crate::diagnosis::Cause::answering_retransmission));
//! - Access-Accept: it must carry an EAP-Success (one is never made up: an Accept without
//!   it is a server fault, [`TransportFailure::AcceptWithoutEapSuccess`](crate::diagnosis::TransportFailure::AcceptWithoutEapSuccess));
//!   MS-MPPE-Recv-Key / MS-MPPE-Send-Key are decrypted and, at
//!   [`Transport::finish`], compared with our MSK (MSK\[0..32\] = Recv-Key, MSK\[32..64\] =
//!   Send-Key: the server names them from its own side);
//! - Access-Reject: its EAP-Failure (or one made up, if the server sent none: such a bare
//!   Reject needs no Message-Authenticator, as it carries no EAP-Message) goes to the
//!   core, and its Reply-Message goes into the diagnosis.
//!
//! The protocol lives in the sans-IO `RadiusClient` (`radius_client`); this is its loop
//! over a socket and the host's clock.
//!
//! The RADIUS server sends no EAP-Request/Identity (the NAS does, on a real port), so the
//! transport hands the core one to start each authentication.

use super::drive::{AuthOutcome, Received, Transport};
use super::radius_client::{Action, ClientConfig, MppeKeys, RadiusClient};
use super::retry::{RetryPolicy, local_network_error, nothing_received, unreachable_for_now};
use super::socket::DatagramSocket;
use super::tap::{Direction, Tap};
use crate::diagnosis::{Diagnosis, LocalEnd};
use crate::secret::SecretVec;
use crate::wire::radius;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use rustls::crypto::CryptoProvider;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime};

/// How to reach the server and what to put in requests.
#[derive(Clone)]
#[non_exhaustive]
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

/// A RADIUS client transport: a thin blocking loop over the crate's sans-IO RADIUS client, on
/// the host's clock and a socket.
pub struct RadiusTransport {
    config: RadiusConfig,
    socket: Box<dyn DatagramSocket>,
    provider: Arc<CryptoProvider>,
    client: RadiusClient,
    next_id: u8,
    /// The EAP-Request/Identity of [`RadiusClient::start`], until `recv` hands it over.
    start: Option<alloc::vec::Vec<u8>>,
    origin: Instant,
    /// The socket's local address once the kernel has chosen one (a connected socket
    /// keeps it): asked once, not on every wait.
    local: Option<LocalEnd>,
    tap: Option<Box<dyn Tap>>,
    /// Where replies are received: made once, not zeroed again for every datagram.
    rx: Box<[u8]>,
}

impl fmt::Debug for RadiusTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RadiusTransport")
            .field("config", &self.config)
            .field("local", &self.socket.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl RadiusConfig {
    /// What the sans-IO client needs of this configuration.
    pub(crate) fn client_config(&self) -> ClientConfig {
        ClientConfig {
            secret: self.secret.clone(),
            calling_station_id: self.calling_station_id.clone(),
            nas_port_type: self.nas_port_type,
            framed_mtu: self.framed_mtu,
            retry: RetryPolicy {
                interval: self.retry_interval,
                attempts: self.attempts,
            },
        }
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
            client: RadiusClient::new(config.client_config()),
            config,
            socket,
            provider: provider.clone(),
            next_id: first[0],
            start: None,
            origin: Instant::now(),
            local: None,
            tap: None,
            rx: alloc::vec![0u8; radius::MAX_PACKET_LEN].into_boxed_slice(),
        })
    }

    /// Gives a copy of every RADIUS datagram sent and received to `tap` (a capture writer).
    pub fn set_tap(&mut self, tap: impl Tap + 'static) {
        self.tap = Some(Box::new(tap));
    }

    /// A time of the host's clock on the client's scale (milliseconds since this transport
    /// was made).
    fn client_time(&self, at: Instant) -> crate::time::Instant {
        crate::time::Instant::from_millis(
            u64::try_from(at.saturating_duration_since(self.origin).as_millis())
                .unwrap_or(u64::MAX),
        )
    }

    /// A client deadline on the host's clock.
    fn host_time(&self, at: crate::time::Instant) -> Instant {
        self.origin + Duration::from_millis(at.as_millis())
    }

    /// Sends the outstanding request (first time or again) at `now` and records it. A
    /// local network error counts as a lost packet; other socket errors end the run.
    fn transmit(&mut self, now: crate::time::Instant) -> io::Result<()> {
        let Some(packet) = self.client.datagram() else {
            return Ok(());
        };
        let result = match self.socket.send(packet) {
            Ok(()) => Ok(()),
            Err(e) => Err(local_network_error(&e).ok_or(e)?),
        };
        if result.is_ok() {
            self.tap(packet, true);
        }
        self.client.sent(now, result);
        Ok(())
    }

    fn local_end(&mut self) -> LocalEnd {
        if let Some(local) = &self.local {
            return local.clone();
        }
        match self.socket.local_addr() {
            Ok(a) if !a.ip().is_unspecified() => {
                self.local = Some(LocalEnd::Address(a.ip()));
                LocalEnd::Address(a.ip())
            }
            _ => LocalEnd::Unknown,
        }
    }

    fn tap(&self, datagram: &[u8], sent: bool) {
        // The socket is asked only when there is a capture to write.
        let Some(tap) = &self.tap else {
            return;
        };
        if let Ok(local) = self.socket.local_addr() {
            let server = self.config.server;
            let direction = if sent {
                Direction::Sent
            } else {
                Direction::Received
            };
            tap.udp(direction, SystemTime::now(), local, server, datagram);
        }
    }

    /// The MS-MPPE keys of the last Access-Accept.
    pub fn mppe_keys(&self) -> &MppeKeys {
        self.client.mppe_keys()
    }

    /// The Reply-Message of the last reply, if any.
    pub fn reply_message(&self) -> Option<&str> {
        self.client.reply_message()
    }

    /// Access-Request / reply exchanges of the last authentication (retransmissions not
    /// counted).
    pub fn round_trips(&self) -> u32 {
        self.client.round_trips()
    }

    /// Datagrams sent in the last authentication, retransmissions included.
    pub fn transmissions(&self) -> u32 {
        self.client.transmissions()
    }

    /// The local address of the socket (for captures and logs).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }
}

/// Fills `buf` from the provider's secure random source.
fn random(provider: &CryptoProvider, buf: &mut [u8]) -> io::Result<()> {
    provider
        .secure_random
        .fill(buf)
        .map_err(|_| io::Error::other("no randomness"))
}

impl Transport for RadiusTransport {
    type Error = io::Error;

    fn start(&mut self) -> io::Result<()> {
        self.start = Some(self.client.start());
        Ok(())
    }

    fn send(&mut self, eap: &[u8]) -> io::Result<()> {
        let mut authenticator = [0u8; 16];
        random(&self.provider, &mut authenticator)?;
        let identifier = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let now = self.client_time(Instant::now());
        self.client
            .request(eap, identifier, authenticator, now)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, alloc::format!("{e}")))?;
        self.transmit(now)
    }

    fn recv(&mut self, deadline: Instant) -> io::Result<Received> {
        if let Some(identity_request) = self.start.take() {
            // What a NAS sends first on a port.
            return Ok(Received::Eap(identity_request));
        }
        loop {
            let local = self.local_end();
            let now = Instant::now();
            let client_now = self.client_time(now);
            let resend_at = match self.client.poll(client_now, local) {
                Action::Transmit => {
                    self.transmit(client_now)?;
                    continue;
                }
                Action::GiveUp(failure) => return Ok(Received::Failed(failure)),
                Action::Wait(at) => Some(self.host_time(at)),
                Action::Idle => None,
            };
            if now >= deadline {
                return Ok(Received::Timeout);
            }
            let until = resend_at.map_or(deadline, |r| r.min(deadline));
            let wait = until
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            match self.socket.recv(&mut self.rx, wait) {
                Ok(n) => {
                    self.tap(&self.rx[..n], false);
                    if let Some(r) = self.client.handle_datagram(&self.rx[..n]) {
                        return Ok(r);
                    }
                }
                Err(e) if nothing_received(&e) => {}
                // ICMP port unreachable from a previous send: the server is not there yet
                // or at all; or an ICMP error saying the path is down for now. Keep
                // retransmitting until the attempts run out.
                Err(e) if unreachable_for_now(&e) => {
                    std::thread::sleep(until.saturating_duration_since(Instant::now()));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn finish(&mut self, outcome: &mut AuthOutcome) -> io::Result<()> {
        self.client.finish(outcome);
        Ok(())
    }

    fn annotate(&self, diagnosis: &mut Diagnosis) {
        self.client.annotate(diagnosis);
    }
}
