//! The reader of one conversation: replays its EAP packets through the crate's codecs,
//! builds its timeline and gathers the facts its verdict is drawn from.

use super::air::{self, Network};
use super::decrypt::{KeyLog, Records};
use super::keys::{Departure, Keys, describe_rsn, reason_name};
use super::link::Mac;
use super::model::{Conversation, Entry, Link, Options};
use super::names::quote;
use super::verdict::{End, Last, Observed, PasswordCheck};
use crate::diagnosis::SentMessage;
use crate::method_type::MethodType;
use crate::wire::eap::{Code as EapCode, EXPANDED_NAK, Eap};
use crate::wire::eap::{parse_expanded_nak, parse_legacy_nak};
use crate::wire::eapol::{Eapol, PacketType};
use crate::wire::mschapv2::MsChapV2;
use crate::wire::radius::{self, Code as RadiusCode, Packet, attr};
use crate::wire::tls_record::TlsScanner;
use std::format;
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

/// A conversation being read.
pub(super) struct Conv {
    pub(super) link: Link,
    pub(super) start: Duration,
    pub(super) timeline: Vec<Entry>,
    pub(super) obs: Observed,
    pub(super) client_tls: TlsScanner,
    pub(super) server_tls: TlsScanner,
    pub(super) tls13: bool,
    pub(super) client_ccs: bool,
    pub(super) server_ccs: bool,
    /// The last EAP packet: direction and octets (for EAPOL retransmissions).
    pub(super) last_eap: Option<(bool, Vec<u8>)>,
    pub(super) last_server_method: Option<MethodType>,
    /// RADIUS: the State of the last Access-Challenge, the last request and reply.
    pub(super) state: Option<Vec<u8>>,
    pub(super) pending: Option<(u8, [u8; 16])>,
    pub(super) last_reply: Option<(u8, [u8; 16])>,
    /// The WPA key handshakes (EAPOL-Key frames, deauthentication).
    pub(super) keys: Keys,
    /// The TLS records of the last handshake, for decryption.
    pub(super) records: Records,
}

/// What one EAP packet showed.
pub(super) struct Seen {
    pub(super) summary: String,
    pub(super) details: Vec<String>,
    /// Named for sentences ("TLS ClientHello").
    pub(super) name: String,
    pub(super) sent: Option<SentMessage>,
}

impl Seen {
    pub(super) fn plain(summary: String) -> Seen {
        Seen {
            name: summary.clone(),
            summary,
            details: Vec::new(),
            sent: None,
        }
    }
}

pub(super) const TLS_METHODS: [MethodType; 5] = [
    MethodType::Tls,
    MethodType::Ttls,
    MethodType::Peap,
    MethodType::Fast,
    MethodType::Teap,
];

/// The ServerHello random of a HelloRetryRequest (RFC 8446 §4.1.3).
pub(super) const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

impl Conv {
    pub(super) fn new(link: Link, start: Duration) -> Conv {
        let radius = matches!(link, Link::Radius { .. });
        Conv {
            link,
            start,
            timeline: Vec::new(),
            obs: Observed {
                radius,
                ..Observed::default()
            },
            client_tls: TlsScanner::new(),
            server_tls: TlsScanner::new(),
            tls13: false,
            client_ccs: false,
            server_ccs: false,
            last_eap: None,
            last_server_method: None,
            state: None,
            pending: None,
            last_reply: None,
            keys: Keys::default(),
            records: Records::default(),
        }
    }

    /// Past the identity exchange, or finished: a new Identity Request starts another.
    pub(super) fn advanced(&self) -> bool {
        self.obs.end.is_some() || !self.obs.proposed.is_empty()
    }

    pub(super) fn push(
        &mut self,
        t: Duration,
        to_server: bool,
        summary: String,
        details: Vec<String>,
    ) {
        self.timeline.push(Entry {
            time: t.saturating_sub(self.start),
            to_server,
            summary,
            details,
        });
    }

    pub(super) fn note(
        &mut self,
        t: Duration,
        to_server: bool,
        name: String,
        sent: Option<SentMessage>,
    ) {
        if to_server && sent.is_some() {
            self.obs.last_sent = sent;
            self.obs.last_sent_count = 1;
        }
        let side = if to_server { "client" } else { "server" };
        self.obs.last = Some(Last {
            to_server,
            name: format!("the {side}'s {name}"),
            sent,
            first: t,
            last: t,
            count: 1,
        });
    }

