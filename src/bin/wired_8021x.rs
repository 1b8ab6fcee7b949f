//! Wired 802.1X: authenticates on an Ethernet interface with PEAPv0 (EAP-MSCHAPv2 or
//! EAP-GTC inside), EAP-TTLS, EAP-TLS or EAP-MD5, as `wpa_supplicant -D wired` does.
//! Needs root (or CAP_NET_RAW).
//!
//! ```text
//! wired_8021x --interface eth0 --identity alice@example.org --anonymous-identity anonymous@example.org \
//!     --password password --ca-cert ca.pem --server-name radius.example.org
//! ```
//!
//! Prints `MSK=<hex>` and `port: authorized` on success (exit 0); on failure the last line
//! on stderr is `error: <diagnosis>` (exit 1). Sends EAPOL-Logoff on exit.
//!
//! With `--reauth N` it stays on the port after the first success and answers the
//! authenticator's re-authentications (its reAuthPeriod), printing `MSK=<hex>` for each,
//! `reauth: K resumed` or `reauth: K full` after each success, and ends after N of them
//! (or when none comes within `--reauth-wait` seconds: an error). The port stays
//! authorized across successful re-authentications. `--resume` makes them resume the TLS
//! session.

#[path = "common/mod.rs"]
mod common;

use clap::Parser;
use eap::transport::EapolTimers;
use eap::transport::drive;
use eap::transport::{EapolTransport, PortState};
use eap::{Instant, Supplicant};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "wired_8021x",
    version,
    about = "802.1X supplicant on a wired Linux interface, as wpa_supplicant -D wired, with PEAP, EAP-TTLS, EAP-TLS or EAP-MD5, naming the cause of each failure"
)]
struct Cli {
    /// The Ethernet interface.
    #[arg(long, help_heading = "Port")]
    interface: String,
    /// Seconds between EAPOL-Starts while nobody answers.
    #[arg(long, help_heading = "Port", default_value_t = 30)]
    start_period: u64,
    /// EAPOL-Starts before giving up (no authenticator); `--timeout` only starts counting
    /// when the authenticator answers.
    #[arg(long, help_heading = "Port", default_value_t = 3)]
    max_starts: u32,
    /// After the first success, answer this many re-authentications, then exit.
    #[arg(long, help_heading = "Port", default_value_t = 0)]
    reauth: u32,
    /// Seconds to wait for each re-authentication.
    #[arg(long, help_heading = "Port", default_value_t = 3600)]
    reauth_wait: u64,
    #[command(flatten)]
    auth: common::AuthArgs,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let tap = match cli.auth.tap() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = match cli.auth.config(tap.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The identity lint, before anything is sent.
    let _ = cli.auth.lint(&config);
    let timers = EapolTimers::new(Duration::from_secs(cli.start_period), cli.max_starts);
    let mut transport = match EapolTransport::open(&cli.interface, timers) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(t) = &tap {
        transport.set_tap(t.clone());
    }
    let verbose = cli.auth.verbose;
    if verbose {
        transport.on_port_state(|state| eprintln!("event: port {state:?}"));
        let mac = transport.mac().map(|b| format!("{b:02x}")).join(":");
        eprintln!("interface {}: {mac}", cli.interface);
    }
    let mut supplicant = Supplicant::new(config, Instant::ZERO);
    let outcome = drive(&mut supplicant, &mut transport, |e| {
        if verbose {
            common::print_event(e)
        }
        common::print_note(e);
    });
    let mut ok = match outcome {
        Ok(o) => common::report(&o),
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    };
    for k in 1..=cli.reauth {
        if !ok {
            break;
        }
        let mut resumed = false;
        let until = std::time::Instant::now() + Duration::from_secs(cli.reauth_wait);
        let outcome = eap::transport::reauthenticate(&mut supplicant, &mut transport, until, |e| {
            if verbose {
                common::print_event(e)
            }
            if let eap::Event::TunnelUp { resumed: r, .. } = e {
                resumed = *r;
            }
        });
        ok = match outcome {
            Ok(Some(o)) => common::report(&o),
            Ok(None) => {
                eprintln!(
                    "error: no re-authentication {k} within {} s",
                    cli.reauth_wait
                );
                false
            }
            Err(e) => {
                eprintln!("error: {e}");
                false
            }
        };
        if ok {
            println!("reauth: {k} {}", if resumed { "resumed" } else { "full" });
        }
    }
    println!(
        "port: {}",
        match transport.port_state() {
            PortState::Authorized => "authorized",
            PortState::Unauthorized => "unauthorized",
        }
    );
    // EAPOL-Logoff goes out when the transport is dropped: record it too.
    drop(transport);
    if let Some(t) = &tap {
        if let Err(e) = t.finish() {
            eprintln!("warning: --pcap: {e}");
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
