//! Keys of a TLS method, exported once the handshake is done: EAP-TLS style key material
//! ([RFC 5216 §2.3](https://www.rfc-editor.org/rfc/rfc5216#section-2.3), under the
//! method's own TLS 1.2 label) and the TLS 1.3
//! exporter labels of [RFC 9427 §2.1](https://www.rfc-editor.org/rfc/rfc9427#section-2.1)
//! (RFC 9190 §2.3 for EAP-TLS), with the method's Type-Code as context and first octet of
//! the Session-Id.

use crate::crypto::tls_keys::{
    KEY_MATERIAL_LEN, KeyMaterial, TLS13_KEY_LABEL, TLS13_METHOD_ID_LABEL, session_id_tls12,
    session_id_tls13,
};
use crate::event::Keys;
use crate::secret::Secret;
use crate::tls::{TlsError, TlsErrorKind, TlsFailure, TlsTunnel, TlsVersion};
use alloc::vec::Vec;
use zeroize::Zeroizing;

/// The handshake's facts as the wire showed them, set as one value when the ServerHello is
/// read: both randoms (the TLS 1.2 Session-Id, RFC 5216 §2.3) and the server's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HandshakeFacts {
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) version: TlsVersion,
    pub(crate) suite: u16,
}

/// Keys of the tunnel, exported once the handshake is done.
#[derive(Debug)]
pub(crate) struct TunnelKeys {
    pub(crate) material: KeyMaterial,
    pub(crate) session_id: Vec<u8>,
}

impl TunnelKeys {
    /// Exports the key material: TLS 1.2 the method's label (RFC 5216's "client EAP
    /// encryption"; EAP-TTLS's "ttls keying material",
    /// [RFC 5281 §8](https://www.rfc-editor.org/rfc/rfc5281#section-8)) with no context and
    /// the Session-Id from the handshake's randoms (`facts`, which the caller requires for
    /// TLS 1.2); TLS 1.3 the RFC 9427 labels with the method's Type-Code as context. Always
    /// 128 octets (a shorter TLS 1.3 export is not a prefix).
    pub(crate) fn export(
        tunnel: &dyn TlsTunnel,
        version: TlsVersion,
        facts: Option<&HandshakeFacts>,
        type_code: u8,
        tls12_label: &[u8],
    ) -> Result<Self, TlsFailure> {
        let mut km = Zeroizing::new([0u8; KEY_MATERIAL_LEN]);
        if version >= TlsVersion::TLS13 {
            tunnel.export(TLS13_KEY_LABEL, Some(&[type_code]), &mut km[..])?;
            let mut method_id = [0u8; 64];
            tunnel.export(TLS13_METHOD_ID_LABEL, Some(&[type_code]), &mut method_id)?;
            Ok(TunnelKeys {
                material: KeyMaterial(Secret::new(*km)),
                session_id: session_id_tls13(type_code, &method_id),
            })
        } else {
            let Some(facts) = facts else {
                return Err(TlsFailure::Protocol(TlsError::new(
                    TlsErrorKind::Local,
                    "the handshake's randoms were not seen on the wire: no TLS 1.2 Session-Id",
                )));
            };
            tunnel.export(tls12_label, None, &mut km[..])?;
            Ok(TunnelKeys {
                material: KeyMaterial(Secret::new(*km)),
                session_id: session_id_tls12(type_code, &facts.client_random, &facts.server_random),
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::CertificateInfo;

    /// A tunnel whose exports are all 0x11.
    struct Exporter;

    impl TlsTunnel for Exporter {
        fn receive(&mut self, _: &[u8]) -> Result<(), TlsFailure> {
            Ok(())
        }
        fn take_outgoing(&mut self, _: &mut Vec<u8>) {}
        fn is_handshaking(&self) -> bool {
            false
        }
        fn send_plaintext(&mut self, _: &[u8]) -> Result<(), TlsFailure> {
            Ok(())
        }
        fn read_plaintext(&mut self, _: &mut Vec<u8>) -> Result<(), TlsFailure> {
            Ok(())
        }
        fn export(&self, _: &[u8], _: Option<&[u8]>, out: &mut [u8]) -> Result<(), TlsFailure> {
            out.fill(0x11);
            Ok(())
        }
        fn negotiated(&self) -> Option<(TlsVersion, u16)> {
            None
        }
        fn server_certificate(&self) -> Option<(CertificateInfo, bool)> {
            None
        }
    }

    #[test]
    fn tls12_session_id_needs_the_randoms() {
        let label = b"client EAP encryption";
        let missing = TunnelKeys::export(&Exporter, TlsVersion::TLS12, None, 25, label);
        assert!(matches!(
            missing,
            Err(TlsFailure::Protocol(TlsError {
                kind: TlsErrorKind::Local,
                ..
            }))
        ));
        let facts = HandshakeFacts {
            client_random: [1; 32],
            server_random: [2; 32],
            version: TlsVersion::TLS12,
            suite: 0xc02f,
        };
        let keys =
            TunnelKeys::export(&Exporter, TlsVersion::TLS12, Some(&facts), 25, label).unwrap();
        let mut id = alloc::vec![25];
        id.extend_from_slice(&[1; 32]);
        id.extend_from_slice(&[2; 32]);
        assert_eq!(keys.session_id, id);
        // TLS 1.3 takes its Session-Id from the exporter: no randoms needed.
        let keys = TunnelKeys::export(&Exporter, TlsVersion::TLS13, None, 25, label).unwrap();
        assert_eq!(keys.session_id.len(), 65);
    }
}
