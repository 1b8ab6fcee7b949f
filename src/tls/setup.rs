//! What both rustls connectors share: the per-connection `ClientConfig` (our verifier and
//! key log, SNI off, the time policy) and the translation of rustls errors into the
//! crate's own [`TlsFailure`].

use super::clock::{CertificateTime, RustlsTime};
use super::errors::protocol;
use super::keylog::SecretLog;
pub(crate) use super::verify::ChainSink;
use super::verify::{EapVerifier, Policy};
use super::{TlsFailure, TlsOffer, TlsVersion};
use crate::method_type::MethodType;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use once_cell::race::OnceBox;
use rustls::SignatureScheme;
use rustls::client::{ClientSessionStore, ResolvesClientCert, Resumption};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, KeyLog, SupportedProtocolVersion};

/// The settings a connector makes each connection from.
#[derive(Clone)]
pub(crate) struct ClientSetup {
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) versions: Vec<&'static SupportedProtocolVersion>,
    /// `None`: the explicit opt-out.
    pub(crate) policy: Option<Arc<Policy>>,
    time: CertificateTime,
    /// Who the server must be (CAs and name rule, hashed): with the method, the
    /// session-cache key ([`ClientSetup::cache_key`]).
    identity: [u8; 12],
    pub(crate) sessions: Option<Arc<dyn ClientSessionStore>>,
    /// The one verifier of all connections when sessions are resumed (rustls resumes only
    /// with the verifier that validated the session).
    shared_verifier: Option<Arc<EapVerifier>>,
    /// One for all connections, for the same reason: none, or our EAP-TLS certificate.
    client_auth: Arc<dyn ResolvesClientCert>,
    pub(crate) key_log: Option<Arc<dyn KeyLog>>,
    /// Who receives each server chain as received.
    pub(crate) chain_sink: Option<ChainSink>,
    /// What every connection's config is cloned from, built at the first connection after
    /// the last change: rustls's builder gives each config it makes an in-memory session
    /// cache (about 15 KB, and its hash table set up), which we replace at once anyway.
    template: OnceBox<ClientConfig>,
}

/// Tunnelled methods authenticate inside, not with a TLS client certificate.
#[derive(Debug)]
pub(crate) struct NoClientCertificate;

/// Our EAP-TLS certificate and key, for every handshake whose server asks.
#[derive(Debug)]
struct ClientCertificate(Arc<CertifiedKey>);

impl ResolvesClientCert for ClientCertificate {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

impl ResolvesClientCert for NoClientCertificate {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        None
    }

    fn has_certs(&self) -> bool {
        false
    }
}

impl core::fmt::Debug for ClientSetup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientSetup")
            .field("versions", &self.versions)
            .field("rule", &self.policy.as_ref().map(|p| &p.rule))
            .field("time", &self.time)
            .finish_non_exhaustive()
    }
}

impl ClientSetup {
    pub(crate) fn new(
        provider: Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
        policy: Option<Policy>,
        time: CertificateTime,
    ) -> Self {
        ClientSetup {
            identity: server_identity(policy.as_ref()),
            provider,
            versions: versions.to_vec(),
            policy: policy.map(Arc::new),
            time,
            sessions: None,
            shared_verifier: None,
            client_auth: Arc::new(NoClientCertificate),
            key_log: None,
            chain_sink: None,
            template: OnceBox::new(),
        }
    }

    /// Checks certificate dates with `time`.
    #[cfg(feature = "std")]
    pub(crate) fn set_time(&mut self, time: CertificateTime) {
        self.time = time;
        self.template = OnceBox::new();
    }

    /// Presents `key` when the server asks for a client certificate (EAP-TLS).
    pub(crate) fn set_client_certificate(&mut self, key: Arc<CertifiedKey>) {
        self.client_auth = Arc::new(ClientCertificate(key));
        self.template = OnceBox::new();
    }

    /// Resumes sessions from `store`: from now on all connections share one verifier.
    pub(crate) fn resume_from(&mut self, store: Arc<dyn ClientSessionStore>) {
        self.sessions = Some(store);
        self.shared_verifier = Some(Arc::new(self.new_verifier(false)));
        self.template = OnceBox::new();
    }

    fn new_verifier(&self, record: bool) -> EapVerifier {
        EapVerifier::new(
            self.policy.clone(),
            self.provider.clone(),
            self.time.clone(),
            record,
            self.chain_sink.clone(),
        )
    }

