//! EAP packets ([RFC 3748 §4](https://www.rfc-editor.org/rfc/rfc3748#section-4)).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Code      |  Identifier   |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Type (Request/Response)    |  Type-Data ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Invariants: `Length` ≥ 4 and ≤ the buffer (octets past `Length` are ignored, RFC 3748
//! §4.1); a Request or Response carries a Type (Length ≥ 5); an expanded Type (254,
//! §5.7) carries its 3-octet Vendor-Id and 4-octet Vendor-Type.

use super::{DecodeError, need, wire_enum};
use alloc::vec::Vec;

wire_enum! {
    /// EAP Code ([RFC 3748 §4](https://www.rfc-editor.org/rfc/rfc3748#section-4)).
    pub enum Code: u8 {
        /// 1: Request, authenticator to peer.
        Request = 1,
        /// 2: Response, peer to authenticator.
        Response = 2,
        /// 3: Success ([§4.2](https://www.rfc-editor.org/rfc/rfc3748#section-4.2)).
        Success = 3,
        /// 4: Failure ([§4.2](https://www.rfc-editor.org/rfc/rfc3748#section-4.2)).
        Failure = 4,
    }
}

/// IANA "Vendor-Id" of the IETF in expanded types ([RFC 3748 §5.7](https://www.rfc-editor.org/rfc/rfc3748#section-5.7)).
pub const VENDOR_IETF: u32 = 0;

pub(crate) use crate::method_type::{MethodType, TYPE_EXPANDED};

/// What follows the 4-octet header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    /// Request or Response: a Type and its Type-Data.
    Typed {
        /// The Type field.
        method: MethodType,
        /// Type-Data, up to the packet's Length.
        data: &'a [u8],
    },
    /// Success, Failure, or an unknown Code: the octets up to Length (normally none).
    Raw(&'a [u8]),
}

/// An EAP packet ([RFC 3748 §4](https://www.rfc-editor.org/rfc/rfc3748#section-4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eap<'a> {
    /// Code.
    pub code: Code,
    /// Identifier: matches Responses to Requests (§4.1).
    pub identifier: u8,
    /// Typed for Request/Response, raw otherwise.
    pub body: Body<'a>,
}

/// Length of the EAP header (Code, Identifier, Length).
pub const HEADER_LEN: usize = 4;

impl<'a> Eap<'a> {
    /// Parses one EAP packet. Octets beyond its Length field are ignored.
    pub fn parse(buf: &'a [u8]) -> Result<Self, DecodeError> {
        need("EAP header", buf, HEADER_LEN)?;
        let code = Code::from(buf[0]);
        let identifier = buf[1];
        let length = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        if length < HEADER_LEN || length > buf.len() {
            return Err(DecodeError::BadLength {
                what: "EAP Length",
                declared: length,
                available: buf.len(),
            });
        }
        let rest = &buf[HEADER_LEN..length];
        let body = match code {
            Code::Request | Code::Response => {
                let (method, type_len) = MethodType::parse(rest)?;
                Body::Typed {
                    method,
                    data: &rest[type_len..],
                }
            }
            _ => Body::Raw(rest),
        };
        Ok(Eap {
            code,
            identifier,
            body,
        })
    }

    /// A Request or Response with `method` and `data`.
    pub fn typed(code: Code, identifier: u8, method: MethodType, data: &'a [u8]) -> Self {
        Eap {
            code,
            identifier,
            body: Body::Typed { method, data },
        }
    }

    /// A Response with `method` and `data`.
    pub fn response(identifier: u8, method: MethodType, data: &'a [u8]) -> Self {
        Self::typed(Code::Response, identifier, method, data)
    }

    /// A Request with `method` and `data`.
    pub fn request(identifier: u8, method: MethodType, data: &'a [u8]) -> Self {
        Self::typed(Code::Request, identifier, method, data)
    }

