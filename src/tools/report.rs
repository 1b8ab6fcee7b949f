//! What an operator's tool reports about one authentication, built from the supplicant's
//! [`Event`]s and the outcome, as data and as one JSON object per line; a summary of many;
//! and the monitoring-plugin verdict. The CLIs print these; other programs get the same
//! results from here.
//!
//! Times come from the caller ([`Instant`] on any monotonic scale, and Unix seconds for
//! certificate dates), so reports are built the same way on a virtual clock.
//!
//! The JSON object of one authentication (keys are an interface):
//! `result` (`"success"` | `"failure"`), `method`, `inner_method`, `identity`,
//! `outer_identity`, `tls` (`null` before the tunnel, else `version` `"1.2"` | `"1.3"`,
//! `cipher_suite` (IANA name), `resumed`, `key_exchange` (the group's IANA name, e.g.
//! `"X25519MLKEM768"`, or `null`)), `server_certificates` (`subject`, `issuer`,
//! `dns_names`, `not_before`, `not_after` (RFC 3339), `days_left`, `validated`),
//! `chain_length`, `round_trips`, `timing_ms` (`total`, `tls_handshake`, `inner_method`),
//! `cause` (`null` on success, else `code`, `phase`, `message`, `hint`), `warnings`
//! (`code`, `message`), `password_changed` (the server accepted our MSCHAPv2 password
//! change), `mschapv2_retries` (MSCHAPv2 retries answered, E=691 R=1), and `msk` only
//! when asked for. Codes: [`cause_code`],
//! [`phase_code`], [`WarningCode::as_str`].

use super::json::{self, Object};
use crate::diagnosis::{Cause, Diagnosis, Phase};
use crate::event::Event;
use crate::lint::{Warning, WarningCode};
use crate::method_type::MethodType;
use crate::time::Instant;
use crate::tls::CertificateInfo;
use crate::tls::TlsVersion;
use crate::transport::AuthOutcome;
use crate::wire::tls_record::cipher_suite_name;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The negotiated TLS tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsReport {
    /// Negotiated version.
    pub version: TlsVersion,
    /// Negotiated cipher suite (IANA value).
    pub cipher_suite: u16,
    /// The handshake resumed an earlier session (never, unless the configuration was given
    /// a session cache).
    pub resumed: bool,
    /// The key exchange group (IANA value), when the TLS stack says.
    pub key_exchange: Option<u16>,
}

/// Durations of one authentication, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timing {
    /// From the start to the outcome.
    pub total: u64,
    /// From the method's acceptance to the tunnel being up (`None`: never up).
    pub tls_handshake: Option<u64>,
    /// From the tunnel being up to the inner method's end (`None`: no inner method ran).
    pub inner_method: Option<u64>,
}

/// One authentication, as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The method, as the caller named it (e.g. `peap`, `peap-gtc`, `tls`).
    pub method: String,
    /// The outer method the server proposed and we took.
    pub outer_method: Option<MethodType>,
    /// The inner method we took inside the tunnel.
    pub inner_method: Option<MethodType>,
    /// The inner identity.
    pub identity: String,
    /// The identity sent in the clear.
    pub outer_identity: String,
    /// The tunnel, once up.
    pub tls: Option<TlsReport>,
    /// The server's certificate as the verifier saw it (the leaf: the supplicant reports
    /// one), and whether it validated.
    pub server_certificates: Vec<(CertificateInfo, bool)>,
    /// Round trips (requests sent and answered or given up on).
    pub round_trips: u32,
    /// The server accepted our MSCHAPv2 password change ([`Event::PasswordChanged`]).
    pub password_changed: bool,
    /// MSCHAPv2 retries answered ([`Event::PasswordRetry`]).
    pub mschapv2_retries: u32,
    /// Durations.
    pub timing: Timing,
    /// `None` on success.
    pub diagnosis: Option<Diagnosis>,
    /// What the operator should look at.
    pub warnings: Vec<Warning>,
    /// Unix time the certificate dates are counted from (`days_left`); `time` in JSON.
    pub unix_now: i64,
    /// The server's address (`server` in JSON; empty: not known).
    pub server: String,
    /// The Chargeable-User-Identity the server returned (RFC 4372), as text.
    pub cui: Option<String>,
}

