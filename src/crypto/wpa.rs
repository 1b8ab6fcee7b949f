//! WPA/WPA2 key hierarchy for the 4-way handshake (IEEE 802.11-2020 §12.7.1): the PMK
//! from a passphrase (PBKDF2-HMAC-SHA1, Annex J.4), the PRF (§12.7.1.2, Annex J.3), the
//! pairwise transient key and the EAPOL-Key MIC of key descriptor versions 1 (HMAC-MD5),
//! 2 (HMAC-SHA1-128) and 3 (AES-128-CMAC). Pure, `no_std`: what a firmware 4-way handshake
//! needs, and what `capture::explain` uses to check a key against a captured handshake.
//!
//! For an 802.1X network the PMK is the first 32 octets of the MSK (§12.7.1.3).

use crate::secret::Secret;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::Sha1;
use zeroize::Zeroizing;

/// A pairwise master key, 256 bits.
pub type Pmk = Secret<32>;

/// Why a passphrase cannot make a PMK (IEEE 802.11-2020 Annex J.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PassphraseError {
    /// A passphrase is 8 to 63 printable ASCII characters.
    #[error("a WPA passphrase is 8 to 63 printable ASCII characters")]
    Passphrase,
    /// An SSID is 0 to 32 octets.
    #[error("an SSID is at most 32 octets")]
    Ssid,
}

/// The PMK of a WPA-PSK passphrase: PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 256 bits).
pub fn pmk_from_passphrase(passphrase: &str, ssid: &[u8]) -> Result<Pmk, PassphraseError> {
    if !(8..=63).contains(&passphrase.len()) || !passphrase.bytes().all(|b| (32..=126).contains(&b))
    {
        return Err(PassphraseError::Passphrase);
    }
    if ssid.len() > 32 {
        return Err(PassphraseError::Ssid);
    }
    let mut pmk = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha1>(passphrase.as_bytes(), ssid, 4096, &mut pmk[..]);
    Ok(Secret::new(*pmk))
}

