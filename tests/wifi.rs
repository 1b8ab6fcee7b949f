//! Over-the-air Wi-Fi captures made here: WPA2-PSK 4-way handshakes (right passphrase,
//! wrong passphrase, partial), built from the crate's own 802.11 builders
//! (`eap::unstable::capture::air`) and WPA crypto (`eap::unstable::crypto::wpa`), written in every monitor-mode
//! link layer the explainer reads, explained, key-checked, and read back by tshark as an
//! independent reader.

use eap::unstable::air::{self, DataShape};
use eap::unstable::capture::{
    ConversationOutcome, KeyCheck, KeySource, Options, PcapWriter, Report, Stage, explain,
    link::Mac,
};
use eap::unstable::crypto::wpa;
use eap::unstable::wire::eapol_key::{EapolKey, KeyInfo, MIC_OFFSET};
use std::time::Duration;

const AP: Mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
const STA: Mac = [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];
const SSID: &[u8] = b"eap-test-psk";
const PASSPHRASE: &str = "correct horse battery";
/// RSN element: version 1, group CCMP-128, pairwise CCMP-128, AKM PSK, capabilities 0.
const RSN_IE: [u8; 22] = [
    48, 20, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 2, 0, 0,
];
const LINKTYPES: [u32; 5] = [105, 127, 119, 163, 192];

/// How the made-up exchange goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Plot {
    /// Messages 1 to 4, then a protected data frame.
    Success,
    /// The station's passphrase differs: message 1 and 2 three times, then deauth 15.
    WrongPassphrase,
    /// Messages 1 to 3, message 3 twice, no message 4, then the capture ends.
    NoMessage4,
    /// Message 1 and 2, then the capture ends.
    Partial,
}

fn eapol_key(
    info: u16,
    replay: u64,
    nonce: [u8; 32],
    data: &[u8],
    kck: Option<&[u8; 16]>,
) -> Vec<u8> {
    let k = EapolKey {
        descriptor: 2,
        info: KeyInfo(info),
        key_length: if info & 0x80 != 0 { 16 } else { 0 },
        replay_counter: replay,
        nonce: &nonce,
        iv: &[0; 16],
        rsc: &[0; 8],
        mic: &[0; 16],
        key_data: data,
    };
    let mut body = Vec::new();
    k.emit(&mut body);
    let mut frame = vec![2, 3];
    frame.extend_from_slice(&(body.len() as u16).to_be_bytes());
    frame.extend_from_slice(&body);
    if let Some(kck) = kck {
        let mic = wpa::eapol_key_mic(wpa::MicAlgorithm::HmacSha1, kck, &frame);
        frame[MIC_OFFSET..MIC_OFFSET + 16].copy_from_slice(&mic);
    }
    frame
}

/// The 802.11 frames of one exchange, with their times.
fn exchange(plot: Plot, shape: DataShape) -> Vec<(Duration, Vec<u8>)> {
    let ap_pmk = wpa::pmk_from_passphrase(PASSPHRASE, SSID).unwrap();
    let sta_pass = if plot == Plot::WrongPassphrase {
        "incorrect horse battery"
    } else {
        PASSPHRASE
    };
    let sta_pmk = wpa::pmk_from_passphrase(sta_pass, SSID).unwrap();
    let (anonce, snonce) = ([0x3a; 32], [0x5b; 32]);
    let ap_ptk = wpa::ptk(ap_pmk.expose(), &AP, &STA, &anonce, &snonce, 16);
    let sta_ptk = wpa::ptk(sta_pmk.expose(), &AP, &STA, &anonce, &snonce, 16);
    let mut t = Duration::from_secs(1_700_000_000);
    let mut out = Vec::new();
    let mut at = |f: Vec<u8>, ms: u64, out: &mut Vec<(Duration, Vec<u8>)>| {
        t += Duration::from_millis(ms);
        out.push((t, f));
    };
    let from_ap = |e: Vec<u8>| air::data_frame(shape, true, AP, AP, STA, 0x888e, &e);
    let from_sta = |e: Vec<u8>| air::data_frame(shape, false, AP, STA, AP, 0x888e, &e);
    let beacon = air::management_frame(8, AP, [0xff; 6], AP, &air::beacon_body(SSID, &RSN_IE));
    at(beacon, 0, &mut out);
    let mut assoc = vec![0x11, 0x04, 10, 0, 0, SSID.len() as u8];
    assoc.extend_from_slice(SSID);
    assoc.extend_from_slice(&RSN_IE);
    at(air::management_frame(0, STA, AP, AP, &assoc), 5, &mut out);
    let rounds = if plot == Plot::WrongPassphrase { 3 } else { 1 };
    for r in 1..=rounds {
        at(
            from_ap(eapol_key(0x008a, r, anonce, &[], None)),
            2,
            &mut out,
        );
        let m2 = eapol_key(0x010a, r, snonce, &RSN_IE, Some(sta_ptk.kck.expose()));
        at(from_sta(m2), 3, &mut out);
    }
    match plot {
        Plot::WrongPassphrase => {
            let deauth = air::management_frame(12, AP, STA, AP, &15u16.to_le_bytes());
            at(deauth, 1000, &mut out);
        }
        Plot::Partial => {}
        Plot::Success | Plot::NoMessage4 => {
            let m3 = eapol_key(0x13ca, 2, anonce, &[0x77; 56], Some(ap_ptk.kck.expose()));
            at(from_ap(m3.clone()), 2, &mut out);
            if plot == Plot::NoMessage4 {
                let mut again = m3;
                again[9 + 4] = 3; // replay counter 3 (low octet), MIC left stale
                at(from_ap(again), 1000, &mut out);
            } else {
                let m4 = eapol_key(0x030a, 2, [0; 32], &[], Some(sta_ptk.kck.expose()));
                at(from_sta(m4), 2, &mut out);
                let protected = DataShape {
                    protected: true,
                    ..shape
                };
                at(
                    air::data_frame(protected, false, AP, STA, AP, 0, &[0; 40]),
                    10,
                    &mut out,
                );
            }
        }
    }
    out
}

