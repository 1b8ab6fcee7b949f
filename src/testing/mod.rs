//! An in-process authenticator for tests (feature `testing`): the server side of EAP for
//! PEAPv0 (EAP-MSCHAPv2 or EAP-GTC inside, optional cryptobinding), EAP-TTLS (PAP,
//! MSCHAPv2, EAP-MSCHAPv2) and EAP-TLS, the tunnel on a rustls unbuffered server
//! connection (so it runs without std), with knobs that make it fail in the ways real
//! servers do. [`Pair`] runs it against a [`Supplicant`](crate::Supplicant) on
//! a virtual clock, with loss and duplication; [`TestPki`] (with `std`) gives it and your
//! client a certificate authority and server certificate that ship with the crate.
//!
//! It is a fast test double, not an interop proof: interop is proven against FreeRADIUS
//! and hostapd (see the `interop_*` tests).

#[cfg_attr(not(feature = "capture"), allow(dead_code))]
pub(crate) mod air;
mod authenticator;
#[cfg(feature = "capture")]
pub(crate) mod fuzzing;
mod inner;
mod pair;
#[cfg(feature = "std")]
mod pki;
mod server_tls;
mod teap;
mod ttls;

pub use authenticator::Authenticator;
pub use pair::{Direction, Fault, Pair, PairOutcome};
#[cfg(feature = "std")]
pub use pki::TestPki;

use crate::event::Keys;
use crate::method_type::MethodType;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// How the authenticator answers a wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WrongPassword {
    /// An MSCHAPv2 Failure `E=691 R=<retry>` (Windows NPS; FreeRADIUS with `send_error = yes`).
    #[default]
    MschapFailure,
    /// Only a Result TLV Failure after the NT-Response (FreeRADIUS's stock configuration).
    ResultTlvFailure,
}

/// Where to send an early EAP-Success (the CVE-2023-52160 scenarios).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EarlySuccess {
    /// Right after the Identity response.
    AfterIdentity,
    /// In the middle of the TLS handshake.
    InHandshake,
    /// Once the tunnel is up, instead of phase 2.
    AfterTunnel,
}

/// Ways to misbehave. The default is a well-behaved server.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Knobs {
    /// Propose this method before PEAP (e.g. EAP-TLS, as servers whose default is EAP-TLS).
    pub propose_first: Option<MethodType>,
    /// After a Nak of `propose_first`, send EAP-Failure instead of proposing PEAP.
    pub fail_after_nak: bool,
    /// Answer the Identity with EAP-Failure (outer identity or realm refused).
    pub reject_identity: bool,
    /// The PEAP version offered in Start (hostapd offers 1).
    pub peap_version: u8,
    /// Keep sending PEAP version 1 in every request after Start.
    pub insist_peap_version: Option<u8>,
    /// How a wrong password is answered.
    pub wrong_password: WrongPassword,
    /// The R flag of MSCHAPv2 Failures.
    pub retry: bool,
    /// Answer a correct password with this MSCHAPv2 error (646–649) instead of Success.
    pub force_error: Option<u32>,
    /// PEAP and TTLS/EAP-MSCHAPv2: the user's password has expired. A correct Response gets `E=648 R=0 C=..
    /// V=3` (as Windows NPS, and FreeRADIUS with `send_error = yes` and
    /// `SMB-Account-CTRL-TEXT := "[Ue]"`); a Change-Password (RFC 2759 §7) is checked
    /// (new password decrypted under the old hash, the old hash's proof, the NT-Response
    /// under the new password to the Failure's challenge) and, unless `change_error`
    /// says otherwise, accepted: the Success proves the new password, which
    /// [`Authenticator::changed_password`] then returns.
    pub expired: bool,
    /// PEAP with `expired` (TTLS accepts every valid change): answer a valid Change-Password with this MSCHAPv2 error
    /// instead (709 change failed, or 648 again: a change requested twice).
    pub change_error: Option<u32>,
    /// Corrupt the authenticator response of the MSCHAPv2 Success.
    pub bad_authenticator_response: bool,
    /// Send a Crypto-Binding TLV with a wrong Compound MAC.
    pub bad_cryptobinding_mac: bool,
    /// Ask for this inner method instead of MSCHAPv2 (e.g. GTC).
    pub inner_method: Option<MethodType>,
    /// Send a Result TLV Success right after the tunnel is up (phase-2 bypass).
    pub early_result_success: bool,
    /// Send an outer EAP-Success early.
    pub early_success: Option<EarlySuccess>,
    /// Add this to the last Identifier for the final EAP-Success (real servers use 0–2).
    pub success_id_offset: u8,
    /// Stop answering after this many responses (silence).
    pub stop_after: Option<usize>,
    /// Send this Notification text before the Identity request.
    pub notification: Option<String>,
    /// Answer a Result TLV Success exchange with EAP-Failure (authorization refused).
    pub reject_after_success: bool,
    /// EAP-TLS with TLS 1.3: leave out the protected success indication (RFC 9190 §2.5).
    pub no_commitment: bool,
    /// Adversarial: rewrites each phase-2 plaintext before it is encrypted, given its index
    /// (0: inner Identity request, 1: MSCHAPv2 Challenge, 2: Success or Failure, 3: Result
    /// TLV, with the Crypto-Binding TLV when enabled, ...). Empty output sends nothing.
    pub mutate_inner: Option<fn(usize, &mut Vec<u8>)>,
}

/// The authenticator's configuration.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthenticatorConfig {
    /// TLS server settings (certificate chain, versions, suites).
    pub tls: Arc<rustls::ServerConfig>,
    /// Users and their passwords (identity as sent inside the tunnel).
    pub users: Vec<(String, String)>,
    /// Send a Crypto-Binding TLV with the Result TLV (PEAP). **Off** in
    /// [`AuthenticatorConfig::new`], as many deployed servers leave it off: a supplicant
    /// whose policy is `Cryptobinding::Required` then fails against the default
    /// authenticator; set it to `true` to test cryptobinding.
    pub cryptobinding: bool,
    /// Largest TLS data per EAP request.
    pub fragment_size: usize,
    /// Misbehaviours.
    pub knobs: Knobs,
    /// The method it runs after the Identity: PEAP (the default), EAP-TLS (its TLS
    /// config must then ask for a client certificate, e.g. `WebPkiClientVerifier`), or
    /// EAP-TTLS (phase 2 as the peer chooses: PAP, MSCHAPv2 or EAP-MSCHAPv2; the knobs
    /// `wrong_password`, `bad_authenticator_response` and `inner_method` apply), or TEAP
    /// (an Authority-ID in the Start, Basic-Password-Auth for the user, then
    /// Intermediate-Result, Crypto-Binding unless `cryptobinding` is off, and Result; the
    /// knobs `bad_cryptobinding_mac`, `early_result_success` and `mutate_inner` apply).
    pub method: MethodType,
}

impl AuthenticatorConfig {
    /// A well-behaved server with `tls` and one user: PEAP, fragments of 1398 octets, no
    /// misbehaviour, and **no cryptobinding** (see [`cryptobinding`](Self::cryptobinding)).
    pub fn new(tls: Arc<rustls::ServerConfig>, user: &str, password: &str) -> Self {
        AuthenticatorConfig {
            tls,
            users: alloc::vec![(user.into(), password.into())],
            cryptobinding: false,
            fragment_size: 1398,
            knobs: Knobs::default(),
            method: MethodType::Peap,
        }
    }
}

/// How the server side ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerOutcome {
    /// Access-Accept: the server's view of the keys.
    Accept(Keys),
    /// Access-Reject.
    Reject,
}
