//! What the command-line examples share: the authentication flags, building a `Config`
//! from them, and printing events and outcomes.
#![allow(dead_code)]

use clap::{Args, ValueEnum};
use eap::MethodType;
use eap::tls::{ServerNameRule, TlsVersion};
use eap::transport::AuthOutcome;
use eap::{Config, Event};
use eap::{Cryptobinding, Limits, TeapInner, TtlsInner};
use std::sync::Arc;
use std::time::Duration;

pub mod radius_args;

/// A run that could not start (bad flags or files, a server that does not resolve): its
/// `error:` line, and with `--json` one object with `cause.code`.
#[derive(Debug)]
pub struct SetupError {
    /// The stable code (`cause.code`): `bad_argument`, `configuration_error`,
    /// `server_unresolvable`, `local_error`.
    pub code: &'static str,
    /// The sentence.
    pub message: String,
    /// What to change.
    pub hint: &'static str,
}

impl SetupError {
    /// A configuration error: the message names the flag or file.
    pub fn config(message: String) -> Self {
        SetupError {
            code: "configuration_error",
            message,
            hint: "correct the option or file the message names; nothing was sent",
        }
    }
}

impl From<String> for SetupError {
    fn from(message: String) -> Self {
        SetupError::config(message)
    }
}

/// The authentication flags, named as wpa_supplicant and eapol_test users know them.
#[derive(Args, Debug, Clone)]
pub struct AuthArgs {
    /// The user's identity (inner identity), e.g. alice@example.org.
    #[arg(long, help_heading = "Identity and secrets", required = true)]
    pub identity: Option<String>,
    /// The identity sent in the clear, e.g. anonymous@example.org.
    #[arg(long, help_heading = "Identity and secrets")]
    pub anonymous_identity: Option<String>,
    /// The password (every method but EAP-TLS). Visible in `ps`: prefer --password-file or
    /// --password-env.
    #[arg(long, help_heading = "Identity and secrets", required_unless_present_any = ["client_cert", "password_file", "password_env"])]
    pub password: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, help_heading = "Identity and secrets", conflicts_with_all = ["password", "password_env"])]
    pub password_file: Option<std::path::PathBuf>,
    /// Read the password from this environment variable.
    #[arg(
        long,
        help_heading = "Identity and secrets",
        conflicts_with = "password"
    )]
    pub password_env: Option<String>,
    /// MSCHAPv2 (PEAP, TTLS/EAP-MSCHAPv2): when the server reports the password expired
    /// (E=648), change it to this one within the authentication (RFC 2759 Change-Password);
    /// the JSON report then says "password_changed":true. Visible in `ps`: prefer
    /// --new-password-file or --new-password-env.
    #[arg(long, help_heading = "Identity and secrets", conflicts_with_all = ["new_password_file", "new_password_env"])]
    pub new_password: Option<String>,
    /// Read the new password from the first line of this file.
    #[arg(
        long,
        help_heading = "Identity and secrets",
        conflicts_with = "new_password_env"
    )]
    pub new_password_file: Option<std::path::PathBuf>,
    /// Read the new password from this environment variable.
    #[arg(long, help_heading = "Identity and secrets")]
    pub new_password_env: Option<String>,
    /// MSCHAPv2: when the server refuses the password and allows a retry (E=691 R=1),
    /// answer its new challenge once with this password, in the same session. Without it
    /// no retry is attempted.
    #[arg(long, help_heading = "Identity and secrets")]
    pub retry_password: Option<String>,
    /// The EAP method: peap (PEAPv0 / EAP-MSCHAPv2), peap-gtc (PEAPv0 / EAP-GTC),
    /// ttls-pap, ttls-mschapv2, ttls-eap-mschapv2 (EAP-TTLS with that inner method) or tls
    /// (EAP-TLS, with --client-cert and --client-key); teap (TEAP, inner method from
    /// --teap-inner); md5 (EAP-MD5-Challenge) only with --insecure-allow-md5.
    #[arg(long, help_heading = "Method", value_enum, default_value = "peap")]
    pub method: MethodArg,
    /// EAP-TLS: our certificate (and its chain, leaf first), PEM or DER.
    #[arg(long, help_heading = "Identity and secrets", requires = "client_key")]
    pub client_cert: Option<std::path::PathBuf>,
    /// EAP-TLS: the private key of --client-cert, PEM or DER.
    #[arg(long, help_heading = "Identity and secrets", requires = "client_cert")]
    pub client_key: Option<std::path::PathBuf>,
    /// The CA certificate(s) that signed the RADIUS server's certificate, PEM or DER.
    #[arg(long, help_heading = "Server validation", required_unless_present_any = ["insecure_accept_any_server", "insecure_allow_md5"])]
    pub ca_cert: Option<std::path::PathBuf>,
    /// The server certificate must carry exactly this DNS name. Repeatable, and with
    /// --domain-suffix: any of them may match.
    #[arg(long, help_heading = "Server validation")]
    pub server_name: Vec<String>,
    /// The server certificate must carry this domain or a name under it. Repeatable.
    #[arg(long, help_heading = "Server validation")]
    pub domain_suffix: Vec<String>,
    /// The server certificate's subject must be exactly this, as printed in reports (e.g.
    /// "O=Example, CN=radius.example.org"); on top of the name rules.
    #[arg(long, help_heading = "Server validation")]
    pub server_subject: Option<String>,
    /// Write the server's certificate chain, as received (leaf first), to this file in
    /// PEM, whether or not it validates.
    #[arg(long, help_heading = "Server validation", value_name = "FILE")]
    pub save_server_cert: Option<std::path::PathBuf>,
    /// Accept any server certificate (labs only: an impostor gets the MSCHAPv2 exchange).
    #[arg(long, help_heading = "Server validation")]
    pub insecure_accept_any_server: bool,
    /// Allow `--method md5` (EAP-MD5: no tunnel, a password hash open to offline guessing,
    /// no server authenticated, no keys; some wired switches still ask for it).
    #[arg(long, help_heading = "Method")]
    pub insecure_allow_md5: bool,
    /// Highest TLS version offered.
    #[arg(long, help_heading = "Method", value_enum, default_value = "1.2")]
    pub tls_max: TlsMax,
    /// Lowest TLS version offered (1.3: TLS 1.3 only, with --tls-max 1.3).
    #[arg(long, help_heading = "Method", value_enum, default_value = "1.2")]
    pub tls_min: TlsMax,
    /// Largest TLS data per EAP message.
    #[arg(long, help_heading = "Method", default_value_t = eap::Config::DEFAULT_FRAGMENT_SIZE)]
    pub fragment_size: usize,
    /// Give up after this many seconds (whole authentication, counted from the server's or
    /// authenticator's first answer; also the longest silence after our last message).
    #[arg(long, help_heading = "Method", default_value_t = 30)]
    pub timeout: u64,
    /// Cryptobinding policy.
    #[arg(long, help_heading = "Method", value_enum, default_value = "optional")]
    pub cryptobinding: CryptobindingArg,
    /// Write the TLS secrets in the NSS key log format (Wireshark can then decrypt).
    #[arg(long, help_heading = "Output")]
    pub keylog: Option<std::path::PathBuf>,
    /// Write every packet sent and received as pcapng, with the TLS secrets inside
    /// (Wireshark opens it and decrypts the tunnel).
    #[arg(long, help_heading = "Output")]
    pub pcap: Option<std::path::PathBuf>,
    /// Print every event on stderr.
    #[arg(long, short, help_heading = "Output")]
    pub verbose: bool,
    /// Keep the TLS session of each authentication (a one-entry cache in memory) and resume
    /// it in the next: with --count N, the second and later authentications resume
    /// (abbreviated handshake; PEAP fast reconnect and TTLS may skip the inner method).
    /// Without it every authentication is a full handshake.
    #[arg(long, help_heading = "Method")]
    pub resume: bool,
    /// Start an authentication again from the beginning, once, after a 1 s hold, when it
    /// failed for a cause attributable to a lost reply or a lost server session.
    #[arg(long, help_heading = "Method")]
    pub restart_once: bool,
    /// TEAP: the user's and the machine's inner authentication and the machine credential.
    #[command(flatten)]
    pub teap: TeapArgs,
}

