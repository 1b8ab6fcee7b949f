//! Retransmission of one request on the caller's clock, and what counts as a local network
//! error. Sans-IO: the transports ask [`Retransmission::due`] what to do at `now` and
//! report each send with [`Retransmission::sent`], so the policy is tested on a virtual
//! clock.
//!
//! The policy (RADIUS: [`RadiusConfig`](super::radius::RadiusConfig)'s `retry_interval` and
//! `attempts`): a request without a valid reply is sent again, unchanged, a fixed interval
//! after the previous send, until `attempts` sends in all; one interval after the last send
//! it is given up. A send that fails with a local network error ([`local_network_error`])
//! counts as a send whose packet was lost: it uses an attempt and is retried at the next
//! interval, so a link that returns within the budget costs nothing, and the whole
//! exchange stays within `attempts × interval`.

use crate::diagnosis::LocalNetworkError;
use core::ops::Add;
use core::time::Duration;
use std::io;

/// When to send again and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Time from one send to the next (and from the last send to giving up).
    pub interval: Duration,
    /// Sends in all, the first included (at least 1).
    pub attempts: u32,
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due<I> {
    /// Nothing before this time.
    Wait(I),
    /// Send the request again (then call [`Retransmission::sent`]).
    Send,
    /// Every attempt is spent: give up, for the reason [`Retransmission::exhausted`] says.
    GiveUp,
}

/// Why the attempts ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// The packets went out (or some did) and no valid reply came.
    NoReply {
        /// Sends in all.
        attempts: u32,
    },
    /// The last send failed on our side: the local error persisted.
    Local {
        /// The last local error.
        error: LocalNetworkError,
        /// Sends that failed with a local error.
        failed_sends: u32,
    },
}

/// The sends of one outstanding request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retransmission<I> {
    policy: RetryPolicy,
    last_send: I,
    sends: u32,
    failed_sends: u32,
    last_error: Option<LocalNetworkError>,
}

impl<I: Copy + Ord + Add<Duration, Output = I>> Retransmission<I> {
    /// A request whose first send happens at `now` (report it with [`Self::sent`]).
    pub fn new(policy: RetryPolicy, now: I) -> Self {
        Retransmission {
            policy,
            last_send: now,
            sends: 0,
            failed_sends: 0,
            last_error: None,
        }
    }

    /// A send at `now`: it went out, or failed with a local network error.
    pub fn sent(&mut self, now: I, result: Result<(), LocalNetworkError>) {
        self.sends += 1;
        self.last_send = now;
        self.last_error = result.err();
        if self.last_error.is_some() {
            self.failed_sends += 1;
        }
    }

    /// Sends so far (what a reply answers: more than 1 means it was retransmitted).
    pub fn sends(&self) -> u32 {
        self.sends
    }

    /// What to do at `now`.
    pub fn due(&self, now: I) -> Due<I> {
        if self.sends == 0 {
            return Due::Send;
        }
        let next = self.last_send + self.policy.interval;
        if now < next {
            Due::Wait(next)
        } else if self.sends < self.policy.attempts.max(1) {
            Due::Send
        } else {
            Due::GiveUp
        }
    }

    /// Why giving up, once [`Due::GiveUp`].
    pub fn exhausted(&self) -> Exhausted {
        match self.last_error {
            Some(error) => Exhausted::Local {
                error,
                failed_sends: self.failed_sends,
            },
            None => Exhausted::NoReply {
                attempts: self.sends,
            },
        }
    }
}

