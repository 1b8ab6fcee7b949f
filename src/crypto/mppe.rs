//! MPPE keys from MS-CHAP-V2 ([RFC 3079 §3](https://www.rfc-editor.org/rfc/rfc3079#section-3))
//! and the EAP-MSCHAPv2 MSK ([MS-CHAP] §3.1.5.1 / wpa_supplicant's convention).
//!
//! Only 128-bit keys are provided: EAP uses the two 16-octet start ("master") keys and
//! nothing of MPPE's data-plane re-keying.

use crate::crypto::mschapv2::hash_nt_password_hash;
use crate::secret::{Msk, NtHash, Secret};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

/// RFC 3079 §3.4 Magic1 (27 octets).
const MAGIC1: &[u8; 27] = b"This is the MPPE Master Key";
/// RFC 3079 §3.4 Magic2 (84 octets): the client's send key, the server's receive key.
const MAGIC2: &[u8; 84] =
    b"On the client side, this is the send key; on the server side, it is the receive key.";
/// RFC 3079 §3.4 Magic3 (84 octets): the client's receive key, the server's send key.
const MAGIC3: &[u8; 84] =
    b"On the client side, this is the receive key; on the server side, it is the send key.";
/// RFC 3079 §3.4 SHSpad1.
const SHS_PAD1: [u8; 40] = [0x00; 40];
/// RFC 3079 §3.4 SHSpad2.
const SHS_PAD2: [u8; 40] = [0xf2; 40];

/// The first 16 octets of a SHA-1 digest, as a secret; the full digest is wiped.
fn sha1_16(hasher: Sha1) -> Secret<16> {
    let digest = Zeroizing::new(<[u8; 20]>::from(hasher.finalize()));
    Secret::from_slice(&digest[..16]).expect("16 of 20 octets")
}

/// `GetMasterKey` (RFC 3079 §3.4): SHA1(PasswordHashHash ‖ NT-Response ‖ Magic1)[0..16].
pub fn master_key(password_hash_hash: &NtHash, nt_response: &[u8; 24]) -> Secret<16> {
    sha1_16(
        Sha1::new()
            .chain_update(password_hash_hash.expose())
            .chain_update(nt_response)
            .chain_update(MAGIC1),
    )
}

/// `GetAsymmetricStartKey` (RFC 3079 §3.4) for 128-bit keys: SHA1(MasterKey ‖ SHSpad1 ‖
/// Magic ‖ SHSpad2)[0..16], with Magic2 when (`is_send` and not `is_server`) or (not
/// `is_send` and `is_server`), else Magic3.
///
/// So the peer's send key is the server's receive key (Magic2) and the peer's receive key
/// is the server's send key (Magic3). RFC 3079 §3.5.3's "SendStartKey128" sample is the
/// server's send key.
pub fn asymmetric_start_key(master_key: &Secret<16>, is_send: bool, is_server: bool) -> Secret<16> {
    let magic = if is_send != is_server { MAGIC2 } else { MAGIC3 };
    sha1_16(
        Sha1::new()
            .chain_update(master_key.expose())
            .chain_update(SHS_PAD1)
            .chain_update(magic)
            .chain_update(SHS_PAD2),
    )
}

/// `GetNewKeyFromSHA` (RFC 3079 §3.4) for 128-bit keys.
///
/// SHA1(StartKey ‖ SHSpad1 ‖ SessionKey ‖ SHSpad2)[0..16]. Without the RC4 step of
/// RFC 3079 §3.5 this is the MPPE initial session key only for 128-bit keys.
pub fn new_key_from_sha(start_key: &Secret<16>, session_key: &Secret<16>) -> Secret<16> {
    sha1_16(
        Sha1::new()
            .chain_update(start_key.expose())
            .chain_update(SHS_PAD1)
            .chain_update(session_key.expose())
            .chain_update(SHS_PAD2),
    )
}