/// Builds a [`Report`] from the events of one authentication.
#[derive(Debug, Clone)]
pub struct Recorder {
    report: Report,
    start: Instant,
    method_taken: Option<Instant>,
    tunnel_up: Option<Instant>,
    inner_done: Option<Instant>,
    cert_warn_days: i64,
}

impl Recorder {
    /// Starts recording at `now`. `warnings` are those known before anything is sent (the
    /// identity lint); `cert_warn_days` is the window for
    /// [`WarningCode::CertificateExpiresSoon`]; `unix_now` dates the certificates.
    pub fn new(
        method: &str,
        identity: &str,
        outer_identity: &str,
        warnings: Vec<Warning>,
        cert_warn_days: i64,
        now: Instant,
        unix_now: i64,
    ) -> Self {
        Recorder {
            report: Report {
                method: method.to_string(),
                outer_method: None,
                inner_method: None,
                identity: identity.to_string(),
                outer_identity: outer_identity.to_string(),
                tls: None,
                server_certificates: Vec::new(),
                round_trips: 0,
                password_changed: false,
                mschapv2_retries: 0,
                timing: Timing::default(),
                diagnosis: None,
                warnings,
                unix_now,
                server: String::new(),
                cui: None,
            },
            start: now,
            method_taken: None,
            tunnel_up: None,
            inner_done: None,
            cert_warn_days,
        }
    }

    /// One event, at `now`.
    pub fn observe(&mut self, event: &Event, now: Instant) {
        let r = &mut self.report;
        match event {
            Event::IdentitySent { identity } => r.outer_identity = identity.clone(),
            Event::MethodProposed {
                method,
                accepted: true,
                ..
            } => {
                r.outer_method = Some(*method);
                self.method_taken = Some(now);
            }
            Event::ServerCertificate {
                certificate,
                validated,
            } if !r.server_certificates.iter().any(|(c, _)| c == certificate) => {
                r.server_certificates
                    .push((certificate.clone(), *validated));
            }
            Event::CertificateDatesNotChecked { .. } => push_once(
                &mut r.warnings,
                WarningCode::CertificateDatesNotChecked,
                "certificate dates not checked against a clock".into(),
            ),
            Event::TunnelUp {
                version,
                cipher_suite,
                resumed,
                key_exchange,
            } => {
                r.tls = Some(TlsReport {
                    version: *version,
                    cipher_suite: *cipher_suite,
                    resumed: *resumed,
                    key_exchange: *key_exchange,
                });
                self.tunnel_up = Some(now);
            }
            Event::InnerMethodProposed {
                method,
                accepted: true,
            } => r.inner_method = Some(*method),
            Event::InnerMethodSucceeded { .. } => self.inner_done = Some(now),
            Event::PasswordChanged => r.password_changed = true,
            Event::PasswordRetry { .. } => r.mschapv2_retries += 1,
            Event::Restarting { .. } => {
                // The report describes the attempt that decides the outcome.
                r.password_changed = false;
                r.mschapv2_retries = 0;
                self.method_taken = None;
                self.tunnel_up = None;
                self.inner_done = None;
                r.tls = None;
            }
            _ => {}
        }
    }

    /// The authentication ended at `now` with `outcome` after `round_trips`.
    pub fn finish(mut self, outcome: &AuthOutcome, round_trips: u32, now: Instant) -> Report {
        let ms = |a: Instant, b: Instant| b.saturating_duration_since(a).as_millis() as u64;
        let r = &mut self.report;
        r.round_trips = round_trips;
        r.timing = Timing {
            total: ms(self.start, now),
            tls_handshake: self.method_taken.zip(self.tunnel_up).map(|(a, b)| ms(a, b)),
            inner_method: match (self.tunnel_up, r.inner_method) {
                (Some(up), Some(_)) => Some(ms(up, self.inner_done.unwrap_or(now))),
                _ => None,
            },
        };
        r.diagnosis = match outcome {
            AuthOutcome::Authenticated(_) | AuthOutcome::AuthenticatedWithoutKeys { .. } => None,
            AuthOutcome::Failed(d) => Some(d.clone()),
        };
        let unix_now = r.unix_now;
        for (c, validated) in &r.server_certificates {
            let days = days_left(c, unix_now);
            if days < self.cert_warn_days {
                let message = if days < 0 {
                    format!(
                        "server certificate {:?} expired {} days ago",
                        c.subject, -days
                    )
                } else {
                    format!(
                        "server certificate {:?} expires in {days} days (on {})",
                        c.subject,
                        rfc3339(c.not_after)
                    )
                };
                push_once(
                    &mut r.warnings,
                    WarningCode::CertificateExpiresSoon,
                    message,
                );
            }
            if !validated && r.diagnosis.is_none() {
                push_once(
                    &mut r.warnings,
                    WarningCode::ServerNotValidated,
                    "the server certificate was not validated".into(),
                );
            }
        }
        self.report
    }
}

