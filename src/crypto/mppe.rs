//! MPPE keys from MS-CHAP-V2 ([RFC 3079 §3](https://www.rfc-editor.org/rfc/rfc3079#section-3))
//! and the EAP-MSCHAPv2 MSK ([MS-CHAP] §3.1.5.1 / wpa_supplicant's convention).

use crate::secret::{Msk, NtHash, Secret};

/// `GetMasterKey` (RFC 3079 §3.4): SHA1(PasswordHashHash ‖ NT-Response ‖ Magic1)[0..16].
pub fn master_key(password_hash_hash: &NtHash, nt_response: &[u8; 24]) -> Secret<16> {
    todo!("crypto helper")
}

/// `GetAsymmetricStartKey` (RFC 3079 §3.4) for 128-bit keys: SHA1(MasterKey ‖ SHSpad1 ‖
/// Magic ‖ SHSpad2)[0..16], with Magic2 when (`is_send` and not `is_server`) or (not
/// `is_send` and `is_server`), else Magic3.
pub fn asymmetric_start_key(master_key: &Secret<16>, is_send: bool, is_server: bool) -> Secret<16> {
    todo!("crypto helper")
}

/// `GetNewKeyFromSHA` (RFC 3079 §3.4) for 128-bit keys.
pub fn new_key_from_sha(start_key: &Secret<16>, session_key: &Secret<16>) -> Secret<16> {
    todo!("crypto helper")
}

/// The EAP-MSCHAPv2 MSK as the peer and the server both compute it:
/// peer MasterSendKey ‖ peer MasterReceiveKey ‖ 32 zero octets (vector V4). Its first 32
/// octets are the PEAP ISK ([MS-PEAP] §3.1.5.5.2.2).
pub fn mschapv2_msk(password_hash: &NtHash, nt_response: &[u8; 24]) -> Msk {
    todo!("crypto helper")
}
