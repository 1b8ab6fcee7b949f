//! 802.1X on a wired Linux interface (IEEE 802.1X-2010 §11, §8 supplicant PAE): EAPOL frames
//! with EtherType 0x888E to the PAE group address 01:80:C2:00:00:03, EAPOL-Start with the
//! start timers, EAPOL-Logoff on shutdown, and the port state.
//!
//! The socket is an AF_PACKET layer-2 channel from `pnet_datalink` (root or CAP_NET_RAW);
//! the interface is put in promiscuous mode so frames to the group address arrive.
//!
//! What goes out and what is taken in:
//! - EAPOL-Start always goes to the PAE group address; EAP responses and EAPOL-Logoff go to
//!   the authenticator once one has spoken (the source of the first EAP packet taken),
//!   else to the group address. Frames shorter than the Ethernet minimum are padded to 60
//!   octets.
//! - A received frame counts only if its EtherType is 0x888E, it is addressed to our MAC or
//!   to the PAE group address, it is not one of ours (the socket also sees what we send),
//!   it is an EAPOL-EAP frame, and the EAP packet in it is a Request, Success or Failure:
//!   responses of other supplicants on a shared segment are not for us. Padding after the
//!   EAPOL body is dropped.
//!
//! Local network errors (the interface down, gone, or out of buffers) do not end the run:
//! a frame that cannot be sent is a lost frame (the authenticator retransmits its request,
//! the start timer its EAPOL-Start), and reception waits for the link to return. If the
//! authentication then times out while the error lasts, the diagnosis names our interface
//! instead of the server's silence.
//!
//! Tested against hostapd 2.10 (`driver=wired`, with its internal EAP server or relaying
//! to FreeRADIUS) over a veth pair: `tests/interop_wired.rs`.

use super::drive::{AuthOutcome, Received, Transport};
use super::pae::{EapolTimers, StartSequence, StartStep};
use super::retry::local_network_error;
use super::tap::{Direction, Tap};
use crate::diagnosis::{Cause, Diagnosis, LocalEnd, LocalNetworkError, TransportFailure};
use crate::wire::eap::Code as EapCode;
use crate::wire::eapol::{ETHERTYPE_PAE, Eapol, PAE_GROUP_ADDR, PacketType};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use pnet_datalink::{Channel, DataLinkReceiver, DataLinkSender, NetworkInterface};
use std::time::{Instant, SystemTime};

// Exhaustive on purpose: an IEEE 802.1X controlled port is authorized or unauthorized.
/// The controlled port as the supplicant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// Not authenticated (yet).
    Unauthorized,
    /// EAP-Success received.
    Authorized,
}

/// Why the EAPOL transport could not work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EapolError {
    /// No interface with that name.
    #[error("no network interface named {0}")]
    NoInterface(String),
    /// The interface has no MAC address.
    #[error("interface {0} has no MAC address")]
    NoMac(String),
    /// The socket could not be opened or used (not root? CAP_NET_RAW missing?).
    #[error("packet socket on {interface}: {source}")]
    Io {
        /// The interface.
        interface: String,
        /// The error.
        source: std::io::Error,
    },
}

/// An EAPOL transport on one Ethernet interface.
pub struct EapolTransport {
    interface: NetworkInterface,
    mac: [u8; 6],
    tx: Box<dyn DataLinkSender>,
    rx: Box<dyn DataLinkReceiver>,
    timers: EapolTimers,
    /// The origin of the start sequence's clock.
    origin: Instant,
    starts: StartSequence,
    authenticator: Option<[u8; 6]>,
    port: PortState,
    logged_off: bool,
    tap: Option<Box<dyn Tap>>,
    on_port: Option<PortObserver>,
    /// The local error of the last send or receive, while it lasts.
    local_error: Option<LocalNetworkError>,
    /// Sends that failed with a local error since the link last worked.
    failed_sends: u32,
}

/// Called with the new state each time the port changes.
pub type PortObserver = Box<dyn FnMut(PortState) + Send>;

