//! The EAP method Type ([RFC 3748 §5](https://www.rfc-editor.org/rfc/rfc3748#section-5)):
//! what a configuration allows, what events and diagnoses name.

use crate::wire::DecodeError;
use crate::wire::need;
use alloc::vec::Vec;

/// An EAP method Type ([RFC 3748 §5](https://www.rfc-editor.org/rfc/rfc3748#section-5)),
/// including expanded types (§5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MethodType {
    /// 1: Identity (§5.1).
    Identity,
    /// 2: Notification (§5.2).
    Notification,
    /// 3: legacy Nak, Response only (§5.3.1).
    Nak,
    /// 4: MD5-Challenge (§5.4).
    Md5Challenge,
    /// 5: One-Time Password (§5.5).
    Otp,
    /// 6: Generic Token Card (§5.6).
    Gtc,
    /// 13: EAP-TLS (RFC 5216).
    Tls,
    /// 21: EAP-TTLS (RFC 5281).
    Ttls,
    /// 25: PEAP ([MS-PEAP]).
    Peap,
    /// 26: EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2).
    MsChapV2,
    /// 33: EAP-TLV / Extensions ([MS-PEAP] §2.2.8).
    Tlv,
    /// 43: EAP-FAST (RFC 4851).
    Fast,
    /// 55: TEAP ([RFC 9930](https://www.rfc-editor.org/rfc/rfc9930)).
    Teap,
    /// 254: an expanded type (§5.7): 24-bit Vendor-Id and 32-bit Vendor-Type.
    Expanded {
        /// SMI Network Management Private Enterprise Code (24 bits); 0 is the IETF.
        vendor_id: u32,
        /// The vendor's method number.
        vendor_type: u32,
    },
    /// Any other one-octet Type (255, Experimental, included).
    Unknown(u8),
}

/// The Type octet that introduces an expanded type.
pub(crate) const TYPE_EXPANDED: u8 = 254;

impl MethodType {
    /// The one-octet Type, or 254 for an expanded type.
    pub fn type_octet(self) -> u8 {
        match self {
            MethodType::Identity => 1,
            MethodType::Notification => 2,
            MethodType::Nak => 3,
            MethodType::Md5Challenge => 4,
            MethodType::Otp => 5,
            MethodType::Gtc => 6,
            MethodType::Tls => 13,
            MethodType::Ttls => 21,
            MethodType::Peap => 25,
            MethodType::MsChapV2 => 26,
            MethodType::Tlv => 33,
            MethodType::Fast => 43,
            MethodType::Teap => 55,
            MethodType::Expanded { .. } => TYPE_EXPANDED,
            MethodType::Unknown(t) => t,
        }
    }

    /// The type for a one-octet Type value other than 254.
    pub fn from_octet(t: u8) -> MethodType {
        match t {
            1 => MethodType::Identity,
            2 => MethodType::Notification,
            3 => MethodType::Nak,
            4 => MethodType::Md5Challenge,
            5 => MethodType::Otp,
            6 => MethodType::Gtc,
            13 => MethodType::Tls,
            21 => MethodType::Ttls,
            25 => MethodType::Peap,
            26 => MethodType::MsChapV2,
            33 => MethodType::Tlv,
            43 => MethodType::Fast,
            55 => MethodType::Teap,
            other => MethodType::Unknown(other),
        }
    }

    /// True for expanded types (Type 254).
    pub fn is_expanded(self) -> bool {
        matches!(self, MethodType::Expanded { .. })
    }