/// PRF-n (IEEE 802.11-2020 §12.7.1.2): HMAC-SHA1(K, A || 0 || B || i) for i = 0, 1, ...,
/// concatenated and cut to `out.len()` octets.
pub fn prf_sha1(key: &[u8], label: &[u8], data: &[u8], out: &mut [u8]) {
    for (i, chunk) in out.chunks_mut(20).enumerate() {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
        mac.update(label);
        mac.update(&[0]);
        mac.update(data);
        mac.update(&[i as u8]);
        let block = Zeroizing::new(<[u8; 20]>::from(mac.finalize().into_bytes()));
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

/// A pairwise transient key of a CCMP or TKIP pairwise cipher (384 or 512 bits): KCK,
/// KEK and TK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ptk {
    /// Key Confirmation Key: keys the EAPOL-Key MIC.
    pub kck: Secret<16>,
    /// Key Encryption Key: wraps the Key Data.
    pub kek: Secret<16>,
    /// Temporal Key: 16 octets for CCMP-128, 32 for TKIP (the last 16 are its MIC keys).
    pub tk: Secret<32>,
    /// Octets of `tk` in use (16 or 32).
    pub tk_len: usize,
}

/// The PTK (IEEE 802.11-2020 §12.7.1.3): PRF-X(PMK, "Pairwise key expansion",
/// Min(AA, SPA) || Max(AA, SPA) || Min(ANonce, SNonce) || Max(ANonce, SNonce)), with
/// X = 384 for a 16-octet TK (CCMP) and 512 for TKIP (`tk_len` 32).
pub fn ptk(
    pmk: &[u8],
    aa: &[u8; 6],
    spa: &[u8; 6],
    anonce: &[u8; 32],
    snonce: &[u8; 32],
    tk_len: usize,
) -> Ptk {
    let tk_len = if tk_len > 16 { 32 } else { 16 };
    let mut data = [0u8; 76];
    let (lo, hi) = if aa <= spa { (aa, spa) } else { (spa, aa) };
    data[..6].copy_from_slice(lo);
    data[6..12].copy_from_slice(hi);
    let (lo, hi) = if anonce <= snonce {
        (anonce, snonce)
    } else {
        (snonce, anonce)
    };
    data[12..44].copy_from_slice(lo);
    data[44..].copy_from_slice(hi);
    let mut out = Zeroizing::new([0u8; 64]);
    prf_sha1(
        pmk,
        b"Pairwise key expansion",
        &data,
        &mut out[..32 + tk_len],
    );
    let mut tk = [0u8; 32];
    tk[..tk_len].copy_from_slice(&out[32..32 + tk_len]);
    Ptk {
        kck: Secret::from_slice(&out[..16]).expect("16 octets"),
        kek: Secret::from_slice(&out[16..32]).expect("16 octets"),
        tk: Secret::new(tk),
        tk_len,
    }
}

/// The PTK of the SHA-256 AKMs (5, 6; IEEE 802.11-2020 §12.7.1.7.2): KDF-SHA-256-X(PMK,
/// "Pairwise key expansion", the same context as [`ptk`]), where the KDF's i-th block is
/// HMAC-SHA-256(K, i (16 bits LE, from 1) || label || context || X (16 bits LE)).
pub fn ptk_sha256(
    pmk: &[u8],
    aa: &[u8; 6],
    spa: &[u8; 6],
    anonce: &[u8; 32],
    snonce: &[u8; 32],
) -> Ptk {
    let mut context = [0u8; 76];
    let (lo, hi) = if aa <= spa { (aa, spa) } else { (spa, aa) };
    context[..6].copy_from_slice(lo);
    context[6..12].copy_from_slice(hi);
    let (lo, hi) = if anonce <= snonce {
        (anonce, snonce)
    } else {
        (snonce, anonce)
    };
    context[12..44].copy_from_slice(lo);
    context[44..].copy_from_slice(hi);
    let mut out = Zeroizing::new([0u8; 64]);
    kdf_sha256(pmk, b"Pairwise key expansion", &context, &mut out[..48]);
    let mut tk = [0u8; 32];
    tk[..16].copy_from_slice(&out[32..48]);
    Ptk {
        kck: Secret::from_slice(&out[..16]).expect("16 octets"),
        kek: Secret::from_slice(&out[16..32]).expect("16 octets"),
        tk: Secret::new(tk),
        tk_len: 16,
    }
}

/// KDF-SHA-256 (IEEE 802.11-2020 §12.7.1.7.2), `out.len()` octets (at most 8191).
pub fn kdf_sha256(key: &[u8], label: &[u8], context: &[u8], out: &mut [u8]) {
    let bits = (out.len() * 8) as u16;
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        let mut mac =
            <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
        mac.update(&((i + 1) as u16).to_le_bytes());
        mac.update(label);
        mac.update(context);
        mac.update(&bits.to_le_bytes());
        let block = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

/// The EAPOL-Key MIC algorithm, by Key Descriptor Version (IEEE 802.11-2020 §12.7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicAlgorithm {
    /// Version 1: HMAC-MD5 (WPA with TKIP).
    HmacMd5,
    /// Version 2: HMAC-SHA1, first 128 bits (WPA2 with CCMP, AKM 1 and 2).
    HmacSha1,
    /// Version 3: AES-128-CMAC (AKMs 3 to 6, SHA-256 key derivation).
    AesCmac,
}

impl MicAlgorithm {
    /// The algorithm of a Key Descriptor Version (the low 3 bits of Key Information).
    pub fn from_version(version: u8) -> Option<MicAlgorithm> {
        match version {
            1 => Some(MicAlgorithm::HmacMd5),
            2 => Some(MicAlgorithm::HmacSha1),
            3 => Some(MicAlgorithm::AesCmac),
            _ => None,
        }
    }
}

/// The 16-octet MIC of `frame` (a whole EAPOL frame, header included, with its MIC field
/// zeroed) under `kck`.
pub fn eapol_key_mic(alg: MicAlgorithm, kck: &[u8; 16], frame: &[u8]) -> [u8; 16] {
    let mut mic = [0u8; 16];
    match alg {
        MicAlgorithm::HmacMd5 => {
            let mut m = <Hmac<Md5> as KeyInit>::new_from_slice(kck).expect("any key");
            m.update(frame);
            mic.copy_from_slice(&m.finalize().into_bytes());
        }
        MicAlgorithm::HmacSha1 => {
            let mut m = <Hmac<Sha1> as KeyInit>::new_from_slice(kck).expect("any key");
            m.update(frame);
            mic.copy_from_slice(&m.finalize().into_bytes()[..16]);
        }
        MicAlgorithm::AesCmac => {
            let mut m =
                <cmac::Cmac<aes::Aes128> as cmac::KeyInit>::new_from_slice(kck).expect("16 octets");
            cmac::Mac::update(&mut m, frame);
            mic.copy_from_slice(&cmac::Mac::finalize(m).into_bytes());
        }
    }
    mic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::{arr, hex};
    use alloc::vec::Vec;

    #[test]
    fn pbkdf2_hmac_sha1_rfc6070() {
        for (rounds, want) in [
            (1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
            (2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
            (4096, "4b007901b765489abead49d926f721d065a429c1"),
        ] {
            let mut out = [0u8; 20];
            pbkdf2::pbkdf2_hmac::<Sha1>(b"password", b"salt", rounds, &mut out);
            assert_eq!(out.to_vec(), hex(want), "{rounds} rounds");
        }
    }

    #[test]
    fn passphrase_to_pmk_annex_j4() {
        for (pass, ssid, want) in [
            (
                "password",
                "IEEE",
                "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e",
            ),
            (
                "ThisIsAPassword",
                "ThisIsASSID",
                "0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af",
            ),
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
                "becb93866bb8c3832cb777c2f559807c8c59afcb6eae734885001300a981cc62",
            ),
        ] {
            let pmk = pmk_from_passphrase(pass, ssid.as_bytes()).unwrap();
            assert_eq!(pmk.expose(), &arr::<32>(want), "{pass}/{ssid}");
        }
        assert_eq!(
            pmk_from_passphrase("short", b"x"),
            Err(PassphraseError::Passphrase)
        );
        assert_eq!(
            pmk_from_passphrase("long enough", &[0; 33]),
            Err(PassphraseError::Ssid)
        );
    }

    #[test]
    fn prf_annex_j3() {
        let mut out = [0u8; 64];
        prf_sha1(&[0x0b; 20], b"prefix", b"Hi There", &mut out);
        assert_eq!(
            out.to_vec(),
            hex(
                "bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606e17d8da35402ffee
                 75df78c3d31e0f889f012120c0862beb67753e7439ae242edb8373698356cf5a"
            )
        );
        let mut out = [0u8; 64];
        prf_sha1(
            b"Jefe",
            b"prefix-2",
            b"what do ya want for nothing?",
            &mut out,
        );
        assert_eq!(
            out.to_vec(),
            hex(
                "47c4908e30c947521ad20be9053450ecbea23d3aa604b77326d8b3825ff7475c
                 06f51fb9c5313d1e9f90d897d134b72e090fc23150bc8414382043418678e700"
            )
        );
    }

    #[test]
    fn ptk_is_symmetric_in_its_inputs() {
        let (a, s) = ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
        let (an, sn) = ([1; 32], [9; 32]);
        let p = ptk(&[7; 32], &a, &s, &an, &sn, 16);
        assert_eq!(p, ptk(&[7; 32], &s, &a, &sn, &an, 16));
        assert_eq!(p.tk_len, 16);
        assert_eq!(&p.tk.expose()[16..], &[0; 16]);
        // KCK is the first 16 octets of the PRF output over the sorted inputs.
        let mut data = Vec::new();
        data.extend_from_slice(&a);
        data.extend_from_slice(&s);
        data.extend_from_slice(&an);
        data.extend_from_slice(&sn);
        let mut out = [0u8; 48];
        prf_sha1(&[7; 32], b"Pairwise key expansion", &data, &mut out);
        assert_eq!(p.kck.expose()[..], out[..16]);
        assert_eq!(p.kek.expose()[..], out[16..32]);
        assert_eq!(p.tk.expose()[..16], out[32..]);
    }

    #[test]
    fn mic_algorithms_on_published_vectors() {
        // RFC 2202 §2 test case 1 (HMAC-MD5, 16-octet key).
        assert_eq!(
            eapol_key_mic(MicAlgorithm::HmacMd5, &[0x0b; 16], b"Hi There").to_vec(),
            hex("9294727a3638bb1c13f48ef8158bfc9d")
        );
        // RFC 2202 §3's vectors use 20-octet keys and a KCK has 16: HMAC-SHA1 with the key
        // 0xaa x 16 over 0xdd x 50, cut to 128 bits, as computed by Python's hmac module.
        assert_eq!(
            eapol_key_mic(MicAlgorithm::HmacSha1, &[0xaa; 16], &[0xdd; 50]).to_vec(),
            hex(HMAC_SHA1_AA16_DD50)
        );
        // RFC 4493 §4 examples 1 and 2.
        let k = arr::<16>("2b7e151628aed2a6abf7158809cf4f3c");
        assert_eq!(
            eapol_key_mic(MicAlgorithm::AesCmac, &k, &[]).to_vec(),
            hex("bb1d6929e95937287fa37d129b756746")
        );
        assert_eq!(
            eapol_key_mic(
                MicAlgorithm::AesCmac,
                &k,
                &hex("6bc1bee22e409f96e93d7e117393172a")
            )
            .to_vec(),
            hex("070a16b46b4d4144f79bdd9dd04a287c")
        );
        assert_eq!(MicAlgorithm::from_version(0), None);
        assert_eq!(MicAlgorithm::from_version(3), Some(MicAlgorithm::AesCmac));
    }

    #[test]
    fn kdf_sha256_matches_an_independent_hmac() {
        // Computed with Python's hmac and hashlib from the definition in §12.7.1.7.2.
        let mut out = [0u8; 48];
        kdf_sha256(&[7; 32], b"Pairwise key expansion", &[1; 76], &mut out);
        assert_eq!(out.to_vec(), hex(KDF_SHA256_VECTOR));
        let p = ptk_sha256(&[7; 32], &[1; 6], &[1; 6], &[1; 32], &[1; 32]);
        assert_eq!(p.kck.expose()[..], out[..16]);
    }

    const HMAC_SHA1_AA16_DD50: &str = "d730594d167e35d5956fd8003d0db3d3";
    const KDF_SHA256_VECTOR: &str = "92af5ec75aa6678c7db361e6f1d095466155d9e16e05254dad7e4dacafc9f68bd045a19a4d6acb826b9ae3a6fb4c7500";
}
