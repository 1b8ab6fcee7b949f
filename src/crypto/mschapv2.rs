//! MS-CHAP-V2 ([RFC 2759 §8](https://www.rfc-editor.org/rfc/rfc2759#section-8)).
//!
//! The peer computes [`generate_nt_response`] for its Response packet and checks the
//! server's "S=" string with [`generate_authenticator_response`] and
//! [`authenticator_response_matches`]. The password hash is an [`NtHash`], so a
//! configuration may hold the hash instead of the password.

use crate::secret::{NtHash, Secret};
use des::Des;
use des::cipher::{BlockCipherEncrypt, KeyInit};
use md4::Md4;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// RFC 2759 §8.7 Magic1 (39 octets, no terminator).
const AUTH_MAGIC1: &[u8; 39] = b"Magic server to client signing constant";
/// RFC 2759 §8.7 Magic2 (41 octets, no terminator).
const AUTH_MAGIC2: &[u8; 41] = b"Pad to make it do more than one iteration";

/// `NtPasswordHash` (RFC 2759 §8.3): MD4 of the password in UTF-16LE. Characters outside
/// the Basic Multilingual Plane become surrogate pairs, as Windows does.
///
/// The password is streamed into MD4 one UTF-16 code unit at a time, so no unzeroized
/// copy of its UTF-16LE form is made. RFC 2759 limits passwords to 256 characters; that
/// limit is not enforced here (MD4 is defined for any length).
pub fn nt_password_hash(password: &str) -> NtHash {
    let mut md4 = Md4::new();
    for unit in password.encode_utf16() {
        md4.update(unit.to_le_bytes());
    }
    Secret::new(md4.finalize().into())
}

/// `HashNtPasswordHash` (RFC 2759 §8.4): MD4 of the NT hash.
pub fn hash_nt_password_hash(hash: &NtHash) -> NtHash {
    Secret::new(Md4::digest(hash.expose()).into())
}

/// The part of a user name that MS-CHAP-V2 hashes: everything after the last backslash
/// (`DOMAIN\user` → `user`), as Windows, pppd and wpa_supplicant do.
pub fn user_name_for_hash(user_name: &[u8]) -> &[u8] {
    match user_name.iter().rposition(|&b| b == b'\\') {
        Some(i) => &user_name[i + 1..],
        None => user_name,
    }
}

