//! MS-CHAP-V2 password change ([RFC 2759 §8.9–§8.13](https://www.rfc-editor.org/rfc/rfc2759#section-8.9)):
//! the two encrypted fields of the Change-Password packet
//! ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)).
//!
//! - Encrypted-Password (516 octets) = [`new_password_encrypted_with_old_nt_password_hash`]:
//!   the new password in UTF-16LE at the end of 512 octets of random padding, then its
//!   length in octets (4, little-endian), all RC4-encrypted under the old NT hash;
//! - Encrypted-Hash (16 octets) = [`old_nt_password_hash_encrypted_with_new_nt_password_hash`]:
//!   the old NT hash DES-encrypted in two halves under keys from the new NT hash.
//!
//! The random padding is the caller's (sans-IO: the methods draw it from the configured
//! provider), so the computations are pure and testable.

use super::LengthError;
use super::mschapv2::des_encrypt;
use super::rc4::Rc4;
use crate::secret::NtHash;
use zeroize::Zeroizing;

/// Octets of password in a PWBLOCK: 256 UTF-16 code units.
pub const PW_BLOCK_PASSWORD_LEN: usize = 512;
/// A PWBLOCK: the password area and its 4-octet length.
pub const PW_BLOCK_LEN: usize = PW_BLOCK_PASSWORD_LEN + 4;
/// The longest password a PWBLOCK holds, in UTF-16 code units (RFC 2759's
/// "0-to-256-unicode-char").
pub const MAX_PASSWORD_UNITS: usize = PW_BLOCK_PASSWORD_LEN / 2;

/// True if `password` fits a PWBLOCK (at most [`MAX_PASSWORD_UNITS`] UTF-16 code units).
pub fn fits_pw_block(password: &str) -> bool {
    password.encode_utf16().count() <= MAX_PASSWORD_UNITS
}

/// `EncryptPwBlockWithPasswordHash` (RFC 2759 §8.10): `password` (UTF-16LE) at the end of
/// `pad`'s 512 octets, its octet length after it (little-endian), RC4 under `hash`.
///
/// Errors if the password is longer than [`MAX_PASSWORD_UNITS`] UTF-16 code units.
pub fn encrypt_pw_block_with_password_hash(
    password: &str,
    hash: &NtHash,
    pad: &[u8; PW_BLOCK_PASSWORD_LEN],
) -> Result<Zeroizing<[u8; PW_BLOCK_LEN]>, LengthError> {
    let units = password.encode_utf16().count();
    if units > MAX_PASSWORD_UNITS {
        return Err(LengthError {
            what: "new password (UTF-16 code units)",
            len: units,
            allowed: MAX_PASSWORD_UNITS,
        });
    }
    let mut block = Zeroizing::new([0u8; PW_BLOCK_LEN]);
    block[..PW_BLOCK_PASSWORD_LEN].copy_from_slice(pad);
    let len = 2 * units;
    let start = PW_BLOCK_PASSWORD_LEN - len;
    for (k, unit) in password.encode_utf16().enumerate() {
        block[start + 2 * k..start + 2 * k + 2].copy_from_slice(&unit.to_le_bytes());
    }
    block[PW_BLOCK_PASSWORD_LEN..].copy_from_slice(&(len as u32).to_le_bytes());
    let Some(mut rc4) = Rc4::new(hash.expose()) else {
        unreachable!("a 16-octet key is always accepted");
    };
    rc4.apply(&mut block[..]);
    Ok(block)
}

/// `NewPasswordEncryptedWithOldNtPasswordHash` (RFC 2759 §8.9): the Encrypted-Password
/// field. Takes the old NT hash (not the old password), so a configuration holding only
/// the hash can change its password too.
pub fn new_password_encrypted_with_old_nt_password_hash(
    new_password: &str,
    old_hash: &NtHash,
    pad: &[u8; PW_BLOCK_PASSWORD_LEN],
) -> Result<Zeroizing<[u8; PW_BLOCK_LEN]>, LengthError> {
    encrypt_pw_block_with_password_hash(new_password, old_hash, pad)
}

/// `NtPasswordHashEncryptedWithBlock` (RFC 2759 §8.13): `hash`'s two halves DES-encrypted
/// under keys from `block`'s octets 0..7 and 7..14.
pub fn nt_password_hash_encrypted_with_block(hash: &NtHash, block: &NtHash) -> [u8; 16] {
    let (h, k) = (hash.expose(), block.expose());
    let mut out = [0u8; 16];
    for (half, (clear, key7)) in [(&h[..8], &k[..7]), (&h[8..], &k[7..14])]
        .into_iter()
        .enumerate()
    {
        let clear: &[u8; 8] = clear.try_into().expect("8 octets");
        let key7: &[u8; 7] = key7.try_into().expect("7 octets");
        out[8 * half..8 * half + 8].copy_from_slice(&des_encrypt(clear, key7));
    }
    out
}

