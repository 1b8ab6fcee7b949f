#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| eap::fuzzing::capture_explain(data));
