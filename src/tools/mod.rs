//! The command-line tools' library side: a product on top of the library, reached by the
//! binaries (`src/bin`) through the [`unstable`](crate::unstable) window.
//!
//! A tree of this crate behind features rather than a workspace crate of its own: the
//! explainer words a captured failure with the very constructors the live methods use
//! (`diagnosis`'s, crate-private), the report reads the diagnosis types whole, and the CLIs
//! are one package with the library (one version, one lock file, `cargo install --features
//! cli`). As a separate crate, each of those crate-private readings would have to become a
//! public promise or go through the window anyway.

#[cfg(feature = "std")]
pub mod capture;
#[cfg(feature = "std")]
pub mod json;
#[cfg(feature = "radius")]
pub mod load;
#[cfg(feature = "radius")]
pub mod probe;
#[cfg(feature = "std")]
pub mod report;
