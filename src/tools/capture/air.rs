//! 802.11 over the air: what management frames say (the network's SSID and RSN element,
//! deauthentications and disassociations with their reason). The builders of frames and
//! monitor-mode headers the tests make captures with are test support (`testing/air.rs`).

use super::keys::{Keys, describe_rsn};
use super::link::Mac;
use super::names::quote;
use crate::wire::eapol_key::{ELEMENT_RSN, ELEMENT_VENDOR, Elements, Rsn};
use std::format;
use std::string::String;
use std::vec::Vec;

/// A network (BSS) as its beacons and probe responses show it.
#[derive(Debug, Clone)]
pub(super) struct Network {
    pub(super) bssid: Mac,
    pub(super) ssid: Option<Vec<u8>>,
    pub(super) rsn: Option<Rsn>,
}

pub(super) fn elements(body: &[u8]) -> (Option<Vec<u8>>, Option<Rsn>) {
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
