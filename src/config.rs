//! What a supplicant needs to know, with names users know from wpa_supplicant.
//!
//! Secure by default: [`ConfigBuilder::build`] refuses a configuration that would not
//! validate the server (CA certificates **and** a server-name rule) unless the caller chose
//! [`ConfigBuilder::danger_accept_any_server_certificate`] or brought its own
//! [`TlsConnector`] (which then carries that responsibility).
//!
//! ```
//! # fn main() -> Result<(), eap::ConfigError> {
//! # let ca_pem = include_bytes!("../tests/data/ca.pem");
//! let config = eap::Config::builder("alice@example.org")
//!     .anonymous_identity("anonymous@example.org")
//!     .password("correct horse battery staple")
//!     .ca_pem(ca_pem)?
//!     .server_name("radius.example.org")
//!     .build()?;
//! # let _ = config;
//! # Ok(())
//! # }
//! ```

mod checks;
mod files;

use crate::crypto::password_change::fits_pw_block;
use crate::method_type::{MethodType, TeapInner, TtlsInner};
use crate::secret::{NtHash, Password};
use crate::tls::{CertificateTime, FixedTime, ServerNameRule, TlsConnector, TlsVersion, UnixClock};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

/// The user's secret for the inner method.
#[derive(Clone, Debug)]
pub(crate) enum Credential {
    /// The password (UTF-8; hashed as UTF-16LE, so non-ASCII passwords work).
    Password(Password),
    /// The NT hash (MD4 of the UTF-16LE password), as wpa_supplicant's `hash:` passwords.
    NtHash(NtHash),
}

impl zeroize::Zeroize for Credential {
    fn zeroize(&mut self) {
        match self {
            Credential::Password(p) => p.zeroize(),
            Credential::NtHash(h) => h.zeroize(),
        }
    }
}

/// Each variant's secret wipes itself when dropped.
impl zeroize::ZeroizeOnDrop for Credential {}

/// What to do with PEAP cryptobinding ([MS-PEAP] §3.2.5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Cryptobinding {
    /// Ignore Crypto-Binding TLVs (neither verified nor answered).
    Off,
    /// Verify and answer it whenever the server sends one (the default).
    #[default]
    Optional,
    /// Fail unless the server sends a valid one.
    Required,
}

/// Bounds on one authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most EAP requests processed in one authentication (wpa_supplicant: 100).
    pub max_rounds: u32,
    /// Longest wait for the next request after our last message (or after the
    /// authenticator's first packet).
    pub silence: Duration,
    /// Longest whole authentication, counted from the authenticator's first packet (the
    /// wait for an authenticator is the lower layer's: EAPOL's startPeriod and maxStart).
    pub overall: Duration,
    /// Largest TLS message reassembled from EAP-TLS fragments (a server's certificate
    /// flight must fit; an RSA-2048 chain of two is about 2.5 KiB, long chains with
    /// RSA-4096 intermediates reach 6–8 KiB).
    pub reassembly_cap: usize,
    /// Restart the authentication once from the beginning, after this hold period, when
    /// it failed for a cause attributable to a lost reply or a lost server session
    /// ([`Diagnosis::is_lost_reply`](crate::Diagnosis::is_lost_reply)); reported
    /// as [`Event::Restarting`](crate::Event::Restarting). Done by
    /// `transport::drive()` (feature `std`); hosts with their own loop do the same
    /// with [`Input::Restart`](crate::Input::Restart). Default `None`: off.
    pub restart_once: Option<Duration>,
    /// MSCHAPv2 retries: how many times a Failure that allows one (`E=691 R=1`,
    /// [RFC 2759 §6](https://www.rfc-editor.org/rfc/rfc2759#section-6)) is answered with a
    /// new Response to its challenge, with
    /// [`ConfigBuilder::retry_password`] if set, else the same credential. Default 0: a
    /// retry with the same password fails the same way and costs the account a lockout
    /// count, so none is attempted unless asked for. A server that allows retries forever
    /// gets this many.
    pub mschapv2_retries: u32,
}

impl Limits {
    /// Hosts: a 64 KiB reassembly cap (the default with `std`).
    pub const HOST: Limits = Limits {
        max_rounds: 100,
        silence: Duration::from_secs(30),
        overall: Duration::from_secs(90),
        reassembly_cap: 64 * 1024,
        restart_once: None,
        mschapv2_retries: 0,
    };

    /// Firmware: the same timers and rounds, a 16 KiB reassembly cap, which fits the
    /// heap budget of a microcontroller and any real server's certificate flight (the
    /// default without `std`).
    pub const FIRMWARE: Limits = Limits {
        reassembly_cap: 16 * 1024,
        ..Limits::HOST
    };

    /// These limits with [`max_rounds`](Limits::max_rounds) set.
    pub const fn with_max_rounds(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds;
        self
    }

    /// These limits with [`silence`](Limits::silence) set.
    pub const fn with_silence(mut self, silence: Duration) -> Self {
        self.silence = silence;
        self
    }

    /// These limits with [`overall`](Limits::overall) set.
    pub const fn with_overall(mut self, overall: Duration) -> Self {
        self.overall = overall;
        self
    }

