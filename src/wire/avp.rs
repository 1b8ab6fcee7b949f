//! Diameter-style AVPs as EAP-TTLS carries them in its tunnel
//! ([RFC 5281 §10](https://www.rfc-editor.org/rfc/rfc5281#section-10)).
//!
//! ```text
//! |                           AVP Code                            |
//! |V M r r r r r r|                 AVP Length (24)               |
//! |                  Vendor-ID (only if V is set)                 |
//! |  Data ...  (then zero padding to a multiple of 4 octets)
//! ```
//!
//! V: a Vendor-ID follows; M: mandatory (a receiver that does not understand the AVP must
//! fail the negotiation); r: reserved, sent as zero and kept as received. AVP Length counts
//! the header (8 or 12 octets) and the data, not the padding. Every AVP starts on a
//! 4-octet boundary; the padding after the last one may be missing (a lenient read, as
//! servers do).
//!
//! Invariants: parsing never reads past the buffer and never trusts a length it has not
//! checked; [`iter_avps`] allocates nothing and [`parse_avps`] at most one entry per 8
//! input octets; `emit` of what was parsed gives back the same AVPs.

use super::{DecodeError, need};
use alloc::vec::Vec;

/// V bit: a Vendor-ID is present.
pub const FLAG_VENDOR: u8 = 0x80;
/// M bit: the AVP is mandatory.
pub const FLAG_MANDATORY: u8 = 0x40;
/// The six reserved flag bits.
pub const FLAGS_RESERVED: u8 = 0x3f;
/// Header length without a Vendor-ID.
pub const AVP_HEADER_LEN: usize = 8;
/// Largest AVP Length (24 bits).
pub const AVP_MAX_LEN: usize = 0x00ff_ffff;

/// RADIUS attribute 1: User-Name.
pub const USER_NAME: u32 = 1;
/// RADIUS attribute 2: User-Password.
pub const USER_PASSWORD: u32 = 2;
/// RADIUS attribute 18: Reply-Message.
pub const REPLY_MESSAGE: u32 = 18;
/// RADIUS attribute 79: EAP-Message.
pub const EAP_MESSAGE: u32 = 79;
/// Microsoft's vendor id (RFC 2548).
pub const VENDOR_MICROSOFT: u32 = 311;
/// MS-CHAP-Error (Microsoft 2).
pub const MS_CHAP_ERROR: u32 = 2;
/// MS-CHAP-Challenge (Microsoft 11).
pub const MS_CHAP_CHALLENGE: u32 = 11;
/// MS-CHAP2-Response (Microsoft 25).
pub const MS_CHAP2_RESPONSE: u32 = 25;
/// MS-CHAP2-Success (Microsoft 26).
pub const MS_CHAP2_SUCCESS: u32 = 26;

/// One AVP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avp<'a> {
    /// AVP Code.
    pub code: u32,
    /// M bit.
    pub mandatory: bool,
    /// The reserved flag bits, as received (emitted as given).
    pub reserved: u8,
    /// Vendor-ID when the V bit is set.
    pub vendor: Option<u32>,
    /// Data (without padding).
    pub data: &'a [u8],
}

impl<'a> Avp<'a> {
    /// A mandatory AVP without vendor (a RADIUS attribute).
    pub fn radius(code: u32, data: &'a [u8]) -> Self {
        Avp {
            code,
            mandatory: true,
            reserved: 0,
            vendor: None,
            data,
        }
    }

    /// A mandatory Microsoft vendor AVP.
    pub fn microsoft(code: u32, data: &'a [u8]) -> Self {
        Avp {
            code,
            mandatory: true,
            reserved: 0,
            vendor: Some(VENDOR_MICROSOFT),
            data,
        }
    }

    /// Whether this is `code` of `vendor` (`None`: a RADIUS attribute).
    pub fn is(&self, vendor: Option<u32>, code: u32) -> bool {
        self.vendor == vendor && self.code == code
    }

