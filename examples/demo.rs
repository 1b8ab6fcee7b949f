//! One PEAPv0 / EAP-MSCHAPv2 authentication against the in-process authenticator, printing
//! every packet, every event and the keys. No network, no server to install:
//!
//! ```text
//! cargo run --example demo
//! ```

use eap::testing::{Authenticator, AuthenticatorConfig};
use eap::unstable::wire::eap::{Body, Eap};
use eap::{Config, Event, Input, Instant, Output, Supplicant};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

const CA: &[u8] = include_bytes!("../tests/data/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("../tests/data/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../tests/data/server.key");

use eap::unstable::report::hex;

fn describe(packet: &[u8]) -> String {
    match Eap::parse(packet) {
        Ok(Eap {
            code,
            identifier,
            body: Body::Typed { method, data },
        }) => {
            format!(
                "{code:?} id={identifier} {method} ({} octets of type data)",
                data.len()
            )
        }
        Ok(Eap {
            code, identifier, ..
        }) => format!("{code:?} id={identifier}"),
        Err(e) => format!("undecodable: {e}"),
    }
}

// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let chain = vec![
        CertificateDer::from_pem_slice(SERVER_CERT)?,
        CertificateDer::from_pem_slice(CA)?,
    ];
    let server_tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, PrivateKeyDer::from_pem_slice(SERVER_KEY)?)?;
    let mut server_config =
        AuthenticatorConfig::new(Arc::new(server_tls), "alice@example.org", "correct horse");
    server_config.cryptobinding = true;
    let mut authenticator = Authenticator::new(server_config);

    let config = Config::builder("alice@example.org")
        .anonymous_identity("anonymous@example.org")
        .password("correct horse")
        .ca_pem(CA)?
        .server_name("radius.example.org")
        .build()?;
    let mut now = Instant::ZERO;
    let mut supplicant = Supplicant::new(config, now);

    let mut to_peer = authenticator.start();
    let mut code = 1;
    while !supplicant.is_finished() {
        let mut to_server = Vec::new();
        for packet in to_peer.drain(..) {
            println!("<- {}", describe(&packet));
            supplicant.handle_input(Input::Packet { now, eap: &packet })?;
            loop {
                match supplicant.poll_output() {
                    Output::Transmit(p) => {
                        println!("-> {}", describe(&p));
                        to_server.push(p);
                    }
                    Output::Event(Event::Authenticated(keys)) => {
                        println!("Authenticated");
                        println!("MSK={}", hex(keys.msk.expose()));
                        println!("EMSK={}", hex(keys.emsk.expose()));
                        println!("Session-Id={}", hex(&keys.session_id));
                        println!("keys from cryptobinding: {}", keys.from_cryptobinding);
                        code = 0;
                    }
                    Output::Event(Event::Failed(d)) => println!("error: {d}"),
                    Output::Event(e) => println!("   event: {e:?}"),
                    Output::Idle { .. } => break,
                    _ => {}
                }
            }
        }
        if to_server.is_empty() {
            break;
        }
        for p in to_server {
            to_peer.extend(authenticator.handle(&p));
        }
        now = Instant::from_millis(now.as_millis() + 1);
    }
    std::process::exit(code);
}
