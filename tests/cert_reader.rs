//! The certificate reader that takes part in trust decisions (the server-name check, the
//! no-clock check instant, the handshake signature's key) agrees with a reference parser
//! (x509-parser) on every certificate we have: Debian's ca-certificates bundle, the test
//! PKIs, and the committed `cert_info` fuzz inputs (seeds and the corpus fuzzing grew). See
//! `tests/reference/mod.rs` for what counts as a disagreement.

mod reference;

use reference::{Agreement, compare};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;

const BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

#[test]
fn the_public_ca_bundle_reads_the_same() {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(BUNDLE)
        .unwrap_or_else(|e| panic!("{BUNDLE}: {e:?} (Debian's ca-certificates package)"))
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(certs.len() > 100, "{} certificates", certs.len());
    for (i, der) in certs.iter().enumerate() {
        assert_eq!(
            compare(der),
            Ok(Agreement::Same),
            "certificate {i} of {BUNDLE}"
        );
    }
}

#[test]
fn the_test_pkis_read_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let pem = std::fs::read(&path).unwrap();
        for der in CertificateDer::pem_slice_iter(&pem) {
            let der = der.unwrap();
            assert_eq!(compare(&der), Ok(Agreement::Same), "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 4);
}

/// Every committed input: no disagreement (either may refuse, and we may be stricter on a
/// subjectAltName), and the seeds, real certificates of every shape, read the same.
#[test]
fn the_fuzz_inputs_never_disagree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for kind in ["seeds", "corpus"] {
        let dir = root.join(kind).join("cert_info");
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let der = std::fs::read(&path).unwrap();
            let agreement = compare(&der).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.file_name().unwrap().to_string_lossy();
            if kind == "seeds" && !name.contains("malformed") {
                assert_eq!(agreement, Agreement::Same, "{}", path.display());
            }
            *seen.entry(format!("{kind} {agreement:?}")).or_default() += 1;
        }
    }
    eprintln!("{seen:?}");
    assert!(
        seen.get("seeds Same").copied().unwrap_or(0) >= 10,
        "{seen:?}"
    );
}
