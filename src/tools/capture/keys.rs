//! The WPA key handshakes of a conversation: EAPOL-Key frames read into the timeline,
//! the 4-way and group key handshakes followed, the network's AKM and ciphers taken from
//! its RSN element, what went wrong said in one sentence, and the key check (passphrase,
//! PMK or MSK against message 2's MIC, and message 3's when there is one).

use super::link::Mac;
use crate::crypto::wpa::{self, MicAlgorithm};
use crate::tools::report::hex;
use crate::wire::eapol_key::{
    self, Akm, DESCRIPTOR_WPA, ELEMENT_RSN, ELEMENT_VENDOR, EapolKey, Message, Rsn,
};
use core::fmt::{self, Display, Formatter};
use std::format;
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

/// The key to check a captured 4-way handshake against.
#[derive(Clone)]
pub enum KeySource {
    /// A WPA passphrase (the SSID comes from the options or the capture's beacons).
    Passphrase(String),
    /// A PMK (32 octets).
    Pmk(Vec<u8>),
    /// An MSK (64 octets, the `MSK=` line of this crate's CLIs): PMK = MSK[0..32].
    Msk(Vec<u8>),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySource::Passphrase(_) => "Passphrase(<redacted>)",
            KeySource::Pmk(_) => "Pmk(<redacted>)",
            KeySource::Msk(_) => "Msk(<redacted>)",
        })
    }
}

/// The result of a key check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// Message 2's MIC verifies under the key.
    Matches {
        /// Which messages were used and what else was verified.
        detail: String,
    },
    /// Message 2's MIC does not verify under the key.
    DoesNotMatch {
        /// Which messages were used and what it means.
        detail: String,
    },
    /// No check could be made: why.
    NotChecked(String),
}

impl Display for KeyCheck {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            KeyCheck::Matches { detail } => write!(f, "matches ({detail})"),
            KeyCheck::DoesNotMatch { detail } => write!(f, "does not match ({detail})"),
            KeyCheck::NotChecked(why) => write!(f, "not checked ({why})"),
        }
    }
}

/// One EAPOL-Key frame as seen.
#[derive(Debug, Clone)]
pub(super) struct KeyFrame {
    t: Duration,
    msg: Message,
    src: Option<Mac>,
    dst: Option<Mac>,
    replay: u64,
    nonce: [u8; 32],
    version: u8,
    /// The EAPOL frame, header included, cut to its length.
    eapol: Vec<u8>,
}

/// A deauthentication or disassociation.
#[derive(Debug, Clone, Copy)]
pub(super) struct Departure {
    pub(super) deauth: bool,
    pub(super) reason: u16,
    pub(super) from_ap: bool,
}

/// What the key frames of one conversation show.
#[derive(Debug, Clone, Default)]
pub(super) struct Keys {
    frames: Vec<KeyFrame>,
    /// The RSN (or WPA) element of message 2 or 3.
    pub(super) rsn: Option<Rsn>,
    pub(super) pmkid: bool,
    pub(super) departure: Option<Departure>,
}

/// A reason code's meaning (IEEE 802.11-2020 Table 9-49), for the common ones.
pub(super) fn reason_name(code: u16) -> &'static str {
    match code {
        1 => "unspecified reason",
        2 => "previous authentication no longer valid",
        3 => "the station is leaving",
        4 => "inactivity",
        6 => "class 2 frame from a nonauthenticated station",
        7 => "class 3 frame from a nonassociated station",
        8 => "the station is leaving the BSS",
        13 => "invalid element",
        14 => "message integrity code (MIC) failure",
        15 => "4-way handshake timeout",
        16 => "group key handshake timeout",
        17 => {
            "element in the 4-way handshake differs from the (re)association request, probe response or beacon"
        }
        18 => "invalid group cipher",
        19 => "invalid pairwise cipher",
        20 => "invalid AKMP",
        23 => "IEEE 802.1X authentication failed",
        24 => "cipher suite rejected because of the security policy",
        _ => "see IEEE 802.11 Table 9-49",
    }
}

