//! PEAPv0 cryptobinding ([MS-PEAP] §3.1.5.5 – §3.1.5.7): the Crypto-Binding TLV check and
//! the CSK, on the tunnel's keys.

use crate::crypto::peap::{compound_keys, compound_mac, csk, fast_reconnect_keys};
use crate::crypto::tls_keys::KeyMaterial;
use crate::diagnosis::CryptoBindingError;
use crate::event::Keys;
use crate::method::tls_core::keys::TunnelKeys;
use crate::wire::tlv::{CryptoBinding, CryptoBindingSubType};
use subtle::ConstantTimeEq;

impl TunnelKeys {
    /// Verifies the server's Crypto-Binding TLV (as received, with its M bit) with the inner
    /// method's ISK (`None`: fast reconnect, no inner method, [`fast_reconnect_keys`]); on
    /// success returns our Binding Response TLV and the keys from the CSK.
    pub(crate) fn bind(
        &self,
        request: &CryptoBinding,
        request_mandatory: bool,
        isk: Option<&[u8; 32]>,
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
        let keys = match isk {
            Some(isk) => compound_keys(self.material.temp_key().expose(), isk),
            None => fast_reconnect_keys(self.material.0.expose()),
        };
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
        // MSK and EMSK are the CSK's two halves, split as TLS key material is.
        let csk = KeyMaterial(csk(&keys.ipmk));
        Ok((
            response.to_tlv(true),
            Keys {
                msk: csk.msk(),
                emsk: csk.emsk(),
                session_id: self.session_id.clone(),
                from_cryptobinding: true,
            },
        ))
    }
}