fn push_once(warnings: &mut Vec<Warning>, code: WarningCode, message: String) {
    if !warnings.iter().any(|w| w.code == code) {
        warnings.push(Warning { code, message });
    }
}

/// Whole days from `unix_now` to the certificate's notAfter (negative once expired).
pub fn days_left(c: &CertificateInfo, unix_now: i64) -> i64 {
    (c.not_after - unix_now).div_euclid(86_400)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub fn rfc3339(unix: i64) -> String {
    let secs = unix.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::tls::cert_info::date_text(unix),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `"1.2"`, `"1.3"`, or the hex value of another version.
pub fn tls_version_name(v: TlsVersion) -> String {
    match v {
        TlsVersion::TLS12 => "1.2".into(),
        TlsVersion::TLS13 => "1.3".into(),
        TlsVersion(other) => format!("0x{other:04x}"),
    }
}

/// The IANA name of a suite, or its hex value.
pub fn suite_name(suite: u16) -> String {
    cipher_suite_name(suite).map_or_else(|| format!("0x{suite:04x}"), String::from)
}

fn method_name(m: MethodType) -> String {
    let name = m.name().to_ascii_lowercase();
    name.strip_prefix("eap-")
        .unwrap_or(&name)
        .replace(['-', ' '], "")
}

impl Report {
    /// True on success.
    pub fn succeeded(&self) -> bool {
        self.diagnosis.is_none()
    }

    /// The cause code of a failure.
    pub fn cause_code(&self) -> Option<&'static str> {
        self.diagnosis.as_ref().map(|d| Cause::code(&d.cause))
    }

    /// Days left of the shortest-lived server certificate.
    pub fn min_days_left(&self) -> Option<i64> {
        self.server_certificates
            .iter()
            .map(|(c, _)| days_left(c, self.unix_now))
            .min()
    }

    /// The `server_certificates` array.
    pub fn certificates_json(&self) -> String {
        let certs = self.server_certificates.iter().map(|(c, validated)| {
            let mut s = String::new();
            let mut co = Object::new(&mut s);
            co.str("subject", &c.subject)
                .str("issuer", &c.issuer)
                .raw(
                    "dns_names",
                    &json::array(c.dns_names.iter().map(|n| {
                        let mut q = String::new();
                        json::string(&mut q, n);
                        q
                    })),
                )
                .str("not_before", &rfc3339(c.not_before))
                .str("not_after", &rfc3339(c.not_after))
                .num("days_left", days_left(c, self.unix_now) as f64)
                .bool("validated", *validated);
            co.end();
            s
        });
        json::array(certs)
    }

    /// One JSON object (no newline). `msk` is included only when given.
    pub fn to_json(&self, msk: Option<&[u8]>) -> String {
        let mut out = String::new();
        let mut o = Object::new(&mut out);
        o.str(
            "result",
            if self.succeeded() {
                "success"
            } else {
                "failure"
            },
        )
        .str("time", &rfc3339(self.unix_now))
        .opt_str(
            "server",
            (!self.server.is_empty()).then_some(self.server.as_str()),
        )
        .str("method", &self.method)
        .opt_str(
            "inner_method",
            self.inner_method.map(method_name).as_deref(),
        )
        .str("identity", &self.identity)
        .str("outer_identity", &self.outer_identity);
        match &self.tls {
            Some(t) => {
                let mut s = String::new();
                let mut tls = Object::new(&mut s);
                tls.str("version", &tls_version_name(t.version))
                    .str("cipher_suite", &suite_name(t.cipher_suite))
                    .bool("resumed", t.resumed)
                    .opt_str(
                        "key_exchange",
                        t.key_exchange
                            .map(|g| {
                                crate::wire::tls_record::group_name(g)
                                    .map_or_else(|| alloc::format!("{g:#06x}"), String::from)
                            })
                            .as_deref(),
                    );
                tls.end();
                o.raw("tls", &s)
            }
            None => o.raw("tls", "null"),
        };
        o.raw("server_certificates", &self.certificates_json());
        o.num(
            "chain_length",
            self.server_certificates
                .first()
                .map_or(0, |(c, _)| c.chain_len) as f64,
        );
        o.num("round_trips", self.round_trips);
        let mut t = String::new();
        let mut to = Object::new(&mut t);
        to.num("total", self.timing.total as f64);
        opt_num(&mut to, "tls_handshake", self.timing.tls_handshake);
        opt_num(&mut to, "inner_method", self.timing.inner_method);
        to.end();
        o.raw("timing_ms", &t);
        match &self.diagnosis {
            None => o.raw("cause", "null"),
            Some(d) => o.raw("cause", &cause_json(d)),
        };
        let warnings = self.warnings.iter().map(|w| {
            let mut s = String::new();
            let mut wo = Object::new(&mut s);
            wo.str("code", w.code.as_str()).str("message", &w.message);
            wo.end();
            s
        });
        o.raw("warnings", &json::array(warnings));
        o.bool("password_changed", self.password_changed);
        o.num("mschapv2_retries", self.mschapv2_retries);
        o.opt_str("cui", self.cui.as_deref());
        if let Some(msk) = msk {
            o.str("msk", &hex(msk));
        }
        o.end();
        out
    }
}

fn opt_num(o: &mut Object<'_>, key: &str, v: Option<u64>) {
    match v {
        Some(v) => o.num(key, v as f64),
        None => o.raw(key, "null"),
    };
}

/// `{code, phase, message, hint, kind}` of a diagnosis (`kind`: [`Diagnosis::kind`]'s
/// stable name).
pub fn cause_json(d: &Diagnosis) -> String {
    let mut s = String::new();
    let mut c = Object::new(&mut s);
    let mut message = d.cause.to_string();
    if let Some(m) = &d.server_message {
        message = format!("{message} (server: {m:?})");
    }
    c.str("code", Cause::code(&d.cause))
        .str("phase", Phase::as_str(d.phase))
        .str("message", &message)
        .str("hint", d.hint())
        .str("kind", d.kind().as_str());
    c.end();
    s
}

/// The one JSON object of a run that failed before (or outside) any authentication: a
/// setup or argument error (`"result":"error"`, a `cause` with `code`, `kind`,
/// `message`, `hint` and a `null` phase), with the server, the method and the time.
pub fn error_json(
    code: &str,
    message: &str,
    hint: &str,
    server: Option<&str>,
    method: Option<&str>,
    unix_now: i64,
) -> String {
    let mut c = String::new();
    let mut co = Object::new(&mut c);
    co.str("code", code)
        .raw("phase", "null")
        .str("message", message)
        .str("hint", hint)
        .str("kind", crate::FailureKind::LocalError.as_str());
    co.end();
    let mut out = String::new();
    let mut o = Object::new(&mut out);
    o.str("result", "error")
        .str("time", &rfc3339(unix_now))
        .opt_str("server", server)
        .opt_str("method", method)
        .raw("cause", &c);
    o.end();
    out
}

/// Lowercase hex (from a digit table: no formatting machinery, one allocation).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = alloc::vec![0; bytes.len() * 2];
    for (pair, b) in s.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0x0f)];
    }
    // ASCII digits only: always UTF-8.
    String::from_utf8(s).unwrap_or_default()
}

