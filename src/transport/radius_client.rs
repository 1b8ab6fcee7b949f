//! The sans-IO RADIUS client core under [`RadiusTransport`](super::radius::RadiusTransport):
//! one EAP session as a NAS relays it, with no socket, no clock and no random source of its
//! own. The caller supplies the Identifier and Request Authenticator of each request, the
//! time of each step, and the datagrams that arrive; the core builds Access-Requests
//! (User-Name, State, Message-Authenticator), says when to send or give up on its
//! [`Retransmission`] policy, checks replies, and decrypts MS-MPPE keys.
//!
//! One thread can hold many of these (one per session) over a pool of sockets; tests run
//! them on a virtual clock.
//!
//! The loop, for one request:
//! 1. [`RadiusClient::request`] with the EAP packet the supplicant transmitted;
//! 2. [`RadiusClient::poll`] at `now`: [`Action::Transmit`] (send
//!    [`RadiusClient::datagram`], then report it with [`RadiusClient::sent`]),
//!    [`Action::Wait`] until a time, or [`Action::GiveUp`] with the reason;
//! 3. every datagram that arrives goes to [`RadiusClient::handle_datagram`], which returns
//!    what to give the supplicant when it is a valid answer.

use super::drive::{AuthOutcome, Received};
use super::retry::{Due, Exhausted, Retransmission, RetryPolicy};
use crate::crypto::mppe_attr;
use crate::diagnosis::{
    Cause, Diagnosis, LocalEnd, LocalNetworkError, LowerLayer, Phase, TransportFailure,
};
use crate::method_type::MethodType;
use crate::secret::SecretVec;
use crate::time::Instant;
use crate::transport::radius_auth::{ReplyError, sign_request_at, verify_parsed_reply};
use crate::wire::eap::{Code as EapCode, Eap};
use crate::wire::radius::{self, Builder, Code, Packet, attr};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use subtle::ConstantTimeEq;

/// What goes into every Access-Request, and the retransmission policy.
#[derive(Clone)]
pub struct ClientConfig {
    /// The shared secret.
    pub secret: SecretVec,
    /// Calling-Station-Id.
    pub calling_station_id: String,
    /// NAS-Port-Type.
    pub nas_port_type: u32,
    /// Framed-MTU.
    pub framed_mtu: u32,
    /// NAS-IP-Address (IPv4) or NAS-IPv6-Address
    /// ([RFC 3162 §2.1](https://www.rfc-editor.org/rfc/rfc3162#section-2.1)) of every
    /// request; `None`: the local address of [`RadiusClient::set_local_address`], if given.
    pub nas_ip: Option<core::net::IpAddr>,
    /// Further attributes (type, value) sent as they are in every request, after the
    /// fixed ones: NAS-Identifier, Called-Station-Id, Operator-Name, CUI, ... (values of
    /// 1 to 253 octets).
    pub attributes: Vec<(u8, Vec<u8>)>,
    /// Retransmission policy.
    pub retry: RetryPolicy,
}

impl core::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("secret", &"<redacted>")
            .field("calling_station_id", &self.calling_station_id)
            .field("nas_port_type", &self.nas_port_type)
            .field("framed_mtu", &self.framed_mtu)
            .field("nas_ip", &self.nas_ip)
            .field("attributes", &self.attributes)
            .field("retry", &self.retry)
            .finish()
    }
}

/// The MS-MPPE keys of an Access-Accept, decrypted.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct MppeKeys {
    /// MS-MPPE-Recv-Key (the server's receive key: our MSK\[0..32\]).
    pub recv: Option<SecretVec>,
    /// MS-MPPE-Send-Key (our MSK\[32..64\]).
    pub send: Option<SecretVec>,
}

