//! The configuration builder and the finished configuration.

use crate::rng::{self, CALLBACK_RANDOM, Rng, Scope, eap_rng_callback};
use crate::{bytes, eap_result, guard, text};
use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};
use core::fmt;
use eap_core::rustls::crypto::CryptoProvider;
use eap_core::rustls::pki_types::pem::PemObject;
use eap_core::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use eap_core::tls::{TlsVersion, UnixClock};
use eap_core::{Config, ConfigBuilder, Cryptobinding, MethodType, NtHash, TtlsInner};

/// The EAP method to run (outer method and, for PEAP and TTLS, the inner one).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum eap_method {
    /// PEAPv0 with inner EAP-MSCHAPv2 (the default).
    PeapMschapv2 = 0,
    /// PEAPv0 with inner EAP-GTC (the password, only inside the validated tunnel).
    PeapGtc = 1,
    /// EAP-TTLS with inner PAP.
    TtlsPap = 2,
    /// EAP-TTLS with inner MSCHAPv2 (as AVPs).
    TtlsMschapv2 = 3,
    /// EAP-TTLS with inner EAP-MSCHAPv2.
    TtlsEapMschapv2 = 4,
    /// EAP-TLS with a client certificate (`eap_config_builder_set_client_pem` or `_der`).
    Tls = 5,
}

/// The highest TLS version offered.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum eap_tls_version {
    /// TLS 1.2 (the default).
    Tls12 = 0,
    /// TLS 1.3.
    Tls13 = 1,
}

/// What to do with PEAP cryptobinding.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum eap_cryptobinding {
    /// Verify and answer it when the server sends one (the default).
    Optional = 0,
    /// Ignore Crypto-Binding TLVs.
    Off = 1,
    /// Fail unless the server sends a valid one.
    Required = 2,
}

/// The wall clock for certificate dates: seconds since 1970-01-01T00:00:00Z. Called from
/// inside `eap_supplicant_handle_*` on the calling thread.
pub type eap_clock_callback = Option<unsafe extern "C" fn(user: *mut c_void) -> u64>;

/// A configuration being built. Made by `eap_config_builder_new`, released by
/// `eap_config_builder_free`.
pub struct eap_config_builder {
    /// `None` once built.
    inner: Option<ConfigBuilder>,
    rng: Option<Rng>,
    /// The first mistake, returned by the build with its message.
    first_error: Option<(eap_result, CString)>,
    /// The message of the build's refusal (or the first mistake).
    message: Option<CString>,
}

/// A finished configuration: immutable, shared by the supplicants made from it (each keeps
/// its own copy; the configuration may be freed while they run). Released by
/// `eap_config_free`; its password and keys are zeroized then.
pub struct eap_config {
    pub(crate) config: Config,
    pub(crate) rng: Option<Rng>,
}

/// The caller's clock callback as a `UnixClock`.
struct CClock {
    callback: unsafe extern "C" fn(*mut c_void) -> u64,
    user: *mut c_void,
}

// SAFETY: the clock is only called from inside a call on a supplicant made from this
// configuration, on the caller's thread; the header's contract for
// eap_config_builder_set_clock is that the callback and its user pointer may be used from
// any thread the caller drives supplicants on. The struct itself holds no Rust data.
unsafe impl Send for CClock {}
// SAFETY: as for Send: the callback is only invoked through `&self` under the contract
// above, and the struct has no interior mutability.
unsafe impl Sync for CClock {}

impl fmt::Debug for CClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CClock")
    }
}

impl UnixClock for CClock {
    fn unix_seconds(&self) -> u64 {
        // SAFETY: the caller registered this function with the contract "return the
        // current Unix time"; it takes only the user pointer it gave us.
        unsafe { (self.callback)(self.user) }
    }
}

/// A message as C text (NUL octets, impossible in our own messages, are dropped).
pub(crate) fn c_text(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let mut v = e.into_vec();
        v.retain(|&b| b != 0);
        CString::new(v).unwrap_or_default()
    })
}

impl eap_config_builder {
    /// Applies a setter; a mistake is recorded (the first one is the build's error).
    fn apply(
        &mut self,
        f: impl FnOnce(ConfigBuilder) -> Result<ConfigBuilder, (ConfigBuilder, eap_result, String)>,
    ) -> eap_result {
        let Some(inner) = self.inner.take() else {
            return eap_result::AlreadyBuilt;
        };
        match f(inner) {
            Ok(b) => {
                self.inner = Some(b);
                eap_result::Ok
            }
            Err((b, code, message)) => {
                self.inner = Some(b);
                self.record(code, message)
            }
        }
    }

