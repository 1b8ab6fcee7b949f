//! TEAP ([RFC 9930](https://www.rfc-editor.org/rfc/rfc9930)): the outer framing's Outer
//! TLVs (§4.1) and the TLVs inside the tunnel (§4.2).
//!
//! The framing is EAP-TLS's ([`super::tls_frame`]) with the version 1 and one more flag,
//! O (0x10, "Outer TLV Length included", §4.1): when set, a 4-octet Outer TLV Length
//! follows the TLS Message Length (if any), and the last that many octets of the message are
//! Outer TLVs (Authority-ID in the server's Start; FreeRADIUS 3.2.7 sends one there).
//!
//! ```text
//! TLV: |M|R|     TLV Type (14)     |            Length             |  Value ...
//! ```
//!
//! M: mandatory (a peer that does not know a mandatory TLV answers with a NAK TLV naming
//! it); Length counts the Value. Every TLV type of RFC 9930 §4.2 is named; unknown ones are
//! kept with their M bit.

use super::{DecodeError, need, wire_enum};
use alloc::vec::Vec;

/// Flag: Outer TLV Length included (RFC 9930 §4.1).
pub const FLAG_OUTER_TLVS: u8 = 0x10;
/// The TEAP version (the version bits of every TEAP message).
pub const TEAP_VERSION: u8 = 1;

wire_enum! {
    /// TEAP TLV Type (RFC 9930 §4.2, IANA "TEAP TLV Types").
    pub enum TeapTlvType: u16 {
        /// 1: Authority-ID (an Outer TLV: who the server is, §4.2.2).
        AuthorityId = 1,
        /// 2: Identity-Type (1 User, 2 Machine; §4.2.3).
        IdentityType = 2,
        /// 3: Result (the final verdict, §4.2.4).
        Result = 3,
        /// 4: NAK (an unsupported TLV, §4.2.5).
        Nak = 4,
        /// 5: Error (a 32-bit code, §4.2.6).
        Error = 5,
        /// 6: Channel-Binding (§4.2.7).
        ChannelBinding = 6,
        /// 7: Vendor-Specific (§4.2.8).
        VendorSpecific = 7,
        /// 8: Request-Action (§4.2.9).
        RequestAction = 8,
        /// 9: EAP-Payload (an inner EAP packet, §4.2.10).
        EapPayload = 9,
        /// 10: Intermediate-Result (one inner method's verdict, §4.2.11).
        IntermediateResult = 10,
        /// 11: PAC (reserved by RFC 9930, §4.2.12).
        Pac = 11,
        /// 12: Crypto-Binding (§4.2.13).
        CryptoBinding = 12,
        /// 13: Basic-Password-Auth-Req (§4.2.14).
        BasicPasswordAuthReq = 13,
        /// 14: Basic-Password-Auth-Resp (§4.2.15).
        BasicPasswordAuthResp = 14,
        /// 15: PKCS#7 (§4.2.16).
        Pkcs7 = 15,
        /// 16: PKCS#10 (§4.2.17).
        Pkcs10 = 16,
        /// 17: Trusted-Server-Root (§4.2.18).
        TrustedServerRoot = 17,
        /// 18: CSR-Attributes (§4.2.19).
        CsrAttributes = 18,
        /// 19: Identity-Hint (§4.2.20).
        IdentityHint = 19,
    }
}

wire_enum! {
    /// Result and Intermediate-Result status (RFC 9930 §4.2.4, §4.2.11).
    pub enum TeapStatus: u16 {
        /// 1: Success.
        Success = 1,
        /// 2: Failure.
        Failure = 2,
    }
}

wire_enum! {
    /// Identity-Type (RFC 9930 §4.2.3).
    pub enum IdentityType: u16 {
        /// 1: User.
        User = 1,
        /// 2: Machine.
        Machine = 2,
    }
}