/// The TEAP flags (`--method teap`): the user's inner method, and a machine credential
/// for machine-then-user chaining (the server asks for each identity it wants).
#[derive(Args, Debug, Clone)]
pub struct TeapArgs {
    /// TEAP: the user's inner authentication: password (Basic-Password-Auth), mschapv2
    /// (EAP-MSCHAPv2) or tls (EAP-TLS with --client-cert/--client-key).
    #[arg(long, help_heading = "Method", value_enum, default_value = "mschapv2")]
    pub teap_inner: TeapInnerArg,
    /// TEAP chaining: the machine's identity (e.g. host/pc1.example.org).
    #[arg(long, help_heading = "Method")]
    pub machine_identity: Option<String>,
    /// TEAP chaining: the machine's certificate (PEM; EAP-TLS), with --machine-key.
    #[arg(long, help_heading = "Method", requires_all = ["machine_key", "machine_identity"])]
    pub machine_cert: Option<std::path::PathBuf>,
    /// TEAP chaining: the private key of --machine-cert (PEM).
    #[arg(long, help_heading = "Method", requires = "machine_cert")]
    pub machine_key: Option<std::path::PathBuf>,
    /// TEAP chaining: the machine's password (EAP-MSCHAPv2, or Basic-Password-Auth with
    /// --teap-inner password).
    #[arg(
        long,
        help_heading = "Method",
        requires = "machine_identity",
        conflicts_with = "machine_cert"
    )]
    pub machine_password: Option<String>,
}

