//! 802.1X on a wired Linux interface (IEEE 802.1X-2010 §11, §8 supplicant PAE): EAPOL frames
//! with EtherType 0x888E to the PAE group address 01:80:C2:00:00:03, EAPOL-Start with the
//! start timers, EAPOL-Logoff on shutdown, and the port state.
//!
//! The socket is an AF_PACKET layer-2 channel from `pnet_datalink` (root or CAP_NET_RAW);
//! the interface is put in promiscuous mode so frames to the group address arrive.

use super::drive::{Outcome, Received, Transport};
use crate::diagnosis::TransportFailure;
use crate::wire::eapol::{ETHERTYPE_PAE, Eapol, PAE_GROUP_ADDR, PacketType};
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use pnet_datalink::{Channel, DataLinkReceiver, DataLinkSender, NetworkInterface};
use std::time::Instant;

/// Supplicant PAE timers (IEEE 802.1X-2010 §8.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EapolTimers {
    /// Time between EAPOL-Starts while no authenticator answers (startPeriod, default 30 s).
    pub start_period: Duration,
    /// EAPOL-Starts before giving up (maxStart, default 3).
    pub max_starts: u32,
}

impl Default for EapolTimers {
    fn default() -> Self {
        EapolTimers {
            start_period: Duration::from_secs(30),
            max_starts: 3,
        }
    }
}

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
    starts: u32,
    last_start: Option<Instant>,
    heard: bool,
    authenticator: Option<[u8; 6]>,
    port: PortState,
    logged_off: bool,
}

impl core::fmt::Debug for EapolTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EapolTransport")
            .field("interface", &self.interface.name)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

use alloc::boxed::Box;

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
        let config = pnet_datalink::Config {
            read_timeout: Some(Duration::from_millis(50)),
            promiscuous: true,
            ..Default::default()
        };
        let io = |source| EapolError::Io {
            interface: interface.into(),
            source,
        };
        let (tx, rx) = match pnet_datalink::channel(&iface, config).map_err(io)? {
            Channel::Ethernet(tx, rx) => (tx, rx),
            _ => return Err(io(std::io::Error::other("not an Ethernet channel"))),
        };
        Ok(EapolTransport {
            interface: iface,
            mac,
            tx,
            rx,
            timers,
            starts: 0,
            last_start: None,
            heard: false,
            authenticator: None,
            port: PortState::Unauthorized,
            logged_off: false,
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

    fn send_frame(&mut self, eapol: &Eapol<'_>) -> Result<(), EapolError> {
        let mut frame = Vec::with_capacity(64);
        frame.extend_from_slice(&self.authenticator.unwrap_or(PAE_GROUP_ADDR));
        frame.extend_from_slice(&self.mac);
        frame.extend_from_slice(&ETHERTYPE_PAE.to_be_bytes());
        eapol.emit(&mut frame);
        if frame.len() < 60 {
            frame.resize(60, 0);
        }
        let name = self.interface.name.clone();
        match self.tx.send_to(&frame, None) {
            Some(Ok(())) => Ok(()),
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

    fn send_start(&mut self) -> Result<(), EapolError> {
        self.starts += 1;
        self.last_start = Some(Instant::now());
        self.send_frame(&Eapol::bare(PacketType::Start))
    }

    /// Sends EAPOL-Logoff (once; also on drop).
    pub fn logoff(&mut self) -> Result<(), EapolError> {
        if self.logged_off {
            return Ok(());
        }
        self.logged_off = true;
        self.port = PortState::Unauthorized;
        self.send_frame(&Eapol::bare(PacketType::Logoff))
    }

    /// One EAP packet addressed to us, if `frame` is one.
    fn accept(&mut self, frame: &[u8]) -> Option<Vec<u8>> {
        if frame.len() < 14 || u16::from_be_bytes([frame[12], frame[13]]) != ETHERTYPE_PAE {
            return None;
        }
        let dst: [u8; 6] = frame[0..6].try_into().ok()?;
        let src: [u8; 6] = frame[6..12].try_into().ok()?;
        if src == self.mac || (dst != self.mac && dst != PAE_GROUP_ADDR) {
            return None;
        }
        let eapol = Eapol::parse(&frame[14..]).ok()?;
        if eapol.packet_type != PacketType::EapPacket {
            return None;
        }
        self.authenticator.get_or_insert(src);
        Some(eapol.body.to_vec())
    }
}

impl Transport for EapolTransport {
    type Error = EapolError;

    fn start(&mut self) -> Result<(), EapolError> {
        self.starts = 0;
        self.heard = false;
        self.logged_off = false;
        self.port = PortState::Unauthorized;
        self.send_start()
    }

    fn send(&mut self, eap: &[u8]) -> Result<(), EapolError> {
        self.send_frame(&Eapol::eap(eap))
    }

    fn recv(&mut self, deadline: Instant) -> Result<Received, EapolError> {
        loop {
            let now = Instant::now();
            if !self.heard {
                let due = self
                    .last_start
                    .map(|t| t + self.timers.start_period)
                    .unwrap_or(now);
                if now >= due {
                    if self.starts >= self.timers.max_starts {
                        return Ok(Received::Failed(TransportFailure::NoAuthenticator {
                            starts: self.starts,
                        }));
                    }
                    self.send_start()?;
                }
            }
            if now >= deadline {
                return Ok(Received::Timeout);
            }
            match self.rx.next() {
                Ok(frame) => {
                    let frame = frame.to_vec();
                    if let Some(eap) = self.accept(&frame) {
                        self.heard = true;
                        return Ok(Received::Eap(eap));
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) => {}
                Err(source) => {
                    return Err(EapolError::Io {
                        interface: self.interface.name.clone(),
                        source,
                    });
                }
            }
        }
    }

    fn finish(&mut self, outcome: &mut Outcome) -> Result<(), EapolError> {
        self.port = match outcome {
            Outcome::Authenticated(_) => PortState::Authorized,
            Outcome::Failed(_) => PortState::Unauthorized,
        };
        Ok(())
    }
}

impl Drop for EapolTransport {
    fn drop(&mut self) {
        let _ = self.logoff();
    }
}
