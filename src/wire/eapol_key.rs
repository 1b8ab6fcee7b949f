//! EAPOL-Key frames (IEEE 802.11-2020 §12.7.2): the body of an EAPOL frame of Packet Type
//! 3, as the WPA/WPA2/WPA3 4-way and group key handshakes use it; and the RSN and WPA
//! elements and key data encapsulations (KDEs) found in their Key Data.
//!
//! ```text
//! | Descriptor Type (1) | Key Information (2) | Key Length (2) | Key Replay Counter (8) |
//! | Key Nonce (32) | EAPOL-Key IV (16) | Key RSC (8) | Reserved (8) | Key MIC (16) |
//! | Key Data Length (2) | Key Data ... |
//! ```
//!
//! Invariants: the Key Data Length is checked against the body; the MIC is taken as 16
//! octets (every AKM except the Suite B 192-bit and FILS ones, whose 24-octet or absent MIC
//! [`EapolKey::parse`] does not read). Element walks stop at the first element that does
//! not fit.

use super::{DecodeError, need};
use alloc::vec::Vec;

/// Descriptor Type of an RSN (WPA2/WPA3) EAPOL-Key frame.
pub const DESCRIPTOR_RSN: u8 = 2;
/// Descriptor Type of a WPA (pre-RSN) EAPOL-Key frame.
pub const DESCRIPTOR_WPA: u8 = 254;
/// Octets of the body before the Key Data.
pub const FIXED_LEN: usize = 95;
/// Offset of the Key MIC in the whole EAPOL frame (4-octet EAPOL header included).
pub const MIC_OFFSET: usize = 4 + 77;

/// Key Information bits (IEEE 802.11-2020 Figure 12-33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyInfo(pub u16);

impl KeyInfo {
    /// Key Descriptor Version (bits 0-2): 1 HMAC-MD5/RC4, 2 HMAC-SHA1/AES key wrap, 3
    /// AES-128-CMAC, 0 defined by the AKM.
    pub fn version(self) -> u8 {
        (self.0 & 7) as u8
    }
    /// Key Type: pairwise (set) or group.
    pub fn pairwise(self) -> bool {
        self.0 & 0x0008 != 0
    }
    /// Install.
    pub fn install(self) -> bool {
        self.0 & 0x0040 != 0
    }
    /// Key Ack: set by the authenticator when it expects an answer.
    pub fn ack(self) -> bool {
        self.0 & 0x0080 != 0
    }
    /// Key MIC: the frame carries a MIC.
    pub fn mic(self) -> bool {
        self.0 & 0x0100 != 0
    }
    /// Secure.
    pub fn secure(self) -> bool {
        self.0 & 0x0200 != 0
    }
    /// Error (a MIC failure report).
    pub fn error(self) -> bool {
        self.0 & 0x0400 != 0
    }
    /// Request (the supplicant asks for a handshake or reports a failure).
    pub fn request(self) -> bool {
        self.0 & 0x0800 != 0
    }
    /// Encrypted Key Data.
    pub fn encrypted(self) -> bool {
        self.0 & 0x1000 != 0
    }
}

/// Which handshake message a frame is, read off its Key Information and contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    /// 4-way handshake message 1 (ANonce, from the authenticator).
    FourWay1,
    /// Message 2 (SNonce and the station's RSN element, with a MIC).
    FourWay2,
    /// Message 3 (ANonce again, install, the GTK encrypted).
    FourWay3,
    /// Message 4 (MIC only).
    FourWay4,
    /// Group key handshake message 1 (a new GTK).
    Group1,
    /// Group key handshake message 2.
    Group2,
    /// A request from the supplicant (with Error: a Michael MIC failure report).
    Request,
}

impl Message {
    /// Its name in a timeline ("4-way handshake message 1 of 4").
    pub fn name(self) -> &'static str {
        match self {
            Message::FourWay1 => "4-way handshake message 1 of 4",
            Message::FourWay2 => "4-way handshake message 2 of 4",
            Message::FourWay3 => "4-way handshake message 3 of 4",
            Message::FourWay4 => "4-way handshake message 4 of 4",
            Message::Group1 => "group key handshake message 1 of 2",
            Message::Group2 => "group key handshake message 2 of 2",
            Message::Request => "EAPOL-Key request",
        }
    }

    /// Whether the authenticator sends it.
    pub fn from_authenticator(self) -> bool {
        matches!(
            self,
            Message::FourWay1 | Message::FourWay3 | Message::Group1
        )
    }
}