    /// These limits with [`reassembly_cap`](Limits::reassembly_cap) set.
    pub const fn with_reassembly_cap(mut self, cap: usize) -> Self {
        self.reassembly_cap = cap;
        self
    }

    /// These limits with [`restart_once`](Limits::restart_once) set.
    pub const fn with_restart_once(mut self, hold: Option<Duration>) -> Self {
        self.restart_once = hold;
        self
    }

    /// These limits with [`mschapv2_retries`](Limits::mschapv2_retries) set.
    pub const fn with_mschapv2_retries(mut self, retries: u32) -> Self {
        self.mschapv2_retries = retries;
        self
    }
}

impl Default for Limits {
    /// [`Limits::HOST`] with `std`, [`Limits::FIRMWARE`] without.
    fn default() -> Self {
        if cfg!(feature = "std") {
            Limits::HOST
        } else {
            Limits::FIRMWARE
        }
    }
}

/// Why a configuration was refused. Neither `Clone` nor `PartialEq`: a file that cannot be
/// read carries its I/O error, which has neither; match on the variant instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No password or NT hash.
    #[error("no password or NT hash configured")]
    MissingCredential,
    /// EAP-TLS is allowed but no client certificate and key were given.
    #[error(
        "EAP-TLS needs a client certificate and its private key (client_certificate or client_pem)"
    )]
    MissingClientCertificate,
    /// The client certificate or key cannot be used (unreadable, unsupported key, or a key
    /// that does not belong to the certificate).
    #[error("the client certificate cannot be used: {reason}")]
    ClientCertificate {
        /// Why.
        reason: String,
    },
    /// The identity is empty.
    #[error("the identity is empty")]
    EmptyIdentity,
    /// The password is empty: no server accepts one.
    #[error("the password is empty")]
    EmptyPassword,
    /// An identity or password longer than the protocol that carries it allows: refused
    /// before anything is sent. Identities: 253 octets (a RADIUS User-Name, RFC 2865
    /// §5.1); MSCHAPv2 passwords: 256 characters (RFC 2759 §8.1); TTLS/PAP and EAP-GTC
    /// passwords: 128 octets (a RADIUS User-Password, RFC 2865 §5.2).
    #[error("{what} is {length} {unit} long; {carrier} allows at most {limit}")]
    TooLong {
        /// What: "the identity", "the outer identity", "the password".
        what: &'static str,
        /// Its length, in `unit`s.
        length: usize,
        /// "octets" or "characters".
        unit: &'static str,
        /// The most allowed.
        limit: usize,
        /// What carries it and sets the limit.
        carrier: &'static str,
    },
    /// A certificate input (a file, a PEM buffer) holds no certificate: neither PEM
    /// `CERTIFICATE` blocks nor one DER certificate.
    #[error(
        "{input} holds no certificate (PEM CERTIFICATE blocks or one DER certificate expected)"
    )]
    NoCertificateIn {
        /// The file's path, or "the PEM input".
        input: String,
    },
    /// No CA certificate: the server could not be validated.
    #[error(
        "no CA certificate configured: the server cannot be validated (configure the CA that signed the RADIUS server certificate, or opt out explicitly with danger_accept_any_server_certificate)"
    )]
    NoCaCertificates,
    /// No server-name rule: any server with a certificate from the CA would be accepted.
    #[error(
        "no server name configured: any certificate from the CA would be accepted (set server_name or domain_suffix, or opt out explicitly with danger_accept_any_server_certificate)"
    )]
    NoServerName,
    /// A certificate or key file could not be read ([`ConfigBuilder::ca_pem_file`],
    /// [`ConfigBuilder::client_certificate_files`]); the I/O error is the
    /// [`source`](core::error::Error::source).
    #[cfg(feature = "std")]
    #[error("cannot read {}", path.display())]
    CaFile {
        /// The file as given.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CA certificate could not be read.
    #[error("CA certificate {index} cannot be used: {reason}")]
    BadCaCertificate {
        /// Position in the input.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The fragment size is below [`Config::MIN_FRAGMENT_SIZE`].
    #[error("fragment size {0} is below the minimum of {min}", min = Config::MIN_FRAGMENT_SIZE)]
    FragmentSize(usize),
    /// No allowed method (outer or inner).
    #[error("no {0} method allowed")]
    NoMethods(&'static str),
    /// A method this crate does not implement.
    #[error("method {0} is not supported")]
    UnsupportedMethod(MethodType),
    /// The method uses the password itself (EAP-TTLS/PAP sends it, EAP-MD5 hashes it with
    /// the challenge): an NT hash cannot stand in.
    #[error("{0} uses the password itself: configure the password, not an NT hash")]
    PasswordNeeded(&'static str),
    /// A method that exposes the password to offline guessing and authenticates no server
    /// (EAP-MD5), listed without the opt-in that names the risk.
    #[error(
        "{0} is refused: it runs without a tunnel, exposes a hash of the password to offline guessing and authenticates no server (allow it explicitly with danger_allow_eap_md5 if a switch requires it)"
    )]
    UnprotectedMethod(MethodType),
    /// No TLS connector and no way to make one (no `std` feature).
    #[error("no TLS connector: set one with tls_connector (or enable the std feature)")]
    NoTls,
    /// No crypto provider (no `std` feature).
    #[error("no crypto provider: set one with crypto_provider")]
    NoProvider,
    /// No wall-clock policy for certificate dates (no `std` feature): set one with
    /// `clock`, `unix_time` or `no_clock`.
    #[error(
        "no clock for certificate dates: set one with clock or unix_time, or choose no_clock with a date floor"
    )]
    NoClock,
    /// A password MSCHAPv2 cannot change to: longer than 256 UTF-16 characters
    /// ([RFC 2759 §8.10](https://www.rfc-editor.org/rfc/rfc2759#section-8.10)).
    #[error(
        "the {0} is longer than 256 characters (UTF-16), the most an MSCHAPv2 password change carries"
    )]
    PasswordTooLong(&'static str),
    /// TLS maximum version below 1.2 or unknown (or 1.2 in a build without the `tls12`
    /// feature).
    #[error("TLS version {0} is not supported (1.2 or 1.3; 1.2 only with the feature tls12)")]
    TlsVersion(TlsVersion),
    /// The lowest TLS version is above the highest.
    #[error("the lowest TLS version offered ({min}) is above the highest ({max})")]
    TlsVersionRange {
        /// The lowest ([`ConfigBuilder::tls_min`]).
        min: TlsVersion,
        /// The highest ([`ConfigBuilder::tls_max`]).
        max: TlsVersion,
    },
}

