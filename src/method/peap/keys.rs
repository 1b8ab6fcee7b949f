//! PEAPv0 keys: TLS key material at tunnel-up, and the cryptobinding check and CSK
//! ([MS-PEAP] §3.1.5.5 – §3.1.5.7; RFC 9427 for TLS 1.3).

use crate::crypto::peap::{compound_keys, compound_mac, csk};
use crate::crypto::tls_keys::{
    KEY_MATERIAL_LEN, KeyMaterial, PEAP_TYPE_CODE, TLS12_KEY_LABEL, TLS13_KEY_LABEL,
    TLS13_METHOD_ID_LABEL, session_id_tls12, session_id_tls13,
};
use crate::diagnosis::CryptoBindingError;
use crate::event::Keys;
use crate::secret::{Emsk, Msk, Secret};
use crate::tls::{TlsFailure, TlsTunnel, TlsVersion};
use crate::wire::tlv::{CryptoBinding, CryptoBindingSubType};
use alloc::vec::Vec;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Keys of the tunnel, exported once the handshake is done.
#[derive(Debug)]
pub(crate) struct TunnelKeys {
    pub(crate) material: KeyMaterial,
    pub(crate) session_id: Vec<u8>,
}

impl TunnelKeys {
    /// Exports the key material: TLS 1.2 "client EAP encryption" with no context; TLS 1.3
    /// the RFC 9427 labels with the PEAP Type-Code as context. Always 128 octets (a shorter
    /// TLS 1.3 export is not a prefix).
    pub(crate) fn export(
        tunnel: &dyn TlsTunnel,
        version: TlsVersion,
        client_random: Option<[u8; 32]>,
        server_random: Option<[u8; 32]>,
    ) -> Result<Self, TlsFailure> {
        let mut km = Zeroizing::new([0u8; KEY_MATERIAL_LEN]);
        if version >= TlsVersion::TLS13 {
            tunnel.export(TLS13_KEY_LABEL, Some(&[PEAP_TYPE_CODE]), &mut km[..])?;
            let mut method_id = [0u8; 64];
            tunnel.export(
                TLS13_METHOD_ID_LABEL,
                Some(&[PEAP_TYPE_CODE]),
                &mut method_id,
            )?;
            Ok(TunnelKeys {
                material: KeyMaterial(Secret::new(*km)),
                session_id: session_id_tls13(PEAP_TYPE_CODE, &method_id),
            })
        } else {
            tunnel.export(TLS12_KEY_LABEL, None, &mut km[..])?;
            let session_id = match (client_random, server_random) {
                (Some(c), Some(s)) => session_id_tls12(PEAP_TYPE_CODE, &c, &s),
                _ => Vec::new(),
            };
            Ok(TunnelKeys {
                material: KeyMaterial(Secret::new(*km)),
                session_id,
            })
        }
    }

    /// Keys without cryptobinding: MSK and EMSK from the TLS key material.
    pub(crate) fn plain_keys(&self) -> Keys {
        Keys {
            msk: self.material.msk(),
            emsk: self.material.emsk(),
            session_id: self.session_id.clone(),
            from_cryptobinding: false,
        }
    }

    /// Verifies the server's Crypto-Binding TLV (as received, with its M bit) with the inner
    /// method's ISK; on success returns our Binding Response TLV and the keys from the CSK.
    pub(crate) fn bind(
        &self,
        request: &CryptoBinding,
        request_mandatory: bool,
        isk: &[u8; 32],
    ) -> Result<([u8; 60], Keys), CryptoBindingError> {
        if request.version != 0 {
            return Err(CryptoBindingError::Version(request.version));
        }
        if request.received_version != 0 {
            return Err(CryptoBindingError::ReceivedVersion(
                request.received_version,
            ));
        }
        if request.subtype != CryptoBindingSubType::Request {
            return Err(CryptoBindingError::SubType(request.subtype.into()));
        }
        let keys = compound_keys(self.material.temp_key().expose(), isk);
        let mac = compound_mac(&keys.cmk, &request.to_tlv_for_mac(request_mandatory), &[]);
        if !bool::from(mac.ct_eq(&request.compound_mac)) {
            return Err(CryptoBindingError::BadMac);
        }
        let mut response = CryptoBinding {
            reserved: 0,
            version: 0,
            received_version: 0,
            subtype: CryptoBindingSubType::Response,
            nonce: request.nonce,
            compound_mac: [0; 20],
        };
        response.compound_mac = compound_mac(&keys.cmk, &response.to_tlv_for_mac(true), &[]);
        let csk = csk(&keys.ipmk);
        let msk = Msk::from_slice(&csk.expose()[..64]).expect("CSK is 128 octets");
        let emsk = Emsk::from_slice(&csk.expose()[64..]).expect("CSK is 128 octets");
        Ok((
            response.to_tlv(true),
            Keys {
                msk,
                emsk,
                session_id: self.session_id.clone(),
                from_cryptobinding: true,
            },
        ))
    }
}
