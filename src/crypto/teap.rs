//! TEAP key derivation and crypto-binding ([RFC 9930 §6](https://www.rfc-editor.org/rfc/rfc9930#section-6)):
//! the TLS-PRF of the tunnel's cipher suite, IMSK from an inner method's EMSK or MSK,
//! the IMCK / S-IMCK / CMK chain, the Compound MAC and the session's MSK and EMSK.
//!
//! The TLS-PRF is the TLS 1.2 one, `P_<hash>(secret, label ‖ seed)` (RFC 5246 §5), with the
//! hash of the negotiated cipher suite (SHA-256, or SHA-384 for `*_SHA384` suites), on TLS
//! 1.2 and on TLS 1.3 alike: RFC 9930 keeps this derivation for TLS 1.3 (it updates RFC 9427,
//! whose §2.3 had defined the chain through the TLS 1.3 exporter). FreeRADIUS 3.2.7 does the
//! same (its `TLS_PRF()` is OpenSSL's TLS1-PRF with the suite's handshake digest).
//!
//! RFC 9930 keeps two chains side by side, one fed by the inner methods' MSKs and one by
//! their EMSKs ([`Chain`]); the MSK and EMSK of the session come from the one whose
//! Compound MAC the last Crypto-Binding carried.

use crate::secret::Secret;
use hmac::{Hmac, KeyInit, Mac};
use zeroize::Zeroizing;

/// The hash of the TLS-PRF and of the Compound MAC: the cipher suite's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrfHash {
    /// SHA-256 (every suite not named `*_SHA384`).
    Sha256,
    /// SHA-384 (`TLS_AES_256_GCM_SHA384`, `TLS_ECDHE_*_WITH_AES_256_GCM_SHA384`, ...).
    Sha384,
}

impl PrfHash {
    /// The hash of a TLS 1.2 or 1.3 cipher suite (IANA value): SHA-384 for the `*_SHA384`
    /// suites rustls and OpenSSL speak, SHA-256 otherwise.
    pub fn of_suite(suite: u16) -> Self {
        match suite {
            // TLS_AES_256_GCM_SHA384; ECDHE_ECDSA / ECDHE_RSA / DHE_RSA / RSA AES_256_GCM_SHA384;
            // the CBC_SHA384 ones.
            0x1302 | 0xc02c | 0xc030 | 0x009f | 0x009d | 0xc024 | 0xc028 | 0x00a3 => {
                PrfHash::Sha384
            }
            _ => PrfHash::Sha256,
        }
    }
}

/// Length of the session_key_seed and of every S-IMCK.
pub const S_IMCK_LEN: usize = 40;
/// Length of a CMK.
pub const CMK_LEN: usize = 20;
/// Length of an IMSK.
pub const IMSK_LEN: usize = 32;
/// The TLS exporter label of the session_key_seed (RFC 9930 §6.1; no context).
pub const SESSION_KEY_SEED_LABEL: &[u8] = b"EXPORTER: teap session key seed";

fn p_hash<M: Mac + KeyInit + Clone>(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    let keyed = <M as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    // A(1) = HMAC(secret, label ‖ seed); A(i) = HMAC(secret, A(i-1)).
    let mut a = keyed.clone();
    a.update(label);
    a.update(seed);
    let mut a = Zeroizing::new(a.finalize().into_bytes().to_vec());
    for chunk in out.chunks_mut(a.len()) {
        let mut m = keyed.clone();
        m.update(&a);
        m.update(label);
        m.update(seed);
        let block = Zeroizing::new(m.finalize().into_bytes().to_vec());
        chunk.copy_from_slice(&block[..chunk.len()]);
        let mut next = keyed.clone();
        next.update(&a);
        a = Zeroizing::new(next.finalize().into_bytes().to_vec());
    }
}

/// TLS-PRF(secret, label, seed) of RFC 5246 §5 with `hash`, filling `out`.
pub fn tls_prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    match hash {
        PrfHash::Sha256 => p_hash::<Hmac<sha2::Sha256>>(secret, label, seed, out),
        PrfHash::Sha384 => p_hash::<Hmac<sha2::Sha384>>(secret, label, seed, out),
    }
}

