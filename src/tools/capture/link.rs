//! From link-layer frames to what the explainer reads: EAPOL frames (with the MAC addresses
//! the link layer shows) and UDP datagrams (with their socket addresses).
//!
//! Link types: Ethernet (1, with any number of 802.1Q / 802.1ad tags), raw IP (101, 12, 14,
//! 228 IPv4, 229 IPv6), BSD loopback (0, 108), Linux cooked captures SLL (113) and SLL2
//! (276), which tshark writes for `-i any`; and the monitor-mode link types, which carry
//! IEEE 802.11 frames: plain 802.11 (105), radiotap (127: its length, extended present
//! bitmaps, field alignment and the Flags field's FCS-at-end bit are read), Prism II (119),
//! AVS (163; also found under 119) and PPI (192, with its 802.11-Common FCS flag).
//!
//! From 802.11: data frames (QoS, HT Control, four addresses) with an LLC/SNAP header give
//! EAPOL or IP; management frames that say something about keys (beacons, probe
//! responses, (re)association requests, deauthentication, disassociation) are returned as
//! [`Frame::Management`]; protected (encrypted) data frames as [`Frame::Protected`], counted
//! and not read. Fragmented IP packets are skipped.

use crate::wire::eapol::ETHERTYPE_PAE;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A MAC address.
pub type Mac = [u8; 6];

/// What a frame carries, if it is of interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// An EAPOL frame (its octets start at the EAPOL header).
    Eapol {
        /// Source MAC, when the link layer shows it.
        src: Option<Mac>,
        /// Destination MAC, when the link layer shows it.
        dst: Option<Mac>,
        /// The EAPOL frame, possibly followed by padding.
        eapol: &'a [u8],
    },
    /// A UDP datagram.
    Udp {
        /// Source address and port.
        src: SocketAddr,
        /// Destination address and port.
        dst: SocketAddr,
        /// The UDP payload.
        payload: &'a [u8],
    },
    /// An 802.11 management frame of interest (body after the 24-octet header).
    Management {
        /// Subtype (0 association request, 2 reassociation request, 5 probe response,
        /// 8 beacon, 10 disassociation, 12 deauthentication).
        subtype: u8,
        /// Transmitter (address 2).
        src: Mac,
        /// Receiver (address 1).
        dst: Mac,
        /// BSSID (address 3).
        bssid: Mac,
        /// The frame body, FCS removed.
        body: &'a [u8],
    },
    /// A protected (encrypted) 802.11 data frame: counted, not read.
    Protected {
        /// Source address.
        src: Mac,
        /// Destination address.
        dst: Mac,
    },
}

/// Management subtypes returned as [`Frame::Management`].
pub const MANAGEMENT_SUBTYPES: [u8; 6] = [0, 2, 5, 8, 10, 12];

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_VLAN: [u16; 3] = [0x8100, 0x88A8, 0x9100];

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn mac_at(data: &[u8], at: usize) -> Option<Mac> {
    data.get(at..at + 6)?.try_into().ok()
}

