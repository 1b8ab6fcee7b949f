#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| eap::unstable::fuzzing::supplicant_teap(data));