/// IMSK from an inner method's EMSK: the first 32 octets of
/// TLS-PRF(EMSK, "TEAPbindkey@ietf.org", 0x00 ‖ 0x00 ‖ 0x40), RFC 5295's USRK derivation
/// (RFC 9930 §6.2).
pub fn imsk_from_emsk(hash: PrfHash, emsk: &[u8]) -> Secret<IMSK_LEN> {
    let mut out = Zeroizing::new([0u8; IMSK_LEN]);
    tls_prf(
        hash,
        emsk,
        b"TEAPbindkey@ietf.org",
        &[0, 0, 0x40],
        &mut out[..],
    );
    Secret::new(*out)
}

/// IMSK from an inner method's MSK: its first 32 octets, zero-padded (all zeros when the
/// method gave none, as Basic-Password-Auth).
pub fn imsk_from_msk(msk: &[u8]) -> Secret<IMSK_LEN> {
    let mut out = Zeroizing::new([0u8; IMSK_LEN]);
    let n = msk.len().min(IMSK_LEN);
    out[..n].copy_from_slice(&msk[..n]);
    Secret::new(*out)
}

/// One step of a chain: S-IMCK\[j\] and CMK\[j\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imck {
    /// S-IMCK\[j\]: the next step's secret, and the session keys' once last.
    pub s_imck: Secret<S_IMCK_LEN>,
    /// CMK\[j\]: the key of the Compound MAC of inner method j.
    pub cmk: Secret<CMK_LEN>,
}

/// IMCK\[j\] = first 60 octets of TLS-PRF(S-IMCK\[j-1\], "Inner Methods Compound Keys",
/// IMSK\[j\]); S-IMCK\[j\] its first 40, CMK\[j\] its last 20 (RFC 9930 §6.2).
pub fn next_imck(hash: PrfHash, s_imck: &Secret<S_IMCK_LEN>, imsk: &Secret<IMSK_LEN>) -> Imck {
    let mut out = Zeroizing::new([0u8; S_IMCK_LEN + CMK_LEN]);
    tls_prf(
        hash,
        s_imck.expose(),
        b"Inner Methods Compound Keys",
        imsk.expose(),
        &mut out[..],
    );
    let mut s = Zeroizing::new([0u8; S_IMCK_LEN]);
    s.copy_from_slice(&out[..S_IMCK_LEN]);
    let mut c = Zeroizing::new([0u8; CMK_LEN]);
    c.copy_from_slice(&out[S_IMCK_LEN..]);
    Imck {
        s_imck: Secret::new(*s),
        cmk: Secret::new(*c),
    }
}

/// Compound-MAC = the first 20 octets of HMAC-hash(CMK, BUFFER), BUFFER being the whole
/// Crypto-Binding TLV with both MAC fields zeroed, the EAP Type (55), then the server's
/// and the peer's outer TLVs of their first messages (RFC 9930 §6.3).
pub fn compound_mac(
    hash: PrfHash,
    cmk: &Secret<CMK_LEN>,
    binding_tlv_zeroed: &[u8],
    server_outer_tlvs: &[u8],
    peer_outer_tlvs: &[u8],
) -> [u8; 20] {
    fn mac<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
        let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
        for p in parts {
            m.update(p);
        }
        let full = m.finalize().into_bytes();
        let mut out = [0u8; 20];
        out.copy_from_slice(&full[..20]);
        out
    }
    let parts: [&[u8]; 4] = [
        binding_tlv_zeroed,
        &[55],
        server_outer_tlvs,
        peer_outer_tlvs,
    ];
    match hash {
        PrfHash::Sha256 => mac::<Hmac<sha2::Sha256>>(cmk.expose(), &parts),
        PrfHash::Sha384 => mac::<Hmac<sha2::Sha384>>(cmk.expose(), &parts),
    }
}