    fn record(&mut self, code: eap_result, message: String) -> eap_result {
        if self.first_error.is_none() {
            self.first_error = Some((code, c_text(message)));
        }
        code
    }
}

/// Borrows a builder handle.
///
/// # Safety
/// `b` is NULL or a live builder from `eap_config_builder_new`, not used concurrently.
unsafe fn borrow_builder<'a>(
    b: *mut eap_config_builder,
) -> Result<&'a mut eap_config_builder, eap_result> {
    // SAFETY: per the function's contract, a non-NULL `b` is a live, exclusively used
    // `Box<eap_config_builder>` made by eap_config_builder_new.
    unsafe { b.as_mut() }.ok_or(eap_result::NullArgument)
}

/// Runs a setter on the builder `b` with the argument converted by `arg`.
///
/// # Safety
/// As [`builder`].
unsafe fn set<A>(
    b: *mut eap_config_builder,
    arg: impl FnOnce() -> Result<A, eap_result>,
    f: impl FnOnce(ConfigBuilder, A) -> Result<ConfigBuilder, (ConfigBuilder, eap_result, String)>,
) -> eap_result {
    guard(|| {
        // SAFETY: forwarded contract of this function.
        let b = match unsafe { borrow_builder(b) } {
            Ok(b) => b,
            Err(e) => return e,
        };
        if b.inner.is_none() {
            return eap_result::AlreadyBuilt;
        }
        match arg() {
            Ok(a) => b.apply(|inner| f(inner, a)),
            Err(e) => b.record(e, format!("argument refused: {}", describe(e))),
        }
    })
}

fn describe(e: eap_result) -> &'static str {
    match e {
        eap_result::NullArgument => "NULL pointer",
        eap_result::InvalidArgument => "out of range (unknown value, not UTF-8, wrong length)",
        _ => "refused",
    }
}

/// Makes a configuration builder for `identity` (the inner identity, NUL-terminated UTF-8)
/// with the defaults: PEAP / EAP-MSCHAPv2, TLS 1.2, cryptobinding optional, fragments of
/// 1398 octets. The server is validated: a CA and a server-name rule are required.
///
/// # Safety
/// `identity` is NULL or a NUL-terminated string; `builder_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_new(
    identity: *const c_char,
    builder_out: *mut *mut eap_config_builder,
) -> eap_result {
    guard(|| {
        if builder_out.is_null() {
            return eap_result::NullArgument;
        }
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let identity = match unsafe { text(identity) } {
            Ok(i) => i,
            Err(e) => return e,
        };
        let b = Box::new(eap_config_builder {
            inner: Some(Config::builder(identity)),
            rng: None,
            first_error: None,
            message: None,
        });
        // SAFETY: non-NULL (checked) and writable per the contract.
        unsafe { builder_out.write(Box::into_raw(b)) };
        eap_result::Ok
    })
}

/// Releases a builder (and what it holds: the password is zeroized). NULL is allowed.
///
/// # Safety
/// `builder` is NULL or a builder from `eap_config_builder_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_free(builder: *mut eap_config_builder) {
    if builder.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: non-NULL and made by Box::into_raw in eap_config_builder_new; the
        // caller gives up the handle.
        drop(unsafe { Box::from_raw(builder) });
        eap_result::Ok
    });
}

/// The identity sent in the clear (outer identity), e.g. `anonymous@example.org`.
///
/// # Safety
/// `builder` is NULL or a live builder; `identity` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_anonymous_identity(
    builder: *mut eap_config_builder,
    identity: *const c_char,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || text(identity).map(String::from),
            |b, s| Ok(b.anonymous_identity(s)),
        )
    }
}

/// The password (NUL-terminated UTF-8). The library keeps it in memory it zeroizes.
///
/// # Safety
/// `builder` is NULL or a live builder; `password` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_password(
    builder: *mut eap_config_builder,
    password: *const c_char,
) -> eap_result {
    // SAFETY: forwarded contract; the &str borrows the caller's memory and the library
    // copies it once into its zeroizing password type.
    unsafe { set(builder, || text(password), |b, p| Ok(b.password(p))) }
}

