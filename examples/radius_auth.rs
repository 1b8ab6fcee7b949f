//! An eapol_test-style RADIUS client: authenticates with PEAPv0 / EAP-MSCHAPv2 against a
//! RADIUS server, as a NAS (access point or switch) would relay it.
//!
//! ```text
//! radius_auth --server 127.0.0.1:1812 --secret testing123 --identity alice \
//!     --anonymous-identity anonymous --password password \
//!     --ca-cert ca.pem --server-name radius.example.test [--count N] [--tls-max 1.2|1.3] \
//!     [--fragment-size N] [--timeout SECS]
//! ```
//!
//! For each successful authentication it prints `MSK=<128 lowercase hex>` (after checking
//! the MS-MPPE keys of the Access-Accept against it) and exits 0 when all succeeded. On a
//! failure it exits 1 and the last line on stderr is `error: <the diagnosis>`.

#[path = "common/mod.rs"]
mod common;

use clap::Parser;
use eap::transport::radius::{RadiusConfig, RadiusTransport};
use eap::transport::{Outcome, drive};
use eap::{Instant, Supplicant};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(about = "PEAPv0 / EAP-MSCHAPv2 against a RADIUS server, like eapol_test")]
struct Cli {
    /// The RADIUS server, HOST:PORT.
    #[arg(long)]
    server: String,
    /// The RADIUS shared secret.
    #[arg(long)]
    secret: String,
    /// Authentications to run, one after the other, in this process.
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// Seconds before an unanswered Access-Request is sent again.
    #[arg(long, default_value_t = 3)]
    retry_interval: u64,
    /// Access-Requests sent in all before giving up on a reply.
    #[arg(long, default_value_t = 3)]
    attempts: u32,
    /// Calling-Station-Id sent in every Access-Request.
    #[arg(long, default_value = "02-00-00-00-00-01")]
    calling_station_id: String,
    #[command(flatten)]
    auth: common::AuthArgs,
}

fn run(cli: &Cli) -> Result<(), String> {
    let tap = cli.auth.tap()?;
    let config = cli.auth.config(tap.as_ref())?;
    let mut rc = RadiusConfig::resolve(&cli.server, cli.secret.as_bytes())
        .map_err(|e| format!("{}: {e}", cli.server))?;
    rc.retry_interval = Duration::from_secs(cli.retry_interval);
    rc.attempts = cli.attempts.max(1);
    rc.calling_station_id = cli.calling_station_id.clone();
    let mut transport =
        RadiusTransport::new(rc, config.crypto_provider()).map_err(|e| e.to_string())?;
    if let Some(t) = &tap {
        transport.set_tap(t.clone());
    }
    let result = authenticate(cli, &config, &mut transport);
    if let Some(t) = &tap {
        t.finish().map_err(|e| format!("--pcap: {e}"))?;
    }
    result
}

fn authenticate(
    cli: &Cli,
    config: &eap::Config,
    transport: &mut RadiusTransport,
) -> Result<(), String> {
    let verbose = cli.auth.verbose;
    for _ in 0..cli.count {
        let mut supplicant = Supplicant::new(config.clone(), Instant::ZERO);
        let outcome = drive(&mut supplicant, transport, |e| {
            if verbose {
                common::print_event(e)
            }
        })
        .map_err(|e| e.to_string())?;
        if !common::report(&outcome) {
            return Err(String::new());
        }
        debug_assert!(matches!(outcome, Outcome::Authenticated(_)));
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A diagnosis was already printed as the last line; other errors print here.
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