    /// Length of the header (8, or 12 with a Vendor-ID).
    pub fn header_len(&self) -> usize {
        if self.vendor.is_some() {
            AVP_HEADER_LEN + 4
        } else {
            AVP_HEADER_LEN
        }
    }

    /// Appends the AVP and its padding. Data that would not fit the 24-bit length is
    /// truncated.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let data = &self.data[..self.data.len().min(AVP_MAX_LEN - self.header_len())];
        let len = self.header_len() + data.len();
        let mut flags = self.reserved & FLAGS_RESERVED;
        if self.vendor.is_some() {
            flags |= FLAG_VENDOR;
        }
        if self.mandatory {
            flags |= FLAG_MANDATORY;
        }
        out.extend_from_slice(&self.code.to_be_bytes());
        out.push(flags);
        out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        if let Some(v) = self.vendor {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(data);
        out.resize(out.len() + padding(len), 0);
    }
}

/// Zero octets after an AVP of `len` octets, to the next multiple of 4.
pub fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Parses a whole AVP sequence (the plaintext of one TTLS message).
pub fn parse_avps(data: &[u8]) -> Result<Vec<Avp<'_>>, DecodeError> {
    let mut out = Vec::with_capacity((data.len() / AVP_HEADER_LEN).min(8));
    for avp in iter_avps(data) {
        out.push(avp?);
    }
    Ok(out)
}

/// The AVPs of `data` one by one, without allocating; after an error it ends.
pub fn iter_avps(data: &[u8]) -> AvpIter<'_> {
    AvpIter { rest: data }
}

