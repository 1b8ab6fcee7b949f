//! The run loop of an 802.1X EAPOL driver in firmware, written the way firmware would
//! write it: only the crate's no_std API (`Supplicant`, `Config`, the no-clock policy, a
//! crypto provider it brings), frames in, frames out, and the PMK out to the 4-way
//! handshake at the end.
//!
//! Firmware has no `main` and no sockets; here a tiny in-memory "radio" stands in for the
//! Wi-Fi driver so the example runs on a host (`cargo run --example firmware_loop`): it
//! carries EAPOL frames to and from the crate's test authenticator. Everything above the
//! `Radio` trait is what a firmware's EAP task would contain.

use eap::testing::{Authenticator, AuthenticatorConfig};
use eap::tls::TlsVersion;
use eap::{Config, Event, Input, Instant, Output, Supplicant};
use eap::{Eapol, EapolType};
use std::sync::Arc;

/// What the firmware's Wi-Fi driver offers the EAP task.
trait Radio {
    /// Sends one EAPOL frame body (802.1X header + EAP) to the access point.
    fn send_eapol(&mut self, frame: &[u8]);
    /// The next EAPOL frame from the access point, if one arrived by `deadline`.
    fn receive_eapol(&mut self, deadline: Option<Instant>) -> Option<Vec<u8>>;
    /// The monotonic clock, in milliseconds since boot.
    fn now(&self) -> Instant;
    /// Hands the PMK (first 32 octets of the MSK) to the 4-way handshake.
    fn install_pmk(&mut self, pmk: &[u8]);
}

/// The EAP task: configure once, then frames in, frames out, until the PMK is out.
fn eap_task(radio: &mut impl Radio, config: Config) -> Result<(), Box<eap::Diagnosis>> {
    let mut supplicant = Supplicant::new(config, radio.now());
    // EAPOL-Start: ask the authenticator for its Identity request (IEEE 802.1X §11.3).
    radio.send_eapol(&Eapol::bare(EapolType::Start).to_vec());
    loop {
        let deadline = loop {
            match supplicant.poll_output() {
                Output::Transmit(eap) => radio.send_eapol(&Eapol::eap(&eap).to_vec()),
                Output::Event(Event::Authenticated(keys)) => {
                    radio.install_pmk(&keys.msk.expose()[..32]);
                    return Ok(());
                }
                Output::Event(Event::Failed(diagnosis)) => return Err(Box::new(diagnosis)),
                Output::Event(Event::CertificateDatesNotChecked { .. }) => {
                    // No clock yet: the firmware may re-check the date once SNTP answers.
                }
                Output::Event(_) => {}
                Output::Idle { next_timeout } => break next_timeout,
                _ => {}
            }
        };
        let input = match radio.receive_eapol(deadline) {
            Some(frame) => match Eapol::parse(&frame) {
                Ok(f) if f.packet_type == EapolType::EapPacket => {
                    supplicant
                        .handle_input(Input::Packet {
                            now: radio.now(),
                            eap: f.body,
                        })
                        .ok();
                    continue;
                }
                _ => continue, // EAPOL-Key and others go to the 4-way handshake code.
            },
            None => Input::Timeout { now: radio.now() },
        };
        supplicant.handle_input(input).ok();
    }
}

/// The firmware's configuration: the CA it ships, the RADIUS server's name, the chip's
/// crypto provider (with its entropy source), and no clock (the floor is the build date).
// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn firmware_config() -> Config {
    Config::builder("alice@example.org")
        .anonymous_identity("anonymous@example.org")
        .password("correct horse")
        .ca_pem(include_bytes!("../tests/data/ca.pem"))
        .expect("the CA that ships with the firmware")
        .server_name("radius.example.org")
        .crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .tls_max(TlsVersion::TLS13)
        .no_clock(1_796_083_200) // 2026-12-01, the build date
        .build()
        .expect("a complete configuration")
}

/// The stand-in radio: an access point that relays to the test authenticator.
struct MemoryRadio {
    server: Authenticator,
    inbox: std::collections::VecDeque<Vec<u8>>,
    clock_ms: u64,
    pmk: Option<Vec<u8>>,
}

impl Radio for MemoryRadio {
    fn send_eapol(&mut self, frame: &[u8]) {
        let Ok(f) = Eapol::parse(frame) else { return };
        let replies = match f.packet_type {
            EapolType::Start => self.server.start(),
            EapolType::EapPacket => self.server.handle(f.body),
            _ => Vec::new(),
        };
        for eap in replies {
            self.inbox.push_back(Eapol::eap(&eap).to_vec());
        }
    }

    fn receive_eapol(&mut self, _deadline: Option<Instant>) -> Option<Vec<u8>> {
        self.clock_ms += 3;
        self.inbox.pop_front()
    }

    fn now(&self) -> Instant {
        Instant::from_millis(self.clock_ms)
    }

    fn install_pmk(&mut self, pmk: &[u8]) {
        self.pmk = Some(pmk.to_vec());
    }
}

// ring has no post-quantum key exchange (rustls 0.23.48 deprecates its provider for
// that); it stays the default and the firmware provider.
#[allow(deprecated)]
fn main() {
    let pem = |p: &[u8]| rustls::pki_types::CertificateDer::from_pem_slice(p).unwrap();
    use rustls::pki_types::pem::PemObject;
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![
            pem(include_bytes!("../tests/data/server.pem")),
            pem(include_bytes!("../tests/data/ca.pem")),
        ],
        rustls::pki_types::PrivateKeyDer::from_pem_slice(include_bytes!(
            "../tests/data/server.key"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut radio = MemoryRadio {
        server: Authenticator::new(AuthenticatorConfig::new(
            Arc::new(tls),
            "alice@example.org",
            "correct horse",
        )),
        inbox: Default::default(),
        clock_ms: 0,
        pmk: None,
    };
    match eap_task(&mut radio, firmware_config()) {
        Ok(()) => println!(
            "PMK installed ({} octets) after {} ms",
            radio.pmk.map_or(0, |p| p.len()),
            radio.clock_ms
        ),
        Err(d) => {
            eprintln!("error: {d}");
            std::process::exit(1);
        }
    }
}
