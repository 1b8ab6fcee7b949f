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

use super::air::Network;
use super::conv::Conv;
use super::link::{self, Frame, Mac};
use super::model::{Conversation, Link, Options};
use super::read::{Capture, ReadError, read_capture};
use crate::method_type::MethodType;
use crate::wire::eap::{Code as EapCode, Eap};
use crate::wire::eapol::{Eapol, PacketType};
use crate::wire::eapol_key::{EapolKey, Message};
use crate::wire::radius::{Code as RadiusCode, Packet, attr};
use core::fmt::{self, Display, Formatter};
use std::format;
use std::net::SocketAddr;
use std::string::String;
use std::time::Duration;
use std::vec::Vec;

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
                super::conv::management(
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