/// The RSN element's AKM and ciphers, in words.
pub(super) fn describe_rsn(r: &Rsn) -> String {
    let names = |v: &[eapol_key::Suite]| -> String {
        let n: Vec<String> = v
            .iter()
            .map(|s| {
                s.cipher_name()
                    .map_or_else(|| format!("{:02x?}", s.0), str::to_string)
            })
            .collect();
        n.join(", ")
    };
    let akms: Vec<String> = r
        .akms
        .iter()
        .map(|s| {
            s.akm()
                .map_or_else(|| format!("{:02x?}", s.0), |a| a.to_string())
        })
        .collect();
    format!(
        "{} element: AKM {}, pairwise {}, group {}",
        if r.wpa { "WPA" } else { "RSN" },
        akms.join(", "),
        names(&r.pairwise),
        r.group.map_or_else(|| "none".to_string(), |g| names(&[g]))
    )
}

impl Keys {
    /// Reads one EAPOL-Key frame (`eapol`: the whole EAPOL frame). Returns the timeline
    /// summary and details, or `None` if the body is not an EAPOL-Key body.
    pub(super) fn frame(
        &mut self,
        t: Duration,
        src: Option<Mac>,
        dst: Option<Mac>,
        eapol: &[u8],
        body: &[u8],
    ) -> Option<(Message, String, Vec<String>)> {
        let k = EapolKey::parse(body).ok()?;
        let msg = k.message();
        let mut details = Vec::new();
        let kind = if k.descriptor == DESCRIPTOR_WPA {
            "WPA"
        } else {
            "RSN"
        };
        let mic =
            MicAlgorithm::from_version(k.info.version()).map_or(
                "defined by the AKM",
                |a| match a {
                    MicAlgorithm::HmacMd5 => "HMAC-MD5",
                    MicAlgorithm::HmacSha1 => "HMAC-SHA1-128",
                    MicAlgorithm::AesCmac => "AES-128-CMAC",
                },
            );
        details.push(format!(
            "{kind} key descriptor, version {} (MIC {mic}), key information {:#06x}, replay counter {}",
            k.info.version(),
            k.info.0,
            k.replay_counter
        ));
        if k.nonce.iter().any(|&b| b != 0) {
            let which = if msg.from_authenticator() {
                "ANonce"
            } else {
                "SNonce"
            };
            details.push(format!("{which} {}", hex(&k.nonce[..8]) + "..."));
        }
        match k.elements() {
            Some(elements) => {
                for (id, v) in elements {
                    let rsn = match id {
                        ELEMENT_RSN => Rsn::parse(v),
                        ELEMENT_VENDOR => Rsn::parse_wpa(v),
                        _ => None,
                    };
                    if let Some(r) = rsn {
                        details.push(describe_rsn(&r));
                        self.rsn = Some(r);
                    }
                }
                if let Some(p) = eapol_key::pmkid(k.key_data) {
                    details.push(format!("PMKID KDE {}", hex(p)));
                    self.pmkid = true;
                }
            }
            None if !k.key_data.is_empty() => details.push(format!(
                "key data encrypted ({} octets: GTK and, in message 3, the RSN element)",
                k.key_data.len()
            )),
            None => {}
        }
        let len = (4 + body.len()).min(eapol.len());
        self.frames.push(KeyFrame {
            t,
            msg,
            src,
            dst,
            replay: k.replay_counter,
            nonce: *k.nonce,
            version: k.info.version(),
            eapol: eapol[..len].to_vec(),
        });
        let again = self.count(msg) > 1;
        let summary = format!(
            "EAPOL-Key {}{}",
            msg.name(),
            if again { " (again)" } else { "" }
        );
        Some((msg, summary, details))
    }

    /// Whether the frame just read is the first of its kind.
    pub(super) fn first_of(&self, m: Message) -> bool {
        self.count(m) == 1
    }

    /// Records a deauthentication or disassociation (the last one counts).
    pub(super) fn depart(&mut self, d: Departure) {
        self.departure = Some(d);
    }

    /// Whether any key frame or a departure was seen.
    pub(super) fn any(&self) -> bool {
        !self.frames.is_empty() || self.departure.is_some()
    }