fn capture(plot: Plot, linktype: u32, fcs: bool, shape: DataShape) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (t, f) in exchange(plot, shape) {
        let framed = air::monitor_header(linktype, &f, fcs).unwrap();
        w.packet(linktype as u16, t, &framed).unwrap();
    }
    w.into_inner()
}

fn explained(bytes: &[u8], key: Option<KeySource>) -> Report {
    let options = Options {
        key,
        ..Options::default()
    };
    explain(bytes, &options).unwrap()
}

#[test]
fn every_monitor_link_layer_reads_the_handshake() {
    let shapes = [
        DataShape::default(),
        DataShape {
            qos: true,
            ..DataShape::default()
        },
        DataShape {
            qos: true,
            htc: true,
            ..DataShape::default()
        },
        DataShape {
            four_addresses: true,
            qos: true,
            ..DataShape::default()
        },
    ];
    for linktype in LINKTYPES {
        for fcs in [false, true] {
            for shape in shapes {
                let what = format!("linktype {linktype}, FCS {fcs}, {shape:?}");
                let r = explained(&capture(Plot::Success, linktype, fcs, shape), None);
                assert_eq!(r.ignored, 0, "{what}: {r}");
                assert_eq!(r.protected, 1, "{what}");
                assert_eq!(r.management, 2, "{what}");
                assert_eq!(r.conversations.len(), 1, "{what}: {r}");
                let c = &r.conversations[0];
                assert_eq!(c.timeline.len(), 5, "{what}: {r}");
                assert_eq!(
                    c.verdict.outcome,
                    ConversationOutcome::Success,
                    "{what}: {r}"
                );
                assert_eq!(c.verdict.phase, Stage::FourWay, "{what}");
                let text = r.to_string();
                assert!(
                    !text.contains("neither EAPOL nor RADIUS")
                        || text.contains(" 0 packets neither")
                );
                for m in 1..=4 {
                    assert!(
                        text.contains(&format!("4-way handshake message {m} of 4")),
                        "{what}: {text}"
                    );
                }
            }
        }
    }
}