/// The NT hash (16 octets: MD4 of the UTF-16LE password) instead of the password.
///
/// # Safety
/// `builder` is NULL or a live builder; `hash` is NULL or `len` readable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_nt_hash(
    builder: *mut eap_config_builder,
    hash: *const u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || {
                if hash.is_null() {
                    return Err(eap_result::NullArgument);
                }
                let h = bytes(hash, len)?;
                NtHash::from_slice(h).ok_or(eap_result::InvalidArgument)
            },
            |b, h| Ok(b.nt_hash(h)),
        )
    }
}

/// Trusts the CA certificates in a PEM buffer (one or more `CERTIFICATE` blocks). May be
/// called more than once; the certificates add up.
///
/// # Safety
/// `builder` is NULL or a live builder; `pem` is NULL or `len` readable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_add_ca_pem(
    builder: *mut eap_config_builder,
    pem: *const u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || nonempty(pem, len),
            |b, pem| {
                let certs: Result<Vec<CertificateDer<'static>>, _> =
                    CertificateDer::pem_slice_iter(pem).collect();
                match certs {
                    Ok(c) if !c.is_empty() => Ok(b.ca_certificates(c)),
                    Ok(_) => Err((
                        b,
                        eap_result::BadCertificate,
                        "CA PEM: no CERTIFICATE block".to_string(),
                    )),
                    Err(e) => Err((b, eap_result::BadCertificate, format!("CA PEM: {e}"))),
                }
            },
        )
    }
}

/// Trusts one CA certificate given as DER. May be called more than once. A certificate
/// that cannot be parsed is reported by the build.
///
/// # Safety
/// `builder` is NULL or a live builder; `der` is NULL or `len` readable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_add_ca_der(
    builder: *mut eap_config_builder,
    der: *const u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || nonempty(der, len),
            |b, der| Ok(b.ca_certificates(vec![CertificateDer::from(der.to_vec())])),
        )
    }
}

/// The server certificate must carry exactly this DNS name (`domain_match`).
///
/// # Safety
/// `builder` is NULL or a live builder; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_server_name(
    builder: *mut eap_config_builder,
    name: *const c_char,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || text(name).map(String::from),
            |b, n| Ok(b.server_name(n)),
        )
    }
}

/// The server certificate must carry this domain or a name under it
/// (`domain_suffix_match`).
///
/// # Safety
/// `builder` is NULL or a live builder; `suffix` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_domain_suffix(
    builder: *mut eap_config_builder,
    suffix: *const c_char,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || text(suffix).map(String::from),
            |b, s| Ok(b.domain_suffix(s)),
        )
    }
}

/// The method: one of `eap_method` (passed as an integer so that an out-of-range value is
/// refused with `EAP_RESULT_INVALID_ARGUMENT`, not undefined behaviour).
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_method(
    builder: *mut eap_config_builder,
    method: u32,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || match method {
                0 => Ok(eap_method::PeapMschapv2),
                1 => Ok(eap_method::PeapGtc),
                2 => Ok(eap_method::TtlsPap),
                3 => Ok(eap_method::TtlsMschapv2),
                4 => Ok(eap_method::TtlsEapMschapv2),
                5 => Ok(eap_method::Tls),
                _ => Err(eap_result::InvalidArgument),
            },
            |b, m| {
                Ok(match m {
                    eap_method::PeapMschapv2 => b
                        .methods([MethodType::Peap])
                        .inner_methods([MethodType::MsChapV2]),
                    eap_method::PeapGtc => b
                        .methods([MethodType::Peap])
                        .inner_methods([MethodType::Gtc]),
                    eap_method::TtlsPap => b.methods([MethodType::Ttls]).ttls_inner(TtlsInner::Pap),
                    eap_method::TtlsMschapv2 => b
                        .methods([MethodType::Ttls])
                        .ttls_inner(TtlsInner::MsChapV2),
                    eap_method::TtlsEapMschapv2 => b
                        .methods([MethodType::Ttls])
                        .ttls_inner(TtlsInner::EapMsChapV2),
                    eap_method::Tls => b.methods([MethodType::Tls]),
                })
            },
        )
    }
}