wire_enum! {
    /// Error TLV codes (RFC 9930 §4.2.6, IANA "TEAP Error TLV (value 5) Error Codes").
    pub enum TeapError: u32 {
        /// 1: User account credentials incorrect.
        UserCredentialsIncorrect = 1,
        /// 2: User account credentials expired.
        UserCredentialsExpired = 2,
        /// 3: User account credentials locked.
        UserCredentialsLocked = 3,
        /// 4: Machine account credentials incorrect.
        MachineCredentialsIncorrect = 4,
        /// 5: Machine account credentials expired.
        MachineCredentialsExpired = 5,
        /// 6: Machine account credentials locked.
        MachineCredentialsLocked = 6,
        /// 1001: Inner Method Error.
        InnerMethodError = 1001,
        /// 1002: Unspecified authentication infrastructure problem.
        InfrastructureProblem = 1002,
        /// 1003: Unspecified authentication failure.
        AuthenticationFailure = 1003,
        /// 1004: Unspecified authorization failure.
        AuthorizationFailure = 1004,
        /// 1005: User account credentials unavailable.
        UserCredentialsUnavailable = 1005,
        /// 1006: User account expired.
        UserAccountExpired = 1006,
        /// 1007: User account locked.
        UserAccountLocked = 1007,
        /// 1008: User account disabled.
        UserAccountDisabled = 1008,
        /// 1009: Machine account credentials unavailable.
        MachineCredentialsUnavailable = 1009,
        /// 1010: Machine account expired.
        MachineAccountExpired = 1010,
        /// 1011: Machine account locked.
        MachineAccountLocked = 1011,
        /// 1012: Machine account disabled.
        MachineAccountDisabled = 1012,
        /// 2001: Tunnel Compromise Error (a Crypto-Binding that does not verify).
        TunnelCompromise = 2001,
        /// 2002: Unexpected TLVs Exchanged.
        UnexpectedTlvs = 2002,
    }
}

/// The M bit of a TLV header.
pub const MANDATORY: u16 = 0x8000;
const TYPE_MASK: u16 = 0x3fff;

/// One TEAP TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeapTlv<'a> {
    /// M bit.
    pub mandatory: bool,
    /// Type (14 bits).
    pub tlv_type: TeapTlvType,
    /// Value (Length octets).
    pub value: &'a [u8],
}

impl<'a> TeapTlv<'a> {
    /// A TLV with the M bit as given.
    pub fn new(tlv_type: TeapTlvType, mandatory: bool, value: &'a [u8]) -> Self {
        TeapTlv {
            mandatory,
            tlv_type,
            value,
        }
    }

    /// Appends header and value. A value over 65535 octets is truncated (none we build is).
    pub fn emit(&self, out: &mut Vec<u8>) {
        let len = self.value.len().min(usize::from(u16::MAX));
        let mut t = u16::from(self.tlv_type) & TYPE_MASK;
        if self.mandatory {
            t |= MANDATORY;
        }
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.extend_from_slice(&self.value[..len]);
    }

    /// A 2-octet value (Result, Intermediate-Result, Identity-Type).
    pub fn u16_value(&self, what: &'static str) -> Result<u16, DecodeError> {
        match self.value {
            [a, b] => Ok(u16::from_be_bytes([*a, *b])),
            v => Err(DecodeError::BadLength {
                what,
                declared: v.len(),
                available: 2,
            }),
        }
    }

    /// The Error TLV's code (exactly 4 octets).
    pub fn error_code(&self) -> Result<TeapError, DecodeError> {
        match self.value {
            [a, b, c, d] => Ok(TeapError::from(u32::from_be_bytes([*a, *b, *c, *d]))),
            v => Err(DecodeError::BadLength {
                what: "Error TLV",
                declared: v.len(),
                available: 4,
            }),
        }
    }
}

/// Parses a TLV list. Fails if a TLV's Length runs past the buffer or fewer than 4 octets
/// remain for a header; allocates at most one entry per 4 input octets. The R bit
/// (reserved, "set to zero", RFC 9930 §4.2) is ignored on receipt; [`TeapTlv::emit`] sends
/// it as zero.
pub fn parse_teap_tlvs(data: &[u8]) -> Result<Vec<TeapTlv<'_>>, DecodeError> {
    let mut out = Vec::with_capacity((data.len() / 4).min(8));
    let mut rest = data;
    while !rest.is_empty() {
        need("TEAP TLV header", rest, 4)?;
        let t = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        let available = rest.len() - 4;
        if len > available {
            return Err(DecodeError::BadLength {
                what: "TEAP TLV Length",
                declared: len,
                available,
            });
        }
        out.push(TeapTlv {
            mandatory: t & MANDATORY != 0,
            tlv_type: TeapTlvType::from(t & TYPE_MASK),
            value: &rest[4..4 + len],
        });
        rest = &rest[4 + len..];
    }
    Ok(out)
}

/// Length of a Crypto-Binding TLV's value.
pub const CRYPTO_BINDING_LEN: usize = 76;

