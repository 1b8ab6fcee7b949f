//! Reading pcap and pcapng files (through `pcap-parser`) into packets: timestamp, link
//! type and the captured octets.
//!
//! Both byte orders, microsecond and nanosecond pcap, and pcapng with several sections and
//! interfaces (each packet takes its interface's link type and timestamp resolution) are
//! read. A file cut short (a capture killed while writing) yields the packets before the
//! cut and says where it was cut.

use pcap_parser::nom::Err as NomErr;
use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapNGPacketBlock;
use pcap_parser::{PcapBlockOwned, PcapError, PcapNGSlice};
use std::format;
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

/// One captured packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// When it was captured, since the Unix epoch (as the file says).
    pub time: Duration,
    /// The link type (LINKTYPE_* number) of its interface.
    pub linktype: u32,
    /// The captured octets (possibly fewer than were on the wire).
    pub data: Vec<u8>,
}

/// The packets of a capture file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capture {
    /// The packets, in file order.
    pub packets: Vec<Packet>,
    /// Set when the file ends in the middle of a block or has an unreadable block after the
    /// packets listed: what was wrong.
    pub truncated: Option<String>,
    /// The TLS key log lines of the file's Decryption Secrets Blocks (pcapng), in order.
    pub tls_secrets: Vec<u8>,
}

/// Why a file cannot be read as a capture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Neither a pcap nor a pcapng header.
    #[error("not a pcap or pcapng file (unknown magic number)")]
    NotACapture,
    /// The header is there but the file is too short or broken before any packet.
    #[error("broken capture file: {0}")]
    Malformed(String),
}

fn describe(e: &NomErr<PcapError<&[u8]>>) -> String {
    match e {
        NomErr::Incomplete(_) => "the file ends in the middle of a block".into(),
        NomErr::Error(e) | NomErr::Failure(e) => match e {
            PcapError::NomError(_, kind) => format!("malformed block ({kind:?})"),
            other => format!("{other:?}"),
        },
    }
}

/// Reads a pcap or pcapng file held in memory.
pub fn read_capture(bytes: &[u8]) -> Result<Capture, ReadError> {
    match bytes.get(..4) {
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => read_pcapng(bytes),
        Some(
            [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x34, 0xcd, 0xb2, 0xa1],
        ) => read_pcap(bytes),
        _ => Err(ReadError::NotACapture),
    }
}

/// Decryption Secrets Block type of a TLS key log ("TLSK").
const SECRETS_TLS_KEY_LOG: u32 = 0x544c_534b;

/// Nanoseconds per unit of `if_tsresol` (10^-n, or 2^-n with the high bit), as a ratio.
fn resolution(tsresol: u8) -> Option<u128> {
    if tsresol & 0x80 == 0 {
        (tsresol <= 19).then(|| 10u128.pow(u32::from(tsresol)))
    } else {
        let n = tsresol & 0x7f;
        (n <= 63).then(|| 1u128 << n)
    }
}

/// A pcapng timestamp in `units` per second, plus an offset in seconds.
fn pcapng_time(high: u32, low: u32, units: u128, offset: i64) -> Duration {
    let ts = u128::from(high) << 32 | u128::from(low);
    let nanos = ts * 1_000_000_000 / units;
    let secs = (nanos / 1_000_000_000) as i128 + i128::from(offset);
    Duration::new(
        secs.clamp(0, i128::from(u64::MAX)) as u64,
        (nanos % 1_000_000_000) as u32,
    )
}

/// Per-interface link type and resolution of the current section.
struct Interface {
    linktype: u32,
    units: u128,
    offset: i64,
}

fn read_pcapng(bytes: &[u8]) -> Result<Capture, ReadError> {
    let slice = PcapNGSlice::from_slice(bytes).map_err(|e| ReadError::Malformed(describe(&e)))?;
    let mut capture = Capture::default();
    let mut interfaces: Vec<Interface> = Vec::new();
    for block in slice {
        let block = match block {
            Ok(PcapBlockOwned::NG(b)) => b,
            Ok(_) => continue,
            Err(e) => {
                capture.truncated = Some(describe(&e));
                break;
            }
        };
        match block {
            Block::SectionHeader(_) => interfaces.clear(),
            Block::InterfaceDescription(idb) => interfaces.push(Interface {
                linktype: idb.linktype.0 as u32,
                units: resolution(idb.if_tsresol).unwrap_or(1_000_000),
                offset: idb.if_tsoffset,
            }),
            Block::EnhancedPacket(epb) => {
                let Some(i) = interfaces.get(epb.if_id as usize) else {
                    continue;
                };
                capture.packets.push(Packet {
                    time: pcapng_time(epb.ts_high, epb.ts_low, i.units, i.offset),
                    linktype: i.linktype,
                    data: epb.packet_data().to_vec(),
                });
            }
            Block::SimplePacket(spb) => {
                let Some(i) = interfaces.first() else {
                    continue;
                };
                capture.packets.push(Packet {
                    time: Duration::ZERO,
                    linktype: i.linktype,
                    data: spb.packet_data().to_vec(),
                });
            }
            Block::DecryptionSecrets(dsb) if dsb.secrets_type.0 == SECRETS_TLS_KEY_LOG => {
                let data = dsb.data.get(..dsb.secrets_len as usize).unwrap_or(dsb.data);
                capture.tls_secrets.extend_from_slice(data);
                if !data.ends_with(b"\n") {
                    capture.tls_secrets.push(b'\n');
                }
            }
            _ => {}
        }
    }
    Ok(capture)
}

