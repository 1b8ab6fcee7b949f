//! One state machine per EAP method. A method sees the Type-Data of the requests routed to
//! it and returns the Type-Data of its response; it never sees EAP headers, and an inner
//! method never knows whether it runs inside a tunnel or bare.
//!
//! The TLS-based methods (PEAP, EAP-TLS, EAP-TTLS) are one skeleton, [`tls_core`] (the
//! Start, the handshake, the verdict, the key export), around what each does once the
//! tunnel is up; PEAP's phase 2 and TTLS's inner EAP share one inner-EAP peer, [`inner`]
//! (Identity, Notification, Nak, the choice of EAP-MSCHAPv2 or EAP-GTC).
//!
//! The peer layer knows methods only through [`Method`]: which type it answers, a step per
//! request, its RFC 4137 decision and keys, how far it got, and the causes it decides for
//! an EAP-Failure, for silence and for a premature EAP-Success. Adding a method is a new
//! variant here and a module of its own; the peer layer does not change.

pub(crate) mod eap_tls;
pub(crate) mod inner;
pub(crate) mod md5;
pub(crate) mod mschapv2;
pub(crate) mod peap;
pub(crate) mod teap;
pub(crate) mod tls_core;
pub(crate) mod ttls;

use crate::config::Config;
use crate::diagnosis::{Cause, Diagnosis, Phase, PrematureSuccess, SentMessage};
use crate::event::{Event, Keys, Output};
use crate::method_type::MethodType;
use crate::wire::eap::{EXPANDED_NAK, emit_expanded_nak, emit_legacy_nak};
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// The Nak for a proposal we refuse, at any level (outer, or inside a tunnel): the
/// response's Type (legacy Nak, or expanded Nak for an expanded proposal,
/// [RFC 3748 §5.3](https://www.rfc-editor.org/rfc/rfc3748#section-5.3)) and its Type-Data
/// listing `allowed` in order.
pub(crate) fn nak(proposed: MethodType, allowed: &[MethodType]) -> (MethodType, Vec<u8>) {
    let mut data = Vec::new();
    if proposed.is_expanded() {
        emit_expanded_nak(allowed, &mut data);
        (EXPANDED_NAK, data)
    } else {
        emit_legacy_nak(allowed, &mut data);
        (MethodType::Nak, data)
    }
}

/// A Notification's text, at any level: shown (an event), answered with an empty
/// response ([RFC 3748 §5.2](https://www.rfc-editor.org/rfc/rfc3748#section-5.2)).
pub(crate) fn notification(out: &mut VecDeque<Output>, data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data).into_owned();
    out.push_back(Output::Event(Event::Notification { text: text.clone() }));
    text
}

/// The outer method that runs, once one was accepted.
// One per authentication: a Box would add an allocation and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Method {
    /// PEAPv0 with its inner method.
    Peap(peap::Peap),
    /// EAP-TLS with our client certificate.
    Tls(eap_tls::EapTls),
    /// EAP-TTLSv0 with its inner method.
    Ttls(ttls::Ttls),
    /// EAP-MD5-Challenge (only under the configuration's explicit opt-in).
    Md5(md5::Md5),
    /// TEAP with its inner methods, per identity.
    Teap(teap::Teap),
}

impl Method {
    /// A new run of `method`, if this crate implements it.
    pub(crate) fn new(method: MethodType) -> Option<Method> {
        match method {
            MethodType::Peap => Some(Method::Peap(peap::Peap::new())),
            MethodType::Tls => Some(Method::Tls(eap_tls::EapTls::new())),
            MethodType::Ttls => Some(Method::Ttls(ttls::Ttls::new())),
            MethodType::Md5Challenge => Some(Method::Md5(md5::Md5::new())),
            MethodType::Teap => Some(Method::Teap(teap::Teap::new())),
            _ => None,
        }
    }

    /// The EAP Type it answers.
    pub(crate) fn method_type(&self) -> MethodType {
        match self {
            Method::Peap(_) => MethodType::Peap,
            Method::Tls(_) => MethodType::Tls,
            Method::Ttls(_) => MethodType::Ttls,
            Method::Md5(_) => MethodType::Md5Challenge,
            Method::Teap(_) => MethodType::Teap,
        }
    }

    /// One request's Type-Data.
    pub(crate) fn process(&mut self, ctx: &mut Ctx<'_>, id: u8, data: &[u8]) -> Step {
        match self {
            Method::Peap(m) => m.process(ctx, id, data),
            Method::Tls(m) => m.process(ctx, id, data),
            Method::Ttls(m) => m.process(ctx, id, data),
            Method::Md5(m) => m.process(ctx, id, data),
            Method::Teap(m) => m.process(ctx, id, data),
        }
    }

    /// RFC 4137 `decision`.
    pub(crate) fn decision(&self) -> Decision {
        match self {
            Method::Peap(m) => m.decision(),
            Method::Tls(m) => m.decision(),
            Method::Ttls(m) => m.decision(),
            Method::Md5(m) => m.decision(),
            Method::Teap(m) => m.decision(),
        }
    }

