//! EAP-MSCHAPv2 packets (draft-kamath-pppext-eap-mschapv2-02 §2; [RFC 2759](https://www.rfc-editor.org/rfc/rfc2759)
//! for the MS-CHAP-V2 fields) and the Success / Failure message strings.
//!
//! Type-Data layout: `OpCode(1) MS-CHAPv2-ID(1) MS-Length(2) ...`, where MS-Length is the
//! EAP Length minus 5. The peer's Success and Failure acknowledgements are the OpCode alone.
//! MS-Length is kept as received: servers are known to get it wrong, and the method layer
//! decides whether that matters.

use super::{DecodeError, wire_enum};
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
    /// Server's Success request: the message "S=<40 hex> M=<text>".
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
        todo!("wire helper")
    }

    /// Appends the Type-Data. MS-Length is written as stored; use [`MsChapV2::with_ms_length`]
    /// to fill in the correct value.
    pub fn emit(&self, out: &mut Vec<u8>) {
        todo!("wire helper")
    }

    /// The same packet with MS-Length set to the encoded Type-Data length (EAP Length − 5).
    pub fn with_ms_length(self) -> Self {
        todo!("wire helper")
    }

    /// The encoded Type-Data length.
    pub fn encoded_len(&self) -> usize {
        todo!("wire helper")
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
        todo!("wire helper")
    }

    /// Appends "S=<40 uppercase hex>" and " M=<text>" when there is a message.
    pub fn emit(&self, out: &mut Vec<u8>) {
        todo!("wire helper")
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
        todo!("wire helper")
    }

    /// Appends the canonical form: `E=<dec> R=<0|1>`, then ` C=<32 uppercase hex>`,
    /// ` V=<dec>`, ` M=<text>` for the fields present.
    pub fn emit(&self, out: &mut Vec<u8>) {
        todo!("wire helper")
    }
}
