//! 802.11 over the air: what management frames say (the network's SSID and RSN element,
//! deauthentications and disassociations with their reason). The builders of frames and
//! monitor-mode headers the tests make captures with are test support (`testing/air.rs`).

use super::conv::Conv;
use super::explain::Link;
use super::keys::{Departure, Keys, describe_rsn, reason_name};
use super::link::Mac;
use super::names::quote;
use crate::wire::eapol_key::{ELEMENT_RSN, ELEMENT_VENDOR, Elements, Rsn};
use std::format;
use std::string::String;
use std::time::Duration;
use std::vec::Vec;

/// A network (BSS) as its beacons and probe responses show it.
#[derive(Debug, Clone)]
pub(super) struct Network {
    pub(super) bssid: Mac,
    pub(super) ssid: Option<Vec<u8>>,
    pub(super) rsn: Option<Rsn>,
}

fn elements(body: &[u8]) -> (Option<Vec<u8>>, Option<Rsn>) {
    let (mut ssid, mut rsn) = (None, None);
    for (id, v) in Elements(body) {
        match id {
            0 if ssid.is_none() => ssid = Some(v.to_vec()),
            ELEMENT_RSN => rsn = Rsn::parse(v).or(rsn),
            ELEMENT_VENDOR if rsn.is_none() => rsn = Rsn::parse_wpa(v),
            _ => {}
        }
    }
    (ssid, rsn)
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
            let (ssid, rsn) = elements(body.get(12..).unwrap_or_default());
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
            let (ssid, rsn) = elements(body.get(skip..).unwrap_or_default());
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

/// The `network:` line: SSID and RSN element, when known.
pub(super) fn describe(ssid: Option<&[u8]>, n: Option<&Network>, keys: &Keys) -> Option<String> {
    let rsn = keys.rsn.as_ref().or(n.and_then(|n| n.rsn.as_ref()));
    match (ssid, rsn) {
        (None, None) => None,
        (Some(s), None) => Some(format!("SSID {}", quote(s))),
        (None, Some(r)) => Some(describe_rsn(r)),
        (Some(s), Some(r)) => Some(format!("SSID {}; {}", quote(s), describe_rsn(r))),
    }
}
