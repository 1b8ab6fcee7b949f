//! EAP-MSCHAPv2 packets (draft-kamath-pppext-eap-mschapv2-02 §2; [RFC 2759](https://www.rfc-editor.org/rfc/rfc2759)
//! for the MS-CHAP-V2 fields) and the Success / Failure message strings.
//!
//! Type-Data layout: `OpCode(1) MS-CHAPv2-ID(1) MS-Length(2) ...`, where MS-Length is the
//! EAP Length minus 5. The peer's Success and Failure acknowledgements are the OpCode alone.
//! MS-Length is kept as received: servers are known to get it wrong, and the method layer
//! decides whether that matters.

use super::{DecodeError, need, wire_enum};
use alloc::vec::Vec;

wire_enum! {
    /// EAP-MSCHAPv2 OpCode.
    pub enum OpCode: u8 {
        /// 1: Challenge (request).
        Challenge = 1,
        /// 2: Response.
        Response = 2,
        /// 3: Success (request with a message, or the peer's one-octet ack).
        Success = 3,
        /// 4: Failure (request with a message, or the peer's one-octet ack).
        Failure = 4,
        /// 7: Change-Password (response).
        ChangePassword = 7,
    }
}

/// Value-Size of a Challenge.
pub const CHALLENGE_VALUE_SIZE: u8 = 16;
/// Value-Size of a Response.
pub const RESPONSE_VALUE_SIZE: u8 = 49;

/// An EAP-MSCHAPv2 packet (the EAP Type-Data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MsChapV2<'a> {
    /// Server's Challenge: `Value-Size(1)=16 Challenge(16) Name`.
    Challenge {
        /// MS-CHAPv2-ID.
        id: u8,
        /// MS-Length as received.
        ms_length: u16,
        /// Authenticator challenge.
        challenge: [u8; 16],
        /// Server name (informational).
        name: &'a [u8],
    },
    /// Peer's Response: `Value-Size(1)=49 Peer-Challenge(16) Reserved(8) NT-Response(24) Flags(1) Name`.
    Response {
        /// MS-CHAPv2-ID (echoes the Challenge's).
        id: u8,
        /// MS-Length.
        ms_length: u16,
        /// Peer challenge.
        peer_challenge: [u8; 16],
        /// Reserved, zero when sent.
        reserved: [u8; 8],
        /// NT-Response.
        nt_response: [u8; 24],
        /// Flags, zero when sent.
        flags: u8,
        /// User name (the one hashed into the ChallengeHash, domain included).
        name: &'a [u8],
    },
    /// Server's Success request: the message `S=<40 hex> M=<text>`.
    Success {
        /// MS-CHAPv2-ID.
        id: u8,
        /// MS-Length as received.
        ms_length: u16,
        /// The message (see [`SuccessMessage`]).
        message: &'a [u8],
    },
    /// Peer's Success acknowledgement (OpCode only).
    SuccessAck,
    /// Server's Failure request: the message "E=.. R=.. C=.. V=.. M=..".
    Failure {
        /// MS-CHAPv2-ID.
        id: u8,
        /// MS-Length as received.
        ms_length: u16,
        /// The message (see [`FailureMessage`]).
        message: &'a [u8],
    },
    /// Peer's Failure acknowledgement (OpCode only).
    FailureAck,
    /// Peer's Change-Password response ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)).
    ChangePassword {
        /// MS-CHAPv2-ID.
        id: u8,
        /// MS-Length.
        ms_length: u16,
        /// Encrypted-Password (516).
        encrypted_password: &'a [u8; 516],
        /// Encrypted-Hash (16).
        encrypted_hash: [u8; 16],
        /// Peer challenge.
        peer_challenge: [u8; 16],
        /// Reserved.
        reserved: [u8; 8],
        /// NT-Response.
        nt_response: [u8; 24],
        /// Flags (2 octets).
        flags: u16,
    },
    /// Any other OpCode, with the octets after it.
    Unknown {
        /// The OpCode.
        opcode: u8,
        /// The rest of the Type-Data.
        data: &'a [u8],
    },
}

