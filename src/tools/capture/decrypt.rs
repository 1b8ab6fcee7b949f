//! Decrypting a captured TLS tunnel with the session's secrets: the NSS key log lines that
//! `--pcap` stores in the capture (Decryption Secrets Blocks) or that `--keylog` wrote to a
//! file.
//!
//! TLS 1.2 with AEAD suites (AES-GCM, ChaCha20-Poly1305; RFC 5288, RFC 7905) from
//! `CLIENT_RANDOM` (the master secret) and the two hellos' randoms (RFC 5246 §6.3), and
//! TLS 1.3 (RFC 8446 §5.2, §7.3) from the handshake and first application traffic
//! secrets. CBC suites are not decrypted (said so). Records are kept while the capture is
//! read (bounded) and opened once the conversation is complete; a record that does not open
//! under the secrets given is counted, never a panic.

use crate::crypto::tls_keys::hkdf_expand_label;
use core::fmt;
use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, Algorithm, CHACHA20_POLY1305, LessSafeKey};
use ring::aead::{Nonce, UnboundKey};
use rustls::SupportedCipherSuite;
use rustls::crypto::tls13::OkmBlock;
use std::string::String;
use std::vec::Vec;
use zeroize::Zeroizing;

/// The TLS secrets of a key log (NSS key log format: `LABEL <client random hex> <secret
/// hex>` per line), by client random. Secrets are zeroized on drop and redacted in `Debug`.
#[derive(Clone, Default)]
pub struct KeyLog {
    entries: Vec<(String, [u8; 32], Zeroizing<Vec<u8>>)>,
}

impl fmt::Debug for KeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyLog({} secrets, redacted)", self.entries.len())
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

impl KeyLog {
    /// Reads NSS key log lines; lines that are not `LABEL <64 hex> <hex>` are skipped.
    pub fn parse(text: &[u8]) -> KeyLog {
        let mut log = KeyLog::default();
        log.extend(text);
        log
    }

    /// Adds the lines of `text`.
    pub fn extend(&mut self, text: &[u8]) {
        for line in text.split(|&b| b == b'\n') {
            let Ok(line) = core::str::from_utf8(line) else {
                continue;
            };
            let mut parts = line.split_ascii_whitespace();
            let (Some(label), Some(random), Some(secret), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let random = unhex(random).and_then(|r| <[u8; 32]>::try_from(r).ok());
            if let (Some(random), Some(secret)) = (random, unhex(secret)) {
                if secret.len() <= 64 {
                    self.entries
                        .push((label.into(), random, Zeroizing::new(secret)));
                }
            }
        }
    }

    /// Whether it holds no secret.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&self, label: &str, client_random: &[u8; 32]) -> Option<&[u8]> {
        self.entries
            .iter()
            .rev()
            .find(|(l, r, _)| l == label && r == client_random)
            .map(|(_, _, s)| &s[..])
    }

    fn knows(&self, client_random: &[u8; 32]) -> bool {
        self.entries.iter().any(|(_, r, _)| r == client_random)
    }
}

/// One TLS record as captured.
#[derive(Debug, Clone)]
struct Record {
    /// The timeline entry it arrived in.
    entry: usize,
    to_server: bool,
    content_type: u8,
    body: Vec<u8>,
}

/// The largest record body kept (RFC 5246 §6.2.3: 2^14 + 2048).
const MAX_BODY: usize = 16384 + 2048;
/// The most octets of records one conversation keeps.
const MAX_KEPT: usize = 1 << 20;

/// The TLS records of one handshake, both directions, in order, as they arrive in EAP
/// fragments (cut anywhere).
#[derive(Debug, Clone, Default)]
pub(super) struct Records {
    partial: [Vec<u8>; 2],
    records: Vec<Record>,
    kept: usize,
    /// A direction stopped: not TLS, or over the bound.
    broken: [bool; 2],
}

