//! A whole PEAPv0 / EAP-MSCHAPv2 session in memory (our supplicant against the in-process
//! authenticator, both on rustls with the ring provider) next to the public-key and
//! MSCHAPv2 primitives that session cannot avoid, run alone: the floor.
//!
//! Two cases, as `benches/compare.sh` measures against FreeRADIUS:
//! - `tls12_rsa`: TLS 1.2, RSA-2048 chain (tests/data/rsa-*), ECDHE X25519;
//! - `tls13_ecdsa`: TLS 1.3, ECDSA P-256 chain (tests/data/ca.pem, server.pem), X25519.
//!
//! The floor of one session, both sides: two X25519 key pairs and agreements; the server's
//! one signature (RSA-PSS-SHA256 or ECDSA-P256-SHA256) and the client's two verifications
//! (the server certificate by the CA, through webpki, and the handshake signature); MSCHAPv2 on both sides (NT
//! password hash, NT-Response, Authenticator Response) and the MSK. Hashing of the transcript,
//! the key schedule and record encryption are left out of the floor, so the ratio
//! `session / floor` is an upper bound of what framing, state machines and copies add.
//! The ratios (fastest batch of each, same process) are printed after the criterion figures. Run with
//! `cargo bench --bench session` (or `-- --quick`).

use criterion::{Criterion, criterion_group, criterion_main};
use eap::testing::{AuthenticatorConfig, Pair};
use eap::tls::TlsVersion;
use eap::unstable::crypto::{mppe, mschapv2};
use rustls::SignatureScheme;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const USER: &str = "alice";
const PASSWORD: &str = "password";

/// One test chain of tests/data.
struct Case {
    name: &'static str,
    ca: CertificateDer<'static>,
    server: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    version: &'static rustls::SupportedProtocolVersion,
    tls_max: TlsVersion,
    scheme: SignatureScheme,
}

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn case(rsa: bool) -> Case {
    let (ca, cert, key) = if rsa {
        ("rsa-ca.pem", "rsa-server.pem", "rsa-server.key")
    } else {
        ("ca.pem", "server.pem", "server.key")
    };
    Case {
        name: if rsa { "tls12_rsa" } else { "tls13_ecdsa" },
        ca: CertificateDer::from_pem_slice(&data(ca)).unwrap(),
        server: CertificateDer::from_pem_slice(&data(cert)).unwrap(),
        key: PrivateKeyDer::from_pem_slice(&data(key)).unwrap(),
        version: if rsa {
            &rustls::version::TLS12
        } else {
            &rustls::version::TLS13
        },
        tls_max: if rsa {
            TlsVersion::TLS12
        } else {
            TlsVersion::TLS13
        },
        scheme: if rsa {
            SignatureScheme::RSA_PSS_SHA256
        } else {
            SignatureScheme::ECDSA_NISTP256_SHA256
        },
    }
}

// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Both sides' configurations, made once (as a device and a server make them once).
fn configs(c: &Case) -> (eap::Config, AuthenticatorConfig) {
    let tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[c.version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![c.server.clone(), c.ca.clone()], c.key.clone_key())
        .unwrap();
    let client = eap::Config::builder(USER)
        .anonymous_identity("anonymous@example.org")
        .password(PASSWORD)
        .ca_certificates([c.ca.clone()])
        .server_name("radius.example.org")
        .tls_max(c.tls_max)
        .build()
        .unwrap();
    (
        client,
        AuthenticatorConfig::new(Arc::new(tls), USER, PASSWORD),
    )
}

/// One whole session; panics unless both sides end with the same MSK.
fn session(name: &str, client: &eap::Config, server: &AuthenticatorConfig) {
    let out = Pair::new(client.clone(), server.clone()).run();
    let keys = out
        .keys()
        .unwrap_or_else(|| panic!("{name}: {:?}", out.diagnosis()));
    match out.server {
        Some(eap::testing::ServerOutcome::Accept(ref k)) => assert_eq!(k.msk, keys.msk),
        ref other => panic!("{name}: server {other:?}"),
    }
}

