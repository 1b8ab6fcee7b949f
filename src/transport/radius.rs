//! A NAS-side RADIUS client for EAP ([RFC 3579](https://www.rfc-editor.org/rfc/rfc3579)),
//! as `eapol_test` is one: each EAP response goes to the server in an Access-Request, each
//! Access-Challenge brings the next EAP request.
//!
//! What it does, per RFC 2865 / 3579 / 2548:
//! - Access-Request with User-Name (the identity from our EAP-Response/Identity),
//!   Calling-Station-Id, NAS-Port-Type, Framed-MTU, NAS-IP-Address (or NAS-IPv6-Address:
//!   [`RadiusConfig::nas_ip`], by default the socket's local address; RFC 2865 §4.1 wants
//!   it or a NAS-Identifier in every request), the optional NAS-Identifier,
//!   Called-Station-Id, Operator-Name (RFC 5580), Connect-Info, Chargeable-User-Identity
//!   (RFC 4372) and further attributes of [`RadiusConfig`], the EAP packet split into
//!   EAP-Message attributes of at most 253 octets, the State of the last
//!   Access-Challenge, and a Message-Authenticator;
//! - an ICMP port unreachable (`ECONNREFUSED` on the connected socket) ends the
//!   authentication at once: nothing listens on the server's port;
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
use alloc::vec::Vec;
use core::fmt;
use rustls::crypto::CryptoProvider;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
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
    /// NAS-IP-Address, or NAS-IPv6-Address for an IPv6 address
    /// ([RFC 2865 §5.4](https://www.rfc-editor.org/rfc/rfc2865#section-5.4),
    /// [RFC 3162 §2.1](https://www.rfc-editor.org/rfc/rfc3162#section-2.1)); `None`
    /// (default): the socket's local address.
    pub nas_ip: Option<IpAddr>,
    /// NAS-Identifier ([RFC 2865 §5.32](https://www.rfc-editor.org/rfc/rfc2865#section-5.32)).
    pub nas_identifier: Option<String>,
    /// Called-Station-Id ([RFC 2865 §5.30](https://www.rfc-editor.org/rfc/rfc2865#section-5.30)),
    /// e.g. `02-00-00-00-00-02:eduroam` (the access point's MAC and the SSID).
    pub called_station_id: Option<String>,
    /// Operator-Name ([RFC 5580 §4.1](https://www.rfc-editor.org/rfc/rfc5580#section-4.1)):
    /// the namespace digit then the name, e.g. `1example.org` (`1`: a realm).
    pub operator_name: Option<String>,
    /// Connect-Info ([RFC 2869 §5.11](https://www.rfc-editor.org/rfc/rfc2869#section-5.11)),
    /// e.g. `CONNECT 54Mbps 802.11g`.
    pub connect_info: Option<String>,
    /// Send Chargeable-User-Identity with a single NUL octet, asking the server for the
    /// user's CUI ([RFC 4372 §2.1](https://www.rfc-editor.org/rfc/rfc4372#section-2.1));
    /// the Access-Accept's is then [`RadiusTransport::chargeable_user_identity`].
    pub request_cui: bool,
    /// Further attributes (type, value octets), sent as they are in every Access-Request
    /// (see [`RadiusConfig::parse_attribute`]).
    pub attributes: Vec<(u8, Vec<u8>)>,
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
            .field("nas_ip", &self.nas_ip)
            .field("nas_identifier", &self.nas_identifier)
            .field("called_station_id", &self.called_station_id)
            .field("operator_name", &self.operator_name)
            .field("connect_info", &self.connect_info)
            .field("request_cui", &self.request_cui)
            .field("attributes", &self.attributes)
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
            nas_ip: None,
            nas_identifier: None,
            called_station_id: None,
            operator_name: None,
            connect_info: None,
            request_cui: false,
            attributes: Vec::new(),
        }
    }

    /// Parses `TYPE=VALUE` (as `radius_auth --attr`): a numeric attribute type (1 to 255)
    /// and its value: `0x` then hex digits (octets as they are), a decimal integer (4
    /// octets, RFC 2865 §5's integer), an IPv4 address (4 octets) or else a string (its
    /// UTF-8 octets; put it in double quotes to send digits or an address as text). The
    /// attributes the client writes itself (User-Name, State, EAP-Message,
    /// Message-Authenticator) and empty or over-long values (over 253 octets) are refused.
    pub fn parse_attribute(spec: &str) -> io::Result<(u8, Vec<u8>)> {
        let bad = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let (t, v) = spec
            .split_once('=')
            .ok_or_else(|| bad(alloc::format!("{spec:?}: TYPE=VALUE expected")))?;
        let t: u8 = t.trim().parse().ok().filter(|&t| t > 0).ok_or_else(|| {
            bad(alloc::format!(
                "{spec:?}: the type is a number from 1 to 255"
            ))
        })?;
        if matches!(
            t,
            radius::attr::USER_NAME
                | radius::attr::STATE
                | radius::attr::EAP_MESSAGE
                | radius::attr::MESSAGE_AUTHENTICATOR
        ) {
            return Err(bad(alloc::format!(
                "{spec:?}: attribute {t} is written by the client itself"
            )));
        }
        let value = if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
            if hex.len() % 2 != 0 {
                return Err(bad(alloc::format!("{spec:?}: an odd number of hex digits")));
            }
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("x"), 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| bad(alloc::format!("{spec:?}: not hex after 0x")))?
        } else if let Some(text) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            text.as_bytes().to_vec()
        } else if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = v
                .parse()
                .map_err(|_| bad(alloc::format!("{spec:?}: an integer over 32 bits")))?;
            n.to_be_bytes().to_vec()
        } else if let Ok(a) = v.parse::<std::net::Ipv4Addr>() {
            a.octets().to_vec()
        } else {
            v.as_bytes().to_vec()
        };
        if value.is_empty() || value.len() > radius::MAX_ATTR_VALUE {
            return Err(bad(alloc::format!(
                "{spec:?}: a value of 1 to {} octets",
                radius::MAX_ATTR_VALUE
            )));
        }
        Ok((t, value))
    }

    /// Refuses what cannot go into an Access-Request: a text attribute that is empty or
    /// over 253 octets (RFC 2865 §5).
    pub(crate) fn check(&self) -> io::Result<()> {
        let texts = [
            ("Calling-Station-Id", Some(&self.calling_station_id)),
            ("NAS-Identifier", self.nas_identifier.as_ref()),
            ("Called-Station-Id", self.called_station_id.as_ref()),
            ("Operator-Name", self.operator_name.as_ref()),
            ("Connect-Info", self.connect_info.as_ref()),
        ];
        for (name, value) in texts {
            if let Some(v) = value {
                if v.is_empty() || v.len() > radius::MAX_ATTR_VALUE {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        alloc::format!(
                            "{name}: {} octets; a RADIUS attribute holds 1 to {}",
                            v.len(),
                            radius::MAX_ATTR_VALUE
                        ),
                    ));
                }
            }
        }
        for (t, v) in &self.attributes {
            if v.is_empty() || v.len() > radius::MAX_ATTR_VALUE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    alloc::format!(
                        "attribute {t}: {} octets; a RADIUS attribute holds 1 to {}",
                        v.len(),
                        radius::MAX_ATTR_VALUE
                    ),
                ));
            }
        }
        Ok(())
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
            nas_ip: self.nas_ip,
            attributes: self.request_attributes(),
            retry: RetryPolicy {
                interval: self.retry_interval,
                attempts: self.attempts,
            },
        }
    }
}