/// The EAP-MSCHAPv2 MSK as the peer and the server both compute it:
/// peer MasterSendKey ‖ peer MasterReceiveKey ‖ 32 zero octets (vector V4). Its first 32
/// octets are the PEAP ISK ([MS-PEAP] §3.1.5.5.2.2).
///
/// In the server's terms ([MS-CHAP] §3.1.5.1) this is MasterReceiveKey ‖ MasterSendKey ‖
/// 32 × `00`: the peer's send key is the server's receive key.
pub fn mschapv2_msk(password_hash: &NtHash, nt_response: &[u8; 24]) -> Msk {
    let master = master_key(&hash_nt_password_hash(password_hash), nt_response);
    let send = asymmetric_start_key(&master, true, false);
    let recv = asymmetric_start_key(&master, false, false);
    let mut msk = Zeroizing::new([0u8; 64]);
    msk[..16].copy_from_slice(send.expose());
    msk[16..32].copy_from_slice(recv.expose());
    Msk::new(*msk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::mschapv2::{hash_nt_password_hash, nt_password_hash};
    use crate::crypto::test_util::arr;

    // V1/V3 inputs.
    fn nt_response() -> [u8; 24] {
        arr("82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF")
    }
    fn v3_master_key() -> Secret<16> {
        let hash_hash = hash_nt_password_hash(&nt_password_hash("clientPass"));
        master_key(&hash_hash, &nt_response())
    }
    const MAGIC3_KEY: &str = "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB";
    const MAGIC2_KEY: &str = "D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26";

    #[test]
    fn magic_lengths() {
        assert_eq!(MAGIC1.len(), 27);
        assert_eq!(MAGIC2.len(), 84);
        assert_eq!(MAGIC3.len(), 84);
    }

    #[test]
    fn v3_master_key_published() {
        assert_eq!(
            v3_master_key().expose(),
            &arr::<16>("FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31")
        );
    }

    #[test]
    fn v3_start_keys_role_table() {
        let mk = v3_master_key();
        // server MasterSendKey = peer MasterReceiveKey: Magic3 (published SendStartKey128).
        let server_send = asymmetric_start_key(&mk, true, true);
        let peer_recv = asymmetric_start_key(&mk, false, false);
        assert_eq!(server_send.expose(), &arr::<16>(MAGIC3_KEY));
        assert_eq!(peer_recv, server_send);
        // server MasterReceiveKey = peer MasterSendKey: Magic2 (derived).
        let server_recv = asymmetric_start_key(&mk, false, true);
        let peer_send = asymmetric_start_key(&mk, true, false);
        assert_eq!(server_recv.expose(), &arr::<16>(MAGIC2_KEY));
        assert_eq!(peer_send, server_recv);
    }

    #[test]
    fn v3_session_keys() {
        let mk = v3_master_key();
        let send_start = asymmetric_start_key(&mk, true, true);
        // Published SendSessionKey128.
        assert_eq!(
            new_key_from_sha(&send_start, &send_start).expose(),
            &arr::<16>("40 5C B2 24 7A 79 56 E6 E2 11 00 7A E2 7B 22 D4")
        );
        // Derived ReceiveSessionKey128 (server view).
        let recv_start = asymmetric_start_key(&mk, false, true);
        assert_eq!(
            new_key_from_sha(&recv_start, &recv_start).expose(),
            &arr::<16>("49 D1 1D 0F 0C C6 BE FB A2 A9 B4 B6 88 F9 1E EE")
        );
    }

    #[test]
    fn v4_msk_and_isk() {
        let msk = mschapv2_msk(&nt_password_hash("clientPass"), &nt_response());
        let mut expected = [0u8; 64];
        expected[..16].copy_from_slice(&arr::<16>(MAGIC2_KEY));
        expected[16..32].copy_from_slice(&arr::<16>(MAGIC3_KEY));
        assert_eq!(msk.expose(), &expected);
        // PEAP ISK = InnerMPPESendKey ‖ InnerMPPERecvKey (peer view) = MSK[0..32].
        let isk: [u8; 32] = arr("D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26 \
             8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB");
        assert_eq!(msk.expose()[..32], isk);
        assert!(msk.expose()[32..].iter().all(|&b| b == 0));
    }
}
