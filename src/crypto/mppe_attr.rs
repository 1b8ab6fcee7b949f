//! MS-MPPE-Send-Key / MS-MPPE-Recv-Key attribute encryption
//! ([RFC 2548 §2.4.2, §2.4.3](https://www.rfc-editor.org/rfc/rfc2548#section-2.4.2)),
//! as a RADIUS server wraps the MSK halves in Access-Accept.
//!
//! String = Salt(2, high bit set) ‖ C(1) ‖ C(2) …; plaintext P = Key-Length(1) ‖ Key ‖
//! zero padding to a multiple of 16; b(1) = MD5(Secret ‖ Request-Authenticator ‖ Salt),
//! b(i) = MD5(Secret ‖ c(i-1)), c(i) = p(i) ⊕ b(i).

use super::LengthError;
use crate::secret::SecretVec;
use alloc::vec::Vec;
use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// The longest key the one-octet Key-Length field can describe.
pub const MAX_KEY_LEN: usize = 255;

/// The keystream block b(i): MD5(Secret ‖ previous), where `previous` is
/// Request-Authenticator ‖ Salt for the first block and c(i-1) after.
fn keystream(secret: &[u8], previous: &[&[u8]]) -> Zeroizing<[u8; 16]> {
    let mut md5 = Md5::new();
    md5.update(secret);
    for part in previous {
        md5.update(part);
    }
    Zeroizing::new(md5.finalize().into())
}

/// Encrypts `key` (at most 255 octets) for an MS-MPPE key attribute's String field.
///
/// RFC 2548 §2.4.2 requires the most significant bit of the salt to be set; it is forced
/// to 1 here, so any two random octets make a valid salt. The salt must still be unique
/// per attribute (the caller draws it from its RNG).
///
/// # Panics
///
/// If `key` is longer than [`MAX_KEY_LEN`].
pub fn encrypt(
    secret: &[u8],
    request_authenticator: &[u8; 16],
    salt: [u8; 2],
    key: &[u8],
) -> Vec<u8> {
    assert!(
        key.len() <= MAX_KEY_LEN,
        "MS-MPPE key of {} octets exceeds {MAX_KEY_LEN}",
        key.len()
    );
    let salt = [salt[0] | 0x80, salt[1]];
    let plain_len = (1 + key.len()).div_ceil(16) * 16;
    let mut out = Vec::with_capacity(2 + plain_len);
    out.extend_from_slice(&salt);
    // Plaintext P: Key-Length ‖ Key ‖ zero padding. Encrypted in place after the salt.
    out.push(key.len() as u8);
    out.extend_from_slice(key);
    out.resize(2 + plain_len, 0);

    let mut b = keystream(secret, &[&request_authenticator[..], &salt[..]]);
    for i in (2..out.len()).step_by(16) {
        if i > 2 {
            b = keystream(secret, &[&out[i - 16..i]]);
        }
        for (p, k) in out[i..i + 16].iter_mut().zip(b.iter()) {
            *p ^= k;
        }
    }
    out
}