    /// A Success or Failure (or any code with no Type) with an empty body.
    pub fn bare(code: Code, identifier: u8) -> Self {
        Eap {
            code,
            identifier,
            body: Body::Raw(&[]),
        }
    }

    /// The method and its Type-Data, for Requests and Responses.
    pub fn method(&self) -> Option<(MethodType, &'a [u8])> {
        match self.body {
            Body::Typed { method, data } => Some((method, data)),
            Body::Raw(_) => None,
        }
    }

    /// The encoded length (the Length field).
    pub fn len(&self) -> usize {
        HEADER_LEN
            + match self.body {
                Body::Typed { method, data } => method.encoded_len() + data.len(),
                Body::Raw(data) => data.len(),
            }
    }

    /// Never true: a packet has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends the packet. The caller keeps it within 65535 octets (the Length field);
    /// longer bodies are truncated to fit rather than emitting a wrong Length.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let total = self.len().min(usize::from(u16::MAX));
        let start = out.len();
        out.push(self.code.into());
        out.push(self.identifier);
        out.extend_from_slice(&(total as u16).to_be_bytes());
        match self.body {
            Body::Typed { method, data } => {
                method.emit(out);
                out.extend_from_slice(data);
            }
            Body::Raw(data) => out.extend_from_slice(data),
        }
        out.truncate(start + total);
    }

    /// The packet as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        self.emit(&mut v);
        v
    }
}

/// Appends a legacy Nak's Type-Data ([RFC 3748 §5.3.1](https://www.rfc-editor.org/rfc/rfc3748#section-5.3.1)):
/// one octet per desired type. Expanded types cannot be listed in a legacy Nak; if any is
/// desired the octet 254 is listed once (the peer supports expanded types). An empty list
/// is sent as the single octet 0 ("no viable alternative").
pub fn emit_legacy_nak(desired: &[MethodType], out: &mut Vec<u8>) {
    let start = out.len();
    let mut expanded = false;
    for m in desired {
        if m.is_expanded() {
            if !expanded {
                out.push(TYPE_EXPANDED);
                expanded = true;
            }
        } else {
            out.push(m.type_octet());
        }
    }
    if out.len() == start {
        out.push(0);
    }
}

/// The types listed in a legacy Nak's Type-Data. The octet 0 ("no alternative") is
/// reported as `Unknown(0)`.
pub fn parse_legacy_nak(data: &[u8]) -> impl Iterator<Item = MethodType> + '_ {
    data.iter().map(|&t| MethodType::from_octet(t))
}

/// Appends an expanded Nak's Type-Data ([RFC 3748 §5.3.2](https://www.rfc-editor.org/rfc/rfc3748#section-5.3.2)):
/// each desired type as an 8-octet expanded type (IETF types with Vendor-Id 0). An empty
/// list is sent as the single entry "no alternative" (vendor 0, type 0).
pub fn emit_expanded_nak(desired: &[MethodType], out: &mut Vec<u8>) {
    let expanded = |m: &MethodType| match *m {
        MethodType::Expanded { .. } => *m,
        other => MethodType::Expanded {
            vendor_id: VENDOR_IETF,
            vendor_type: u32::from(other.type_octet()),
        },
    };
    if desired.is_empty() {
        MethodType::Expanded {
            vendor_id: VENDOR_IETF,
            vendor_type: 0,
        }
        .emit(out);
    }
    for m in desired {
        expanded(m).emit(out);
    }
}

/// The types listed in an expanded Nak's Type-Data (a whole number of 8-octet entries,
/// each with Type 254).
pub fn parse_expanded_nak(data: &[u8]) -> Result<Vec<MethodType>, DecodeError> {
    if data.len() % 8 != 0 {
        return Err(DecodeError::BadLength {
            what: "expanded Nak",
            declared: data.len(),
            available: data.len() - data.len() % 8,
        });
    }
    data.chunks_exact(8)
        .map(|c| {
            if c[0] != TYPE_EXPANDED {
                return Err(DecodeError::InvalidValue {
                    what: "expanded Nak entry",
                    value: c[0].into(),
                });
            }
            Ok(MethodType::parse(c)?.0)
        })
        .collect()
}

