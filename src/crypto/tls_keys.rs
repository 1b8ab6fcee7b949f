//! Keys from the TLS tunnel: EAP-TLS style key material ([RFC 5216 §2.3](https://www.rfc-editor.org/rfc/rfc5216#section-2.3))
//! for TLS 1.2 and the exporter labels of [RFC 9427](https://www.rfc-editor.org/rfc/rfc9427)
//! for TLS 1.3, and the PEAP Session-Id.
//!
//! The supplicant gets the key material from the TLS library's exporter; the helpers here
//! recompute it from logged secrets (tests, capture explanation) with the PRF and HKDF of a
//! rustls [`CryptoProvider`](rustls::crypto::CryptoProvider) cipher suite.

use crate::secret::{Emsk, Msk, Secret};
use alloc::vec::Vec;

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
    /// MSK = Key_Material[0..64].
    pub fn msk(&self) -> Msk {
        todo!("crypto helper")
    }

    /// EMSK = Key_Material[64..128].
    pub fn emsk(&self) -> Emsk {
        todo!("crypto helper")
    }

    /// PEAP TempKey = Key_Material[0..40] (the PRF+ key of [`crate::crypto::peap::compound_keys`]).
    pub fn temp_key(&self) -> Secret<40> {
        todo!("crypto helper")
    }
}

/// PEAP (and EAP-TLS with `type_code` 13) Session-Id for TLS ≤ 1.2: Type-Code ‖ client.random ‖
/// server.random (RFC 5216 §2.3, RFC 8940).
pub fn session_id_tls12(
    type_code: u8,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Vec<u8> {
    todo!("crypto helper")
}

/// Session-Id for TLS 1.3: Type-Code ‖ Method-Id (RFC 9427 §2.1).
pub fn session_id_tls13(type_code: u8, method_id: &[u8; 64]) -> Vec<u8> {
    todo!("crypto helper")
}

/// TLS 1.2 key material recomputed from a master secret with the suite's PRF:
/// PRF(master_secret, "client EAP encryption", client.random ‖ server.random)[0..128].
pub fn tls12_key_material(
    suite: &rustls::Tls12CipherSuite,
    master_secret: &[u8; 48],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> KeyMaterial {
    todo!("crypto helper")
}

/// TLS 1.3 exporter (RFC 8446 §7.5) recomputed from an exporter master secret with the
/// suite's hash and HKDF: HKDF-Expand-Label(Derive-Secret(secret, label, ""), "exporter",
/// Hash(context), out.len()).
pub fn tls13_export(
    suite: &rustls::Tls13CipherSuite,
    exporter_master_secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) {
    todo!("crypto helper")
}
