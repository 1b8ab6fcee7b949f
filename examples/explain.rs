//! Explains a captured exchange: reads a pcap or pcapng file of EAPOL frames (Ethernet,
//! 802.11, Linux cooked) or RADIUS datagrams (UDP on any port, recognised by content),
//! prints one timeline per conversation and says where and why it stopped.
//!
//! ```text
//! explain FILE [--password P] [--identity ID] [--radius-port PORT]...
//! ```
//!
//! Each conversation ends with the lines `outcome:`, `phase:`, `cause:`, `story:`,
//! `hint:` and, with `--password`, `password:` (see `eap::capture` for the format). Exits
//! 0 when every conversation succeeded, 1 when one did not, 2 when the file is unreadable.

use clap::Parser;
use eap::capture::{Options, Outcome, explain};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(about = "Explain a captured EAPOL or RADIUS exchange: where and why it failed")]
struct Cli {
    /// The capture (pcap or pcapng).
    file: std::path::PathBuf,
    /// Check this password against cleartext EAP-MSCHAPv2 exchanges.
    #[arg(long)]
    password: Option<String>,
    /// The user name for the password check (default: the MSCHAPv2 Response's Name).
    #[arg(long)]
    identity: Option<String>,
    /// A UDP port that carries RADIUS (besides 1812 and 1645 and what looks like RADIUS).
    #[arg(long = "radius-port")]
    radius_ports: Vec<u16>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let bytes = match std::fs::read(&cli.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", cli.file.display());
            return ExitCode::from(2);
        }
    };
    let options = Options {
        password: cli.password,
        identity: cli.identity,
        radius_ports: cli.radius_ports,
    };
    match explain(&bytes, &options) {
        Ok(report) => {
            print!("{report}");
            let all_ok = report
                .conversations
                .iter()
                .all(|c| c.verdict.outcome == Outcome::Success);
            if all_ok && !report.conversations.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {}: {e}", cli.file.display());
            ExitCode::from(2)
        }
    }
}
