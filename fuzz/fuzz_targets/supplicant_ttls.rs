#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| eap::fuzzing::supplicant_ttls(data));
