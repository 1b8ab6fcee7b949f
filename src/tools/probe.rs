//! TLS probing: from two authentications, one offering up to TLS 1.3 and one offering TLS
//! 1.2 only, which versions the server accepts for the method, the suite each chose, the
//! certificate, and whether two common clients would accept this server:
//!
//! - Android 11 and later require a CA certificate and a domain (the server's name) and
//!   refuse a server that does not validate against them;
//! - Windows 11 offers TLS 1.3 first (falling back only if the server chooses 1.2): a
//!   server that breaks on a TLS 1.3 ClientHello fails its clients.
//!
//! The caller runs the two authentications (any transport) and gives their [`Report`]s.

use super::json::Object;
use super::report::{Report, cause_json, rfc3339, suite_name, tls_version_name};
use crate::tls::TlsVersion;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Would a client accept this server, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The client would complete the authentication with this server.
    pub accepts: bool,
    /// Why not (or what limits the verdict).
    pub reason: Option<String>,
}

/// The two runs of a probe.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Offering TLS 1.3 and 1.2.
    pub offering_tls13: Report,
    /// Offering TLS 1.2 only.
    pub offering_tls12: Report,
    /// The client validated the server (CA and name rule configured): false when run with
    /// no validation, which makes the Android verdict unknown.
    pub validating: bool,
}

fn failure_reason(r: &Report) -> String {
    r.diagnosis
        .as_ref()
        .map_or_else(|| "no tunnel".to_string(), |d| d.to_string())
}

impl Probe {
    /// The server chose TLS 1.3 when it was offered.
    pub fn accepts_tls13(&self) -> bool {
        self.offering_tls13
            .tls
            .is_some_and(|t| t.version == TlsVersion::TLS13)
    }

    /// The server completed a TLS 1.2 handshake when only 1.2 was offered.
    pub fn accepts_tls12(&self) -> bool {
        self.offering_tls12.tls.is_some()
    }

    /// Android 11's rule: CA + domain.
    pub fn android11(&self) -> Verdict {
        if !self.validating {
            return Verdict {
                accepts: false,
                reason: Some("not known: run without CA and server name validation".into()),
            };
        }
        let runs = [&self.offering_tls13, &self.offering_tls12];
        if runs
            .iter()
            .any(|r| r.server_certificates.iter().any(|(_, v)| *v))
        {
            return Verdict {
                accepts: true,
                reason: None,
            };
        }
        let reason = runs
            .iter()
            .find_map(|r| {
                r.diagnosis
                    .as_ref()
                    .filter(|d| {
                        matches!(
                            d.phase,
                            crate::diagnosis::Phase::ServerValidation
                                | crate::diagnosis::Phase::TlsHandshake
                        )
                    })
                    .map(|d| d.to_string())
            })
            .unwrap_or_else(|| failure_reason(&self.offering_tls13));
        Verdict {
            accepts: false,
            reason: Some(reason),
        }
    }

    /// Windows 11's defaults: TLS 1.3 offered first.
    pub fn windows11(&self) -> Verdict {
        let r = &self.offering_tls13;
        match (&r.tls, &r.diagnosis) {
            (Some(_), None) => Verdict {
                accepts: true,
                reason: None,
            },
            // The tunnel came up; what failed after is not about TLS.
            (Some(t), Some(d)) => Verdict {
                accepts: true,
                reason: Some(format!(
                    "the TLS {} handshake succeeded; the authentication then failed: {d}",
                    tls_version_name(t.version)
                )),
            },
            (None, _) => Verdict {
                accepts: false,
                reason: Some(failure_reason(r)),
            },
        }
    }

    /// Human-readable lines.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let chosen = |r: &Report| match &r.tls {
            Some(t) => format!(
                "server chose TLS {} with {}",
                tls_version_name(t.version),
                suite_name(t.cipher_suite)
            ),
            None => format!("no tunnel: {}", failure_reason(r)),
        };
        out.push(format!(
            "TLS 1.3: {} ({})",
            if self.accepts_tls13() {
                "accepted"
            } else {
                "not accepted"
            },
            chosen(&self.offering_tls13)
        ));
        out.push(format!(
            "TLS 1.2: {} ({})",
            if self.accepts_tls12() {
                "accepted"
            } else {
                "not accepted"
            },
            chosen(&self.offering_tls12)
        ));
        for (c, validated) in self
            .offering_tls13
            .server_certificates
            .iter()
            .chain(&self.offering_tls12.server_certificates)
            .take(1)
        {
            out.push(format!(
                "certificate: {} issued by {}, names {}, valid {} to {}, {} in the chain sent, {}",
                c.subject,
                c.issuer,
                c.dns_names.join(", "),
                rfc3339(c.not_before),
                rfc3339(c.not_after),
                c.chain_len,
                if *validated {
                    "validated"
                } else {
                    "NOT validated"
                }
            ));
        }
        for (name, v) in [
            ("Android 11 (CA + domain)", self.android11()),
            ("Windows 11 (TLS 1.3 first)", self.windows11()),
        ] {
            let verdict = if v.accepts { "accepts" } else { "refuses" };
            match v.reason {
                Some(r) => out.push(format!("{name}: {verdict}: {r}")),
                None => out.push(format!("{name}: {verdict}")),
            }
        }
        out
    }

    /// `{"probe": {...}}`.
    pub fn to_json(&self) -> String {
        let run = |r: &Report, accepted: bool| {
            let mut s = String::new();
            let mut o = Object::new(&mut s);
            o.bool("accepted", accepted);
            match &r.tls {
                Some(t) => {
                    o.str("version", &tls_version_name(t.version))
                        .str("cipher_suite", &suite_name(t.cipher_suite));
                }
                None => {
                    o.raw("version", "null").raw("cipher_suite", "null");
                }
            }
            match &r.diagnosis {
                Some(d) => o.raw("cause", &cause_json(d)),
                None => o.raw("cause", "null"),
            };
            o.end();
            s
        };
        let verdict = |v: Verdict| {
            let mut s = String::new();
            let mut o = Object::new(&mut s);
            o.bool("accepts", v.accepts)
                .opt_str("reason", v.reason.as_deref());
            o.end();
            s
        };
        let mut inner = String::new();
        let mut o = Object::new(&mut inner);
        o.raw("tls13", &run(&self.offering_tls13, self.accepts_tls13()))
            .raw("tls12", &run(&self.offering_tls12, self.accepts_tls12()));
        let report = if self.offering_tls13.server_certificates.is_empty() {
            &self.offering_tls12
        } else {
            &self.offering_tls13
        };
        o.raw("server_certificates", &report.certificates_json())
            .raw("android11", &verdict(self.android11()))
            .raw("windows11", &verdict(self.windows11()));
        o.end();
        let mut out = String::new();
        let mut w = Object::new(&mut out);
        w.raw("probe", &inner);
        w.end();
        out
    }
}