impl<'a> MsChapV2<'a> {
    /// Parses EAP-MSCHAPv2 Type-Data. A one-octet Success or Failure is the peer's ack;
    /// anything longer is the server's request with a header.
    pub fn parse(type_data: &'a [u8]) -> Result<Self, DecodeError> {
        need("EAP-MSCHAPv2 OpCode", type_data, 1)?;
        let opcode = OpCode::from(type_data[0]);
        if type_data.len() == 1 {
            match opcode {
                OpCode::Success => return Ok(MsChapV2::SuccessAck),
                OpCode::Failure => return Ok(MsChapV2::FailureAck),
                _ => {}
            }
        }
        if let OpCode::Unknown(opcode) = opcode {
            return Ok(MsChapV2::Unknown {
                opcode,
                data: &type_data[1..],
            });
        }
        need("EAP-MSCHAPv2 header", type_data, HEADER_LEN)?;
        let id = type_data[1];
        let ms_length = u16::from_be_bytes([type_data[2], type_data[3]]);
        let body = &type_data[HEADER_LEN..];
        Ok(match opcode {
            OpCode::Challenge => {
                need("EAP-MSCHAPv2 Challenge", body, 17)?;
                value_size(body[0], CHALLENGE_VALUE_SIZE)?;
                MsChapV2::Challenge {
                    id,
                    ms_length,
                    challenge: array(&body[1..17]),
                    name: &body[17..],
                }
            }
            OpCode::Response => {
                need("EAP-MSCHAPv2 Response", body, 50)?;
                value_size(body[0], RESPONSE_VALUE_SIZE)?;
                MsChapV2::Response {
                    id,
                    ms_length,
                    peer_challenge: array(&body[1..17]),
                    reserved: array(&body[17..25]),
                    nt_response: array(&body[25..49]),
                    flags: body[49],
                    name: &body[50..],
                }
            }
            OpCode::Success => MsChapV2::Success {
                id,
                ms_length,
                message: body,
            },
            OpCode::Failure => MsChapV2::Failure {
                id,
                ms_length,
                message: body,
            },
            _ => {
                // Change-Password: the only OpCode left.
                need("EAP-MSCHAPv2 Change-Password", body, CHANGE_PASSWORD_LEN)?;
                if body.len() != CHANGE_PASSWORD_LEN {
                    return Err(DecodeError::BadLength {
                        what: "EAP-MSCHAPv2 Change-Password",
                        declared: body.len(),
                        available: CHANGE_PASSWORD_LEN,
                    });
                }
                let (encrypted_password, rest) = body.split_at(516);
                MsChapV2::ChangePassword {
                    id,
                    ms_length,
                    encrypted_password: encrypted_password.try_into().map_err(|_| {
                        DecodeError::Malformed {
                            what: "EAP-MSCHAPv2 Change-Password",
                        }
                    })?,
                    encrypted_hash: array(&rest[0..16]),
                    peer_challenge: array(&rest[16..32]),
                    reserved: array(&rest[32..40]),
                    nt_response: array(&rest[40..64]),
                    flags: u16::from_be_bytes([rest[64], rest[65]]),
                }
            }
        })
    }

    fn header(out: &mut Vec<u8>, opcode: OpCode, id: u8, ms_length: u16) {
        out.push(opcode.into());
        out.push(id);
        out.extend_from_slice(&ms_length.to_be_bytes());
    }

    /// Appends the Type-Data. MS-Length is written as stored; use [`MsChapV2::with_ms_length`]
    /// to fill in the correct value.
    pub fn emit(&self, out: &mut Vec<u8>) {
        match *self {
            MsChapV2::Challenge {
                id,
                ms_length,
                challenge,
                name,
            } => {
                Self::header(out, OpCode::Challenge, id, ms_length);
                out.push(CHALLENGE_VALUE_SIZE);
                out.extend_from_slice(&challenge);
                out.extend_from_slice(name);
            }
            MsChapV2::Response {
                id,
                ms_length,
                peer_challenge,
                reserved,
                nt_response,
                flags,
                name,
            } => {
                Self::header(out, OpCode::Response, id, ms_length);
                out.push(RESPONSE_VALUE_SIZE);
                out.extend_from_slice(&peer_challenge);
                out.extend_from_slice(&reserved);
                out.extend_from_slice(&nt_response);
                out.push(flags);
                out.extend_from_slice(name);
            }
            MsChapV2::Success {
                id,
                ms_length,
                message,
            } => {
                Self::header(out, OpCode::Success, id, ms_length);
                out.extend_from_slice(message);
            }
            MsChapV2::SuccessAck => out.push(OpCode::Success.into()),
            MsChapV2::Failure {
                id,
                ms_length,
                message,
            } => {
                Self::header(out, OpCode::Failure, id, ms_length);
                out.extend_from_slice(message);
            }
            MsChapV2::FailureAck => out.push(OpCode::Failure.into()),
            MsChapV2::ChangePassword {
                id,
                ms_length,
                encrypted_password,
                encrypted_hash,
                peer_challenge,
                reserved,
                nt_response,
                flags,
            } => {
                Self::header(out, OpCode::ChangePassword, id, ms_length);
                out.extend_from_slice(encrypted_password);
                out.extend_from_slice(&encrypted_hash);
                out.extend_from_slice(&peer_challenge);
                out.extend_from_slice(&reserved);
                out.extend_from_slice(&nt_response);
                out.extend_from_slice(&flags.to_be_bytes());
            }
            MsChapV2::Unknown { opcode, data } => {
                out.push(opcode);
                out.extend_from_slice(data);
            }
        }
    }