/// EAP-TLS: the client certificate chain (`CERTIFICATE` blocks, leaf first) and its private
/// key (PKCS#8, PKCS#1 or SEC1), both PEM. The build checks that they belong together.
///
/// # Safety
/// `builder` is NULL or a live builder; each buffer is NULL or its length readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_client_pem(
    builder: *mut eap_config_builder,
    chain_pem: *const u8,
    chain_len: usize,
    key_pem: *const u8,
    key_len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || Ok((nonempty(chain_pem, chain_len)?, nonempty(key_pem, key_len)?)),
            |b, (chain, key)| {
                let certs: Result<Vec<CertificateDer<'static>>, _> =
                    CertificateDer::pem_slice_iter(chain).collect();
                let certs = match certs {
                    Ok(c) if !c.is_empty() => c,
                    Ok(_) => {
                        return Err((
                            b,
                            eap_result::BadCertificate,
                            "client certificate PEM: no CERTIFICATE block".into(),
                        ));
                    }
                    Err(e) => {
                        return Err((
                            b,
                            eap_result::BadCertificate,
                            format!("client certificate PEM: {e}"),
                        ));
                    }
                };
                match PrivateKeyDer::from_pem_slice(key) {
                    Ok(k) => Ok(b.client_certificate(certs, k)),
                    Err(e) => Err((
                        b,
                        eap_result::BadCertificate,
                        format!("client private key PEM: {e}"),
                    )),
                }
            },
        )
    }
}

/// EAP-TLS: the client certificate (DER, the leaf alone) and its private key (DER: PKCS#8,
/// PKCS#1 or SEC1).
///
/// # Safety
/// `builder` is NULL or a live builder; each buffer is NULL or its length readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_client_der(
    builder: *mut eap_config_builder,
    cert_der: *const u8,
    cert_len: usize,
    key_der: *const u8,
    key_len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || Ok((nonempty(cert_der, cert_len)?, nonempty(key_der, key_len)?)),
            |b, (cert, key)| match PrivateKeyDer::try_from(key.to_vec()) {
                Ok(k) => Ok(b.client_certificate(vec![CertificateDer::from(cert.to_vec())], k)),
                Err(e) => Err((
                    b,
                    eap_result::BadCertificate,
                    format!("client private key DER: {e}"),
                )),
            },
        )
    }
}

/// The highest TLS version offered: one of `eap_tls_version`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_tls_max(
    builder: *mut eap_config_builder,
    version: u32,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || match version {
                0 => Ok(TlsVersion::TLS12),
                1 => Ok(TlsVersion::TLS13),
                _ => Err(eap_result::InvalidArgument),
            },
            |b, v| Ok(b.tls_max(v)),
        )
    }
}

/// The PEAP cryptobinding policy: one of `eap_cryptobinding`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_cryptobinding(
    builder: *mut eap_config_builder,
    policy: u32,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || match policy {
                0 => Ok(Cryptobinding::Optional),
                1 => Ok(Cryptobinding::Off),
                2 => Ok(Cryptobinding::Required),
                _ => Err(eap_result::InvalidArgument),
            },
            |b, p| Ok(b.cryptobinding(p)),
        )
    }
}

/// The largest TLS data per EAP message (default 1398); the build refuses one below the
/// library's minimum.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_fragment_size(
    builder: *mut eap_config_builder,
    size: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe { set(builder, || Ok(size), |b, s| Ok(b.fragment_size(s))) }
}

/// Certificate dates are checked against `clock(user)` (Unix seconds), called during
/// `eap_supplicant_handle_*`. The host default is the system clock; the firmware build
/// needs this or `eap_config_builder_set_no_clock`.
///
/// # Safety
/// `builder` is NULL or a live builder; `clock` may be called with `user` from any thread
/// that calls into a supplicant made from this configuration, as long as one lives.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_clock(
    builder: *mut eap_config_builder,
    clock: eap_clock_callback,
    user: *mut c_void,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        set(
            builder,
            || clock.ok_or(eap_result::NullArgument),
            |b, callback| Ok(b.clock(Arc::new(CClock { callback, user }))),
        )
    }
}

/// No clock: chain and names are still checked, and certificate dates against `floor`
/// (Unix seconds, e.g. the firmware's build date). Events and failures then say
/// "certificate dates not checked against a clock".
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_no_clock(
    builder: *mut eap_config_builder,
    floor: u64,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe { set(builder, || Ok(floor), |b, f| Ok(b.no_clock(f))) }
}