/// Crypto-Binding TLV Flags: which Compound MACs it carries (RFC 9930 §4.2.13).
pub mod binding_flags {
    /// 1: EMSK Compound MAC only.
    pub const EMSK: u8 = 1;
    /// 2: MSK Compound MAC only.
    pub const MSK: u8 = 2;
    /// 3: both.
    pub const BOTH: u8 = 3;
}

/// The value of a TEAP Crypto-Binding TLV (RFC 9930 §4.2.13):
/// `Reserved(1) Version(1) Received-Ver(1) Flags(4 bits)|Sub-Type(4 bits) Nonce(32)
/// EMSK Compound MAC(20) MSK Compound MAC(20)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeapCryptoBinding {
    /// Reserved octet, as received.
    pub reserved: u8,
    /// The sender's TEAP version (1).
    pub version: u8,
    /// The version the sender received from the other side (1).
    pub received_version: u8,
    /// Which MACs are present ([`binding_flags`]).
    pub flags: u8,
    /// 0: Binding Request (server); 1: Binding Response (peer).
    pub sub_type: u8,
    /// The server's nonce (its last bit 0); the peer answers with it plus one.
    pub nonce: [u8; 32],
    /// EMSK Compound MAC (zeros when absent).
    pub emsk_mac: [u8; 20],
    /// MSK Compound MAC (zeros when absent).
    pub msk_mac: [u8; 20],
}

impl TeapCryptoBinding {
    /// Parses the 76-octet value.
    pub fn parse(v: &[u8]) -> Result<Self, DecodeError> {
        if v.len() != CRYPTO_BINDING_LEN {
            return Err(DecodeError::BadLength {
                what: "Crypto-Binding TLV",
                declared: v.len(),
                available: CRYPTO_BINDING_LEN,
            });
        }
        let mut nonce = [0; 32];
        nonce.copy_from_slice(&v[4..36]);
        let mut emsk_mac = [0; 20];
        emsk_mac.copy_from_slice(&v[36..56]);
        let mut msk_mac = [0; 20];
        msk_mac.copy_from_slice(&v[56..76]);
        Ok(TeapCryptoBinding {
            reserved: v[0],
            version: v[1],
            received_version: v[2],
            flags: v[3] >> 4,
            sub_type: v[3] & 0x0f,
            nonce,
            emsk_mac,
            msk_mac,
        })
    }

    /// The 76-octet value.
    pub fn value(&self) -> [u8; CRYPTO_BINDING_LEN] {
        let mut v = [0; CRYPTO_BINDING_LEN];
        v[0] = self.reserved;
        v[1] = self.version;
        v[2] = self.received_version;
        v[3] = (self.flags << 4) | (self.sub_type & 0x0f);
        v[4..36].copy_from_slice(&self.nonce);
        v[36..56].copy_from_slice(&self.emsk_mac);
        v[56..76].copy_from_slice(&self.msk_mac);
        v
    }

    /// The whole TLV (mandatory header + value) with both MACs zeroed: the start of the
    /// Compound MAC's BUFFER (RFC 9930 §6.3).
    pub fn zeroed_tlv(&self) -> Vec<u8> {
        let zeroed = TeapCryptoBinding {
            emsk_mac: [0; 20],
            msk_mac: [0; 20],
            ..*self
        };
        let value = zeroed.value();
        let mut out = Vec::with_capacity(4 + CRYPTO_BINDING_LEN);
        TeapTlv::new(TeapTlvType::CryptoBinding, true, &value).emit(&mut out);
        out
    }
}

/// A Basic-Password-Auth-Resp value (RFC 9930 §4.2.15): `Userlen(1) Username Passlen(1)
/// Password`; `None` if either is longer than 255 octets.
pub fn basic_password_resp(user: &[u8], password: &[u8]) -> Option<Vec<u8>> {
    let ul = u8::try_from(user.len()).ok()?;
    let pl = u8::try_from(password.len()).ok()?;
    let mut v = Vec::with_capacity(2 + user.len() + password.len());
    v.push(ul);
    v.extend_from_slice(user);
    v.push(pl);
    v.extend_from_slice(password);
    Some(v)
}

/// A NAK TLV value (RFC 9930 §4.2.5): Vendor-Id 0 (an IETF TLV) and the refused type.
pub fn nak_value(refused: TeapTlvType) -> [u8; 6] {
    let [a, b] = u16::from(refused).to_be_bytes();
    [0, 0, 0, 0, a, b]
}

