//! An eapol_test-style RADIUS client: authenticates with PEAPv0 / EAP-MSCHAPv2 against a
//! RADIUS server, as a NAS (access point or switch) would relay it.
//!
//! ```text
//! radius_auth --server 127.0.0.1:1812 --secret testing123 --identity alice \
//!     --anonymous-identity anonymous --password password \
//!     --ca-cert ca.pem --server-name radius.example.test [--count N] [--tls-max 1.2|1.3] \
//!     [--fragment-size N] [--timeout SECS] [--retry-interval SECS] [--attempts N] \
//!     [--restart-once]
//! ```
//!
//! For each successful authentication it prints `MSK=<128 lowercase hex>` (after checking
//! the MS-MPPE keys of the Access-Accept against it); each failure prints
//! `error: <the diagnosis>` on stderr when it happens, and the run goes on. It exits 0 only
//! when all succeeded. With `--count 1` a failure's `error:` line is the last on stderr;
//! with more, the last line is `error: K of N authentications failed; last: <diagnosis>`.

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
    /// Seconds (fractions allowed) before an unanswered Access-Request is sent again.
    #[arg(long, default_value_t = 3.0)]
    retry_interval: f64,
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
    rc.retry_interval = Duration::try_from_secs_f64(cli.retry_interval)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or("--retry-interval: a positive number of seconds")?;
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
    let mut failed = 0;
    let mut last = String::new();
    for _ in 0..cli.count {
        let mut supplicant = Supplicant::new(config.clone(), Instant::ZERO);
        let outcome = drive(&mut supplicant, transport, |e| {
            if verbose {
                common::print_event(e)
            }
            common::print_restart(e);
        });
        match outcome {
            Ok(outcome) => {
                if !common::report(&outcome) {
                    failed += 1;
                    if let Outcome::Failed(d) = outcome {
                        last = d.to_string();
                    }
                }
            }
            // A local failure that is not a network condition (e.g. a request too large):
            // reported as the diagnosis of this authentication.
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
                last = e.to_string();
            }
        }
    }
    match failed {
        0 => Ok(()),
        // The failure's own `error:` line is the last one.
        _ if cli.count == 1 => Err(String::new()),
        k => Err(format!(
            "{k} of {} authentications failed; last: {last}",
            cli.count
        )),
    }
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
