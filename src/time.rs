//! Caller-supplied time.
//!
//! The core never reads a clock: every [`Input`](crate::Input) carries the caller's `now`,
//! a monotonic count of milliseconds from any origin the caller likes (boot, process start,
//! a virtual clock in tests). Deadlines handed back in
//! [`Output::Idle`](crate::Output::Idle) are on the same scale.

use core::ops::Add;
use core::time::Duration;

/// A point on the caller's monotonic clock, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The origin of the caller's clock.
    pub const ZERO: Instant = Instant(0);

    /// An instant `ms` milliseconds after the caller's origin.
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms)
    }

    /// Milliseconds since the caller's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at the end of time rather than overflowing.
    fn add(self, d: Duration) -> Instant {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_add(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_since() {
        let t = Instant::from_millis(1_000);
        let u = t + Duration::from_millis(250);
        assert_eq!(u.as_millis(), 1_250);
        assert_eq!(u.saturating_duration_since(t), Duration::from_millis(250));
        assert_eq!(t.saturating_duration_since(u), Duration::ZERO);
        assert_eq!((t + Duration::MAX).as_millis(), u64::MAX);
    }
}
