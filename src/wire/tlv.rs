//! EAP-TLV as PEAPv0 uses it ([MS-PEAP] §2.2.8): the Type-Data of an EAP packet of Type 33
//! is a list of TLVs.
//!
//! ```text
//! |M|R|         TLV Type (14)     |            Length             |  Value ...
//! ```
//!
//! M: mandatory (a peer that does not understand it must fail); R: reserved. Length counts
//! the Value only. Unknown TLVs are kept, with their M bit, so the caller can answer as
//! [MS-PEAP] says.

use super::{DecodeError, need, wire_enum};
use alloc::vec::Vec;

wire_enum! {
    /// TLV Type (14 bits) ([MS-PEAP] §2.2.8).
    pub enum TlvType: u16 {
        /// 3: Result TLV ([MS-PEAP] §2.2.8.1).
        Result = 3,
        /// 4: NAK TLV (answers an unknown mandatory TLV).
        Nak = 4,
        /// 7: Vendor-Specific TLV (carries SoH, [MS-PEAP] §2.2.8.3).
        VendorSpecific = 7,
        /// 12: Crypto-Binding TLV ([MS-PEAP] §2.2.8.2).
        CryptoBinding = 12,
    }
}

wire_enum! {
    /// Result TLV Status ([MS-PEAP] §2.2.8.1).
    pub enum ResultStatus: u16 {
        /// 1: Success.
        Success = 1,
        /// 2: Failure.
        Failure = 2,
    }
}

wire_enum! {
    /// Crypto-Binding TLV SubType ([MS-PEAP] §2.2.8.2).
    pub enum CryptoBindingSubType: u8 {
        /// 0: Binding Request (server to peer).
        Request = 0,
        /// 1: Binding Response (peer to server).
        Response = 1,
    }
}

/// Mandatory bit in the first octet of a TLV header.
pub const FLAG_MANDATORY: u16 = 0x8000;
/// Reserved bit.
pub const FLAG_RESERVED: u16 = 0x4000;
/// Length of a TLV header.
pub const TLV_HEADER_LEN: usize = 4;

/// One TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// M bit.
    pub mandatory: bool,
    /// R bit, as received.
    pub reserved: bool,
    /// Type (14 bits; values ≥ 0x4000 are not representable and are never produced).
    pub tlv_type: TlvType,
    /// Value (Length octets).
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Appends the TLV (header + value). Values over 65535 octets are truncated.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let len = self.value.len().min(usize::from(u16::MAX));
        let mut h = self.header();
        h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(&self.value[..len]);
    }

    /// The 4-octet header as emitted.
    pub fn header(&self) -> [u8; 4] {
        let mut t = u16::from(self.tlv_type) & !(FLAG_MANDATORY | FLAG_RESERVED);
        if self.mandatory {
            t |= FLAG_MANDATORY;
        }
        if self.reserved {
            t |= FLAG_RESERVED;
        }
        let len = self.value.len().min(usize::from(u16::MAX)) as u16;
        let [a, b] = t.to_be_bytes();
        let [c, d] = len.to_be_bytes();
        [a, b, c, d]
    }

    /// The status of a Result TLV (its value must be exactly 2 octets).
    pub fn result_status(&self) -> Result<ResultStatus, DecodeError> {
        if self.value.len() != 2 {
            return Err(DecodeError::BadLength {
                what: "Result TLV",
                declared: self.value.len(),
                available: 2,
            });
        }
        Ok(ResultStatus::from(u16::from_be_bytes([
            self.value[0],
            self.value[1],
        ])))
    }
}

