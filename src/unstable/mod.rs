//! **Outside semver.** A window onto the crate's building blocks, public only so that its
//! own fuzz targets, tests, benches and command-line tools can reach them: any release may
//! change or remove anything here, in a patch release too. An application needs none of
//! it; what it needs is re-exported at the crate root and in [`diagnosis`](crate::diagnosis),
//! [`tls`](crate::tls), [`transport`](crate::transport) and [`testing`](crate::testing).
//!
//! This module holds `pub use` lines only, like rustls's `internal` and str0m's
//! `unversioned`: the code lives where the layers put it (`src/wire`, `src/crypto` on the
//! ground floor; `src/tools` for the command-line tools' library side; the fuzz bodies with
//! the test support), and the window is visible in the documentation so that its readers
//! know what they are leaning on.
//!
//! - [`wire`]: the packet codecs (EAP, EAPOL, RADIUS, TLS framing, PEAP and TTLS payloads);
//! - [`crypto`]: the key and response computations, each checked against published vectors;
//! - [`capture`]: pcapng writing, and reading and explaining captures (the `explain` tool);
//! - [`report`], [`json`], [`probe`], [`load`]: what the `radius_auth` tool reports and its
//!   probe and load modes;
//! - `fuzzing`: the fuzz target bodies (features `testing` and `capture`).
//!
//! The stable surface is small on purpose (see the crate's CHANGELOG): if you find yourself
//! importing from here, open an issue saying what for, so it can get a stable home.

/// The packet codecs (`src/wire`).
pub mod wire {
    pub use crate::wire::*;
}

/// The key and response computations (`src/crypto`).
pub mod crypto {
    pub use crate::crypto::*;
}

/// Signing and checking whole RADIUS packets (`src/transport/radius_auth.rs`).
#[cfg(feature = "radius")]
pub mod radius_auth {
    pub use crate::transport::radius_auth::*;
}

/// Writing pcapng captures; reading and explaining captures (`src/tools/capture`).
#[cfg(feature = "std")]
pub mod capture {
    pub use crate::tools::capture::*;
}

/// 802.11 frame and monitor-header builders for tests (`src/testing/air.rs`).
#[cfg(feature = "testing")]
pub mod air {
    pub use crate::testing::air::*;
}

/// The fuzz target bodies (`src/testing/fuzzing.rs`).
#[cfg(all(feature = "testing", feature = "capture"))]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::testing::fuzzing::*;
}

/// The JSON writer of the tools' reports (`src/tools/json.rs`).
#[cfg(feature = "std")]
pub mod json {
    pub use crate::tools::json::*;
}

/// `radius_auth`'s load mode (`src/tools/load.rs`).
#[cfg(feature = "radius")]
pub mod load {
    pub use crate::tools::load::*;
}

/// `radius_auth`'s probe mode (`src/tools/probe.rs`).
#[cfg(feature = "radius")]
pub mod probe {
    pub use crate::tools::probe::*;
}

/// What `radius_auth` reports: `--json`, `--nagios` (`src/tools/report.rs`).
#[cfg(feature = "std")]
pub mod report {
    pub use crate::tools::report::*;
}
