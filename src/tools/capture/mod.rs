//! Captures: write what the transports send and receive as pcapng ([`Tap`], which is also a
//! `rustls::KeyLog` that stores the TLS secrets in the file for Wireshark), and explain a
//! captured exchange ([`explain()`]): read a pcap or pcapng file of EAPOL frames (wired, or
//! 802.11 over the air in any monitor-mode link layer, see [`link`]) or RADIUS datagrams,
//! replay it through this crate's codecs, and say, per conversation, where and why it
//! stopped, in the supplicant's diagnosis vocabulary ([`crate::diagnosis`]), including the
//! WPA 4-way and group key handshakes after EAP (or alone, on a PSK network), and check a
//! passphrase, PMK or MSK against a captured 4-way handshake ([`KeySource`], [`KeyCheck`]).
//!
//! # Output format
//!
//! [`Report`]'s `Display` (what the `explain` CLI, `src/bin/explain.rs`, prints) is deterministic: a `capture:`
//! line, then for each conversation a blank line, its header line
//! (`conversation N: RADIUS client A, server B, ...` or `conversation N: EAPOL supplicant
//! M, authenticator M`), one timeline line per packet
//! (`  +S.UUUUUU client->server|server->client SUMMARY`, time since the conversation's
//! first packet) with indented detail lines (TLS hellos, certificate, alerts, encrypted
//! records, Reply-Message, MS-MPPE keys), then:
//!
//! ```text
//! network: SSID "<ssid>"; RSN element: AKM ..., pairwise ..., group ...   (802.11)
//! outcome: success | failure | incomplete
//! phase: <diagnosis::Phase> | 4-way handshake | group key handshake
//! cause: <one sentence>
//! story: <milestone>; <milestone>; ...
//! server message: "<Reply-Message or Notification>"      (when there was one)
//! hint: <what to change>
//! password: matches ... | does not match ... | not checked (...)   (with a password)
//! key: matches (...) | does not match (...) | not checked (...)     (with a key)
//! ```
//!
//! After the `capture:` line, an `802.11:` line counts the management frames read and the
//! protected data frames skipped, when there were any.
//!
//! Inside the PEAP / TTLS / EAP-TLS tunnel: with the session's TLS secrets (the Decryption
//! Secrets Block `--pcap` writes, or a key log file, [`Options::tls_keys`]) the tunnel is
//! decrypted (TLS 1.2 AEAD suites, TLS 1.3), its inner packets are listed as `decrypted:`
//! detail lines, a `tunnel:` line says whether it could be opened ("the secrets do not
//! match this capture" when not), and the cause names the inner failure (MSCHAPv2 E=691,
//! Result TLV Failure, GTC / PAP rejected, the client certificate refused); a password
//! given is checked against the inner MSCHAPv2 exchange.
//!
//! What is out of reach: a tunnel without its secrets, TLS 1.2 CBC suites, RADIUS attributes' authenticity (no shared secret), fragmented IP packets,
//! protected 802.11 frames (counted, not decrypted), the key data of messages 3 and group
//! messages (encrypted under the KEK), and keys of AKMs whose PMK no passphrase, PMK or MSK
//! given gives (SAE, OWE, FT: the key check says so).

//!
//! Writing ([`Tap`], [`PcapWriter`]) comes with `std`; reading and explaining need the
//! `capture` feature (the pcap reader and the AEADs that open captured TLS records), which
//! the default features include.

#[cfg(feature = "capture")]
use crate::tls::cert_info;
#[cfg(feature = "capture")]
pub mod air;
#[cfg(feature = "capture")]
mod conv;
#[cfg(feature = "capture")]
mod decrypt;
#[cfg(feature = "capture")]
mod explain;
#[cfg(feature = "capture")]
mod keys;
#[cfg(feature = "capture")]
pub mod link;
#[cfg(feature = "capture")]
mod model;
#[cfg(feature = "capture")]
mod names;
pub mod pcapng;
#[cfg(feature = "capture")]
pub mod read;
#[cfg(feature = "capture")]
mod teap_view;
#[cfg(feature = "capture")]
mod tls_view;
#[cfg(feature = "capture")]
mod tunnel;
#[cfg(feature = "capture")]
mod verdict;

#[cfg(feature = "capture")]
pub use decrypt::KeyLog;
#[cfg(feature = "capture")]
pub use explain::{Report, explain, explain_capture};
#[cfg(feature = "capture")]
pub use keys::{KeyCheck, KeyFinding, KeyKind, KeySource};
#[cfg(feature = "capture")]
pub use model::{Conversation, Entry, Link, Options};
pub use pcapng::{PcapTap, PcapWriter, create_private, nss_key_log_line};
#[cfg(feature = "capture")]
pub use read::{Capture, Packet, ReadError, read_capture};
#[cfg(feature = "capture")]
pub use verdict::{CAPTURE_CODES, ConversationOutcome, Finding, PasswordCheck, Stage, Verdict};