/// Iterator of [`iter_avps`].
#[derive(Debug, Clone)]
pub struct AvpIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for AvpIter<'a> {
    type Item = Result<Avp<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = next_avp(self.rest);
        match item {
            Ok((avp, next)) => {
                self.rest = &self.rest[next..];
                Some(Ok(avp))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// The first AVP of `rest` and the offset of the next one.
fn next_avp(rest: &[u8]) -> Result<(Avp<'_>, usize), DecodeError> {
    need("AVP header", rest, AVP_HEADER_LEN)?;
    let code = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let flags = rest[4];
    let len = u32::from_be_bytes([0, rest[5], rest[6], rest[7]]) as usize;
    let vendor_bit = flags & FLAG_VENDOR != 0;
    let header = if vendor_bit {
        AVP_HEADER_LEN + 4
    } else {
        AVP_HEADER_LEN
    };
    if len < header || len > rest.len() {
        return Err(DecodeError::BadLength {
            what: "AVP",
            declared: len,
            available: rest.len(),
        });
    }
    let vendor = vendor_bit.then(|| u32::from_be_bytes([rest[8], rest[9], rest[10], rest[11]]));
    let avp = Avp {
        code,
        mandatory: flags & FLAG_MANDATORY != 0,
        reserved: flags & FLAGS_RESERVED,
        vendor,
        data: &rest[header..len],
    };
    // The padding of the last AVP may be missing; its octets are skipped unread (RFC
    // 5281 asks senders for zeros, not receivers to check).
    Ok((avp, (len + padding(len)).min(rest.len())))
}

/// Appends every AVP of `avps`, each padded.
pub fn emit_avps(avps: &[Avp<'_>], out: &mut Vec<u8>) {
    for a in avps {
        a.emit(out);
    }
}

/// User-Password's value: the password padded with zeros to a multiple of 16 octets
/// ([RFC 5281 §11.2.5](https://www.rfc-editor.org/rfc/rfc5281#section-11.2.5); at least 16).
pub fn pad_password(password: &[u8], out: &mut Vec<u8>) {
    let padded = password.len().max(1).div_ceil(16) * 16;
    out.extend_from_slice(password);
    out.resize(out.len() + (padded - password.len()), 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn user_name_and_ms_chap_challenge() {
        let mut out = Vec::new();
        emit_avps(
            &[
                Avp::radius(USER_NAME, b"alice"),
                Avp::microsoft(MS_CHAP_CHALLENGE, &[7; 16]),
            ],
            &mut out,
        );
        // User-Name: code 1, M, length 13, "alice", 3 octets of padding.
        assert_eq!(&out[..8], &[0, 0, 0, 1, 0x40, 0, 0, 13]);
        assert_eq!(&out[8..13], b"alice");
        assert_eq!(&out[13..16], &[0, 0, 0]);
        // MS-CHAP-Challenge: code 11, V and M, length 28, vendor 311, no padding.
        assert_eq!(&out[16..28], &[0, 0, 0, 11, 0xc0, 0, 0, 28, 0, 0, 1, 0x37]);
        assert_eq!(out.len(), 16 + 28);
        let avps = parse_avps(&out).unwrap();
        assert_eq!(avps.len(), 2);
        assert!(avps[0].is(None, USER_NAME));
        assert_eq!(avps[0].data, b"alice");
        assert!(avps[1].is(Some(VENDOR_MICROSOFT), MS_CHAP_CHALLENGE));
        assert!(avps[1].mandatory);
    }

    #[test]
    fn last_padding_may_be_missing() {
        let avps = parse_avps(&[0, 0, 0, 18, 0, 0, 0, 9, b'x']).unwrap();
        assert_eq!(avps.len(), 1);
        assert_eq!(avps[0].data, b"x");
        assert!(!avps[0].mandatory);
    }

    #[test]
    fn bad_lengths() {
        // Shorter than its header.
        assert!(parse_avps(&[0, 0, 0, 1, 0, 0, 0, 7]).is_err());
        // V set but only 8 octets long.
        assert!(parse_avps(&[0, 0, 0, 1, 0x80, 0, 0, 8, 0, 0, 0, 0]).is_err());
        // Longer than the buffer.
        assert!(parse_avps(&[0, 0, 0, 1, 0, 0, 0, 20, 1, 2]).is_err());
        // A truncated header after a good AVP.
        assert!(parse_avps(&[0, 0, 0, 1, 0, 0, 0, 8, 0, 0]).is_err());
        // 24-bit length with the high octet used.
        assert!(parse_avps(&[0, 0, 0, 1, 0, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn password_padding() {
        let mut out = Vec::new();
        pad_password(b"password", &mut out);
        assert_eq!(out.len(), 16);
        assert_eq!(&out[8..], &[0; 8]);
        out.clear();
        pad_password(&[b'p'; 16], &mut out);
        assert_eq!(out.len(), 16);
        out.clear();
        pad_password(&[b'p'; 17], &mut out);
        assert_eq!(out.len(), 32);
        out.clear();
        pad_password(b"", &mut out);
        assert_eq!(out, [0; 16]);
    }

    proptest! {
        #[test]
        fn round_trip(items in proptest::collection::vec(
            (any::<u32>(), any::<bool>(), 0u8..0x40, proptest::option::of(any::<u32>()),
             proptest::collection::vec(any::<u8>(), 0..40)),
            0..6)) {
            let avps: Vec<Avp<'_>> = items.iter().map(|(c, m, r, v, d)| Avp {
                code: *c, mandatory: *m, reserved: *r, vendor: *v, data: d,
            }).collect();
            let mut out = Vec::new();
            emit_avps(&avps, &mut out);
            prop_assert_eq!(out.len() % 4, 0);
            prop_assert_eq!(parse_avps(&out).unwrap(), avps);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..96)) {
            if let Ok(avps) = parse_avps(&buf) {
                prop_assert!(avps.len() <= buf.len() / AVP_HEADER_LEN);
                let mut out = Vec::new();
                emit_avps(&avps, &mut out);
                prop_assert_eq!(parse_avps(&out).unwrap(), avps);
            }
        }
    }
}