/// Decodes a captured packet of `linktype`.
pub fn decode(linktype: u32, data: &[u8]) -> Option<Frame<'_>> {
    match linktype {
        1 => ethernet(data),
        12 | 14 | 101 => ip(data),
        228 => ipv4(data),
        229 => ipv6(data),
        0 => {
            // BSD loopback: the address family in host byte order (either order here).
            let family = u32::from_le_bytes(data.get(..4)?.try_into().ok()?);
            let family = if family > 0xffff {
                family.swap_bytes()
            } else {
                family
            };
            match family {
                2 => ipv4(&data[4..]),
                10 | 24 | 28 | 30 => ipv6(&data[4..]),
                _ => None,
            }
        }
        108 => match u32::from_be_bytes(data.get(..4)?.try_into().ok()?) {
            2 => ipv4(&data[4..]),
            10 | 24 | 28 | 30 => ipv6(&data[4..]),
            _ => None,
        },
        105 => ieee80211(data, false),
        127 => radiotap(data),
        119 | 163 if avs_magic(data) => {
            let len = usize::try_from(u32::from_be_bytes(data.get(4..8)?.try_into().ok()?)).ok()?;
            ieee80211(data.get(len.max(8)..)?, false)
        }
        119 => {
            // Prism II monitor header: msgcode, msglen (host order; 144 in practice), device
            // name, then ten DID items. Its length is read in either byte order.
            let raw: [u8; 4] = data.get(4..8)?.try_into().ok()?;
            let len = u32::from_le_bytes(raw).min(u32::from_be_bytes(raw));
            let len = usize::try_from(len).ok()?;
            ieee80211(data.get(len.max(8)..)?, false)
        }
        192 => ppi(data),
        113 => {
            let halen = usize::from(u16_at(data, 4)?);
            let src = (halen == 6).then(|| mac_at(data, 6)).flatten();
            by_ethertype(u16_at(data, 14)?, data.get(16..)?, src, None)
        }
        276 => {
            let halen = usize::from(*data.get(11)?);
            let src = (halen == 6).then(|| mac_at(data, 12)).flatten();
            by_ethertype(u16_at(data, 0)?, data.get(20..)?, src, None)
        }
        _ => None,
    }
}

fn ethernet(data: &[u8]) -> Option<Frame<'_>> {
    let dst = mac_at(data, 0)?;
    let src = mac_at(data, 6)?;
    by_ethertype(u16_at(data, 12)?, data.get(14..)?, Some(src), Some(dst))
}

fn by_ethertype(
    mut ethertype: u16,
    mut payload: &[u8],
    src: Option<Mac>,
    dst: Option<Mac>,
) -> Option<Frame<'_>> {
    // VLAN tags: TCI, then the inner EtherType.
    while ETHERTYPE_VLAN.contains(&ethertype) {
        ethertype = u16_at(payload, 2)?;
        payload = payload.get(4..)?;
    }
    match ethertype {
        ETHERTYPE_PAE => Some(Frame::Eapol {
            src,
            dst,
            eapol: payload,
        }),
        ETHERTYPE_IPV4 => ipv4(payload),
        ETHERTYPE_IPV6 => ipv6(payload),
        _ => None,
    }
}

fn ip(data: &[u8]) -> Option<Frame<'_>> {
    match data.first()? >> 4 {
        4 => ipv4(data),
        6 => ipv6(data),
        _ => None,
    }
}

fn ipv4(data: &[u8]) -> Option<Frame<'_>> {
    let first = *data.first()?;
    let ihl = usize::from(first & 0x0f) * 4;
    if first >> 4 != 4 || ihl < 20 || data.len() < ihl {
        return None;
    }
    let total = usize::from(u16_at(data, 2)?).clamp(ihl, data.len());
    let flags_offset = u16_at(data, 6)?;
    if flags_offset & 0x3fff != 0 || data[9] != 17 {
        return None; // a fragment (MF set or an offset), or not UDP
    }
    let src = Ipv4Addr::new(data[12], data[13], data[14], data[15]);
    let dst = Ipv4Addr::new(data[16], data[17], data[18], data[19]);
    udp(IpAddr::V4(src), IpAddr::V4(dst), &data[ihl..total])
}

fn ipv6(data: &[u8]) -> Option<Frame<'_>> {
    if data.first()? >> 4 != 6 || data.len() < 40 {
        return None;
    }
    let payload_len = usize::from(u16_at(data, 4)?);
    let octets = |at: usize| -> Option<Ipv6Addr> {
        let a: [u8; 16] = data.get(at..at + 16)?.try_into().ok()?;
        Some(Ipv6Addr::from(a))
    };
    let (src, dst) = (octets(8)?, octets(24)?);
    let mut next = data[6];
    let mut rest = &data[40..(40 + payload_len).min(data.len())];
    // Hop-by-hop, routing and destination options headers; a fragment header ends it.
    for _ in 0..8 {
        match next {
            17 => return udp(IpAddr::V6(src), IpAddr::V6(dst), rest),
            0 | 43 | 60 => {
                let len = (usize::from(*rest.get(1)?) + 1) * 8;
                next = *rest.first()?;
                rest = rest.get(len..)?;
            }
            _ => return None,
        }
    }
    None
}

