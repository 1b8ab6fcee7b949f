//! RADIUS packets as a NAS sees them ([RFC 2865 §3, §5](https://www.rfc-editor.org/rfc/rfc2865#section-3)),
//! with the EAP extensions of [RFC 3579](https://www.rfc-editor.org/rfc/rfc3579) and the
//! Microsoft vendor attributes of [RFC 2548](https://www.rfc-editor.org/rfc/rfc2548).
//!
//! ```text
//! | Code (1) | Identifier (1) | Length (2) | Authenticator (16) | Attributes ... |
//! attribute: | Type (1) | Length (1, header included) | Value ... |
//! ```
//!
//! No cryptography here: the authenticators are computed in `crypto::radius` and the
//! MS-MPPE keys decrypted in `crypto::mppe_attr`, over the octets this module finds.

use super::{DecodeError, need, wire_enum};
use alloc::vec::Vec;

wire_enum! {
    /// RADIUS Code ([RFC 2865 §3](https://www.rfc-editor.org/rfc/rfc2865#section-3)).
    pub enum Code: u8 {
        /// 1: Access-Request.
        AccessRequest = 1,
        /// 2: Access-Accept.
        AccessAccept = 2,
        /// 3: Access-Reject.
        AccessReject = 3,
        /// 4: Accounting-Request.
        AccountingRequest = 4,
        /// 5: Accounting-Response.
        AccountingResponse = 5,
        /// 11: Access-Challenge.
        AccessChallenge = 11,
        /// 12: Status-Server.
        StatusServer = 12,
    }
}

impl Code {
    /// Its name as RFC 2865 writes it.
    pub fn name(self) -> &'static str {
        match self {
            Code::AccessRequest => "Access-Request",
            Code::AccessAccept => "Access-Accept",
            Code::AccessReject => "Access-Reject",
            Code::AccountingRequest => "Accounting-Request",
            Code::AccountingResponse => "Accounting-Response",
            Code::AccessChallenge => "Access-Challenge",
            Code::StatusServer => "Status-Server",
            Code::Unknown(_) => "unknown RADIUS code",
        }
    }
}

/// Attribute types used here ([RFC 2865 §5](https://www.rfc-editor.org/rfc/rfc2865#section-5),
/// [RFC 3579 §3](https://www.rfc-editor.org/rfc/rfc3579#section-3)).
pub mod attr {
    /// User-Name.
    pub const USER_NAME: u8 = 1;
    /// NAS-IP-Address.
    pub const NAS_IP_ADDRESS: u8 = 4;
    /// NAS-Port.
    pub const NAS_PORT: u8 = 5;
    /// Service-Type.
    pub const SERVICE_TYPE: u8 = 6;
    /// Framed-MTU.
    pub const FRAMED_MTU: u8 = 12;
    /// Reply-Message.
    pub const REPLY_MESSAGE: u8 = 18;
    /// State.
    pub const STATE: u8 = 24;
    /// Class.
    pub const CLASS: u8 = 25;
    /// Vendor-Specific.
    pub const VENDOR_SPECIFIC: u8 = 26;
    /// Session-Timeout.
    pub const SESSION_TIMEOUT: u8 = 27;
    /// Called-Station-Id.
    pub const CALLED_STATION_ID: u8 = 30;
    /// Calling-Station-Id.
    pub const CALLING_STATION_ID: u8 = 31;
    /// NAS-Identifier.
    pub const NAS_IDENTIFIER: u8 = 32;
    /// NAS-Port-Type.
    pub const NAS_PORT_TYPE: u8 = 61;
    /// Connect-Info ([RFC 2869 §5.11](https://www.rfc-editor.org/rfc/rfc2869#section-5.11)).
    pub const CONNECT_INFO: u8 = 77;
    /// Chargeable-User-Identity ([RFC 4372 §2](https://www.rfc-editor.org/rfc/rfc4372#section-2)).
    pub const CHARGEABLE_USER_IDENTITY: u8 = 89;
    /// NAS-IPv6-Address ([RFC 3162 §2.1](https://www.rfc-editor.org/rfc/rfc3162#section-2.1)).
    pub const NAS_IPV6_ADDRESS: u8 = 95;
    /// Operator-Name ([RFC 5580 §4.1](https://www.rfc-editor.org/rfc/rfc5580#section-4.1)).
    pub const OPERATOR_NAME: u8 = 126;
    /// EAP-Message (RFC 3579 §3.1).
    pub const EAP_MESSAGE: u8 = 79;
    /// Message-Authenticator (RFC 3579 §3.2).
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
}