impl core::fmt::Debug for EapolTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EapolTransport")
            .field("interface", &self.interface.name)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl EapolTransport {
    /// Opens `interface` (e.g. `eth0`) for EAPOL.
    pub fn open(interface: &str, timers: EapolTimers) -> Result<Self, EapolError> {
        let iface = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name == interface)
            .ok_or_else(|| EapolError::NoInterface(interface.into()))?;
        let mac = iface
            .mac
            .ok_or_else(|| EapolError::NoMac(interface.into()))?
            .octets();
        let (tx, rx) = open_channel(&iface).map_err(|source| EapolError::Io {
            interface: interface.into(),
            source,
        })?;
        Ok(EapolTransport {
            interface: iface,
            mac,
            tx,
            rx,
            timers,
            origin: Instant::now(),
            starts: StartSequence::new(timers, crate::time::Instant::ZERO),
            authenticator: None,
            port: PortState::Unauthorized,
            logged_off: false,
            tap: None,
            on_port: None,
            local_error: None,
            failed_sends: 0,
        })
    }

    /// Our MAC address.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// The port state after the last authentication.
    pub fn port_state(&self) -> PortState {
        self.port
    }

    /// Reports port state changes (authorized on EAP-Success, unauthorized on failure,
    /// restart and logoff) as they happen.
    pub fn on_port_state(&mut self, observer: impl FnMut(PortState) + Send + 'static) {
        self.on_port = Some(Box::new(observer));
    }

    fn set_port(&mut self, state: PortState) {
        if self.port != state {
            self.port = state;
            if let Some(f) = self.on_port.as_mut() {
                f(state);
            }
        }
    }

    /// Gives a copy of every EAPOL frame sent and received to `tap` (a capture writer).
    pub fn set_tap(&mut self, tap: impl Tap + 'static) {
        self.tap = Some(Box::new(tap));
    }

    fn send_frame(&mut self, to: [u8; 6], eapol: &Eapol<'_>) -> Result<(), EapolError> {
        let frame = frame(to, self.mac, eapol);
        if let Some(tap) = &self.tap {
            tap.ethernet(Direction::Sent, SystemTime::now(), &frame);
        }
        let name = self.interface.name.clone();
        match self.tx.send_to(&frame, None) {
            Some(Ok(())) => {
                self.link_works();
                Ok(())
            }
            // Our link is down or gone for now: the frame is lost, as on a lossy link.
            Some(Err(source)) if local_network_error(&source).is_some() => {
                self.local_error = local_network_error(&source);
                self.failed_sends += 1;
                Ok(())
            }
            Some(Err(source)) => Err(EapolError::Io {
                interface: name,
                source,
            }),
            None => Err(EapolError::Io {
                interface: name,
                source: std::io::Error::other("send buffer"),
            }),
        }
    }

    fn link_works(&mut self) {
        self.local_error = None;
        self.failed_sends = 0;
    }

    /// The interface went down or away: what it is now, and a fresh socket on it when it
    /// exists (the old one keeps its pending error; a recreated interface has a new index).
    fn link_trouble(&mut self, reported: Option<LocalNetworkError>) {
        let now = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name == self.interface.name);
        self.local_error = Some(match &now {
            None => LocalNetworkError::InterfaceGone,
            Some(i) if !i.is_up() => LocalNetworkError::LinkDown,
            Some(_) => reported.unwrap_or(LocalNetworkError::LinkDown),
        });
        if let Some(iface) = now {
            if let Ok((tx, rx)) = open_channel(&iface) {
                self.tx = tx;
                self.rx = rx;
                self.interface = iface;
            }
        }
    }

    fn send_start(&mut self) -> Result<(), EapolError> {
        self.send_frame(PAE_GROUP_ADDR, &Eapol::bare(PacketType::Start))
    }

    /// `now` on the start sequence's clock.
    fn clock(&self, now: Instant) -> crate::time::Instant {
        let ms = now.saturating_duration_since(self.origin).as_millis();
        crate::time::Instant::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    /// Where EAP responses and EAPOL-Logoff go.
    fn peer(&self) -> [u8; 6] {
        self.authenticator.unwrap_or(PAE_GROUP_ADDR)
    }

    /// Sends EAPOL-Logoff (once; also on drop).
    pub fn logoff(&mut self) -> Result<(), EapolError> {
        if self.logged_off {
            return Ok(());
        }
        self.logged_off = true;
        self.set_port(PortState::Unauthorized);
        self.send_frame(self.peer(), &Eapol::bare(PacketType::Logoff))
    }
}

