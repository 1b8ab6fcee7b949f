//! The supplicant PAE's start sequence (IEEE 802.1X-2010 §8.8, the CONNECTING state):
//! EAPOL-Start every startPeriod until the authenticator answers, at most maxStart of them,
//! then "no authenticator on this port". Sans-IO, on the caller's clock: the EAPOL transport
//! drives it with the host's monotonic clock, tests with a virtual one.
//!
//! The supplicant's own limits (silence, overall) only start with the authenticator's first
//! packet, so a lost EAPOL-Start costs one startPeriod and never races with them: with the
//! defaults (30 s, 3 Starts) the third Start goes out at 60 s and the sequence gives up at
//! 90 s, whatever the supplicant's limits are.

use crate::diagnosis::{Diagnosis, LowerLayer};
use crate::time::Instant;
use core::time::Duration;

/// Supplicant PAE timers (IEEE 802.1X-2010 §8.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EapolTimers {
    /// Time between EAPOL-Starts while no authenticator answers (startPeriod, default 30 s).
    pub start_period: Duration,
    /// EAPOL-Starts before giving up (maxStart, default 3).
    pub max_starts: u32,
}

impl EapolTimers {
    /// Timers with this `startPeriod` and `maxStart`.
    pub fn new(start_period: Duration, max_starts: u32) -> Self {
        EapolTimers {
            start_period,
            max_starts,
        }
    }
}

impl Default for EapolTimers {
    fn default() -> Self {
        EapolTimers {
            start_period: Duration::from_secs(30),
            max_starts: 3,
        }
    }
}

/// What the start sequence asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartStep {
    /// Send an EAPOL-Start now, then poll again.
    SendStart,
    /// Nothing to send until this time, unless the authenticator answers first.
    WaitUntil(Instant),
    /// Every EAPOL-Start went unanswered for a whole startPeriod: no authenticator.
    NoAuthenticator {
        /// EAPOL-Starts sent.
        starts: u32,
    },
    /// The authenticator has answered: no more Starts.
    Answered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Starts sent so far, and when the next one is due.
    Connecting { starts: u32, next: Instant },
    /// An EAP packet came from the authenticator.
    Answered,
    /// maxStart Starts went unanswered.
    GaveUp { starts: u32 },
}

/// The EAPOL-Start sequence of one authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartSequence {
    timers: EapolTimers,
    state: State,
}

impl StartSequence {
    /// A sequence whose first EAPOL-Start is due at `now`.
    pub fn new(timers: EapolTimers, now: Instant) -> Self {
        StartSequence {
            timers,
            state: State::Connecting {
                starts: 0,
                next: now,
            },
        }
    }

    /// What to do at `now`. Call it again after each [`StartStep::SendStart`].
    #[must_use = "the step says what to send and when to poll again"]
    pub fn poll(&mut self, now: Instant) -> StartStep {
        match self.state {
            State::Connecting { starts, next } if now >= next => {
                if starts >= self.timers.max_starts {
                    self.state = State::GaveUp { starts };
                    StartStep::NoAuthenticator { starts }
                } else {
                    self.state = State::Connecting {
                        starts: starts + 1,
                        next: now + self.timers.start_period,
                    };
                    StartStep::SendStart
                }
            }
            State::Connecting { next, .. } => StartStep::WaitUntil(next),
            State::Answered => StartStep::Answered,
            State::GaveUp { starts } => StartStep::NoAuthenticator { starts },
        }
    }

    /// An EAP packet came from the authenticator: the sequence is over.
    pub fn answered(&mut self) {
        self.state = State::Answered;
    }

    /// True once the authenticator has answered.
    pub fn is_answered(&self) -> bool {
        self.state == State::Answered
    }

    /// Adds the link to a diagnosis, so that its hint speaks of the authenticator and the
    /// switch port, not of a RADIUS server and its shared secret.
    pub fn annotate(&self, diagnosis: &mut Diagnosis) {
        diagnosis.lower_layer = Some(LowerLayer::Eapol {
            authenticator_answered: self.is_answered(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> Instant {
        Instant::from_millis(s * 1000)
    }

    #[test]
    fn starts_every_period_then_gives_up() {
        let mut seq = StartSequence::new(EapolTimers::default(), at(0));
        assert_eq!(seq.poll(at(0)), StartStep::SendStart);
        assert_eq!(seq.poll(at(0)), StartStep::WaitUntil(at(30)));
        assert_eq!(seq.poll(at(29)), StartStep::WaitUntil(at(30)));
        assert_eq!(seq.poll(at(30)), StartStep::SendStart);
        assert_eq!(seq.poll(at(61)), StartStep::SendStart);
        assert_eq!(seq.poll(at(61)), StartStep::WaitUntil(at(91)));
        assert_eq!(seq.poll(at(91)), StartStep::NoAuthenticator { starts: 3 });
        assert_eq!(seq.poll(at(200)), StartStep::NoAuthenticator { starts: 3 });
        assert!(!seq.is_answered());
    }

    #[test]
    fn an_answer_ends_the_sequence() {
        let mut seq = StartSequence::new(EapolTimers::default(), at(0));
        assert_eq!(seq.poll(at(0)), StartStep::SendStart);
        seq.answered();
        assert_eq!(seq.poll(at(1000)), StartStep::Answered);
        let mut d = Diagnosis::new(
            crate::diagnosis::Phase::Identity,
            crate::diagnosis::Cause::LowerLayerDown,
        );
        seq.annotate(&mut d);
        assert_eq!(
            d.lower_layer,
            Some(LowerLayer::Eapol {
                authenticator_answered: true
            })
        );
    }
}