    pub(super) fn retransmitted(&mut self, t: Duration) {
        if let Some(l) = &mut self.obs.last {
            l.count += 1;
            l.last = t;
            if l.to_server && l.sent.is_some() {
                self.obs.last_sent_count = l.count;
            }
        }
    }

    pub(super) fn story(&mut self, s: String) {
        self.obs.story.push(s);
    }

    pub(super) fn eapol(
        &mut self,
        t: Duration,
        to_server: bool,
        e: &Eapol<'_>,
        src: Option<Mac>,
        dst: Option<Mac>,
        frame: &[u8],
    ) {
        match e.packet_type {
            PacketType::EapPacket => {
                if self
                    .last_eap
                    .as_ref()
                    .is_some_and(|(d, b)| *d == to_server && b == e.body)
                {
                    let summary = match Eap::parse(e.body) {
                        Ok(p) => format!("EAP {:?} id {} (retransmission)", p.code, p.identifier),
                        Err(_) => "EAP (retransmission)".to_string(),
                    };
                    self.push(t, to_server, summary, Vec::new());
                    self.retransmitted(t);
                    return;
                }
                let seen = self.eap(e.body, to_server, true);
                self.push(t, to_server, seen.summary, seen.details);
                self.note(t, to_server, seen.name, seen.sent);
            }
            PacketType::Start => {
                let again = self
                    .obs
                    .last
                    .as_ref()
                    .is_some_and(|l| l.name.ends_with("EAPOL-Start"));
                self.push(t, to_server, "EAPOL-Start".into(), Vec::new());
                if again {
                    self.retransmitted(t);
                } else {
                    self.note(
                        t,
                        to_server,
                        "EAPOL-Start".into(),
                        Some(SentMessage::Nothing),
                    );
                }
            }
            PacketType::Logoff => {
                self.push(t, to_server, "EAPOL-Logoff".into(), Vec::new());
                self.story("the supplicant sent EAPOL-Logoff".into());
            }
            PacketType::Key => {
                match self
                    .keys
                    .frame(t.saturating_sub(self.start), src, dst, frame, e.body)
                {
                    Some((msg, summary, details)) => {
                        self.push(t, to_server, summary, details);
                        if self.keys.first_of(msg) {
                            self.story(format!("the {} sent {}", key_side(to_server), msg.name()));
                        }
                    }
                    None => {
                        let s = format!("EAPOL-Key (malformed, {} octets)", e.body.len());
                        self.push(t, to_server, s, Vec::new());
                    }
                }
            }
            other => {
                let s = format!("EAPOL packet type {}", u8::from(other));
                self.push(t, to_server, s, Vec::new());
            }
        }
    }

    /// One EAP packet, in either direction. `eapol`: no RADIUS code tells the end.
    pub(super) fn eap(&mut self, bytes: &[u8], to_server: bool, eapol: bool) -> Seen {
        self.last_eap = Some((to_server, bytes.to_vec()));
        let eap = match Eap::parse(bytes) {
            Ok(e) => e,
            Err(e) => return Seen::plain(format!("malformed EAP ({e})")),
        };
        let id = eap.identifier;
        match (eap.code, eap.method()) {
            (EapCode::Success, _) => {
                self.obs.end = Some(End::Success);
                if eapol {
                    self.story("the authenticator sent EAP-Success".into());
                }
                let mut seen = Seen::plain(format!("EAP Success id {id}"));
                seen.name = "EAP-Success".into();
                seen
            }
            (EapCode::Failure, _) => {
                self.obs.end = Some(End::Failure);
                if eapol {
                    self.story("the authenticator sent EAP-Failure".into());
                }
                let mut seen = Seen::plain(format!("EAP Failure id {id}"));
                seen.name = "EAP-Failure".into();
                seen
            }
            (EapCode::Request, Some((m, data))) => {
                self.obs.requests += 1;
                let mut seen = self.request(m, data);
                seen.summary = format!("EAP Request id {id} {m}{}", seen.summary);
                seen
            }
            (EapCode::Response, Some((m, data))) => {
                let mut seen = self.response(m, data);
                seen.summary = format!("EAP Response id {id} {m}{}", seen.summary);
                seen
            }
            (code, _) => Seen::plain(format!("EAP code {} id {id}", u8::from(code))),
        }
    }

