//! Keys from the TLS tunnel: EAP-TLS style key material ([RFC 5216 §2.3](https://www.rfc-editor.org/rfc/rfc5216#section-2.3))
//! for TLS 1.2 and the exporter labels of [RFC 9427](https://www.rfc-editor.org/rfc/rfc9427)
//! for TLS 1.3, and the PEAP Session-Id.
//!
//! The supplicant gets the key material from the TLS library's exporter; the helpers here
//! recompute it from logged secrets (tests, capture explanation) with the PRF and HKDF of a
//! rustls [`CryptoProvider`](rustls::crypto::CryptoProvider) cipher suite.

use super::LengthError;
use crate::secret::{Emsk, Msk, Secret};
use alloc::vec::Vec;
use rustls::crypto::tls13::OkmBlock;
use zeroize::Zeroizing;

/// TLS 1.2 exporter label (no context) for EAP-TLS and PEAPv0.
pub const TLS12_KEY_LABEL: &[u8] = b"client EAP encryption";
/// TLS 1.3 exporter label for the key material (RFC 9427 §2.1).
pub const TLS13_KEY_LABEL: &[u8] = b"EXPORTER_EAP_TLS_Key_Material";
/// TLS 1.3 exporter label for the Method-Id (RFC 9427 §2.1).
pub const TLS13_METHOD_ID_LABEL: &[u8] = b"EXPORTER_EAP_TLS_Method-Id";
/// The PEAP Type-Code (25), the TLS 1.3 exporter context and the Session-Id's first octet.
pub const PEAP_TYPE_CODE: u8 = 0x19;
/// Octets of key material always exported (a shorter TLS 1.3 export is not a prefix).
pub const KEY_MATERIAL_LEN: usize = 128;

/// The 128 octets of key material exported from the tunnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMaterial(pub Secret<128>);

impl KeyMaterial {
    /// MSK = Key_Material[0..64] (RFC 5216 §2.3, RFC 9427 §2.1).
    pub fn msk(&self) -> Msk {
        Msk::from_slice(&self.0.expose()[..64]).expect("128 >= 64")
    }

    /// EMSK = Key_Material[64..128] (RFC 5216 §2.3, RFC 9427 §2.1).
    pub fn emsk(&self) -> Emsk {
        Emsk::from_slice(&self.0.expose()[64..]).expect("64 octets")
    }

    /// PEAP TempKey = Key_Material[0..40] (the PRF+ key of [`crate::crypto::peap::compound_keys`],
    /// [MS-PEAP] §3.1.5.5.2.2).
    pub fn temp_key(&self) -> Secret<40> {
        Secret::from_slice(&self.0.expose()[..40]).expect("128 >= 40")
    }
}

