//! Writes the seed inputs (`fuzz/seeds/<target>/seed-*`) from a real PEAPv0 exchange with
//! the in-process authenticator, plus hand-made edge cases. Run from the repository root:
//! `cargo run --manifest-path fuzz/Cargo.toml --bin seeds`.

use eap::unstable::fuzzing::{client_config, server_config};
use eap::testing::{Direction, Fault, Pair};
use eap::unstable::wire::eap::Eap;
use eap::unstable::wire::eapol::Eapol;
use eap::unstable::wire::radius::{self, Builder, Code};
use std::fs;
use std::path::Path;

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = Path::new("fuzz/seeds").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("seed-{name}")), data).unwrap();
}

fn prefixed(packets: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in packets {
        out.extend_from_slice(&(p.len() as u16).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

fn main() {
    // A whole exchange, small fragments so that reassembly has work to do.
    let mut server = server_config();
    server.fragment_size = 300;
    server.cryptobinding = true;
    let mut to_peer = Vec::new();
    let mut to_server = Vec::new();
    let out = Pair::new(client_config(), server).run_with(|dir, p| {
        match dir {
            Direction::ToPeer => to_peer.push(p.to_vec()),
            Direction::ToServer => to_server.push(p.to_vec()),
        }
        Fault::Deliver
    });
    assert!(out.keys().is_some(), "the seed exchange must succeed");

    let mut client_tls = vec![7];
    let mut server_tls = vec![255];
    let mut fragments = Vec::new();
    for (i, p) in to_peer.iter().chain(&to_server).enumerate() {
        write("eap", &format!("{i:02}"), p);
        write("eapol", &format!("{i:02}"), &Eapol::eap(p).to_vec());
        if let Ok(e) = Eap::parse(p) {
            if let Some((eap::MethodType::Peap, data)) = e.method() {
                write("tls_frame", &format!("{i:02}"), data);
                if let Ok(f) = eap::unstable::wire::tls_frame::TlsFrame::parse(data) {
                    let stream = if i < to_peer.len() { &mut server_tls } else { &mut client_tls };
                    stream.extend_from_slice(f.data);
                }
                if i < to_peer.len() {
                    fragments.push(data.to_vec());
                }
            }
        }
    }
    write("tls_record", "client", &client_tls);
    write("tls_record", "server", &server_tls);
    write("peap_reassembly", "server-flight", &prefixed(&fragments));
    write("supplicant_outer", "exchange", &prefixed(&to_peer));
    write("supplicant_outer", "identity-timeout", &prefixed(&[to_peer[0].clone(), vec![]]));

    // TLVs: Result Success + Crypto-Binding request, an unknown mandatory TLV.
    let mut tlvs = vec![0x80, 0x03, 0x00, 0x02, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x38, 0, 0, 0, 0];
    tlvs.extend_from_slice(&[0x5a; 52]);
    write("tlv", "result-cb", &tlvs);
    write("tlv", "unknown-mandatory", &[0xbf, 0xff, 0x00, 0x01, 0xaa]);

    let success = b"S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Welcome";
    let failure = b"E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=Authentication failed";
    let mut challenge = vec![1, 0x2a, 0, 0x1a, 16];
    challenge.extend_from_slice(&[0x5b; 16]);
    challenge.extend_from_slice(b"srv");
    write("mschapv2", "success-message", success);
    write("mschapv2", "failure-message", failure);
    write("mschapv2", "challenge", &challenge);
    let mut s = vec![3, 0x2a, 0, 0];
    s.extend_from_slice(success);
    write("mschapv2", "success", &s);

    write("peap_inner", "identity", b"\x01alice");
    write("peap_inner", "tlv", &[1, 5, 0, 11, 33, 0x80, 3, 0, 2, 0, 1]);
    write("peap_inner", "success", &[3, 5, 0, 4]);

    let mut b = Builder::new(Code::AccessChallenge, 1, [0; 16]);
    b.attribute(radius::attr::STATE, b"state")
        .eap_message(&to_peer[2])
        .message_authenticator();
    write("radius", "challenge", &b.finish());
    let mut b = Builder::new(Code::AccessAccept, 2, [0; 16]);
    b.vendor(radius::VENDOR_MICROSOFT, radius::MS_MPPE_RECV_KEY, &[0x80; 50])
        .eap_message(&[3, 9, 0, 4])
        .message_authenticator();
    write("radius", "accept", &b.finish());

    // Phase-2 messages as the fuzzer's tunnel format: [mode] [len(2)] [bytes].
    let tunnel = |parts: &[(u8, &[u8])]| {
        let mut out = Vec::new();
        for (mode, p) in parts {
            out.push(*mode);
            out.extend_from_slice(&(p.len() as u16).to_be_bytes());
            out.extend_from_slice(p);
        }
        out
    };
    let mut inner_challenge = vec![26];
    inner_challenge.extend_from_slice(&challenge);
    let mut inner_success = vec![26];
    inner_success.extend_from_slice(&s);
    let result = [1u8, 9, 0, 11, 33, 0x80, 3, 0, 2, 0, 1];
    write("supplicant_tunnel", "challenge", &tunnel(&[(0, &inner_challenge)]));
    write(
        "supplicant_tunnel",
        "challenge-success-result",
        &tunnel(&[(0, &inner_challenge), (0, &inner_success), (0, &result), (1, &[3])]),
    );
    write("supplicant_tunnel", "early-success", &tunnel(&[(1, &[3])]));
    println!("seeds written under fuzz/seeds/");
}