#[test]
fn successful_psk_handshake_is_explained_and_its_key_matches() {
    let bytes = capture(Plot::Success, 127, true, DataShape::default());
    let r = explained(&bytes, Some(KeySource::Passphrase(PASSPHRASE.into())));
    let text = r.to_string();
    let c = &r.conversations[0];
    assert!(text.contains("a WPA 4-way handshake with no EAP before it (this network uses a pre-shared key, or the station reconnected with a cached PMK), AKM PSK: the 4-way handshake completed"), "{text}");
    assert!(text.contains("network: SSID \"eap-test-psk\"; RSN element: AKM PSK, pairwise CCMP-128, group CCMP-128"), "{text}");
    assert!(matches!(&c.key, Some(KeyCheck::Matches { .. })), "{text}");
    let key_line = text.lines().find(|l| l.starts_with("key: ")).unwrap();
    assert!(
        key_line.contains("matches")
            && key_line.contains("messages 1 and 2 with replay counter 1")
            && key_line.contains("so does message 3's"),
        "{key_line}"
    );
    // The PMK itself, and the MSK whose first half is that PMK.
    let pmk = wpa::pmk_from_passphrase(PASSPHRASE, SSID)
        .unwrap()
        .expose()
        .to_vec();
    let r = explained(&bytes, Some(KeySource::Pmk(pmk.clone())));
    assert!(matches!(
        &r.conversations[0].key,
        Some(KeyCheck::Matches { .. })
    ));
    let msk = [pmk, vec![0; 32]].concat();
    let r = explained(&bytes, Some(KeySource::Msk(msk)));
    assert!(matches!(
        &r.conversations[0].key,
        Some(KeyCheck::Matches { .. })
    ));
    // A wrong passphrase does not match.
    let r = explained(
        &bytes,
        Some(KeySource::Passphrase("not the passphrase".into())),
    );
    let text = r.to_string();
    let key_line = text.lines().find(|l| l.starts_with("key: ")).unwrap();
    assert!(key_line.starts_with("key: does not match (PMK from the passphrase and SSID \"eap-test-psk\"; messages 1 and 2"), "{key_line}");
}

#[test]
fn wrong_passphrase_is_named() {
    for linktype in LINKTYPES {
        let bytes = capture(Plot::WrongPassphrase, linktype, false, DataShape::default());
        let r = explained(&bytes, Some(KeySource::Passphrase(PASSPHRASE.into())));
        assert_eq!(r.conversations.len(), 1, "{r}");
        let c = &r.conversations[0];
        let text = r.to_string();
        assert_eq!(c.verdict.outcome, ConversationOutcome::Failure, "{text}");
        assert_eq!(c.verdict.phase, Stage::FourWay);
        assert!(
            text.contains("cause: a WPA 4-way handshake with no EAP before it"),
            "{text}"
        );
        assert!(text.contains("the access point never sent message 3 after the station's message 2 (sent 3 times): it rejected message 2's MIC, so the station's PMK differs from the access point's (a wrong passphrase); then the access point sent a deauthentication with reason 15 (4-way handshake timeout)"), "{text}");
        assert!(
            text.contains("hint: the passphrase on the station differs"),
            "{text}"
        );
        // The access point's passphrase does not make the station's message 2.
        assert!(text.contains("key: does not match"), "{text}");
        let r = explained(
            &bytes,
            Some(KeySource::Passphrase("incorrect horse battery".into())),
        );
        assert!(r.to_string().contains("key: matches"), "{r}");
        assert!(
            r.to_string()
                .contains("the access point never sent message 3: it rejected this message 2, so it holds another PMK"),
            "{r}"
        );
    }
}

#[test]
fn partial_handshakes() {
    let r = explained(
        &capture(Plot::Partial, 192, true, DataShape::default()),
        None,
    );
    let c = &r.conversations[0];
    assert_eq!(c.verdict.outcome, ConversationOutcome::Incomplete, "{r}");
    assert!(
        r.to_string()
            .contains("the access point never sent message 3"),
        "{r}"
    );
    let r = explained(
        &capture(Plot::NoMessage4, 163, false, DataShape::default()),
        None,
    );
    let c = &r.conversations[0];
    assert_eq!(c.verdict.outcome, ConversationOutcome::Failure, "{r}");
    assert!(
        r.to_string()
            .contains("the station never sent message 4 after message 3 (sent 2 times)"),
        "{r}"
    );
}

#[test]
fn key_check_needs_an_ssid_and_a_known_akm() {
    // No beacon and no association request: the passphrase needs --ssid.
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (t, f) in exchange(Plot::Success, DataShape::default())
        .into_iter()
        .skip(2)
    {
        w.packet(105, t, &f).unwrap();
    }
    let bytes = w.into_inner();
    let r = explained(&bytes, Some(KeySource::Passphrase(PASSPHRASE.into())));
    assert!(
        r.to_string()
            .contains("key: not checked (a passphrase needs the SSID: give --ssid"),
        "{r}"
    );
    let options = Options {
        ssid: Some(SSID.to_vec()),
        key: Some(KeySource::Passphrase(PASSPHRASE.into())),
        ..Options::default()
    };
    assert!(
        explain(&bytes, &options)
            .unwrap()
            .to_string()
            .contains("key: matches")
    );
    // SAE: the AKM in the RSN element says the check cannot be made.
    let mut sae_bytes = bytes.clone();
    // AKM suite 00-0f-ac:2 -> :8 in the association request's and message 2's RSN element.
    let pat = [0, 0x0f, 0xac, 2, 0, 0];
    let mut i = 0;
    while let Some(p) = sae_bytes[i..].windows(6).position(|w| w == pat) {
        sae_bytes[i + p + 3] = 8;
        i += p + 6;
    }
    let r = explained(&sae_bytes, Some(KeySource::Passphrase(PASSPHRASE.into())));
    assert!(
        r.to_string().contains(
            "key: not checked (the AKM is SAE (WPA3-Personal): its PMK comes from the SAE exchange"
        ),
        "{r}"
    );
}

