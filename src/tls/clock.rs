//! Wall time for certificate dates, as an explicit policy.
//!
//! The core's own timers run on the caller's monotonic [`Instant`](crate::Instant); only
//! the validity of certificates needs the calendar. Hosts read the system clock. Firmware
//! often has no clock before it joins the network (it learns the time over the network it
//! is trying to join), so it may choose [`CertificateTime::NoClock`] with a floor: the
//! chain and the names are still checked, and a certificate that had expired before the
//! floor (say, the firmware's build date) is still refused.

use alloc::sync::Arc;
use core::fmt;
use core::time::Duration;
use rustls::pki_types::UnixTime;

/// A source of the current time, in seconds since the Unix epoch (an RTC, a clock set by
/// SNTP, the system clock).
pub trait UnixClock: Send + Sync + fmt::Debug {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn unix_seconds(&self) -> u64;
}

/// A time fixed when the configuration was made (firmware that learnt the time once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedTime(pub u64);

impl UnixClock for FixedTime {
    fn unix_seconds(&self) -> u64 {
        self.0
    }
}

/// The host's system clock (feature `std`).
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl UnixClock for SystemClock {
    fn unix_seconds(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// How certificate dates are checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CertificateTime {
    /// Against this clock: every certificate of the chain must be valid now.
    Clock(Arc<dyn UnixClock>),
    /// There is no clock. Chain and names are checked as usual; the dates are checked
    /// against the earliest instant at or after `floor` (seconds since the Unix epoch, e.g.
    /// the firmware's build date) at which every certificate of the chain is valid, so a
    /// certificate that expired before the floor is refused. Events and diagnoses say that
    /// the dates were not checked against a clock.
    NoClock {
        /// The earliest time the device accepts, seconds since the Unix epoch.
        floor: u64,
    },
}

impl CertificateTime {
    /// The floor under [`CertificateTime::NoClock`].
    pub(crate) fn floor(&self) -> Option<i64> {
        match self {
            CertificateTime::Clock(_) => None,
            CertificateTime::NoClock { floor } => Some(i64::try_from(*floor).unwrap_or(i64::MAX)),
        }
    }

    /// The time given to the TLS library (ticket lifetimes; certificate dates are ours).
    fn seconds(&self) -> u64 {
        match self {
            CertificateTime::Clock(c) => c.unix_seconds(),
            CertificateTime::NoClock { floor } => *floor,
        }
    }
}

#[cfg(feature = "std")]
impl Default for CertificateTime {
    /// The system clock.
    fn default() -> Self {
        CertificateTime::Clock(Arc::new(SystemClock))
    }
}

/// The policy as rustls's time provider (rustls without std has no clock of its own).
#[derive(Debug)]
pub(crate) struct RustlsTime(pub(crate) CertificateTime);

impl rustls::time_provider::TimeProvider for RustlsTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(
            self.0.seconds(),
        )))
    }
}
