//! The edge: moving EAP packets. The only layer with I/O (feature `std`).
//!
//! - [`mod@drive`]: the [`Transport`] trait and the blocking loop that runs a supplicant over one;
//! - [`eapol`]: wired 802.1X on Linux (feature `eapol`), its start sequence in [`pae`]
//!   (sans-IO, any platform);
//! - `radius`: a NAS-side RADIUS client, as `eapol_test`, over a [`socket::DatagramSocket`],
//!   a loop over the sans-IO [`radius_client`];
//! - [`load`]: many sessions in flight from one thread over a socket pool (load mode);
//! - [`probe`]: which TLS versions a server accepts and whether Android 11 / Windows 11
//!   clients would accept it;
//! - [`report`]: what an operator's tool reports (JSON, summary, monitoring verdict);
//! - [`retry`]: the retransmission policy on the caller's clock, and which errors are local.

pub mod drive;
#[cfg(all(feature = "eapol", target_os = "linux"))]
pub mod eapol;
pub mod json;
pub mod load;
pub mod pae;
pub mod probe;
pub mod radius;
pub mod radius_client;
pub mod report;
pub mod retry;
pub mod socket;

pub use drive::{Outcome, Received, Transport, drive, reauthenticate};