impl Records {
    /// TLS bytes from one side, carried by timeline entry `entry`.
    pub(super) fn push(&mut self, entry: usize, to_server: bool, bytes: &[u8]) {
        let side = usize::from(to_server);
        if self.broken[side] {
            return;
        }
        let buf = &mut self.partial[side];
        buf.extend_from_slice(bytes);
        let mut at = 0;
        while buf.len() - at >= 5 {
            let len = usize::from(u16::from_be_bytes([buf[at + 3], buf[at + 4]]));
            if !(20..=24).contains(&buf[at]) || buf[at + 1] != 3 || len > MAX_BODY {
                self.broken[side] = true;
                break;
            }
            if buf.len() - at < 5 + len {
                break;
            }
            self.kept += len;
            if self.kept > MAX_KEPT {
                self.broken[side] = true;
                break;
            }
            self.records.push(Record {
                entry,
                to_server,
                content_type: buf[at],
                body: buf[at + 5..at + 5 + len].to_vec(),
            });
            at += 5 + len;
        }
        if self.broken[side] {
            buf.clear();
        } else {
            buf.drain(..at);
        }
    }

    /// Whether any record was kept.
    pub(super) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A record opened, or one sent in clear before encryption started.
#[derive(Debug, Clone)]
pub(super) struct Plain {
    /// The timeline entry it arrived in.
    pub entry: usize,
    pub to_server: bool,
    /// The inner content type (TLS 1.3: from the inner plaintext).
    pub content_type: u8,
    /// Whether it was encrypted on the wire.
    pub decrypted: bool,
    pub data: Vec<u8>,
}

/// What decryption gave.
#[derive(Debug, Clone)]
pub(super) enum Opened {
    /// No secret in the key log for this session's client random.
    NoSecrets,
    /// Secrets for the session, but the encrypted records do not open under them.
    Mismatch,
    /// A suite this reader does not decrypt (CBC, or unknown).
    Unsupported(u16),
    /// Every record, in order; `failed` encrypted records did not open.
    Records { plains: Vec<Plain>, failed: u32 },
}

/// Keys of one direction and epoch.
struct Epoch {
    alg: &'static Algorithm,
    key: Zeroizing<Vec<u8>>,
    iv: Zeroizing<Vec<u8>>,
    seq: u64,
}

fn nonce_xor(iv: &[u8], seq: u64) -> Option<[u8; 12]> {
    let mut n: [u8; 12] = iv.try_into().ok()?;
    for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
        *b ^= s;
    }
    Some(n)
}

fn open(
    alg: &'static Algorithm,
    key: &[u8],
    nonce: [u8; 12],
    aad: &[u8],
    ct: &[u8],
) -> Option<Vec<u8>> {
    let key = LessSafeKey::new(UnboundKey::new(alg, key).ok()?);
    let mut buf = ct.to_vec();
    let n = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
        )
        .ok()?
        .len();
    buf.truncate(n);
    Some(buf)
}

impl Epoch {
    /// TLS 1.2 (RFC 5246 §6.2.3.3; GCM's explicit nonce RFC 5288 §3, ChaCha's RFC 7905 §2).
    fn open12(&self, content_type: u8, body: &[u8]) -> Option<Vec<u8>> {
        let tag = self.alg.tag_len();
        let (nonce, ct) = if self.iv.len() == 4 {
            let (explicit, ct) = body.split_at_checked(8)?;
            let mut n = [0u8; 12];
            n[..4].copy_from_slice(&self.iv);
            n[4..].copy_from_slice(explicit);
            (n, ct)
        } else {
            (nonce_xor(&self.iv, self.seq)?, body)
        };
        let len = u16::try_from(ct.len().checked_sub(tag)?).ok()?;
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8] = content_type;
        aad[9..11].copy_from_slice(&[3, 3]);
        aad[11..].copy_from_slice(&len.to_be_bytes());
        open(self.alg, &self.key, nonce, &aad, ct)
    }

    /// TLS 1.3 (RFC 8446 §5.2): the inner content type follows the content, then zeros.
    fn open13(&self, body: &[u8]) -> Option<(u8, Vec<u8>)> {
        let len = u16::try_from(body.len()).ok()?.to_be_bytes();
        let aad = [23, 3, 3, len[0], len[1]];
        let mut plain = open(
            self.alg,
            &self.key,
            nonce_xor(&self.iv, self.seq)?,
            &aad,
            body,
        )?;
        let end = plain.iter().rposition(|&b| b != 0)?;
        let content_type = plain[end];
        plain.truncate(end);
        Some((content_type, plain))
    }
}