/// A packet socket on `iface` (promiscuous, 50 ms read timeout).
fn open_channel(
    iface: &NetworkInterface,
) -> std::io::Result<(Box<dyn DataLinkSender>, Box<dyn DataLinkReceiver>)> {
    let config = pnet_datalink::Config {
        read_timeout: Some(Duration::from_millis(50)),
        promiscuous: true,
        ..Default::default()
    };
    match pnet_datalink::channel(iface, config)? {
        Channel::Ethernet(tx, rx) => Ok((tx, rx)),
        _ => Err(std::io::Error::other("not an Ethernet channel")),
    }
}

/// pnet reports a socket error pending on the packet socket (the kernel sets ENETDOWN on
/// it when the interface goes down or away) as POLLERR, without the error number.
fn is_pending_socket_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Other && e.raw_os_error().is_none()
}

/// An Ethernet frame from `src` to `dst` carrying `eapol`, padded to the 60-octet minimum
/// (without the FCS, which the interface adds).
fn frame(dst: [u8; 6], src: [u8; 6], eapol: &Eapol<'_>) -> Vec<u8> {
    let mut frame = Vec::with_capacity(64);
    frame.extend_from_slice(&dst);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&ETHERTYPE_PAE.to_be_bytes());
    eapol.emit(&mut frame);
    if frame.len() < 60 {
        frame.resize(60, 0);
    }
    frame
}

/// The sender and the EAP packet of `frame`, if it is an EAPOL-EAP frame from an
/// authenticator to `us` (see the module documentation).
fn accept(us: [u8; 6], frame: &[u8]) -> Option<([u8; 6], &[u8])> {
    if frame.len() < 14 || u16::from_be_bytes([frame[12], frame[13]]) != ETHERTYPE_PAE {
        return None;
    }
    let dst: [u8; 6] = frame[0..6].try_into().ok()?;
    let src: [u8; 6] = frame[6..12].try_into().ok()?;
    if src == us || (dst != us && dst != PAE_GROUP_ADDR) {
        return None;
    }
    let eapol = Eapol::parse(&frame[14..]).ok()?;
    if eapol.packet_type != PacketType::EapPacket {
        return None;
    }
    match eapol.body.first().map(|&c| EapCode::from(c)) {
        Some(EapCode::Request | EapCode::Success | EapCode::Failure) => Some((src, eapol.body)),
        _ => None,
    }
}

impl Transport for EapolTransport {
    type Error = EapolError;

    fn start(&mut self) -> Result<(), EapolError> {
        self.starts = StartSequence::new(self.timers, self.clock(Instant::now()));
        self.authenticator = None;
        self.logged_off = false;
        self.set_port(PortState::Unauthorized);
        Ok(())
    }

    fn send(&mut self, eap: &[u8]) -> Result<(), EapolError> {
        self.send_frame(self.peer(), &Eapol::eap(eap))
    }

    fn recv(&mut self, deadline: Instant) -> Result<Received, EapolError> {
        loop {
            let now = Instant::now();
            match self.starts.poll(self.clock(now)) {
                StartStep::SendStart => {
                    self.send_start()?;
                    continue;
                }
                StartStep::NoAuthenticator { starts } => {
                    return Ok(Received::Failed(TransportFailure::NoAuthenticator {
                        starts,
                    }));
                }
                _ => {}
            }
            if now >= deadline {
                return Ok(Received::Timeout);
            }
            match self.rx.next() {
                Ok(frame) => {
                    let is_eapol = frame.get(12..14) == Some(&ETHERTYPE_PAE.to_be_bytes()[..]);
                    if let (Some(tap), true) = (&self.tap, is_eapol) {
                        tap.ethernet(Direction::Received, SystemTime::now(), frame);
                    }
                    self.local_error = None;
                    if let Some((src, eap)) = accept(self.mac, frame) {
                        let eap = eap.to_vec();
                        self.authenticator.get_or_insert(src);
                        self.starts.answered();
                        return Ok(Received::Eap(eap));
                    }
                }
                // The read timeout (nothing arrived), or a signal during the wait.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::Interrupted
                    ) => {}
                // The interface went down (or away): wait for it, as for a silent link.
                Err(source)
                    if local_network_error(&source).is_some()
                        || is_pending_socket_error(&source) =>
                {
                    self.link_trouble(local_network_error(&source));
                    let pause = deadline.saturating_duration_since(Instant::now());
                    std::thread::sleep(pause.min(LINK_DOWN_POLL));
                }
                Err(source) => {
                    return Err(EapolError::Io {
                        interface: self.interface.name.clone(),
                        source,
                    });
                }
            }
        }
    }

    fn finish(&mut self, outcome: &mut AuthOutcome) -> Result<(), EapolError> {
        self.set_port(match outcome {
            AuthOutcome::Authenticated(_) | AuthOutcome::AuthenticatedWithoutKeys { .. } => {
                PortState::Authorized
            }
            AuthOutcome::Failed(_) => PortState::Unauthorized,
        });
        Ok(())
    }

    /// What the start sequence saw; and a timeout while our interface is down or gone is
    /// ours, not the server's.
    fn annotate(&self, diagnosis: &mut Diagnosis) {
        self.starts.annotate(diagnosis);
        if let Some(error) = self.local_error {
            if matches!(
                diagnosis.cause,
                Cause::Timeout { .. } | Cause::Transport(TransportFailure::NoAuthenticator { .. })
            ) {
                diagnosis.cause = Cause::Transport(TransportFailure::LocalNetwork {
                    error,
                    local: LocalEnd::Interface(self.interface.name.clone()),
                    failed_sends: self.failed_sends,
                });
            }
        }
    }
}