/// Parses a whole TLV list. Fails if any TLV's Length runs past the buffer or fewer than 4
/// octets remain for a header; never allocates more than one entry per 4 input octets.
pub fn parse_tlvs(data: &[u8]) -> Result<Vec<Tlv<'_>>, DecodeError> {
    let mut out = Vec::with_capacity((data.len() / TLV_HEADER_LEN).min(8));
    let mut rest = data;
    while !rest.is_empty() {
        need("TLV header", rest, TLV_HEADER_LEN)?;
        let t = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        let available = rest.len() - TLV_HEADER_LEN;
        if len > available {
            return Err(DecodeError::BadLength {
                what: "TLV Length",
                declared: len,
                available,
            });
        }
        out.push(Tlv {
            mandatory: t & FLAG_MANDATORY != 0,
            reserved: t & FLAG_RESERVED != 0,
            tlv_type: TlvType::from(t & !(FLAG_MANDATORY | FLAG_RESERVED)),
            value: &rest[TLV_HEADER_LEN..TLV_HEADER_LEN + len],
        });
        rest = &rest[TLV_HEADER_LEN + len..];
    }
    Ok(out)
}

/// Appends a whole TLV list.
pub fn emit_tlvs(tlvs: &[Tlv<'_>], out: &mut Vec<u8>) {
    for t in tlvs {
        t.emit(out);
    }
}

/// A Result TLV value.
pub fn result_value(status: ResultStatus) -> [u8; 2] {
    u16::from(status).to_be_bytes()
}

/// Length of a Crypto-Binding TLV's value.
pub const CRYPTO_BINDING_VALUE_LEN: usize = 56;
/// Length of a whole Crypto-Binding TLV.
pub const CRYPTO_BINDING_TLV_LEN: usize = TLV_HEADER_LEN + CRYPTO_BINDING_VALUE_LEN;

/// The value of a Crypto-Binding TLV ([MS-PEAP] §2.2.8.2):
/// `Reserved(1) Version(1) RecvVersion(1) SubType(1) Nonce(32) Compound_MAC(20)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoBinding {
    /// Reserved octet, as received.
    pub reserved: u8,
    /// Version (0 in [MS-PEAP]).
    pub version: u8,
    /// Received (PEAP) version: 0 for PEAPv0.
    pub received_version: u8,
    /// Request (server) or Response (peer).
    pub subtype: CryptoBindingSubType,
    /// Nonce chosen by the server; the peer echoes it.
    pub nonce: [u8; 32],
    /// HMAC-SHA1 over the TLV with this field zeroed (see [`crate::crypto::peap::compound_mac`]).
    pub compound_mac: [u8; 20],
}

