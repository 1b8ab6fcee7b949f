//! PEAPv0 compound keys and cryptobinding ([MS-PEAP] §3.1.5.5).

use crate::secret::Secret;

/// Label of the IPMK derivation (27 octets, no terminator).
pub const IPMK_LABEL: &[u8] = b"Inner Methods Compound Keys";
/// Label of the CSK derivation (32 octets: the text and a NUL).
pub const CSK_LABEL: &[u8] = b"Session Key Generating Function\0";

/// PEAP PRF+ ([MS-PEAP] §3.1.5.5.2.2): T1 = HMAC-SHA1(K, S ‖ 0x01 ‖ 0x00 0x00),
/// Tn = HMAC-SHA1(K, Tn-1 ‖ S ‖ n ‖ 0x00 0x00); fills `out` (at most 255 × 20 octets).
pub fn prf_plus(key: &[u8], seed: &[u8], out: &mut [u8]) {
    todo!("crypto helper")
}

/// IPMK and CMK of one inner method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompoundKeys {
    /// Intermediate PEAP MAC Key (40 octets).
    pub ipmk: Secret<40>,
    /// Compound MAC Key (20 octets).
    pub cmk: Secret<20>,
}

/// IPMK ‖ CMK = PRF+(TempKey, "Inner Methods Compound Keys" ‖ ISK, 60), where TempKey is the
/// first 40 octets of the TLS key material and ISK the inner method's 32-octet key (zeros
/// when the inner method exports none).
pub fn compound_keys(temp_key: &[u8; 40], isk: &[u8; 32]) -> CompoundKeys {
    todo!("crypto helper")
}

/// Compound MAC = HMAC-SHA1(CMK, Crypto-Binding TLV with the MAC zeroed ‖ 0x19 ‖ Outer TLVs)
/// ([MS-PEAP] §3.1.5.5.1). `outer_tlvs` is empty in PEAPv0.
pub fn compound_mac(
    cmk: &Secret<20>,
    binding_tlv_zero_mac: &[u8; 60],
    outer_tlvs: &[u8],
) -> [u8; 20] {
    todo!("crypto helper")
}

/// CSK = PRF+(IPMK, "Session Key Generating Function\0", 128) ([MS-PEAP] §3.1.5.7). With
/// cryptobinding, MSK = CSK[0..64] and EMSK = CSK[64..128].
pub fn csk(ipmk: &Secret<40>) -> Secret<128> {
    todo!("crypto helper")
}
