//! The transport vocabulary of a diagnosis: what the link (RADIUS, EAPOL) reports when
//! the EAP conversation could not run over it.

use alloc::string::String;
use core::fmt::{self, Display, Formatter};

/// A local network error: our side of the path, not the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalNetworkError {
    /// No route to the server's network (`ENETUNREACH`).
    NetworkUnreachable,
    /// No route to the server (`EHOSTUNREACH`).
    HostUnreachable,
    /// The kernel had no buffer space for the packet (`ENOBUFS`).
    NoBufferSpace,
    /// The link or interface is down (`ENETDOWN`).
    LinkDown,
    /// The interface no longer exists (`ENODEV`, `ENXIO`).
    InterfaceGone,
}

impl Display for LocalNetworkError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocalNetworkError::NetworkUnreachable => "network unreachable",
            LocalNetworkError::HostUnreachable => "host unreachable",
            LocalNetworkError::NoBufferSpace => "no buffer space",
            LocalNetworkError::LinkDown => "link down",
            LocalNetworkError::InterfaceGone => "interface gone",
        })
    }
}

/// Where on our side a [`LocalNetworkError`] happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalEnd {
    /// Our address (RADIUS: the socket's local address, when the kernel had chosen one).
    Address(core::net::IpAddr),
    /// Our interface (EAPOL).
    Interface(String),
    /// Not known (no route, so no source address was chosen).
    Unknown,
}

impl Display for LocalEnd {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            LocalEnd::Address(a) => write!(f, " from {a}"),
            LocalEnd::Interface(i) => write!(f, " on interface {i}"),
            LocalEnd::Unknown => Ok(()),
        }
    }
}

/// A failure below EAP: the RADIUS exchange or the 802.1X port.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFailure {
    /// A RADIUS reply failed its Response Authenticator or Message-Authenticator check.
    WrongSharedSecret,
    /// No reply after every retransmission.
    NoReply {
        /// Requests sent, the first included.
        attempts: u32,
        /// The server had answered earlier requests of this authentication: its address
        /// and secret are right, and the replies were lost on the path or it stopped.
        answered_before: bool,
    },
    /// No EAP-Request after every EAPOL-Start (no authenticator on this port).
    NoAuthenticator {
        /// EAPOL-Starts sent.
        starts: u32,
    },
    /// The RADIUS server sent an Access-Accept whose MS-MPPE keys differ from our MSK.
    KeyMismatch,
    /// Our side could not send: a local network error that lasted through every attempt
    /// (it is retried as a lost packet is, and reported only if it persists).
    LocalNetwork {
        /// The last error.
        error: LocalNetworkError,
        /// Where.
        local: LocalEnd,
        /// Sends that failed with a local error.
        failed_sends: u32,
    },
    /// Every reply lacked a Message-Authenticator and was dropped (required in every reply:
    /// RFC 3579 §3.2, and Blast-RADIUS, CVE-2024-3596).
    NoMessageAuthenticator {
        /// Replies dropped for it.
        replies: u32,
    },
    /// An Access-Accept without an EAP-Success: the server's fault (RFC 3579 §2.6.3); we do
    /// not make one up.
    AcceptWithoutEapSuccess {
        /// The Code of the EAP packet it carried instead, if it carried one.
        eap_code: Option<u8>,
    },
    /// Nothing listens on the server's port: the host answered our Access-Request with an
    /// ICMP port unreachable (`ECONNREFUSED` on the connected socket). Ends the attempt at
    /// once, without retransmissions.
    ConnectionRefused {
        /// The address the requests went to.
        server: core::net::SocketAddr,
    },
}

impl Display for TransportFailure {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TransportFailure::WrongSharedSecret => {
                f.write_str("the RADIUS reply failed authentication: the shared secret is wrong")
            }
            TransportFailure::NoReply {
                attempts,
                answered_before,
            } => {
                write!(
                    f,
                    "no reply from the RADIUS server after {attempts} attempts"
                )?;
                if *answered_before {
                    f.write_str(", though it had answered our earlier requests")?;
                }
                Ok(())
            }
            TransportFailure::NoAuthenticator { starts } => {
                write!(
                    f,
                    "no EAP-Request after {starts} EAPOL-Start frames: no 802.1X authenticator answers on this port"
                )
            }
            TransportFailure::KeyMismatch => {
                f.write_str("the MS-MPPE keys in the Access-Accept differ from the MSK we derived")
            }
            TransportFailure::LocalNetwork {
                error,
                local,
                failed_sends,
            } => write!(
                f,
                "our side could not send: {error}{local} ({failed_sends} sends failed, the last one included)"
            ),
            TransportFailure::NoMessageAuthenticator { replies } => write!(
                f,
                "the RADIUS server's replies carry no Message-Authenticator, which every reply must (Blast-RADIUS, CVE-2024-3596); {replies} such replies dropped, and none with one answered our last request"
            ),
            TransportFailure::AcceptWithoutEapSuccess { eap_code: None } => f.write_str(
                "the RADIUS server sent an Access-Accept without an EAP-Message, so without the EAP-Success that must end the conversation",
            ),
            TransportFailure::AcceptWithoutEapSuccess {
                eap_code: Some(code),
            } => write!(
                f,
                "the RADIUS server sent an Access-Accept whose EAP-Message is not an EAP-Success (EAP Code {code})"
            ),
            TransportFailure::ConnectionRefused { server } => {
                write!(f, "nothing answers on {server} (connection refused)")
            }
        }
    }
}

impl TransportFailure {
    pub(super) fn hint(&self) -> &'static str {
        match self {
            TransportFailure::WrongSharedSecret => {
                "use the secret configured for this client in the RADIUS server's clients.conf"
            }
            TransportFailure::NoReply {
                answered_before: true,
                ..
            } => {
                "packets were lost between us and the server, or the server stopped: retry (the restart-once option does it automatically), and check the path for loss"
            }
            TransportFailure::NoReply { .. } => {
                "check the server address and port, and the shared secret (FreeRADIUS drops requests with a wrong secret silently)"
            }
            TransportFailure::NoAuthenticator { .. } => {
                "there is no authenticator on this port, or 802.1X is disabled on the switch port: check the port's configuration and that the cable is in the right port"
            }
            TransportFailure::KeyMismatch => {
                "the server derived different keys: report this with a capture"
            }
            TransportFailure::LocalNetwork { .. } => {
                "the fault is on this machine, not the server: check this host's link, interface, address and route (ip link, ip route), then retry"
            }
            TransportFailure::NoMessageAuthenticator { .. } => {
                "make the server send Message-Authenticator in every reply (FreeRADIUS 3.2 does; others need an update or a setting against CVE-2024-3596); if it does, something on the path strips it"
            }
            TransportFailure::AcceptWithoutEapSuccess { .. } => {
                "the RADIUS server (or a proxy on the way) broke RFC 3579: an Access-Accept must carry the EAP-Success; its log and a capture show why"
            }
            TransportFailure::ConnectionRefused { .. } => {
                "the host is up but no RADIUS server listens on that port: check the port (1812 for authentication) and that the server is running"
            }
        }
    }
}
