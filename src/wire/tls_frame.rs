//! EAP-TLS / PEAP framing: the Type-Data of EAP-TLS ([RFC 5216 §3.1, §3.2](https://www.rfc-editor.org/rfc/rfc5216#section-3.1))
//! and PEAP ([MS-PEAP] §2.2.2 / §2.2.3).
//!
//! ```text
//! | L M S R R V V V | TLS Message Length (4, only if L) | TLS Data ... |
//! ```
//!
//! L: the TLS Message Length field is present (total length of the whole TLS message this
//! fragment belongs to); M: more fragments follow; S: start (server's first message);
//! R: reserved (kept as received); V: the PEAP version (reserved, 0, in EAP-TLS).

use super::DecodeError;
use alloc::vec::Vec;

/// Flag: TLS Message Length included.
pub const FLAG_LENGTH: u8 = 0x80;
/// Flag: more fragments follow.
pub const FLAG_MORE: u8 = 0x40;
/// Flag: start.
pub const FLAG_START: u8 = 0x20;
/// The reserved bits between S and the version.
pub const RESERVED_MASK: u8 = 0x18;
/// The PEAP version bits.
pub const VERSION_MASK: u8 = 0x07;

/// One EAP-TLS / PEAP message or fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsFrame<'a> {
    /// M: more fragments follow.
    pub more: bool,
    /// S: start.
    pub start: bool,
    /// The reserved bits (`flags & RESERVED_MASK`), as received.
    pub reserved: u8,
    /// The version bits (`flags & VERSION_MASK`): PEAP version, 0 for EAP-TLS.
    pub version: u8,
    /// The TLS Message Length, present iff the L flag is set.
    pub message_length: Option<u32>,
    /// TLS data (a whole TLS message or one fragment of it); may be empty (an ACK).
    pub data: &'a [u8],
}

impl<'a> TlsFrame<'a> {
    /// Parses Type-Data (the octets after the EAP Type).
    pub fn parse(type_data: &'a [u8]) -> Result<Self, DecodeError> {
        todo!("wire helper")
    }

    /// A frame with no flags but the version, carrying `data` (or an ACK when empty).
    pub fn data(version: u8, data: &'a [u8]) -> Self {
        TlsFrame {
            more: false,
            start: false,
            reserved: 0,
            version,
            message_length: None,
            data,
        }
    }

    /// The flags octet.
    pub fn flags(&self) -> u8 {
        todo!("wire helper")
    }

    /// Encoded length.
    pub fn len(&self) -> usize {
        1 + if self.message_length.is_some() { 4 } else { 0 } + self.data.len()
    }

    /// Never true: there is always a flags octet.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends the Type-Data.
    pub fn emit(&self, out: &mut Vec<u8>) {
        todo!("wire helper")
    }

    /// The Type-Data as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        self.emit(&mut v);
        v
    }
}
