//! Conversations and timelines: replays the EAPOL frames and RADIUS datagrams of a capture
//! through the crate's codecs and gathers, per conversation, what a reader needs to see
//! and what the verdict needs to know.
//!
//! Conversations are told apart by MAC pair (EAPOL, with the roles read off the EAP codes,
//! as hostapd sends to the PAE group address), and by client and server address plus the
//! RADIUS State that each Access-Request echoes. A new EAPOL-Start or Identity Request
//! after a finished or advanced conversation, and an Access-Request without State, start
//! a new one. Retransmissions (same RADIUS Identifier and Authenticator; the same EAP
//! packet again) are listed and counted, not replayed twice.

use super::air::{self, Network};
use super::conv::Conv;
use super::decrypt::KeyLog;
use super::keys::{KeyCheck, KeySource};
use super::link::{self, Frame, Mac};
use super::names::quote;
use super::read::{Capture, ReadError, read_capture};
use super::verdict::{ConversationOutcome, PasswordCheck, Verdict};
use crate::method_type::MethodType;
use crate::wire::eap::{Code as EapCode, Eap};
use crate::wire::eapol::{Eapol, PacketType};
use crate::wire::eapol_key::{EapolKey, Message};
use crate::wire::radius::{Code as RadiusCode, Packet, attr};
use core::fmt::{self, Display, Formatter};
use std::format;
use std::net::SocketAddr;
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

/// What to check and how to recognise RADIUS.
#[derive(Clone, Default)]
pub struct Options {
    /// A password to check against cleartext EAP-MSCHAPv2 exchanges.
    pub password: Option<String>,
    /// The user name to hash for the check (default: the MSCHAPv2 Response's Name), and
    /// to name in diagnoses.
    pub identity: Option<String>,
    /// UDP ports that carry RADIUS whatever their content (1812 and 1645 always do).
    pub radius_ports: Vec<u16>,
    /// The SSID for a passphrase check (default: the SSID of the network's beacons or
    /// probe responses in the capture).
    pub ssid: Option<Vec<u8>>,
    /// A passphrase, PMK or MSK to check against captured 4-way handshakes.
    pub key: Option<KeySource>,
    /// TLS secrets (a key log file) to decrypt tunnels with, besides those the capture
    /// carries in its Decryption Secrets Blocks.
    pub tls_keys: Option<KeyLog>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("identity", &self.identity)
            .field("radius_ports", &self.radius_ports)
            .field("ssid", &self.ssid)
            .field("key", &self.key)
            .field("tls_keys", &self.tls_keys)
            .finish()
    }
}

/// Who talks in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// 802.1X on a LAN or WLAN.
    Eapol {
        /// The supplicant's MAC, when seen.
        supplicant: Option<Mac>,
        /// The authenticator's MAC, when seen.
        authenticator: Option<Mac>,
    },
    /// A NAS (or eapol_test) and a RADIUS server.
    Radius {
        /// The NAS.
        client: SocketAddr,
        /// The RADIUS server.
        server: SocketAddr,
        /// User-Name of the first Access-Request.
        user_name: Option<String>,
        /// Calling-Station-Id of the first Access-Request.
        calling_station_id: Option<String>,
    },
}

fn mac(m: &Option<Mac>) -> String {
    m.map_or_else(
        || "unknown".to_string(),
        |m| {
            let hex: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
            hex.join(":")
        },
    )
}

impl Display for Link {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Link::Eapol {
                supplicant,
                authenticator,
            } => write!(
                f,
                "EAPOL supplicant {}, authenticator {}",
                mac(supplicant),
                mac(authenticator)
            ),
            Link::Radius {
                client,
                server,
                user_name,
                calling_station_id,
            } => {
                write!(f, "RADIUS client {client}, server {server}")?;
                if let Some(u) = user_name {
                    write!(f, ", User-Name {}", quote(u.as_bytes()))?;
                }
                if let Some(c) = calling_station_id {
                    write!(f, ", Calling-Station-Id {}", quote(c.as_bytes()))?;
                }
                Ok(())
            }
        }
    }
}