/// A finished configuration. Build it with [`Config::builder`].
#[derive(Clone)]
pub struct Config {
    pub(crate) identity: String,
    pub(crate) anonymous_identity: Option<String>,
    /// The password or NT hash (PEAP's inner method); `None` for EAP-TLS only.
    pub(crate) credential: Option<Credential>,
    /// MSCHAPv2: the password an expired one is changed to (E=648).
    pub(crate) new_password: Option<Password>,
    /// MSCHAPv2: without a new password, ask the caller for one on E=648.
    pub(crate) ask_new_password: bool,
    /// MSCHAPv2: the password of a retry (E=691 R=1); `None`: the credential.
    pub(crate) retry_password: Option<Password>,
    pub(crate) methods: Vec<MethodType>,
    pub(crate) inner_methods: Vec<MethodType>,
    pub(crate) ttls_inner: TtlsInner,
    pub(crate) teap_inner: TeapInner,
    /// TEAP chaining: the machine's identity, credential and inner method.
    pub(crate) teap_machine: Option<Arc<Config>>,
    pub(crate) fragment_size: usize,
    pub(crate) limits: Limits,
    pub(crate) cryptobinding: Cryptobinding,
    pub(crate) tls: Arc<dyn TlsConnector>,
    pub(crate) provider: Arc<CryptoProvider>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("identity", &self.identity)
            .field("anonymous_identity", &self.anonymous_identity)
            .field("credential", &self.credential)
            .field("new_password", &self.new_password)
            .field("ask_new_password", &self.ask_new_password)
            .field("retry_password", &self.retry_password)
            .field("methods", &self.methods)
            .field("inner_methods", &self.inner_methods)
            .field("ttls_inner", &self.ttls_inner)
            .field("teap_inner", &self.teap_inner)
            .field("teap_machine", &self.teap_machine)
            .field("fragment_size", &self.fragment_size)
            .field("limits", &self.limits)
            .field("cryptobinding", &self.cryptobinding)
            .field("validates_server", &self.tls.validates_server())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Smallest accepted EAP fragment size (TLS data octets per EAP message).
    pub const MIN_FRAGMENT_SIZE: usize = 64;
    /// Default EAP fragment size (wpa_supplicant's `fragment_size`).
    pub const DEFAULT_FRAGMENT_SIZE: usize = 1398;

    /// Starts a configuration for `identity` (the inner identity: the real user name).
    pub fn builder(identity: impl Into<String>) -> ConfigBuilder {
        ConfigBuilder::new(identity.into())
    }

    /// The identity sent in the clear in EAP-Response/Identity: the anonymous identity when
    /// set, else the identity.
    pub fn outer_identity(&self) -> &str {
        self.anonymous_identity.as_deref().unwrap_or(&self.identity)
    }

    /// The inner identity.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The bounds in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// True if the TLS connector validates the server (false only under an explicit opt-out).
    pub fn validates_server(&self) -> bool {
        self.tls.validates_server()
    }

    /// The crypto provider (TLS, and randomness for the core and the transports).
    pub fn crypto_provider(&self) -> &Arc<CryptoProvider> {
        &self.provider
    }
}

/// Which servers to trust.
#[derive(Clone, Debug)]
enum Validation {
    /// The default: a server must chain to the configured CAs and carry a name the rule
    /// accepts (`build` refuses a configuration without both, for a TLS method).
    CasAndName,
    /// [`ConfigBuilder::danger_accept_any_server_certificate`]: any server.
    DangerAcceptAny,
}