/// `--teap-inner`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeapInnerArg {
    /// Basic-Password-Auth TLVs.
    Password,
    /// EAP-MSCHAPv2.
    Mschapv2,
    /// EAP-TLS.
    Tls,
}

/// The hold period of `--restart-once`.
pub const RESTART_HOLD: Duration = Duration::from_secs(1);

/// `--method`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodArg {
    /// PEAPv0 with inner EAP-MSCHAPv2.
    Peap,
    /// PEAPv0 with inner EAP-GTC.
    PeapGtc,
    /// EAP-TTLS with PAP.
    TtlsPap,
    /// EAP-TTLS with MSCHAPv2 (AVPs).
    TtlsMschapv2,
    /// EAP-TTLS with EAP-MSCHAPv2.
    TtlsEapMschapv2,
    /// EAP-TLS with a client certificate.
    Tls,
    /// EAP-MD5-Challenge (only with --insecure-allow-md5).
    Md5,
    /// TEAP (RFC 9930) with --teap-inner, and machine chaining with --machine-*.
    Teap,
}

/// `--tls-max`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum TlsMax {
    /// TLS 1.2.
    #[value(name = "1.2")]
    Tls12,
    /// TLS 1.3.
    #[value(name = "1.3")]
    Tls13,
}

impl TlsMax {
    /// The version.
    pub fn version(self) -> TlsVersion {
        match self {
            TlsMax::Tls12 => TlsVersion::TLS12,
            TlsMax::Tls13 => TlsVersion::TLS13,
        }
    }
}

/// `--cryptobinding`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum CryptobindingArg {
    /// Ignore Crypto-Binding TLVs.
    Off,
    /// Verify when sent.
    Optional,
    /// Fail without one.
    Required,
}

/// A key log writing to a file of the user's choice (rustls's `KeyLogFile` reads
/// SSLKEYLOGFILE from the environment only).
#[derive(Debug)]
struct KeyLogTo(std::sync::Mutex<std::fs::File>);