/// MSK = first 64 octets of TLS-PRF(S-IMCK\[n\], "Session Key Generating Function") and
/// EMSK = first 64 octets of TLS-PRF(S-IMCK\[n\], "Extended Session Key Generating
/// Function"), empty seed (RFC 9930 §6.4).
pub fn session_keys(hash: PrfHash, s_imck: &Secret<S_IMCK_LEN>) -> ([u8; 64], [u8; 64]) {
    let mut msk = [0u8; 64];
    let mut emsk = [0u8; 64];
    tls_prf(
        hash,
        s_imck.expose(),
        b"Session Key Generating Function",
        &[],
        &mut msk,
    );
    tls_prf(
        hash,
        s_imck.expose(),
        b"Extended Session Key Generating Function",
        &[],
        &mut emsk,
    );
    (msk, emsk)
}

/// The two chains of RFC 9930 §6.2, both starting at the session_key_seed: one fed by the
/// inner methods' MSKs (zeros for a method without keys), one by their EMSKs.
///
/// FreeRADIUS 3.2.7 (`eap_teap_derive_imck`) advances the EMSK chain only in a round whose
/// inner method exported an EMSK, and keeps each chain on its own (the MSK chain never
/// takes the EMSK chain's S-IMCK); we do the same, which is how RFC 9930 words the two
/// "independent derivations" as well.
#[derive(Debug, Clone)]
pub struct Chain {
    hash: PrfHash,
    msk: Imck,
    emsk: Option<Imck>,
    emsk_s_imck: Secret<S_IMCK_LEN>,
}

impl Chain {
    /// Both chains at S-IMCK\[0\] = session_key_seed (no CMK yet: zeros).
    pub fn new(hash: PrfHash, session_key_seed: &Secret<S_IMCK_LEN>) -> Self {
        let start = Imck {
            s_imck: session_key_seed.clone(),
            cmk: Secret::new([0; CMK_LEN]),
        };
        Chain {
            hash,
            msk: start,
            emsk: None,
            emsk_s_imck: session_key_seed.clone(),
        }
    }

    /// The hash in use.
    pub fn hash(&self) -> PrfHash {
        self.hash
    }

    /// Inner method j finished with `msk` (empty: none) and `emsk` (if it exports one):
    /// both chains advance (the EMSK one only with an EMSK).
    pub fn advance(&mut self, msk: &[u8], emsk: Option<&[u8]>) {
        self.msk = next_imck(self.hash, &self.msk.s_imck, &imsk_from_msk(msk));
        self.emsk = emsk.map(|e| {
            let step = next_imck(self.hash, &self.emsk_s_imck, &imsk_from_emsk(self.hash, e));
            self.emsk_s_imck = step.s_imck.clone();
            step
        });
    }

    /// CMK_MSK\[j\].
    pub fn msk_cmk(&self) -> &Secret<CMK_LEN> {
        &self.msk.cmk
    }

    /// CMK_EMSK\[j\], when inner method j exported an EMSK.
    pub fn emsk_cmk(&self) -> Option<&Secret<CMK_LEN>> {
        self.emsk.as_ref().map(|e| &e.cmk)
    }

