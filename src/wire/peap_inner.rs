//! PEAPv0 inner EAP ([MS-PEAP] §2.2.4 / §3.1.5.6): inside the tunnel, inner EAP packets other
//! than EAP-TLV travel "compressed", without their Code, Identifier and Length; EAP-TLV
//! (Type 33) packets keep the full header.
//!
//! Decoding rule (the one wpa_supplicant and hostapd use): a decrypted buffer is a full EAP
//! packet if it is at least 4 octets, its Length field equals the buffer length, and either
//! its Type is 33 or it is a 4-octet Success/Failure; otherwise it is compressed
//! (Type + Type-Data) and takes its Code and Identifier from the outer packet.

use super::DecodeError;
use super::eap::{Code, Eap, HEADER_LEN, MethodType};
use alloc::vec::Vec;

/// A decrypted PEAPv0 inner payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inner<'a> {
    /// A full EAP packet (EAP-TLV, or Success/Failure).
    Full(Eap<'a>),
    /// Type and Type-Data only.
    Compressed {
        /// The inner method.
        method: MethodType,
        /// Its Type-Data.
        data: &'a [u8],
    },
}

impl<'a> Inner<'a> {
    /// Decodes a decrypted inner payload.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        if Self::looks_full(buf) {
            return Eap::parse(buf).map(Inner::Full);
        }
        let (method, type_len) = MethodType::parse(buf)?;
        Ok(Inner::Compressed {
            method,
            data: &buf[type_len..],
        })
    }

    fn looks_full(buf: &[u8]) -> bool {
        if buf.len() < HEADER_LEN || usize::from(u16::from_be_bytes([buf[2], buf[3]])) != buf.len()
        {
            return false;
        }
        let code = Code::from(buf[0]);
        match buf.get(HEADER_LEN) {
            None => matches!(code, Code::Success | Code::Failure),
            Some(&t) => {
                matches!(code, Code::Request | Code::Response)
                    && MethodType::from_octet(t) == MethodType::Tlv
            }
        }
    }

    /// The inner EAP packet, taking Code and Identifier from the outer packet for the
    /// compressed form.
    pub fn to_eap(&self, outer_code: Code, outer_identifier: u8) -> Eap<'a> {
        match *self {
            Inner::Full(eap) => eap,
            Inner::Compressed { method, data } => {
                Eap::typed(outer_code, outer_identifier, method, data)
            }
        }
    }

    /// The form in which `eap` travels in PEAPv0: compressed unless it is an EAP-TLV
    /// packet or has no Type.
    pub fn from_eap(eap: Eap<'a>) -> Self {
        match eap.method() {
            Some((method, data)) if method != MethodType::Tlv => Inner::Compressed { method, data },
            _ => Inner::Full(eap),
        }
    }

    /// Appends the encoded payload.
    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            Inner::Full(eap) => eap.emit(out),
            Inner::Compressed { method, data } => {
                method.emit(out);
                out.extend_from_slice(data);
            }
        }
    }

    /// The encoded payload as a new vector (sized once).
    pub fn to_vec(&self) -> Vec<u8> {
        let len = match self {
            Inner::Full(eap) => eap.len(),
            Inner::Compressed { method, data } => method.encoded_len() + data.len(),
        };
        let mut v = Vec::with_capacity(len);
        self.emit(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn compressed_identity_and_mschapv2() {
        let i = Inner::decode(b"\x01alice").unwrap();
        assert_eq!(
            i,
            Inner::Compressed {
                method: MethodType::Identity,
                data: b"alice"
            }
        );
        let eap = i.to_eap(Code::Request, 9);
        assert_eq!(eap.identifier, 9);
        assert_eq!(Inner::from_eap(eap), i);
        assert_eq!(i.to_vec(), b"\x01alice");
    }

    #[test]
    fn full_tlv_and_success() {
        let tlv = [1, 5, 0, 11, 33, 0x80, 3, 0, 2, 0, 1];
        let i = Inner::decode(&tlv).unwrap();
        let Inner::Full(eap) = i else {
            panic!("expected a full packet")
        };
        assert_eq!(eap.method().unwrap().0, MethodType::Tlv);
        assert_eq!(Inner::from_eap(eap), i);
        assert_eq!(i.to_vec(), tlv);
        assert!(matches!(
            Inner::decode(&[3, 5, 0, 4]).unwrap(),
            Inner::Full(Eap {
                code: Code::Success,
                ..
            })
        ));
    }

    #[test]
    fn empty_is_an_error() {
        assert!(Inner::decode(&[]).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(t in 1u8..=253, data in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assume!(t != 33 && t != 254);
            let i = Inner::Compressed { method: MethodType::from_octet(t), data: &data };
            let v = i.to_vec();
            // A compressed packet that happens to look full is decoded as full: re-encoding
            // still gives the same octets.
            prop_assert_eq!(Inner::decode(&v).unwrap().to_vec(), v);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..32)) {
            if let Ok(i) = Inner::decode(&buf) {
                prop_assert_eq!(i.to_vec(), buf);
            }
        }
    }
}
