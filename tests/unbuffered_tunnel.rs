//! The no_std tunnel (rustls's unbuffered client connection, keys from its key log) checked
//! on the host: its exports equal rustls's own `export_keying_material` on the server side
//! for every suite of the ring provider, TLS 1.2 and 1.3, full and resumed handshakes; it
//! refuses to export before the handshake is done; and whole PEAP authentications run
//! through it with the same keys on both sides.

mod common;

use common::*;
use eap::Event;
use eap::testing::{AuthenticatorConfig, Pair};
use eap::tls::{CertificateTime, ServerNameRule, TlsConnector, TlsTunnel, UnbufferedConnector};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{HandshakeKind, RootCertStore, ServerConnection, SupportedCipherSuite};
use std::sync::Arc;

/// A chain made by openssl (RSA-2048) or by the ECDSA P-256 test CA.
struct Chain {
    ca: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

fn data(name: &str) -> Vec<u8> {
    std::fs::read(root_dir().join("tests/data").join(name)).unwrap()
}

fn root_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chain(rsa: bool) -> Chain {
    let (ca, cert, key) = if rsa {
        ("rsa-ca.pem", "rsa-server.pem", "rsa-server.key")
    } else {
        ("ca.pem", "server.pem", "server.key")
    };
    let ca = CertificateDer::from_pem_slice(&data(ca)).unwrap();
    Chain {
        chain: vec![
            CertificateDer::from_pem_slice(&data(cert)).unwrap(),
            ca.clone(),
        ],
        ca,
        key: PrivateKeyDer::from_pem_slice(&data(key)).unwrap(),
    }
}

/// The ring provider restricted to one suite.
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn provider_with(suite: SupportedCipherSuite) -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        cipher_suites: vec![suite],
        ..rustls::crypto::ring::default_provider()
    })
}

fn versions_of(
    suite: SupportedCipherSuite,
) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match suite {
        SupportedCipherSuite::Tls12(_) => &TLS12,
        SupportedCipherSuite::Tls13(_) => &TLS13,
    }
}

fn connector(chain: &Chain, suite: SupportedCipherSuite) -> UnbufferedConnector {
    let mut roots = RootCertStore::empty();
    roots.add(chain.ca.clone()).unwrap();
    UnbufferedConnector::new(
        provider_with(suite),
        versions_of(suite),
        roots,
        ServerNameRule::Exact(SERVER_NAME.into()),
        CertificateTime::default(),
    )
    .with_session_store(Arc::new(rustls::client::ClientSessionMemoryCache::new(4)))
}

fn server_config(chain: &Chain, suite: SupportedCipherSuite) -> Arc<rustls::ServerConfig> {
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider_with(suite))
            .with_protocol_versions(versions_of(suite))
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain.chain.clone(), chain.key.clone_key())
            .unwrap(),
    )
}

/// Runs the handshake to the end (and delivers the server's tickets), in memory.
fn handshake(client: &mut dyn TlsTunnel, server: &mut ServerConnection) {
    for _ in 0..10 {
        let mut to_server = Vec::new();
        client.take_outgoing(&mut to_server);
        let mut rd = &to_server[..];
        while !rd.is_empty() {
            server.read_tls(&mut rd).unwrap();
            server.process_new_packets().unwrap();
        }
        let mut to_client = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut to_client).unwrap();
        }
        if to_server.is_empty() && to_client.is_empty() {
            break;
        }
        client.receive(&to_client).unwrap();
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());
}

/// An exporter request: label, context, length.
type ExportCase = (&'static [u8], Option<&'static [u8]>, usize);

/// Every export the tunnel is asked for, compared with rustls's exporter.
fn assert_exports_equal(client: &dyn TlsTunnel, server: &ServerConnection, what: &str) {
    let cases: [ExportCase; 5] = [
        (b"client EAP encryption", None, 128),
        (b"EXPORTER_EAP_TLS_Key_Material", Some(&[0x19]), 128),
        (b"EXPORTER_EAP_TLS_Method-Id", Some(&[0x19]), 64),
        (b"EXPERIMENTAL eap test label", Some(b"a context"), 40),
        (b"EXPERIMENTAL eap test label", Some(&[]), 40),
    ];
    for (label, context, len) in cases {
        let mut ours = vec![0u8; len];
        let mut theirs = vec![0u8; len];
        client.export(label, context, &mut ours).unwrap();
        server
            .export_keying_material(&mut theirs, label, context)
            .unwrap();
        assert_eq!(
            ours,
            theirs,
            "{what}: {} with context {context:?}",
            String::from_utf8_lossy(label)
        );
        assert_ne!(ours, vec![0u8; len], "{what}: nothing exported");
    }
}

