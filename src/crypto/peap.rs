//! PEAPv0 compound keys and cryptobinding ([MS-PEAP] §3.1.5.5).
//!
//! After the inner method, both sides derive IPMK and CMK from the tunnel's TempKey and the
//! inner method's ISK ([`compound_keys`]), exchange Crypto-Binding TLVs whose Compound MAC
//! proves they share CMK ([`compound_mac`]), and take the MSK/EMSK from the CSK ([`csk`]).

use crate::secret::Secret;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

type HmacSha1 = Hmac<Sha1>;

/// Label of the IPMK derivation (27 octets, no terminator).
pub const IPMK_LABEL: &[u8] = b"Inner Methods Compound Keys";
/// Label of the CSK derivation (32 octets: the text and a NUL).
pub const CSK_LABEL: &[u8] = b"Session Key Generating Function\0";

/// The longest PRF+ output: the counter is one octet.
pub const PRF_PLUS_MAX_LEN: usize = 255 * 20;

/// The EAP Type of PEAP (25), hashed between the binding TLV and the outer TLVs.
const PEAP_TYPE: u8 = 0x19;

fn hmac_sha1(key: &[u8]) -> HmacSha1 {
    <HmacSha1 as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// PEAP PRF+ ([MS-PEAP] §3.1.5.5.2.2): T1 = HMAC-SHA1(K, S ‖ 0x01 ‖ 0x00 0x00),
/// Tn = HMAC-SHA1(K, Tn-1 ‖ S ‖ n ‖ 0x00 0x00); fills `out` (at most 255 × 20 octets).
///
/// A shorter output is a prefix of a longer one.
///
/// # Panics
///
/// If `out` is longer than [`PRF_PLUS_MAX_LEN`] (the one-octet counter would wrap). The
/// callers in this crate ask for 60 or 128 octets.
pub fn prf_plus(key: &[u8], seed: &[u8], out: &mut [u8]) {
    assert!(
        out.len() <= PRF_PLUS_MAX_LEN,
        "PEAP PRF+ output of {} octets exceeds {PRF_PLUS_MAX_LEN}",
        out.len()
    );
    let keyed = hmac_sha1(key);
    let mut previous = Zeroizing::new([0u8; 20]);
    for (i, chunk) in out.chunks_mut(20).enumerate() {
        let n = u8::try_from(i + 1).expect("checked above");
        let mut mac = keyed.clone();
        if n > 1 {
            mac.update(&previous[..]);
        }
        mac.update(seed);
        mac.update(&[n, 0x00, 0x00]);
        *previous = mac.finalize().into_bytes().into();
        chunk.copy_from_slice(&previous[..chunk.len()]);
    }
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
///
/// [MS-PEAP] §3.1.5.5.2.2. For EAP-MSCHAPv2 the ISK is the first 32 octets of
/// [`crate::crypto::mppe::mschapv2_msk`].
pub fn compound_keys(temp_key: &[u8; 40], isk: &[u8; 32]) -> CompoundKeys {
    let mut seed = Zeroizing::new([0u8; 27 + 32]);
    seed[..IPMK_LABEL.len()].copy_from_slice(IPMK_LABEL);
    seed[IPMK_LABEL.len()..].copy_from_slice(isk);
    let mut out = Zeroizing::new([0u8; 60]);
    prf_plus(temp_key, &seed[..], &mut out[..]);
    CompoundKeys {
        ipmk: Secret::from_slice(&out[..40]).expect("60 >= 40"),
        cmk: Secret::from_slice(&out[40..]).expect("20 octets"),
    }
}

/// Fast reconnect (the TLS session was resumed and no inner method ran): IPMK ‖ CMK are the
/// first 60 octets of the tunnel key (TK, the TLS key material) themselves, with no PRF+ and
/// no ISK. This is how hostapd's server and wpa_supplicant derive them (our interop test
/// against hostapd's wired authenticator checks the Compound MAC this gives).
pub fn fast_reconnect_keys(key_material: &[u8; 128]) -> CompoundKeys {
    CompoundKeys {
        ipmk: Secret::from_slice(&key_material[..40]).expect("128 >= 40"),
        cmk: Secret::from_slice(&key_material[40..60]).expect("128 >= 60"),
    }
}

/// Compound MAC = HMAC-SHA1(CMK, Crypto-Binding TLV with the MAC zeroed ‖ 0x19 ‖ Outer TLVs)
/// ([MS-PEAP] §3.1.5.5.1). `outer_tlvs` is empty in PEAPv0.
///
/// `binding_tlv_zero_mac` is the whole 60-octet TLV (Type, Length, Reserved, Version,
/// RecvVersion, SubType, Nonce) with the 20 Compound_MAC octets set to zero. Compare a
/// received MAC with [`subtle::ConstantTimeEq`].
pub fn compound_mac(
    cmk: &Secret<20>,
    binding_tlv_zero_mac: &[u8; 60],
    outer_tlvs: &[u8],
) -> [u8; 20] {
    let mut mac = hmac_sha1(cmk.expose());
    mac.update(binding_tlv_zero_mac);
    mac.update(&[PEAP_TYPE]);
    mac.update(outer_tlvs);
    mac.finalize().into_bytes().into()
}

/// CSK = PRF+(IPMK, "Session Key Generating Function\0", 128) ([MS-PEAP] §3.1.5.7). With
/// cryptobinding, MSK = CSK[0..64] and EMSK = CSK[64..128].
///
/// The peer's MS-MPPE-Send-Key is CSK[0..32] and its Recv-Key CSK[32..64].
pub fn csk(ipmk: &Secret<40>) -> Secret<128> {
    let mut out = Zeroizing::new([0u8; 128]);
    prf_plus(ipmk.expose(), CSK_LABEL, &mut out[..]);
    Secret::new(*out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::{arr, hex};
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn label_lengths() {
        assert_eq!(IPMK_LABEL.len(), 27);
        assert_eq!(CSK_LABEL.len(), 32);
        assert_eq!(
            CSK_LABEL,
            &hex("53 65 73 73 69 6F 6E 20 4B 65 79 20 47 65 6E 65 \
                 72 61 74 69 6E 67 20 46 75 6E 63 74 69 6F 6E 00")[..]
        );
    }

    // V5: [MS-PEAP] §4.4.
    fn v5_temp_key() -> [u8; 40] {
        arr(
            "73 8B B5 F4 62 D5 8E 7E D8 44 E1 F0 0D 0E BE 50 C5 0A 20 50 \
             DE 11 99 77 10 D6 5F 45 FB 5F BA B7 E3 18 1E 92 4F 42 97 38",
        )
    }
    fn v5_isk() -> [u8; 32] {
        arr("67 3E 96 14 01 BE FB A5 60 71 7B 3B 5D DD 40 38 \
             65 67 F9 F4 16 FD 3E 9D FC 71 16 3B DF F2 FA 95")
    }
    const V5_T1: &str = "3A 91 1C 25 54 73 E8 3E 9A 0C C3 33 AE 1F 8A 35 CD C7 41 63";
    const V5_T2: &str = "E7 F6 0F 6C 65 EF 71 C2 64 42 AA AC A2 B6 F1 EB 4F 25 EC A3";
    const V5_T3: &str = "33 55 35 3B 69 20 D0 74 C7 82 E4 75 DF B0 99 9D 4D B4 67 EB";

    #[test]
    fn v5_prf_plus_t1_to_t3() {
        let mut seed = IPMK_LABEL.to_vec();
        seed.extend_from_slice(&v5_isk());
        assert_eq!(seed.len(), 59);
        let mut out = [0u8; 60];
        prf_plus(&v5_temp_key(), &seed, &mut out);
        assert_eq!(out[..20], hex(V5_T1)[..]);
        assert_eq!(out[20..40], hex(V5_T2)[..]);
        assert_eq!(out[40..], hex(V5_T3)[..]);
    }

    #[test]
    fn v5_ipmk_and_cmk() {
        let keys = compound_keys(&v5_temp_key(), &v5_isk());
        let mut ipmk = hex(V5_T1);
        ipmk.extend(hex(V5_T2));
        assert_eq!(keys.ipmk.expose()[..], ipmk[..]);
        assert_eq!(keys.cmk.expose(), &arr::<20>(V5_T3));
    }

    /// Checks a published Crypto-Binding TLV: zero its MAC, recompute, compare.
    fn check_binding_tlv(cmk: &Secret<20>, full_tlv: &[u8; 60]) {
        let mut zeroed = *full_tlv;
        zeroed[40..].fill(0);
        assert_eq!(compound_mac(cmk, &zeroed, &[]), full_tlv[40..]);
    }

    #[test]
    fn v5_compound_macs() {
        let cmk = compound_keys(&v5_temp_key(), &v5_isk()).cmk;
        // §4.4.1 server request (SubType 0).
        let request: [u8; 60] = arr("00 0C 00 38 00 00 00 00 \
             BD A7 A5 99 FA 81 65 21 AD 30 64 C2 BD DB D1 6E AA 94 9E 7D 98 A8 D7 94 \
             31 47 CF 42 5D 85 DA 7B \
             0C BF 10 5E 91 75 57 48 22 4F BB 83 00 06 26 91 1C FB 1B 0F");
        check_binding_tlv(&cmk, &request);
        assert_eq!(
            request[40..],
            hex("0C BF 10 5E 91 75 57 48 22 4F BB 83 00 06 26 91 1C FB 1B 0F")[..]
        );
        // §4.4.2.3.2.3 client response (SubType 1).
        let response: [u8; 60] = arr("00 0C 00 38 00 00 00 01 \
             6C 6B A3 87 84 23 74 57 CC C9 0B 1A 90 8C BD F4 71 1B 69 99 4D 0C FE 8D \
             3D B4 4E CB CD AD 37 E9 \
             42 E0 86 07 1D 1C 8B 8C 8E 45 8F 70 21 F0 6A 6E AB 16 B6 46");
        check_binding_tlv(&cmk, &response);
        assert_eq!(
            response[40..],
            hex("42 E0 86 07 1D 1C 8B 8C 8E 45 8F 70 21 F0 6A 6E AB 16 B6 46")[..]
        );
        // Outer TLVs, when present, are covered by the MAC.
        let mut zeroed = request;
        zeroed[40..].fill(0);
        assert_ne!(compound_mac(&cmk, &zeroed, &[0x00]), request[40..]);
    }

    #[test]
    fn v5_csk_and_mppe_keys() {
        let ipmk = compound_keys(&v5_temp_key(), &v5_isk()).ipmk;
        let csk = csk(&ipmk);
        let t: Vec<Vec<u8>> = [
            "6A 02 D7 82 20 1B C7 13 8B F8 EF F7 33 B4 96 97 0D 7C AB 30",
            "0A C9 57 72 78 E1 DD D5 AE F7 66 97 17 52 D4 E5 84 A1 C8 95",
            "03 9B 4D 05 E3 BC 9A 84 84 DD C2 AA 6E 2C E1 62 76 5C 40 68",
            "BF F6 5A 45 10 E3 05 74 85 DB 98 B7 99 D8 6E 66 76 3C 64 D4",
            "98 89 B4 DD 1B 27 3D C8 A2 CA 73 D6 0D 11 AF B2 2C 52 BA AD",
            "D3 51 E0 CB 7B B2 E7 2C 7D 93 73 85 7E 03 C1 4A 32 C8 F7 E5",
            "95 9F 46 68 0E 86 E6 5C 89 F8 80 C8 A6 DA 00 56 3A FB 19 C0",
        ]
        .iter()
        .map(|s| hex(s))
        .collect();
        let all: Vec<u8> = t.concat();
        assert_eq!(csk.expose()[..], all[..128]);
        // Also the full T7 via PRF+ directly (CSK keeps only 8 of its octets).
        let mut seven = [0u8; 140];
        prf_plus(ipmk.expose(), CSK_LABEL, &mut seven);
        assert_eq!(seven[..], all[..]);
        // server RecvKey = client SendKey = CSK[0..32]; server SendKey = client RecvKey.
        assert_eq!(
            csk.expose()[..32],
            hex("6A 02 D7 82 20 1B C7 13 8B F8 EF F7 33 B4 96 97 \
                 0D 7C AB 30 0A C9 57 72 78 E1 DD D5 AE F7 66 97")[..]
        );
        assert_eq!(
            csk.expose()[32..64],
            hex("17 52 D4 E5 84 A1 C8 95 03 9B 4D 05 E3 BC 9A 84 \
                 84 DD C2 AA 6E 2C E1 62 76 5C 40 68 BF F6 5A 45")[..]
        );
    }

    #[test]
    fn prf_plus_without_trailing_zeros_differs() {
        // test-vectors.md notes that T1 is not reproduced without the two 0x00 octets:
        // check that our PRF+ really appends them.
        let mut seed = IPMK_LABEL.to_vec();
        seed.extend_from_slice(&v5_isk());
        let mut mac = hmac_sha1(&v5_temp_key());
        mac.update(&seed);
        mac.update(&[1]);
        let t1_short: [u8; 20] = mac.finalize().into_bytes().into();
        assert_ne!(t1_short[..], hex(V5_T1)[..]);
    }

    #[test]
    fn prf_plus_limits() {
        let mut out = vec![0u8; PRF_PLUS_MAX_LEN];
        prf_plus(b"k", b"s", &mut out);
        prf_plus(b"k", b"s", &mut []);
    }

    #[test]
    #[should_panic(expected = "exceeds")]
    fn prf_plus_too_long_panics() {
        let mut out = vec![0u8; PRF_PLUS_MAX_LEN + 1];
        prf_plus(b"k", b"s", &mut out);
    }

    // V7: end-to-end PEAPv0 cryptobinding (V6b key material + V4 ISK).
    fn v7_temp_key() -> [u8; 40] {
        arr(
            "EE AA 94 6B 0A 92 39 A0 C9 55 C9 23 63 55 F8 0C 6C 3D 90 8F \
             EE 8D 4D 9F 71 2B FF C0 E9 C9 63 CF FC 8A 60 06 02 8C 74 09",
        )
    }
    fn v7_isk() -> [u8; 32] {
        arr("D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26 \
             8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB")
    }
    fn v7_binding_tlv(sub_type: u8) -> [u8; 60] {
        let mut tlv = [0u8; 60];
        tlv[..8].copy_from_slice(&[0x00, 0x0C, 0x00, 0x38, 0x00, 0x00, 0x00, sub_type]);
        for (i, b) in tlv[8..40].iter_mut().enumerate() {
            *b = i as u8 + 1; // nonce 01 02 … 20
        }
        tlv
    }

    #[test]
    fn v7_end_to_end() {
        let keys = compound_keys(&v7_temp_key(), &v7_isk());
        assert_eq!(
            keys.ipmk.expose()[..],
            hex(
                "E1 46 15 8E C1 DB 57 D8 3A 3B 18 34 D3 1E F5 05 62 30 6E E7 \
                 54 77 A1 57 01 6F 56 F3 F5 9C 2F EA A9 57 B0 7C 81 97 0F 37"
            )[..]
        );
        assert_eq!(
            keys.cmk.expose(),
            &arr::<20>("65 17 D4 D0 25 DA 53 20 17 DB C3 42 38 B9 04 64 57 9B FD 86")
        );
        assert_eq!(
            compound_mac(&keys.cmk, &v7_binding_tlv(0), &[]),
            arr::<20>("CF 3A 5D 5A 9C 24 F3 77 56 01 EF 47 47 90 31 9C 9C 52 62 EF")
        );
        assert_eq!(
            compound_mac(&keys.cmk, &v7_binding_tlv(1), &[]),
            arr::<20>("D0 AF DE 7C E3 B3 74 4E CA 13 E2 E3 D2 CC C1 0D 74 58 C7 9B")
        );
        let csk = csk(&keys.ipmk);
        assert_eq!(
            csk.expose(),
            &arr::<128>(
                "9D 81 61 D9 88 DD 26 DB C6 BA 4D 2A 34 F5 09 55 \
                 75 F0 8C 42 71 13 5B 08 40 78 FD 84 B9 65 17 9F \
                 4D 6B C3 C7 F2 59 F5 28 3D DB 52 CB CB 5F AB 73 \
                 33 04 DA 22 4A 89 C3 3F 9E D0 EC 1B E9 ED F4 43 \
                 AE 47 B8 BD F5 CB C6 65 FC 14 47 6B 8F DF A5 E6 \
                 F9 B9 C7 DB 38 EC 9E 5E A2 1B 39 A0 32 F6 F7 9A \
                 A5 76 0B 43 71 27 DF CD AD 40 CF AB EF AB D5 CC \
                 67 88 94 E8 B1 E7 F0 7C EC 9A 25 8B 5F 3F 14 5E"
            )
        );
        // peer MS-MPPE-Send-Key = CSK[0..32], Recv-Key = CSK[32..64].
        assert_eq!(
            csk.expose()[..32],
            hex("9D 81 61 D9 88 DD 26 DB C6 BA 4D 2A 34 F5 09 55 \
                 75 F0 8C 42 71 13 5B 08 40 78 FD 84 B9 65 17 9F")[..]
        );
        assert_eq!(
            csk.expose()[32..64],
            hex("4D 6B C3 C7 F2 59 F5 28 3D DB 52 CB CB 5F AB 73 \
                 33 04 DA 22 4A 89 C3 3F 9E D0 EC 1B E9 ED F4 43")[..]
        );
    }

    proptest! {
        #[test]
        fn prf_plus_shorter_is_prefix(
            key in proptest::collection::vec(any::<u8>(), 0..80),
            seed in proptest::collection::vec(any::<u8>(), 0..100),
            a in 0usize..300,
            b in 0usize..300,
        ) {
            let (short, long) = (a.min(b), a.max(b));
            let mut s = vec![0u8; short];
            let mut l = vec![0u8; long];
            prf_plus(&key, &seed, &mut s);
            prf_plus(&key, &seed, &mut l);
            prop_assert_eq!(&s[..], &l[..short]);
        }
    }
}
