#![doc = include_str!("crate_doc.md")]
#![no_std]
#![forbid(unsafe_code)]
// docs.rs: a badge on each item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
// Failures carry their whole explanation (certificate details, what we offered, the TLS
// library's error) by value: they happen once per authentication, and a `Box` in every
// public error type would cost more in clarity than the copy costs in time.
#![allow(clippy::result_large_err)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The public surface: the core types at the root, one path each, and five modules
// (`diagnosis`, `tls`, `lint`, `transport`, `testing`). Everything else is private, or in
// `unstable` (outside semver: a window of re-exports for the crate's own tools, tests and
// fuzz targets). The foundations (`wire`, `crypto`) are on the ground floor, private.
mod config;
mod crypto;
mod event;
mod method;
mod method_type;
mod peer;
mod secret;
mod supplicant;
mod text;
mod time;
#[cfg(feature = "std")]
mod tools;
mod wire;

pub mod diagnosis;
pub mod lint;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;
#[cfg(feature = "std")]
pub mod transport;
pub mod unstable;

pub use config::{Config, ConfigBuilder, ConfigError, Cryptobinding, Limits};
pub use diagnosis::kind::FailureKind;
pub use diagnosis::report::Diagnosis;
pub use event::{Event, Input, Keys, Output};
pub use method_type::{MethodType, TeapInner, TtlsInner};
/// The TLS library this crate drives, re-exported so that its types in this crate's API
/// (certificates, crypto providers, errors) need no separate dependency to name.
pub use rustls;

/// The README's Rust examples, compiled (and run, unless marked `no_run`) as doctests by
/// `cargo test --doc`: a snippet that names a private path or an old signature fails the
/// build. Exists only for doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub use secret::{Emsk, Msk, NtHash, Password, Secret, SecretVec};
pub use supplicant::{ApiError, Supplicant};
pub use time::Instant;
/// EAPOL framing for a link layer of your own (firmware): the 4-octet 802.1X header.
pub use wire::eapol::{Eapol, PacketType as EapolType};