fn read_pcap(bytes: &[u8]) -> Result<Capture, ReadError> {
    let (mut rest, header) =
        pcap_parser::parse_pcap_header(bytes).map_err(|e| ReadError::Malformed(describe(&e)))?;
    let linktype = header.network.0 as u32;
    let nanos = header.is_nanosecond_precision();
    let mut capture = Capture::default();
    while !rest.is_empty() {
        let parsed = if header.is_modified_format() {
            pcap_parser::parse_pcap_frame_modified(rest)
        } else if header.is_bigendian() {
            pcap_parser::parse_pcap_frame_be(rest)
        } else {
            pcap_parser::parse_pcap_frame(rest)
        };
        match parsed {
            Ok((next, frame)) => {
                let frac = if nanos {
                    frame.ts_usec
                } else {
                    frame.ts_usec.saturating_mul(1000)
                };
                let time = Duration::from_secs(u64::from(frame.ts_sec))
                    + Duration::from_nanos(frac.into());
                capture.packets.push(Packet {
                    time,
                    linktype,
                    data: frame.data.to_vec(),
                });
                rest = next;
            }
            Err(e) => {
                capture.truncated = Some(describe(&e));
                break;
            }
        }
    }
    if capture.truncated.is_none() && capture.packets.is_empty() && bytes.len() < 24 {
        return Err(ReadError::Malformed("header too short".to_string()));
    }
    Ok(capture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::capture::pcapng::PcapWriter;
    use std::vec;

    #[test]
    fn pcapng_round_trip() {
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        let t = Duration::new(1_700_000_000, 123_456_789);
        w.ethernet(t, &[1; 20]).unwrap();
        w.tls_key_log(b"CLIENT_RANDOM 01 02\n").unwrap();
        w.udp(
            t + Duration::from_millis(5),
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
            b"abc",
        )
        .unwrap();
        let bytes = w.into_inner();
        let c = read_capture(&bytes).unwrap();
        assert_eq!(c.truncated, None);
        assert_eq!(c.packets.len(), 2);
        assert_eq!(c.tls_secrets, b"CLIENT_RANDOM 01 02\n");
        assert_eq!(c.packets[0].time, t);
        assert_eq!(c.packets[0].linktype, 1);
        assert_eq!(c.packets[0].data, [1; 20]);
        assert_eq!(c.packets[1].linktype, 101);
        assert_eq!(c.packets[1].data.len(), 31);
        let cut = read_capture(&bytes[..bytes.len() - 3]).unwrap();
        assert_eq!(cut.packets.len(), 1);
        assert!(cut.truncated.is_some());
    }

    #[test]
    fn legacy_pcap_both_orders() {
        let mut le = Vec::new();
        le.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        le.extend_from_slice(&[2, 0, 4, 0]);
        le.extend_from_slice(&[0; 8]);
        le.extend_from_slice(&65535u32.to_le_bytes());
        le.extend_from_slice(&105u32.to_le_bytes());
        for v in [7u32, 500, 3, 3] {
            le.extend_from_slice(&v.to_le_bytes());
        }
        le.extend_from_slice(&[9, 8, 7]);
        let c = read_capture(&le).unwrap();
        assert_eq!(
            c.packets,
            [Packet {
                time: Duration::new(7, 500_000),
                linktype: 105,
                data: vec![9, 8, 7]
            }]
        );
        let mut be = Vec::new();
        be.extend_from_slice(&0xa1b2_3c4du32.to_be_bytes());
        be.extend_from_slice(&[0, 2, 0, 4]);
        be.extend_from_slice(&[0; 8]);
        be.extend_from_slice(&65535u32.to_be_bytes());
        be.extend_from_slice(&1u32.to_be_bytes());
        for v in [7u32, 500, 1, 1] {
            be.extend_from_slice(&v.to_be_bytes());
        }
        be.push(0xaa);
        let c = read_capture(&be).unwrap();
        assert_eq!(c.packets[0].time, Duration::new(7, 500));
        assert_eq!(c.packets[0].data, [0xaa]);
        assert_eq!(read_capture(b"GIF89a"), Err(ReadError::NotACapture));
        assert!(read_capture(&be[..10]).is_err());
    }
}
