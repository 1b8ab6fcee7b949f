//! Key export without rustls's exporter: a per-connection [`KeyLog`] keeps the secret the
//! exporter needs, and the crate's own code derives the key material from it.
//!
//! rustls 0.23's `UnbufferedClientConnection` (the no_std connection) has no
//! `export_keying_material`, but its `key_log` works without std:
//! - TLS 1.2 logs `CLIENT_RANDOM` with the master secret (full and resumed handshakes); with
//!   the server random read from the ServerHello on the wire, the exporter is
//!   PRF(master_secret, label, client_random ‖ server_random [‖ length ‖ context])
//!   ([RFC 5705 §4](https://www.rfc-editor.org/rfc/rfc5705#section-4));
//! - TLS 1.3 logs `EXPORTER_SECRET`, from which the exporter is
//!   [RFC 8446 §7.5](https://www.rfc-editor.org/rfc/rfc8446#section-7.5).
//!
//! Each secret is kept in a set-once cell (no lock, no std), zeroized on drop and never
//! printed. A user's own key log, if configured, still gets every line.

use super::{TlsError, TlsErrorKind, TlsFailure};
use crate::crypto::tls_keys::tls13_export;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use once_cell::race::OnceBox;
use rustls::{KeyLog, SupportedCipherSuite};
use zeroize::Zeroizing;

/// The NSS key log label of the TLS 1.2 master secret.
const CLIENT_RANDOM: &str = "CLIENT_RANDOM";
/// The NSS key log label of the TLS 1.3 exporter master secret.
const EXPORTER_SECRET: &str = "EXPORTER_SECRET";

// Without the `tls12` feature no TLS 1.2 handshake runs, so nothing reads it.
#[cfg_attr(not(feature = "tls12"), allow(dead_code))]
struct Tls12Secret {
    client_random: [u8; 32],
    master_secret: Zeroizing<[u8; 48]>,
}

/// The secrets of one connection's handshake, as logged by rustls.
pub(crate) struct SecretLog {
    tls12: OnceBox<Tls12Secret>,
    tls13: OnceBox<Zeroizing<Vec<u8>>>,
    user: Option<Arc<dyn KeyLog>>,
}

impl fmt::Debug for SecretLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretLog")
            .field("tls12", &self.tls12.get().map(|_| "<redacted>"))
            .field("tls13", &self.tls13.get().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl SecretLog {
    /// A log for one connection, forwarding to `user` as well.
    pub(crate) fn new(user: Option<Arc<dyn KeyLog>>) -> Self {
        SecretLog {
            tls12: OnceBox::new(),
            tls13: OnceBox::new(),
            user,
        }
    }

    // Used by the test authenticator (feature `testing`).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    /// The client random of a TLS 1.2 handshake, as logged with its master secret.
    pub(crate) fn client_random(&self) -> Option<[u8; 32]> {
        self.tls12.get().map(|s| s.client_random)
    }

    /// RFC 5705 / RFC 8446 §7.5 exporter of the connection whose handshake negotiated
    /// `suite`. `server_random` is needed for TLS 1.2 only.
    #[cfg_attr(not(feature = "tls12"), allow(unused_variables))]
    pub(crate) fn export(
        &self,
        suite: SupportedCipherSuite,
        server_random: Option<&[u8; 32]>,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsFailure> {
        match suite {
            #[cfg(feature = "tls12")]
            SupportedCipherSuite::Tls12(suite) => {
                let secret = self
                    .tls12
                    .get()
                    .ok_or_else(|| missing("TLS 1.2 master secret"))?;
                let server_random = server_random.ok_or_else(|| missing("server random"))?;
                let context_len = match context {
                    Some(c) => 2 + c.len(),
                    None => 0,
                };
                let mut seed = Vec::with_capacity(64 + context_len);
                seed.extend_from_slice(&secret.client_random);
                seed.extend_from_slice(server_random);
                if let Some(c) = context {
                    let len = u16::try_from(c.len()).map_err(|_| too_long())?;
                    seed.extend_from_slice(&len.to_be_bytes());
                    seed.extend_from_slice(c);
                }
                suite
                    .prf_provider
                    .for_secret(out, &secret.master_secret[..], label, &seed);
                Ok(())
            }
            SupportedCipherSuite::Tls13(suite) => {
                let secret = self
                    .tls13
                    .get()
                    .ok_or_else(|| missing("TLS 1.3 exporter secret"))?;
                tls13_export(suite, secret, label, context.unwrap_or(&[]), out)
                    .map_err(|_| too_long())
            }
        }
    }
}

fn missing(what: &str) -> TlsFailure {
    TlsFailure::Protocol(TlsError::new(
        TlsErrorKind::Local,
        alloc::format!("cannot export keys: the {what} was not logged by the TLS library"),
    ))
}

fn too_long() -> TlsFailure {
    TlsFailure::Protocol(TlsError::new(
        TlsErrorKind::Local,
        "cannot export keys: label, context or output too long",
    ))
}

impl KeyLog for SecretLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        match label {
            CLIENT_RANDOM => {
                if let (Ok(client_random), Ok(master)) = (
                    <[u8; 32]>::try_from(client_random),
                    <[u8; 48]>::try_from(secret),
                ) {
                    let _ = self.tls12.set(Box::new(Tls12Secret {
                        client_random,
                        master_secret: Zeroizing::new(master),
                    }));
                }
            }
            EXPORTER_SECRET => {
                let _ = self.tls13.set(Box::new(Zeroizing::new(secret.to_vec())));
            }
            _ => {}
        }
        if let Some(user) = &self.user {
            if user.will_log(label) {
                user.log(label, client_random, secret);
            }
        }
    }

    fn will_log(&self, label: &str) -> bool {
        label == CLIENT_RANDOM
            || label == EXPORTER_SECRET
            || self.user.as_ref().is_some_and(|u| u.will_log(label))
    }
}
