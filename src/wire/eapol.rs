//! EAPOL frames (IEEE 802.1X-2010 §11.3): the body of an Ethernet frame with EtherType
//! 0x888E.
//!
//! ```text
//! | Protocol Version (1) | Packet Type (1) | Packet Body Length (2) | Packet Body ... |
//! ```
//!
//! Invariants: the body length is checked against the buffer; octets after the body
//! (Ethernet padding to the 60-octet minimum frame) are ignored. EAPOL-Key and other bodies
//! are kept opaque.

use super::{DecodeError, need, wire_enum};
use alloc::vec::Vec;

/// The EAPOL EtherType (IEEE 802.1X-2010 §11.1.4).
pub const ETHERTYPE_PAE: u16 = 0x888E;
/// The PAE group address (IEEE 802.1X-2010 §11.1.1), used by wired supplicants.
pub const PAE_GROUP_ADDR: [u8; 6] = [0x01, 0x80, 0xC2, 0x00, 0x00, 0x03];
/// The protocol version we send (802.1X-2004; what hostapd and wpa_supplicant send by default).
pub const VERSION_2004: u8 = 2;

wire_enum! {
    /// EAPOL Packet Type (IEEE 802.1X-2010 Table 11-3).
    pub enum PacketType: u8 {
        /// 0: EAPOL-EAP, the body is an EAP packet.
        EapPacket = 0,
        /// 1: EAPOL-Start, no body.
        Start = 1,
        /// 2: EAPOL-Logoff, no body.
        Logoff = 2,
        /// 3: EAPOL-Key (kept opaque).
        Key = 3,
        /// 4: EAPOL-Encapsulated-ASF-Alert.
        EncapsulatedAsfAlert = 4,
    }
}

/// Length of the EAPOL header.
pub const HEADER_LEN: usize = 4;

/// An EAPOL frame ([IEEE 802.1X-2010 §11.3](https://standards.ieee.org/ieee/802.1X/4445/)):
/// the 4-octet header and its body, what a wired or Wi-Fi driver sends and receives as the
/// payload of an Ethernet frame of EtherType [`Eapol::ETHERTYPE`]. A firmware's link layer
/// frames the supplicant's EAP packets with [`Eapol::eap`], starts with
/// `Eapol::bare(EapolType::Start)` and reads what arrives with [`Eapol::parse`].
///
/// ```
/// use eap::{Eapol, EapolType};
/// let start = Eapol::bare(EapolType::Start).to_vec();
/// assert_eq!(start, [2, 1, 0, 0]);
/// let frame = Eapol::eap(&[1, 7, 0, 5, 1]).to_vec();
/// let parsed = Eapol::parse(&frame).unwrap();
/// assert_eq!((parsed.packet_type, parsed.body), (EapolType::EapPacket, &[1, 7, 0, 5, 1][..]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eapol<'a> {
    /// Protocol Version.
    pub version: u8,
    /// Packet Type.
    pub packet_type: PacketType,
    /// Packet Body (an EAP packet for `EapPacket`).
    pub body: &'a [u8],
}

impl<'a> Eapol<'a> {
    /// The EAPOL EtherType, 0x888E (IEEE 802.1X-2010 §11.1.4).
    pub const ETHERTYPE: u16 = ETHERTYPE_PAE;
    /// The PAE group address a wired supplicant sends to (IEEE 802.1X-2010 §11.1.1).
    pub const PAE_GROUP_ADDR: [u8; 6] = PAE_GROUP_ADDR;

    /// Parses a frame; octets after the body are padding and ignored.
    pub fn parse(buf: &'a [u8]) -> Result<Self, DecodeError> {
        need("EAPOL header", buf, HEADER_LEN)?;
        let len = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        let body = buf
            .get(HEADER_LEN..HEADER_LEN + len)
            .ok_or(DecodeError::BadLength {
                what: "EAPOL Packet Body Length",
                declared: len,
                available: buf.len() - HEADER_LEN,
            })?;
        Ok(Eapol {
            version: buf[0],
            packet_type: PacketType::from(buf[1]),
            body,
        })
    }

    /// An EAPOL-EAP frame carrying `eap`.
    pub fn eap(eap: &'a [u8]) -> Self {
        Eapol {
            version: VERSION_2004,
            packet_type: PacketType::EapPacket,
            body: eap,
        }
    }

    /// A frame of `packet_type` with an empty body (Start, Logoff).
    pub fn bare(packet_type: PacketType) -> Self {
        Eapol {
            version: VERSION_2004,
            packet_type,
            body: &[],
        }
    }

    /// Appends the frame. Bodies over 65535 octets are truncated to fit the length field.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let body = &self.body[..self.body.len().min(usize::from(u16::MAX))];
        out.push(self.version);
        out.push(self.packet_type.into());
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(body);
    }

    /// The frame as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(HEADER_LEN + self.body.len());
        self.emit(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn start_with_padding() {
        let mut frame = [0u8; 46];
        frame[..4].copy_from_slice(&[2, 1, 0, 0]);
        let p = Eapol::parse(&frame).unwrap();
        assert_eq!(p, Eapol::bare(PacketType::Start));
        assert!(Eapol::parse(&[2, 0, 0, 5, 1, 2]).is_err());
        assert!(Eapol::parse(&[2, 0, 0]).is_err());
        assert_eq!(
            Eapol::parse(&[3, 9, 0, 0]).unwrap().packet_type,
            PacketType::Unknown(9)
        );
    }

    proptest! {
        #[test]
        fn round_trip(version in any::<u8>(), t in any::<u8>(),
                      body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let f = Eapol { version, packet_type: PacketType::from(t), body: &body };
            let bytes = f.to_vec();
            prop_assert_eq!(Eapol::parse(&bytes).unwrap(), f);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(f) = Eapol::parse(&buf) {
                prop_assert!(f.body.len() + HEADER_LEN <= buf.len());
            }
        }
    }
}