    pub(super) fn request(&mut self, m: MethodType, data: &[u8]) -> Seen {
        self.last_server_method = Some(m);
        let mut seen = Seen::plain(String::new());
        seen.name = format!("{m} Request");
        match m {
            MethodType::Identity => return seen,
            MethodType::Notification => {
                let text = String::from_utf8_lossy(data).into_owned();
                seen.summary = format!(" {}", quote(data));
                self.story(format!("the server sent the notification {}", quote(data)));
                self.obs.server_message = Some(text);
                return seen;
            }
            _ => {}
        }
        if self.obs.proposed.last() != Some(&m) {
            self.obs.proposed.push(m);
            self.story(format!("the server proposed {m}"));
        }
        if TLS_METHODS.contains(&m) {
            return self.tls(m, data, false);
        }
        if m == MethodType::MsChapV2 {
            match MsChapV2::parse(data) {
                Ok(MsChapV2::Challenge {
                    challenge, name, ..
                }) => {
                    self.obs.mschap.challenge = Some(challenge);
                    seen.summary = format!(" Challenge from {}", quote(name));
                    seen.name = "MSCHAPv2 Challenge".into();
                }
                Ok(MsChapV2::Success { message, .. }) => {
                    self.obs.mschap.success = Some(message.to_vec());
                    seen.summary = format!(" Success {}", quote(message));
                    seen.name = "MSCHAPv2 Success".into();
                    self.story("the server sent an MSCHAPv2 Success".into());
                }
                Ok(MsChapV2::Failure { message, .. }) => {
                    self.obs.mschap.failure = Some(message.to_vec());
                    seen.summary = format!(" Failure {}", quote(message));
                    seen.name = "MSCHAPv2 Failure".into();
                    self.story(format!(
                        "the server sent an MSCHAPv2 Failure {}",
                        quote(message)
                    ));
                }
                Ok(_) => {}
                Err(e) => seen.summary = format!(" malformed ({e})"),
            }
        }
        seen
    }

    pub(super) fn response(&mut self, m: MethodType, data: &[u8]) -> Seen {
        let mut seen = Seen::plain(String::new());
        seen.name = format!("{m} Response");
        let nak = |s: &mut Self, offered: Vec<MethodType>| -> Seen {
            let proposed = s.last_server_method.unwrap_or(MethodType::Unknown(0));
            let list: Vec<String> = offered.iter().map(ToString::to_string).collect();
            let list = list.join(", ");
            s.story(format!("the client NAKed {proposed}, asking for {list}"));
            s.obs.naks.push((proposed, offered));
            Seen {
                summary: format!(", asking for {list}"),
                details: Vec::new(),
                name: "Nak".into(),
                sent: Some(SentMessage::Nak),
            }
        };
        match m {
            MethodType::Identity => {
                let identity = String::from_utf8_lossy(data).into_owned();
                seen.summary = format!(" {}", quote(data));
                seen.name = "Identity".into();
                seen.sent = Some(SentMessage::Identity);
                self.story(format!("the client identified as {}", quote(data)));
                self.obs.outer_identity = Some(identity);
                return seen;
            }
            MethodType::Notification => {
                seen.sent = Some(SentMessage::Notification);
                return seen;
            }
            MethodType::Nak => return nak(self, parse_legacy_nak(data).collect()),
            EXPANDED_NAK => {
                let offered = parse_expanded_nak(data).unwrap_or_default();
                let offered = offered.into_iter().map(|t| match t {
                    MethodType::Expanded {
                        vendor_id: 0,
                        vendor_type,
                    } if vendor_type < 254 => MethodType::from_octet(vendor_type as u8),
                    other => other,
                });
                return nak(self, offered.collect());
            }
            _ => {}
        }
        self.obs.accepted = Some(m);
        if TLS_METHODS.contains(&m) {
            return self.tls(m, data, true);
        }
        if m == MethodType::MsChapV2 {
            match MsChapV2::parse(data) {
                Ok(MsChapV2::Response {
                    peer_challenge,
                    nt_response,
                    name,
                    ..
                }) => {
                    let r = (peer_challenge, nt_response, name.to_vec());
                    self.obs.mschap.response = Some(r);
                    seen.summary = format!(" Response as {}", quote(name));
                    seen.name = "MSCHAPv2 Response".into();
                    seen.sent = Some(SentMessage::MschapResponse);
                    self.story(format!(
                        "the client sent its MSCHAPv2 Response as {}",
                        quote(name)
                    ));
                }
                Ok(MsChapV2::SuccessAck) => {
                    seen.summary = " Success acknowledgement".into();
                    seen.sent = Some(SentMessage::MschapSuccessAck);
                }
                Ok(MsChapV2::FailureAck) => {
                    seen.summary = " Failure acknowledgement".into();
                    seen.sent = Some(SentMessage::MschapFailureAck);
                }
                Ok(_) => {}
                Err(e) => seen.summary = format!(" malformed ({e})"),
            }
        }
        seen
    }