/// The random generator: `rng(user, buf, len)` fills `buf`, returning 0. Required by the
/// firmware build; on hosts it replaces the OS generator for what rustls and the core draw
/// (ring's key agreement keeps drawing from the OS). Called during `eap_supplicant_new` and
/// `eap_supplicant_handle_*`, on the calling thread.
///
/// # Safety
/// `builder` is NULL or a live builder; `rng` may be called with `user` while any
/// supplicant made from this configuration lives.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_set_rng(
    builder: *mut eap_config_builder,
    rng: eap_rng_callback,
    user: *mut c_void,
) -> eap_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let b = match unsafe { borrow_builder(builder) } {
            Ok(b) => b,
            Err(e) => return e,
        };
        if b.inner.is_none() {
            return eap_result::AlreadyBuilt;
        }
        match rng::from_c(rng, user) {
            Some(r) => {
                b.rng = Some(r);
                eap_result::Ok
            }
            None => b.record(
                eap_result::NullArgument,
                "the random callback is NULL".into(),
            ),
        }
    })
}

/// Checks and finishes the configuration into `*config_out` (freed with `eap_config_free`).
/// A builder builds once: afterwards its setters return `EAP_RESULT_ALREADY_BUILT`. On
/// failure the result is the first mistake (a setter's code, or
/// `EAP_RESULT_CONFIG_REFUSED`) and `eap_config_builder_error` says why in one line.
///
/// # Safety
/// `builder` is NULL or a live builder; `config_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_build(
    builder: *mut eap_config_builder,
    config_out: *mut *mut eap_config,
) -> eap_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let b = match unsafe { borrow_builder(builder) } {
            Ok(b) => b,
            Err(e) => return e,
        };
        if config_out.is_null() {
            return eap_result::NullArgument;
        }
        let Some(inner) = b.inner.take() else {
            return eap_result::AlreadyBuilt;
        };
        if let Some((code, message)) = b.first_error.take() {
            b.message = Some(message);
            return code;
        }
        let inner = match provider(b.rng.is_some()) {
            Ok(Some(p)) => inner.crypto_provider(p),
            Ok(None) => inner,
            Err(message) => {
                b.message = Some(c_text(message.into()));
                return eap_result::ConfigRefused;
            }
        };
        // Loading a client key draws randomness (ring's ECDSA keys): from the callback too.
        let _scope = match Scope::enter(b.rng.as_ref()) {
            Ok(scope) => scope,
            Err(e) => return e,
        };
        match inner.build() {
            Ok(config) => {
                let c = Box::new(eap_config { config, rng: b.rng });
                // SAFETY: non-NULL (checked) and writable per the contract.
                unsafe { config_out.write(Box::into_raw(c)) };
                eap_result::Ok
            }
            Err(e) => {
                b.message = Some(c_text(e.to_string()));
                eap_result::ConfigRefused
            }
        }
    })
}

/// The crypto provider: ring's, with the caller's random generator when it gave one.
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn provider(callback: bool) -> Result<Option<Arc<CryptoProvider>>, &'static str> {
    if callback {
        return Ok(Some(Arc::new(CryptoProvider {
            secure_random: &CALLBACK_RANDOM,
            ..eap_core::rustls::crypto::ring::default_provider()
        })));
    }
    if cfg!(feature = "std") {
        // The library's default: ring with the OS generator.
        Ok(None)
    } else {
        Err("no random generator: set one with eap_config_builder_set_rng")
    }
}

/// Why the last build failed (or the first mistake it reported), NUL-terminated, owned by
/// the builder (valid until it is freed); NULL if nothing failed.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_builder_error(
    builder: *const eap_config_builder,
) -> *const c_char {
    // SAFETY: per the contract a non-NULL `builder` is live; only read here.
    match unsafe { builder.as_ref() } {
        Some(b) => b
            .message
            .as_ref()
            .or(b.first_error.as_ref().map(|(_, m)| m))
            .map_or(core::ptr::null(), |m| m.as_ptr()),
        None => core::ptr::null(),
    }
}

/// Releases a configuration (its password and keys are zeroized). NULL is allowed.
/// Supplicants made from it keep working.
///
/// # Safety
/// `config` is NULL or a configuration from `eap_config_builder_build` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_config_free(config: *mut eap_config) {
    if config.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: non-NULL and made by Box::into_raw in eap_config_builder_build; the
        // caller gives up the handle.
        drop(unsafe { Box::from_raw(config) });
        eap_result::Ok
    });
}

/// Non-empty bytes: NULL is `NullArgument`, zero length `InvalidArgument`.
///
/// # Safety
/// As [`bytes`].
unsafe fn nonempty<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], eap_result> {
    if ptr.is_null() {
        return Err(eap_result::NullArgument);
    }
    if len == 0 {
        return Err(eap_result::InvalidArgument);
    }
    // SAFETY: forwarded contract.
    unsafe { bytes(ptr, len) }
}