    /// The same packet with MS-Length set to the encoded Type-Data length (EAP Length − 5).
    pub fn with_ms_length(self) -> Self {
        let len = self.encoded_len().min(usize::from(u16::MAX)) as u16;
        let mut p = self;
        match &mut p {
            MsChapV2::Challenge { ms_length, .. }
            | MsChapV2::Response { ms_length, .. }
            | MsChapV2::Success { ms_length, .. }
            | MsChapV2::Failure { ms_length, .. }
            | MsChapV2::ChangePassword { ms_length, .. } => *ms_length = len,
            MsChapV2::SuccessAck | MsChapV2::FailureAck | MsChapV2::Unknown { .. } => {}
        }
        p
    }

    /// The encoded Type-Data length.
    pub fn encoded_len(&self) -> usize {
        match self {
            MsChapV2::Challenge { name, .. } => HEADER_LEN + 17 + name.len(),
            MsChapV2::Response { name, .. } => HEADER_LEN + 50 + name.len(),
            MsChapV2::Success { message, .. } | MsChapV2::Failure { message, .. } => {
                HEADER_LEN + message.len()
            }
            MsChapV2::SuccessAck | MsChapV2::FailureAck => 1,
            MsChapV2::ChangePassword { .. } => HEADER_LEN + CHANGE_PASSWORD_LEN,
            MsChapV2::Unknown { data, .. } => 1 + data.len(),
        }
    }

    /// The Type-Data as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.emit(&mut v);
        v
    }
}

/// The server's Success message: `S=<40 hex digits>` optionally followed by ` M=<text>`
/// ([RFC 2759 §5](https://www.rfc-editor.org/rfc/rfc2759#section-5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuccessMessage<'a> {
    /// The 20-octet authenticator response.
    pub authenticator_response: [u8; 20],
    /// The text after " M=", if present.
    pub message: Option<&'a [u8]>,
}

impl<'a> SuccessMessage<'a> {
    /// Parses a Success message; hex digits in either case.
    pub fn parse(msg: &'a [u8]) -> Result<Self, DecodeError> {
        const WHAT: DecodeError = DecodeError::Malformed {
            what: "MSCHAPv2 Success message",
        };
        let hex = msg.strip_prefix(b"S=").ok_or(WHAT)?;
        if hex.len() < 40 {
            return Err(WHAT);
        }
        let authenticator_response = hex_array::<20>(&hex[..40]).ok_or(WHAT)?;
        let rest = &hex[40..];
        let message = if rest.is_empty() {
            None
        } else {
            let trimmed = trim_start(rest);
            Some(trimmed.strip_prefix(b"M=").ok_or(WHAT)?)
        };
        Ok(SuccessMessage {
            authenticator_response,
            message,
        })
    }

    /// Appends `S=<40 uppercase hex>` and ` M=<text>` when there is a message.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"S=");
        push_hex(out, &self.authenticator_response);
        if let Some(m) = self.message {
            out.extend_from_slice(b" M=");
            out.extend_from_slice(m);
        }
    }
}

/// Windows error codes carried in `E=` ([RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6)).
pub mod error_code {
    /// ERROR_RESTRICTED_LOGON_HOURS.
    pub const RESTRICTED_LOGON_HOURS: u32 = 646;
    /// ERROR_ACCT_DISABLED.
    pub const ACCT_DISABLED: u32 = 647;
    /// ERROR_PASSWD_EXPIRED.
    pub const PASSWD_EXPIRED: u32 = 648;
    /// ERROR_NO_DIALIN_PERMISSION.
    pub const NO_DIALIN_PERMISSION: u32 = 649;
    /// ERROR_AUTHENTICATION_FAILURE.
    pub const AUTHENTICATION_FAILURE: u32 = 691;
    /// ERROR_CHANGING_PASSWORD.
    pub const CHANGING_PASSWORD: u32 = 709;
}

