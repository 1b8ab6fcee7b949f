#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| eap::unstable::fuzzing::peap_reassembly(data));