    /// A short name as operators know it (`"PEAP"`, `"EAP-TLS"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MethodType::Identity => "Identity",
            MethodType::Notification => "Notification",
            MethodType::Nak => "Nak",
            MethodType::Md5Challenge => "MD5-Challenge",
            MethodType::Otp => "OTP",
            MethodType::Gtc => "GTC",
            MethodType::Tls => "EAP-TLS",
            MethodType::Ttls => "EAP-TTLS",
            MethodType::Peap => "PEAP",
            MethodType::MsChapV2 => "EAP-MSCHAPv2",
            MethodType::Tlv => "EAP-TLV",
            MethodType::Fast => "EAP-FAST",
            MethodType::Teap => "TEAP",
            MethodType::Expanded { .. } => "expanded type",
            MethodType::Unknown(_) => "unknown type",
        }
    }

    /// Decodes a Type field at the start of `buf`; returns the type and its encoded length
    /// (1, or 8 for an expanded type).
    pub(crate) fn parse(buf: &[u8]) -> Result<(MethodType, usize), DecodeError> {
        need("EAP Type", buf, 1)?;
        if buf[0] != TYPE_EXPANDED {
            return Ok((MethodType::from_octet(buf[0]), 1));
        }
        need("EAP expanded Type", buf, 8)?;
        let vendor_id = u32::from_be_bytes([0, buf[1], buf[2], buf[3]]);
        let vendor_type = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
        Ok((
            MethodType::Expanded {
                vendor_id,
                vendor_type,
            },
            8,
        ))
    }

    /// Appends the Type field (1 or 8 octets). An expanded Vendor-Id keeps its low 24 bits.
    pub(crate) fn emit(self, out: &mut Vec<u8>) {
        match self {
            MethodType::Expanded {
                vendor_id,
                vendor_type,
            } => {
                out.push(TYPE_EXPANDED);
                out.extend_from_slice(&vendor_id.to_be_bytes()[1..]);
                out.extend_from_slice(&vendor_type.to_be_bytes());
            }
            other => out.push(other.type_octet()),
        }
    }

    /// Encoded length of the Type field.
    pub(crate) fn encoded_len(self) -> usize {
        if self.is_expanded() { 8 } else { 1 }
    }
}

impl core::fmt::Display for MethodType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            MethodType::Expanded {
                vendor_id,
                vendor_type,
            } => {
                write!(f, "expanded type (vendor {vendor_id}, type {vendor_type})")
            }
            MethodType::Unknown(t) => write!(f, "EAP type {t}"),
            other => f.write_str(other.name()),
        }
    }
}
/// The inner (phase 2) authentication of EAP-TTLS
/// ([RFC 5281 §11.2](https://www.rfc-editor.org/rfc/rfc5281#section-11.2)). Each runs only
/// inside the tunnel, after the server's certificate was validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TtlsInner {
    /// PAP: User-Name and User-Password AVPs (the password itself, to the validated server;
    /// needs the password, not an NT hash). The server's EAP-Success or EAP-Failure is its
    /// verdict.
    Pap,
    /// MSCHAPv2 as AVPs (MS-CHAP-Challenge from the TLS keys, MS-CHAP2-Response; the
    /// server's MS-CHAP2-Success must prove it knows the password).
    MsChapV2,
    /// EAP-MSCHAPv2 in EAP-Message AVPs (the default: mutual authentication, as PEAP's
    /// inner method; the same EAP-MSCHAPv2 peer).
    #[default]
    EapMsChapV2,
}

impl core::fmt::Display for TtlsInner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            TtlsInner::Pap => "PAP",
            TtlsInner::MsChapV2 => "MSCHAPv2",
            TtlsInner::EapMsChapV2 => "EAP-MSCHAPv2",
        })
    }
}

/// The inner authentication of TEAP for one identity (user or machine)
/// ([RFC 9930 §3.6](https://www.rfc-editor.org/rfc/rfc9930#section-3.6)): what we answer
/// when the server asks. Each runs only inside the tunnel, after the server's certificate
/// was validated; a request for another is refused (a NAK TLV, or an inner Nak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TeapInner {
    /// Basic-Password-Auth: the user name and password in TLVs (needs the password).
    Password,
    /// EAP-MSCHAPv2 in EAP-Payload TLVs (the default; its keys bind the tunnel).
    #[default]
    MsChapV2,
    /// EAP-TLS in EAP-Payload TLVs, with the identity's client certificate.
    Tls,
}

impl core::fmt::Display for TeapInner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            TeapInner::Password => "Basic-Password-Auth",
            TeapInner::MsChapV2 => "EAP-MSCHAPv2",
            TeapInner::Tls => "EAP-TLS",
        })
    }
}
