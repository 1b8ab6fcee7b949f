//! Builders of 802.11 frames and monitor-mode capture headers (radiotap, Prism II, AVS,
//! PPI), with which the tests make Wi-Fi captures of their own for the explainer. Test
//! support, reached through `eap::unstable::air`; nothing here reads a frame.

use alloc::vec::Vec;

/// A MAC address.
pub type Mac = [u8; 6];

/// The 802.11 frame control flags of a data frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataShape {
    /// QoS Data (subtype 8) with a QoS Control field.
    pub qos: bool,
    /// An HT Control field (Order bit; QoS frames only).
    pub htc: bool,
    /// Four addresses (To DS and From DS: a WDS link).
    pub four_addresses: bool,
    /// The Protected bit (the payload is then not LLC/SNAP but encrypted).
    pub protected: bool,
}

/// An 802.11 data frame from `src` to `dst` through the access point `bssid` carrying
/// `payload` behind an LLC/SNAP header with `ethertype` (or, protected, as it is).
/// `from_ap`: From DS (else To DS).
pub fn data_frame(
    shape: DataShape,
    from_ap: bool,
    bssid: Mac,
    src: Mac,
    dst: Mac,
    ethertype: u16,
    payload: &[u8],
) -> Vec<u8> {
    let subtype: u8 = if shape.qos { 8 } else { 0 };
    let mut fc1: u8 = if shape.four_addresses {
        3
    } else if from_ap {
        2
    } else {
        1
    };
    if shape.protected {
        fc1 |= 0x40;
    }
    if shape.htc && shape.qos {
        fc1 |= 0x80;
    }
    let mut f = Vec::new();
    f.extend_from_slice(&[(subtype << 4) | 0x08, fc1, 0x2c, 0]);
    let (a1, a2, a3) = match (shape.four_addresses, from_ap) {
        (true, _) => (dst, bssid, dst),
        (false, true) => (dst, bssid, src),
        (false, false) => (bssid, src, dst),
    };
    f.extend_from_slice(&a1);
    f.extend_from_slice(&a2);
    f.extend_from_slice(&a3);
    f.extend_from_slice(&[0x10, 0]);
    if shape.four_addresses {
        f.extend_from_slice(&src);
    }
    if shape.qos {
        f.extend_from_slice(&[if shape.protected { 0 } else { 7 }, 0]);
        if shape.htc {
            f.extend_from_slice(&[0, 0, 0, 0]);
        }
    }
    if !shape.protected {
        f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0]);
        f.extend_from_slice(&ethertype.to_be_bytes());
    }
    f.extend_from_slice(payload);
    f
}

/// An 802.11 management frame of `subtype` with `body`.
pub fn management_frame(subtype: u8, src: Mac, dst: Mac, bssid: Mac, body: &[u8]) -> Vec<u8> {
    let mut f = alloc::vec![subtype << 4, 0, 0x3a, 0x01];
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&bssid);
    f.extend_from_slice(&[0x20, 0]);
    f.extend_from_slice(body);
    f
}

/// A beacon body: timestamp, interval 100 TU, capability (ESS, privacy), SSID and the
/// given elements (e.g. an RSN element as ID, length, value).
pub fn beacon_body(ssid: &[u8], elements: &[u8]) -> Vec<u8> {
    let mut b = alloc::vec![0; 8];
    b.extend_from_slice(&[100, 0, 0x11, 0x04, 0, ssid.len() as u8]);
    b.extend_from_slice(ssid);
    b.extend_from_slice(elements);
    b
}

/// CRC-32 (IEEE 802.3), the 802.11 FCS.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Wraps an 802.11 frame in the capture header of a monitor-mode `linktype`: 105 (none),
/// 127 radiotap (TSFT, Flags with FCS-at-end, Rate, Channel, an extended present bitmap),
/// 119 Prism II, 163 AVS, 192 PPI (802.11-Common with its FCS flag). `fcs`: append the
/// frame's FCS (and say so where the header can). `None` for other link types.
pub fn monitor_header(linktype: u32, frame: &[u8], fcs: bool) -> Option<Vec<u8>> {
    let mut frame = frame.to_vec();
    if fcs {
        let c = crc32(&frame);
        frame.extend_from_slice(&c.to_le_bytes());
    }
    let mut out = Vec::new();
    match linktype {
        105 => {}
        127 => {
            // present word 0: TSFT, Flags, Rate, Channel, Ext (bit 31); word 1: nothing.
            // Header: 4 + 8 (two present words) = 12, TSFT aligned to 8 -> 16..24,
            // Flags 24, Rate 25, Channel aligned to 2 -> 26..30; length 30.
            out.extend_from_slice(&[0, 0, 30, 0]);
            out.extend_from_slice(&(0x8000_000fu32).to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&[0; 4]); // alignment padding
            out.extend_from_slice(&1_700_000_000_000_000u64.to_le_bytes());
            out.push(if fcs { 0x10 } else { 0 });
            out.push(12); // 6 Mb/s
            out.extend_from_slice(&2437u16.to_le_bytes());
            out.extend_from_slice(&0x00a0u16.to_le_bytes());
        }
        119 => {
            // msgcode, msglen 144, devname "wlan0", ten DID items of 12 octets.
            out.extend_from_slice(&0x41u32.to_le_bytes());
            out.extend_from_slice(&144u32.to_le_bytes());
            let mut name = [0u8; 16];
            name[..5].copy_from_slice(b"wlan0");
            out.extend_from_slice(&name);
            let len = frame.len() as u32;
            for (i, value) in [0, 0, 0, 6, 0, 0, 0, 0, 0, len].iter().enumerate() {
                out.extend_from_slice(&(0x1041 + ((i as u32) << 12)).to_le_bytes());
                out.extend_from_slice(&0u16.to_le_bytes());
                out.extend_from_slice(&4u16.to_le_bytes());
                out.extend_from_slice(&u32::to_le_bytes(*value));
            }
        }
        163 => {
            // AVS version 1: magic, header length 64, then the fields, big endian.
            out.extend_from_slice(&0x8021_1001u32.to_be_bytes());
            out.extend_from_slice(&64u32.to_be_bytes());
            out.extend_from_slice(&[0; 56]);
        }
        192 => {
            // PPI header (8) + 802.11-Common field (4 + 20).
            out.extend_from_slice(&[0, 0, 32, 0]);
            out.extend_from_slice(&105u32.to_le_bytes());
            out.extend_from_slice(&2u16.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&[0; 8]); // TSF timer
            out.extend_from_slice(&u16::from(fcs).to_le_bytes());
            out.extend_from_slice(&[0; 10]);
        }
        _ => return None,
    }
    out.extend_from_slice(&frame);
    Some(out)
}