/// Vendor-Id of Microsoft (RFC 2548).
pub const VENDOR_MICROSOFT: u32 = 311;
/// MS-MPPE-Send-Key vendor type (RFC 2548 §2.4.2).
pub const MS_MPPE_SEND_KEY: u8 = 16;
/// MS-MPPE-Recv-Key vendor type (RFC 2548 §2.4.3).
pub const MS_MPPE_RECV_KEY: u8 = 17;
/// NAS-Port-Type value Wireless - IEEE 802.11 (RFC 2865 §5.41), as eapol_test sends.
pub const NAS_PORT_TYPE_WIRELESS_80211: u32 = 19;
/// NAS-Port-Type value Ethernet.
pub const NAS_PORT_TYPE_ETHERNET: u32 = 15;

/// Length of the RADIUS header.
pub const HEADER_LEN: usize = 20;
/// The largest RADIUS packet (RFC 2865 §3).
pub const MAX_PACKET_LEN: usize = 4096;
/// The most value octets one attribute carries.
pub const MAX_ATTR_VALUE: usize = 253;

/// One attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Type.
    pub attr_type: u8,
    /// Value (0 to 253 octets).
    pub value: &'a [u8],
}

/// A RADIUS packet, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Code.
    pub code: Code,
    /// Identifier: matches replies to requests.
    pub identifier: u8,
    /// Request Authenticator (random, in Access-Request) or Response Authenticator.
    pub authenticator: [u8; 16],
    /// The attribute octets (checked to be a whole list by [`Packet::parse`]).
    pub attributes: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Parses a packet: Length between 20 and 4096 and within the buffer (octets beyond it
    /// are padding, RFC 2865 §3), and every attribute length within the packet.
    pub fn parse(buf: &'a [u8]) -> Result<Self, DecodeError> {
        need("RADIUS header", buf, HEADER_LEN)?;
        let length = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        if !(HEADER_LEN..=MAX_PACKET_LEN).contains(&length) || length > buf.len() {
            return Err(DecodeError::BadLength {
                what: "RADIUS Length",
                declared: length,
                available: buf.len().min(MAX_PACKET_LEN),
            });
        }
        let mut authenticator = [0; 16];
        authenticator.copy_from_slice(&buf[4..20]);
        let p = Packet {
            code: Code::from(buf[0]),
            identifier: buf[1],
            authenticator,
            attributes: &buf[HEADER_LEN..length],
        };
        for a in p.iter() {
            a?;
        }
        Ok(p)
    }

    /// The attributes in order. Yields an error (and stops) at a malformed one.
    pub fn iter(&self) -> Attributes<'a> {
        Attributes {
            rest: self.attributes,
        }
    }

    /// The first attribute of a type.
    pub fn first(&self, attr_type: u8) -> Option<&'a [u8]> {
        self.iter()
            .filter_map(Result::ok)
            .find(|a| a.attr_type == attr_type)
            .map(|a| a.value)
    }

    /// The EAP packet carried in the EAP-Message attributes, concatenated in order
    /// (RFC 3579 §3.1), or `None` when there are none. Bounded by the packet size.
    pub fn eap_message(&self) -> Option<Vec<u8>> {
        let parts = || {
            self.iter()
                .filter_map(Result::ok)
                .filter(|a| a.attr_type == attr::EAP_MESSAGE)
        };
        // Sized first: one allocation, not one per doubling.
        let len = parts().map(|a| a.value.len()).sum();
        let mut out = Vec::with_capacity(len);
        let mut any = false;
        for a in parts() {
            out.extend_from_slice(a.value);
            any = true;
        }
        any.then_some(out)
    }

    /// Vendor-Specific sub-attributes of `vendor` (RFC 2865 §5.26, in the format RFC 2548
    /// uses: Vendor-Type(1) Vendor-Length(1) value).
    pub fn vendor_attributes(&self, vendor: u32) -> impl Iterator<Item = Attribute<'a>> + 'a {
        self.iter()
            .filter_map(Result::ok)
            .filter(|a| a.attr_type == attr::VENDOR_SPECIFIC && a.value.len() >= 4)
            .filter(move |a| {
                u32::from_be_bytes([a.value[0], a.value[1], a.value[2], a.value[3]]) == vendor
            })
            .flat_map(|a| Attributes {
                rest: &a.value[4..],
            })
            .map_while(Result::ok)
    }

    /// The Length field.
    pub fn len(&self) -> usize {
        HEADER_LEN + self.attributes.len()
    }

    /// Never true: there is always a header.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Iterator over an attribute list.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<Attribute<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let r = self.rest;
        if r.len() < 2 || usize::from(r[1]) < 2 || usize::from(r[1]) > r.len() {
            self.rest = &[];
            return Some(Err(DecodeError::BadLength {
                what: "RADIUS attribute Length",
                declared: r.get(1).map_or(0, |&l| usize::from(l)),
                available: r.len(),
            }));
        }
        let len = usize::from(r[1]);
        self.rest = &r[len..];
        Some(Ok(Attribute {
            attr_type: r[0],
            value: &r[2..len],
        }))
    }
}