fn aead(suite: u16) -> Option<(&'static Algorithm, usize)> {
    match suite {
        0x1301 | 0xc02b | 0xc02f | 0x009c | 0x009e => Some((&AES_128_GCM, 16)),
        0x1302 | 0xc02c | 0xc030 | 0x009d | 0x009f => Some((&AES_256_GCM, 32)),
        0x1303 | 0xcca8 | 0xcca9 | 0xccaa => Some((&CHACHA20_POLY1305, 32)),
        _ => None,
    }
}

fn rustls_suite(suite: u16) -> Option<SupportedCipherSuite> {
    rustls::crypto::ring::ALL_CIPHER_SUITES
        .iter()
        .copied()
        .find(|s| u16::from(s.suite()) == suite)
}

/// TLS 1.2 keys (RFC 5246 §6.3): [client, server].
fn tls12_epochs(suite: u16, master: &[u8], cr: &[u8; 32], sr: &[u8; 32]) -> Option<[Epoch; 2]> {
    let (alg, key_len) = aead(suite)?;
    let Some(SupportedCipherSuite::Tls12(s)) = rustls_suite(suite) else {
        return None;
    };
    let iv_len = if core::ptr::eq(alg, &CHACHA20_POLY1305) {
        12
    } else {
        4
    };
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(sr);
    seed[32..].copy_from_slice(cr);
    let mut block = Zeroizing::new(std::vec![0u8; 2 * (key_len + iv_len)]);
    s.prf_provider
        .for_secret(&mut block, master, b"key expansion", &seed);
    let (keys, ivs) = block.split_at(2 * key_len);
    let epoch = |i: usize| Epoch {
        alg,
        key: Zeroizing::new(keys[i * key_len..(i + 1) * key_len].to_vec()),
        iv: Zeroizing::new(ivs[i * iv_len..(i + 1) * iv_len].to_vec()),
        seq: 0,
    };
    Some([epoch(0), epoch(1)])
}

/// TLS 1.3 traffic keys from a traffic secret (RFC 8446 §7.3).
fn tls13_epoch(suite: u16, secret: &[u8]) -> Option<Epoch> {
    let (alg, key_len) = aead(suite)?;
    let Some(SupportedCipherSuite::Tls13(s)) = rustls_suite(suite) else {
        return None;
    };
    if secret.len() != s.common.hash_provider.output_len() {
        return None;
    }
    let expander = s.hkdf_provider.expander_for_okm(&OkmBlock::new(secret));
    let mut key = Zeroizing::new(std::vec![0u8; key_len]);
    let mut iv = Zeroizing::new(std::vec![0u8; 12]);
    hkdf_expand_label(expander.as_ref(), b"key", &[], &mut key).ok()?;
    hkdf_expand_label(expander.as_ref(), b"iv", &[], &mut iv).ok()?;
    Some(Epoch {
        alg,
        key,
        iv,
        seq: 0,
    })
}

const TLS13_LABELS: [[&str; 2]; 2] = [
    ["SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"],
    ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0"],
];