/// `OldNtPasswordHashEncryptedWithNewNtPasswordHash` (RFC 2759 §8.12): the Encrypted-Hash
/// field.
pub fn old_nt_password_hash_encrypted_with_new_nt_password_hash(
    old_hash: &NtHash,
    new_hash: &NtHash,
) -> [u8; 16] {
    nt_password_hash_encrypted_with_block(old_hash, new_hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::mschapv2::nt_password_hash;
    use crate::crypto::test_util::{arr, hex};

    // RFC 2759 prints no Change-Password example. These are derived: RFC 2759 §9.2's
    // password "clientPass" (its NT hash published there) as the old password, "MyPw"
    // (§9.3, NT hash printed there) as the new one, and a pad of 512 × 0x00. The
    // expected octets were computed outside this crate with the OpenSSL 3.0 command line:
    // `openssl enc -rc4 -K <old hash>` over the clear block, `openssl enc -des-ecb
    // -nopad -K <key>` for the two halves.
    const OLD: &str = "clientPass";
    const NEW: &str = "MyPw";

    #[test]
    fn the_published_hashes() {
        assert_eq!(
            nt_password_hash(OLD).expose(),
            &arr::<16>("44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE")
        );
        assert_eq!(
            nt_password_hash(NEW).expose(),
            &arr::<16>("FC 15 6A F7 ED CD 6C 0E DD E3 33 7D 42 7F 4E AC")
        );
    }

    #[test]
    fn the_clear_block_layout() {
        // RC4 twice under the same key is the identity: decrypt and read the layout.
        let old = nt_password_hash(OLD);
        let pad = [0xA5; PW_BLOCK_PASSWORD_LEN];
        let mut block = *new_password_encrypted_with_old_nt_password_hash(NEW, &old, &pad).unwrap();
        Rc4::new(old.expose()).unwrap().apply(&mut block);
        assert!(block[..504].iter().all(|&b| b == 0xA5));
        assert_eq!(block[504..512], hex("4D 00 79 00 50 00 77 00")[..]);
        assert_eq!(block[512..], [8, 0, 0, 0]);
    }

    #[test]
    fn derived_encrypted_password() {
        let old = nt_password_hash(OLD);
        let block = new_password_encrypted_with_old_nt_password_hash(NEW, &old, &[0; 512]).unwrap();
        assert_eq!(block[504..], hex(ENCRYPTED_PASSWORD_TAIL)[..]);
        assert_eq!(block[..16], hex(ENCRYPTED_PASSWORD_HEAD)[..]);
    }

    #[test]
    fn derived_encrypted_hash() {
        let old = nt_password_hash(OLD);
        let new = nt_password_hash(NEW);
        assert_eq!(
            old_nt_password_hash_encrypted_with_new_nt_password_hash(&old, &new),
            arr::<16>(ENCRYPTED_HASH)
        );
    }

    #[test]
    fn the_length_limit() {
        let old = nt_password_hash(OLD);
        let longest: alloc::string::String = "x".repeat(256);
        assert!(fits_pw_block(&longest));
        assert!(encrypt_pw_block_with_password_hash(&longest, &old, &[0; 512]).is_ok());
        let too_long = "x".repeat(257);
        assert!(!fits_pw_block(&too_long));
        assert_eq!(
            encrypt_pw_block_with_password_hash(&too_long, &old, &[0; 512]).unwrap_err(),
            LengthError {
                what: "new password (UTF-16 code units)",
                len: 257,
                allowed: 256
            }
        );
        // 128 characters outside the BMP are 256 code units: they fit; one more does not.
        assert!(fits_pw_block(&"😀".repeat(128)));
        assert!(!fits_pw_block(&"😀".repeat(129)));
    }

    /// Encrypted-Password octets 0..16 (derived).
    const ENCRYPTED_PASSWORD_HEAD: &str = "92 E2 CB EF B3 F9 F0 14 28 0C FB 88 60 31 37 E0";
    /// Encrypted-Password octets 504..516: the encrypted "MyPw" and its length (derived).
    const ENCRYPTED_PASSWORD_TAIL: &str = "44 18 B6 7F D1 45 8C 58 BA 34 3A 7C";
    /// Encrypted-Hash (derived): the halves under RFC 2759 §9.3's published parity-corrected
    /// keys `FD 0B 5B 5E 7F 6E 34 D9` and `0E 6E 79 67 37 EA 08 FE`.
    const ENCRYPTED_HASH: &str = "6F 69 BB E9 31 1F D3 67 14 E3 80 E6 28 55 26 1D";
}