/// What the floor needs, made once: the signer and the two certificates.
struct Floor {
    provider: Arc<CryptoProvider>,
    signer: Box<dyn rustls::sign::Signer>,
    ca: CertificateDer<'static>,
    server: CertificateDer<'static>,
    hs_alg: &'static dyn rustls::pki_types::SignatureVerificationAlgorithm,
}

fn floor_setup(c: &Case) -> Floor {
    let provider = provider();
    let key = provider
        .key_provider
        .load_private_key(c.key.clone_key())
        .unwrap();
    let signer = key.choose_scheme(&[c.scheme]).unwrap();
    let hs_alg = provider
        .signature_verification_algorithms
        .mapping
        .iter()
        .find(|(s, _)| *s == c.scheme)
        .map(|(_, a)| a[0])
        .unwrap();
    Floor {
        provider: provider.clone(),
        signer,
        ca: c.ca.clone(),
        server: c.server.clone(),
        hs_alg,
    }
}

/// The floor of one session (see the module documentation).
fn floor(f: &Floor) {
    let group = f.provider.kx_groups[0];
    let a = group.start().unwrap();
    let b = group.start().unwrap();
    let (a_pub, b_pub) = (a.pub_key().to_vec(), b.pub_key().to_vec());
    black_box(a.complete(&b_pub).unwrap());
    black_box(b.complete(&a_pub).unwrap());
    let message = [0x5au8; 200];
    let sig = f.signer.sign(&message).unwrap();
    let anchor = webpki::anchor_from_trusted_cert(&f.ca).unwrap();
    let ee = webpki::EndEntityCert::try_from(&f.server).unwrap();
    ee.verify_for_usage(
        f.provider.signature_verification_algorithms.all,
        &[anchor],
        &[],
        rustls::pki_types::UnixTime::now(),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .unwrap();
    ee.verify_signature(f.hs_alg, &message, &sig).unwrap();
    let challenge = [0x21u8; 16];
    for _ in 0..2 {
        let hash = mschapv2::nt_password_hash(black_box(PASSWORD));
        let nt = mschapv2::generate_nt_response(&challenge, &challenge, USER.as_bytes(), &hash);
        black_box(mschapv2::generate_authenticator_response(
            &hash,
            &nt,
            &challenge,
            &challenge,
            USER.as_bytes(),
        ));
        black_box(mppe::mschapv2_msk(&hash, &nt));
    }
}

/// Time of one run of `f`: the fastest batch mean of 7 batches of 40 runs (the least
/// disturbed by other work on the machine), after one warm-up run.
fn fastest(mut f: impl FnMut()) -> Duration {
    f();
    (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..40 {
                f();
            }
            t.elapsed() / 40
        })
        .min()
        .unwrap_or_default()
}

fn benches(c: &mut Criterion) {
    let mut ratios = Vec::new();
    for rsa in [true, false] {
        let case = case(rsa);
        let fl = floor_setup(&case);
        let (client, server) = configs(&case);
        c.bench_function(&format!("session/{}", case.name), |b| {
            b.iter(|| session(case.name, &client, &server))
        });
        c.bench_function(&format!("floor/{}", case.name), |b| b.iter(|| floor(&fl)));
        let s = fastest(|| session(case.name, &client, &server));
        let f = fastest(|| floor(&fl));
        ratios.push((case.name, s, f));
    }
    for (name, s, f) in ratios {
        println!(
            "{name}: session {:.3} ms, floor {:.3} ms, session / floor = {:.2}",
            s.as_secs_f64() * 1e3,
            f.as_secs_f64() * 1e3,
            s.as_secs_f64() / f.as_secs_f64()
        );
    }
}

criterion_group!(session_benches, benches);
criterion_main!(session_benches);
