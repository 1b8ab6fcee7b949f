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

use super::{DecodeError, need};
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
        need("EAP-TLS flags", type_data, 1)?;
        let flags = type_data[0];
        let (message_length, data) = if flags & FLAG_LENGTH != 0 {
            need("EAP-TLS Message Length", type_data, 5)?;
            let len = u32::from_be_bytes([type_data[1], type_data[2], type_data[3], type_data[4]]);
            (Some(len), &type_data[5..])
        } else {
            (None, &type_data[1..])
        };
        Ok(TlsFrame {
            more: flags & FLAG_MORE != 0,
            start: flags & FLAG_START != 0,
            reserved: flags & RESERVED_MASK,
            version: flags & VERSION_MASK,
            message_length,
            data,
        })
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
        let mut f = (self.reserved & RESERVED_MASK) | (self.version & VERSION_MASK);
        if self.message_length.is_some() {
            f |= FLAG_LENGTH;
        }
        if self.more {
            f |= FLAG_MORE;
        }
        if self.start {
            f |= FLAG_START;
        }
        f
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
        out.push(self.flags());
        if let Some(len) = self.message_length {
            out.extend_from_slice(&len.to_be_bytes());
        }
        out.extend_from_slice(self.data);
    }

    /// The Type-Data as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        self.emit(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn start_with_version_1() {
        let f = TlsFrame::parse(&[0x21]).unwrap();
        assert!(f.start && !f.more);
        assert_eq!(f.version, 1);
        assert_eq!(f.message_length, None);
        assert!(f.data.is_empty());
    }

    #[test]
    fn first_fragment_with_length() {
        let f = TlsFrame::parse(&[0xc0, 0, 0, 0x10, 0, 1, 2, 3]).unwrap();
        assert!(f.more && !f.start);
        assert_eq!(f.message_length, Some(0x1000));
        assert_eq!(f.data, &[1, 2, 3]);
        assert_eq!(f.to_vec(), [0xc0, 0, 0, 0x10, 0, 1, 2, 3]);
    }

    #[test]
    fn truncated() {
        assert!(TlsFrame::parse(&[]).is_err());
        assert!(matches!(
            TlsFrame::parse(&[0x80, 0, 0]),
            Err(DecodeError::Truncated {
                need: 5,
                have: 3,
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(flags in any::<u8>(), len in any::<u32>(),
                      data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let f = TlsFrame {
                more: flags & FLAG_MORE != 0,
                start: flags & FLAG_START != 0,
                reserved: flags & RESERVED_MASK,
                version: flags & VERSION_MASK,
                message_length: (flags & FLAG_LENGTH != 0).then_some(len),
                data: &data,
            };
            let v = f.to_vec();
            prop_assert_eq!(v.len(), f.len());
            prop_assert_eq!(TlsFrame::parse(&v).unwrap(), f);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..16)) {
            if let Ok(f) = TlsFrame::parse(&buf) {
                prop_assert_eq!(f.to_vec(), buf);
            }
        }
    }
}