/// Many authentications: counts, failures by cause code, latency percentiles, rate.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Authentications counted.
    pub count: u32,
    /// Of which succeeded.
    pub successes: u32,
    /// Failures by cause code.
    pub failures_by_cause: BTreeMap<String, u32>,
    /// Total times in milliseconds, in the order added.
    pub latencies_ms: Vec<u64>,
    /// The server's address (`server` in JSON, when not empty).
    pub server: String,
    /// The method (`method` in JSON, when not empty).
    pub method: String,
    /// Unix time of the run (`time` in JSON, when not 0).
    pub unix_now: i64,
}

impl Summary {
    /// Counts one report.
    pub fn add(&mut self, report: &Report) {
        self.count += 1;
        self.latencies_ms.push(report.timing.total);
        match report.cause_code() {
            None => self.successes += 1,
            Some(code) => self.fail(code),
        }
    }

    /// Counts a failure that has no report (a local error), by code.
    pub fn fail(&mut self, code: &str) {
        *self.failures_by_cause.entry(code.to_string()).or_default() += 1;
    }

    /// The `p`th percentile (nearest rank) of the latencies, `p` in 0..=100.
    pub fn percentile(&self, p: u32) -> Option<u64> {
        let mut v = self.latencies_ms.clone();
        v.sort_unstable();
        if v.is_empty() {
            return None;
        }
        let rank = (u64::from(p.min(100)) * v.len() as u64)
            .div_ceil(100)
            .max(1);
        v.get(rank as usize - 1).copied()
    }