/// Builds a packet. Attributes that would take the packet past [`MAX_PACKET_LEN`] are
/// refused by [`Builder::fits`]; the caller checks before adding large values.
#[derive(Debug, Clone)]
pub struct Builder {
    buf: Vec<u8>,
}

impl Builder {
    /// A packet with this header; Length is filled in by [`Builder::finish`].
    pub fn new(code: Code, identifier: u8, authenticator: [u8; 16]) -> Self {
        Self::in_buffer(Vec::with_capacity(256), code, identifier, authenticator)
    }

    /// As [`Builder::new`], in `buf` (cleared first): a caller that builds one packet after
    /// another reuses the last one's allocation.
    pub(crate) fn in_buffer(
        mut buf: Vec<u8>,
        code: Code,
        identifier: u8,
        authenticator: [u8; 16],
    ) -> Self {
        buf.clear();
        buf.push(code.into());
        buf.push(identifier);
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&authenticator);
        Builder { buf }
    }

    /// The packet's length so far: the offset at which the next attribute starts.
    #[cfg_attr(not(feature = "radius"), allow(dead_code))]
    pub(crate) fn offset(&self) -> usize {
        self.buf.len()
    }

    /// Whether `n` more octets fit.
    pub fn fits(&self, n: usize) -> bool {
        self.buf.len() + n <= MAX_PACKET_LEN
    }

    /// Adds one attribute; values over 253 octets are cut (use [`Builder::eap_message`] for
    /// EAP, which splits).
    pub fn attribute(&mut self, attr_type: u8, value: &[u8]) -> &mut Self {
        let v = &value[..value.len().min(MAX_ATTR_VALUE)];
        self.buf.push(attr_type);
        self.buf.push((v.len() + 2) as u8);
        self.buf.extend_from_slice(v);
        self
    }

    /// Adds a 32-bit integer attribute.
    pub fn integer(&mut self, attr_type: u8, value: u32) -> &mut Self {
        self.attribute(attr_type, &value.to_be_bytes())
    }

    /// Adds an EAP packet as EAP-Message attributes of at most 253 octets (RFC 3579 §3.1).
    pub fn eap_message(&mut self, eap: &[u8]) -> &mut Self {
        // Room for the attributes and a Message-Authenticator (18) after them: one
        // allocation for a large EAP packet, not one per doubling.
        self.buf
            .reserve(eap.len() + 2 * eap.len().div_ceil(MAX_ATTR_VALUE) + 18);
        for chunk in eap.chunks(MAX_ATTR_VALUE) {
            self.attribute(attr::EAP_MESSAGE, chunk);
        }
        self
    }

    /// Adds a Vendor-Specific attribute holding one sub-attribute.
    pub fn vendor(&mut self, vendor: u32, vendor_type: u8, value: &[u8]) -> &mut Self {
        let v = &value[..value.len().min(MAX_ATTR_VALUE - 6)];
        let mut inner = Vec::with_capacity(6 + v.len());
        inner.extend_from_slice(&vendor.to_be_bytes());
        inner.push(vendor_type);
        inner.push((v.len() + 2) as u8);
        inner.extend_from_slice(v);
        self.attribute(attr::VENDOR_SPECIFIC, &inner)
    }

    /// Adds a zeroed Message-Authenticator, to be filled when the packet is signed
    /// (`transport::radius_auth::sign_request`).
    pub fn message_authenticator(&mut self) -> &mut Self {
        self.attribute(attr::MESSAGE_AUTHENTICATOR, &[0; 16])
    }

    /// The packet with its Length set (truncated at [`MAX_PACKET_LEN`] if overfilled).
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.truncate(MAX_PACKET_LEN);
        let len = self.buf.len() as u16;
        self.buf[2..4].copy_from_slice(&len.to_be_bytes());
        self.buf
    }
}