    /// A connection's config with its own verifier and secret log.
    pub(crate) fn config(
        &self,
        verifier: Arc<EapVerifier>,
        secrets: Option<Arc<SecretLog>>,
    ) -> Result<ClientConfig, TlsFailure> {
        let template = self
            .template
            .get_or_try_init(|| self.build(verifier.clone()).map(Box::new))?;
        let mut config = template.clone();
        config.dangerous().set_certificate_verifier(verifier);
        match (secrets, &self.key_log) {
            (Some(s), _) => config.key_log = s,
            (None, Some(k)) => config.key_log = k.clone(),
            (None, None) => {}
        }
        Ok(config)
    }

    /// A config of these settings (rustls's default key log: none).
    fn build(&self, verifier: Arc<EapVerifier>) -> Result<ClientConfig, TlsFailure> {
        let mut config = ClientConfig::builder_with_details(
            self.provider.clone(),
            Arc::new(RustlsTime(self.time.clone())),
        )
        .with_protocol_versions(&self.versions)
        .map_err(protocol)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(self.client_auth.clone());
        config.enable_sni = false;
        config.resumption = match &self.sessions {
            Some(store) => Resumption::store(store.clone()),
            None => Resumption::disabled(),
        };
        Ok(config)
    }

    /// The name a connection for `method` is made with: never sent (SNI is off), it is the
    /// key under which rustls stores and looks up the sessions to resume. With a session
    /// store it names the method and a digest of the server identity (CAs and name rule),
    /// so only a connection that would validate the same server the same way, for the
    /// same method, finds a session (rustls also resumes only with the verifier that
    /// validated it); without one it is a fixed placeholder.
    pub(crate) fn cache_key(&self, method: MethodType) -> ServerName<'static> {
        if self.sessions.is_none() {
            // No store: nothing is stored or looked up under the name (and it is never
            // sent), so every connection gets the same short one, not one built and
            // checked as a DNS name each time.
            return invalid_name("eap.invalid");
        }
        // Built by hand, not with `format!`: this runs on every connection.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        const SUFFIX: &str = ".eap.invalid";
        let mut name = alloc::string::String::with_capacity(5 + 2 * 12 + SUFFIX.len());
        name.push('m');
        let octet = method.type_octet();
        for digit in [octet / 100, octet / 10 % 10, octet % 10]
            .into_iter()
            .skip_while(|&d| d == 0)
        {
            name.push(char::from(b'0' + digit));
        }
        if octet == 0 {
            name.push('0');
        }
        name.push('-');
        for b in self.identity {
            name.push(char::from(HEX[usize::from(b >> 4)]));
            name.push(char::from(HEX[usize::from(b & 15)]));
        }
        name.push_str(SUFFIX);
        // A label of hex digits under `.invalid` is always a valid DNS name.
        ServerName::try_from(name).unwrap_or_else(|_| invalid_name("eap.invalid"))
    }

    /// The verifier of a new connection: its own, or the shared one.
    pub(crate) fn verifier(&self) -> Arc<EapVerifier> {
        match &self.shared_verifier {
            Some(v) => v.clone(),
            None => Arc::new(self.new_verifier(true)),
        }
    }

    pub(crate) fn offer(&self) -> TlsOffer {
        let mut versions: Vec<TlsVersion> = self
            .versions
            .iter()
            .map(|v| TlsVersion(u16::from(v.version)))
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        let cipher_suites = self
            .provider
            .cipher_suites
            .iter()
            .filter(|s| self.versions.iter().any(|v| s.version() == *v))
            .map(|s| u16::from(s.suite()))
            .collect();
        TlsOffer {
            versions,
            cipher_suites,
        }
    }
}

/// A digest of whom the connector trusts: the name rule (kind and name) and every CA
/// (subject and key), or the opt-out.
fn server_identity(policy: Option<&Policy>) -> [u8; 12] {
    use super::verify::ServerNameRule;
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let field = |h: &mut Sha256, bytes: &[u8]| {
        h.update((bytes.len() as u32).to_be_bytes());
        h.update(bytes);
    };
    match policy {
        None => field(&mut h, b"accept any server"),
        Some(p) => {
            fn rule(h: &mut Sha256, r: &ServerNameRule, field: &dyn Fn(&mut Sha256, &[u8])) {
                let (kind, name) = match r {
                    ServerNameRule::Exact(n) => (b"exact", n),
                    ServerNameRule::DomainSuffix(n) => (b"suffx", n),
                    ServerNameRule::Subject(n) => (b"subjt", n),
                    ServerNameRule::AnyOf(rules) | ServerNameRule::AllOf(rules) => {
                        let kind = if matches!(r, ServerNameRule::AnyOf(_)) {
                            b"anyof"
                        } else {
                            b"allof"
                        };
                        field(h, kind);
                        field(h, &(rules.len() as u32).to_be_bytes());
                        for r in rules {
                            rule(h, r, field);
                        }
                        return;
                    }
                };
                field(h, kind);
                field(h, name.to_ascii_lowercase().as_bytes());
            }
            rule(&mut h, &p.rule, &field);
            for anchor in &p.roots.roots {
                field(&mut h, anchor.subject.as_ref());
                field(&mut h, anchor.subject_public_key_info.as_ref());
            }
        }
    }
    let digest = h.finalize();
    let mut out = [0u8; 12];
    out.copy_from_slice(&digest[..12]);
    out
}

