//! Writes the `cert_info` seeds (`fuzz/seeds/cert_info/`): the test PKIs' certificates,
//! certificates of every shape the server-name check meets (made here with rcgen), the two
//! malformed subjectAltNames of issue 30, and a sample of Debian's public CA bundle. Run
//! from the repository root: `cargo run --manifest-path fuzz/Cargo.toml --bin cert_seeds`.

use rcgen::{
    CertificateParams, CustomExtension, DnType, KeyPair, PKCS_ECDSA_P256_SHA256,
    PKCS_ECDSA_P384_SHA384, PKCS_ED25519, SanType, date_time_ymd,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
// The SAN fixtures the server-name tests use.
#[path = "../../../tests/common/san.rs"]
mod san;

use san::{der, good_san, hidden_name_san, skipped_name_san};
use std::fs;
use std::path::Path;

fn write(name: &str, der: &[u8]) {
    let dir = Path::new("fuzz/seeds/cert_info");
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(format!("seed-{name}")), der).unwrap();
}

struct Shape {
    name: &'static str,
    cn: &'static str,
    sans: Vec<SanType>,
    /// A subjectAltName value written as is (instead of `sans`).
    raw_san: Vec<Vec<u8>>,
    alg: &'static rcgen::SignatureAlgorithm,
    not_after: (i32, u8, u8),
}

fn shape(name: &'static str, cn: &'static str) -> Shape {
    Shape {
        name,
        cn,
        sans: Vec::new(),
        raw_san: Vec::new(),
        alg: &PKCS_ECDSA_P256_SHA256,
        not_after: (2036, 1, 1),
    }
}

fn main() {
    for f in ["ca", "server", "rsa-ca", "rsa-server"] {
        let cert = CertificateDer::from_pem_file(format!("tests/data/{f}.pem")).unwrap();
        write(&format!("pki-{f}"), &cert);
    }

    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "seed CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    write("rcgen-ca", ca.der());

    let dns = |n: &str| SanType::DnsName(n.try_into().unwrap());
    let every_kind = {
        let mut names = der(
            &[0xa0],
            &[
                &der(&[0x06], &[0x2a])[..],
                &der(&[0xa0], &der(&[0x0c], b"x")),
            ]
            .concat(),
        );
        names.extend(der(&[0x81], b"ops@example.org"));
        names.extend(der(&[0x82], b"radius.example.org"));
        names.extend(der(&[0xa4], &der(&[0x30], &[])));
        names.extend(der(&[0x86], b"https://example.org/"));
        names.extend(der(&[0x87], &[192, 0, 2, 7]));
        names.extend(der(&[0x88], &[0x2a, 0x03]));
        der(&[0x30], &names)
    };
    let hidden = hidden_name_san();
    let skipped = skipped_name_san();
    let one = good_san(&["radius.example.org"]);

    let shapes = vec![
        Shape {
            sans: vec![dns("radius.example.org")],
            ..shape("p256-one-name", "radius.example.org")
        },
        Shape {
            sans: vec![dns("radius.example.org")],
            alg: &PKCS_ECDSA_P384_SHA384,
            ..shape("p384-one-name", "radius.example.org")
        },
        Shape {
            sans: vec![dns("radius.example.org")],
            alg: &PKCS_ED25519,
            ..shape("ed25519-one-name", "radius.example.org")
        },
        shape("no-san", "radius.example.org"),
        Shape {
            sans: vec![
                dns("a.example.org"),
                dns("b.example.org"),
                dns("*.wild.example.org"),
                dns("example.org"),
            ],
            ..shape("many-names-wildcard", "a.example.org")
        },
        Shape {
            sans: vec![dns("portal.example.net")],
            ..shape("cn-differs", "radius.example.org")
        },
        Shape {
            sans: vec![SanType::IpAddress("192.0.2.1".parse().unwrap())],
            ..shape("ip-only-dns-like-cn", "radius.example.org")
        },
        Shape {
            sans: vec![
                dns("radius.example.org"),
                SanType::Rfc822Name("ops@example.org".try_into().unwrap()),
                SanType::URI("https://example.org/".try_into().unwrap()),
                SanType::IpAddress("2001:db8::1".parse().unwrap()),
            ],
            ..shape("rcgen-kinds", "radius.example.org")
        },
        Shape {
            raw_san: vec![every_kind],
            ..shape("every-general-name-kind", "radius.example.org")
        },
        Shape {
            sans: vec![dns("radius.example.org")],
            not_after: (2061, 6, 30),
            ..shape("generalized-time", "radius.example.org")
        },
        Shape {
            raw_san: vec![hidden],
            ..shape("malformed-hidden-name", "decoy.attacker.test")
        },
        Shape {
            raw_san: vec![skipped],
            ..shape("malformed-skipped-name", "cn-only.example.net")
        },
        Shape {
            raw_san: vec![one.clone(), one],
            ..shape("malformed-two-sans", "radius.example.org")
        },
    ];
    for s in shapes {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, s.cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "eap seeds");
        params.subject_alt_names = s.sans;
        for raw in s.raw_san {
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(&[2, 5, 29, 17], raw));
        }
        params.not_before = date_time_ymd(2025, 1, 1);
        params.not_after = date_time_ymd(s.not_after.0, s.not_after.1, s.not_after.2);
        let key = KeyPair::generate_for(s.alg).unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        write(s.name, cert.der());
    }

    // A sample of the public CA bundle (every 8th), RSA and ECDSA roots of many issuers.
    let bundle = CertificateDer::pem_file_iter("/etc/ssl/certs/ca-certificates.crt").unwrap();
    for (i, cert) in bundle.enumerate().filter(|(i, _)| i % 8 == 0) {
        write(&format!("public-{i:03}"), &cert.unwrap());
    }
}