/// The String of an MS-MPPE-Send-Key / Recv-Key attribute
/// ([RFC 2548 §2.4.2](https://www.rfc-editor.org/rfc/rfc2548#section-2.4.2)): a two-octet
/// Salt whose most significant bit is set, then the encrypted key in 16-octet blocks (one
/// at least). Decrypted by `crypto::mppe_attr::decrypt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MppeKeyString<'a> {
    /// The Salt.
    pub salt: [u8; 2],
    /// The ciphertext: whole 16-octet blocks.
    pub cipher: &'a [u8],
}

impl<'a> MppeKeyString<'a> {
    /// Reads an attribute's String.
    ///
    /// # Errors
    ///
    /// - [`DecodeError::Truncated`] when `string` is shorter than the salt and one block (18);
    /// - [`DecodeError::BadLength`] when the ciphertext is not a multiple of 16 octets
    ///   (`declared` is its length, `available` the largest multiple of 16 it holds);
    /// - [`DecodeError::InvalidValue`] when the salt's high bit is clear (`value` is the salt).
    pub fn parse(string: &'a [u8]) -> Result<Self, DecodeError> {
        need("MS-MPPE key attribute", string, 2 + 16)?;
        let (salt, cipher) = string.split_at(2);
        if cipher.len() % 16 != 0 {
            return Err(DecodeError::BadLength {
                what: "MS-MPPE key ciphertext",
                declared: cipher.len(),
                available: cipher.len() / 16 * 16,
            });
        }
        if salt[0] & 0x80 == 0 {
            return Err(DecodeError::InvalidValue {
                what: "MS-MPPE key salt",
                value: u32::from(u16::from_be_bytes([salt[0], salt[1]])),
            });
        }
        Ok(MppeKeyString {
            salt: [salt[0], salt[1]],
            cipher,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mppe_key_strings_are_whole_blocks_after_a_salt_with_its_high_bit() {
        let mut good = alloc::vec![0x80, 0x01];
        good.extend([7; 32]);
        let s = MppeKeyString::parse(&good).unwrap();
        assert_eq!((s.salt, s.cipher.len()), ([0x80, 0x01], 32));
        for len in [0, 1, 2, 17] {
            assert_eq!(
                MppeKeyString::parse(&good[..len]),
                Err(DecodeError::Truncated {
                    what: "MS-MPPE key attribute",
                    need: 18,
                    have: len
                })
            );
        }
        assert_eq!(
            MppeKeyString::parse(&good[..33]),
            Err(DecodeError::BadLength {
                what: "MS-MPPE key ciphertext",
                declared: 31,
                available: 16
            })
        );
        good[0] = 0x00;
        assert_eq!(
            MppeKeyString::parse(&good),
            Err(DecodeError::InvalidValue {
                what: "MS-MPPE key salt",
                value: 0x0001
            })
        );
    }
    use proptest::prelude::*;

    #[test]
    fn eap_message_split_and_joined() {
        let eap: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let mut b = Builder::new(Code::AccessRequest, 7, [1; 16]);
        b.attribute(attr::USER_NAME, b"alice").eap_message(&eap);
        let v = b.finish();
        let p = Packet::parse(&v).unwrap();
        assert_eq!(p.len(), v.len());
        let sizes: Vec<usize> = p
            .iter()
            .map(Result::unwrap)
            .filter(|a| a.attr_type == attr::EAP_MESSAGE)
            .map(|a| a.value.len())
            .collect();
        assert_eq!(sizes, [253, 253, 94]);
        assert_eq!(p.eap_message().unwrap(), eap);
        assert_eq!(p.first(attr::USER_NAME), Some(&b"alice"[..]));
    }

    #[test]
    fn vendor_attributes() {
        let mut b = Builder::new(Code::AccessAccept, 1, [0; 16]);
        b.vendor(VENDOR_MICROSOFT, MS_MPPE_RECV_KEY, &[9; 50])
            .vendor(9, 1, b"cisco")
            .vendor(VENDOR_MICROSOFT, MS_MPPE_SEND_KEY, &[8; 50]);
        let v = b.finish();
        let p = Packet::parse(&v).unwrap();
        let ms: Vec<_> = p.vendor_attributes(VENDOR_MICROSOFT).collect();
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].attr_type, MS_MPPE_RECV_KEY);
        assert_eq!(ms[1].value, &[8; 50]);
    }

    #[test]
    fn bad_lengths() {
        let mut v = Builder::new(Code::AccessChallenge, 1, [0; 16]).finish();
        assert!(Packet::parse(&v[..19]).is_err());
        v.extend_from_slice(&[79, 1]);
        v[3] = 22;
        assert!(Packet::parse(&v).is_err());
        v[3] = 21;
        assert!(Packet::parse(&v).is_err());
        v[3] = 19;
        assert!(Packet::parse(&v).is_err());
        v[3] = 20;
        // Padding after Length is ignored.
        assert!(Packet::parse(&v).unwrap().attributes.is_empty());
    }

    proptest! {
        #[test]
        fn round_trip(id in any::<u8>(), attrs in proptest::collection::vec(
            (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..=253)), 0..10)) {
            let mut b = Builder::new(Code::AccessChallenge, id, [3; 16]);
            for (t, v) in &attrs {
                b.attribute(*t, v);
            }
            let v = b.finish();
            let p = Packet::parse(&v).unwrap();
            let back: Vec<(u8, Vec<u8>)> =
                p.iter().map(|a| { let a = a.unwrap(); (a.attr_type, a.value.to_vec()) }).collect();
            prop_assert_eq!(back, attrs);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(p) = Packet::parse(&buf) {
                prop_assert!(p.len() <= buf.len());
                prop_assert!(p.iter().all(|a| a.is_ok()));
                let _ = p.eap_message();
                let _ = p.vendor_attributes(VENDOR_MICROSOFT).count();
            }
        }
    }
}
