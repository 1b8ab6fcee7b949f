//! The matrix of authentications: every method, on RSA-2048, ECDSA P-256 and P-384 server
//! chains, TLS 1.2 and 1.3, a full handshake and then a resumed one, each between
//! `eap::Supplicant` on the no_std tunnel and the crate's test authenticator (rustls's
//! unbuffered server), with the client's heap counted apart and each `handle_input`'s stack
//! measured.

use crate::heap::{self, Side};
use crate::out;
use crate::stack;
use crate::store::{ClientStore, ServerStore};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;
use eap::testing::{Authenticator, AuthenticatorConfig, ServerOutcome};
use eap::tls::TlsVersion;
use eap::{Config, Event, Input, Instant, Keys, MethodType, Output, Supplicant, TtlsInner};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};

/// 2027-01-01: the clock of the TLS 1.2 cases.
pub(crate) const NOW: u64 = 1_798_761_600;
/// 2026-12-01: the floor of the TLS 1.3 cases (no clock; a firmware build date).
const FLOOR: u64 = 1_796_083_200;

const USER: &str = "alice@example.org";
const PASSWORD: &str = "correct horse";
pub(crate) const SERVER_NAME: &str = "radius.example.org";

#[derive(Debug)]
pub(crate) struct FixedTime(pub(crate) u64);

impl rustls::time_provider::TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(self.0)))
    }
}

/// One server chain: CA, server certificate and key (PEM).
pub(crate) struct Chain {
    pub(crate) name: &'static str,
    /// RSA (budgeted apart: larger certificates and signatures).
    pub(crate) rsa: bool,
    pub(crate) ca: &'static [u8],
    cert: &'static [u8],
    key: &'static [u8],
}

pub(crate) const RSA: Chain = Chain {
    name: "RSA-2048",
    rsa: true,
    ca: include_bytes!("../../tests/data/rsa-ca.pem"),
    cert: include_bytes!("../../tests/data/rsa-server.pem"),
    key: include_bytes!("../../tests/data/rsa-server.key"),
};

pub(crate) const P256: Chain = Chain {
    name: "ECDSA P-256",
    rsa: false,
    ca: include_bytes!("../../tests/data/ca.pem"),
    cert: include_bytes!("../../tests/data/server.pem"),
    key: include_bytes!("../../tests/data/server.key"),
};

const P384: Chain = Chain {
    name: "ECDSA P-384",
    rsa: false,
    ca: include_bytes!("../data/p384-ca.pem"),
    cert: include_bytes!("../data/p384-server.pem"),
    key: include_bytes!("../data/p384-server.key"),
};

pub(crate) const CHAINS: [&Chain; 3] = [&RSA, &P256, &P384];

/// The EAP-TLS device: a P-256 certificate and key, issued by the P-384 CA.
const DEVICE_CERT: &[u8] = include_bytes!("../data/device.pem");
const DEVICE_KEY: &[u8] = include_bytes!("../data/device.key");
const DEVICE_CA: &[u8] = include_bytes!("../data/p384-ca.pem");

/// A method as a device configures it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    PeapMschapv2,
    PeapGtc,
    TtlsPap,
    TtlsMschapv2,
    TtlsEapMschapv2,
    EapTls,
}

pub(crate) const METHODS: [Method; 6] = [
    Method::PeapMschapv2,
    Method::PeapGtc,
    Method::TtlsPap,
    Method::TtlsMschapv2,
    Method::TtlsEapMschapv2,
    Method::EapTls,
];

impl Method {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::PeapMschapv2 => "PEAP/MSCHAPv2",
            Method::PeapGtc => "PEAP/GTC",
            Method::TtlsPap => "TTLS/PAP",
            Method::TtlsMschapv2 => "TTLS/MSCHAPv2",
            Method::TtlsEapMschapv2 => "TTLS/EAP-MSCHAPv2",
            Method::EapTls => "EAP-TLS",
        }
    }

    fn outer(self) -> MethodType {
        match self {
            Method::PeapMschapv2 | Method::PeapGtc => MethodType::Peap,
            Method::TtlsPap | Method::TtlsMschapv2 | Method::TtlsEapMschapv2 => MethodType::Ttls,
            Method::EapTls => MethodType::Tls,
        }
    }
}

/// Whether the second authentication resumes. Not TTLS/PAP over TLS 1.3: there the test
/// authenticator answers the inner credentials (sent with the client's Finished) with
/// EAP-Success at once, so its TLS 1.3 tickets, which rustls writes after
/// the client's Finished, are never delivered and there is nothing to resume.
pub(crate) fn resumes(method: Method, tls13: bool) -> bool {
    !(tls13 && method == Method::TtlsPap)
}

/// What one authentication measured.
pub(crate) struct Run {
    /// Peak client heap, the configuration included.
    pub(crate) peak: usize,
    /// Deepest `handle_input` / `poll_output` call.
    pub(crate) stack: usize,
    pub(crate) version: TlsVersion,
    pub(crate) resumed: bool,
}

// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the firmware provider.
#[allow(deprecated)]
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The test server for `chain` and `method`, with a session store (resumption).
pub(crate) fn server_tls(
    chain: &Chain,
    method: Method,
) -> Result<Arc<rustls::ServerConfig>, &'static str> {
    let cert = CertificateDer::from_pem_slice(chain.cert).map_err(|_| "server certificate")?;
    let ca = CertificateDer::from_pem_slice(chain.ca).map_err(|_| "CA certificate")?;
    let key = PrivateKeyDer::from_pem_slice(chain.key).map_err(|_| "server key")?;
    let builder = rustls::ServerConfig::builder_with_details(provider(), Arc::new(FixedTime(NOW)))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|_| "server versions")?;
    let builder = if method == Method::EapTls {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(DEVICE_CA).map_err(|_| "device CA")?)
            .map_err(|_| "device CA")?;
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .map_err(|_| "client verifier")?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut tls = builder
        .with_single_cert(alloc::vec![cert, ca], key)
        .map_err(|_| "server certificate and key")?;
    tls.session_storage = Arc::new(ServerStore::new());
    Ok(Arc::new(tls))
}

