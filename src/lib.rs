#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod crypto;
pub mod secret;
pub mod time;
pub mod wire;

pub use time::Instant;
