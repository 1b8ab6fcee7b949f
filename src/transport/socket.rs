//! The datagram socket under [`RadiusTransport`](super::radius::RadiusTransport): a
//! connected UDP socket, or anything that behaves like one (tests put one in front that
//! fails sends, to see local network errors handled).

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// A connected datagram socket.
pub trait DatagramSocket: Send {
    /// Sends one datagram to the connected peer.
    fn send(&mut self, datagram: &[u8]) -> io::Result<()>;
    /// Waits up to `wait` for one datagram (`WouldBlock` / `TimedOut` when none came).
    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize>;
    /// Our address (for captures, logs and diagnoses).
    fn local_addr(&self) -> io::Result<SocketAddr>;
}

impl DatagramSocket for UdpSocket {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        UdpSocket::send(self, datagram).map(drop)
    }

    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        self.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        UdpSocket::recv(self, buf)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        UdpSocket::local_addr(self)
    }
}