/// Decrypts an MS-MPPE key attribute's String field, given as its Salt and its ciphertext
/// (`wire::radius::MppeKeyString` reads them off the attribute and checks the salt).
///
/// The padding octets after the key are not checked (RFC 2548 does not say a receiver
/// must); a wrong shared secret usually shows as a Key-Length that does not fit, but is
/// only detected for sure by the RADIUS Response Authenticator and Message-Authenticator.
///
/// # Errors
///
/// [`LengthError`] when the ciphertext is not a non-empty multiple of 16 octets (`len` is
/// its length, `allowed` the largest multiple of 16 it holds), or when the decrypted
/// Key-Length (`len`) exceeds the octets after it (`allowed`).
pub fn decrypt(
    secret: &[u8],
    request_authenticator: &[u8; 16],
    salt: [u8; 2],
    cipher: &[u8],
) -> Result<SecretVec, LengthError> {
    if cipher.is_empty() || cipher.len() % 16 != 0 {
        return Err(LengthError {
            what: "MS-MPPE key ciphertext",
            len: cipher.len(),
            allowed: cipher.len() / 16 * 16,
        });
    }

    let mut plain = Zeroizing::new(Vec::with_capacity(cipher.len()));
    let mut previous: [&[u8]; 2] = [request_authenticator, &salt];
    for block in cipher.chunks_exact(16) {
        let b = keystream(secret, &previous);
        plain.extend(block.iter().zip(b.iter()).map(|(c, k)| c ^ k));
        previous = [block, &[]];
    }

    let key_len = usize::from(plain[0]);
    let available = plain.len() - 1;
    if key_len > available {
        return Err(LengthError {
            what: "MS-MPPE key length",
            len: key_len,
            allowed: available,
        });
    }
    Ok(SecretVec::new(plain[1..1 + key_len].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::{arr, hex};
    use alloc::vec;
    use proptest::prelude::*;

    // V8: RFC 2548 §2.4.2, self-generated and checked with radius-rust.
    const SECRET: &[u8] = b"testing123";
    fn request_authenticator() -> [u8; 16] {
        arr("01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10")
    }
    fn v8_key() -> [u8; 32] {
        arr("17 52 D4 E5 84 A1 C8 95 03 9B 4D 05 E3 BC 9A 84 \
             84 DD C2 AA 6E 2C E1 62 76 5C 40 68 BF F6 5A 45")
    }
    const V8_STRING: &str = "80 01 05 24 8F F9 D5 25 F4 B3 CD EB 9D 57 29 28 18 88 \
         31 5F 41 B0 84 A2 76 71 D6 C0 0A 93 6B EA C0 75 64 95 4F 95 86 FF E4 D0 \
         9B 46 34 48 4C DD DB 16";

    #[test]
    fn v8_encrypt_exact_string() {
        assert_eq!(SECRET, &hex("74 65 73 74 69 6E 67 31 32 33")[..]);
        let string = encrypt(SECRET, &request_authenticator(), [0x80, 0x01], &v8_key());
        assert_eq!(string.len(), 50);
        assert_eq!(string, hex(V8_STRING));
        // As an MS-MPPE-Send-Key VSA: 1A 3A 00 00 01 37 10 34 ‖ String.
        let mut vsa = hex("1A 3A 00 00 01 37 10 34");
        vsa.extend_from_slice(&string);
        assert_eq!(vsa.len(), 0x3a);
        assert_eq!(usize::from(vsa[7]), 2 + string.len());
    }

    #[test]
    fn v8_decrypt_recovers_key() {
        let key = decrypt_string(SECRET, &request_authenticator(), &hex(V8_STRING)).unwrap();
        assert_eq!(key.expose(), &v8_key()[..]);
    }

    #[test]
    fn encrypt_forces_salt_high_bit() {
        let a = encrypt(SECRET, &request_authenticator(), [0x00, 0x01], &v8_key());
        assert_eq!(a, hex(V8_STRING));
    }

    /// Splits a String into its Salt and ciphertext (the codec's job, checked there).
    fn parts(string: &[u8]) -> ([u8; 2], &[u8]) {
        ([string[0], string[1]], &string[2..])
    }

    fn decrypt_string(
        secret: &[u8],
        ra: &[u8; 16],
        string: &[u8],
    ) -> Result<SecretVec, LengthError> {
        let (salt, cipher) = parts(string);
        decrypt(secret, ra, salt, cipher)
    }

    #[test]
    fn decrypt_rejects_malformed() {
        let ra = request_authenticator();
        let good = hex(V8_STRING);
        assert_eq!(
            decrypt_string(SECRET, &ra, &good[..49]),
            Err(LengthError {
                what: "MS-MPPE key ciphertext",
                len: 47,
                allowed: 32
            })
        );
        assert_eq!(
            decrypt_string(SECRET, &ra, &good[..2]),
            Err(LengthError {
                what: "MS-MPPE key ciphertext",
                len: 0,
                allowed: 0
            })
        );
        // Only the first block: Key-Length 32 does not fit in 15 octets.
        assert_eq!(
            decrypt_string(SECRET, &ra, &good[..18]),
            Err(LengthError {
                what: "MS-MPPE key length",
                len: 32,
                allowed: 15
            })
        );
    }

    #[test]
    fn wrong_secret_is_detected_here() {
        // With another secret the first plaintext octet is garbage; for this vector it
        // does not fit (not guaranteed in general, see `decrypt`).
        let r = decrypt_string(b"testing124", &request_authenticator(), &hex(V8_STRING));
        assert!(
            matches!(
                r,
                Err(LengthError {
                    what: "MS-MPPE key length",
                    ..
                })
            ),
            "{r:?}"
        );
    }

    #[test]
    fn lengths_and_padding() {
        let ra = request_authenticator();
        for (key_len, string_len) in [(0, 18), (15, 18), (16, 34), (31, 34), (32, 50), (255, 258)] {
            let key = vec![0xa5; key_len];
            let s = encrypt(SECRET, &ra, [0x81, 0x02], &key);
            assert_eq!(s.len(), string_len, "key of {key_len}");
            assert_eq!(decrypt_string(SECRET, &ra, &s).unwrap().expose(), &key[..]);
        }
    }

    #[test]
    #[should_panic(expected = "exceeds")]
    fn encrypt_rejects_long_key() {
        encrypt(SECRET, &request_authenticator(), [0x80, 0], &[0u8; 256]);
    }

    proptest! {
        #[test]
        fn round_trip(
            secret in proptest::collection::vec(any::<u8>(), 0..64),
            ra in any::<[u8; 16]>(),
            salt in any::<[u8; 2]>(),
            key in proptest::collection::vec(any::<u8>(), 0..=64),
        ) {
            let s = encrypt(&secret, &ra, salt, &key);
            prop_assert_eq!(s.len(), 2 + (1 + key.len()).div_ceil(16) * 16);
            prop_assert_eq!(s[0], salt[0] | 0x80);
            prop_assert_eq!(s[1], salt[1]);
            let back = decrypt_string(&secret, &ra, &s).unwrap();
            prop_assert_eq!(back.expose(), &key[..]);
        }

        #[test]
        fn decrypt_never_panics(
            secret in proptest::collection::vec(any::<u8>(), 0..32),
            ra in any::<[u8; 16]>(),
            salt in any::<[u8; 2]>(),
            cipher in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let _ = decrypt(&secret, &ra, salt, &cipher);
        }

        #[test]
        fn decrypt_well_framed_garbage_never_panics(
            secret in proptest::collection::vec(any::<u8>(), 0..32),
            ra in any::<[u8; 16]>(),
            salt in any::<[u8; 2]>(),
            blocks in proptest::collection::vec(any::<[u8; 16]>(), 1..5),
        ) {
            let mut string = vec![salt[0] | 0x80, salt[1]];
            string.extend(blocks.concat());
            match decrypt_string(&secret, &ra, &string) {
                Ok(key) => prop_assert!(key.expose().len() < string.len() - 2),
                Err(e) => {
                    let is_key_length = matches!(
                        e,
                        LengthError { what: "MS-MPPE key length", .. }
                    );
                    prop_assert!(is_key_length, "{:?}", e);
                }
            }
        }
    }
}
