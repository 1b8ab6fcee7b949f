//! MS-CHAP-V2 ([RFC 2759 §8](https://www.rfc-editor.org/rfc/rfc2759#section-8)).

use crate::secret::NtHash;

/// `NtPasswordHash` (RFC 2759 §8.3): MD4 of the password in UTF-16LE. Characters outside
/// the Basic Multilingual Plane become surrogate pairs, as Windows does.
pub fn nt_password_hash(password: &str) -> NtHash {
    todo!("crypto helper")
}

/// `HashNtPasswordHash` (RFC 2759 §8.4): MD4 of the NT hash.
pub fn hash_nt_password_hash(hash: &NtHash) -> NtHash {
    todo!("crypto helper")
}

/// The part of a user name that MS-CHAP-V2 hashes: everything after the last backslash
/// (`DOMAIN\user` → `user`), as Windows, pppd and wpa_supplicant do.
pub fn user_name_for_hash(user_name: &[u8]) -> &[u8] {
    todo!("crypto helper")
}

/// `ChallengeHash` (RFC 2759 §8.2): SHA1(PeerChallenge ‖ AuthenticatorChallenge ‖ UserName)[0..8],
/// with `user_name` reduced by [`user_name_for_hash`].
pub fn challenge_hash(
    peer_challenge: &[u8; 16],
    authenticator_challenge: &[u8; 16],
    user_name: &[u8],
) -> [u8; 8] {
    todo!("crypto helper")
}

/// Expands a 7-octet key into an 8-octet DES key with odd parity in the low bit of each
/// octet (RFC 2759 §8.6 `DesEncrypt` key setup).
pub fn des_key_from_7(key7: &[u8; 7]) -> [u8; 8] {
    todo!("crypto helper")
}

/// `ChallengeResponse` (RFC 2759 §8.5): three DES encryptions of `challenge` under the
/// zero-padded 21-octet hash.
pub fn challenge_response(challenge: &[u8; 8], password_hash: &NtHash) -> [u8; 24] {
    todo!("crypto helper")
}

/// `GenerateNTResponse` (RFC 2759 §8.1).
pub fn generate_nt_response(
    authenticator_challenge: &[u8; 16],
    peer_challenge: &[u8; 16],
    user_name: &[u8],
    password_hash: &NtHash,
) -> [u8; 24] {
    todo!("crypto helper")
}

/// `GenerateAuthenticatorResponse` (RFC 2759 §8.7): the 20 octets behind the "S=" string.
pub fn generate_authenticator_response(
    password_hash: &NtHash,
    nt_response: &[u8; 24],
    peer_challenge: &[u8; 16],
    authenticator_challenge: &[u8; 16],
    user_name: &[u8],
) -> [u8; 20] {
    todo!("crypto helper")
}

/// Compares two authenticator responses in constant time (RFC 2759 §8.8
/// `CheckAuthenticatorResponse`).
pub fn authenticator_response_matches(expected: &[u8; 20], received: &[u8; 20]) -> bool {
    todo!("crypto helper")
}