/// An EAPOL-Key body (borrowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EapolKey<'a> {
    /// Descriptor Type ([`DESCRIPTOR_RSN`], [`DESCRIPTOR_WPA`]).
    pub descriptor: u8,
    /// Key Information.
    pub info: KeyInfo,
    /// Key Length (of the pairwise cipher's temporal key, in messages 1 and 3).
    pub key_length: u16,
    /// Key Replay Counter.
    pub replay_counter: u64,
    /// Key Nonce (ANonce or SNonce; zero in message 4).
    pub nonce: &'a [u8; 32],
    /// EAPOL-Key IV.
    pub iv: &'a [u8; 16],
    /// Key RSC.
    pub rsc: &'a [u8; 8],
    /// Key MIC (16 octets).
    pub mic: &'a [u8; 16],
    /// Key Data.
    pub key_data: &'a [u8],
}

fn array<const N: usize>(b: &[u8], at: usize) -> &[u8; N] {
    b[at..at + N].try_into().expect("length checked")
}

impl<'a> EapolKey<'a> {
    /// Parses an EAPOL-Key body; octets after the Key Data are ignored.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        need("EAPOL-Key", body, FIXED_LEN)?;
        let data_len = usize::from(u16::from_be_bytes([body[93], body[94]]));
        let key_data = body
            .get(FIXED_LEN..FIXED_LEN + data_len)
            .ok_or(DecodeError::BadLength {
                what: "EAPOL-Key Key Data Length",
                declared: data_len,
                available: body.len() - FIXED_LEN,
            })?;
        Ok(EapolKey {
            descriptor: body[0],
            info: KeyInfo(u16::from_be_bytes([body[1], body[2]])),
            key_length: u16::from_be_bytes([body[3], body[4]]),
            replay_counter: u64::from_be_bytes(*array::<8>(body, 5)),
            nonce: array(body, 13),
            iv: array(body, 45),
            rsc: array(body, 61),
            mic: array(body, 77),
            key_data,
        })
    }

    /// Appends the body's octets.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.descriptor);
        out.extend_from_slice(&self.info.0.to_be_bytes());
        out.extend_from_slice(&self.key_length.to_be_bytes());
        out.extend_from_slice(&self.replay_counter.to_be_bytes());
        out.extend_from_slice(self.nonce);
        out.extend_from_slice(self.iv);
        out.extend_from_slice(self.rsc);
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(self.mic);
        out.extend_from_slice(&(self.key_data.len() as u16).to_be_bytes());
        out.extend_from_slice(self.key_data);
    }

    /// Which handshake message this is.
    pub fn message(&self) -> Message {
        let i = self.info;
        if i.request() {
            Message::Request
        } else if !i.pairwise() {
            if i.ack() {
                Message::Group1
            } else {
                Message::Group2
            }
        } else if i.ack() {
            if i.mic() {
                Message::FourWay3
            } else {
                Message::FourWay1
            }
        } else if self.key_data.is_empty() && self.nonce.iter().all(|&b| b == 0) {
            Message::FourWay4
        } else if i.secure() && self.key_data.is_empty() {
            // RSN message 4 with a nonce (some stations copy the SNonce).
            Message::FourWay4
        } else {
            Message::FourWay2
        }
    }

    /// The elements and KDEs of the Key Data, when it is not encrypted.
    pub fn elements(&self) -> Option<Elements<'a>> {
        (!self.info.encrypted()).then_some(Elements(self.key_data))
    }
}

/// A walk over information elements (ID, length, value); KDEs are elements with ID 0xdd.
#[derive(Debug, Clone)]
pub struct Elements<'a>(pub &'a [u8]);

impl<'a> Iterator for Elements<'a> {
    type Item = (u8, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let (&id, rest) = self.0.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let Some(value) = rest.get(..usize::from(len)) else {
            self.0 = &[];
            return None;
        };
        self.0 = &rest[usize::from(len)..];
        Some((id, value))
    }
}

/// Element ID of the RSN element.
pub const ELEMENT_RSN: u8 = 48;
/// Element ID of vendor-specific elements and KDEs.
pub const ELEMENT_VENDOR: u8 = 221;
/// The IEEE 802.11 OUI of RSN suites and KDEs.
pub const OUI_IEEE: [u8; 3] = [0x00, 0x0f, 0xac];
/// The Microsoft OUI of WPA (pre-RSN) suites and the WPA element.
pub const OUI_WPA: [u8; 3] = [0x00, 0x50, 0xf2];

