//! What the explainer reports, as data: the options it reads with, a conversation's link,
//! its timeline entries and the conversation with its verdict (and how each prints, as
//! text and JSON). A leaf of the capture module: it imports none of the files that build
//! these values.

use super::decrypt::KeyLog;
use super::keys::{KeyCheck, KeySource};
use super::link::Mac;
use super::names::quote;
use super::verdict::{ConversationOutcome, PasswordCheck, Verdict};
use core::fmt::{self, Display, Formatter};
use std::format;
use std::net::SocketAddr;
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

/// What to check and how to recognise RADIUS.
#[derive(Clone, Default)]
pub struct Options {
    /// A password to check against cleartext EAP-MSCHAPv2 exchanges.
    pub password: Option<String>,
    /// The user name to hash for the check (default: the MSCHAPv2 Response's Name), and
    /// to name in diagnoses.
    pub identity: Option<String>,
    /// UDP ports that carry RADIUS whatever their content (1812 and 1645 always do).
    pub radius_ports: Vec<u16>,
    /// The SSID for a passphrase check (default: the SSID of the network's beacons or
    /// probe responses in the capture).
    pub ssid: Option<Vec<u8>>,
    /// A passphrase, PMK or MSK to check against captured 4-way handshakes.
    pub key: Option<KeySource>,
    /// TLS secrets (a key log file) to decrypt tunnels with, besides those the capture
    /// carries in its Decryption Secrets Blocks.
    pub tls_keys: Option<KeyLog>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("identity", &self.identity)
            .field("radius_ports", &self.radius_ports)
            .field("ssid", &self.ssid)
            .field("key", &self.key)
            .field("tls_keys", &self.tls_keys)
            .finish()
    }
}

/// Who talks in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// 802.1X on a LAN or WLAN.
    Eapol {
        /// The supplicant's MAC, when seen.
        supplicant: Option<Mac>,
        /// The authenticator's MAC, when seen.
        authenticator: Option<Mac>,
    },
    /// A NAS (or eapol_test) and a RADIUS server.
    Radius {
        /// The NAS.
        client: SocketAddr,
        /// The RADIUS server.
        server: SocketAddr,
        /// User-Name of the first Access-Request.
        user_name: Option<String>,
        /// Calling-Station-Id of the first Access-Request.
        calling_station_id: Option<String>,
    },
}

fn mac(m: &Option<Mac>) -> String {
    m.map_or_else(
        || "unknown".to_string(),
        |m| {
            let hex: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
            hex.join(":")
        },
    )
}

impl Display for Link {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Link::Eapol {
                supplicant,
                authenticator,
            } => write!(
                f,
                "EAPOL supplicant {}, authenticator {}",
                mac(supplicant),
                mac(authenticator)
            ),
            Link::Radius {
                client,
                server,
                user_name,
                calling_station_id,
            } => {
                write!(f, "RADIUS client {client}, server {server}")?;
                if let Some(u) = user_name {
                    write!(f, ", User-Name {}", quote(u.as_bytes()))?;
                }
                if let Some(c) = calling_station_id {
                    write!(f, ", Calling-Station-Id {}", quote(c.as_bytes()))?;
                }
                Ok(())
            }
        }
    }
}

/// One line of a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Since the conversation's first packet.
    pub time: Duration,
    /// From the client (supplicant or NAS) to the server (authenticator or RADIUS server).
    pub to_server: bool,
    /// The packet in one line.
    pub summary: String,
    /// What it carries, one item a line (TLS hellos, certificate, alerts, keys).
    pub details: Vec<String>,
}

/// One authentication as the capture shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// Who talks.
    pub link: Link,
    /// When its first packet was captured (since the Unix epoch).
    pub start: Duration,
    /// Its packets.
    pub timeline: Vec<Entry>,
    /// How it ended and why.
    pub verdict: Verdict,
    /// The password check, when a password was given.
    pub password: Option<PasswordCheck>,
    /// The network (802.11): SSID and RSN element, as its beacons, probe responses,
    /// association request or 4-way handshake show them.
    pub network: Option<String>,
    /// The key check, when a key was given (802.1X / Wi-Fi conversations).
    pub key: Option<KeyCheck>,
    /// Whether the TLS tunnel was decrypted, when TLS secrets were given or carried by the
    /// capture: "decrypted ..." or why not.
    pub tunnel: Option<String>,
}

impl Display for Conversation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.link)?;
        for e in &self.timeline {
            let dir = if e.to_server {
                "client->server"
            } else {
                "server->client"
            };
            writeln!(
                f,
                "  +{}.{:06} {dir} {}",
                e.time.as_secs(),
                e.time.subsec_micros(),
                e.summary
            )?;
            for d in &e.details {
                writeln!(f, "      {d}")?;
            }
        }
        if let Some(n) = &self.network {
            writeln!(f, "network: {n}")?;
        }
        if let Some(t) = &self.tunnel {
            writeln!(f, "tunnel: {t}")?;
        }
        let v = &self.verdict;
        writeln!(f, "outcome: {}", v.outcome)?;
        writeln!(f, "phase: {}", v.phase)?;
        writeln!(f, "cause: {}", v.finding)?;
        if !v.story.is_empty() {
            writeln!(f, "story: {}", v.story.join("; "))?;
        }
        if let Some(m) = &v.server_message {
            writeln!(f, "server message: {}", quote(m.as_bytes()))?;
        }
        writeln!(f, "hint: {}", v.finding.hint())?;
        if let Some(p) = &self.password {
            writeln!(f, "password: {p}")?;
        }
        if let Some(k) = &self.key {
            writeln!(f, "key: {k}")?;
        }
        Ok(())
    }
}

impl Conversation {
    /// One JSON object (no newline): `conversation` (its number, from 1), `link`, `result`
    /// (`"success"` | `"failure"` | `"incomplete"`), `cause` (`null` on success, else
    /// `code`, `phase`, `message`, `hint`, with the same codes as a live run's report),
    /// `server_message`, `story`, `tunnel`, `password`, `key` (`null` when not applicable).
    pub fn to_json(&self, number: usize) -> String {
        use crate::tools::json::{Object, array, string};
        let text = |s: &str| {
            let mut q = String::new();
            string(&mut q, s);
            q
        };
        let v = &self.verdict;
        let mut out = String::new();
        let mut o = Object::new(&mut out);
        o.num("conversation", number as f64)
            .str("link", &self.link.to_string())
            .str("result", &v.outcome.to_string());
        if v.outcome == ConversationOutcome::Success {
            o.raw("cause", "null");
        } else {
            let mut c = String::new();
            let mut co = Object::new(&mut c);
            co.str("code", v.finding.code())
                .str("phase", v.phase.code())
                .str("message", &v.finding.to_string())
                .str("hint", v.finding.hint())
                .opt_str("kind", v.finding.kind().map(|k| k.as_str()));
            co.end();
            o.raw("cause", &c);
        }
        o.opt_str("server_message", v.server_message.as_deref())
            .raw("story", &array(v.story.iter().map(|s| text(s))))
            .opt_str("tunnel", self.tunnel.as_deref())
            .opt_str(
                "password",
                self.password.as_ref().map(ToString::to_string).as_deref(),
            )
            .opt_str("key", self.key.as_ref().map(ToString::to_string).as_deref());
        o.end();
        out
    }
}