/// The parts of a TEAP message's Type-Data after the flags octet and the TLS Message
/// Length: with the O flag, the Outer TLV Length, the TLS data and the Outer TLVs at the
/// end; without it, all TLS data. `data` is what [`super::tls_frame::TlsFrame`] gave as its
/// data.
pub fn split_outer_tlvs(flags: u8, data: &[u8]) -> Result<(&[u8], &[u8]), DecodeError> {
    if flags & FLAG_OUTER_TLVS == 0 {
        return Ok((data, &[]));
    }
    need("TEAP Outer TLV Length", data, 4)?;
    let len = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
    let rest = &data[4..];
    if len > rest.len() {
        return Err(DecodeError::BadLength {
            what: "TEAP Outer TLV Length",
            declared: len,
            available: rest.len(),
        });
    }
    let (tls, outer) = rest.split_at(rest.len() - len);
    Ok((tls, outer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// FreeRADIUS 3.2.7's Start: S|O, version 1, Outer TLV Length 14, Authority-ID "eap-tests".
    #[test]
    fn freeradius_start_with_authority_id() {
        let mut td = alloc::vec![0x31, 0, 0, 0, 13];
        TeapTlv::new(TeapTlvType::AuthorityId, false, b"eap-tests").emit(&mut td);
        let f = super::super::tls_frame::TlsFrame::parse(&td).unwrap();
        assert!(f.start);
        assert_eq!(f.version, TEAP_VERSION);
        let (tls, outer) = split_outer_tlvs(td[0], f.data).unwrap();
        assert!(tls.is_empty());
        let tlvs = parse_teap_tlvs(outer).unwrap();
        assert_eq!(tlvs.len(), 1);
        assert_eq!(tlvs[0].tlv_type, TeapTlvType::AuthorityId);
        assert_eq!(tlvs[0].value, b"eap-tests");
        assert!(split_outer_tlvs(0x10, &[0, 0, 0, 9, 1]).is_err());
    }

    #[test]
    fn crypto_binding_round_trip_and_zeroed() {
        let b = TeapCryptoBinding {
            reserved: 0,
            version: 1,
            received_version: 1,
            flags: binding_flags::BOTH,
            sub_type: 0,
            nonce: [7; 32],
            emsk_mac: [8; 20],
            msk_mac: [9; 20],
        };
        assert_eq!(TeapCryptoBinding::parse(&b.value()).unwrap(), b);
        let z = b.zeroed_tlv();
        assert_eq!(&z[..4], &[0x80, 12, 0, 76]);
        assert_eq!(z[4 + 3], 0x30);
        assert!(z[4 + 36..].iter().all(|&x| x == 0));
        assert!(TeapCryptoBinding::parse(&[0; 75]).is_err());
    }

    #[test]
    fn values() {
        assert_eq!(
            basic_password_resp(b"al", b"pw").unwrap(),
            [2, b'a', b'l', 2, b'p', b'w']
        );
        assert!(basic_password_resp(&[0; 256], b"").is_none());
        assert_eq!(
            nak_value(TeapTlvType::Unknown(0x123)),
            [0, 0, 0, 0, 1, 0x23]
        );
        let t = TeapTlv::new(TeapTlvType::Error, true, &[0, 0, 7, 0xd1]);
        assert_eq!(t.error_code().unwrap(), TeapError::TunnelCompromise);
        assert!(
            TeapTlv::new(TeapTlvType::Result, true, &[0])
                .u16_value("Result TLV")
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn round_trip(types in proptest::collection::vec((0u16..0x4000, any::<bool>(),
                      proptest::collection::vec(any::<u8>(), 0..40)), 0..6)) {
            let mut buf = Vec::new();
            for (t, m, v) in &types {
                TeapTlv::new(TeapTlvType::from(*t), *m, v).emit(&mut buf);
            }
            let parsed = parse_teap_tlvs(&buf).unwrap();
            prop_assert_eq!(parsed.len(), types.len());
            let mut again = Vec::new();
            for t in &parsed {
                t.emit(&mut again);
            }
            prop_assert_eq!(again, buf);
        }

        #[test]
        fn any_bytes_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(tlvs) = parse_teap_tlvs(&buf) {
                let mut again = Vec::new();
                for t in &tlvs {
                    t.emit(&mut again);
                }
                prop_assert_eq!(again, buf.clone());
            }
            let _ = split_outer_tlvs(buf.first().copied().unwrap_or(0), &buf);
            let _ = TeapCryptoBinding::parse(&buf);
        }
    }
}