/// A cipher or AKM suite selector (OUI and type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Suite(pub [u8; 4]);

impl Suite {
    /// The cipher's name (IEEE 802.11-2020 Table 9-149), or `None` if unknown.
    pub fn cipher_name(self) -> Option<&'static str> {
        let [a, b, c, t] = self.0;
        if [a, b, c] != OUI_IEEE && [a, b, c] != OUI_WPA {
            return None;
        }
        Some(match t {
            1 => "WEP-40",
            2 => "TKIP",
            4 => "CCMP-128",
            5 => "WEP-104",
            6 => "BIP-CMAC-128",
            8 => "GCMP-128",
            9 => "GCMP-256",
            10 => "CCMP-256",
            _ => return None,
        })
    }

    /// The AKM suite type, when it is an IEEE (RSN) or WPA selector.
    pub fn akm(self) -> Option<Akm> {
        let [a, b, c, t] = self.0;
        if [a, b, c] == OUI_WPA {
            return Some(match t {
                1 => Akm::Ieee8021x,
                2 => Akm::Psk,
                _ => Akm::Other(t),
            });
        }
        if [a, b, c] != OUI_IEEE {
            return None;
        }
        Some(match t {
            1 => Akm::Ieee8021x,
            2 => Akm::Psk,
            3 => Akm::FtIeee8021x,
            4 => Akm::FtPsk,
            5 => Akm::Ieee8021xSha256,
            6 => Akm::PskSha256,
            8 | 9 | 24 | 25 => Akm::Sae(t),
            18 => Akm::Owe,
            other => Akm::Other(other),
        })
    }
}

/// An authentication and key management suite (IEEE 802.11-2020 Table 9-151).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Akm {
    /// 1: 802.1X (EAP), PMK from the MSK.
    Ieee8021x,
    /// 2: pre-shared key.
    Psk,
    /// 3: FT over 802.1X.
    FtIeee8021x,
    /// 4: FT with a pre-shared key.
    FtPsk,
    /// 5: 802.1X with SHA-256 key derivation.
    Ieee8021xSha256,
    /// 6: PSK with SHA-256 key derivation.
    PskSha256,
    /// 8, 9, 24, 25: SAE (WPA3-Personal), FT-SAE and their extended-key forms.
    Sae(u8),
    /// 18: OWE.
    Owe,
    /// Another suite type.
    Other(u8),
}

impl core::fmt::Display for Akm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Akm::Ieee8021x => f.write_str("802.1X (EAP)"),
            Akm::Psk => f.write_str("PSK"),
            Akm::FtIeee8021x => f.write_str("FT over 802.1X"),
            Akm::FtPsk => f.write_str("FT-PSK"),
            Akm::Ieee8021xSha256 => f.write_str("802.1X with SHA-256"),
            Akm::PskSha256 => f.write_str("PSK with SHA-256"),
            Akm::Sae(8) => f.write_str("SAE (WPA3-Personal)"),
            Akm::Sae(t) => write!(f, "SAE variant (AKM {t})"),
            Akm::Owe => f.write_str("OWE"),
            Akm::Other(t) => write!(f, "AKM {t}"),
        }
    }
}

/// What an RSN element (or a WPA element) says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rsn {
    /// Whether it is the pre-RSN WPA element (vendor 00-50-f2 type 1).
    pub wpa: bool,
    /// Group data cipher.
    pub group: Option<Suite>,
    /// Pairwise ciphers.
    pub pairwise: Vec<Suite>,
    /// AKM suites.
    pub akms: Vec<Suite>,
}

impl Rsn {
    /// Parses an RSN element's value (after ID and length). Optional trailing fields may
    /// be absent; a list that does not fit ends the parse with what was read.
    pub fn parse(value: &[u8]) -> Option<Rsn> {
        Self::parse_fields(value.get(2..)?, false)
    }

    /// Parses a vendor element's value if it is the WPA element (00-50-f2, type 1).
    pub fn parse_wpa(value: &[u8]) -> Option<Rsn> {
        if value.get(..4)? != [0x00, 0x50, 0xf2, 1] {
            return None;
        }
        Self::parse_fields(value.get(6..)?, true)
    }

