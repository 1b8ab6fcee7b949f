#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| eap::unstable::fuzzing::teap_phase2(data));