impl rustls::KeyLog for KeyLogTo {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        use std::io::Write;
        let line = eap::unstable::capture::nss_key_log_line(label, client_random, secret);
        if let Ok(mut f) = self.0.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// Both key logs, when `--keylog` and `--pcap` are given together.
#[derive(Debug)]
struct BothKeyLogs(Arc<dyn rustls::KeyLog>, Arc<dyn rustls::KeyLog>);

impl rustls::KeyLog for BothKeyLogs {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0.log(label, client_random, secret);
        self.1.log(label, client_random, secret);
    }
}

impl AuthArgs {
    /// The password from --password, --password-file or --password-env.
    pub fn password(&self) -> Result<Option<String>, String> {
        if let Some(path) = &self.password_file {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(Some(text.lines().next().unwrap_or("").to_owned()));
        }
        if let Some(var) = &self.password_env {
            return std::env::var(var)
                .map(Some)
                .map_err(|_| format!("--password-env: {var} is not set"));
        }
        Ok(self.password.clone())
    }

    /// The new password from --new-password, --new-password-file or --new-password-env.
    pub fn new_password(&self) -> Result<Option<String>, String> {
        if let Some(path) = &self.new_password_file {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(Some(text.lines().next().unwrap_or("").to_owned()));
        }
        if let Some(var) = &self.new_password_env {
            return std::env::var(var)
                .map(Some)
                .map_err(|_| format!("--new-password-env: {var} is not set"));
        }
        Ok(self.new_password.clone())
    }

    /// The method's name as `--method` spells it (for reports).
    pub fn method_name(&self) -> String {
        self.method
            .to_possible_value()
            .map_or_else(|| "?".to_owned(), |v| v.get_name().to_owned())
    }

    /// The identity lint of these identities, printed as `warning:` lines on stderr before
    /// anything is sent; returned for reports.
    pub fn lint(&self, config: &Config) -> Vec<eap::lint::Warning> {
        let warnings = eap::lint::check_config(config);
        for w in &warnings {
            eprintln!("warning: {}", w.message);
        }
        warnings
    }

    /// The `--pcap` recorder, if asked for (give it to the transport and to `config`).
    pub fn tap(&self) -> Result<Option<eap::unstable::capture::PcapTap>, String> {
        self.pcap
            .as_ref()
            .map(|p| {
                eap::unstable::capture::PcapTap::create(p)
                    .map_err(|e| format!("{}: {e}", p.display()))
            })
            .transpose()
    }

    /// The server-validation rules of the flags on `b`: any --server-name or
    /// --domain-suffix may match, and --server-subject must.
    fn server_rules(&self, mut b: eap::ConfigBuilder) -> eap::ConfigBuilder {
        let mut rules: Vec<ServerNameRule> = self
            .server_name
            .iter()
            .map(|n| ServerNameRule::Exact(n.clone()))
            .chain(
                self.domain_suffix
                    .iter()
                    .map(|s| ServerNameRule::DomainSuffix(s.clone())),
            )
            .collect();
        match rules.len() {
            0 => {}
            1 => b = b.server_name_rule(rules.remove(0)),
            _ => b = b.server_name_rule(ServerNameRule::AnyOf(rules)),
        }
        if let Some(s) = &self.server_subject {
            b = b.server_subject(s);
        }
        b
    }