impl CryptoBinding {
    /// Parses a Crypto-Binding TLV's value (exactly 56 octets).
    pub fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        if value.len() != CRYPTO_BINDING_VALUE_LEN {
            return Err(DecodeError::BadLength {
                what: "Crypto-Binding TLV",
                declared: value.len(),
                available: CRYPTO_BINDING_VALUE_LEN,
            });
        }
        let mut nonce = [0; 32];
        nonce.copy_from_slice(&value[4..36]);
        let mut compound_mac = [0; 20];
        compound_mac.copy_from_slice(&value[36..56]);
        Ok(CryptoBinding {
            reserved: value[0],
            version: value[1],
            received_version: value[2],
            subtype: CryptoBindingSubType::from(value[3]),
            nonce,
            compound_mac,
        })
    }

    /// The 56-octet value.
    pub fn value(&self) -> [u8; CRYPTO_BINDING_VALUE_LEN] {
        let mut v = [0; CRYPTO_BINDING_VALUE_LEN];
        v[0] = self.reserved;
        v[1] = self.version;
        v[2] = self.received_version;
        v[3] = self.subtype.into();
        v[4..36].copy_from_slice(&self.nonce);
        v[36..56].copy_from_slice(&self.compound_mac);
        v
    }

    /// The whole 60-octet TLV with the given M bit.
    pub fn to_tlv(&self, mandatory: bool) -> [u8; CRYPTO_BINDING_TLV_LEN] {
        let value = self.value();
        let tlv = Tlv {
            mandatory,
            reserved: false,
            tlv_type: TlvType::CryptoBinding,
            value: &value,
        };
        let mut out = [0; CRYPTO_BINDING_TLV_LEN];
        out[..TLV_HEADER_LEN].copy_from_slice(&tlv.header());
        out[TLV_HEADER_LEN..].copy_from_slice(&value);
        out
    }

    /// The whole TLV with the Compound MAC zeroed: the input of the MAC.
    pub fn to_tlv_for_mac(&self, mandatory: bool) -> [u8; CRYPTO_BINDING_TLV_LEN] {
        let mut t = *self;
        t.compound_mac = [0; 20];
        t.to_tlv(mandatory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn result_and_crypto_binding() {
        // A server's Result TLV (M set, Success) followed by a Crypto-Binding request.
        let cb = CryptoBinding {
            reserved: 0,
            version: 0,
            received_version: 0,
            subtype: CryptoBindingSubType::Request,
            nonce: [7; 32],
            compound_mac: [9; 20],
        };
        let mut buf = alloc::vec![0x80, 0x03, 0x00, 0x02, 0x00, 0x01];
        buf.extend_from_slice(&cb.to_tlv(false));
        assert_eq!(&buf[6..10], &[0x00, 0x0c, 0x00, 0x38]);
        let tlvs = parse_tlvs(&buf).unwrap();
        assert_eq!(tlvs.len(), 2);
        assert!(tlvs[0].mandatory);
        assert_eq!(tlvs[0].tlv_type, TlvType::Result);
        assert_eq!(tlvs[0].result_status(), Ok(ResultStatus::Success));
        assert_eq!(tlvs[1].tlv_type, TlvType::CryptoBinding);
        assert_eq!(CryptoBinding::parse(tlvs[1].value), Ok(cb));
        let for_mac = cb.to_tlv_for_mac(false);
        assert!(for_mac[40..].iter().all(|&b| b == 0));
        assert_eq!(for_mac[..40], cb.to_tlv(false)[..40]);
    }

    #[test]
    fn bad_lengths() {
        assert!(parse_tlvs(&[0x80, 0x03, 0x00]).is_err());
        assert!(matches!(
            parse_tlvs(&[0x80, 0x03, 0x00, 0x03, 0, 1]),
            Err(DecodeError::BadLength {
                declared: 3,
                available: 2,
                ..
            })
        ));
        let short = Tlv {
            mandatory: true,
            reserved: false,
            tlv_type: TlvType::Result,
            value: &[1],
        };
        assert!(short.result_status().is_err());
        assert!(CryptoBinding::parse(&[0; 55]).is_err());
        assert_eq!(parse_tlvs(&[]).unwrap(), []);
    }

    #[test]
    fn unknown_mandatory_kept() {
        let tlvs = parse_tlvs(&[0xbf, 0xff, 0x00, 0x01, 0xaa]).unwrap();
        assert!(tlvs[0].mandatory);
        assert!(!tlvs[0].reserved);
        assert_eq!(tlvs[0].tlv_type, TlvType::Unknown(0x3fff));
        assert_eq!(tlvs[0].value, &[0xaa]);
    }

    proptest! {
        #[test]
        fn round_trip(items in proptest::collection::vec(
            (any::<bool>(), any::<bool>(), 0u16..0x4000, proptest::collection::vec(any::<u8>(), 0..40)),
            0..6)) {
            let tlvs: Vec<Tlv<'_>> = items.iter().map(|(m, r, t, v)| Tlv {
                mandatory: *m, reserved: *r, tlv_type: TlvType::from(*t), value: v,
            }).collect();
            let mut out = Vec::new();
            emit_tlvs(&tlvs, &mut out);
            prop_assert_eq!(parse_tlvs(&out).unwrap(), tlvs);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(tlvs) = parse_tlvs(&buf) {
                prop_assert!(tlvs.len() <= buf.len() / TLV_HEADER_LEN);
                let mut out = Vec::new();
                emit_tlvs(&tlvs, &mut out);
                prop_assert_eq!(out, buf);
            }
        }

        #[test]
        fn crypto_binding_round_trip(v in proptest::collection::vec(any::<u8>(), 56)) {
            let cb = CryptoBinding::parse(&v).unwrap();
            prop_assert_eq!(cb.value().to_vec(), v);
        }
    }
}