/// One line of a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Since the conversation's first packet.
    pub time: Duration,
    /// From the client (supplicant or NAS) to the server (authenticator or RADIUS server).
    pub to_server: bool,
    /// The packet in one line.
    pub summary: String,
    /// What it carries, one item a line (TLS hellos, certificate, alerts, keys).
    pub details: Vec<String>,
}

/// One authentication as the capture shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// Who talks.
    pub link: Link,
    /// When its first packet was captured (since the Unix epoch).
    pub start: Duration,
    /// Its packets.
    pub timeline: Vec<Entry>,
    /// How it ended and why.
    pub verdict: Verdict,
    /// The password check, when a password was given.
    pub password: Option<PasswordCheck>,
    /// The network (802.11): SSID and RSN element, as its beacons, probe responses,
    /// association request or 4-way handshake show them.
    pub network: Option<String>,
    /// The key check, when a key was given (802.1X / Wi-Fi conversations).
    pub key: Option<KeyCheck>,
    /// Whether the TLS tunnel was decrypted, when TLS secrets were given or carried by the
    /// capture: "decrypted ..." or why not.
    pub tunnel: Option<String>,
}

/// Everything a capture says.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Packets in the file.
    pub packets: usize,
    /// Packets that were neither EAPOL nor RADIUS (nor 802.11 frames counted below).
    pub ignored: usize,
    /// 802.11 management frames read (beacons, probe responses, association requests,
    /// deauthentications, disassociations).
    pub management: usize,
    /// Protected (encrypted) 802.11 data frames, counted and not read.
    pub protected: usize,
    /// EAPOL frames (EtherType 0x888E) too short for their own header or length.
    pub malformed_eapol: usize,
    /// Set when the file was cut short: why.
    pub truncated: Option<String>,
    /// The conversations, in order of their first packet.
    pub conversations: Vec<Conversation>,
}

/// Reads a pcap or pcapng file held in memory and explains it.
pub fn explain(bytes: &[u8], options: &Options) -> Result<Report, ReadError> {
    Ok(explain_capture(&read_capture(bytes)?, options))
}

