//! **Outside semver.** The crate's building blocks, public only so that its own fuzz
//! targets, tests, benches and command-line tools can reach them: any release may change or
//! remove anything here, in a patch release too. An application needs none of it; what it
//! needs is re-exported at the crate root and in [`diagnosis`](crate::diagnosis),
//! [`tls`](crate::tls), [`transport`](crate::transport) and [`testing`](crate::testing).
//!
//! - [`wire`]: the packet codecs (EAP, EAPOL, RADIUS, TLS framing, PEAP and TTLS payloads);
//! - [`crypto`]: the key and response computations, each checked against published vectors;
//! - [`capture`]: pcapng writing, and reading and explaining captures (the `explain` tool);
//! - [`report`], [`json`], [`probe`], [`load`]: what the `radius_auth` tool reports and its
//!   probe and load modes;
//! - `fuzzing`: the fuzz target bodies (feature `testing`).
//!
//! The stable surface is small on purpose (see the crate's CHANGELOG): if you find yourself
//! importing from here, open an issue saying what for, so it can get a stable home.

pub mod crypto;
pub mod wire;

#[cfg(feature = "std")]
pub mod capture;
#[cfg(all(feature = "testing", feature = "capture"))]
pub mod fuzzing;
#[cfg(feature = "std")]
pub mod json;
#[cfg(feature = "radius")]
pub mod load;
#[cfg(feature = "radius")]
pub mod probe;
#[cfg(feature = "std")]
pub mod report;