/// What to do at `now` ([`RadiusClient::poll`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing outstanding.
    Idle,
    /// Send [`RadiusClient::datagram`] (first time or again), then call
    /// [`RadiusClient::sent`].
    Transmit,
    /// Nothing to do before this time unless a datagram arrives.
    Wait(Instant),
    /// Every attempt is spent: the session ends with this failure (give it to the driver as
    /// [`Received::Failed`]).
    GiveUp(TransportFailure),
}

/// An Access-Request could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestError {
    /// The EAP packet does not fit in one RADIUS packet.
    TooLarge,
}

impl core::fmt::Display for RequestError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EAP packet too large for one RADIUS packet")
    }
}

/// The outstanding request.
struct Pending {
    packet: Vec<u8>,
    authenticator: [u8; 16],
    identifier: u8,
    retry: Retransmission<Instant>,
}

/// One EAP session's RADIUS side, sans-IO.
pub struct RadiusClient {
    config: Arc<ClientConfig>,
    /// The buffer of the last request, for the next one (one allocation per client, not
    /// one per round).
    spare: Vec<u8>,
    user_name: Option<Vec<u8>>,
    state: Option<Vec<u8>>,
    pending: Option<Pending>,
    bad_replies: u32,
    /// Sends of the request the last Access-Reject answered (more than 1: retransmitted).
    reject_answered_sends: u32,
    /// Replies dropped for want of a Message-Authenticator (counted in `bad_replies` too).
    no_message_authenticator: u32,
    /// A reply has passed the checks in this authentication: a later reply that fails
    /// them was damaged on the way, not signed with another secret.
    answered: bool,
    last_eap_id: u8,
    reply_message: Option<String>,
    /// The Chargeable-User-Identity of the last Access-Accept (RFC 4372).
    cui: Option<Vec<u8>>,
    /// Our address, for NAS-IP-Address when the configuration names none (kept across
    /// authentications).
    local_ip: Option<core::net::IpAddr>,
    /// The socket reported the server's port unreachable: the next poll gives up.
    refused: Option<core::net::SocketAddr>,
    keys: MppeKeys,
    /// Access-Requests built in this authentication (round trips).
    requests: u32,
    /// Datagrams sent in this authentication, retransmissions included.
    transmissions: u32,
}

impl core::fmt::Debug for RadiusClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RadiusClient")
            .field("config", &self.config)
            .field("requests", &self.requests)
            .field("answered", &self.answered)
            .finish_non_exhaustive()
    }
}

impl RadiusClient {
    /// A client for one session at a time.
    pub fn new(config: ClientConfig) -> Self {
        Self::with_config(Arc::new(config), Vec::new(), None)
    }

    /// Our address (the socket's local address): the NAS-IP-Address (IPv4) or
    /// NAS-IPv6-Address of the requests when the configuration names none. RFC 2865 §4.1:
    /// an Access-Request carries a NAS-IP-Address or a NAS-Identifier.
    pub fn set_local_address(&mut self, ip: core::net::IpAddr) {
        if !ip.is_unspecified() {
            self.local_ip = Some(ip);
        }
    }

    fn with_config(
        config: Arc<ClientConfig>,
        spare: Vec<u8>,
        local_ip: Option<core::net::IpAddr>,
    ) -> Self {
        RadiusClient {
            config,
            spare,
            user_name: None,
            state: None,
            pending: None,
            bad_replies: 0,
            reject_answered_sends: 0,
            no_message_authenticator: 0,
            answered: false,
            last_eap_id: 0,
            reply_message: None,
            cui: None,
            local_ip,
            refused: None,
            keys: MppeKeys::default(),
            requests: 0,
            transmissions: 0,
        }
    }

    /// Starts an authentication (forgetting the last one) and returns the
    /// EAP-Request/Identity to give the supplicant: what a NAS sends first on a port (the
    /// RADIUS server sends none).
    pub fn start(&mut self) -> Vec<u8> {
        let spare = core::mem::take(&mut self.spare);
        *self = RadiusClient::with_config(self.config.clone(), spare, self.local_ip);
        Eap::request(0, MethodType::Identity, &[]).to_vec()
    }

