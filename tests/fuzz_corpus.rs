//! Replays the committed fuzz inputs through the fuzz target bodies, so stable `cargo test`
//! exercises every target on every input that ever mattered: the seeds
//! (`fuzz/seeds/<target>/`, from a real exchange, never minimised away) and the corpus
//! that fuzzing grew and `cargo fuzz cmin` minimised (`fuzz/corpus/<target>/`).

use std::path::Path;

#[test]
fn every_target_replays_its_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, body) in eap::unstable::fuzzing::TARGETS {
        let mut files = Vec::new();
        for kind in ["seeds", "corpus"] {
            let dir = root.join(kind).join(name);
            let found: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.unwrap().path())
                .collect();
            assert!(!found.is_empty(), "{name}: no {kind}");
            files.extend(found);
        }
        files.sort();
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let result = std::panic::catch_unwind(|| body(&data));
            assert!(result.is_ok(), "{name}: {} panics", f.display());
        }
        eprintln!("{name}: {} inputs", files.len());
    }
}

#[test]
fn targets_match_the_fuzz_crate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = eap::unstable::fuzzing::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}