    /// `{"summary": {...}}` for a run that took `elapsed_ms`.
    pub fn to_json(&self, elapsed_ms: u64) -> String {
        let mut inner = String::new();
        let mut o = Object::new(&mut inner);
        if self.unix_now != 0 {
            o.str("time", &rfc3339(self.unix_now));
        }
        if !self.server.is_empty() {
            o.str("server", &self.server);
        }
        if !self.method.is_empty() {
            o.str("method", &self.method);
        }
        o.num("count", self.count)
            .num("successes", self.successes)
            .num("failures", self.count - self.successes)
            .num("elapsed_ms", elapsed_ms as f64)
            .num("auths_per_second", self.rate(elapsed_ms));
        let mut l = String::new();
        let mut lo = Object::new(&mut l);
        for (key, p) in [("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)] {
            opt_num(&mut lo, key, self.percentile(p));
        }
        lo.end();
        o.raw("latency_ms", &l);
        let mut f = String::new();
        let mut fo = Object::new(&mut f);
        for (code, n) in &self.failures_by_cause {
            fo.num(code, *n);
        }
        fo.end();
        o.raw("failures_by_cause", &f);
        o.end();
        let mut out = String::new();
        let mut wrapper = Object::new(&mut out);
        wrapper.raw("summary", &inner);
        wrapper.end();
        out
    }

    /// Successes and failures per second over `elapsed_ms`.
    pub fn rate(&self, elapsed_ms: u64) -> f64 {
        if elapsed_ms == 0 {
            return 0.0;
        }
        f64::from(self.count) * 1000.0 / elapsed_ms as f64
    }
}

/// Monitoring-plugin status (ordered by severity, UNKNOWN last as the plugin guidelines
/// number it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NagiosStatus {
    /// 0.
    Ok = 0,
    /// 1.
    Warning = 1,
    /// 2.
    Critical = 2,
    /// 3.
    Unknown = 3,
}

/// The thresholds of [`nagios`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NagiosThresholds {
    /// WARNING when a server certificate has fewer days left.
    pub cert_warn_days: i64,
    /// CRITICAL when a server certificate has fewer days left.
    pub cert_crit_days: Option<i64>,
    /// WARNING when the authentication takes longer (milliseconds).
    pub warn_ms: Option<u64>,
}

