//! Reading certificates and keys for a configuration: PEM or DER, from buffers or files,
//! with errors that name the input (a file with no certificate is said to be one, not
//! taken for a missing CA).

use super::ConfigError;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// True if `bytes` look like PEM (a `-----BEGIN` line somewhere).
fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"-----BEGIN")
}

/// The certificates of `bytes`: the `CERTIFICATE` blocks of PEM, or `bytes` as one DER
/// certificate (an ASN.1 SEQUENCE; parsed in full where it is used). `input` names the
/// source in errors.
pub(super) fn certificates(
    bytes: &[u8],
    input: &str,
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    if is_pem(bytes) {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| ConfigError::ClientCertificate {
                reason: alloc::format!("{input}: {e}"),
            })?;
        if certs.is_empty() {
            return Err(ConfigError::NoCertificateIn {
                input: String::from(input),
            });
        }
        return Ok(certs);
    }
    // DER: a SEQUENCE with a long-form length, as every certificate is.
    if bytes.len() > 4 && bytes[0] == 0x30 && bytes[1] & 0x80 != 0 {
        return Ok(vec![CertificateDer::from(bytes.to_vec())]);
    }
    Err(ConfigError::NoCertificateIn {
        input: String::from(input),
    })
}

/// The private key of `bytes`: PEM (PKCS#8, PKCS#1 or SEC1) or DER.
pub(super) fn private_key(bytes: &[u8]) -> Result<PrivateKeyDer<'static>, ConfigError> {
    let key = if is_pem(bytes) {
        PrivateKeyDer::from_pem_slice(bytes).map_err(|e| alloc::format!("private key PEM: {e}"))
    } else {
        PrivateKeyDer::try_from(bytes.to_vec()).map_err(|e| alloc::format!("private key DER: {e}"))
    };
    key.map_err(|reason| ConfigError::ClientCertificate { reason })
}

/// The contents of a file, or [`ConfigError::CaFile`] naming it.
#[cfg(feature = "std")]
pub(super) fn read(path: &std::path::Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| ConfigError::CaFile {
        path: path.to_path_buf(),
        source: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn pem_der_and_neither() {
        let pem = include_bytes!("../../tests/data/ca.pem");
        let from_pem = certificates(pem, "ca.pem").unwrap();
        assert_eq!(from_pem.len(), 1);
        let der = from_pem[0].as_ref().to_vec();
        assert_eq!(certificates(&der, "ca.der").unwrap()[0].as_ref(), &der[..]);
        let e = certificates(b"# a README\n", "README.md").unwrap_err();
        assert_eq!(
            e.to_string(),
            "README.md holds no certificate (PEM CERTIFICATE blocks or one DER certificate expected)"
        );
        let e = certificates(
            b"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n",
            "k.pem",
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::NoCertificateIn { .. }), "{e}");
    }
}
