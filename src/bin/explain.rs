//! Explains a captured exchange: reads a pcap or pcapng file of EAPOL frames (Ethernet,
//! Linux cooked, or 802.11 over the air: plain, radiotap, Prism II, AVS, PPI) or RADIUS
//! datagrams (UDP on any port, recognised by content), prints one timeline per
//! conversation (EAP, then the WPA 4-way and group key handshakes) and says where and why
//! it stopped.
//!
//! ```text
//! explain FILE [--password P] [--identity ID] [--radius-port PORT]...
//!              [--ssid SSID] [--psk PASSPHRASE | --pmk HEX | --msk HEX]
//!              [--keylog FILE] [--json]
//! ```
//!
//! The TLS tunnel is decrypted with the secrets the capture carries (`radius_auth --pcap`
//! writes them into the file) or those of `--keylog FILE` (NSS key log), and the inner
//! failure is named. `--json` prints one JSON object per conversation, one per line, with
//! the cause codes of `radius_auth --json`.
//!
//! Each conversation ends with the lines `outcome:`, `phase:`, `cause:`, `story:`,
//! `hint:`, with `--password` a `password:` line, and with `--psk`, `--pmk` or `--msk` a
//! `key:` line saying whether the key `matches` a captured 4-way handshake (see
//! `eap::unstable::capture` for the format). Exits 0 when every conversation succeeded, 1 when one
//! did not, 2 when the file is unreadable or a key is malformed.

use clap::Parser;
use eap::unstable::capture::{ConversationOutcome, KeyLog, KeySource, Options, explain};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "explain",
    version,
    about = "Explain a captured EAPOL, RADIUS or Wi-Fi (monitor-mode) exchange: where and why it failed"
)]
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
    /// The SSID for --psk (default: the SSID in the capture's beacons or probe responses).
    #[arg(long)]
    ssid: Option<String>,
    /// Check this WPA passphrase against captured 4-way handshakes.
    #[arg(long, conflicts_with_all = ["pmk", "msk"])]
    psk: Option<String>,
    /// Check this PMK (64 hex digits) against captured 4-way handshakes.
    #[arg(long, conflicts_with = "msk")]
    pmk: Option<String>,
    /// Check this MSK (128 hex digits, the MSK= line of radius_auth): PMK = MSK[0..32].
    #[arg(long)]
    msk: Option<String>,
    /// Decrypt TLS tunnels with this NSS key log file (what --keylog of radius_auth writes).
    #[arg(long)]
    keylog: Option<std::path::PathBuf>,
    /// One JSON object per conversation, one per line, instead of the text report.
    #[arg(long)]
    json: bool,
}

fn unhex(s: &str, octets: usize, what: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    if s.len() != octets * 2 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("--{what} takes {} hex digits", octets * 2));
    }
    Ok((0..octets)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex checked"))
        .collect())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let bytes = match std::fs::read(&cli.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", cli.file.display());
            return ExitCode::from(2);
        }
    };
    let key = match (cli.psk, cli.pmk, cli.msk) {
        (Some(p), _, _) => Ok(Some(KeySource::Passphrase(p))),
        (_, Some(h), _) => unhex(&h, 32, "pmk").map(|k| Some(KeySource::Pmk(k))),
        (_, _, Some(h)) => unhex(&h, 64, "msk").map(|k| Some(KeySource::Msk(k))),
        _ => Ok(None),
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let tls_keys = match &cli.keylog {
        Some(path) => match std::fs::read(path) {
            Ok(text) => Some(KeyLog::parse(&text)),
            Err(e) => {
                eprintln!("error: --keylog {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let options = Options {
        tls_keys,
        password: cli.password,
        identity: cli.identity,
        radius_ports: cli.radius_ports,
        ssid: cli.ssid.map(String::into_bytes),
        key,
    };
    match explain(&bytes, &options) {
        Ok(report) => {
            if cli.json {
                for (i, c) in report.conversations.iter().enumerate() {
                    println!("{}", c.to_json(i + 1));
                }
            } else {
                print!("{report}");
            }
            let all_ok = report
                .conversations
                .iter()
                .all(|c| c.verdict.outcome == ConversationOutcome::Success);
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
