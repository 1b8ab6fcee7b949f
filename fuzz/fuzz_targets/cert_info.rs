#![no_main]
// The certificate reader, and the same facts compared with x509-parser's reading.
#[path = "../../tests/reference/mod.rs"]
mod reference;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    eap::unstable::fuzzing::cert_info(data);
    if let Err(disagreement) = reference::compare(data) {
        panic!("{disagreement}");
    }
});