fn invalid_name(literal: &'static str) -> ServerName<'static> {
    // Both literals are valid DNS names; the fallback only satisfies the type.
    ServerName::try_from(literal).unwrap_or(ServerName::IpAddress(rustls::pki_types::IpAddr::V4(
        rustls::pki_types::Ipv4Addr::from([0, 0, 0, 0]),
    )))
}

/// What a configuration asks of the built-in connector.
pub(crate) struct ConnectorSpec {
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) versions: &'static [&'static SupportedProtocolVersion],
    /// The CAs and the name rule; `None`: the explicit opt-out (accept any server).
    pub(crate) policy: Option<(rustls::RootCertStore, super::ServerNameRule)>,
    /// `None`: the system clock (hosts); firmware must give one.
    pub(crate) time: Option<CertificateTime>,
    pub(crate) client: Option<Arc<CertifiedKey>>,
    pub(crate) key_log: Option<Arc<dyn KeyLog>>,
    pub(crate) sessions: Option<Arc<dyn ClientSessionStore>>,
    pub(crate) chain_sink: Option<ChainSink>,
}

/// The built-in connector for `spec`, the one the build selects: rustls's buffered
/// connection on hosts (feature `std`), its unbuffered connection in firmware. Both wrap
/// the same [`ClientSetup`], filled here once. `None` when there is none to make: without
/// std, no time policy was given (or no TLS backend is compiled in).
#[cfg_attr(
    not(any(feature = "std", feature = "unbuffered")),
    allow(unused_variables)
)]
pub(crate) fn builtin_connector(spec: ConnectorSpec) -> Option<Arc<dyn super::TlsConnector>> {
    let ConnectorSpec {
        provider,
        versions,
        policy,
        time,
        client,
        key_log,
        sessions,
        chain_sink,
    } = spec;
    // Hosts check dates against the system clock unless told otherwise; firmware has no
    // clock to fall back on.
    #[cfg(feature = "std")]
    let time = time.unwrap_or_default();
    #[cfg(not(feature = "std"))]
    let time = time?;
    let policy = policy.map(|(roots, rule)| Policy { roots, rule });
    let mut setup = ClientSetup::new(provider, versions, policy, time);
    if let Some(key) = client {
        setup.set_client_certificate(key);
    }
    setup.key_log = key_log;
    setup.chain_sink = chain_sink;
    // Last: the shared verifier it makes reads the rest.
    if let Some(store) = sessions {
        setup.resume_from(store);
    }
    #[cfg(feature = "std")]
    return Some(Arc::new(super::RustlsConnector::from_setup(setup)));
    #[cfg(all(not(feature = "std"), feature = "unbuffered"))]
    return Some(Arc::new(super::UnbufferedConnector::from_setup(setup)));
    #[cfg(not(any(feature = "std", feature = "unbuffered")))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
    // that); it stays the default and the firmware provider.
    #[allow(deprecated)]
    fn cache_key_is_the_method_octet_and_the_identity_in_hex() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut setup = ClientSetup::new(
            provider,
            &[&rustls::version::TLS12],
            None,
            CertificateTime::default(),
        );
        // Without a session store one name serves every connection.
        let without = setup.cache_key(MethodType::from_octet(25));
        assert_eq!(without, ServerName::try_from("eap.invalid").unwrap());
        setup.resume_from(Arc::new(rustls::client::ClientSessionMemoryCache::new(4)));
        let hex: alloc::string::String = setup
            .identity
            .iter()
            .map(|b| alloc::format!("{b:02x}"))
            .collect();
        for octet in [0u8, 4, 13, 25, 254] {
            let key = setup.cache_key(MethodType::from_octet(octet));
            let want = alloc::format!("m{octet}-{hex}.eap.invalid");
            assert_eq!(key, ServerName::try_from(want).unwrap());
        }
    }
}