/// Explains the packets of a capture already read.
pub fn explain_capture(capture: &Capture, options: &Options) -> Report {
    let mut secrets = options.tls_keys.clone().unwrap_or_default();
    secrets.extend(&capture.tls_secrets);
    let mut convs: Vec<Conv> = Vec::new();
    let mut networks: Vec<Network> = Vec::new();
    let (mut ignored, mut management, mut protected, mut malformed_eapol) = (0, 0, 0, 0);
    let mut previous: Option<(Duration, Frame<'_>)> = None;
    for p in &capture.packets {
        let Some(frame) = link::decode(p.linktype, &p.data) else {
            ignored += 1;
            continue;
        };
        // `tshark -i any` sees a loopback packet twice (outgoing and incoming).
        if previous.is_some_and(|(t, f)| f == frame && p.time.saturating_sub(t).as_millis() < 1) {
            continue;
        }
        previous = Some((p.time, frame));
        let used = match frame {
            Frame::Eapol { src, dst, eapol } => {
                if !eapol_frame(&mut convs, p.time, src, dst, eapol) {
                    // EtherType 0x888E but shorter than its own header or length says
                    // (cut by the capture's snap length).
                    malformed_eapol += 1;
                }
                true
            }
            Frame::Udp { src, dst, payload } => {
                radius_datagram(&mut convs, p.time, src, dst, payload, options)
            }
            Frame::Management {
                subtype,
                src,
                dst,
                bssid,
                body,
            } => {
                management += 1;
                air::management(
                    &mut convs,
                    &mut networks,
                    p.time,
                    subtype,
                    src,
                    dst,
                    bssid,
                    body,
                );
                true
            }
            Frame::Protected { .. } => {
                protected += 1;
                true
            }
        };
        if !used {
            ignored += 1;
        }
    }
    Report {
        packets: capture.packets.len(),
        ignored,
        management,
        protected,
        malformed_eapol,
        truncated: capture.truncated.clone(),
        conversations: convs
            .into_iter()
            .map(|c| c.finish(options, &networks, &secrets))
            .collect(),
    }
}

/// An EAPOL frame: finds or starts its conversation. Returns false if it is not EAPOL.
fn eapol_frame(
    convs: &mut Vec<Conv>,
    t: Duration,
    src: Option<Mac>,
    dst: Option<Mac>,
    bytes: &[u8],
) -> bool {
    let Ok(e) = Eapol::parse(bytes) else {
        return false;
    };
    let eap = (e.packet_type == PacketType::EapPacket)
        .then(|| Eap::parse(e.body).ok())
        .flatten();
    let key = (e.packet_type == PacketType::Key)
        .then(|| EapolKey::parse(e.body).ok())
        .flatten()
        .map(|k| k.message());
    let from_supplicant = match (e.packet_type, &eap) {
        (PacketType::Key, _) if key.is_some() => key.map(|m| !m.from_authenticator()),
        (PacketType::Start | PacketType::Logoff, _) => Some(true),
        (PacketType::EapPacket, Some(p)) => match p.code {
            EapCode::Response => Some(true),
            EapCode::Request | EapCode::Success | EapCode::Failure => Some(false),
            _ => None,
        },
        _ => None,
    };
    let unicast = |m: Option<Mac>| m.filter(|m| m[0] & 1 == 0);
    let known = |a: &Option<Mac>, b: Option<Mac>| match (a, b) {
        (Some(a), Some(b)) => *a == b,
        _ => true,
    };
    let starts = e.packet_type == PacketType::Start
        || eap.as_ref().is_some_and(|p| {
            p.code == EapCode::Request && p.method().is_some_and(|(m, _)| m == MethodType::Identity)
        });
    let (sup, auth, to_server) = match from_supplicant {
        Some(true) => (src, unicast(dst), true),
        Some(false) => (unicast(dst), src, false),
        None => {
            // EAPOL-Key and the like: only into a conversation between the same MACs.
            let found = convs.iter().rposition(|c| match &c.link {
                Link::Eapol {
                    supplicant,
                    authenticator,
                } => src.is_some() && (*supplicant == src || *authenticator == src),
                Link::Radius { .. } => false,
            });
            let Some(i) = found else {
                // No conversation yet (a capture that starts here): one of its own, so that
                // every EAPOL frame is reported.
                let link = Link::Eapol {
                    supplicant: src,
                    authenticator: unicast(dst),
                };
                convs.push(Conv::new(link, t));
                convs
                    .last_mut()
                    .expect("pushed")
                    .eapol(t, true, &e, src, dst, bytes);
                return true;
            };
            let to_server =
                matches!(&convs[i].link, Link::Eapol { supplicant, .. } if *supplicant == src);
            convs[i].eapol(t, to_server, &e, src, dst, bytes);
            return true;
        }
    };
    // A conversation with the same MACs, else one whose known MACs do not contradict the
    // frame's (hostapd and wired supplicants send to the PAE group address, so each frame
    // shows one side only).
    let compatible = |c: &Conv, equal: bool| match &c.link {
        Link::Eapol {
            supplicant,
            authenticator,
        } => {
            known(supplicant, sup)
                && known(authenticator, auth)
                && (!equal
                    || (supplicant.is_some() && *supplicant == sup)
                    || (authenticator.is_some() && *authenticator == auth))
        }
        Link::Radius { .. } => false,
    };
    let found = convs
        .iter()
        .rposition(|c| compatible(c, true))
        .or_else(|| convs.iter().rposition(|c| compatible(c, false)));
    let again = key == Some(Message::FourWay1);
    let i = match found {
        Some(i) if !(starts && convs[i].advanced() || again && convs[i].keys.closed()) => i,
        _ => {
            let link = Link::Eapol {
                supplicant: sup,
                authenticator: auth,
            };
            convs.push(Conv::new(link, t));
            convs.len() - 1
        }
    };
    if let Link::Eapol {
        supplicant,
        authenticator,
    } = &mut convs[i].link
    {
        *supplicant = supplicant.or(sup);
        *authenticator = authenticator.or(auth);
    }
    convs[i].eapol(t, to_server, &e, src, dst, bytes);
    true
}

/// A UDP datagram: RADIUS if it looks like it. Returns false if it does not.
fn radius_datagram(
    convs: &mut Vec<Conv>,
    t: Duration,
    src: SocketAddr,
    dst: SocketAddr,
    payload: &[u8],
    options: &Options,
) -> bool {
    let Ok(p) = Packet::parse(payload) else {
        return false;
    };
    let access = matches!(
        p.code,
        RadiusCode::AccessRequest
            | RadiusCode::AccessAccept
            | RadiusCode::AccessReject
            | RadiusCode::AccessChallenge
    );
    let named = [src.port(), dst.port()]
        .iter()
        .any(|port| [1812, 1645].contains(port) || options.radius_ports.contains(port));
    let eapish =
        p.first(attr::EAP_MESSAGE).is_some() || p.first(attr::MESSAGE_AUTHENTICATOR).is_some();
    if !access || p.len() != payload.len() || !(named || eapish) {
        return false;
    }
    let between = |c: &Conv, client: SocketAddr, server: SocketAddr| matches!(&c.link, Link::Radius { client: a, server: b, .. } if *a == client && *b == server);
    let key = (p.identifier, p.authenticator);
    if p.code == RadiusCode::AccessRequest {
        if let Some(i) = convs
            .iter()
            .rposition(|c| between(c, src, dst) && c.pending == Some(key))
        {
            let c = &mut convs[i];
            c.push(
                t,
                true,
                format!("Access-Request id {} (retransmission)", p.identifier),
                Vec::new(),
            );
            c.retransmitted(t);
            return true;
        }
        let state = p.first(attr::STATE);
        let found = match state {
            Some(s) => convs
                .iter()
                .rposition(|c| between(c, src, dst) && c.state.as_deref() == Some(s)),
            // A server that sends no State: the open conversation of the same station.
            None => convs.iter().rposition(|c| {
                let station = p.first(attr::CALLING_STATION_ID);
                let same_station = match &c.link {
                    Link::Radius {
                        calling_station_id: Some(id),
                        ..
                    } => station.is_some_and(|s| s == id.as_bytes()),
                    _ => station.is_none(),
                };
                between(c, src, dst)
                    && same_station
                    && c.obs.end.is_none()
                    && c.state.is_none()
                    && c.obs.replies > 0
            }),
        };
        let i = found.unwrap_or_else(|| {
            let link = Link::Radius {
                client: src,
                server: dst,
                user_name: None,
                calling_station_id: None,
            };
            convs.push(Conv::new(link, t));
            convs.len() - 1
        });
        convs[i].radius_request(t, &p);
        return true;
    }
    let pending = |c: &Conv| c.pending.is_some_and(|(id, _)| id == p.identifier);
    let found = convs
        .iter()
        .rposition(|c| between(c, dst, src) && pending(c))
        .or_else(|| convs.iter().rposition(|c| between(c, dst, src)));
    let i = found.unwrap_or_else(|| {
        let link = Link::Radius {
            client: dst,
            server: src,
            user_name: None,
            calling_station_id: None,
        };
        convs.push(Conv::new(link, t));
        convs.len() - 1
    });
    let c = &mut convs[i];
    if c.last_reply == Some(key) {
        c.push(
            t,
            false,
            format!("{} id {} (repeated)", p.code.name(), p.identifier),
            Vec::new(),
        );
        c.retransmitted(t);
        return true;
    }
    c.radius_reply(t, &p);
    true
}

impl Display for Conversation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.link)?;
        for e in &self.timeline {
            let dir = if e.to_server {
                "client->server"
            } else {
                "server->client"
            };
            writeln!(
                f,
                "  +{}.{:06} {dir} {}",
                e.time.as_secs(),
                e.time.subsec_micros(),
                e.summary
            )?;
            for d in &e.details {
                writeln!(f, "      {d}")?;
            }
        }
        if let Some(n) = &self.network {
            writeln!(f, "network: {n}")?;
        }
        if let Some(t) = &self.tunnel {
            writeln!(f, "tunnel: {t}")?;
        }
        let v = &self.verdict;
        writeln!(f, "outcome: {}", v.outcome)?;
        writeln!(f, "phase: {}", v.phase)?;
        writeln!(f, "cause: {}", v.finding)?;
        if !v.story.is_empty() {
            writeln!(f, "story: {}", v.story.join("; "))?;
        }
        if let Some(m) = &v.server_message {
            writeln!(f, "server message: {}", quote(m.as_bytes()))?;
        }
        writeln!(f, "hint: {}", v.finding.hint())?;
        if let Some(p) = &self.password {
            writeln!(f, "password: {p}")?;
        }
        if let Some(k) = &self.key {
            writeln!(f, "key: {k}")?;
        }
        Ok(())
    }
}