    /// Builds the Access-Request carrying `eap` (an EAP packet the supplicant transmitted)
    /// with the caller's `identifier` and random `authenticator`; it replaces any
    /// outstanding request. [`Self::poll`] then says to transmit it.
    pub fn request(
        &mut self,
        eap: &[u8],
        identifier: u8,
        authenticator: [u8; 16],
        now: Instant,
    ) -> Result<(), RequestError> {
        if let Ok(p) = Eap::parse(eap) {
            self.last_eap_id = p.identifier;
            if let Some((MethodType::Identity, name)) = p.method() {
                self.user_name = Some(name.to_vec());
            }
        }
        let buf = core::mem::take(&mut self.spare);
        let mut b = Builder::in_buffer(buf, Code::AccessRequest, identifier, authenticator);
        if let Some(u) = &self.user_name {
            b.attribute(attr::USER_NAME, u);
        }
        b.attribute(
            attr::CALLING_STATION_ID,
            self.config.calling_station_id.as_bytes(),
        )
        .integer(attr::NAS_PORT_TYPE, self.config.nas_port_type)
        .integer(attr::FRAMED_MTU, self.config.framed_mtu);
        match self.config.nas_ip.or(self.local_ip) {
            Some(core::net::IpAddr::V4(a)) => {
                b.attribute(attr::NAS_IP_ADDRESS, &a.octets());
            }
            Some(core::net::IpAddr::V6(a)) => {
                b.attribute(attr::NAS_IPV6_ADDRESS, &a.octets());
            }
            None => {}
        }
        for (t, v) in &self.config.attributes {
            b.attribute(*t, v);
        }
        if let Some(s) = &self.state {
            b.attribute(attr::STATE, s);
        }
        if !b.fits(eap.len() + 2 * eap.len().div_ceil(radius::MAX_ATTR_VALUE) + 18) {
            return Err(RequestError::TooLarge);
        }
        b.eap_message(eap);
        // The Message-Authenticator's value, after its type and length octets.
        let ma = b.offset() + 2;
        b.message_authenticator();
        let mut packet = b.finish();
        sign_request_at(&mut packet, ma, self.config.secret.expose());
        self.requests += 1;
        let replaced = self.pending.replace(Pending {
            packet,
            authenticator,
            identifier,
            retry: Retransmission::new(self.config.retry, now),
        });
        if let Some(old) = replaced {
            self.spare = old.packet;
        }
        Ok(())
    }

    /// The outstanding Access-Request, as it goes on the wire.
    pub fn datagram(&self) -> Option<&[u8]> {
        self.pending.as_ref().map(|p| p.packet.as_slice())
    }

    /// Reports a send of [`Self::datagram`] at `now`: it went out, or failed with a local
    /// network error (counted as a lost packet).
    pub fn sent(&mut self, now: Instant, result: Result<(), LocalNetworkError>) {
        if let Some(p) = self.pending.as_mut() {
            p.retry.sent(now, result);
            if result.is_ok() {
                self.transmissions += 1;
            }
        }
    }

    /// When [`Self::poll`] must be called next (`now` if something is due already; `None`
    /// with nothing outstanding). Changes nothing.
    pub fn next_timer(&self, now: Instant) -> Option<Instant> {
        if self.refused.is_some() {
            return Some(now);
        }
        self.pending.as_ref().map(|p| match p.retry.due(now) {
            Due::Wait(at) => at,
            Due::Send | Due::GiveUp => now,
        })
    }

    /// The socket reported `server`'s port unreachable (an ICMP port unreachable,
    /// `ECONNREFUSED` on a connected socket): nothing listens there, so the outstanding
    /// request is given up at the next [`Self::poll`], without retransmissions, as
    /// [`TransportFailure::ConnectionRefused`].
    pub fn connection_refused(&mut self, server: core::net::SocketAddr) {
        if self.pending.is_some() {
            self.refused = Some(server);
        }
    }