    /// TEAP on `b`: the user's inner method (and certificate), and the machine's
    /// configuration when --machine-identity is given.
    fn teap_config(&self, b: eap::ConfigBuilder) -> Result<eap::ConfigBuilder, String> {
        let read =
            |p: &std::path::PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        let inner = match self.teap.teap_inner {
            TeapInnerArg::Password => TeapInner::Password,
            TeapInnerArg::Mschapv2 => TeapInner::MsChapV2,
            TeapInnerArg::Tls => TeapInner::Tls,
        };
        let mut b = b.methods([MethodType::Teap]).teap_inner(inner);
        if inner == TeapInner::Tls {
            let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) else {
                return Err("--teap-inner tls needs --client-cert and --client-key".into());
            };
            b = b.client_pem(&read(cert)?, &read(key)?);
        }
        let Some(id) = &self.teap.machine_identity else {
            return Ok(b);
        };
        let mut m = Config::builder(id).tls_max(match self.tls_max {
            TlsMax::Tls12 => TlsVersion::TLS12,
            TlsMax::Tls13 => TlsVersion::TLS13,
        });
        if let Some(path) = &self.ca_cert {
            m = m.ca_pem_file(path).map_err(|e| with_sources(&e))?;
        }
        m = self.server_rules(m);
        if self.insecure_accept_any_server {
            m = m.danger_accept_any_server_certificate();
        }
        m = match (
            &self.teap.machine_cert,
            &self.teap.machine_key,
            &self.teap.machine_password,
        ) {
            (Some(c), Some(k), _) => m
                .teap_inner(TeapInner::Tls)
                .client_pem(&read(c)?, &read(k)?),
            (_, _, Some(p)) => m.password(p).teap_inner(match inner {
                TeapInner::Password => TeapInner::Password,
                _ => TeapInner::MsChapV2,
            }),
            _ => return Err(
                "--machine-identity needs --machine-cert and --machine-key, or --machine-password"
                    .into(),
            ),
        };
        let machine = m
            .methods([MethodType::Teap])
            .build()
            .map_err(|e| format!("machine credential: {e}"))?;
        Ok(b.teap_machine(machine))
    }

    /// The configuration these flags describe; `tap` also receives the TLS secrets.
    pub fn config(&self, tap: Option<&eap::unstable::capture::PcapTap>) -> Result<Config, String> {
        let identity = self.identity.as_deref().ok_or("--identity is required")?;
        let mut b = Config::builder(identity)
            .fragment_size(self.fragment_size)
            .tls_max(self.tls_max.version())
            .tls_min(self.tls_min.version())
            .cryptobinding(match self.cryptobinding {
                CryptobindingArg::Off => Cryptobinding::Off,
                CryptobindingArg::Optional => Cryptobinding::Optional,
                CryptobindingArg::Required => Cryptobinding::Required,
            })
            .limits(
                Limits::default()
                    .with_overall(Duration::from_secs(self.timeout))
                    .with_silence(Duration::from_secs(self.timeout))
                    .with_restart_once(self.restart_once.then_some(RESTART_HOLD))
                    .with_mschapv2_retries(u32::from(self.retry_password.is_some())),
            );
        if let Some(p) = self.password()? {
            b = b.password(p);
        }
        if let Some(p) = self.new_password()? {
            b = b.new_password(p);
        }
        if let Some(p) = &self.retry_password {
            b = b.retry_password(p.clone());
        }
        b = match self.method {
            MethodArg::Peap => b.methods([MethodType::Peap]),
            MethodArg::PeapGtc => b
                .methods([MethodType::Peap])
                .inner_methods([MethodType::Gtc]),
            MethodArg::Tls => {
                let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) else {
                    return Err("--method tls needs --client-cert and --client-key".into());
                };
                b.methods([MethodType::Tls])
                    .client_certificate_files(cert, key)
                    .map_err(|e| format!("--client-cert / --client-key: {}", with_sources(&e)))?
            }
            MethodArg::TtlsPap => b.methods([MethodType::Ttls]).ttls_inner(TtlsInner::Pap),
            MethodArg::TtlsMschapv2 => b
                .methods([MethodType::Ttls])
                .ttls_inner(TtlsInner::MsChapV2),
            MethodArg::TtlsEapMschapv2 => b
                .methods([MethodType::Ttls])
                .ttls_inner(TtlsInner::EapMsChapV2),
            MethodArg::Md5 if self.insecure_allow_md5 => {
                eprintln!(
                    "warning: --insecure-allow-md5: EAP-MD5 authenticates no server and exposes a hash of the password to offline guessing"
                );
                b.methods([MethodType::Md5Challenge]).danger_allow_eap_md5()
            }
            MethodArg::Teap => self.teap_config(b)?,
            MethodArg::Md5 => {
                return Err("--method md5 is refused without --insecure-allow-md5: EAP-MD5 runs without a tunnel, exposes a hash of the password to offline guessing and authenticates no server".into());
            }
        };
        if let Some(a) = &self.anonymous_identity {
            b = b.anonymous_identity(a);
        }
        if let Some(path) = &self.ca_cert {
            b = b
                .ca_pem_file(path)
                .map_err(|e| format!("--ca-cert: {}", with_sources(&e)))?;
        }
        b = self.server_rules(b);
        if let Some(path) = &self.save_server_cert {
            let path = path.clone();
            b = b.observe_server_chain(move |chain| {
                let pem: String = chain
                    .iter()
                    .map(|c| pem_block("CERTIFICATE", c.as_ref()))
                    .collect();
                if let Err(e) = std::fs::write(&path, pem) {
                    eprintln!("warning: --save-server-cert {}: {e}", path.display());
                }
            });
        }
        if self.insecure_accept_any_server {
            eprintln!("warning: --insecure-accept-any-server: the server is NOT validated");
            b = b.danger_accept_any_server_certificate();
        }
        let file_log: Option<Arc<dyn rustls::KeyLog>> = match &self.keylog {
            Some(path) => {
                // The key log decrypts the tunnel: its owner's alone.
                let f = eap::unstable::capture::create_private(path, true)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Some(Arc::new(KeyLogTo(std::sync::Mutex::new(f))))
            }
            None => None,
        };
        let tap_log: Option<Arc<dyn rustls::KeyLog>> =
            tap.map(|t| Arc::new(t.clone()) as Arc<dyn rustls::KeyLog>);
        match (file_log, tap_log) {
            (Some(a), Some(b2)) => b = b.key_log(Arc::new(BothKeyLogs(a, b2))),
            (Some(a), None) | (None, Some(a)) => b = b.key_log(a),
            (None, None) => {}
        }
        if self.resume {
            b = b.session_cache(Arc::new(eap::tls::SessionCache::default()));
        }
        b.build().map_err(|e| e.to_string())
    }
}

