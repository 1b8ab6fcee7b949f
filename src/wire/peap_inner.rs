//! PEAPv0 inner EAP ([MS-PEAP] §2.2.4 / §3.1.5.?): inside the tunnel, inner EAP packets other
//! than EAP-TLV travel "compressed", without their Code, Identifier and Length; EAP-TLV
//! (Type 33) packets keep the full header.
//!
//! Decoding rule (the one wpa_supplicant and hostapd use): a decrypted buffer is a full EAP
//! packet if it is at least 4 octets, its Length field equals the buffer length, and either
//! its Type is 33 or it is a 4-octet Success/Failure; otherwise it is compressed
//! (Type + Type-Data) and takes its Code and Identifier from the outer packet.

use super::DecodeError;
use super::eap::{Code, Eap, MethodType};
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
        todo!("wire helper")
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
        todo!("wire helper")
    }

    /// The encoded payload as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }
}
