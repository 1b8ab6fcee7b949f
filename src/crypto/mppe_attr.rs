//! MS-MPPE-Send-Key / MS-MPPE-Recv-Key attribute encryption
//! ([RFC 2548 §2.4.2, §2.4.3](https://www.rfc-editor.org/rfc/rfc2548#section-2.4.2)),
//! as a RADIUS server wraps the MSK halves in Access-Accept.
//!
//! String = Salt(2, high bit set) ‖ C(1) ‖ C(2) …; plaintext P = Key-Length(1) ‖ Key ‖
//! zero padding to a multiple of 16; b(1) = MD5(Secret ‖ Request-Authenticator ‖ Salt),
//! b(i) = MD5(Secret ‖ c(i-1)), c(i) = p(i) ⊕ b(i).

use crate::secret::SecretVec;
use crate::wire::DecodeError;
use alloc::vec::Vec;

/// Encrypts `key` (at most 255 octets) for an MS-MPPE key attribute's String field.
pub fn encrypt(
    secret: &[u8],
    request_authenticator: &[u8; 16],
    salt: [u8; 2],
    key: &[u8],
) -> Vec<u8> {
    todo!("crypto helper")
}

/// Decrypts an MS-MPPE key attribute's String field (Salt ‖ ciphertext). Fails if the
/// ciphertext is not a non-empty multiple of 16 octets, the salt's high bit is clear, or the
/// Key-Length octet exceeds the plaintext.
pub fn decrypt(
    secret: &[u8],
    request_authenticator: &[u8; 16],
    string: &[u8],
) -> Result<SecretVec, DecodeError> {
    todo!("crypto helper")
}