    /// What to do at `now`. [`Action::GiveUp`] ends the outstanding request; `local` is our
    /// address, for a diagnosis that names our side.
    #[must_use = "the action is the datagram to send or the outcome"]
    pub fn poll(&mut self, now: Instant, local: LocalEnd) -> Action {
        let Some(p) = self.pending.as_ref() else {
            return Action::Idle;
        };
        if let Some(server) = self.refused.take() {
            self.pending = None;
            return Action::GiveUp(TransportFailure::ConnectionRefused { server });
        }
        match p.retry.due(now) {
            Due::Send => Action::Transmit,
            Due::Wait(at) => Action::Wait(at),
            Due::GiveUp => {
                let exhausted = p.retry.exhausted();
                self.pending = None;
                let missing = self.no_message_authenticator;
                Action::GiveUp(match exhausted {
                    Exhausted::Local {
                        error,
                        failed_sends,
                    } => TransportFailure::LocalNetwork {
                        error,
                        local,
                        failed_sends,
                    },
                    Exhausted::NoReply { .. } if missing > 0 && missing == self.bad_replies => {
                        TransportFailure::NoMessageAuthenticator { replies: missing }
                    }
                    Exhausted::NoReply { .. } if self.bad_replies > 0 && !self.answered => {
                        TransportFailure::WrongSharedSecret
                    }
                    Exhausted::NoReply { attempts } => TransportFailure::NoReply {
                        attempts,
                        answered_before: self.answered,
                    },
                })
            }
        }
    }

    /// Handles a datagram that may answer the outstanding request. Returns what to give
    /// the supplicant, or `None` (dropped, as RFC 2865 §3 says: keep waiting).
    pub fn handle_datagram(&mut self, buf: &[u8]) -> Option<Received> {
        let pending = self.pending.as_ref()?;
        let p = Packet::parse(buf).ok()?;
        if p.identifier != pending.identifier {
            return None;
        }
        match verify_parsed_reply(&p, buf, &pending.authenticator, self.config.secret.expose()) {
            Ok(()) => {}
            Err(ReplyError::Malformed) => return None,
            // A bare Access-Reject: no EAP-Message, so RFC 3579 §3.2 asks for no
            // Message-Authenticator, and its Response Authenticator verified. FreeRADIUS 3.2
            // sends one when it no longer has the EAP session (after a lost reply); it can
            // only end the session, never grant access, so it is taken as a Reject.
            Err(ReplyError::MissingMessageAuthenticator)
                if p.code == Code::AccessReject && p.first(attr::EAP_MESSAGE).is_none() => {}
            Err(e) => {
                self.bad_replies += 1;
                if e == ReplyError::MissingMessageAuthenticator {
                    self.no_message_authenticator += 1;
                }
                return None;
            }
        }
        self.answered = true;
        let request_authenticator = pending.authenticator;
        let sends = pending.retry.sends();
        if let Some(done) = self.pending.take() {
            self.spare = done.packet;
        }
        self.reply_message = p
            .iter()
            .filter_map(Result::ok)
            .filter(|a| a.attr_type == attr::REPLY_MESSAGE)
            .map(|a| String::from_utf8_lossy(a.value).into_owned())
            .reduce(|a, b| a + &b);
        let eap = p.eap_message();
        match p.code {
            Code::AccessChallenge => {
                // In the last State's buffer.
                match (p.first(attr::STATE), &mut self.state) {
                    (Some(new), Some(state)) => {
                        state.clear();
                        state.extend_from_slice(new);
                    }
                    (new, state) => *state = new.map(<[u8]>::to_vec),
                }
                Some(Received::Eap(eap?))
            }
            Code::AccessAccept => {
                self.state = None;
                self.cui = p.first(attr::CHARGEABLE_USER_IDENTITY).map(<[u8]>::to_vec);
                let code = eap.as_deref().and_then(|e| e.first()).copied();
                match eap {
                    Some(eap) if code == Some(u8::from(EapCode::Success)) => {
                        self.keys = self.decrypt_keys(&p, &request_authenticator);
                        Some(Received::Eap(eap))
                    }
                    // Never an EAP-Success of our making: the server must say it.
                    _ => Some(Received::Failed(
                        TransportFailure::AcceptWithoutEapSuccess { eap_code: code },
                    )),
                }
            }
            Code::AccessReject => {
                self.state = None;
                self.reject_answered_sends = sends;
                Some(Received::Eap(eap.unwrap_or_else(|| {
                    Eap::bare(EapCode::Failure, self.last_eap_id).to_vec()
                })))
            }
            _ => None,
        }
    }