impl RadiusConfig {
    /// The optional attributes of every request, in the order they are sent.
    fn request_attributes(&self) -> Vec<(u8, Vec<u8>)> {
        use radius::attr;
        let mut out = Vec::new();
        let texts = [
            (attr::NAS_IDENTIFIER, &self.nas_identifier),
            (attr::CALLED_STATION_ID, &self.called_station_id),
            (attr::OPERATOR_NAME, &self.operator_name),
            (attr::CONNECT_INFO, &self.connect_info),
        ];
        for (t, v) in texts {
            if let Some(v) = v {
                out.push((t, v.as_bytes().to_vec()));
            }
        }
        if self.request_cui {
            out.push((attr::CHARGEABLE_USER_IDENTITY, alloc::vec![0]));
        }
        out.extend(self.attributes.iter().cloned());
        out
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
        config.check()?;
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
            // The ICMP port unreachable of an earlier send, reported on this one.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                self.client.connection_refused(self.config.server);
                return Ok(());
            }
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

    /// The Chargeable-User-Identity of the last Access-Accept
    /// ([RFC 4372 §2](https://www.rfc-editor.org/rfc/rfc4372#section-2)): what the server
    /// returned for [`RadiusConfig::request_cui`].
    pub fn chargeable_user_identity(&self) -> Option<&[u8]> {
        self.client.chargeable_user_identity()
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
        if let LocalEnd::Address(ip) = self.local_end() {
            self.client.set_local_address(ip);
        }
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
                // ICMP port unreachable from our send: nothing listens on that port.
                // Named at once (a retransmission would only meet the same answer).
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    self.client.connection_refused(self.config.server);
                }
                // An ICMP error saying the path is down for now: keep retransmitting until
                // the attempts run out.
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use std::format;