    pub(super) fn radius_request(&mut self, t: Duration, p: &Packet<'_>) {
        self.pending = Some((p.identifier, p.authenticator));
        if let Link::Radius {
            user_name,
            calling_station_id,
            ..
        } = &mut self.link
        {
            let text = |a| p.first(a).map(|v| String::from_utf8_lossy(v).into_owned());
            user_name.get_or_insert_with(|| text(attr::USER_NAME).unwrap_or_default());
            if calling_station_id.is_none() {
                *calling_station_id = text(attr::CALLING_STATION_ID);
            }
        }
        let head = format!("Access-Request id {}", p.identifier);
        self.radius_eap(t, p, head, Vec::new(), true);
    }

    pub(super) fn radius_reply(&mut self, t: Duration, p: &Packet<'_>) {
        self.obs.replies += 1;
        self.last_reply = Some((p.identifier, p.authenticator));
        self.state = p.first(attr::STATE).map(<[u8]>::to_vec);
        let mut details = Vec::new();
        let message: Vec<u8> = p
            .iter()
            .filter_map(Result::ok)
            .filter(|a| a.attr_type == attr::REPLY_MESSAGE)
            .flat_map(|a| a.value.iter().copied())
            .collect();
        if !message.is_empty() {
            details.push(format!("Reply-Message: {}", quote(&message)));
            self.obs.server_message = Some(String::from_utf8_lossy(&message).into_owned());
        }
        match p.code {
            RadiusCode::AccessAccept => {
                let ms = p.vendor_attributes(radius::VENDOR_MICROSOFT);
                let types: Vec<u8> = ms.map(|a| a.attr_type).collect();
                let send = types.contains(&radius::MS_MPPE_SEND_KEY);
                let recv = types.contains(&radius::MS_MPPE_RECV_KEY);
                details.push(match (send, recv) {
                    (true, true) => "MS-MPPE-Send-Key and MS-MPPE-Recv-Key present".into(),
                    (true, false) => "MS-MPPE-Send-Key present, no MS-MPPE-Recv-Key".into(),
                    (false, true) => "MS-MPPE-Recv-Key present, no MS-MPPE-Send-Key".into(),
                    (false, false) => "no MS-MPPE keys".into(),
                });
                self.obs.mppe_keys = Some(send && recv);
                self.obs.end = Some(End::Success);
                self.story("the server sent Access-Accept".into());
            }
            RadiusCode::AccessReject => {
                self.obs.end = Some(End::Failure);
                self.story("the server sent Access-Reject".into());
            }
            _ => {}
        }
        let head = format!("{} id {}", p.code.name(), p.identifier);
        self.radius_eap(t, p, head, details, false);
    }

    pub(super) fn radius_eap(
        &mut self,
        t: Duration,
        p: &Packet<'_>,
        head: String,
        mut details: Vec<String>,
        to_server: bool,
    ) {
        let (summary, name, sent) = match p.eap_message() {
            Some(eap) => {
                let seen = self.eap(&eap, to_server, false);
                details.splice(0..0, seen.details);
                (format!("{head}: {}", seen.summary), seen.name, seen.sent)
            }
            None => (
                format!("{head} (no EAP-Message)"),
                p.code.name().to_string(),
                None,
            ),
        };
        self.push(t, to_server, summary, details);
        self.note(t, to_server, name, sent);
    }