/// PEAP (and EAP-TLS with `type_code` 13) Session-Id for TLS ≤ 1.2: Type-Code ‖ client.random ‖
/// server.random (RFC 5216 §2.3, RFC 8940).
pub fn session_id_tls12(
    type_code: u8,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Vec<u8> {
    let mut id = Vec::with_capacity(1 + 32 + 32);
    id.push(type_code);
    id.extend_from_slice(client_random);
    id.extend_from_slice(server_random);
    id
}

/// Session-Id for TLS 1.3: Type-Code ‖ Method-Id (RFC 9427 §2.1).
pub fn session_id_tls13(type_code: u8, method_id: &[u8; 64]) -> Vec<u8> {
    let mut id = Vec::with_capacity(1 + 64);
    id.push(type_code);
    id.extend_from_slice(method_id);
    id
}

/// TLS 1.2 key material recomputed from a master secret with the suite's PRF:
/// PRF(master_secret, "client EAP encryption", client.random ‖ server.random)[0..128].
///
/// The PRF is the suite's (RFC 5246 §5): P_SHA256 for `*_SHA256` suites, P_SHA384 for
/// `*_SHA384` suites. This equals rustls' `export_keying_material(…, b"client EAP
/// encryption", None)`.
#[cfg(feature = "tls12")]
pub fn tls12_key_material(
    suite: &rustls::Tls12CipherSuite,
    master_secret: &[u8; 48],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> KeyMaterial {
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(client_random);
    seed[32..].copy_from_slice(server_random);
    let mut out = Zeroizing::new([0u8; KEY_MATERIAL_LEN]);
    suite
        .prf_provider
        .for_secret(&mut out[..], master_secret, TLS12_KEY_LABEL, &seed);
    KeyMaterial(Secret::new(*out))
}

/// What prefixes every HKDF-Expand-Label label (RFC 8446 §7.1).
const TLS13_LABEL_PREFIX: &[u8] = b"tls13 ";

/// `HKDF-Expand-Label(Secret, Label, Context, Length)` (RFC 8446 §7.1) into `out`.
///
/// The caller has checked that the label, context and length fit their fields.
pub(crate) fn hkdf_expand_label(
    expander: &dyn rustls::crypto::tls13::HkdfExpander,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), rustls::crypto::tls13::OutputLengthError> {
    let length = u16::try_from(out.len()).map_err(|_| rustls::crypto::tls13::OutputLengthError)?;
    let label_len = (TLS13_LABEL_PREFIX.len() + label.len()) as u8;
    let context_len = context.len() as u8;
    expander.expand_slice(
        &[
            &length.to_be_bytes(),
            &[label_len],
            TLS13_LABEL_PREFIX,
            label,
            &[context_len],
            context,
        ],
        out,
    )
}

/// TLS 1.3 exporter (RFC 8446 §7.5) recomputed from an exporter master secret with the
/// suite's hash and HKDF: HKDF-Expand-Label(Derive-Secret(secret, label, ""), "exporter",
/// Hash(context), out.len()).
///
/// For EAP (RFC 9427 §2.1): Key_Material with [`TLS13_KEY_LABEL`] and Method-Id with
/// [`TLS13_METHOD_ID_LABEL`], both with the one-octet context `[type_code]`.
///
/// # Errors
///
/// [`LengthError`] when `exporter_master_secret` is not the suite's hash length
/// (a secret logged for another suite), `label` is longer than the 249 octets
/// HKDF-Expand-Label allows after its "tls13 " prefix, or `out` is longer than
/// 255 × the hash length. `out` is left untouched then.
pub fn tls13_export(
    suite: &rustls::Tls13CipherSuite,
    exporter_master_secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), LengthError> {
    let hash = suite.common.hash_provider;
    let hash_len = hash.output_len();
    if exporter_master_secret.len() != hash_len {
        return Err(LengthError {
            what: "TLS 1.3 exporter master secret",
            len: exporter_master_secret.len(),
            allowed: hash_len,
        });
    }
    let max_label = usize::from(u8::MAX) - TLS13_LABEL_PREFIX.len();
    if label.len() > max_label {
        return Err(LengthError {
            what: "TLS 1.3 exporter label",
            len: label.len(),
            allowed: max_label,
        });
    }
    let max_out = 255 * hash_len;
    if out.len() > max_out {
        return Err(LengthError {
            what: "TLS 1.3 exporter output",
            len: out.len(),
            allowed: max_out,
        });
    }

    let hkdf = suite.hkdf_provider;
    // Derive-Secret(Secret, Label, "") = HKDF-Expand-Label(Secret, Label, Hash(""), Hash.length).
    let mut derived = Zeroizing::new([0u8; OkmBlock::MAX_LEN]);
    let derived = &mut derived[..hash_len];
    hkdf_expand_label(
        hkdf.expander_for_okm(&OkmBlock::new(exporter_master_secret))
            .as_ref(),
        label,
        hash.hash(&[]).as_ref(),
        derived,
    )
    .expect("hash length fits");
    // HKDF-Expand-Label(derived, "exporter", Hash(context), L).
    hkdf_expand_label(
        hkdf.expander_for_okm(&OkmBlock::new(derived)).as_ref(),
        b"exporter",
        hash.hash(context).as_ref(),
        out,
    )
    .expect("output length checked");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::{arr, hex};

    #[test]
    fn key_material_slices() {
        let mut bytes = [0u8; 128];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = i as u8;
        }
        let km = KeyMaterial(Secret::new(bytes));
        assert_eq!(km.msk().expose()[..], bytes[..64]);
        assert_eq!(km.emsk().expose()[..], bytes[64..]);
        assert_eq!(km.temp_key().expose()[..], bytes[..40]);
    }

    #[test]
    fn session_ids() {
        let c = [0xc1; 32];
        let s = [0x5e; 32];
        let id = session_id_tls12(PEAP_TYPE_CODE, &c, &s);
        assert_eq!(id.len(), 65);
        assert_eq!(id[0], 0x19);
        assert_eq!(id[1..33], c);
        assert_eq!(id[33..], s);
        assert_eq!(session_id_tls12(13, &c, &s)[0], 0x0d);
        let m = [0x42; 64];
        let id = session_id_tls13(PEAP_TYPE_CODE, &m);
        assert_eq!(id.len(), 65);
        assert_eq!(id[0], 0x19);
        assert_eq!(id[1..], m);
    }

    #[test]
    fn label_constants() {
        assert_eq!(KEY_MATERIAL_LEN, 128);
        assert_eq!(PEAP_TYPE_CODE, 25);
        assert_eq!(TLS12_KEY_LABEL.len(), 21);
    }

    /// Tests with the ring provider's suites (the `std` feature enables rustls/ring).
    #[cfg(feature = "std")]
    mod ring_suites {
        use super::*;
        use rustls::SupportedCipherSuite;
        use rustls::crypto::ring::cipher_suite as cs;

        fn tls12(suite: SupportedCipherSuite) -> &'static rustls::Tls12CipherSuite {
            match suite {
                SupportedCipherSuite::Tls12(s) => s,
                SupportedCipherSuite::Tls13(_) => panic!("not a TLS 1.2 suite"),
            }
        }

        fn tls13(suite: SupportedCipherSuite) -> &'static rustls::Tls13CipherSuite {
            match suite {
                SupportedCipherSuite::Tls13(s) => s,
                SupportedCipherSuite::Tls12(_) => panic!("not a TLS 1.3 suite"),
            }
        }

        #[test]
        fn v6a_tls12_prf_sha256_community_vector() {
            let suite = tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
            let mut out = [0u8; 100];
            suite.prf_provider.for_secret(
                &mut out,
                &hex("9B BE 43 6B A9 40 F0 17 B1 76 52 84 9A 71 DB 35"),
                b"test label",
                &hex("A0 BA 9F 93 6C DA 31 18 27 A6 F7 96 FF D5 19 8C"),
            );
            assert_eq!(
                out,
                arr::<100>(
                    "E3 F2 29 BA 72 7B E1 7B 8D 12 26 20 55 7C D4 53 \
                     C2 AA B2 1D 07 C3 D4 95 32 9B 52 D4 E6 1E DB 5A \
                     6B 30 17 91 E9 0D 35 C9 C9 A4 6B 4E 14 BA F9 AF \
                     0F A0 22 F7 07 7D EF 17 AB FD 37 97 C0 56 4B AB \
                     4F BC 91 66 6E 9D EF 9B 97 FC E3 4F 79 67 89 BA \
                     A4 80 82 D1 22 EE 42 C5 A7 2E 5A 51 10 FF F7 01 \
                     87 34 7B 66"
                )
            );
        }

        // V6b: K1, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.
        fn k1() -> ([u8; 48], [u8; 32], [u8; 32]) {
            (
                arr("EA 18 46 58 7B 61 D1 1E 5C E3 E4 D7 C8 BB BF 5E \
                     C1 8C E2 4F 26 D5 8D 5C F0 DA F9 05 D1 92 35 07 \
                     01 B8 24 58 C6 C3 5D 9D EB 22 15 89 E6 3F 7C CF"),
                arr("7C 9D 0A 31 92 81 00 97 BB 21 FF DA E0 D4 79 C4 \
                     EF 0A 2C 50 E9 0A 19 06 6F 5B B4 2F 1D B9 62 0A"),
                arr("91 CF 7E 4D 5A A5 4B E7 88 33 43 6A 16 AF 54 4E \
                     65 1F E1 2D 1C D9 01 5D 87 1C 3E 76 45 BC 39 32"),
            )
        }
        const K1_KEY_MATERIAL: &str = "EE AA 94 6B 0A 92 39 A0 C9 55 C9 23 63 55 F8 0C \
             6C 3D 90 8F EE 8D 4D 9F 71 2B FF C0 E9 C9 63 CF \
             FC 8A 60 06 02 8C 74 09 C7 A7 DB A8 09 67 81 3D \
             FF B9 37 25 95 9F F3 21 63 DB 91 EB 1C 91 B2 DA \
             49 36 B1 95 4C 5B 2B 58 A7 8F A1 B6 8F 0D 33 07 \
             35 21 81 12 0B CF EF 39 8B 8C 4F 76 D1 D8 ED CC \
             8F 00 C1 05 A2 32 06 2B 0F 43 40 2B 1B 86 9E C9 \
             B8 79 51 D7 83 68 9B 0A E9 6B CE B9 79 3E 31 EB";

        #[test]
        fn v6b_tls12_key_material_sha256() {
            let (ms, cr, sr) = k1();
            let suite = tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
            let km = tls12_key_material(suite, &ms, &cr, &sr);
            let expected: [u8; 128] = arr(K1_KEY_MATERIAL);
            assert_eq!(km.0.expose(), &expected);
            assert_eq!(km.msk().expose()[..], expected[..64]);
            assert_eq!(km.emsk().expose()[..], expected[64..]);
            assert_eq!(km.temp_key().expose()[..], expected[..40]);
            let id = session_id_tls12(PEAP_TYPE_CODE, &cr, &sr);
            assert_eq!(id[0], 0x19);
            assert_eq!(id[1..33], cr);
            assert_eq!(id[33..], sr);
        }

        #[test]
        fn v7_temp_key_from_k1_feeds_cryptobinding() {
            // V7 starts from V6b's TK: the IPMK/CMK below are V7's published values.
            let (ms, cr, sr) = k1();
            let km = tls12_key_material(
                tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
                &ms,
                &cr,
                &sr,
            );
            let isk: [u8; 32] = arr("D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26 \
                 8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB");
            let keys = crate::crypto::peap::compound_keys(km.temp_key().expose(), &isk);
            assert_eq!(
                keys.cmk.expose(),
                &arr::<20>("65 17 D4 D0 25 DA 53 20 17 DB C3 42 38 B9 04 64 57 9B FD 86")
            );
            // Fast reconnect: IPMK = TK[0..40], CMK = TK[40..60].
            assert_eq!(
                km.0.expose()[40..60],
                hex("C7 A7 DB A8 09 67 81 3D FF B9 37 25 95 9F F3 21 63 DB 91 EB")[..]
            );
        }

        // V6c: K2, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.
        fn k2() -> ([u8; 48], [u8; 32], [u8; 32]) {
            (
                arr("62 C7 22 7B CF 70 89 89 6D 09 FD 88 BC 2C FD 8F \
                     3B C4 4C C5 42 91 B3 96 96 DE D9 9B B0 58 F0 95 \
                     21 FA BB 3B 6E A1 EB 87 32 E9 28 97 9D CE 90 D3"),
                arr("37 A8 CD E0 D2 6C 05 AB B8 BA A3 0C 11 36 0B 32 \
                     3B C9 44 64 39 40 EE DB 40 C7 C0 C7 F5 92 91 AD"),
                arr("6F 16 99 22 0F 9D 3F CB BF FE AB 1B E3 42 D8 41 \
                     BD 3D D8 7B AE 7A 26 60 36 8D 23 93 15 D9 D9 73"),
            )
        }
        const K2_KEY_MATERIAL: &str = "A7 93 2A 78 E5 56 D1 19 E9 66 68 D9 3B D7 9B 38 \
             0B A4 B7 10 C3 5D 49 AE 47 9C EA F8 45 38 19 72 \
             A2 B4 A4 FE 89 76 DB C7 72 61 B2 7F 22 55 B1 FC \
             5A 48 FB CE A8 83 39 3C 60 4C 82 DD F2 8D 24 D8 \
             7E F7 5B A0 19 45 E5 94 EA E8 4C D6 B9 EB 7A A8 \
             50 47 AB A9 2A A6 2A 55 AD 82 46 69 C5 31 CF 2D \
             3A 46 0D 4A 9A D6 3F 12 C2 B9 47 87 19 5D 2A FF \
             CC B5 17 7B 4E 73 D1 69 6C BB F7 02 D6 EF 47 6D";

        #[test]
        fn v6c_tls12_key_material_sha384() {
            let (ms, cr, sr) = k2();
            let expected: [u8; 128] = arr(K2_KEY_MATERIAL);
            let km = tls12_key_material(
                tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
                &ms,
                &cr,
                &sr,
            );
            assert_eq!(km.0.expose(), &expected);
            // Negative: the SHA-256 PRF over the same inputs gives something else.
            let wrong = tls12_key_material(
                tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
                &ms,
                &cr,
                &sr,
            );
            assert_ne!(wrong.0.expose(), &expected);
            assert_ne!(wrong.0.expose()[..16], expected[..16]);
        }

        // V6d: K3, TLS13_AES_256_GCM_SHA384.
        fn k3_secret() -> [u8; 48] {
            arr("DB 67 74 88 6F 73 56 70 55 3D FA 66 D2 A5 69 5B \
                 5E 63 2E 77 4D A4 F7 39 01 D2 17 1F 12 40 96 BB \
                 A1 44 AE A6 AD 91 A2 C6 23 D4 4A EB 32 DF 7E E8")
        }

        #[test]
        fn v6d_tls13_key_material_and_method_id() {
            let suite = tls13(cs::TLS13_AES_256_GCM_SHA384);
            let mut km = [0u8; 128];
            tls13_export(
                suite,
                &k3_secret(),
                TLS13_KEY_LABEL,
                &[PEAP_TYPE_CODE],
                &mut km,
            )
            .unwrap();
            assert_eq!(
                km,
                arr::<128>(
                    "82 31 05 6C 23 55 25 6A 37 2A 75 7A 9B 6B A4 2B \
                     16 19 BF 60 A9 31 46 CD C5 2F F7 0F ED FD C5 10 \
                     A7 23 48 BD D1 49 B7 F6 5B A3 6C 18 9A 4E A3 D5 \
                     50 28 D5 98 E7 CF B4 22 3A BD 48 90 56 5A 2A B8 \
                     C2 F9 3E FD 37 00 68 D7 C9 78 B7 BB 16 1F 3F 00 \
                     A5 F1 05 E4 70 51 19 C9 88 97 83 3C 84 F5 E9 62 \
                     3F 11 91 AD 9A 4A C6 83 AC 9C C1 FC AC 66 B6 BC \
                     1C 31 AB 76 99 C8 DE 9D 63 E9 C0 06 CE A6 56 47"
                )
            );
            let km = KeyMaterial(Secret::new(km));
            assert_eq!(
                km.msk().expose()[..16],
                hex("82 31 05 6C 23 55 25 6A 37 2A 75 7A 9B 6B A4 2B")[..]
            );
            assert_eq!(
                km.emsk().expose()[..16],
                hex("C2 F9 3E FD 37 00 68 D7 C9 78 B7 BB 16 1F 3F 00")[..]
            );

            let mut method_id = [0u8; 64];
            tls13_export(
                suite,
                &k3_secret(),
                TLS13_METHOD_ID_LABEL,
                &[PEAP_TYPE_CODE],
                &mut method_id,
            )
            .unwrap();
            let expected: [u8; 64] = arr("52 A0 4E FC DE CE 32 6A 64 B7 5B 71 00 6E 06 E1 \
                 F1 A0 77 88 25 68 11 EE 12 D9 CF 8F 65 42 DE 8C \
                 14 A1 3B 24 FD 29 11 88 F5 24 AC DB 5D 3A 49 E9 \
                 70 14 7B 05 39 24 05 71 2A BC 43 5B 30 CF F8 BB");
            assert_eq!(method_id, expected);
            let id = session_id_tls13(PEAP_TYPE_CODE, &method_id);
            assert_eq!(id[0], 0x19);
            assert_eq!(id[1..], expected);
        }

        #[test]
        fn tls13_short_export_is_not_a_prefix() {
            let suite = tls13(cs::TLS13_AES_256_GCM_SHA384);
            let mut long = [0u8; 128];
            let mut short = [0u8; 64];
            tls13_export(suite, &k3_secret(), TLS13_KEY_LABEL, &[0x19], &mut long).unwrap();
            tls13_export(suite, &k3_secret(), TLS13_KEY_LABEL, &[0x19], &mut short).unwrap();
            assert_ne!(long[..64], short);
        }

        #[test]
        fn tls13_export_rejects_bad_lengths() {
            let suite = tls13(cs::TLS13_AES_256_GCM_SHA384);
            let mut out = [0u8; 16];
            // A SHA-256 sized secret for a SHA-384 suite.
            assert_eq!(
                tls13_export(suite, &[0u8; 32], TLS13_KEY_LABEL, &[], &mut out),
                Err(LengthError {
                    what: "TLS 1.3 exporter master secret",
                    len: 32,
                    allowed: 48,
                })
            );
            assert_eq!(
                tls13_export(suite, &k3_secret(), &[b'a'; 250], &[], &mut out),
                Err(LengthError {
                    what: "TLS 1.3 exporter label",
                    len: 250,
                    allowed: 249,
                })
            );
            tls13_export(suite, &k3_secret(), &[b'a'; 249], &[], &mut out).unwrap();
            let mut big = alloc::vec![0u8; 255 * 48 + 1];
            assert_eq!(
                tls13_export(suite, &k3_secret(), b"x", &[], &mut big),
                Err(LengthError {
                    what: "TLS 1.3 exporter output",
                    len: 255 * 48 + 1,
                    allowed: 255 * 48,
                })
            );
            assert!(big.iter().all(|&b| b == 0));
            big.pop();
            tls13_export(suite, &k3_secret(), b"x", &[], &mut big).unwrap();
            // SHA-256 suite with a 32-octet secret works.
            let sha256 = tls13(cs::TLS13_AES_128_GCM_SHA256);
            tls13_export(sha256, &[7u8; 32], TLS13_KEY_LABEL, &[0x19], &mut out).unwrap();
        }
    }
}