    /// Whether a new message 1 starts a new handshake attempt (a conversation of its own).
    pub(super) fn closed(&self) -> bool {
        self.departure.is_some() || self.count(Message::FourWay4) > 0
    }

    pub(super) fn count(&self, m: Message) -> usize {
        self.frames.iter().filter(|f| f.msg == m).count()
    }

    pub(super) fn akm(&self, beacon: Option<&Rsn>) -> Option<Akm> {
        let r = self.rsn.as_ref().or(beacon)?;
        r.akms.first()?.akm()
    }

    /// Checks `key` against the last message 1 / message 2 pair (and message 3).
    pub(super) fn check(
        &self,
        key: &KeySource,
        ssid: Option<&[u8]>,
        beacon: Option<&Rsn>,
    ) -> KeyCheck {
        let not = |s: &str| KeyCheck::NotChecked(s.to_string());
        let pair = self.frames.iter().enumerate().rev().find_map(|(i, m2)| {
            if m2.msg != Message::FourWay2 {
                return None;
            }
            let m1 = self.frames[..i]
                .iter()
                .rev()
                .find(|m1| m1.msg == Message::FourWay1 && m1.replay == m2.replay)?;
            Some((m1, m2))
        });
        let Some((m1, m2)) = pair else {
            return not(if self.count(Message::FourWay2) == 0 {
                "no 4-way handshake message 2 in the capture: the check needs a message 1 / message 2 pair"
            } else {
                "no message 1 with the replay counter of a message 2"
            });
        };
        if let Some(akm) = self.akm(beacon) {
            match akm {
                Akm::Sae(_) => {
                    return KeyCheck::NotChecked(format!(
                        "the AKM is {akm}: its PMK comes from the SAE exchange, not from a passphrase, and no PMK or MSK given gives it"
                    ));
                }
                Akm::Owe => {
                    return not("the AKM is OWE: its PMK comes from a Diffie-Hellman exchange");
                }
                Akm::FtIeee8021x | Akm::FtPsk => {
                    return KeyCheck::NotChecked(format!(
                        "the AKM is {akm}: fast transition derives the PTK through the FT key hierarchy, which this check does not follow"
                    ));
                }
                Akm::Other(_) => {
                    return KeyCheck::NotChecked(format!(
                        "the AKM is {akm}, whose key derivation this check does not know"
                    ));
                }
                _ => {}
            }
        }
        let Some(alg) = MicAlgorithm::from_version(m2.version) else {
            return not(
                "key descriptor version 0: the AKM (SAE, OWE, Suite B, FILS) defines the key derivation, and its PMK does not come from a passphrase or an MSK",
            );
        };
        let (what, pmk) = match key {
            KeySource::Passphrase(p) => {
                let Some(ssid) = ssid else {
                    return not(
                        "a passphrase needs the SSID: give --ssid (the capture has no beacon or probe response of this network)",
                    );
                };
                match wpa::pmk_from_passphrase(p, ssid) {
                    Ok(pmk) => (
                        format!(
                            "PMK from the passphrase and SSID {}",
                            super::names::quote(ssid)
                        ),
                        pmk.expose().to_vec(),
                    ),
                    Err(e) => return KeyCheck::NotChecked(e.to_string()),
                }
            }
            KeySource::Pmk(p) if p.len() == 32 => ("the PMK".to_string(), p.clone()),
            KeySource::Pmk(_) => return not("a PMK is 32 octets (64 hex digits)"),
            KeySource::Msk(m) if m.len() >= 32 => {
                ("PMK = MSK[0..32]".to_string(), m[..32].to_vec())
            }
            KeySource::Msk(_) => return not("an MSK is 64 octets (128 hex digits)"),
        };
        let (Some(aa), Some(spa)) = (m1.src.or(m2.dst), m2.src.or(m1.dst)) else {
            return not("the capture does not show the MAC addresses the PTK is derived from");
        };
        let derive = |anonce: &[u8; 32]| {
            if m2.version == 3 {
                wpa::ptk_sha256(&pmk, &aa, &spa, anonce, &m2.nonce)
            } else {
                wpa::ptk(&pmk, &aa, &spa, anonce, &m2.nonce, 16)
            }
        };
        let verifies = |ptk: &wpa::Ptk, f: &KeyFrame| -> Option<bool> {
            let mut frame = f.eapol.clone();
            let mic: [u8; 16] = frame
                .get(eapol_key::MIC_OFFSET..eapol_key::MIC_OFFSET + 16)?
                .try_into()
                .ok()?;
            frame[eapol_key::MIC_OFFSET..eapol_key::MIC_OFFSET + 16].fill(0);
            let want = wpa::eapol_key_mic(alg, ptk.kck.expose(), &frame);
            Some(subtle::ConstantTimeEq::ct_eq(&want[..], &mic[..]).into())
        };
        let alg_name = match alg {
            MicAlgorithm::HmacMd5 => "HMAC-MD5",
            MicAlgorithm::HmacSha1 => "HMAC-SHA1-128",
            MicAlgorithm::AesCmac => "AES-128-CMAC",
        };
        let at = format!("+{}.{:06}", m2.t.as_secs(), m2.t.subsec_micros());
        let primary = derive(&m1.nonce);
        let (ptk, anonce, used) = if verifies(&primary, m2) == Some(true) {
            let used = format!(
                "{what}; messages 1 and 2 with replay counter {} at {at}: message 2's {alg_name} MIC",
                m2.replay
            );
            (primary, m1.nonce, used)
        } else {
            // The message 1 this message 2 answered may be missing from the capture: the
            // same ANonce comes again in message 3 (or in another message 1).
            let other = self
                .frames
                .iter()
                .filter(|f| matches!(f.msg, Message::FourWay1 | Message::FourWay3))
                .filter(|f| f.src == m1.src && f.nonce != m1.nonce)
                .find_map(|f| {
                    let ptk = derive(&f.nonce);
                    (verifies(&ptk, m2) == Some(true)).then_some((ptk, f))
                });
            match other {
                Some((ptk, f)) => {
                    let n = if f.msg == Message::FourWay3 { 3 } else { 1 };
                    let used = format!(
                        "{what}; message 2 (replay counter {}, at {at}) with the ANonce of message {n} (replay counter {}; the message 1 it answered has another ANonce or is missing): message 2's {alg_name} MIC",
                        m2.replay, f.replay
                    );
                    (ptk, f.nonce, used)
                }
                None => {
                    let meaning = match key {
                        KeySource::Msk(_) => {
                            "the station derived its PTK from another PMK than this MSK gives"
                        }
                        _ => {
                            "the station used another PMK: a wrong passphrase (or SSID) on the station or in this check"
                        }
                    };
                    return KeyCheck::DoesNotMatch {
                        detail: format!(
                            "{what}; messages 1 and 2 with replay counter {} at {at}: message 2's {alg_name} MIC does not verify: {meaning}",
                            m2.replay
                        ),
                    };
                }
            }
        };
        let m3 = self
            .frames
            .iter()
            .find(|f| f.msg == Message::FourWay3 && f.nonce == anonce && f.src == m1.src);
        let tail = match m3.map(|f| verifies(&ptk, f)) {
            Some(Some(true)) => "; so does message 3's: station and access point hold the same PMK".to_string(),
            Some(_) => match key {
                KeySource::Msk(_) => "; message 3's does NOT: the access point's PMK (from RADIUS) differs from the station's".to_string(),
                _ => "; message 3's does NOT: the access point holds another PMK".to_string(),
            },
            None if self.count(Message::FourWay1) > 1 || self.departure.is_some() => match key {
                KeySource::Msk(_) => "; the access point never sent message 3: it rejected this message 2, so its PMK (from RADIUS) differs from the station's PMK = MSK[0..32]".to_string(),
                _ => "; the access point never sent message 3: it rejected this message 2, so it holds another PMK".to_string(),
            },
            None => "; there is no message 3 to check the access point's key".to_string(),
        };
        KeyCheck::Matches {
            detail: format!("{used} verifies{tail}"),
        }
    }
}