fn udp(src: IpAddr, dst: IpAddr, segment: &[u8]) -> Option<Frame<'_>> {
    let sport = u16_at(segment, 0)?;
    let dport = u16_at(segment, 2)?;
    let len = usize::from(u16_at(segment, 4)?);
    let end = if (8..=segment.len()).contains(&len) {
        len
    } else {
        segment.len()
    };
    Some(Frame::Udp {
        src: SocketAddr::new(src, sport),
        dst: SocketAddr::new(dst, dport),
        payload: segment.get(8..end)?,
    })
}

/// AVS capture header version 1 or 2 (big endian 0x8021100x).
fn avs_magic(data: &[u8]) -> bool {
    data.get(..4)
        .is_some_and(|m| m[..3] == [0x80, 0x21, 0x10] && (m[3] == 1 || m[3] == 2))
}

/// Radiotap (radiotap.org): version 0, pad, length (LE), present bitmaps chained by bit
/// 31; fields aligned to their natural size from the header's start. Only TSFT (bit 0) and
/// Flags (bit 1) are read: Flags 0x10 says the frame ends with a 4-octet FCS.
fn radiotap(data: &[u8]) -> Option<Frame<'_>> {
    let len = usize::from(u16::from_le_bytes([*data.get(2)?, *data.get(3)?]));
    if *data.first()? != 0 || len < 8 || len > data.len() {
        return None;
    }
    let mut at = 4;
    let first = u32::from_le_bytes(data.get(4..8)?.try_into().ok()?);
    let mut word = first;
    while word & 0x8000_0000 != 0 {
        at += 4;
        word = u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?);
    }
    at += 4;
    let mut fcs = false;
    if first & 1 != 0 {
        at = at.next_multiple_of(8) + 8;
    }
    if first & 2 != 0 {
        let flags = *data.get(at..len).and_then(<[u8]>::first)?;
        if flags & 0x40 != 0 {
            return None; // failed its FCS check: damaged on the air
        }
        fcs = flags & 0x10 != 0;
    }
    ieee80211(&data[len..], fcs)
}

/// PPI (Per-Packet Information): version 0, flags, length (LE), DLT (LE), then fields of
/// type (LE), length (LE). The 802.11-Common field (type 2) says in its flags (bit 0)
/// whether the frame ends with an FCS.
fn ppi(data: &[u8]) -> Option<Frame<'_>> {
    let len = usize::from(u16::from_le_bytes([*data.get(2)?, *data.get(3)?]));
    let dlt = u32::from_le_bytes(data.get(4..8)?.try_into().ok()?);
    if *data.first()? != 0 || len < 8 || len > data.len() {
        return None;
    }
    let mut fcs = false;
    let mut at = 8;
    while at + 4 <= len {
        let kind = u16::from_le_bytes([data[at], data[at + 1]]);
        let flen = usize::from(u16::from_le_bytes([data[at + 2], data[at + 3]]));
        let field = data.get(at + 4..(at + 4 + flen).min(len))?;
        if kind == 2 && field.len() >= 10 {
            fcs = u16::from_le_bytes([field[8], field[9]]) & 1 != 0;
        }
        at += 4 + flen;
    }
    match dlt {
        105 => ieee80211(&data[len..], fcs),
        127 => radiotap(&data[len..]),
        1 => ethernet(&data[len..]),
        _ => None,
    }
}

