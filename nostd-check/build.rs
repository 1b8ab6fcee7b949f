//! Builds the client-only image (client/) with the `client-size` profile (opt-level "s",
//! LTO, panic = "abort"), and hands its code size to the check: `EAP_CLIENT_TEXT` (its
//! `.text`, octets) and `client-size.txt` in OUT_DIR (`.text` by crate: ours, rustls, ring,
//! webpki, the rest). It needs binutils' `size` and `nm` (there wherever gcc links the
//! check). Two images: everything (the committed figure), and TLS 1.3 only (the crate's
//! `tls12` feature off, the one part a firmware can leave out at build time; methods and
//! the TLS versions a device configures are chosen at run time and do not change what
//! links, see the README's firmware section).

use std::collections::BTreeMap;
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates the breakdown names; anything else (core, alloc, compiler_builtins, the C
/// runtime, other dependencies) is "rest".
const CRATES: [&str; 4] = ["eap", "rustls", "webpki", "ring"];

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    for path in [
        "client/src",
        "client/Cargo.toml",
        "../src",
        "../Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", manifest.join(path).display());
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = out.join("client");
    let mut summary = Vec::new();
    for (label, full, args) in [
        ("all methods, TLS 1.2 and 1.3", true, &[][..]),
        (
            "TLS 1.3 only (feature tls12 off)",
            false,
            &["--no-default-features"][..],
        ),
    ] {
        let status = Command::new(&cargo)
            .current_dir(&manifest)
            .args(["build", "--locked", "--quiet", "--profile", "client-size"])
            .args(["-p", "eap-nostd-client", "--target-dir"])
            .arg(&target)
            .args(args)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTFLAGS")
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the client-only image did not build");
        let image = target.join("client-size/eap-nostd-client");
        let text = section_size(&image, ".text");
        if full {
            println!("cargo:rustc-env=EAP_CLIENT_TEXT={text}");
            // Kept for .ci/run, which checks that the image answers an Identity request.
            std::fs::copy(&image, out.join("eap-nostd-client")).expect("OUT_DIR is writable");
        }
        let parts: Vec<String> = breakdown(&image, text)
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        summary.push(format!(
            "{label}: .text {text} bytes ({})",
            parts.join(", ")
        ));
    }
    std::fs::write(out.join("client-size.txt"), summary.join("; ")).expect("OUT_DIR is writable");
}

/// A section's size, from binutils' `size -A`.
fn section_size(image: &Path, name: &str) -> u64 {
    let output = Command::new("size")
        .arg("-A")
        .arg(image)
        .output()
        .expect("size runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| {
            let mut fields = line.split_whitespace();
            (fields.next() == Some(name)).then(|| fields.next()?.parse().ok())?
        })
        .expect("the image has the section")
}

/// `.text` by crate: each code symbol's size goes to the first of [`CRATES`] its demangled
/// name mentions (a generic instantiated for rustls counts as rustls), ring's C and
/// assembly (`ring_core_*`) to ring; the rest of `.text` is "rest".
fn breakdown(image: &Path, text: u64) -> Vec<(&'static str, u64)> {
    let output = Command::new("nm")
        .args(["--print-size", "--demangle", "--defined-only"])
        .arg(image)
        .output()
        .expect("nm runs");
    let mut sizes: BTreeMap<&'static str, u64> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let mut fields = line.splitn(4, ' ');
        let (Some(_), Some(size), Some(kind), Some(name)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if !matches!(kind, "t" | "T" | "w" | "W") {
            continue;
        }
        let Ok(size) = u64::from_str_radix(size, 16) else {
            continue;
        };
        let owner = if name.starts_with("ring_core_") {
            Some("ring")
        } else {
            first_crate(name)
        };
        if let Some(owner) = owner {
            *sizes.entry(owner).or_default() += size;
        }
    }
    let named: u64 = sizes.values().sum();
    let mut parts: Vec<(&'static str, u64)> = CRATES
        .iter()
        .map(|c| (*c, sizes.get(c).copied().unwrap_or(0)))
        .collect();
    parts.push(("rest", text.saturating_sub(named)));
    parts
}

/// The first of [`CRATES`] that `name` names as a path root (`crate::`).
fn first_crate(name: &str) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for c in CRATES {
        let needle = format!("{c}::");
        let mut from = 0;
        while let Some(at) = name[from..].find(&needle) {
            let at = from + at;
            let boundary = at == 0
                || !name.as_bytes()[at - 1].is_ascii_alphanumeric()
                    && name.as_bytes()[at - 1] != b'_';
            if boundary {
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, c));
                }
                break;
            }
            from = at + needle.len();
        }
    }
    best.map(|(_, c)| c)
}