/// Builds a [`Config`].
#[derive(Clone)]
pub struct ConfigBuilder {
    identity: String,
    anonymous_identity: Option<String>,
    credential: Option<Credential>,
    new_password: Option<Password>,
    ask_new_password: bool,
    retry_password: Option<Password>,
    roots: RootCertStore,
    /// The first CA certificate refused: its position and why.
    bad_root: Option<(usize, String)>,
    name_rule: Option<ServerNameRule>,
    /// The exact subject the server certificate must have, besides the name rule.
    subject: Option<String>,
    /// The lowest TLS version offered.
    tls_min: TlsVersion,
    validation: Validation,
    tls_max: TlsVersion,
    methods: Vec<MethodType>,
    inner_methods: Vec<MethodType>,
    ttls_inner: TtlsInner,
    teap_inner: TeapInner,
    teap_machine: Option<Arc<Config>>,
    fragment_size: usize,
    limits: Limits,
    cryptobinding: Cryptobinding,
    connector: Option<Arc<dyn TlsConnector>>,
    provider: Option<Arc<CryptoProvider>>,
    time: Option<CertificateTime>,
    key_log: Option<Arc<dyn rustls::KeyLog>>,
    /// Where sessions are kept for resumption (`None`: every handshake is full).
    sessions: Option<Arc<dyn rustls::client::ClientSessionStore>>,
    /// Who receives each server chain as received.
    chain_sink: Option<crate::tls::setup::ChainSink>,
    /// EAP-TLS: our certificate chain and key, checked against each other at build().
    client_certificate: Option<Arc<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>>,
    /// Why the client certificate or key cannot be used.
    bad_client_certificate: Option<String>,
    /// EAP-MD5 named as an accepted risk ([`ConfigBuilder::danger_allow_eap_md5`]).
    allow_md5: bool,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("identity", &self.identity)
            .field("anonymous_identity", &self.anonymous_identity)
            .field("credential", &self.credential)
            .field("name_rule", &self.name_rule)
            .field("validation", &self.validation)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    fn new(identity: String) -> Self {
        ConfigBuilder {
            identity,
            anonymous_identity: None,
            credential: None,
            new_password: None,
            ask_new_password: false,
            retry_password: None,
            roots: RootCertStore::empty(),
            bad_root: None,
            name_rule: None,
            subject: None,
            tls_min: if cfg!(feature = "tls12") {
                TlsVersion::TLS12
            } else {
                TlsVersion::TLS13
            },
            validation: Validation::CasAndName,
            tls_max: if cfg!(feature = "tls12") {
                TlsVersion::TLS12
            } else {
                TlsVersion::TLS13
            },
            methods: vec![MethodType::Peap],
            inner_methods: vec![MethodType::MsChapV2],
            ttls_inner: TtlsInner::default(),
            teap_inner: TeapInner::default(),
            teap_machine: None,
            fragment_size: Config::DEFAULT_FRAGMENT_SIZE,
            limits: Limits::default(),
            cryptobinding: Cryptobinding::default(),
            connector: None,
            provider: None,
            time: None,
            key_log: None,
            sessions: None,
            chain_sink: None,
            allow_md5: false,
            client_certificate: None,
            bad_client_certificate: None,
        }
    }

    /// The identity sent in the clear (outer identity), e.g. `anonymous@example.org`. Keep
    /// the realm: federations such as eduroam route on it.
    pub fn anonymous_identity(mut self, identity: impl Into<String>) -> Self {
        self.anonymous_identity = Some(identity.into());
        self
    }