fn server_config(tls: Arc<rustls::ServerConfig>, method: Method) -> AuthenticatorConfig {
    let mut config = AuthenticatorConfig::new(tls, USER, PASSWORD);
    config.method = method.outer();
    // PEAP: cryptobinding, so the keys are the compound ones (checked below).
    config.cryptobinding = method.outer() == MethodType::Peap;
    if method == Method::PeapGtc {
        config.knobs.inner_method = Some(MethodType::Gtc);
    }
    config
}

/// The firmware's configuration: the CA, the name rule, a provider, a time policy, the
/// method (and the session store when it resumes).
pub(crate) fn client_config(
    chain: &Chain,
    method: Method,
    tls13: bool,
    store: &Arc<ClientStore>,
) -> Result<Config, &'static str> {
    let builder = Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .password(PASSWORD)
        .ca_pem(chain.ca)
        .map_err(|_| "CA PEM")?
        .server_name(SERVER_NAME)
        .crypto_provider(provider())
        .methods([method.outer()])
        .session_cache(store.clone());
    let builder = match method {
        Method::PeapGtc => builder.inner_methods([MethodType::Gtc]),
        Method::TtlsPap => builder.ttls_inner(TtlsInner::Pap),
        Method::TtlsMschapv2 => builder.ttls_inner(TtlsInner::MsChapV2),
        Method::TtlsEapMschapv2 => builder.ttls_inner(TtlsInner::EapMsChapV2),
        Method::EapTls => builder.client_pem(DEVICE_CERT, DEVICE_KEY),
        Method::PeapMschapv2 => builder,
    };
    let builder = if tls13 {
        builder.tls_max(TlsVersion::TLS13).no_clock(FLOOR)
    } else {
        builder.tls_max(TlsVersion::TLS12).unix_time(NOW)
    };
    builder.build().map_err(|_| "client configuration")
}

/// One authentication with `config` (the device's, reused for each re-authentication, so
/// that a session stored in its cache can resume: rustls resumes only with the verifier
/// that validated the session). `baseline` is the client's live heap before the device
/// made its configuration and session store, so the peak counts what the device keeps as
/// well as what the session allocates.
pub(crate) fn authenticate(
    method: Method,
    config: &Config,
    server_tls: &Arc<rustls::ServerConfig>,
    baseline: usize,
) -> Result<Run, &'static str> {
    let server = server_config(server_tls.clone(), method);
    heap::reset_peak(Side::Client);
    let config = heap::as_side(Side::Client, || config.clone());
    let mut server = Authenticator::new(server);
    let mut to_client: VecDeque<Vec<u8>> = server.start().into();
    let mut supplicant = heap::as_side(Side::Client, || Supplicant::new(config, Instant::ZERO));
    let mut keys: Option<Keys> = None;
    let mut tunnel = None;
    let mut now = Instant::ZERO;
    let mut deepest = 0;
    for _round in 0..200 {
        let mut to_server = Vec::new();
        while let Some(packet) = to_client.pop_front() {
            now = now + Duration::from_millis(5);
            let (r, used) = heap::as_side(Side::Client, || {
                stack::measure(|| supplicant.handle_input(Input::Packet { now, eap: &packet }))
            });
            deepest = deepest.max(used);
            r.map_err(|_| "time went backwards")?;
            loop {
                let (output, used) =
                    heap::as_side(Side::Client, || stack::measure(|| supplicant.poll_output()));
                deepest = deepest.max(used);
                match output {
                    Output::Transmit(p) => to_server.push(p),
                    Output::Event(Event::Authenticated(k)) => keys = Some(k),
                    Output::Event(Event::TunnelUp {
                        version, resumed, ..
                    }) => tunnel = Some((version, resumed)),
                    Output::Event(Event::Failed(d)) => {
                        out::line(&alloc::format!("client failed: {d}"));
                        return Err("authentication failed");
                    }
                    Output::Idle { .. } => break,
                    _ => {}
                }
            }
        }
        for p in to_server {
            to_client.extend(server.handle(&p));
        }
        if supplicant.is_finished() && server.outcome().is_some() && to_client.is_empty() {
            break;
        }
    }
    let peak = heap::peak(Side::Client) - baseline;
    let keys = keys.ok_or("no keys")?;
    let Some(ServerOutcome::Accept(server_keys)) = server.outcome() else {
        return Err("the server did not accept");
    };
    if keys.msk != server_keys.msk || keys.emsk != server_keys.emsk {
        return Err("MSK or EMSK differ between client and server");
    }
    if server_keys.session_id.is_empty() || keys.session_id != server_keys.session_id {
        return Err("Session-Id differs between client and server");
    }
    let (version, resumed) = tunnel.ok_or("no tunnel")?;
    // PEAP's keys are the compound ones when the inner method ran (not on a resumption,
    // where the server may skip it).
    if method.outer() == MethodType::Peap && !resumed && !keys.from_cryptobinding {
        return Err("PEAP keys do not come from cryptobinding");
    }
    drop(keys);
    heap::as_side(Side::Client, || drop(supplicant));
    Ok(Run {
        peak,
        stack: deepest,
        version,
        resumed,
    })
}
