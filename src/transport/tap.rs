//! Taps: a copy of every packet a transport sends and receives, for a capture writer or a
//! logger, without the transport knowing what it is written to.

use std::net::SocketAddr;
use std::time::SystemTime;

/// Which way a packet went, seen from this host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// We sent it.
    Sent,
    /// We received it.
    Received,
}

/// Receives a copy of each packet a transport sends and receives, as on the wire, with the
/// time it went (set with `RadiusTransport::set_tap` or `EapolTransport::set_tap`). Called
/// from the transport's loop, between sending and receiving: keep it quick, and keep
/// failures to yourself (a capture that cannot be written does not stop an
/// authentication). The crate's pcapng writer is one (behind `eap::unstable::capture`).
pub trait Tap: Send {
    /// An Ethernet frame carrying EAPOL (IEEE 802.1X), header included.
    fn ethernet(&self, direction: Direction, at: SystemTime, frame: &[u8]);

    /// A UDP datagram (RADIUS) between our socket's `local` address and the `peer`.
    fn udp(
        &self,
        direction: Direction,
        at: SystemTime,
        local: SocketAddr,
        peer: SocketAddr,
        datagram: &[u8],
    );
}