    /// The session keys, once the decision is `CondSucc`.
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match self {
            Method::Peap(m) => m.keys(),
            Method::Tls(m) => m.keys(),
            Method::Ttls(m) => m.keys(),
            Method::Teap(m) => m.keys(),
            // EAP-MD5 derives none.
            Method::Md5(_) => None,
        }
    }

    /// False for a method that derives no keys at all (EAP-MD5): its success is
    /// `AuthenticatedWithoutKeys`; for the others a `CondSucc` without keys is no success.
    pub(crate) fn derives_keys(&self) -> bool {
        !matches!(self, Method::Md5(_))
    }

    /// How far it got.
    pub(crate) fn phase(&self) -> Phase {
        match self {
            Method::Peap(m) => m.phase(),
            Method::Tls(m) => m.phase(),
            Method::Ttls(m) => m.phase(),
            Method::Md5(m) => m.phase(),
            Method::Teap(m) => m.phase(),
        }
    }

    /// What an EAP-Failure means after `last_sent`.
    pub(crate) fn failure_cause(&self, config: &Config, last_sent: SentMessage) -> Cause {
        match self {
            Method::Peap(m) => m.failure_cause(config, last_sent),
            Method::Tls(m) => m.failure_cause(config, last_sent),
            Method::Ttls(m) => m.failure_cause(config, last_sent),
            Method::Md5(m) => m.failure_cause(config, last_sent),
            Method::Teap(m) => m.failure_cause(config, last_sent),
        }
    }

    /// What silence means, when the method knows better than "no answer" (the server gave
    /// its verdict and its EAP-Failure was lost).
    pub(crate) fn silence_cause(&self, config: &Config, last_sent: SentMessage) -> Option<Cause> {
        match self {
            Method::Peap(m) => m.silence_cause(config, last_sent),
            // No verdict inside EAP-TLS to outlive a lost EAP-Failure: silence is silence.
            Method::Tls(m) => m.silence_cause(config, last_sent),
            Method::Ttls(m) => m.silence_cause(config, last_sent),
            Method::Teap(m) => m.silence_cause(config, last_sent),
            Method::Md5(_) => None,
        }
    }

    /// The caller's new password, after [`Event::NewPasswordRequired`]: the answer to the
    /// request that waits for it (`None` if nothing waits).
    pub(crate) fn new_password(
        &mut self,
        ctx: &mut Ctx<'_>,
        password: &crate::secret::Password,
    ) -> Option<Step> {
        match self {
            Method::Peap(m) => m.new_password(ctx, password),
            Method::Ttls(m) => m.new_password(ctx, password),
            Method::Teap(m) => m.new_password(ctx, password),
            // No MSCHAPv2 runs inside these.
            Method::Tls(_) | Method::Md5(_) => None,
        }
    }

    /// Which premature EAP-Success this is, before the decision allowed one.
    pub(crate) fn premature_success(&self) -> PrematureSuccess {
        match self {
            Method::Peap(m) => m.premature_success(),
            Method::Tls(m) => m.premature_success(),
            Method::Ttls(m) => m.premature_success(),
            Method::Md5(m) => m.premature_success(),
            Method::Teap(m) => m.premature_success(),
        }
    }
}

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
    /// Nothing to send until the caller answers the question an event asked
    /// ([`Event::NewPasswordRequired`]); the answer goes out with this request's Identifier.
    Wait,
    /// End the authentication now, after sending `data` if any.
    Fail {
        /// A last response (e.g. a TLS alert, a Result TLV Failure).
        data: Option<(Vec<u8>, SentMessage)>,
        /// Why (boxed: a step is moved through every layer on every round, and it is
        /// small when the rare failure is not inside it).
        diagnosis: Box<Diagnosis>,
    },
}

impl Step {
    /// The same step with its data (the response, or a failure's last message) turned into
    /// what the layer above sends, e.g. an inner method's Type-Data into the tunnel's packet.
    pub(crate) fn map_data(
        self,
        mut f: impl FnMut(Vec<u8>, SentMessage) -> (Vec<u8>, SentMessage),
    ) -> Step {
        match self {
            Step::Respond { data, sent } => {
                let (data, sent) = f(data, sent);
                Step::Respond { data, sent }
            }
            Step::Fail { data, diagnosis } => Step::Fail {
                data: data.map(|(d, s)| f(d, s)),
                diagnosis,
            },
            Step::Discard => Step::Discard,
            Step::Wait => Step::Wait,
        }
    }
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
    /// The supplicant's outputs: a method's events go straight in, ahead of the response
    /// the peer queues after it.
    pub(crate) out: &'a mut VecDeque<Output>,
    /// The floor the server certificate's dates were checked against, once a method says
    /// so ([`Event::CertificateDatesNotChecked`]): the peer notes it in the diagnosis of a
    /// failure when it makes it.
    pub(crate) clockless_floor: &'a mut Option<i64>,
}

impl Ctx<'_> {
    pub(crate) fn emit(&mut self, event: Event) {
        if let Event::CertificateDatesNotChecked { floor } = event {
            *self.clockless_floor = Some(floor);
        }
        self.out.push_back(Output::Event(event));
    }

    /// Fills `out` from the configured provider's CSPRNG.
    pub(crate) fn random(&self, out: &mut [u8]) -> bool {
        self.config.provider.secure_random.fill(out).is_ok()
    }
}