/// The server's Failure message: `E=eeeeeeeeee R=r C=cccccccccccccccccccccccccccccccc V=vvvvvvvvvv M=<msg>`
/// ([RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6)). Only `E=` is
/// required; fields are separated by single spaces; `M=` takes the rest of the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureMessage<'a> {
    /// E: the Windows error code (see [`error_code`]).
    pub error: u32,
    /// R: 1 if a retry is allowed.
    pub retry: bool,
    /// C: a new 16-octet authenticator challenge for a retry.
    pub challenge: Option<[u8; 16]>,
    /// V: the password-change protocol version.
    pub version: Option<u32>,
    /// M: the server's text.
    pub message: Option<&'a [u8]>,
}

impl<'a> FailureMessage<'a> {
    /// Parses a Failure message.
    pub fn parse(msg: &'a [u8]) -> Result<Self, DecodeError> {
        const WHAT: DecodeError = DecodeError::Malformed {
            what: "MSCHAPv2 Failure message",
        };
        let mut f = FailureMessage {
            error: 0,
            retry: false,
            challenge: None,
            version: None,
            message: None,
        };
        let mut have_error = false;
        let mut rest = trim_start(msg);
        while !rest.is_empty() {
            if let Some(m) = rest.strip_prefix(b"M=") {
                f.message = Some(m);
                break;
            }
            let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
            let (field, tail) = rest.split_at(end);
            rest = trim_start(tail);
            if let Some(v) = field.strip_prefix(b"E=") {
                f.error = decimal(v).ok_or(WHAT)?;
                have_error = true;
            } else if let Some(v) = field.strip_prefix(b"R=") {
                f.retry = decimal(v).ok_or(WHAT)? != 0;
            } else if let Some(v) = field.strip_prefix(b"C=") {
                f.challenge = Some(hex_array::<16>(v).ok_or(WHAT)?);
            } else if let Some(v) = field.strip_prefix(b"V=") {
                f.version = Some(decimal(v).ok_or(WHAT)?);
            }
            // Other fields are skipped: servers add their own.
        }
        if have_error { Ok(f) } else { Err(WHAT) }
    }

    /// Appends the canonical form: `E=<dec> R=<0|1>`, then ` C=<32 uppercase hex>`,
    /// ` V=<dec>`, ` M=<text>` for the fields present.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"E=");
        push_decimal(out, self.error);
        out.extend_from_slice(if self.retry { b" R=1" } else { b" R=0" });
        if let Some(c) = &self.challenge {
            out.extend_from_slice(b" C=");
            push_hex(out, c);
        }
        if let Some(v) = self.version {
            out.extend_from_slice(b" V=");
            push_decimal(out, v);
        }
        if let Some(m) = self.message {
            out.extend_from_slice(b" M=");
            out.extend_from_slice(m);
        }
    }
}

/// Length of the OpCode, MS-CHAPv2-ID and MS-Length header.
const HEADER_LEN: usize = 4;
/// Length of a Change-Password body after the header.
const CHANGE_PASSWORD_LEN: usize = 516 + 16 + 16 + 8 + 24 + 2;

fn value_size(found: u8, expected: u8) -> Result<(), DecodeError> {
    if found == expected {
        Ok(())
    } else {
        Err(DecodeError::InvalidValue {
            what: "EAP-MSCHAPv2 Value-Size",
            value: found.into(),
        })
    }
}

/// Copies a slice whose length the caller has checked.
fn array<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0; N];
    a.copy_from_slice(&s[..N]);
    a
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    &s[n..]
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Exactly `2 * N` hex digits.
fn hex_array<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let mut a = [0; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        a[i] = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
    }
    Some(a)
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

/// 1 to 10 decimal digits that fit a u32.
fn decimal(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(v)
}