#[test]
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn exports_equal_rustls_for_every_suite_full_and_resumed() {
    let rsa = chain(true);
    let ecdsa = chain(false);
    let suites = rustls::crypto::ring::default_provider().cipher_suites;
    assert_eq!(
        suites.len(),
        9,
        "ring offers 3 TLS 1.3 and 6 TLS 1.2 suites"
    );
    for suite in suites {
        let name = format!("{:?}", suite.suite());
        let chain = if name.contains("_RSA_") { &rsa } else { &ecdsa };
        let connector = connector(chain, suite);
        let config = server_config(chain, suite);
        for (round, expected) in [(0, HandshakeKind::Full), (1, HandshakeKind::Resumed)] {
            let mut client = connector.connect(eap::MethodType::Peap).unwrap();
            let mut server = ServerConnection::new(config.clone()).unwrap();
            handshake(client.as_mut(), &mut server);
            assert_eq!(
                server.handshake_kind(),
                Some(expected),
                "{name} round {round}"
            );
            assert_eq!(
                client.resumed(),
                expected == HandshakeKind::Resumed,
                "{name} round {round}: the tunnel says whether it resumed"
            );
            let (_, negotiated) = client.negotiated().unwrap();
            assert_eq!(negotiated, u16::from(suite.suite()), "{name}");
            assert_exports_equal(client.as_ref(), &server, &format!("{name} {expected:?}"));
            if round == 0 {
                let (cert, validated) = client.server_certificate().unwrap();
                assert!(validated, "{name}");
                assert_eq!(cert.dns_names, [SERVER_NAME]);
            }
        }
    }
}

#[test]
fn no_export_before_the_handshake_is_done() {
    let chain = chain(false);
    let suite = rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256;
    let tunnel = connector(&chain, suite)
        .connect(eap::MethodType::Peap)
        .unwrap();
    let mut out = [0u8; 32];
    assert!(
        tunnel
            .export(b"client EAP encryption", None, &mut out)
            .is_err()
    );
    assert_eq!(out, [0u8; 32]);
}

/// A client configuration whose TLS is the no_std tunnel.
fn unbuffered_client(chain: &Chain, tls13: bool) -> eap::Config {
    let mut roots = RootCertStore::empty();
    roots.add(chain.ca.clone()).unwrap();
    let versions: &[&'static rustls::SupportedProtocolVersion] = if tls13 {
        &[&rustls::version::TLS13]
    } else {
        &[&rustls::version::TLS12]
    };
    let connector = UnbufferedConnector::new(
        provider(),
        versions,
        roots,
        ServerNameRule::Exact(SERVER_NAME.into()),
        CertificateTime::NoClock {
            floor: 1_796_083_200,
        }, // 2026-12-01
    );
    eap::Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .password(PASSWORD)
        .tls_connector(Arc::new(connector))
        .build()
        .unwrap()
}

#[test]
fn peap_through_the_unbuffered_tunnel_tls12_rsa_and_tls13_ecdsa() {
    for (rsa, tls13) in [(true, false), (false, true)] {
        let chain = chain(rsa);
        let tls = server_tls_with(
            &ServerCert {
                chain: chain.chain.clone(),
                key: chain.key.clone_key(),
            },
            provider(),
            &[&rustls::version::TLS13, &rustls::version::TLS12],
        );
        let mut server = AuthenticatorConfig::new(tls, USER, PASSWORD);
        server.cryptobinding = true;
        let out = Pair::new(unbuffered_client(&chain, tls13), server).run();
        let keys = out
            .keys()
            .unwrap_or_else(|| panic!("{:?}", out.diagnosis()));
        let Some(eap::testing::ServerOutcome::Accept(server_keys)) = &out.server else {
            panic!("server did not accept: {:?}", out.server);
        };
        assert_eq!(keys, server_keys, "rsa {rsa} tls13 {tls13}");
        assert_eq!(keys.session_id.len(), 65);
        assert!(keys.from_cryptobinding);
        let version = out.events.iter().find_map(|e| match e {
            Event::TunnelUp { version, .. } => Some(*version),
            _ => None,
        });
        assert_eq!(
            version,
            Some(if tls13 {
                eap::tls::TlsVersion::TLS13
            } else {
                eap::tls::TlsVersion::TLS12
            })
        );
        assert!(out.events.iter().any(|e| matches!(
            e,
            Event::CertificateDatesNotChecked {
                floor: 1_796_083_200
            }
        )));
    }
}

/// A key log that keeps the labels it was given.
#[derive(Debug, Default)]
struct Labels(std::sync::Mutex<Vec<String>>);

impl rustls::KeyLog for Labels {
    fn log(&self, label: &str, _client_random: &[u8], _secret: &[u8]) {
        self.0.lock().unwrap().push(label.to_string());
    }
}

#[test]
fn a_users_key_log_still_gets_every_line() {
    let chain = chain(false);
    for suite in [
        rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256,
        rustls::crypto::ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ] {
        let labels = Arc::new(Labels::default());
        let connector = connector(&chain, suite).with_key_log(labels.clone());
        let mut client = connector.connect(eap::MethodType::Peap).unwrap();
        let mut server = ServerConnection::new(server_config(&chain, suite)).unwrap();
        handshake(client.as_mut(), &mut server);
        assert_exports_equal(client.as_ref(), &server, &format!("{:?}", suite.suite()));
        let got = labels.0.lock().unwrap().clone();
        let want: &[&str] = match suite {
            SupportedCipherSuite::Tls12(_) => &["CLIENT_RANDOM"],
            SupportedCipherSuite::Tls13(_) => &[
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0",
                "SERVER_TRAFFIC_SECRET_0",
                "EXPORTER_SECRET",
            ],
        };
        for label in want {
            assert!(
                got.iter().any(|g| g == label),
                "{label} missing from {got:?}"
            );
        }
    }
}