    fn parse_fields(v: &[u8], wpa: bool) -> Option<Rsn> {
        let mut rsn = Rsn {
            wpa,
            ..Rsn::default()
        };
        let suite = |v: &[u8], at: usize| -> Option<Suite> {
            Some(Suite(v.get(at..at + 4)?.try_into().ok()?))
        };
        let Some(g) = suite(v, 0) else {
            return Some(rsn);
        };
        rsn.group = Some(g);
        let mut at = 4;
        for akms in [false, true] {
            let Some(n) = v.get(at..at + 2) else {
                return Some(rsn);
            };
            let n = usize::from(u16::from_le_bytes([n[0], n[1]]));
            at += 2;
            for _ in 0..n {
                let Some(s) = suite(v, at) else {
                    return Some(rsn);
                };
                if akms {
                    rsn.akms.push(s);
                } else {
                    rsn.pairwise.push(s);
                }
                at += 4;
            }
        }
        Some(rsn)
    }
}

/// The PMKID in a message 1's PMKID KDE (00-0f-ac type 4), if there is one.
pub fn pmkid(key_data: &[u8]) -> Option<&[u8; 16]> {
    Elements(key_data).find_map(|(id, v)| {
        (id == ELEMENT_VENDOR && v.get(..4) == Some(&[0x00, 0x0f, 0xac, 4][..]))
            .then(|| v.get(4..20)?.try_into().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn body(info: u16, nonce: u8, data: &[u8]) -> Vec<u8> {
        let k = EapolKey {
            descriptor: DESCRIPTOR_RSN,
            info: KeyInfo(info),
            key_length: 16,
            replay_counter: 1,
            nonce: &[nonce; 32],
            iv: &[0; 16],
            rsc: &[0; 8],
            mic: &[0; 16],
            key_data: data,
        };
        let mut out = Vec::new();
        k.emit(&mut out);
        out
    }

    #[test]
    fn messages_are_told_apart() {
        let rsn_ie = [
            48, 20, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 2, 0, 0,
        ];
        let cases = [
            (0x008a, 1, &[][..], Message::FourWay1),
            (0x010a, 2, &rsn_ie[..], Message::FourWay2),
            (0x13ca, 1, &[1; 24][..], Message::FourWay3),
            (0x030a, 0, &[][..], Message::FourWay4),
            (0x1382, 0, &[1; 24][..], Message::Group1),
            (0x0302, 0, &[][..], Message::Group2),
            (0x0f0a, 0, &[][..], Message::Request),
        ];
        for (info, nonce, data, want) in cases {
            let b = body(info, nonce, data);
            let k = EapolKey::parse(&b).unwrap();
            assert_eq!(k.message(), want, "{info:#06x}");
            let mut again = Vec::new();
            k.emit(&mut again);
            assert_eq!(again, b);
        }
        let m2 = body(0x010a, 2, &rsn_ie);
        let k = EapolKey::parse(&m2).unwrap();
        assert_eq!(k.info.version(), 2);
        let (id, v) = k.elements().unwrap().next().unwrap();
        assert_eq!(id, ELEMENT_RSN);
        let rsn = Rsn::parse(v).unwrap();
        assert_eq!(rsn.group.unwrap().cipher_name(), Some("CCMP-128"));
        assert_eq!(rsn.akms[0].akm(), Some(Akm::Psk));
        assert!(EapolKey::parse(&m2[..94]).is_err());
        assert!(EapolKey::parse(&m2[..m2.len() - 1]).is_err());
    }

    #[test]
    fn pmkid_kde_and_wpa_element() {
        let mut kde = vec![0xdd, 20, 0x00, 0x0f, 0xac, 4];
        kde.extend_from_slice(&[7; 16]);
        assert_eq!(pmkid(&kde), Some(&[7; 16]));
        assert_eq!(pmkid(&kde[..10]), None);
        let wpa = [
            0x00, 0x50, 0xf2, 1, 1, 0, 0x00, 0x50, 0xf2, 2, 1, 0, 0x00, 0x50, 0xf2, 2, 1, 0, 0x00,
            0x50, 0xf2, 2,
        ];
        let r = Rsn::parse_wpa(&wpa).unwrap();
        assert!(r.wpa);
        assert_eq!(r.pairwise[0].cipher_name(), Some("TKIP"));
        assert_eq!(r.akms[0].akm(), Some(Akm::Psk));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            if let Ok(k) = EapolKey::parse(&data) {
                let _ = k.message();
                let _ = k.elements().map(Iterator::count);
                let _ = pmkid(k.key_data);
            }
            let _ = Rsn::parse(&data);
            let _ = Rsn::parse_wpa(&data);
        }
    }
}
