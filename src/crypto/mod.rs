//! Pure key and response computations, each checked against published vectors
//! (see the tests beside each function and `../shared/test-vectors.md`).
//!
//! - [`mschapv2`]: MS-CHAP-V2 ([RFC 2759](https://www.rfc-editor.org/rfc/rfc2759)).
//! - [`mppe`]: MPPE master and start keys ([RFC 3079](https://www.rfc-editor.org/rfc/rfc3079)) and
//!   the EAP-MSCHAPv2 MSK.
//! - [`password_change`]: the MS-CHAP-V2 Change-Password fields ([RFC 2759 §8.9–§8.13](https://www.rfc-editor.org/rfc/rfc2759#section-8.9)),
//!   over [`rc4`].
//! - [`peap`]: PEAP PRF+, IPMK/CMK, CSK, Compound MAC ([MS-PEAP] §3.1.5.5).
//! - [`teap`]: TEAP's TLS-PRF, IMSK / S-IMCK / CMK chains, Compound MAC, MSK and EMSK
//!   ([RFC 9930 §6](https://www.rfc-editor.org/rfc/rfc9930#section-6)).
//! - [`tls_keys`]: MSK/EMSK/Session-Id from TLS key material (RFC 5216, RFC 9427).
//! - [`mppe_attr`]: MS-MPPE-Send/Recv-Key attribute encryption ([RFC 2548 §2.4.2](https://www.rfc-editor.org/rfc/rfc2548#section-2.4.2)).
//! - [`wpa`]: the WPA 4-way handshake keys: PMK from a passphrase, PRF, PTK, EAPOL-Key MICs (IEEE 802.11-2020 §12.7).

pub mod mppe;
pub mod mppe_attr;
pub mod mschapv2;
pub mod password_change;
pub mod peap;
pub mod radius;
pub mod rc4;
pub mod teap;
pub mod tls_keys;
pub mod wpa;

/// An input whose length a computation cannot take: `what` names it, `len` is its length
/// and `allowed` the length (or the largest length) the computation takes. The callers
/// decode what comes from the network first (`wire`); this is what is left for the
/// computation itself to refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {len} octets where {allowed} are allowed")]
pub struct LengthError {
    /// The input.
    pub what: &'static str,
    /// Its length.
    pub len: usize,
    /// The length allowed (exact or at most, as the input's documentation says).
    pub allowed: usize,
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Hex helpers for the vector tests.
    use alloc::vec::Vec;

    /// Parses hex digits, ignoring whitespace.
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        assert!(digits.len() % 2 == 0, "odd hex length");
        digits
            .chunks(2)
            .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    /// Parses hex digits into an array of exactly `N` octets.
    pub(crate) fn arr<const N: usize>(s: &str) -> [u8; N] {
        hex(s).try_into().expect("hex length")
    }
}