    /// The session's MSK and EMSK: from S-IMCK_EMSK\[n\] when the last Crypto-Binding carried
    /// the EMSK Compound MAC (`emsk_bound`), else from S-IMCK_MSK\[n\].
    pub fn session_keys(&self, emsk_bound: bool) -> ([u8; 64], [u8; 64]) {
        match (&self.emsk, emsk_bound) {
            (Some(e), true) => session_keys(self.hash, &e.s_imck),
            _ => session_keys(self.hash, &self.msk.s_imck),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::{arr, hex};

    /// The community TLS 1.2 PRF vector (P_SHA256), as in tls_keys.
    #[test]
    fn prf_sha256_vector() {
        let mut out = [0u8; 100];
        tls_prf(
            PrfHash::Sha256,
            &hex("9B BE 43 6B A9 40 F0 17 B1 76 52 84 9A 71 DB 35"),
            b"test label",
            &hex("A0 BA 9F 93 6C DA 31 18 27 A6 F7 96 FF D5 19 8C"),
            &mut out,
        );
        assert_eq!(
            out[..16],
            arr::<16>("E3 F2 29 BA 72 7B E1 7B 8D 12 26 20 55 7C D4 53")
        );
        assert_eq!(out[96..], arr::<4>("87 34 7B 66"));
    }

    /// Our P_SHA256 and P_SHA384 equal rustls's TLS 1.2 PRFs (ring's) on TEAP's inputs.
    #[cfg(feature = "std")]
    #[test]
    fn prf_equals_rustls_for_both_hashes() {
        use rustls::SupportedCipherSuite;
        use rustls::crypto::ring::cipher_suite as cs;
        fn prf_of(suite: SupportedCipherSuite) -> &'static dyn rustls::crypto::tls12::Prf {
            match suite {
                SupportedCipherSuite::Tls12(s) => s.prf_provider,
                SupportedCipherSuite::Tls13(_) => panic!("not a TLS 1.2 suite"),
            }
        }
        for (hash, suite) in [
            (PrfHash::Sha256, cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
            (PrfHash::Sha384, cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
        ] {
            let secret = [0x5a; 40];
            let mut ours = [0u8; 60];
            let mut theirs = [0u8; 60];
            tls_prf(
                hash,
                &secret,
                b"Inner Methods Compound Keys",
                &[7; 32],
                &mut ours,
            );
            prf_of(suite).for_secret(
                &mut theirs,
                &secret,
                b"Inner Methods Compound Keys",
                &[7; 32],
            );
            assert_eq!(ours, theirs, "{hash:?}");
        }
    }

    #[test]
    fn suites_map_to_their_hash() {
        assert_eq!(PrfHash::of_suite(0x1302), PrfHash::Sha384);
        assert_eq!(PrfHash::of_suite(0xc030), PrfHash::Sha384);
        assert_eq!(PrfHash::of_suite(0x1301), PrfHash::Sha256);
        assert_eq!(PrfHash::of_suite(0x1303), PrfHash::Sha256);
        assert_eq!(PrfHash::of_suite(0xc02f), PrfHash::Sha256);
    }

    /// A prefix of a longer PRF output is the shorter output (P_hash is a stream), which
    /// is why "the first 32 octets of TLS-PRF(..., 64)" is TLS-PRF(..., 32).
    #[test]
    fn imsk_from_emsk_is_the_prefix_of_64_octets() {
        let emsk = [3u8; 64];
        let mut long = [0u8; 64];
        tls_prf(
            PrfHash::Sha256,
            &emsk,
            b"TEAPbindkey@ietf.org",
            &[0, 0, 0x40],
            &mut long,
        );
        assert_eq!(
            imsk_from_emsk(PrfHash::Sha256, &emsk).expose()[..],
            long[..32]
        );
    }

    #[test]
    fn msk_chain_and_emsk_chain() {
        let seed = Secret::new([1; 40]);
        let mut c = Chain::new(PrfHash::Sha256, &seed);
        // Machine EAP-TLS (MSK and EMSK), then user EAP-MSCHAPv2 (MSK only).
        c.advance(&[2; 64], Some(&[3; 64]));
        let first_emsk = c.emsk_cmk().cloned().unwrap();
        let want = next_imck(PrfHash::Sha256, &seed, &imsk_from_msk(&[2; 64]));
        assert_eq!(c.msk_cmk(), &want.cmk);
        c.advance(&[4; 32], None);
        assert!(c.emsk_cmk().is_none());
        let want2 = next_imck(PrfHash::Sha256, &want.s_imck, &imsk_from_msk(&[4; 32]));
        assert_eq!(c.msk_cmk(), &want2.cmk);
        assert_eq!(
            c.session_keys(false),
            session_keys(PrfHash::Sha256, &want2.s_imck)
        );
        assert_ne!(first_emsk, want.cmk);
        // A password round: IMSK of zeros.
        assert_eq!(imsk_from_msk(&[]).expose(), &[0; 32]);
    }
}
