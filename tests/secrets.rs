//! Secret hygiene: every type that holds a password, NT hash, MSK, EMSK or shared secret
//! wipes itself (`ZeroizeOnDrop`, and `Zeroize` leaves nothing behind), and the `Debug`
//! of every configuration, key, event and diagnosis type never shows them.
//!
//! Wiping on drop is checked through the trait the types implement (the zeroize crate
//! runs `zeroize()` in `Drop`); reading freed memory to check it would take unsafe code.

mod common;

use common::*;
use eap::Cryptobinding;
use eap::testing::{Pair, WrongPassword};
use eap::transport::RadiusConfig;
use eap::unstable::crypto::mschapv2::nt_password_hash;
use eap::{Emsk, Msk, NtHash, Password, Secret, SecretVec};
use zeroize::{Zeroize, ZeroizeOnDrop};

fn wiped_on_drop<T: ZeroizeOnDrop>() {}

#[test]
fn secret_types_are_wiped() {
    wiped_on_drop::<NtHash>();
    wiped_on_drop::<Msk>();
    wiped_on_drop::<Emsk>();
    wiped_on_drop::<Secret<20>>();
    wiped_on_drop::<SecretVec>();
    wiped_on_drop::<Password>();

    let mut msk = Msk::new([0x5a; 64]);
    msk.zeroize();
    assert_eq!(msk.expose(), &[0; 64]);
    let mut v = SecretVec::new(vec![0x5a; 16]);
    v.zeroize();
    assert!(v.expose().iter().all(|&b| b == 0));
    let mut p = Password::new("hunter2");
    p.zeroize();
    assert!(!p.expose().contains("hunter2"));
}

/// Every rendering of a secret a Debug could produce: text, hex both cases, and the
/// decimal list of its first octets.
fn renderings(secret: &[u8]) -> Vec<String> {
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let list = format!("{:?}", &secret[..8]);
    vec![
        hex[..16].to_string(),
        hex[..16].to_uppercase(),
        list[1..list.len() - 1].to_string(),
    ]
}

fn assert_absent(what: &str, text: &str, secrets: &[(&str, Vec<String>)]) {
    for (name, forms) in secrets {
        for f in forms {
            assert!(
                !text.contains(f.as_str()),
                "{what} shows the {name}: {text}"
            );
        }
    }
}

#[test]
fn debug_never_prints_secrets() {
    let pki = Pki::new("secrets");
    let builder = client(&pki).cryptobinding(Cryptobinding::Required);
    let builder_debug = format!("{builder:?}");
    let config = builder.build().unwrap();
    let mut srv = server(&pki);
    srv.cryptobinding = true;
    let out = Pair::new(config.clone(), srv).run();
    let keys = out.keys().expect("authenticated").clone();

    let nt = nt_password_hash(PASSWORD);
    let mut secrets = vec![
        ("password", vec![PASSWORD.to_string()]),
        ("NT hash", renderings(nt.expose())),
        ("MSK", renderings(keys.msk.expose())),
        ("EMSK", renderings(keys.emsk.expose())),
    ];

    assert_absent("ConfigBuilder", &builder_debug, &secrets);
    assert_absent("Config", &format!("{config:?}"), &secrets);
    assert_absent("Keys", &format!("{keys:?}"), &secrets);
    for e in &out.events {
        assert_absent("Event", &format!("{e:?}"), &secrets);
        assert_absent("Event", &format!("{e:#?}"), &secrets);
    }
    assert_absent("ServerOutcome", &format!("{:?}", out.server), &secrets);

    // The NT-hash credential and a failed session's diagnosis.
    let by_hash = client(&pki)
        .nt_hash(nt_password_hash(PASSWORD))
        .build()
        .unwrap();
    assert_absent("Config (NT hash)", &format!("{by_hash:?}"), &secrets);
    let mut wrong = server(&pki);
    wrong.knobs.wrong_password = WrongPassword::MschapFailure;
    let failed = Pair::new(client(&pki).password("not it").build().unwrap(), wrong).run();
    let d = failed.diagnosis().expect("a failure");
    assert_absent("Diagnosis", &format!("{d:?} {d}"), &secrets);
    assert!(!format!("{d:?}").contains("not it"));

    // The new and retry passwords of MSCHAPv2 password change and retry.
    let changing = client(&pki)
        .new_password("n3w-secret-pw")
        .retry_password("r3try-secret-pw");
    let changing_debug = format!("{changing:?} {:?}", changing.clone().build().unwrap());
    assert!(
        !changing_debug.contains("n3w-secret-pw"),
        "{changing_debug}"
    );
    assert!(
        !changing_debug.contains("r3try-secret-pw"),
        "{changing_debug}"
    );

    // The RADIUS shared secret.
    secrets.push(("RADIUS secret", vec!["s3cr3t-shared".to_string()]));
    let rc = RadiusConfig::new("127.0.0.1:1812".parse().unwrap(), b"s3cr3t-shared");
    assert_absent("RadiusConfig", &format!("{rc:?}"), &secrets);
}