impl Conversation {
    /// One JSON object (no newline): `conversation` (its number, from 1), `link`, `result`
    /// (`"success"` | `"failure"` | `"incomplete"`), `cause` (`null` on success, else
    /// `code`, `phase`, `message`, `hint`, with the same codes as a live run's report),
    /// `server_message`, `story`, `tunnel`, `password`, `key` (`null` when not applicable).
    pub fn to_json(&self, number: usize) -> String {
        use crate::tools::json::{Object, array, string};
        let text = |s: &str| {
            let mut q = String::new();
            string(&mut q, s);
            q
        };
        let v = &self.verdict;
        let mut out = String::new();
        let mut o = Object::new(&mut out);
        o.num("conversation", number as f64)
            .str("link", &self.link.to_string())
            .str("result", &v.outcome.to_string());
        if v.outcome == ConversationOutcome::Success {
            o.raw("cause", "null");
        } else {
            let mut c = String::new();
            let mut co = Object::new(&mut c);
            co.str("code", v.finding.code())
                .str("phase", v.phase.code())
                .str("message", &v.finding.to_string())
                .str("hint", v.finding.hint())
                .opt_str("kind", v.finding.kind().map(|k| k.as_str()));
            co.end();
            o.raw("cause", &c);
        }
        o.opt_str("server_message", v.server_message.as_deref())
            .raw("story", &array(v.story.iter().map(|s| text(s))))
            .opt_str("tunnel", self.tunnel.as_deref())
            .opt_str(
                "password",
                self.password.as_ref().map(ToString::to_string).as_deref(),
            )
            .opt_str("key", self.key.as_ref().map(ToString::to_string).as_deref());
        o.end();
        out
    }
}

impl Display for Report {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "capture: {} packets, {} conversation(s), {} packets neither EAPOL nor RADIUS",
            self.packets,
            self.conversations.len(),
            self.ignored
        )?;
        if self.management + self.protected > 0 {
            writeln!(
                f,
                "802.11: {} management frames read, {} protected data frames skipped (encrypted)",
                self.management, self.protected
            )?;
        }
        if self.malformed_eapol > 0 {
            writeln!(
                f,
                "EAPOL: {} frames cut short or malformed (not read)",
                self.malformed_eapol
            )?;
        }
        if let Some(t) = &self.truncated {
            writeln!(
                f,
                "note: the capture is cut short after its last packet ({t})"
            )?;
        }
        for (i, c) in self.conversations.iter().enumerate() {
            write!(f, "\nconversation {}: {c}", i + 1)?;
        }
        Ok(())
    }
}