    fn decrypt_keys(&self, p: &Packet<'_>, request_authenticator: &[u8; 16]) -> MppeKeys {
        let mut keys = MppeKeys::default();
        for a in p.vendor_attributes(radius::VENDOR_MICROSOFT) {
            let slot = match a.attr_type {
                radius::MS_MPPE_RECV_KEY => &mut keys.recv,
                radius::MS_MPPE_SEND_KEY => &mut keys.send,
                _ => continue,
            };
            *slot = radius::MppeKeyString::parse(a.value).ok().and_then(|s| {
                mppe_attr::decrypt(
                    self.config.secret.expose(),
                    request_authenticator,
                    s.salt,
                    s.cipher,
                )
                .ok()
            });
        }
        keys
    }

    /// The authentication ended: a success whose MS-MPPE keys disagree with the MSK
    /// (MSK\[0..32\] = Recv-Key, MSK\[32..64\] = Send-Key) becomes a failure. Forgets the
    /// outstanding request.
    pub fn finish(&mut self, outcome: &mut AuthOutcome) {
        if let AuthOutcome::Authenticated(keys) = outcome {
            let msk = keys.msk.expose();
            let matches = |k: &Option<SecretVec>, range: core::ops::Range<usize>| {
                k.as_ref().is_none_or(|k| {
                    k.expose().len() >= 32 && bool::from(k.expose()[..32].ct_eq(&msk[range]))
                })
            };
            if !(matches(&self.keys.recv, 0..32) && matches(&self.keys.send, 32..64)) {
                *outcome = AuthOutcome::Failed(Diagnosis::new(
                    Phase::Completion,
                    Cause::Transport(TransportFailure::KeyMismatch),
                ));
            }
        }
        self.pending = None;
    }

    /// Adds what RADIUS saw to a diagnosis: a Reject answering a retransmission, the
    /// Reply-Message, whether the server answered at all.
    pub fn annotate(&self, diagnosis: &mut Diagnosis) {
        // The supplicant's own limit (overall or silence) ran out before the server ever
        // answered: the same fault as running out of retransmissions, so the same code.
        if matches!(diagnosis.cause, Cause::Timeout { .. }) && !self.answered {
            diagnosis.cause = Cause::Transport(TransportFailure::NoReply {
                attempts: self.transmissions,
                answered_before: false,
            });
        }
        if self.reject_answered_sends > 1 {
            diagnosis.cause = diagnosis
                .cause
                .clone()
                .answering_retransmission(self.reject_answered_sends);
        }
        if diagnosis.server_message.is_none() {
            diagnosis.server_message = self.reply_message.clone();
        }
        diagnosis.lower_layer = Some(LowerLayer::Radius {
            server_answered: self.answered,
        });
    }

    /// The MS-MPPE keys of the last Access-Accept.
    pub fn mppe_keys(&self) -> &MppeKeys {
        &self.keys
    }

    /// The Reply-Message of the last reply, if any.
    pub fn reply_message(&self) -> Option<&str> {
        self.reply_message.as_deref()
    }

