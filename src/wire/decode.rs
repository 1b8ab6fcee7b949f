//! Why a received buffer could not be decoded: what every codec here returns, and the
//! detail of a malformed packet in a diagnosis
//! ([`DroppedPacket::Malformed`](crate::diagnosis::DroppedPacket::Malformed),
//! [`ProtocolViolation`](crate::diagnosis::ProtocolViolation)), whose module re-exports it.

/// Why a buffer could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The buffer ends before a fixed-size field does.
    #[error("{what}: truncated: need {need} octets, have {have}")]
    Truncated {
        /// The structure being decoded.
        what: &'static str,
        /// Octets needed.
        need: usize,
        /// Octets available.
        have: usize,
    },
    /// A length field disagrees with the buffer or with the structure's rules.
    #[error("{what}: length {declared} does not fit (available or allowed: {available})")]
    BadLength {
        /// The structure being decoded.
        what: &'static str,
        /// The length the packet declares.
        declared: usize,
        /// The length available or allowed.
        available: usize,
    },
    /// A field holds a value the structure forbids.
    #[error("{what}: invalid value {value:#x}")]
    InvalidValue {
        /// The field.
        what: &'static str,
        /// The value found.
        value: u32,
    },
    /// Text that does not follow its grammar (e.g. an MSCHAPv2 Success or Failure message).
    #[error("{what}: malformed")]
    Malformed {
        /// The structure being decoded.
        what: &'static str,
    },
}