/// Prints an event on stderr (for `--verbose`).
pub fn print_event(event: &Event) {
    print_event_at(event, None);
}

/// Prints an event on stderr with the milliseconds since the start (for `--verbose`), as
/// its `Display` writes it.
pub fn print_event_at(event: &Event, ms: Option<u64>) {
    if let Some(ms) = ms {
        eprint!("{ms:>7} ms ");
    }
    eprintln!("event: {event}");
}

pub use eap::unstable::report::hex;

/// Prints the notes shown without `-v` too, on stderr: the restart of `--restart-once`
/// (the outcome that follows is the second attempt's), an MSCHAPv2 retry
/// (`--retry-password`) and a password change (`--new-password`).
pub fn print_note(event: &Event) {
    match event {
        Event::Restarting { diagnosis, hold } => eprintln!(
            "note: restarting once after {} s: {diagnosis}",
            hold.as_secs()
        ),
        Event::PasswordRetry { .. } | Event::PasswordChanged => eprintln!("note: {event}"),
        _ => {}
    }
}

/// Prints `MSK=<hex>` for a success (stdout) or `error: <diagnosis>` (stderr); true on success.
pub fn report(outcome: &AuthOutcome) -> bool {
    match outcome {
        AuthOutcome::Authenticated(keys) => {
            println!("MSK={}", hex(keys.msk.expose()));
            true
        }
        AuthOutcome::AuthenticatedWithoutKeys { method } => {
            eprintln!("note: authenticated with {method}, which derives no keys (no MSK)");
            true
        }
        AuthOutcome::Failed(d) => {
            eprintln!("error: {d}");
            false
        }
    }
}

/// `der` as a PEM block with this label (base64, 64 characters a line).
pub fn pem_block(label: &str, der: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = Vec::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            text.push(if i <= chunk.len() {
                B64[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            });
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// An error and its sources, as one line (`a: b: c`).
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut line = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        line.push_str(&format!(": {s}"));
        source = s.source();
    }
    line
}