fn push_decimal(out: &mut Vec<u8>, v: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn challenge_from_freeradius_shape() {
        let mut td = alloc::vec![1, 0x2a, 0, 0, 16];
        td.extend_from_slice(&[0x5b; 16]);
        td.extend_from_slice(b"freeradius");
        let p = MsChapV2::parse(&td).unwrap();
        let MsChapV2::Challenge {
            id,
            challenge,
            name,
            ..
        } = p
        else {
            panic!("not a challenge: {p:?}")
        };
        assert_eq!(
            (id, challenge, name),
            (0x2a, [0x5b; 16], &b"freeradius"[..])
        );
        let fixed = p.with_ms_length();
        assert_eq!(fixed.encoded_len(), td.len());
        let v = fixed.to_vec();
        assert_eq!(u16::from_be_bytes([v[2], v[3]]) as usize, td.len());
    }

    #[test]
    fn acks_and_errors() {
        assert_eq!(MsChapV2::parse(&[3]), Ok(MsChapV2::SuccessAck));
        assert_eq!(MsChapV2::parse(&[4]), Ok(MsChapV2::FailureAck));
        assert!(MsChapV2::parse(&[]).is_err());
        assert!(MsChapV2::parse(&[1, 0, 0]).is_err());
        assert!(matches!(
            MsChapV2::parse(&[
                1, 0, 0, 21, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            ]),
            Err(DecodeError::InvalidValue { value: 15, .. })
        ));
        assert_eq!(
            MsChapV2::parse(&[9, 1, 2]),
            Ok(MsChapV2::Unknown {
                opcode: 9,
                data: &[1, 2]
            })
        );
    }

    #[test]
    fn success_message() {
        // RFC 2759 §9.2's authenticator response.
        let s = b"S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Welcome";
        let m = SuccessMessage::parse(s).unwrap();
        assert_eq!(m.authenticator_response[..3], [0x40, 0x7a, 0x55]);
        assert_eq!(m.message, Some(&b"Welcome"[..]));
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out, s);
        let lower = SuccessMessage::parse(b"S=407a5589115fd0d6209f510fe9c04566932cda56").unwrap();
        assert_eq!(lower.authenticator_response, m.authenticator_response);
        assert_eq!(lower.message, None);
        assert!(SuccessMessage::parse(b"S=407A").is_err());
        assert!(SuccessMessage::parse(b"S=407A5589115FD0D6209F510FE9C04566932CDA5Z").is_err());
        assert!(SuccessMessage::parse(b"S=407A5589115FD0D6209F510FE9C04566932CDA56 X").is_err());
    }

    #[test]
    fn failure_message() {
        let s = b"E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=Authentication failed";
        let f = FailureMessage::parse(s).unwrap();
        assert_eq!(f.error, error_code::AUTHENTICATION_FAILURE);
        assert!(f.retry);
        assert_eq!(f.challenge.unwrap()[15], 0xff);
        assert_eq!(f.version, Some(3));
        assert_eq!(f.message, Some(&b"Authentication failed"[..]));
        let mut out = Vec::new();
        f.emit(&mut out);
        assert_eq!(out, s);
        let bare = FailureMessage::parse(b"E=648 R=0 V=3").unwrap();
        assert_eq!((bare.error, bare.retry, bare.challenge), (648, false, None));
        assert!(FailureMessage::parse(b"R=1 M=no error code").is_err());
        assert!(FailureMessage::parse(b"E=99999999999").is_err());
        assert!(FailureMessage::parse(b"E=691 C=12").is_err());
    }

    fn arb_name() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..40)
    }

    proptest! {
        #[test]
        fn round_trip(kind in 0u8..8, id in any::<u8>(), ms in any::<u16>(),
                      a in any::<[u8; 16]>(), b in any::<[u8; 24]>(), name in arb_name()) {
            let pw = [a[0]; 516];
            let p = match kind {
                0 => MsChapV2::Challenge { id, ms_length: ms, challenge: a, name: &name },
                1 => MsChapV2::Response { id, ms_length: ms, peer_challenge: a,
                    reserved: [0; 8], nt_response: b, flags: a[1], name: &name },
                2 => MsChapV2::Success { id, ms_length: ms, message: &name },
                3 => MsChapV2::Failure { id, ms_length: ms, message: &name },
                4 => MsChapV2::SuccessAck,
                5 => MsChapV2::FailureAck,
                6 => MsChapV2::ChangePassword { id, ms_length: ms, encrypted_password: &pw,
                    encrypted_hash: a, peer_challenge: a, reserved: [1; 8], nt_response: b,
                    flags: ms },
                _ => MsChapV2::Unknown { opcode: 5 + (id % 2), data: &name },
            };
            let v = p.to_vec();
            prop_assert_eq!(v.len(), p.encoded_len());
            prop_assert_eq!(MsChapV2::parse(&v).unwrap(), p);
        }

        #[test]
        fn any_bytes(buf in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(p) = MsChapV2::parse(&buf) {
                prop_assert_eq!(p.to_vec(), buf.clone());
            }
            let _ = SuccessMessage::parse(&buf);
            let _ = FailureMessage::parse(&buf);
        }

        #[test]
        fn failure_round_trip(error in any::<u32>(), retry in any::<bool>(),
                              c in proptest::option::of(any::<[u8; 16]>()),
                              v in proptest::option::of(any::<u32>()),
                              m in proptest::option::of("[ -~]{0,30}")) {
            let f = FailureMessage { error, retry, challenge: c, version: v,
                                     message: m.as_deref().map(str::as_bytes) };
            let mut out = Vec::new();
            f.emit(&mut out);
            prop_assert_eq!(FailureMessage::parse(&out).unwrap(), f);
        }
    }
}