/// An 802.11 frame (IEEE 802.11-2020 §9.2.4, §9.3): a data frame with an LLC/SNAP header,
/// a management frame of interest, or a protected data frame. `fcs`: the last 4 octets
/// are the FCS.
fn ieee80211(data: &[u8], fcs: bool) -> Option<Frame<'_>> {
    let data = if fcs {
        data.get(..data.len().checked_sub(4)?)?
    } else {
        data
    };
    let (fc0, fc1) = (*data.first()?, *data.get(1)?);
    if (fc0 >> 2) & 3 == 0 {
        return management(data, fc0 >> 4, fc1);
    }
    if (fc0 >> 2) & 3 != 2 {
        return None; // control or extension frame
    }
    if fc1 & 0x40 != 0 {
        let (a1, a2) = (mac_at(data, 4)?, mac_at(data, 10)?);
        return Some(Frame::Protected { src: a2, dst: a1 });
    }
    let subtype = fc0 >> 4;
    if subtype & 0x4 != 0 {
        return None; // no data (Null, QoS Null, CF-Ack/Poll only)
    }
    let (to_ds, from_ds) = (fc1 & 1 != 0, fc1 & 2 != 0);
    let mut header = 24;
    if to_ds && from_ds {
        header += 6;
    }
    if subtype & 0x8 != 0 {
        header += 2; // QoS Control
        if fc1 & 0x80 != 0 {
            header += 4; // HT Control
        }
    }
    let (a1, a2, a3) = (mac_at(data, 4)?, mac_at(data, 10)?, mac_at(data, 16)?);
    let (dst, src) = match (to_ds, from_ds) {
        (false, false) => (a1, a2),
        (true, false) => (a3, a2),
        (false, true) => (a1, a3),
        (true, true) => (a3, mac_at(data, 24)?),
    };
    let llc = data.get(header..header + 8)?;
    if llc[..3] != [0xaa, 0xaa, 0x03] || (llc[3..6] != [0, 0, 0] && llc[3..6] != [0, 0, 0xf8]) {
        return None;
    }
    let ethertype = u16::from_be_bytes([llc[6], llc[7]]);
    by_ethertype(ethertype, &data[header + 8..], Some(src), Some(dst))
}

