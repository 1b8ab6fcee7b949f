//! [`Diagnosis`]: the error of a failed authentication (re-exported at the crate root).

use super::{Cause, LowerLayer, Note, Phase, TimeoutKind, TransportFailure};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Display, Formatter};

/// Why an authentication failed: phase, cause, hint.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Diagnosis {
    /// How far the authentication got.
    pub phase: Phase,
    /// What went wrong.
    pub cause: Cause,
    /// A message from the server (EAP Notification text, or RADIUS Reply-Message added by
    /// a transport), when there was one.
    pub server_message: Option<String>,
    /// What the reader should also know (e.g. that certificate dates were not checked
    /// against a clock).
    pub notes: Vec<Note>,
    /// The link, when a transport added it (its `annotate`); `None` from the bare core.
    pub lower_layer: Option<LowerLayer>,
}

impl Diagnosis {
    /// A diagnosis without a server message.
    pub fn new(phase: Phase, cause: Cause) -> Self {
        Diagnosis {
            phase,
            cause,
            server_message: None,
            notes: Vec::new(),
            lower_layer: None,
        }
    }

    /// One line saying what to change: the cause's hint, made precise by the link for
    /// silence (see [`LowerLayer`]).
    pub fn hint(&self) -> &'static str {
        let silence = matches!(self.cause, Cause::Timeout { dropped: None, .. });
        match (silence, self.lower_layer) {
            (true, Some(LowerLayer::Eapol { .. })) => {
                "the authenticator (switch port or access point) answered and then went quiet: check it and the RADIUS server behind it; their logs say why"
            }
            (
                true,
                Some(LowerLayer::Radius {
                    server_answered: true,
                }),
            ) => {
                "the RADIUS server answered earlier in this authentication (address and shared secret are right) and then stopped: its log says why"
            }
            _ => self.cause.hint(),
        }
    }

    /// True if the failure is attributable to a lost reply or a lost server session, so
    /// that starting again from the beginning may succeed: the server ended the session
    /// without a verdict, or stopped answering after it had answered at least once. A
    /// server that never answered may simply be down or misconfigured: no.
    pub fn is_lost_reply(&self) -> bool {
        match &self.cause {
            Cause::EndedWithoutVerdict { .. }
            | Cause::Transport(TransportFailure::NoReply {
                answered_before: true,
                ..
            }) => true,
            Cause::Timeout {
                kind: TimeoutKind::Silence(_),
                ..
            } => self.phase > Phase::Identity,
            _ => false,
        }
    }
}

/// A diagnosis is the error of a failed authentication, so `?` carries it into
/// `Box<dyn Error>` or any error type that wraps one. Its [`source`](core::error::Error::source)
/// is the TLS library's error when the TLS handshake failed on that account
/// ([`Cause::Tls`]); other causes are the whole story.
impl core::error::Error for Diagnosis {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.cause {
            Cause::Tls(e) => Some(e),
            _ => None,
        }
    }
}

impl Display for Diagnosis {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.phase, self.cause)?;
        if let Some(m) = &self.server_message {
            write!(f, " (server message: \"{m}\")")?;
        }
        write!(f, ". Hint: {}", self.hint())?;
        for note in &self.notes {
            write!(f, ". Note: {note}")?;
        }
        Ok(())
    }
}