    pub(super) fn finish(
        mut self,
        options: &Options,
        networks: &[Network],
        secrets: &KeyLog,
    ) -> Conversation {
        let identity = options.identity.as_deref();
        if let Some(l) = self.obs.last.clone().filter(|l| l.count > 1) {
            let secs = l.last.saturating_sub(l.first).as_secs();
            let name = l.name;
            self.story(format!(
                "{name} was sent {} times over {secs} s, unanswered",
                l.count
            ));
        }
        let mut verdict = self.obs.verdict(identity);
        let tunnel = self.open_tunnel(secrets, &mut verdict);
        let authenticator = match &self.link {
            Link::Eapol { authenticator, .. } => *authenticator,
            Link::Radius { .. } => None,
        };
        let network = networks.iter().find(|n| Some(n.bssid) == authenticator);
        let beacon = network.and_then(|n| n.rsn.as_ref());
        let eap = self.obs.requests > 0 || self.obs.end.is_some();
        let verdict = self.keys.judge(verdict, eap, beacon);
        let ssid = options
            .ssid
            .as_deref()
            .or_else(|| network.and_then(|n| n.ssid.as_deref()));
        let key = match (&options.key, &self.link) {
            (Some(k), Link::Eapol { .. }) => Some(self.keys.check(k, ssid, beacon)),
            _ => None,
        };
        let network = air::describe(ssid, network, &self.keys);
        let password = options.password.as_deref().map(|pw| {
            if self.obs.mschap.challenge.is_some() && self.obs.mschap.response.is_some() {
                self.obs.mschap.check(pw, identity)
            } else if self.obs.tunnel_up {
                PasswordCheck::NotChecked("the MSCHAPv2 exchange is inside the encrypted tunnel")
            } else {
                PasswordCheck::NotChecked("no cleartext EAP-MSCHAPv2 exchange")
            }
        });
        Conversation {
            link: self.link,
            start: self.start,
            timeline: self.timeline,
            verdict,
            password,
            network,
            key,
            tunnel,
        }
    }
}

fn key_side(to_server: bool) -> &'static str {
    if to_server { "station" } else { "access point" }
}

pub(super) fn side(to_server: bool) -> &'static str {
    if to_server { "client" } else { "server" }
}

/// Reads one management frame.
#[allow(clippy::too_many_arguments)]
pub(super) fn management(
    convs: &mut Vec<Conv>,
    networks: &mut Vec<Network>,
    t: Duration,
    subtype: u8,
    src: Mac,
    dst: Mac,
    bssid: Mac,
    body: &[u8],
) {
    let between = |c: &Conv, a: Mac, b: Mac| match &c.link {
        Link::Eapol {
            supplicant,
            authenticator,
        } => {
            (*supplicant == Some(a) && *authenticator == Some(b))
                || (*supplicant == Some(b) && *authenticator == Some(a))
        }
        Link::Radius { .. } => false,
    };
    match subtype {
        5 | 8 => {
            let (ssid, rsn) = air::elements(body.get(12..).unwrap_or_default());
            match networks.iter_mut().find(|n| n.bssid == bssid) {
                Some(n) => {
                    n.ssid = n.ssid.take().or(ssid);
                    n.rsn = n.rsn.take().or(rsn);
                }
                None => networks.push(Network { bssid, ssid, rsn }),
            }
        }
        0 | 2 => {
            let skip = if subtype == 0 { 4 } else { 10 };
            let (ssid, rsn) = air::elements(body.get(skip..).unwrap_or_default());
            let mut details = Vec::new();
            if let Some(s) = &ssid {
                details.push(format!("SSID {}", quote(s)));
            }
            if let Some(r) = &rsn {
                details.push(describe_rsn(r));
            }
            if !networks.iter().any(|n| n.bssid == bssid) {
                networks.push(Network {
                    bssid,
                    ssid,
                    rsn: None,
                });
            }
            let i = match convs.iter().rposition(|c| between(c, src, bssid)) {
                Some(i) if !convs[i].keys.closed() && !convs[i].advanced() => i,
                _ => {
                    let link = Link::Eapol {
                        supplicant: Some(src),
                        authenticator: Some(bssid),
                    };
                    convs.push(Conv::new(link, t));
                    convs.len() - 1
                }
            };
            let name = if subtype == 0 {
                "Association Request"
            } else {
                "Reassociation Request"
            };
            convs[i].push(t, true, format!("802.11 {name}"), details);
            if let Some(r) = rsn {
                convs[i].keys.rsn.get_or_insert(r);
            }
        }
        10 | 12 => {
            let reason = body
                .get(..2)
                .map_or(0, |r| u16::from_le_bytes([r[0], r[1]]));
            let Some(i) = convs.iter().rposition(|c| between(c, src, dst)) else {
                return;
            };
            let from_ap = src == bssid;
            let deauth = subtype == 12;
            let name = if deauth {
                "Deauthentication"
            } else {
                "Disassociation"
            };
            let c = &mut convs[i];
            c.push(
                t,
                !from_ap,
                format!("802.11 {name}, reason {reason} ({})", reason_name(reason)),
                Vec::new(),
            );
            c.story(format!(
                "the {} sent {name} with reason {reason}",
                if from_ap { "access point" } else { "station" }
            ));
            c.keys.depart(Departure {
                deauth,
                reason,
                from_ap,
            });
        }
        _ => {}
    }
}