/// How often reception looks again at an interface that is down.
const LINK_DOWN_POLL: Duration = Duration::from_millis(200);

impl Drop for EapolTransport {
    fn drop(&mut self) {
        let _ = self.logoff();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
    const AUTH: [u8; 6] = [0x02, 0, 0, 0, 0, 0xaa];
    const OTHER: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
    const IDENTITY_REQUEST: &[u8] = &[1, 7, 0, 5, 1];

    #[test]
    fn short_frames_are_padded_and_long_ones_not() {
        let start = frame(PAE_GROUP_ADDR, US, &Eapol::bare(PacketType::Start));
        assert_eq!(start.len(), 60);
        assert_eq!(start[..6], PAE_GROUP_ADDR);
        assert_eq!(start[6..12], US);
        assert_eq!(start[12..18], [0x88, 0x8e, 2, 1, 0, 0]);
        assert!(start[18..].iter().all(|&b| b == 0));
        let body = [2u8; 100];
        let long = frame(AUTH, US, &Eapol::eap(&body));
        assert_eq!(long.len(), 14 + 4 + 100);
    }

    #[test]
    fn takes_requests_to_us_or_the_group_and_drops_padding() {
        for dst in [US, PAE_GROUP_ADDR] {
            let f = frame(dst, AUTH, &Eapol::eap(IDENTITY_REQUEST));
            assert_eq!(f.len(), 60, "padded as a real NIC would");
            assert_eq!(accept(US, &f), Some((AUTH, IDENTITY_REQUEST)));
        }
        for eap in [&[3u8, 9, 0, 4][..], &[4, 9, 0, 4]] {
            let f = frame(PAE_GROUP_ADDR, AUTH, &Eapol::eap(eap));
            assert_eq!(accept(US, &f), Some((AUTH, eap)));
        }
    }

    #[test]
    fn drops_what_is_not_for_us() {
        let request = Eapol::eap(IDENTITY_REQUEST);
        // Another station's unicast frame (promiscuous mode shows it).
        assert_eq!(accept(US, &frame(OTHER, AUTH, &request)), None);
        // Our own frames, which the packet socket also sees.
        assert_eq!(accept(US, &frame(PAE_GROUP_ADDR, US, &request)), None);
        // Another supplicant's EAP-Response to the group address.
        let response = Eapol::eap(&[2, 7, 0, 5, 1]);
        assert_eq!(accept(US, &frame(PAE_GROUP_ADDR, OTHER, &response)), None);
        // EAPOL-Start / Logoff / Key, and empty or truncated EAPOL-EAP bodies.
        for t in [PacketType::Start, PacketType::Logoff, PacketType::Key] {
            assert_eq!(accept(US, &frame(US, AUTH, &Eapol::bare(t))), None);
        }
        assert_eq!(accept(US, &frame(US, AUTH, &Eapol::eap(&[]))), None);
        let mut truncated = frame(US, AUTH, &Eapol::eap(IDENTITY_REQUEST));
        truncated[16..18].copy_from_slice(&100u16.to_be_bytes());
        assert_eq!(accept(US, &truncated), None);
        // Another EtherType, and runts.
        let mut ip = frame(US, AUTH, &request);
        ip[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
        assert_eq!(accept(US, &ip), None);
        assert_eq!(accept(US, &[0u8; 13]), None);
    }
}