    #[test]
    fn attribute_specs_parse_by_their_value_and_refuse_what_cannot_go() {
        let parse = RadiusConfig::parse_attribute;
        assert_eq!(parse("5=7").unwrap(), (5, vec![0, 0, 0, 7]));
        assert_eq!(parse("4=192.0.2.7").unwrap(), (4, vec![192, 0, 2, 7]));
        assert_eq!(
            parse("26=0x0000625a").unwrap(),
            (26, vec![0, 0, 0x62, 0x5a])
        );
        assert_eq!(parse("32=ap-7").unwrap(), (32, b"ap-7".to_vec()));
        assert_eq!(parse("32=\"123\"").unwrap(), (32, b"123".to_vec()));
        for (bad, why) in [
            ("5", "TYPE=VALUE"),
            ("0=1", "1 to 255"),
            ("256=1", "1 to 255"),
            ("1=alice", "written by the client"),
            ("79=0x01", "written by the client"),
            ("26=0x123", "odd number"),
            ("26=0xzz", "not hex"),
            ("5=4294967296", "over 32 bits"),
            ("32=", "1 to 253"),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        let long = format!("18={}", "x".repeat(254));
        assert!(parse(&long).unwrap_err().to_string().contains("1 to 253"));
        assert!(parse(&format!("18={}", "x".repeat(253))).is_ok());
    }

    #[test]
    fn the_optional_attributes_go_in_order_and_cui_asks_with_a_nul() {
        let mut rc = RadiusConfig::new(([127, 0, 0, 1], 1812).into(), b"s");
        assert!(rc.request_attributes().is_empty());
        rc.nas_identifier = Some("ap".into());
        rc.operator_name = Some("1example.org".into());
        rc.request_cui = true;
        rc.attributes.push((5, vec![0, 0, 0, 7]));
        assert_eq!(
            rc.request_attributes(),
            vec![
                (radius::attr::NAS_IDENTIFIER, b"ap".to_vec()),
                (radius::attr::OPERATOR_NAME, b"1example.org".to_vec()),
                (radius::attr::CHARGEABLE_USER_IDENTITY, vec![0]),
                (5, vec![0, 0, 0, 7]),
            ]
        );
        rc.called_station_id = Some(String::new());
        assert!(
            rc.check()
                .unwrap_err()
                .to_string()
                .contains("Called-Station-Id: 0 octets")
        );
    }
}