/// The monitoring-plugin verdict of one report: status and the output line with
/// performance data (`time`, `round_trips`, `cert_days_left` with its thresholds in the
/// plugins' range syntax: `cert_days_left=N;40:;20:` alerts below 40 and 20 days).
/// WARNING when a certificate has fewer than `cert_warn_days` left or the total time
/// exceeds `warn_ms`; CRITICAL on failure or fewer than `cert_crit_days` left.
pub fn nagios(report: &Report, limits: NagiosThresholds) -> (NagiosStatus, String) {
    let NagiosThresholds {
        cert_warn_days,
        cert_crit_days,
        warn_ms,
    } = limits;
    let days = report.min_days_left();
    let slow = warn_ms.is_some_and(|w| report.timing.total > w);
    let expiring = days.is_some_and(|d| d < cert_warn_days);
    let critical_days = days.filter(|&d| cert_crit_days.is_some_and(|c| d < c));
    let (status, text) = match &report.diagnosis {
        Some(d) => (
            NagiosStatus::Critical,
            format!("{}: {d}", Cause::code(&d.cause)),
        ),
        None if critical_days.is_some() => (
            NagiosStatus::Critical,
            format!(
                "authenticated, but the server certificate expires in {} days",
                days.unwrap_or(0)
            ),
        ),
        None if expiring => (
            NagiosStatus::Warning,
            format!(
                "authenticated, but the server certificate expires in {} days",
                days.unwrap_or(0)
            ),
        ),
        None if slow => (
            NagiosStatus::Warning,
            format!(
                "authenticated in {} ms, more than {} ms",
                report.timing.total,
                warn_ms.unwrap_or(0)
            ),
        ),
        None => (
            NagiosStatus::Ok,
            format!(
                "{} authenticated {} in {} ms",
                report.method, report.identity, report.timing.total
            ),
        ),
    };
    let label = match status {
        NagiosStatus::Ok => "OK",
        NagiosStatus::Warning => "WARNING",
        NagiosStatus::Critical => "CRITICAL",
        NagiosStatus::Unknown => "UNKNOWN",
    };
    let mut perf = format!(
        "time={:.3}s;{};; round_trips={}",
        report.timing.total as f64 / 1000.0,
        warn_ms.map_or_else(String::new, |w| format!("{:.3}", w as f64 / 1000.0)),
        report.round_trips
    );
    if let Some(d) = days {
        let crit = cert_crit_days.map_or_else(String::new, |c| format!("{c}:"));
        perf.push_str(&format!(" cert_days_left={d};{cert_warn_days}:;{crit};"));
    }
    let text = text.replace('|', "/");
    (status, format!("EAP {label} - {text} | {perf}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::TransportFailure;

    fn cert(not_after: i64) -> CertificateInfo {
        CertificateInfo {
            subject: "CN=radius.example.org".into(),
            issuer: "CN=Example CA".into(),
            dns_names: alloc::vec!["radius.example.org".into()],
            not_before: 0,
            not_after,
            chain_len: 2,
        }
    }

    const NOW: i64 = 1_780_000_000;

    #[test]
    fn hex_is_lowercase_two_digits_per_octet() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    fn record(outcome: &AuthOutcome, not_after: i64) -> Report {
        let at = Instant::from_millis;
        let mut r = Recorder::new(
            "peap",
            "alice@example.org",
            "anon",
            Vec::new(),
            30,
            at(0),
            NOW,
        );
        let events = [
            (
                Event::IdentitySent {
                    identity: "anonymous@example.org".into(),
                },
                1,
            ),
            (
                Event::MethodProposed {
                    method: MethodType::Peap,
                    accepted: true,
                    offered: Vec::new(),
                },
                10,
            ),
            (
                Event::ServerCertificate {
                    certificate: cert(not_after),
                    validated: true,
                },
                30,
            ),
            (
                Event::TunnelUp {
                    version: TlsVersion::TLS13,
                    cipher_suite: 0x1301,
                    resumed: true,
                    key_exchange: Some(0x11ec),
                },
                50,
            ),
            (
                Event::InnerMethodProposed {
                    method: MethodType::MsChapV2,
                    accepted: true,
                },
                55,
            ),
            (
                Event::InnerMethodSucceeded {
                    method: MethodType::MsChapV2,
                },
                80,
            ),
        ];
        for (e, t) in &events {
            r.observe(e, at(*t));
        }
        r.finish(outcome, 9, at(100))
    }

    fn failure() -> AuthOutcome {
        AuthOutcome::Failed(Diagnosis::new(
            Phase::Start,
            Cause::Transport(TransportFailure::WrongSharedSecret),
        ))
    }

    #[test]
    fn a_failure_reports_its_code_phase_and_timings() {
        let r = record(&failure(), NOW + 400 * 86_400);
        let j = r.to_json(None);
        assert!(j.starts_with(r#"{"result":"failure","time":""#), "{j}");
        assert!(j.contains(r#""server":null,"method":"peap","inner_method":"mschapv2","identity":"alice@example.org","outer_identity":"anonymous@example.org","tls":{"version":"1.3","cipher_suite":"TLS_AES_128_GCM_SHA256","resumed":true,"key_exchange":"X25519MLKEM768"}"#), "{j}");
        assert!(j.contains(r#""days_left":400,"validated":true"#), "{j}");
        assert!(
            j.contains(
                r#""round_trips":9,"timing_ms":{"total":100,"tls_handshake":40,"inner_method":30}"#
            ),
            "{j}"
        );
        assert!(
            j.contains(r#""cause":{"code":"wrong_shared_secret","phase":"start""#),
            "{j}"
        );
        assert!(j.contains(r#","kind":"local_error"},"warnings""#), "{j}");
        assert!(
            j.ends_with(
                r#""warnings":[],"password_changed":false,"mschapv2_retries":0,"cui":null}"#
            ),
            "{j}"
        );
        assert!(!j.contains("msk"));
        assert_eq!(nagios(&r, limits(30, None, None)).0, NagiosStatus::Critical);
    }

    fn limits(warn: i64, crit: Option<i64>, warn_ms: Option<u64>) -> NagiosThresholds {
        NagiosThresholds {
            cert_warn_days: warn,
            cert_crit_days: crit,
            warn_ms,
        }
    }

    #[test]
    fn an_expiring_certificate_warns_and_nagios_says_warning() {
        let keys = crate::event::Keys {
            msk: crate::secret::Msk::from_slice(&[7; 64]).unwrap(),
            emsk: crate::secret::Emsk::from_slice(&[8; 64]).unwrap(),
            session_id: Vec::new(),
            from_cryptobinding: false,
        };
        let ok = AuthOutcome::Authenticated(keys.clone());
        let r = record(&ok, NOW + 10 * 86_400 + 5);
        assert_eq!(r.warnings[0].code, WarningCode::CertificateExpiresSoon);
        let j = r.to_json(Some(keys.msk.expose()));
        assert!(
            j.contains(r#""cause":null"#) && j.contains(r#""msk":"0707"#),
            "{j}"
        );
        let (status, line) = nagios(&r, limits(30, None, None));
        assert_eq!(status, NagiosStatus::Warning);
        // Range syntax: "30:" alerts below 30 (a bare 30 would mean above).
        assert!(line.contains("cert_days_left=10;30:;;"), "{line}");
        let (status, line) = nagios(&r, limits(40, Some(5), None));
        assert_eq!(status, NagiosStatus::Warning);
        assert!(line.contains("cert_days_left=10;40:;5:;"), "{line}");
        let (status, line) = nagios(&r, limits(40, Some(11), None));
        assert_eq!(status, NagiosStatus::Critical, "{line}");
        let fresh = record(&ok, NOW + 100 * 86_400);
        assert_eq!(nagios(&fresh, limits(30, None, None)).0, NagiosStatus::Ok);
        assert_eq!(
            nagios(&fresh, limits(30, None, Some(99))).0,
            NagiosStatus::Warning
        );
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_780_000_000), "2026-05-28T20:26:40Z");
    }

    #[test]
    fn summary_percentiles_and_failures_by_code() {
        let mut s = Summary::default();
        for t in 1..=100u64 {
            let mut r = record(
                &AuthOutcome::Failed(Diagnosis::new(Phase::Start, Cause::LowerLayerDown)),
                NOW,
            );
            r.timing.total = t;
            if t % 10 != 0 {
                r.diagnosis = None;
            }
            s.add(&r);
        }
        assert_eq!(
            (
                s.percentile(50),
                s.percentile(95),
                s.percentile(99),
                s.percentile(100)
            ),
            (Some(50), Some(95), Some(99), Some(100))
        );
        let j = s.to_json(2000);
        assert!(j.contains(r#""count":100,"successes":90,"failures":10,"elapsed_ms":2000,"auths_per_second":50"#), "{j}");
        assert!(
            j.contains(r#""failures_by_cause":{"lower_layer_down":10}"#),
            "{j}"
        );
    }
}