    /// The Chargeable-User-Identity of the last Access-Accept
    /// ([RFC 4372 §2](https://www.rfc-editor.org/rfc/rfc4372#section-2)), if it carried one.
    pub fn chargeable_user_identity(&self) -> Option<&[u8]> {
        self.cui.as_deref()
    }

    /// Access-Requests built in this authentication: its round trips.
    pub fn round_trips(&self) -> u32 {
        self.requests
    }

    /// Datagrams sent in this authentication, retransmissions included.
    pub fn transmissions(&self) -> u32 {
        self.transmissions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::radius_auth::sign_reply;
    use core::time::Duration;

    const SECRET: &[u8] = b"testing123";

    fn config() -> ClientConfig {
        ClientConfig {
            secret: SecretVec::new(SECRET.to_vec()),
            calling_station_id: String::from("02-00-00-00-00-01"),
            nas_port_type: radius::NAS_PORT_TYPE_WIRELESS_80211,
            framed_mtu: 1400,
            nas_ip: None,
            attributes: Vec::new(),
            retry: RetryPolicy {
                interval: Duration::from_secs(3),
                attempts: 3,
            },
        }
    }

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn identity(name: &[u8]) -> Vec<u8> {
        Eap::response(0, MethodType::Identity, name).to_vec()
    }

    /// A server's reply to the outstanding request of `c`.
    fn reply(c: &RadiusClient, code: Code, attrs: &[(u8, &[u8])], eap: Option<&[u8]>) -> Vec<u8> {
        let req = Packet::parse(c.datagram().unwrap()).unwrap();
        let mut b = Builder::new(code, req.identifier, [0; 16]);
        for (t, v) in attrs {
            b.attribute(*t, v);
        }
        if let Some(e) = eap {
            b.eap_message(e).message_authenticator();
        }
        let mut p = b.finish();
        sign_reply(&mut p, &req.authenticator, SECRET);
        p
    }

    fn started() -> RadiusClient {
        let mut c = RadiusClient::new(config());
        let first = c.start();
        assert_eq!(
            Eap::parse(&first).unwrap().method().unwrap().0,
            MethodType::Identity
        );
        c.request(&identity(b"anonymous@example.org"), 7, [1; 16], at(0))
            .unwrap();
        c
    }

    #[test]
    fn request_carries_user_name_state_and_a_valid_message_authenticator() {
        let mut c = started();
        assert_eq!(c.poll(at(0), LocalEnd::Unknown), Action::Transmit);
        let d = c.datagram().unwrap().to_vec();
        crate::transport::radius_auth::verify_request(&d, SECRET).unwrap();
        let p = Packet::parse(&d).unwrap();
        assert_eq!((p.code, p.identifier), (Code::AccessRequest, 7));
        assert_eq!(
            p.first(attr::USER_NAME),
            Some(&b"anonymous@example.org"[..])
        );
        assert_eq!(p.first(attr::STATE), None);
        c.sent(at(0), Ok(()));
        let challenge = Eap::request(1, MethodType::Peap, &[0x21]).to_vec();
        let r = reply(
            &c,
            Code::AccessChallenge,
            &[(attr::STATE, b"s1")],
            Some(&challenge),
        );
        assert_eq!(c.handle_datagram(&r), Some(Received::Eap(challenge)));
        c.request(
            &Eap::response(1, MethodType::Peap, &[0]).to_vec(),
            8,
            [2; 16],
            at(10),
        )
        .unwrap();
        let p2 = c.datagram().unwrap().to_vec();
        let p2 = Packet::parse(&p2).unwrap();
        assert_eq!(p2.first(attr::STATE), Some(&b"s1"[..]));
        assert_eq!(
            p2.first(attr::USER_NAME),
            Some(&b"anonymous@example.org"[..])
        );
        assert_eq!(c.round_trips(), 2);
    }

    #[test]
    fn retransmits_unchanged_on_the_virtual_clock_then_gives_up() {
        let mut c = started();
        let first = c.datagram().unwrap().to_vec();
        assert_eq!(c.poll(at(0), LocalEnd::Unknown), Action::Transmit);
        c.sent(at(0), Ok(()));
        assert_eq!(c.poll(at(2999), LocalEnd::Unknown), Action::Wait(at(3000)));
        assert_eq!(c.poll(at(3000), LocalEnd::Unknown), Action::Transmit);
        assert_eq!(c.datagram().unwrap(), &first[..], "same packet again");
        c.sent(at(3000), Ok(()));
        c.sent(at(6000), Ok(()));
        assert_eq!(c.transmissions(), 3);
        assert_eq!(
            c.poll(at(9000), LocalEnd::Unknown),
            Action::GiveUp(TransportFailure::NoReply {
                attempts: 3,
                answered_before: false
            })
        );
        assert_eq!(c.poll(at(9001), LocalEnd::Unknown), Action::Idle);
    }

    #[test]
    fn replies_failing_checks_are_dropped_and_named_at_the_end() {
        let mut c = started();
        c.sent(at(0), Ok(()));
        let challenge = Eap::request(1, MethodType::Peap, &[0x21]).to_vec();
        // Another secret.
        let mut bad = reply(&c, Code::AccessChallenge, &[], Some(&challenge));
        let req = Packet::parse(c.datagram().unwrap()).unwrap();
        sign_reply(&mut bad, &req.authenticator, b"other");
        assert_eq!(c.handle_datagram(&bad), None);
        // Another Identifier, garbage.
        let mut other_id = reply(&c, Code::AccessChallenge, &[], Some(&challenge));
        other_id[1] ^= 1;
        assert_eq!(c.handle_datagram(&other_id), None);
        assert_eq!(c.handle_datagram(&[2, 7, 0]), None);
        c.sent(at(3000), Ok(()));
        c.sent(at(6000), Ok(()));
        assert_eq!(
            c.poll(at(9000), LocalEnd::Unknown),
            Action::GiveUp(TransportFailure::WrongSharedSecret)
        );
    }

    #[test]
    fn challenge_without_message_authenticator_is_dropped_bare_reject_is_not() {
        let mut c = started();
        c.sent(at(0), Ok(()));
        let challenge = Eap::request(1, MethodType::Peap, &[0x21]).to_vec();
        let req = Packet::parse(c.datagram().unwrap()).unwrap();
        let mut b = Builder::new(Code::AccessChallenge, 7, [0; 16]);
        b.eap_message(&challenge);
        let mut unsigned = b.finish();
        sign_reply(&mut unsigned, &req.authenticator, SECRET);
        assert_eq!(c.handle_datagram(&unsigned), None);
        // Sent twice, then a bare Reject: taken, and named as answering a retransmission.
        c.sent(at(3000), Ok(()));
        let bare = reply(&c, Code::AccessReject, &[], None);
        let got = c.handle_datagram(&bare).unwrap();
        let Received::Eap(eap) = got else {
            panic!("{got:?}")
        };
        assert_eq!(eap[0], u8::from(EapCode::Failure));
        let mut d = Diagnosis::new(
            Phase::Identity,
            Cause::FailureWithoutReason {
                after: crate::diagnosis::SentMessage::Identity,
            },
        );
        c.annotate(&mut d);
        assert!(
            matches!(d.cause, Cause::EndedWithoutVerdict { sent: 2, .. }),
            "{d:?}"
        );
        assert_eq!(
            d.lower_layer,
            Some(LowerLayer::Radius {
                server_answered: true
            })
        );
    }

    #[test]
    fn accept_needs_eap_success_and_its_mppe_keys_must_match_the_msk() {
        let mut c = started();
        c.sent(at(0), Ok(()));
        // Signed, but no EAP-Message; and without Message-Authenticator it is dropped.
        assert_eq!(
            c.handle_datagram(&reply(&c, Code::AccessAccept, &[], None)),
            None
        );
        let req = Packet::parse(c.datagram().unwrap()).unwrap();
        let mut b = Builder::new(Code::AccessAccept, 7, [0; 16]);
        b.message_authenticator();
        let mut accept = b.finish();
        sign_reply(&mut accept, &req.authenticator, SECRET);
        assert_eq!(
            c.handle_datagram(&accept),
            Some(Received::Failed(
                TransportFailure::AcceptWithoutEapSuccess { eap_code: None }
            ))
        );

        let mut c = started();
        c.sent(at(0), Ok(()));
        let req = Packet::parse(c.datagram().unwrap()).unwrap();
        let msk: Vec<u8> = (0..64).collect();
        let mut b = Builder::new(Code::AccessAccept, 7, [0; 16]);
        let recv = mppe_attr::encrypt(SECRET, &req.authenticator, [1, 2], &msk[..32]);
        let send = mppe_attr::encrypt(SECRET, &req.authenticator, [3, 4], &msk[32..]);
        b.vendor(radius::VENDOR_MICROSOFT, radius::MS_MPPE_RECV_KEY, &recv)
            .vendor(radius::VENDOR_MICROSOFT, radius::MS_MPPE_SEND_KEY, &send)
            .eap_message(&Eap::bare(EapCode::Success, 9).to_vec())
            .message_authenticator();
        let mut p = b.finish();
        sign_reply(&mut p, &req.authenticator, SECRET);
        assert!(matches!(c.handle_datagram(&p), Some(Received::Eap(_))));
        assert_eq!(c.mppe_keys().recv.as_ref().unwrap().expose(), &msk[..32]);
        assert_eq!(c.mppe_keys().send.as_ref().unwrap().expose(), &msk[32..]);
    }

    #[test]
    fn a_local_error_on_every_send_names_our_side() {
        let mut c = started();
        let down = Err(LocalNetworkError::NetworkUnreachable);
        c.sent(at(0), down);
        c.sent(at(3000), down);
        c.sent(at(6000), down);
        let local = LocalEnd::Address([127, 0, 0, 1].into());
        assert_eq!(
            c.poll(at(9000), local.clone()),
            Action::GiveUp(TransportFailure::LocalNetwork {
                error: LocalNetworkError::NetworkUnreachable,
                local,
                failed_sends: 3
            })
        );
        assert_eq!(c.transmissions(), 0);
    }

    #[test]
    fn a_refused_port_gives_up_at_once_and_only_with_a_request_outstanding() {
        let server: core::net::SocketAddr = ([127, 0, 0, 1], 1812).into();
        let mut c = started();
        c.sent(at(0), Ok(()));
        c.connection_refused(server);
        assert_eq!(c.next_timer(at(1)), Some(at(1)), "due at once");
        // Long before the retransmission is due.
        assert_eq!(
            c.poll(at(1), LocalEnd::Unknown),
            Action::GiveUp(TransportFailure::ConnectionRefused { server })
        );
        assert_eq!(c.poll(at(2), LocalEnd::Unknown), Action::Idle);
        // Nothing outstanding: nothing to give up, and the next request is not affected.
        c.connection_refused(server);
        c.request(&[2, 0, 0, 5, 1], 8, [1; 16], at(3)).unwrap();
        assert_eq!(c.poll(at(3), LocalEnd::Unknown), Action::Transmit);
    }

    #[test]
    fn arbitrary_datagrams_never_panic() {
        let mut c = started();
        c.sent(at(0), Ok(()));
        let mut seed = 0x1234_5678u32;
        for len in 0..300usize {
            let mut d = Vec::with_capacity(len);
            for _ in 0..len {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                d.push((seed >> 16) as u8);
            }
            if len >= 4 {
                d[1] = 7;
                d[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            }
            assert_eq!(c.handle_datagram(&d), None);
        }
    }
}
