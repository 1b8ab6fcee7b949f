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

use super::{DecodeError, wire_enum};
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
        todo!("wire helper")
    }

    /// The 4-octet header as emitted.
    pub fn header(&self) -> [u8; 4] {
        todo!("wire helper")
    }

    /// The status of a Result TLV (its value must be exactly 2 octets).
    pub fn result_status(&self) -> Result<ResultStatus, DecodeError> {
        todo!("wire helper")
    }
}

/// Parses a whole TLV list. Fails if any TLV's Length runs past the buffer or fewer than 4
/// octets remain for a header; never allocates more than one entry per 4 input octets.
pub fn parse_tlvs(data: &[u8]) -> Result<Vec<Tlv<'_>>, DecodeError> {
    todo!("wire helper")
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
        todo!("wire helper")
    }

    /// The 56-octet value.
    pub fn value(&self) -> [u8; CRYPTO_BINDING_VALUE_LEN] {
        todo!("wire helper")
    }

    /// The whole 60-octet TLV with the given M bit.
    pub fn to_tlv(&self, mandatory: bool) -> [u8; CRYPTO_BINDING_TLV_LEN] {
        todo!("wire helper")
    }

    /// The whole TLV with the Compound MAC zeroed: the input of the MAC.
    pub fn to_tlv_for_mac(&self, mandatory: bool) -> [u8; CRYPTO_BINDING_TLV_LEN] {
        let mut t = *self;
        t.compound_mac = [0; 20];
        t.to_tlv(mandatory)
    }
}
