//! One state machine per EAP method. A method sees the Type-Data of the requests routed to
//! it and returns the Type-Data of its response; it never sees EAP headers, and an inner
//! method never knows whether it runs inside PEAP or bare.

pub(crate) mod mschapv2;
pub(crate) mod peap;
pub(crate) mod tls_core;

use crate::config::Config;
use crate::diagnosis::{Diagnosis, SentMessage};
use crate::event::Event;
use alloc::vec::Vec;

/// What a method does with one request.
#[derive(Debug)]
pub(crate) enum Step {
    /// Answer with this Type-Data.
    Respond {
        /// The response's Type-Data.
        data: Vec<u8>,
        /// What it is, for diagnoses.
        sent: SentMessage,
    },
    /// Drop the request silently ([RFC 3748 §2.1](https://www.rfc-editor.org/rfc/rfc3748#section-2.1)).
    Discard,
    /// End the authentication now, after sending `data` if any.
    Fail {
        /// A last response (e.g. a TLS alert, a Result TLV Failure).
        data: Option<(Vec<u8>, SentMessage)>,
        /// Why.
        diagnosis: Diagnosis,
    },
}

/// The method's verdict on the authentication so far ([RFC 4137 §4.1.2](https://www.rfc-editor.org/rfc/rfc4137#section-4.1.2)
/// `decision`): only `CondSucc` lets an EAP-Success through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Fail,
    CondSucc,
}

/// What a method may use while processing a request.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a Config,
    pub(crate) events: &'a mut Vec<Event>,
}

impl Ctx<'_> {
    pub(crate) fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Fills `out` from the configured provider's CSPRNG.
    pub(crate) fn random(&self, out: &mut [u8]) -> bool {
        self.config.provider.secure_random.fill(out).is_ok()
    }
}