impl Records {
    /// Opens the records of the handshake whose hellos had these randoms, with the server's
    /// choice of `version` and `suite`.
    pub(super) fn open(
        &self,
        log: &KeyLog,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        version: u16,
        suite: u16,
    ) -> Opened {
        if !log.knows(client_random) {
            return Opened::NoSecrets;
        }
        let tls13 = version >= 0x0304;
        // Per direction (index: to_server): the epochs in order, and the current one.
        let mut epochs: [Vec<Epoch>; 2] = [Vec::new(), Vec::new()];
        if tls13 {
            for (side, labels) in TLS13_LABELS.iter().enumerate() {
                for label in labels {
                    if let Some(e) = log
                        .get(label, client_random)
                        .and_then(|s| tls13_epoch(suite, s))
                    {
                        epochs[side].push(e);
                    }
                }
            }
        } else if let Some([c, s]) = log
            .get("CLIENT_RANDOM", client_random)
            .and_then(|m| tls12_epochs(suite, m, client_random, server_random))
        {
            epochs = [std::vec![s], std::vec![c]];
        }
        if epochs.iter().all(Vec::is_empty) {
            return if aead(suite).is_none() {
                Opened::Unsupported(suite)
            } else {
                Opened::Mismatch
            };
        }
        let mut current = [0usize; 2];
        let mut encrypting = [false; 2];
        let (mut plains, mut opened, mut failed) = (Vec::new(), 0u32, 0u32);
        for r in &self.records {
            let side = usize::from(r.to_server);
            let encrypted = if tls13 {
                r.content_type == 23
            } else {
                encrypting[side]
            };
            if !encrypted {
                if r.content_type == 20 {
                    encrypting[side] = true;
                }
                plains.push(Plain {
                    entry: r.entry,
                    to_server: r.to_server,
                    content_type: r.content_type,
                    decrypted: false,
                    data: r.body.clone(),
                });
                continue;
            }
            let list = &mut epochs[side];
            let mut got = None;
            for (i, e) in list.iter_mut().enumerate().skip(current[side]) {
                if i > current[side] {
                    e.seq = 0;
                }
                got = if tls13 {
                    e.open13(&r.body)
                } else {
                    e.open12(r.content_type, &r.body)
                        .map(|p| (r.content_type, p))
                };
                if got.is_some() {
                    current[side] = i;
                    e.seq += 1;
                    break;
                }
            }
            match got {
                Some((content_type, data)) => {
                    opened += 1;
                    plains.push(Plain {
                        entry: r.entry,
                        to_server: r.to_server,
                        content_type,
                        decrypted: true,
                        data,
                    });
                }
                None => failed += 1,
            }
        }
        if opened == 0 && failed > 0 {
            return Opened::Mismatch;
        }
        Opened::Records { plains, failed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_log_lines() {
        let r = "11".repeat(32);
        let text = std::format!(
            "# comment\nCLIENT_RANDOM {r} {}\nCLIENT_RANDOM zz 00\nBAD\nEXPORTER_SECRET {r} 0102\n",
            "ab".repeat(48)
        );
        let log = KeyLog::parse(text.as_bytes());
        assert_eq!(log.entries.len(), 2);
        assert_eq!(log.get("CLIENT_RANDOM", &[0x11; 32]).unwrap(), [0xab; 48]);
        assert_eq!(log.get("EXPORTER_SECRET", &[0x11; 32]).unwrap(), [1, 2]);
        assert!(log.get("CLIENT_RANDOM", &[0x12; 32]).is_none());
        assert!(!std::format!("{log:?}").contains("ab"));
    }

    #[test]
    fn records_split_anywhere_and_stop_at_garbage() {
        let rec = |t: u8, body: &[u8]| {
            let mut v = std::vec![t, 3, 3];
            v.extend_from_slice(&(body.len() as u16).to_be_bytes());
            v.extend_from_slice(body);
            v
        };
        let stream = [rec(22, b"hello"), rec(20, &[1]), rec(23, &[9; 40])].concat();
        let mut r = Records::default();
        for (i, chunk) in stream.chunks(3).enumerate() {
            r.push(i, false, chunk);
        }
        let types: Vec<u8> = r.records.iter().map(|r| r.content_type).collect();
        assert_eq!(types, [22, 20, 23]);
        r.push(99, true, b"GET / HTTP/1.1\r\n");
        r.push(99, true, &rec(22, b"x"));
        assert_eq!(r.records.len(), 3, "a direction that is not TLS stops");
        // Secrets of another session: nothing to decrypt with.
        let log = KeyLog::parse(
            std::format!("CLIENT_RANDOM {} {}\n", "22".repeat(32), "00".repeat(48)).as_bytes(),
        );
        assert!(matches!(
            r.open(&log, &[0x11; 32], &[0; 32], 0x0303, 0xc02f),
            Opened::NoSecrets
        ));
        // The right client random, the wrong master secret: the records do not open.
        let log = KeyLog::parse(
            std::format!("CLIENT_RANDOM {} {}\n", "11".repeat(32), "00".repeat(48)).as_bytes(),
        );
        let mut r2 = Records::default();
        r2.push(0, false, &[rec(20, &[1]), rec(22, &[7; 40])].concat());
        assert!(matches!(
            r2.open(&log, &[0x11; 32], &[0; 32], 0x0303, 0xc02f),
            Opened::Mismatch
        ));
        assert!(matches!(
            r2.open(&log, &[0x11; 32], &[0; 32], 0x0303, 0x002f),
            Opened::Unsupported(0x002f)
        ));
    }
}
