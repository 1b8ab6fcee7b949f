//! The datagram socket under [`RadiusTransport`](super::radius::RadiusTransport): a
//! connected UDP socket, or anything that behaves like one (tests put one in front that
//! fails sends, to see local network errors handled).

use super::retry::local_network_error;
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

/// A UDP socket for one server, connected when the route allows: with no route yet
/// (network unreachable at start), it connects at the first send that can, so a host whose
/// link is still coming up gets the same retries as one whose link went down.
#[derive(Debug)]
pub struct UdpClient {
    socket: UdpSocket,
    server: SocketAddr,
    connected: bool,
}

impl UdpClient {
    /// Binds an ephemeral port of the server's address family and connects to `server`.
    pub fn new(server: SocketAddr) -> io::Result<Self> {
        let bind: SocketAddr = if server.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let mut client = UdpClient {
            socket: UdpSocket::bind(bind)?,
            server,
            connected: false,
        };
        match client.connect() {
            Err(e) if local_network_error(&e).is_none() => Err(e),
            _ => Ok(client),
        }
    }

    fn connect(&mut self) -> io::Result<()> {
        if !self.connected {
            self.socket.connect(self.server)?;
            self.connected = true;
        }
        Ok(())
    }
}

impl DatagramSocket for UdpClient {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        self.connect()?;
        DatagramSocket::send(&mut self.socket, datagram)
    }

    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        if !self.connected {
            // Nothing was sent, so nothing can be answered.
            std::thread::sleep(wait);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        DatagramSocket::recv(&mut self.socket, buf, wait)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }
}