/// tshark, an independent reader, finds the same EAPOL-Key messages in every link layer.
#[test]
fn tshark_reads_the_same_frames() {
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("EAP_SKIP_INTEROP").is_ok(),
            "tshark is not installed (apt-get install tshark), or set EAP_SKIP_INTEROP=1"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("eap-wifi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for linktype in LINKTYPES {
        let path = dir.join(format!("psk-{linktype}.pcapng"));
        std::fs::write(
            &path,
            capture(
                Plot::Success,
                linktype,
                true,
                DataShape {
                    qos: true,
                    ..DataShape::default()
                },
            ),
        )
        .unwrap();
        let out = std::process::Command::new("tshark")
            .args([
                "-r",
                path.to_str().unwrap(),
                "-Y",
                "eapol",
                "-T",
                "fields",
                "-e",
                "wlan_rsna_eapol.keydes.msgnr",
                "-e",
                "wlan.sa",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(
            rows,
            [
                "1\t02:11:22:33:44:55",
                "2\t02:aa:bb:cc:dd:ee",
                "3\t02:11:22:33:44:55",
                "4\t02:aa:bb:cc:dd:ee"
            ],
            "linktype {linktype}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes the fuzz seeds of the `capture` and `eapol_key` targets from these captures
/// (`EAP_WRITE_FUZZ_SEEDS=1 cargo test --all-features --test wifi write_fuzz_seeds`);
/// otherwise checks that the committed seeds are still what these captures give.
#[test]
fn write_fuzz_seeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut seeds: Vec<(String, String, Vec<u8>)> = Vec::new();
    for (plot, linktype, mode) in [
        (Plot::Success, 127u32, 1u8),
        (Plot::WrongPassphrase, 119, 2),
        (Plot::NoMessage4, 163, 3),
        (Plot::Partial, 192, 5),
        (Plot::Success, 105, 0),
    ] {
        let bytes = capture(
            plot,
            linktype,
            linktype == 127,
            DataShape {
                qos: true,
                ..DataShape::default()
            },
        );
        seeds.push((
            "capture".into(),
            format!("seed-{plot:?}-{linktype}"),
            [vec![mode], bytes].concat(),
        ));
    }
    for (i, (_, f)) in exchange(Plot::Success, DataShape::default())
        .iter()
        .enumerate()
    {
        if let Some(eapol) = f
            .windows(2)
            .position(|w| w == [0x88, 0x8e])
            .map(|p| &f[p + 2..])
        {
            seeds.push((
                "eapol_key".into(),
                format!("seed-frame-{i}"),
                eapol[4..].to_vec(),
            ));
        }
    }
    seeds.push(("eapol_key".into(), "seed-rsn".into(), RSN_IE[2..].to_vec()));
    for (target, name, data) in seeds {
        let path = root.join(&target).join(&name);
        if std::env::var("EAP_WRITE_FUZZ_SEEDS").is_ok() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &data).unwrap();
        } else {
            assert_eq!(
                std::fs::read(&path).ok().as_ref(),
                Some(&data),
                "{} is stale: rerun with EAP_WRITE_FUZZ_SEEDS=1",
                path.display()
            );
        }
    }
}

/// An 802.1X capture over the air: the EAP exchange of `tests/captures/eapol-success`
/// (hostapd and wpa_supplicant on a veth pair) carried in 802.11 data frames, then a 4-way
/// handshake keyed by PMK = MSK[0..32] on the station and `ap_pmk` on the access point.
fn eap_then_four_way(msk: &[u8; 64], ap_pmk: &[u8]) -> Vec<u8> {
    use eap::unstable::capture::{link, read_capture};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/captures/eapol-success.pcapng");
    let fixture = read_capture(&std::fs::read(path).unwrap()).unwrap();
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    let mut t = Duration::ZERO;
    let mut sta = None;
    for p in &fixture.packets {
        let Some(link::Frame::Eapol {
            src: Some(src),
            eapol,
            ..
        }) = link::decode(p.linktype, &p.data)
        else {
            continue;
        };
        // EAPOL-Start and EAP-Responses come from the station.
        let from_sta = eapol[1] == 1 || (eapol[1] == 0 && eapol.get(4) == Some(&2));
        if from_sta {
            sta = Some(src);
        }
        let f = if from_sta {
            air::data_frame(DataShape::default(), false, AP, src, AP, 0x888e, eapol)
        } else {
            air::data_frame(
                DataShape::default(),
                true,
                AP,
                AP,
                sta.unwrap_or([2; 6]),
                0x888e,
                eapol,
            )
        };
        t = p.time;
        w.packet(127, t, &air::monitor_header(127, &f, true).unwrap())
            .unwrap();
    }
    let sta = sta.unwrap();
    let (anonce, snonce) = ([0x61; 32], [0x62; 32]);
    let sta_ptk = wpa::ptk(&msk[..32], &AP, &sta, &anonce, &snonce, 16);
    let ap_ptk = wpa::ptk(ap_pmk, &AP, &sta, &anonce, &snonce, 16);
    let same = sta_ptk == ap_ptk;
    let mut frames = Vec::new();
    for r in 1..=if same { 1 } else { 2 } {
        frames.push((true, eapol_key(0x008a, r, anonce, &[], None)));
        frames.push((
            false,
            eapol_key(0x010a, r, snonce, &RSN_IE, Some(sta_ptk.kck.expose())),
        ));
    }
    if same {
        frames.push((
            true,
            eapol_key(0x13ca, 2, anonce, &[0x77; 56], Some(ap_ptk.kck.expose())),
        ));
        frames.push((
            false,
            eapol_key(0x030a, 2, [0; 32], &[], Some(sta_ptk.kck.expose())),
        ));
    }
    for (from_ap, e) in frames {
        t += Duration::from_millis(5);
        let f = if from_ap {
            air::data_frame(DataShape::default(), true, AP, AP, sta, 0x888e, &e)
        } else {
            air::data_frame(DataShape::default(), false, AP, sta, AP, 0x888e, &e)
        };
        w.packet(127, t, &air::monitor_header(127, &f, true).unwrap())
            .unwrap();
    }
    if !same {
        t += Duration::from_secs(1);
        let deauth = air::management_frame(12, AP, sta, AP, &15u16.to_le_bytes());
        w.packet(127, t, &air::monitor_header(127, &deauth, true).unwrap())
            .unwrap();
    }
    w.into_inner()
}

#[test]
fn eap_then_four_way_with_the_msk() {
    let msk = [0x4d; 64];
    let ok = eap_then_four_way(&msk, &msk[..32]);
    let r = explained(&ok, Some(KeySource::Msk(msk.to_vec())));
    let text = r.to_string();
    assert_eq!(r.conversations.len(), 1, "{text}");
    let c = &r.conversations[0];
    assert_eq!(c.verdict.outcome, ConversationOutcome::Success, "{text}");
    assert!(
        text.contains("story: ")
            && text.contains("the authenticator sent EAP-Success")
            && text.contains("the 4-way handshake completed"),
        "{text}"
    );
    assert!(
        text.contains("key: matches (PMK = MSK[0..32]; messages 1 and 2"),
        "{text}"
    );
    assert!(text.contains("so does message 3's"), "{text}");

    // The access point got another PMK from RADIUS: EAP succeeded, the 4-way did not.
    let bad = eap_then_four_way(&msk, &[0x99; 32]);
    let r = explained(&bad, Some(KeySource::Msk(msk.to_vec())));
    let text = r.to_string();
    let c = &r.conversations[0];
    assert_eq!(c.verdict.outcome, ConversationOutcome::Failure, "{text}");
    assert_eq!(c.verdict.phase, Stage::FourWay, "{text}");
    assert!(text.contains("cause: EAP succeeded, then the access point never sent message 3 after the station's message 2 (sent 2 times): it rejected message 2's MIC, so the station's PMK differs from the access point's (the access point's PMK came from RADIUS); then the access point sent a deauthentication with reason 15"), "{text}");
    assert!(
        text.contains("hint: the access point's PMK is not the station's MSK[0..32]"),
        "{text}"
    );
    assert!(
        text.contains("its PMK (from RADIUS) differs from the station's PMK = MSK[0..32]"),
        "{text}"
    );
    // Another MSK than the station's does not match its message 2.
    let r = explained(&bad, Some(KeySource::Msk(vec![0x11; 64])));
    assert!(
        r.to_string()
            .contains("key: does not match (PMK = MSK[0..32]"),
        "{r}"
    );
}

/// CCMP-128 (IEEE 802.11-2020 §12.5.3) of an unprotected 802.11 data frame `frame` (its
/// header, then the LLC/SNAP payload) under `tk` with packet number `pn`: the frame as a
/// station sends it (Protected bit, CCMP header, encrypted payload, 8-octet MIC). Written
/// here from the standard, so that tshark's decryption checks the TK we derived.
fn ccmp_protect(frame: &[u8], header_len: usize, tk: &[u8; 16], pn: u64) -> Vec<u8> {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    let aes = aes::Aes128::new(&(*tk).into());
    let encrypt = |b: [u8; 16]| -> [u8; 16] {
        let mut block = aes::Block::from(b);
        aes.encrypt_block(&mut block);
        block.into()
    };
    let (header, plain) = frame.split_at(header_len);
    let qos = header[0] & 0x80 != 0;
    let four = header[1] & 3 == 3;
    let tid = if qos {
        header[if four { 30 } else { 24 }] & 0x0f
    } else {
        0
    };
    let pn6 = pn.to_be_bytes();
    let mut nonce = [0u8; 13];
    nonce[0] = tid;
    nonce[1..7].copy_from_slice(&header[10..16]);
    nonce[7..].copy_from_slice(&pn6[2..]);
    // AAD: masked Frame Control, A1..A3, masked Sequence Control, A4, masked QoS Control.
    let mut aad = vec![
        header[0] & 0x8f,
        (header[1] & !0x38 & if qos { 0x7f } else { 0xff }) | 0x40,
    ];
    aad.extend_from_slice(&header[4..22]);
    aad.extend_from_slice(&[header[22] & 0x0f, 0]);
    if four {
        aad.extend_from_slice(&header[24..30]);
    }
    if qos {
        aad.extend_from_slice(&[tid, 0]);
    }
    // CBC-MAC: B0, the AAD with its length, the plaintext; M = 8, L = 2.
    let mut b0 = [0u8; 16];
    b0[0] = 0x59;
    b0[1..14].copy_from_slice(&nonce);
    b0[14..].copy_from_slice(&(plain.len() as u16).to_be_bytes());
    let mut x = encrypt(b0);
    let mut blocks = (aad.len() as u16).to_be_bytes().to_vec();
    blocks.extend_from_slice(&aad);
    blocks.resize(blocks.len().next_multiple_of(16), 0);
    let mut p = plain.to_vec();
    p.resize(p.len().next_multiple_of(16), 0);
    blocks.extend_from_slice(&p);
    for chunk in blocks.chunks(16) {
        for (a, b) in x.iter_mut().zip(chunk) {
            *a ^= b;
        }
        x = encrypt(x);
    }
    let ctr = |i: u16| {
        let mut a = [0u8; 16];
        a[0] = 0x01;
        a[1..14].copy_from_slice(&nonce);
        a[14..].copy_from_slice(&i.to_be_bytes());
        encrypt(a)
    };
    let mut out = header.to_vec();
    out[1] |= 0x40;
    out.extend_from_slice(&[pn6[7], pn6[6], 0, 0x20, pn6[5], pn6[4], pn6[3], pn6[2]]);
    for (i, chunk) in plain.chunks(16).enumerate() {
        let s = ctr(i as u16 + 1);
        out.extend(chunk.iter().zip(s).map(|(a, b)| a ^ b));
    }
    let s0 = ctr(0);
    out.extend(x[..8].iter().zip(&s0[..8]).map(|(a, b)| a ^ b));
    out
}

/// Writes the PSK handshake and a data frame protected with `tk`; returns what tshark,
/// given the passphrase, decrypts of it (the UDP payload in hex).
fn tshark_decrypted(dir: &std::path::Path, shape: DataShape, tk: &[u8; 16]) -> String {
    let ip = eap::unstable::capture::pcapng::ip_udp(
        "10.0.0.2:5000".parse().unwrap(),
        "10.0.0.1:7".parse().unwrap(),
        b"decrypted by tshark",
    );
    let plain = air::data_frame(shape, false, AP, STA, AP, 0x0800, &ip);
    let header_len = if shape.qos { 26 } else { 24 };
    let protected = ccmp_protect(&plain, header_len, tk, 1);
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    let mut last = Duration::ZERO;
    for (t, f) in exchange(Plot::Success, shape) {
        // The exchange's own protected frame is a placeholder: ours replaces it.
        if f[1] & 0x40 != 0 {
            continue;
        }
        last = t;
        w.packet(127, t, &air::monitor_header(127, &f, false).unwrap())
            .unwrap();
    }
    let framed = air::monitor_header(127, &protected, false).unwrap();
    w.packet(127, last + Duration::from_millis(10), &framed)
        .unwrap();
    let path = dir.join("ccmp.pcapng");
    std::fs::write(&path, w.into_inner()).unwrap();
    let key = format!(
        "uat:80211_keys:\"wpa-pwd\",\"{PASSPHRASE}:{}\"",
        String::from_utf8_lossy(SSID)
    );
    let out = std::process::Command::new("tshark")
        .args([
            "-r",
            path.to_str().unwrap(),
            "-o",
            "wlan.enable_decryption:TRUE",
            "-o",
            &key,
        ])
        .args(["-Y", "udp", "-T", "fields", "-e", "udp.payload"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// tshark, given the passphrase, derives the PTK from the handshake we made and decrypts a
/// data frame we protected with the TK that `eap::unstable::crypto::wpa::ptk` derived (and nothing
/// protected with another TK).
#[test]
fn tshark_decrypts_a_frame_protected_with_our_ptk() {
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("EAP_SKIP_INTEROP").is_ok(),
            "tshark is not installed"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("eap-wifi-ccmp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let want: String = b"decrypted by tshark"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let pmk = wpa::pmk_from_passphrase(PASSPHRASE, SSID).unwrap();
    let ptk = wpa::ptk(pmk.expose(), &AP, &STA, &[0x3a; 32], &[0x5b; 32], 16);
    let tk: [u8; 16] = ptk.tk.expose()[..16].try_into().unwrap();
    for shape in [
        DataShape::default(),
        DataShape {
            qos: true,
            ..DataShape::default()
        },
    ] {
        assert_eq!(tshark_decrypted(&dir, shape, &tk), want, "{shape:?}");
    }
    let mut other = tk;
    other[0] ^= 1;
    assert_eq!(tshark_decrypted(&dir, DataShape::default(), &other), "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unanswered_group_key_handshake() {
    let mut frames = exchange(Plot::Success, DataShape::default());
    let mut t = frames.last().unwrap().0;
    let pmk = wpa::pmk_from_passphrase(PASSPHRASE, SSID).unwrap();
    let ptk = wpa::ptk(pmk.expose(), &AP, &STA, &[0x3a; 32], &[0x5b; 32], 16);
    for replay in [3, 4] {
        t += Duration::from_secs(1);
        let g1 = eapol_key(0x1382, replay, [0; 32], &[0x55; 32], Some(ptk.kck.expose()));
        frames.push((
            t,
            air::data_frame(DataShape::default(), true, AP, AP, STA, 0x888e, &g1),
        ));
    }
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (t, f) in frames {
        w.packet(105, t, &f).unwrap();
    }
    let r = explained(&w.into_inner(), None);
    let c = &r.conversations[0];
    assert_eq!(c.verdict.outcome, ConversationOutcome::Failure, "{r}");
    assert_eq!(c.verdict.phase, Stage::GroupKey, "{r}");
    let text = r.to_string();
    assert!(
        text.contains("EAPOL-Key group key handshake message 1 of 2 (again)"),
        "{text}"
    );
    assert!(
        text.contains(
            "the 4-way handshake completed, but the station never answered the group key handshake"
        ),
        "{text}"
    );
}

/// An EAPOL-Key frame of any descriptor and version, its MIC made with `ptk`'s KCK.
fn key_frame(
    descriptor: u8,
    info: u16,
    replay: u64,
    nonce: [u8; 32],
    data: &[u8],
    ptk: Option<&wpa::Ptk>,
) -> Vec<u8> {
    let k = EapolKey {
        descriptor,
        info: KeyInfo(info),
        key_length: 16,
        replay_counter: replay,
        nonce: &nonce,
        iv: &[0; 16],
        rsc: &[0; 8],
        mic: &[0; 16],
        key_data: data,
    };
    let mut frame = vec![1, 3, 0, 0];
    k.emit(&mut frame);
    let len = (frame.len() - 4) as u16;
    frame[2..4].copy_from_slice(&len.to_be_bytes());
    if let Some(ptk) = ptk {
        let alg = wpa::MicAlgorithm::from_version((info & 7) as u8).unwrap();
        let mic = wpa::eapol_key_mic(alg, ptk.kck.expose(), &frame);
        frame[MIC_OFFSET..MIC_OFFSET + 16].copy_from_slice(&mic);
    }
    frame
}

/// WPA (descriptor 254, HMAC-MD5), RSN with PSK-SHA256 (version 3, AES-128-CMAC, the
/// SHA-256 KDF), and a message 2 whose message 1 is missing (its ANonce is message 3's).
#[test]
fn every_mic_version_and_a_missing_message_1() {
    let pmk = wpa::pmk_from_passphrase(PASSPHRASE, SSID).unwrap();
    let (anonce, snonce, lost) = ([0x10; 32], [0x20; 32], [0x30; 32]);
    // WPA element: vendor 00-50-f2 type 1, TKIP, PSK. RSN element with AKM 6 (PSK-SHA256).
    let wpa_ie = [
        0xdd, 22, 0, 0x50, 0xf2, 1, 1, 0, 0, 0x50, 0xf2, 2, 1, 0, 0, 0x50, 0xf2, 2, 1, 0, 0, 0x50,
        0xf2, 2,
    ];
    let mut rsn_sha256 = RSN_IE;
    rsn_sha256[19] = 6;
    for (descriptor, version, ie, m1_nonce, want) in [
        (
            254u8,
            1u16,
            &wpa_ie[..],
            anonce,
            "message 2's HMAC-MD5 MIC verifies",
        ),
        (
            2,
            3,
            &rsn_sha256[..],
            anonce,
            "message 2's AES-128-CMAC MIC verifies",
        ),
        (
            2,
            2,
            &RSN_IE[..],
            lost,
            "with the ANonce of message 3 (replay counter 2",
        ),
    ] {
        let ptk = if version == 3 {
            wpa::ptk_sha256(pmk.expose(), &AP, &STA, &anonce, &snonce)
        } else {
            wpa::ptk(pmk.expose(), &AP, &STA, &anonce, &snonce, 32)
        };
        let frames = [
            (
                true,
                key_frame(descriptor, 0x0088 | version, 1, m1_nonce, &[], None),
            ),
            (
                false,
                key_frame(descriptor, 0x0108 | version, 1, snonce, ie, Some(&ptk)),
            ),
            (
                true,
                key_frame(descriptor, 0x01c8 | version, 2, anonce, ie, Some(&ptk)),
            ),
            (
                false,
                key_frame(descriptor, 0x0108 | version, 2, [0; 32], &[], Some(&ptk)),
            ),
        ];
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        let beacon = air::management_frame(8, AP, [0xff; 6], AP, &air::beacon_body(SSID, ie));
        w.packet(105, Duration::from_secs(1), &beacon).unwrap();
        for (i, (from_ap, e)) in frames.into_iter().enumerate() {
            let f = if from_ap {
                air::data_frame(DataShape::default(), true, AP, AP, STA, 0x888e, &e)
            } else {
                air::data_frame(DataShape::default(), false, AP, STA, AP, 0x888e, &e)
            };
            w.packet(105, Duration::from_secs(2 + i as u64), &f)
                .unwrap();
        }
        let bytes = w.into_inner();
        let r = explained(&bytes, Some(KeySource::Passphrase(PASSPHRASE.into())));
        let text = r.to_string();
        assert_eq!(
            r.conversations[0].verdict.outcome,
            ConversationOutcome::Success,
            "{text}"
        );
        let key = text.lines().find(|l| l.starts_with("key: ")).unwrap();
        assert!(
            key.starts_with("key: matches") && key.contains(want),
            "{version}: {key}"
        );
        assert!(key.contains("so does message 3's"), "{key}");
        let r = explained(
            &bytes,
            Some(KeySource::Passphrase("another passphrase".into())),
        );
        assert!(r.to_string().contains("key: does not match"), "{r}");
    }
}

/// An EAPOL frame cut by the snap length is reported as such, never as "neither EAPOL nor
/// RADIUS"; an EAPOL-Key frame whose body is cut lands in the conversation as malformed.
#[test]
fn cut_eapol_frames_are_still_eapol() {
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (i, (t, mut f)) in exchange(Plot::Success, DataShape::default())
        .into_iter()
        .enumerate()
    {
        match i {
            3 => f.truncate(24 + 8 + 3),  // message 2: not even an EAPOL header
            4 => f.truncate(24 + 8 + 60), // message 3: the header says more than is there
            _ => {}
        }
        w.packet(105, t, &f).unwrap();
    }
    let r = explained(&w.into_inner(), None);
    assert_eq!((r.ignored, r.malformed_eapol), (0, 2), "{r}");
    assert!(
        r.to_string()
            .contains("EAPOL: 2 frames cut short or malformed (not read)"),
        "{r}"
    );
    assert!(
        r.to_string()
            .contains(" 0 packets neither EAPOL nor RADIUS"),
        "{r}"
    );
}