fn management(data: &[u8], subtype: u8, fc1: u8) -> Option<Frame<'_>> {
    if !MANAGEMENT_SUBTYPES.contains(&subtype) {
        return None;
    }
    if fc1 & 0x40 != 0 {
        // Protected (management frame protection): the body, reason code included, is
        // encrypted.
        let (a1, a2) = (mac_at(data, 4)?, mac_at(data, 10)?);
        return Some(Frame::Protected { src: a2, dst: a1 });
    }
    // +HTC: a management frame with the Order bit carries HT Control.
    let header = if fc1 & 0x80 != 0 { 28 } else { 24 };
    Some(Frame::Management {
        subtype,
        dst: mac_at(data, 4)?,
        src: mac_at(data, 10)?,
        bssid: mac_at(data, 16)?,
        body: data.get(header..)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::capture::pcapng::ip_udp;
    use std::vec;
    use std::vec::Vec;

    const SUPP: Mac = [2, 0, 0, 0, 0, 1];
    const AP: Mac = [2, 0, 0, 0, 0, 2];
    const EAPOL_START: [u8; 4] = [2, 1, 0, 0];

    fn eapol_of(f: Option<Frame<'_>>) -> (Option<Mac>, Option<Mac>, Vec<u8>) {
        match f {
            Some(Frame::Eapol { src, dst, eapol }) => (src, dst, eapol.to_vec()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ethernet_with_vlan_tags() {
        let frame = [
            &AP[..],
            &SUPP,
            &[0x81, 0, 0, 5, 0x88, 0xa8, 0, 7, 0x88, 0x8e],
            &EAPOL_START,
        ]
        .concat();
        assert_eq!(
            eapol_of(decode(1, &frame)),
            (Some(SUPP), Some(AP), EAPOL_START.to_vec())
        );
        assert_eq!(decode(1, &frame[..20]), None);
    }

    #[test]
    fn wifi_and_radiotap() {
        // QoS data, To DS: addr1 BSSID, addr2 SA, addr3 DA.
        let mut frame = vec![0x88, 0x01, 0, 0];
        frame.extend_from_slice(&AP);
        frame.extend_from_slice(&SUPP);
        frame.extend_from_slice(&AP);
        frame.extend_from_slice(&[0, 0, 7, 0]); // sequence, QoS control
        frame.extend_from_slice(&[0xaa, 0xaa, 3, 0, 0, 0, 0x88, 0x8e]);
        frame.extend_from_slice(&EAPOL_START);
        let want = (Some(SUPP), Some(AP), EAPOL_START.to_vec());
        assert_eq!(eapol_of(decode(105, &frame)), want);
        let radiotap = [&[0, 0, 8, 0, 0, 0, 0, 0][..], &frame].concat();
        assert_eq!(eapol_of(decode(127, &radiotap)), want);
        frame[1] |= 0x40;
        assert_eq!(
            decode(105, &frame),
            Some(Frame::Protected { src: SUPP, dst: AP }),
            "protected frames are seen, not read"
        );
    }

    #[cfg(feature = "testing")]
    #[test]
    fn radiotap_fcs_flags_and_protected_management() {
        let deauth = crate::testing::air::management_frame(12, AP, SUPP, AP, &[15, 0]);
        let with_fcs = crate::testing::air::monitor_header(127, &deauth, true).unwrap();
        let Some(Frame::Management { subtype, body, .. }) = decode(127, &with_fcs) else {
            panic!("not read")
        };
        assert_eq!((subtype, body), (12, &[15u8, 0][..]), "the FCS is cut off");
        let mut bad = with_fcs.clone();
        bad[24] |= 0x40; // Flags: bad FCS
        assert_eq!(decode(127, &bad), None);
        let mut protected = deauth.clone();
        protected[1] |= 0x40;
        assert_eq!(
            decode(105, &protected),
            Some(Frame::Protected { src: AP, dst: SUPP })
        );
        for lt in [119, 163, 192] {
            let framed = crate::testing::air::monitor_header(lt, &deauth, lt == 192).unwrap();
            assert!(
                matches!(
                    decode(lt, &framed),
                    Some(Frame::Management { body: [15, 0], .. })
                ),
                "{lt}"
            );
        }
    }

    #[test]
    fn cooked_and_raw_ip() {
        let s: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let d: SocketAddr = "[::1]:1812".parse().unwrap();
        let v4 = ip_udp(s, "127.0.0.1:1812".parse().unwrap(), b"radius");
        let v6 = ip_udp("[::1]:5".parse().unwrap(), d, b"radius");
        for (lt, pkt) in [(101, &v4), (228, &v4), (101, &v6), (229, &v6)] {
            let Some(Frame::Udp { payload, .. }) = decode(lt, pkt) else {
                panic!("{lt}")
            };
            assert_eq!(payload, b"radius");
        }
        let mut sll = vec![0, 4, 0, 1, 0, 6];
        sll.extend_from_slice(&SUPP);
        sll.extend_from_slice(&[0, 0, 0x88, 0x8e]);
        sll.extend_from_slice(&EAPOL_START);
        assert_eq!(
            eapol_of(decode(113, &sll)),
            (Some(SUPP), None, EAPOL_START.to_vec())
        );
        let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 1, 3, 4, 0, 0];
        sll2.extend_from_slice(&[0; 8]);
        sll2.extend_from_slice(&v4);
        assert!(matches!(decode(276, &sll2), Some(Frame::Udp { src, .. }) if src == s));
        let mut frag = v4.clone();
        frag[6] = 0x20; // more fragments
        assert_eq!(decode(101, &frag), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(lt in proptest::sample::select(vec![0u32, 1, 12, 101, 105, 108, 113, 119, 127, 163, 192, 228, 229, 276]),
                        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120)) {
            let _ = decode(lt, &data);
        }
    }
}
