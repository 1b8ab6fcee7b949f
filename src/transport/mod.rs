//! The edge: moving EAP packets. The only layer with I/O (feature `std`).
//!
//! - [`drive()`] runs a [`Supplicant`](crate::Supplicant) over a [`Transport`] until it
//!   ends, and [`reauthenticate`] runs it again over the same link;
//! - [`RadiusTransport`] (feature `radius`): a NAS-side RADIUS client, as `eapol_test`, over a
//!   [`DatagramSocket`] ([`UdpClient`] by default), retransmitting as its
//!   [`RadiusConfig`] says;
//! - [`EapolTransport`]: wired 802.1X on Linux (feature `eapol`), its start sequence timed by
//!   [`EapolTimers`] and run by the sans-IO [`StartSequence`];
//! - a [`Tap`] on either receives a copy of each packet (a capture writer).

mod drive;
#[cfg(all(feature = "eapol", target_os = "linux"))]
mod eapol;
mod pae;
#[cfg(feature = "radius")]
mod radius;
#[cfg(feature = "radius")]
pub(crate) mod radius_auth;
#[cfg(feature = "radius")]
pub(crate) mod radius_client;
#[cfg_attr(not(feature = "radius"), allow(dead_code))]
pub(crate) mod retry;
#[cfg(feature = "radius")]
mod socket;
mod tap;

pub use drive::{AuthOutcome, Received, Transport, drive, reauthenticate};
#[cfg(all(feature = "eapol", target_os = "linux"))]
pub use eapol::{EapolError, EapolTransport, PortObserver, PortState};
pub use pae::{EapolTimers, StartSequence, StartStep};
#[cfg(feature = "radius")]
pub use radius::{RadiusConfig, RadiusTransport};
#[cfg(feature = "radius")]
pub use radius_client::MppeKeys;
#[cfg(feature = "radius")]
pub use socket::{DatagramSocket, UdpClient};
pub use tap::{Direction, Tap};