/// `ChallengeHash` (RFC 2759 §8.2): SHA1(PeerChallenge ‖ AuthenticatorChallenge ‖ UserName)[0..8],
/// with `user_name` reduced by [`user_name_for_hash`].
pub fn challenge_hash(
    peer_challenge: &[u8; 16],
    authenticator_challenge: &[u8; 16],
    user_name: &[u8],
) -> [u8; 8] {
    let digest = Sha1::new()
        .chain_update(peer_challenge)
        .chain_update(authenticator_challenge)
        .chain_update(user_name_for_hash(user_name))
        .finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// Expands a 7-octet key into an 8-octet DES key with odd parity in the low bit of each
/// octet (RFC 2759 §8.6 `DesEncrypt` key setup).
///
/// The 56 key bits are taken seven at a time, most significant first, into the high seven
/// bits of each output octet. DES ignores the parity bit; it is set so the keys match the
/// ones printed in RFC 2759 §9.3.
pub fn des_key_from_7(key7: &[u8; 7]) -> [u8; 8] {
    let bits = key7.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let mut out = [0u8; 8];
    for (i, octet) in out.iter_mut().enumerate() {
        // Bits 55-7i .. 49-7i of the 56-bit value, placed in the octet's high seven bits.
        let seven = ((bits >> (49 - 7 * i)) & 0x7f) as u8;
        let high = seven << 1;
        // Odd parity: the low bit makes the octet's number of one bits odd.
        *octet = high | u8::from(high.count_ones() % 2 == 0);
    }
    out
}

/// DES-ECB of one block under the key expanded from `key7` (RFC 2759 §8.6 `DesEncrypt`).
pub(crate) fn des_encrypt(block: &[u8; 8], key7: &[u8; 7]) -> [u8; 8] {
    let key = Zeroizing::new(des_key_from_7(key7));
    let cipher = Des::new(&(*key).into());
    let mut buf = (*block).into();
    cipher.encrypt_block(&mut buf);
    buf.into()
}

/// `ChallengeResponse` (RFC 2759 §8.5): three DES encryptions of `challenge` under the
/// zero-padded 21-octet hash.
pub fn challenge_response(challenge: &[u8; 8], password_hash: &NtHash) -> [u8; 24] {
    let mut z = Zeroizing::new([0u8; 21]);
    z[..16].copy_from_slice(password_hash.expose());
    let mut out = [0u8; 24];
    for (chunk, key7) in out.chunks_exact_mut(8).zip(z.chunks_exact(7)) {
        let key7: &[u8; 7] = key7.try_into().expect("chunks of 7");
        chunk.copy_from_slice(&des_encrypt(challenge, key7));
    }
    out
}

/// `GenerateNTResponse` (RFC 2759 §8.1).
pub fn generate_nt_response(
    authenticator_challenge: &[u8; 16],
    peer_challenge: &[u8; 16],
    user_name: &[u8],
    password_hash: &NtHash,
) -> [u8; 24] {
    let challenge = challenge_hash(peer_challenge, authenticator_challenge, user_name);
    challenge_response(&challenge, password_hash)
}

/// `GenerateAuthenticatorResponse` (RFC 2759 §8.7): the 20 octets behind the "S=" string.
///
/// SHA1(SHA1(PasswordHashHash ‖ NT-Response ‖ Magic1) ‖ ChallengeHash ‖ Magic2). The "S="
/// string carries these octets as 40 uppercase hexadecimal digits.
pub fn generate_authenticator_response(
    password_hash: &NtHash,
    nt_response: &[u8; 24],
    peer_challenge: &[u8; 16],
    authenticator_challenge: &[u8; 16],
    user_name: &[u8],
) -> [u8; 20] {
    let hash_hash = hash_nt_password_hash(password_hash);
    let inner: Secret<20> = Secret::new(
        Sha1::new()
            .chain_update(hash_hash.expose())
            .chain_update(nt_response)
            .chain_update(AUTH_MAGIC1)
            .finalize()
            .into(),
    );
    let challenge = challenge_hash(peer_challenge, authenticator_challenge, user_name);
    Sha1::new()
        .chain_update(inner.expose())
        .chain_update(challenge)
        .chain_update(AUTH_MAGIC2)
        .finalize()
        .into()
}

/// Compares two authenticator responses in constant time (RFC 2759 §8.8
/// `CheckAuthenticatorResponse`).
pub fn authenticator_response_matches(expected: &[u8; 20], received: &[u8; 20]) -> bool {
    expected.ct_eq(received).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::{arr, hex};
    use alloc::vec::Vec;

    // V1: RFC 2759 §9.2.
    const USER: &[u8] = b"User";
    const PASSWORD: &str = "clientPass";
    fn auth_challenge() -> [u8; 16] {
        arr("5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28")
    }
    fn peer_challenge() -> [u8; 16] {
        arr("21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E")
    }

    #[test]
    fn v1_password_is_utf16le() {
        let expected = hex("63 00 6C 00 69 00 65 00 6E 00 74 00 50 00 61 00 73 00 73 00");
        let utf16le: Vec<u8> = PASSWORD
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(utf16le, expected);
        assert_eq!(
            nt_password_hash(PASSWORD).expose()[..],
            Md4::digest(&expected)[..]
        );
    }

    #[test]
    fn v1_challenge_hash() {
        assert_eq!(USER, &hex("55 73 65 72")[..]);
        assert_eq!(
            challenge_hash(&peer_challenge(), &auth_challenge(), USER),
            arr::<8>("D0 2E 43 86 BC E9 12 26")
        );
    }

    #[test]
    fn v1_password_hash_and_hash_hash() {
        let hash = nt_password_hash(PASSWORD);
        assert_eq!(
            hash.expose(),
            &arr::<16>("44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE")
        );
        assert_eq!(
            hash_nt_password_hash(&hash).expose(),
            &arr::<16>("41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F")
        );
    }

    #[test]
    fn v1_nt_response() {
        let hash = nt_password_hash(PASSWORD);
        let expected: [u8; 24] =
            arr("82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF");
        assert_eq!(
            generate_nt_response(&auth_challenge(), &peer_challenge(), USER, &hash),
            expected
        );
        // The same through ChallengeResponse with the published ChallengeHash.
        assert_eq!(
            challenge_response(&arr("D0 2E 43 86 BC E9 12 26"), &hash),
            expected
        );
    }

    #[test]
    fn v1_des_keys_of_nt_response() {
        // Derived in test-vectors.md V1: the password hash padded to 21 octets, split in 3×7.
        let mut z = [0u8; 21];
        z[..16].copy_from_slice(nt_password_hash(PASSWORD).expose());
        let keys: Vec<[u8; 8]> = z
            .chunks_exact(7)
            .map(|c| des_key_from_7(c.try_into().unwrap()))
            .collect();
        assert_eq!(keys[0], arr::<8>("45 75 EF 51 D5 98 4A 70"));
        assert_eq!(keys[1], arr::<8>("D6 08 51 E9 40 8F D5 D3"));
        assert_eq!(keys[2], arr::<8>("89 D6 80 01 01 01 01 01"));
    }

    #[test]
    fn v1_authenticator_response() {
        let hash = nt_password_hash(PASSWORD);
        let nt = generate_nt_response(&auth_challenge(), &peer_challenge(), USER, &hash);
        let resp =
            generate_authenticator_response(&hash, &nt, &peer_challenge(), &auth_challenge(), USER);
        // "S=407A5589115FD0D6209F510FE9C04566932CDA56"
        let published: [u8; 20] = arr("407A5589115FD0D6209F510FE9C04566932CDA56");
        assert_eq!(resp, published);
        assert!(authenticator_response_matches(&resp, &published));
        let mut wrong = published;
        wrong[19] ^= 1;
        assert!(!authenticator_response_matches(&resp, &wrong));
        wrong = published;
        wrong[0] ^= 0x80;
        assert!(!authenticator_response_matches(&resp, &wrong));
    }

    #[test]
    fn v1_domain_prefix_is_not_hashed() {
        let hash = nt_password_hash(PASSWORD);
        let plain = generate_nt_response(&auth_challenge(), &peer_challenge(), USER, &hash);
        let with_domain =
            generate_nt_response(&auth_challenge(), &peer_challenge(), b"CORP\\User", &hash);
        assert_eq!(plain, with_domain);
        assert_eq!(
            generate_authenticator_response(
                &hash,
                &plain,
                &peer_challenge(),
                &auth_challenge(),
                b"CORP\\User"
            ),
            generate_authenticator_response(
                &hash,
                &plain,
                &peer_challenge(),
                &auth_challenge(),
                USER
            )
        );
    }

    #[test]
    fn user_name_for_hash_strips_domain() {
        assert_eq!(user_name_for_hash(b"DOMAIN\\user"), b"user");
        assert_eq!(user_name_for_hash(b"a\\b\\user"), b"user");
        assert_eq!(user_name_for_hash(b"user"), b"user");
        assert_eq!(user_name_for_hash(b"user@realm"), b"user@realm");
        assert_eq!(user_name_for_hash(b"DOMAIN\\"), b"");
        assert_eq!(user_name_for_hash(b""), b"");
    }

    #[test]
    fn v2_des_key_generation() {
        let hash = nt_password_hash("MyPw");
        assert_eq!(
            hash.expose(),
            &arr::<16>("FC 15 6A F7 ED CD 6C 0E DD E3 33 7D 42 7F 4E AC")
        );
        let first: [u8; 7] = hash.expose()[0..7].try_into().unwrap();
        let second: [u8; 7] = hash.expose()[7..14].try_into().unwrap();
        assert_eq!(first, arr::<7>("FC 15 6A F7 ED CD 6C"));
        assert_eq!(second, arr::<7>("0E DD E3 33 7D 42 7F"));
        assert_eq!(des_key_from_7(&first), arr::<8>("FD 0B 5B 5E 7F 6E 34 D9"));
        assert_eq!(des_key_from_7(&second), arr::<8>("0E 6E 79 67 37 EA 08 FE"));
    }

    #[test]
    fn des_keys_have_odd_parity_and_keep_bits() {
        for seed in 0u8..=255 {
            let key7 = [seed, !seed, seed.rotate_left(3), 0, 0xff, seed ^ 0x5a, 1];
            let key = des_key_from_7(&key7);
            assert!(key.iter().all(|b| b.count_ones() % 2 == 1));
            // Dropping the parity bits gives back the 56 key bits.
            let bits = key
                .iter()
                .fold(0u64, |acc, &b| (acc << 7) | u64::from(b >> 1));
            let expected = key7.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            assert_eq!(bits, expected);
        }
    }

    #[test]
    fn non_ascii_password_hashes_utf16le() {
        // Expected digests: python3 with pycryptodome 3.x,
        // `Crypto.Hash.MD4.new(p.encode('utf-16-le')).hexdigest()`.
        let cases: [(&str, &str, &str); 2] = [
            (
                "pässwörd",
                "70 00 E4 00 73 00 73 00 77 00 F6 00 72 00 64 00",
                "0553152250ac01adb4213cb9938663e4",
            ),
            (
                // U+1D11E MUSICAL SYMBOL G CLEF: the surrogate pair D834 DD1E, then "x".
                "\u{1D11E}x",
                "34 D8 1E DD 78 00",
                "a84ea47add4736e5010d91463551e4ec",
            ),
        ];
        for (password, utf16le_hex, md4_hex) in cases {
            let utf16le: Vec<u8> = password
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes())
                .collect();
            assert_eq!(utf16le, hex(utf16le_hex), "{password:?} as UTF-16LE");
            let hash = nt_password_hash(password);
            assert_eq!(hash.expose()[..], Md4::digest(&utf16le)[..]);
            assert_eq!(hash.expose()[..], hex(md4_hex)[..]);
        }
    }

    #[test]
    fn empty_password() {
        // MD4("") (RFC 1320 §A.5).
        assert_eq!(
            nt_password_hash("").expose()[..],
            hex("31d6cfe0d16ae931b73c59d7e0c089c0")[..]
        );
    }
}
