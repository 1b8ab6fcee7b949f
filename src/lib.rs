#![doc = include_str!("crate_doc.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Failures carry their whole explanation (certificate details, what we offered, the TLS
// library's error) by value: they happen once per authentication, and a `Box` in every
// public error type would cost more in clarity than the copy costs in time.
#![allow(clippy::result_large_err)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod crypto;
pub mod secret;
pub mod time;
pub mod wire;

pub use time::Instant;
pub mod config;
pub mod diagnosis;
pub mod tls;
pub use config::Config;
pub mod event;
pub mod lint;
pub use event::{Event, Input, Keys, Output};
mod method;
mod peer;
pub mod supplicant;
pub use supplicant::{ApiError, Supplicant};
#[cfg(feature = "std")]
pub mod capture;
#[cfg(all(feature = "testing", feature = "capture"))]
pub mod fuzzing;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "std")]
pub mod transport;