/// `e`, from a receive, only says that no datagram came: the wait timed out (or a
/// non-blocking read found none), or a signal interrupted it. Wait again.
pub(crate) fn nothing_received(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// `e`, from a receive or a send, says the server or the path is not there for now: an ICMP
/// port unreachable from an earlier send (the server not listening yet, or at all), or a
/// [`local_network_error`]. Retransmit until the attempts run out, as for a lost packet.
pub(crate) fn unreachable_for_now(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::ConnectionRefused || local_network_error(e).is_some()
}

/// The local network error `e` is, if it is one: transient conditions on our side (no
/// route, no buffer space, link down, interface gone) that a transport retries as a lost
/// packet instead of ending the run.
pub fn local_network_error(e: &io::Error) -> Option<LocalNetworkError> {
    // Linux errno values for the kinds std does not name.
    const ENXIO: i32 = 6;
    const ENODEV: i32 = 19;
    const ENOBUFS: i32 = 105;
    match e.kind() {
        io::ErrorKind::NetworkUnreachable => return Some(LocalNetworkError::NetworkUnreachable),
        io::ErrorKind::HostUnreachable => return Some(LocalNetworkError::HostUnreachable),
        io::ErrorKind::NetworkDown => return Some(LocalNetworkError::LinkDown),
        _ => {}
    }
    match e.raw_os_error() {
        Some(ENOBUFS) => Some(LocalNetworkError::NoBufferSpace),
        Some(ENXIO | ENODEV) => Some(LocalNetworkError::InterfaceGone),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Instant;

    const POLICY: RetryPolicy = RetryPolicy {
        interval: Duration::from_secs(3),
        attempts: 3,
    };

    fn at(s: u64) -> Instant {
        Instant::from_millis(s * 1000)
    }

    #[test]
    fn three_sends_three_seconds_apart_then_give_up_at_nine() {
        let mut r = Retransmission::new(POLICY, at(0));
        assert_eq!(r.due(at(0)), Due::Send);
        r.sent(at(0), Ok(()));
        assert_eq!(r.due(at(2)), Due::Wait(at(3)));
        assert_eq!(r.due(at(3)), Due::Send);
        r.sent(at(3), Ok(()));
        assert_eq!(r.due(at(5)), Due::Wait(at(6)));
        r.sent(at(6), Ok(()));
        assert_eq!(r.sends(), 3);
        assert_eq!(r.due(at(8)), Due::Wait(at(9)));
        assert_eq!(r.due(at(9)), Due::GiveUp);
        assert_eq!(r.exhausted(), Exhausted::NoReply { attempts: 3 });
    }

    #[test]
    fn a_local_error_uses_an_attempt_and_is_retried_like_a_loss() {
        let down = Err(LocalNetworkError::NetworkUnreachable);
        let mut r = Retransmission::new(POLICY, at(0));
        r.sent(at(0), Ok(()));
        r.sent(at(3), down);
        assert_eq!(r.due(at(4)), Due::Wait(at(6)), "not retried at once");
        // The link is back for the last attempt: a loss, not a local failure.
        r.sent(at(6), Ok(()));
        assert_eq!(r.due(at(9)), Due::GiveUp);
        assert_eq!(r.exhausted(), Exhausted::NoReply { attempts: 3 });
    }

    #[test]
    fn a_local_error_on_the_last_send_is_reported_as_ours() {
        let mut r = Retransmission::new(POLICY, at(0));
        r.sent(at(0), Err(LocalNetworkError::LinkDown));
        r.sent(at(3), Ok(()));
        r.sent(at(6), Err(LocalNetworkError::NoBufferSpace));
        assert_eq!(r.due(at(9)), Due::GiveUp);
        assert_eq!(
            r.exhausted(),
            Exhausted::Local {
                error: LocalNetworkError::NoBufferSpace,
                failed_sends: 2
            }
        );
    }

    #[test]
    fn one_attempt_gives_up_after_one_interval() {
        let policy = RetryPolicy {
            attempts: 1,
            ..POLICY
        };
        let mut r = Retransmission::new(policy, at(0));
        r.sent(at(0), Ok(()));
        assert_eq!(r.due(at(3)), Due::GiveUp);
    }

    #[test]
    fn local_errors_are_classified_and_others_not() {
        let os = io::Error::from_raw_os_error;
        assert_eq!(
            local_network_error(&os(101)),
            Some(LocalNetworkError::NetworkUnreachable)
        );
        assert_eq!(
            local_network_error(&os(113)),
            Some(LocalNetworkError::HostUnreachable)
        );
        assert_eq!(
            local_network_error(&os(100)),
            Some(LocalNetworkError::LinkDown)
        );
        assert_eq!(
            local_network_error(&os(105)),
            Some(LocalNetworkError::NoBufferSpace)
        );
        assert_eq!(
            local_network_error(&os(19)),
            Some(LocalNetworkError::InterfaceGone)
        );
        assert_eq!(
            local_network_error(&os(111)),
            None,
            "refused: the server's side"
        );
        assert_eq!(local_network_error(&os(13)), None, "permission");
    }
}