fn times(n: usize) -> String {
    match n {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

/// How a key handshake went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// Messages 1 to 4 were seen.
    Completed,
    /// Message 1 without any message 2.
    NoMessage2,
    /// Message 2 without message 3.
    NoMessage3,
    /// Message 3 without message 4.
    NoMessage4,
    /// The group key handshake's message 1 was not answered.
    NoGroup2,
    /// Only a deauthentication or disassociation.
    DepartureOnly,
}

/// What the key handshakes of a conversation show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFinding {
    /// How it went.
    pub kind: KeyKind,
    /// Whether an EAP authentication came before it.
    pub eap: bool,
    /// Messages 1 to 4 seen, each counted.
    pub counts: [usize; 4],
    /// The AKM, from the RSN element of the handshake or the network's beacon.
    pub akm: Option<Akm>,
    pub(super) departure: Option<Departure>,
}

impl PartialEq for Departure {
    fn eq(&self, o: &Self) -> bool {
        (self.deauth, self.reason, self.from_ap) == (o.deauth, o.reason, o.from_ap)
    }
}
impl Eq for Departure {}

impl Display for KeyFinding {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let [m1, m2, m3, _] = self.counts;
        if !self.eap && self.kind != KeyKind::DepartureOnly {
            f.write_str("a WPA 4-way handshake with no EAP before it (this network uses a pre-shared key, or the station reconnected with a cached PMK)")?;
            if let Some(a) = self.akm {
                write!(f, ", AKM {a}")?;
            }
            f.write_str(": ")?;
        } else if self.eap && self.kind != KeyKind::DepartureOnly {
            f.write_str("EAP succeeded, then ")?;
        }
        match self.kind {
            KeyKind::Completed => f.write_str("the 4-way handshake completed: station and access point hold the same PMK and installed the keys")?,
            KeyKind::NoMessage2 => write!(f, "the station never answered message 1 (sent {})", times(m1))?,
            KeyKind::NoMessage3 => write!(f, "the access point never sent message 3 after the station's message 2 (sent {}): it rejected message 2's MIC, so the station's PMK differs from the access point's{}", times(m2), if self.eap { " (the access point's PMK came from RADIUS)" } else { " (a wrong passphrase)" })?,
            KeyKind::NoMessage4 => write!(f, "the station never sent message 4 after message 3 (sent {}): it could not verify message 3 (its MIC, or an RSN element that differs from the beacon's)", times(m3))?,
            KeyKind::NoGroup2 => f.write_str("the 4-way handshake completed, but the station never answered the group key handshake")?,
            KeyKind::DepartureOnly => f.write_str("no key handshake was seen")?,
        }
        if let Some(d) = self.departure {
            write!(
                f,
                "; then the {} sent {} with reason {} ({})",
                if d.from_ap { "access point" } else { "station" },
                if d.deauth {
                    "a deauthentication"
                } else {
                    "a disassociation"
                },
                d.reason,
                reason_name(d.reason)
            )?;
        }
        Ok(())
    }
}

impl KeyFinding {
    /// One line saying what to change.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            KeyKind::Completed => "nothing to fix",
            KeyKind::NoMessage2 => {
                "the station had no PMK for this network or did not receive message 1: check that it associated with the RSN element the access point advertises, and (for a cached PMKID) clear its PMK cache"
            }
            KeyKind::NoMessage3 if self.eap => {
                "the access point's PMK is not the station's MSK[0..32]: check the RADIUS server's MS-MPPE keys and the shared secret between the access point and the RADIUS server (it decrypts them); `explain --msk` checks a known MSK"
            }
            KeyKind::NoMessage3 => {
                "the passphrase on the station differs from the access point's: check it (and the SSID); `explain --ssid S --psk P` checks a passphrase against message 2"
            }
            KeyKind::NoMessage4 => {
                "the station rejected message 3: compare the RSN element in the beacon with message 3's, or the station went away; check the station's log"
            }
            KeyKind::NoGroup2 => {
                "the station did not install the group key: check the station's log"
            }
            KeyKind::DepartureOnly => "capture the association and the 4-way handshake",
        }
    }
}