    /// The password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.credential = Some(Credential::Password(Password::new(password)));
        self
    }

    /// The new password, for a server that reports the password expired (MSCHAPv2
    /// `E=648`, inside PEAP or EAP-TTLS/EAP-MSCHAPv2): the peer answers with a
    /// Change-Password packet ([RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7):
    /// the new password encrypted under the old NT hash) and the authentication goes on
    /// with the new password; [`Event::PasswordChanged`](crate::Event::PasswordChanged)
    /// says when the server accepted it. Used only on E=648. At most 256 UTF-16
    /// characters (`build` checks). Without it, E=648 ends the authentication
    /// (`password_expired`), unless [`ask_for_new_password`](Self::ask_for_new_password).
    pub fn new_password(mut self, password: impl Into<String>) -> Self {
        self.new_password = Some(Password::new(password));
        self
    }

    /// Without a configured [`new_password`](Self::new_password), a server reporting the
    /// password expired (E=648) makes the supplicant emit
    /// [`Event::NewPasswordRequired`](crate::Event::NewPasswordRequired) and wait for
    /// [`Input::NewPassword`](crate::Input::NewPassword) (a user interface asks its
    /// user, as wpa_supplicant's `CTRL-REQ-NEW_PASSWORD`), instead of failing. Off by
    /// default: a host that never answers would only wait for a timeout.
    pub fn ask_for_new_password(mut self) -> Self {
        self.ask_new_password = true;
        self
    }

    /// The password to answer an MSCHAPv2 retry with (`E=691 R=1`: the server refused the
    /// password and sent a new challenge). Retries happen only within
    /// [`Limits::mschapv2_retries`] (default 0); without this password they re-use the
    /// configured credential.
    pub fn retry_password(mut self, password: impl Into<String>) -> Self {
        self.retry_password = Some(Password::new(password));
        self
    }

    /// The NT hash instead of the password.
    pub fn nt_hash(mut self, hash: NtHash) -> Self {
        self.credential = Some(Credential::NtHash(hash));
        self
    }

    /// Trusts these CA certificates (DER).
    pub fn ca_certificates<'a>(
        mut self,
        certs: impl IntoIterator<Item = CertificateDer<'a>>,
    ) -> Self {
        for (index, cert) in certs.into_iter().enumerate() {
            if let Err(e) = self.roots.add(cert) {
                self.bad_root
                    .get_or_insert_with(|| (index, alloc::format!("{e}")));
            }
        }
        self
    }

    /// Calls `observe` with the server's certificate chain as it was received (leaf first),
    /// in every full handshake, before the chain is validated: e.g. to save it
    /// (`radius_auth --save-server-cert`, eapol_test's `-o`). The built-in connectors only;
    /// a connector of [`ConfigBuilder::tls_connector`] does its own.
    pub fn observe_server_chain(
        mut self,
        observe: impl Fn(&[CertificateDer<'_>]) + Send + Sync + 'static,
    ) -> Self {
        self.chain_sink = Some(crate::tls::setup::ChainSink(Arc::new(observe)));
        self
    }

    /// Trusts the CA certificates in a buffer: PEM (one or more `CERTIFICATE` blocks) or
    /// one DER certificate (as eapol_test's `ca_cert` accepts).
    pub fn ca_pem(self, pem: &[u8]) -> Result<Self, ConfigError> {
        let certs = files::certificates(pem, "the PEM input").map_err(|e| match e {
            ConfigError::ClientCertificate { reason } => {
                ConfigError::BadCaCertificate { index: 0, reason }
            }
            other => other,
        })?;
        Ok(self.ca_certificates(certs))
    }

    /// Trusts the CA certificates in a file, PEM or DER (see [`ConfigBuilder::ca_pem`]); a
    /// file without a certificate is [`ConfigError::NoCertificateIn`], naming it.
    #[cfg(feature = "std")]
    pub fn ca_pem_file(self, path: impl AsRef<std::path::Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let bytes = files::read(path)?;
        let certs = files::certificates(&bytes, &alloc::format!("{}", path.display())).map_err(
            |e| match e {
                ConfigError::ClientCertificate { reason } => ConfigError::BadCaCertificate {
                    index: 0,
                    reason: alloc::format!("{}: {reason}", path.display()),
                },
                other => other,
            },
        )?;
        Ok(self.ca_certificates(certs))
    }

    /// The server certificate must carry exactly this DNS name (`domain_match`).
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.name_rule = Some(ServerNameRule::Exact(name.into()));
        self
    }

    /// The server certificate must carry this domain or a name under it, on a label
    /// boundary (`domain_suffix_match`).
    pub fn domain_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.name_rule = Some(ServerNameRule::DomainSuffix(suffix.into()));
        self
    }

    /// The server certificate must satisfy `rule`, e.g. several names of which any may
    /// match: `ServerNameRule::AnyOf(vec![Exact(..), DomainSuffix(..)])`. Replaces
    /// [`ConfigBuilder::server_name`] and [`ConfigBuilder::domain_suffix`].
    pub fn server_name_rule(mut self, rule: ServerNameRule) -> Self {
        self.name_rule = Some(rule);
        self
    }

    /// The server certificate's subject must also be exactly this (see
    /// [`ServerNameRule::Subject`]), on top of the name rule; alone it is the rule.
    pub fn server_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// **Accepts any server certificate.** Anyone on the air can then finish the TLS
    /// handshake and receive the MSCHAPv2 exchange, which can be cracked offline. Inner
    /// credentials are still only sent after the handshake. For labs only.
    pub fn danger_accept_any_server_certificate(mut self) -> Self {
        self.validation = Validation::DangerAcceptAny;
        self
    }

    /// Allows EAP-MD5-Challenge ([RFC 3748 §5.4](https://www.rfc-editor.org/rfc/rfc3748#section-5.4))
    /// among [`ConfigBuilder::methods`]. Without this, a configuration listing it is refused
    /// ([`ConfigError::UnprotectedMethod`]): EAP-MD5 runs without a tunnel, so anyone who
    /// sees the exchange can guess the password offline, it authenticates no server (any
    /// authenticator can collect the hash), and it derives no keys (a success is
    /// [`Event::AuthenticatedWithoutKeys`](crate::Event::AuthenticatedWithoutKeys);
    /// no Wi-Fi network can use it). Some wired switches still run it. Needs the password,
    /// not an NT hash. A configuration whose only method is EAP-MD5 needs no CA.
    pub fn danger_allow_eap_md5(mut self) -> Self {
        self.allow_md5 = true;
        self
    }

    /// Highest TLS version offered: 1.2 (the default) or 1.3. Without the `tls12` feature
    /// (a firmware build that leaves TLS 1.2 out) only 1.3 is offered, and it is the
    /// default; 1.2 is then a configuration error.
    pub fn tls_max(mut self, version: TlsVersion) -> Self {
        self.tls_max = version;
        self
    }

    /// Lowest TLS version offered (default 1.2; 1.3 with a 1.3 maximum offers TLS 1.3
    /// only).
    pub fn tls_min(mut self, version: TlsVersion) -> Self {
        self.tls_min = version;
        self
    }

    /// Outer methods allowed, in order of preference (offered in that order in a Nak):
    /// PEAP (the default), EAP-TLS (with [`ConfigBuilder::client_certificate`]) and
    /// EAP-TTLS (with its inner method from [`ConfigBuilder::ttls_inner`]).
    pub fn methods(mut self, methods: impl Into<Vec<MethodType>>) -> Self {
        self.methods = methods.into();
        self
    }

    /// Inner (phase 2) methods allowed: EAP-MSCHAPv2 (the default) and EAP-GTC (the
    /// password sent as it is, only ever inside the validated tunnel; needs the password,
    /// not an NT hash).
    pub fn inner_methods(mut self, methods: impl Into<Vec<MethodType>>) -> Self {
        self.inner_methods = methods.into();
        self
    }

    /// EAP-TTLS's inner authentication (used when [`MethodType::Ttls`] is among
    /// [`ConfigBuilder::methods`]): EAP-MSCHAPv2 by default, or PAP or MSCHAPv2 as AVPs.
    pub fn ttls_inner(mut self, inner: TtlsInner) -> Self {
        self.ttls_inner = inner;
        self
    }

    /// TEAP: the user's inner authentication ([`TeapInner`]; default EAP-MSCHAPv2). With
    /// [`TeapInner::Tls`] the user's certificate is [`ConfigBuilder::client_pem`]'s.
    pub fn teap_inner(mut self, inner: TeapInner) -> Self {
        self.teap_inner = inner;
        self
    }

    /// TEAP chaining ([RFC 9930 §3.6](https://www.rfc-editor.org/rfc/rfc9930#section-3.6)):
    /// the machine credential, as a configuration of its own whose identity, credential
    /// (password or client certificate) and [`ConfigBuilder::teap_inner`] are the
    /// machine's (its server rules are not used: the user's tunnel is the only one). Used
    /// when the server asks for Identity-Type Machine, before or after the user.
    pub fn teap_machine(mut self, machine: Config) -> Self {
        self.teap_machine = Some(Arc::new(machine));
        self
    }

    /// Largest TLS data per EAP message (default 1398, as wpa_supplicant).
    pub fn fragment_size(mut self, size: usize) -> Self {
        self.fragment_size = size;
        self
    }

    /// Bounds on rounds, time and memory.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Cryptobinding policy.
    pub fn cryptobinding(mut self, policy: Cryptobinding) -> Self {
        self.cryptobinding = policy;
        self
    }

    /// The crypto provider for TLS and for the randomness the core needs (the MSCHAPv2 peer
    /// challenge). Default with `std`: rustls's ring provider.
    pub fn crypto_provider(mut self, provider: Arc<CryptoProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// A custom TLS connector. It replaces the built-in one and takes over the duty of
    /// validating the server; the CA and server-name settings are then not used.
    pub fn tls_connector(mut self, connector: Arc<dyn TlsConnector>) -> Self {
        self.connector = Some(connector);
        self
    }

    /// Checks certificate dates against `clock` (an RTC, a clock set by SNTP). Default with
    /// `std`: the system clock.
    pub fn clock(mut self, clock: Arc<dyn UnixClock>) -> Self {
        self.time = Some(CertificateTime::Clock(clock));
        self
    }

    /// Checks certificate dates against this time, seconds since the Unix epoch (firmware
    /// that learnt the time once).
    pub fn unix_time(self, seconds: u64) -> Self {
        self.clock(Arc::new(FixedTime(seconds)))
    }

    /// There is no clock: chain and names are still checked, and certificate dates are
    /// checked against `floor` (seconds since the Unix epoch, e.g. the firmware's build
    /// date) so that a certificate that expired before it is refused. Events and diagnoses
    /// then say "certificate dates not checked against a clock".
    pub fn no_clock(mut self, floor: u64) -> Self {
        self.time = Some(CertificateTime::NoClock { floor });
        self
    }

    /// Resumes TLS sessions kept in `cache` (e.g. a [`crate::tls::SessionCache`], which
    /// the caller keeps for as long as resuming is wanted): a re-authentication to the
    /// same server, for the same method, is then an abbreviated handshake without the
    /// server's certificate, and PEAP and TTLS may skip their inner method (see
    /// [`Event::FastReconnect`](crate::Event::FastReconnect)). Default: no cache, every
    /// handshake is full. On firmware, any `ClientSessionStore` with the platform's lock.
    pub fn session_cache(mut self, cache: Arc<dyn rustls::client::ClientSessionStore>) -> Self {
        self.sessions = Some(cache);
        self
    }

    /// Logs the TLS secrets of each session (NSS key log format, e.g. rustls's
    /// `KeyLogFile` on hosts).
    pub fn key_log(mut self, key_log: Arc<dyn rustls::KeyLog>) -> Self {
        self.key_log = Some(key_log);
        self
    }

    /// EAP-TLS: our certificate chain (leaf first) and its private key. The key must belong
    /// to the certificate; [`ConfigBuilder::build`] checks it before anything is sent.
    pub fn client_certificate(
        mut self,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Self {
        self.client_certificate = Some(Arc::new((chain, key)));
        self
    }

    /// EAP-TLS: our certificate chain and private key from buffers, PEM (`CERTIFICATE`
    /// blocks, leaf first; a PKCS#8, PKCS#1 or SEC1 key) or DER (one certificate; a PKCS#8
    /// key).
    pub fn client_pem(mut self, chain_pem: &[u8], key_pem: &[u8]) -> Self {
        match files::certificates(chain_pem, "the certificate input")
            .and_then(|chain| Ok((chain, files::private_key(key_pem)?)))
        {
            Ok((chain, key)) => self.client_certificate = Some(Arc::new((chain, key))),
            Err(e) => self.bad_client_certificate = Some(alloc::format!("{e}")),
        }
        self
    }

    /// EAP-TLS: our certificate chain and private key from files, PEM or DER (see
    /// [`ConfigBuilder::client_pem`]); errors name the file.
    #[cfg(feature = "std")]
    pub fn client_certificate_files(
        mut self,
        chain: impl AsRef<std::path::Path>,
        key: impl AsRef<std::path::Path>,
    ) -> Result<Self, ConfigError> {
        let (chain, key) = (chain.as_ref(), key.as_ref());
        let certs =
            files::certificates(&files::read(chain)?, &alloc::format!("{}", chain.display()))?;
        let key_der =
            files::private_key(&files::read(key)?).map_err(|e| ConfigError::ClientCertificate {
                reason: alloc::format!("{}: {e}", key.display()),
            })?;
        self.client_certificate = Some(Arc::new((certs, key_der)));
        Ok(self)
    }

    /// Our certificate and key, loaded with the provider and checked to belong together.
    fn certified_key(
        &self,
        provider: &CryptoProvider,
    ) -> Result<Option<Arc<CertifiedKey>>, ConfigError> {
        if let Some(reason) = &self.bad_client_certificate {
            return Err(ConfigError::ClientCertificate {
                reason: reason.clone(),
            });
        }
        let Some(pair) = &self.client_certificate else {
            return Ok(None);
        };
        let (chain, key) = &**pair;
        CertifiedKey::from_der(chain.clone(), key.clone_key(), provider)
            .map(|k| Some(Arc::new(k)))
            .map_err(|e| ConfigError::ClientCertificate {
                reason: match e {
                    rustls::Error::InconsistentKeys(_) => {
                        "the private key does not belong to the certificate".into()
                    }
                    other => alloc::format!("{other}"),
                },
            })
    }

    /// Checks and finishes the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        if self.identity.is_empty() {
            return Err(ConfigError::EmptyIdentity);
        }
        self.check_lengths()?;
        if self.fragment_size < Config::MIN_FRAGMENT_SIZE {
            return Err(ConfigError::FragmentSize(self.fragment_size));
        }
        if self.methods.is_empty() {
            return Err(ConfigError::NoMethods("outer"));
        }
        if let Some(&m) = self.methods.iter().find(|&&m| {
            !matches!(
                m,
                MethodType::Peap
                    | MethodType::Tls
                    | MethodType::Ttls
                    | MethodType::Teap
                    | MethodType::Md5Challenge
            )
        }) {
            return Err(ConfigError::UnsupportedMethod(m));
        }
        if self.methods.contains(&MethodType::Md5Challenge) {
            if !self.allow_md5 {
                return Err(ConfigError::UnprotectedMethod(MethodType::Md5Challenge));
            }
            match &self.credential {
                None => return Err(ConfigError::MissingCredential),
                Some(Credential::NtHash(_)) => return Err(ConfigError::PasswordNeeded("EAP-MD5")),
                Some(Credential::Password(_)) => {}
            }
        }
        if self.methods.contains(&MethodType::Peap) && self.credential.is_none() {
            return Err(ConfigError::MissingCredential);
        }
        if self.methods.contains(&MethodType::Ttls) {
            match (&self.credential, self.ttls_inner) {
                (None, _) => return Err(ConfigError::MissingCredential),
                (Some(Credential::NtHash(_)), TtlsInner::Pap) => {
                    return Err(ConfigError::PasswordNeeded("EAP-TTLS/PAP"));
                }
                _ => {}
            }
        }
        if self.methods.contains(&MethodType::Teap) {
            match (&self.credential, self.teap_inner) {
                (_, TeapInner::Tls)
                    if self.client_certificate.is_none() && self.connector.is_none() =>
                {
                    return Err(ConfigError::MissingClientCertificate);
                }
                (_, TeapInner::Tls) => {}
                (None, _) => return Err(ConfigError::MissingCredential),
                (Some(Credential::NtHash(_)), TeapInner::Password) => {
                    return Err(ConfigError::PasswordNeeded("TEAP Basic-Password-Auth"));
                }
                _ => {}
            }
        }
        if self.inner_methods.is_empty() {
            return Err(ConfigError::NoMethods("inner"));
        }
        if let Some(&m) = self
            .inner_methods
            .iter()
            .find(|&&m| !matches!(m, MethodType::MsChapV2 | MethodType::Gtc))
        {
            return Err(ConfigError::UnsupportedMethod(m));
        }
        if self
            .new_password
            .as_ref()
            .is_some_and(|p| !fits_pw_block(p.expose()))
        {
            return Err(ConfigError::PasswordTooLong("new password"));
        }
        for v in [self.tls_min, self.tls_max] {
            let built_in =
                v == TlsVersion::TLS13 || (cfg!(feature = "tls12") && v == TlsVersion::TLS12);
            if !built_in {
                return Err(ConfigError::TlsVersion(v));
            }
        }
        if self.tls_min == TlsVersion::TLS13 && self.tls_max == TlsVersion::TLS12 {
            return Err(ConfigError::TlsVersionRange {
                min: self.tls_min,
                max: self.tls_max,
            });
        }
        let provider = match self.provider.clone() {
            Some(p) => p,
            None => default_provider()?,
        };
        let client = self.certified_key(&provider)?;
        if self.methods.contains(&MethodType::Tls) && client.is_none() && self.connector.is_none() {
            return Err(ConfigError::MissingClientCertificate);
        }
        let tls = match self.connector.clone() {
            Some(c) => c,
            None => self.builtin_connector(provider.clone(), client)?,
        };
        Ok(Config {
            identity: self.identity,
            anonymous_identity: self.anonymous_identity,
            credential: self.credential,
            new_password: self.new_password,
            ask_new_password: self.ask_new_password,
            retry_password: self.retry_password,
            methods: self.methods,
            inner_methods: self.inner_methods,
            ttls_inner: self.ttls_inner,
            teap_inner: self.teap_inner,
            teap_machine: self.teap_machine,
            fragment_size: self.fragment_size,
            limits: self.limits,
            cryptobinding: self.cryptobinding,
            tls,
            provider,
        })
    }

    /// The server policy of the built-in connectors: CAs and name rule, or the opt-out.
    #[cfg_attr(not(any(feature = "std", feature = "unbuffered")), allow(dead_code))]
    fn server_policy(&self) -> Result<Option<(RootCertStore, ServerNameRule)>, ConfigError> {
        // Without a TLS method (EAP-MD5 alone) there is no server to validate: no CA asked
        // for, and the connector, never used, says it validates nothing.
        let tls_method = self
            .methods
            .iter()
            .any(|m| matches!(m, MethodType::Peap | MethodType::Tls | MethodType::Ttls));
        match self.validation {
            Validation::DangerAcceptAny => Ok(None),
            Validation::CasAndName if !tls_method => Ok(None),
            Validation::CasAndName => {
                if let Some((index, reason)) = &self.bad_root {
                    return Err(ConfigError::BadCaCertificate {
                        index: *index,
                        reason: reason.clone(),
                    });
                }
                if self.roots.is_empty() {
                    return Err(ConfigError::NoCaCertificates);
                }
                let subject = self.subject.clone().map(ServerNameRule::Subject);
                let rule = match (self.name_rule.clone(), subject) {
                    (Some(rule), Some(subject)) => ServerNameRule::AllOf(vec![rule, subject]),
                    (Some(rule), None) | (None, Some(rule)) => rule,
                    (None, None) => return Err(ConfigError::NoServerName),
                };
                Ok(Some((self.roots.clone(), rule)))
            }
        }
    }

    #[cfg_attr(not(any(feature = "std", feature = "unbuffered")), allow(dead_code))]
    fn versions(&self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        #[cfg(feature = "tls12")]
        {
            static BOTH: [&rustls::SupportedProtocolVersion; 2] =
                [&rustls::version::TLS13, &rustls::version::TLS12];
            static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
            static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
            match (self.tls_min, self.tls_max) {
                (TlsVersion::TLS13, _) => &TLS13,
                (_, TlsVersion::TLS13) => &BOTH,
                _ => &TLS12,
            }
        }
        #[cfg(not(feature = "tls12"))]
        {
            static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
            &TLS13
        }
    }

    /// The built-in connector (`tls/setup.rs` assembles it for the build's backend).
    fn builtin_connector(
        &self,
        provider: Arc<CryptoProvider>,
        client: Option<Arc<CertifiedKey>>,
    ) -> Result<Arc<dyn TlsConnector>, ConfigError> {
        let spec = crate::tls::setup::ConnectorSpec {
            provider,
            versions: self.versions(),
            policy: self.server_policy()?,
            time: self.time.clone(),
            client,
            key_log: self.key_log.clone(),
            sessions: self.sessions.clone(),
            chain_sink: self.chain_sink.clone(),
        };
        crate::tls::setup::builtin_connector(spec).ok_or(if cfg!(feature = "unbuffered") {
            ConfigError::NoClock
        } else {
            ConfigError::NoTls
        })
    }
}

#[cfg(all(feature = "std", not(feature = "post-quantum")))]
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn default_provider() -> Result<Arc<CryptoProvider>, ConfigError> {
    Ok(Arc::new(rustls::crypto::ring::default_provider()))
}

/// Feature `post-quantum`: aws-lc-rs with X25519MLKEM768 preferred (rustls's
/// `prefer-post-quantum`: its key share goes first, with X25519's beside it, so a server
/// without ML-KEM answers without a HelloRetryRequest).
#[cfg(feature = "post-quantum")]
fn default_provider() -> Result<Arc<CryptoProvider>, ConfigError> {
    Ok(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

#[cfg(not(feature = "std"))]
fn default_provider() -> Result<Arc<CryptoProvider>, ConfigError> {
    Err(ConfigError::NoProvider)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The credential a configuration holds is wiped when the configuration goes.
    #[test]
    fn credential_is_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Credential>();
    }
}