/// The expanded type that marks an expanded Nak (Vendor-Id 0, Vendor-Type 3).
pub const EXPANDED_NAK: MethodType = MethodType::Expanded {
    vendor_id: VENDOR_IETF,
    vendor_type: 3,
};

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    #[test]
    fn identity_request() {
        let buf = [1, 7, 0, 5, 1, 0xee];
        let p = Eap::parse(&buf).unwrap();
        assert_eq!(p.code, Code::Request);
        assert_eq!(p.identifier, 7);
        assert_eq!(p.method(), Some((MethodType::Identity, &[][..])));
        assert_eq!(p.to_vec(), &buf[..5]);
    }

    #[test]
    fn success_and_bad_lengths() {
        assert_eq!(
            Eap::parse(&[3, 9, 0, 4]).unwrap(),
            Eap::bare(Code::Success, 9)
        );
        assert!(matches!(
            Eap::parse(&[3, 9, 0, 3]),
            Err(DecodeError::BadLength { .. })
        ));
        assert!(matches!(
            Eap::parse(&[3, 9, 0, 5]),
            Err(DecodeError::BadLength { .. })
        ));
        assert!(matches!(
            Eap::parse(&[1, 9, 0, 4]),
            Err(DecodeError::Truncated { .. })
        ));
        assert!(matches!(
            Eap::parse(&[1, 9, 0]),
            Err(DecodeError::Truncated { .. })
        ));
        assert!(matches!(
            Eap::parse(&[1, 9, 0, 6, 254, 0]),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn naks() {
        let mut d = vec![];
        emit_legacy_nak(&[MethodType::Peap, MethodType::Ttls], &mut d);
        assert_eq!(d, [25, 21]);
        assert_eq!(
            parse_legacy_nak(&d).collect::<Vec<_>>(),
            [MethodType::Peap, MethodType::Ttls]
        );
        d.clear();
        emit_legacy_nak(&[], &mut d);
        assert_eq!(d, [0]);
        d.clear();
        let vendor = MethodType::Expanded {
            vendor_id: 0x9876,
            vendor_type: 7,
        };
        emit_expanded_nak(&[MethodType::Peap, vendor], &mut d);
        assert_eq!(
            d,
            [254, 0, 0, 0, 0, 0, 0, 25, 254, 0, 0x98, 0x76, 0, 0, 0, 7]
        );
        let back = parse_expanded_nak(&d).unwrap();
        assert_eq!(back[1], vendor);
        assert_eq!(
            back[0],
            MethodType::Expanded {
                vendor_id: 0,
                vendor_type: 25
            }
        );
        assert!(parse_expanded_nak(&d[..9]).is_err());
    }

    pub(crate) fn arb_method() -> impl Strategy<Value = MethodType> {
        prop_oneof![
            (0u8..=255)
                .prop_filter("not expanded", |t| *t != TYPE_EXPANDED)
                .prop_map(MethodType::from_octet),
            (0u32..1 << 24, any::<u32>()).prop_map(|(vendor_id, vendor_type)| {
                MethodType::Expanded {
                    vendor_id,
                    vendor_type,
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(code in any::<u8>(), id in any::<u8>(), method in arb_method(),
                      data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let code = Code::from(code);
            let p = match code {
                Code::Request | Code::Response => Eap::typed(code, id, method, &data),
                _ => Eap { code, identifier: id, body: Body::Raw(&data) },
            };
            let bytes = p.to_vec();
            prop_assert_eq!(bytes.len(), p.len());
            prop_assert_eq!(Eap::parse(&bytes).unwrap(), p);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(p) = Eap::parse(&buf) {
                prop_assert!(p.len() <= buf.len());
                prop_assert_eq!(&p.to_vec()[..], &buf[..p.len()]);
            }
        }
    }
}
