//! An eapol_test-style RADIUS client: authenticates against a RADIUS server as a NAS
//! (access point or switch) would relay it, with PEAPv0 (EAP-MSCHAPv2 or EAP-GTC inside),
//! EAP-TTLS (PAP, MSCHAPv2, EAP-MSCHAPv2), EAP-TLS or EAP-MD5, and names the cause of
//! each failure.
//!
//! ```text
//! radius_auth --server 127.0.0.1:1812 --secret-file secret --identity alice \
//!     --anonymous-identity anonymous --password-env PASSWORD \
//!     --ca-cert ca.pem --server-name radius.example.test [--method ...] [--count N] \
//!     [--nas-identifier ap1] [--operator-name 1example.org] [--cui] [--json | --nagios]
//! ```
//!
//! `--help` lists the options by group: server, RADIUS attributes, identity and secrets,
//! method, server validation, output, load.
//!
//! For each successful authentication it prints `MSK=<128 lowercase hex>` (after checking
//! the MS-MPPE keys of the Access-Accept against it); each failure prints
//! `error: <the diagnosis>` on stderr when it happens, and the run goes on. It exits 0 only
//! when all succeeded. With `--count 1` a failure's `error:` line is the last on stderr;
//! with more, the last line is `error: K of N authentications failed; last: <diagnosis>`.
//! With `--json` every run prints JSON: one object per authentication (and a summary), or
//! one object for a setup or argument error.

#[path = "common/mod.rs"]
mod common;

use clap::{CommandFactory, FromArgMatches, Parser};
use common::SetupError;
use common::radius_args::{AttributeArgs, ServerArgs, radius_config};
use eap::transport::{AuthOutcome, drive};
use eap::transport::{RadiusConfig, RadiusTransport};
use eap::unstable::probe as report_probe;
use eap::unstable::report::{self, NagiosStatus, NagiosThresholds, Recorder, Report, Summary};
use eap::{Instant, Supplicant};
use std::process::ExitCode;
use std::time::SystemTime;

#[derive(Parser, Debug)]
#[command(
    name = "radius_auth",
    version,
    about = "Authenticates against a RADIUS server as eapol_test does, with PEAP, EAP-TTLS, EAP-TLS or EAP-MD5, and names the cause of each failure"
)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
    #[command(flatten)]
    attributes: AttributeArgs,
    #[command(flatten)]
    auth: common::AuthArgs,
    /// Print JSON on stdout: one object per authentication (and a final summary object
    /// when --count > 1) instead of MSK= lines; one object for a setup or argument error.
    #[arg(long, help_heading = "Output", conflicts_with = "nagios")]
    json: bool,
    /// With --json: include the MSK (hex) as "msk".
    #[arg(long, help_heading = "Output", requires = "json")]
    show_keys: bool,
    /// Monitoring-plugin output: one line with performance data; exit 0 OK, 1 WARNING,
    /// 2 CRITICAL, 3 UNKNOWN.
    #[arg(long, help_heading = "Output")]
    nagios: bool,
    /// Warn when a server certificate expires within this many days (--nagios: WARNING).
    #[arg(long, help_heading = "Output", default_value_t = 30)]
    cert_warn_days: i64,
    /// --nagios: CRITICAL when a server certificate expires within this many days.
    #[arg(long, help_heading = "Output")]
    cert_crit_days: Option<i64>,
    /// --nagios: WARNING when the authentication takes longer than this (milliseconds).
    #[arg(long, help_heading = "Output")]
    warn_ms: Option<u64>,
    /// Authenticate twice, offering TLS 1.3 then TLS 1.2 only, and report which versions
    /// the server accepts, the suites, the certificate, and whether Android 11 (CA +
    /// domain) and Windows 11 (TLS 1.3 first) clients would accept this server.
    #[arg(long, help_heading = "Output", conflicts_with_all = ["nagios", "count", "concurrency"])]
    probe: bool,
    /// Authentications to run, one after the other (or --concurrency at a time).
    #[arg(long, help_heading = "Load", default_value_t = 1)]
    count: u32,
    /// Load mode: run --count authentications with up to this many in flight, from one
    /// thread over a pool of UDP sockets; a summary (rate, latency percentiles, failures by
    /// cause) follows on stderr (and as JSON with --json).
    #[arg(long, help_heading = "Load", conflicts_with = "nagios")]
    concurrency: Option<usize>,
    /// Load mode: identities and passwords, one `identity password` per line (the
    /// authentications take them in turn); --identity and --password are then optional.
    #[arg(long, help_heading = "Load", requires = "concurrency")]
    users: Option<std::path::PathBuf>,
}

impl Cli {
    /// The command line parsed; `--users` makes `--identity` and `--password` optional.
    fn parse_args() -> Result<Self, clap::Error> {
        let command = Cli::command()
            .mut_arg("identity", |a| {
                a.required(false).required_unless_present("users")
            })
            .mut_arg("password", |a| a.required_unless_present_any(["users"]));
        Cli::from_arg_matches(&command.try_get_matches()?)
    }

    /// The thresholds of --nagios.
    fn nagios_thresholds(&self) -> NagiosThresholds {
        NagiosThresholds {
            cert_warn_days: self.cert_warn_days,
            cert_crit_days: self.cert_crit_days,
            warn_ms: self.warn_ms,
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let tap = cli.auth.tap()?;
    let rc = radius_config(&cli.server, &cli.attributes)?;
    // Load mode with --users: each line's configuration (built before anything is sent,
    // so a bad line stops the run here).
    let users = match (&cli.users, cli.concurrency) {
        (Some(path), Some(_)) => Some(user_configs(cli, path)?),
        _ => None,
    };
    let config = match &users {
        Some(configs) => configs[0].clone(),
        None => cli.auth.config(tap.as_ref())?,
    };
    let warnings = cli.auth.lint(&config);
    let mut transport = RadiusTransport::new(rc.clone(), config.crypto_provider())
        .map_err(|e| SetupError::config(format!("--server {}: {e}", cli.server.server)))?;
    if let Some(t) = &tap {
        transport.set_tap(t.clone());
    }
    let result = if let Some(concurrency) = cli.concurrency {
        load(
            cli,
            users.unwrap_or_else(|| vec![config]),
            &rc,
            concurrency,
            &warnings,
        )
    } else if cli.probe {
        probe(cli, tap.as_ref(), &mut transport, &warnings)
    } else {
        authenticate(cli, &config, &mut transport, &warnings)
    };
    if let Some(t) = &tap {
        t.finish().map_err(|e| format!("--pcap: {e}"))?;
    }
    result
}

/// Seconds since the Unix epoch, for certificate dates.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The host's clock as the reports' `Instant`, from `origin`.
fn since(origin: std::time::Instant) -> Instant {
    Instant::from_millis(origin.elapsed().as_millis() as u64)
}

/// What `run` returns when it fails: the message for the last `error:` line of a run
/// whose authentications were reported (empty when already printed), a setup error
/// (nothing was authenticated), or a monitoring-plugin status.
enum Failure {
    Message(String),
    Setup(SetupError),
    Nagios(NagiosStatus),
}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure::Setup(SetupError::config(s))
    }
}

impl From<&str> for Failure {
    fn from(s: &str) -> Self {
        Failure::Setup(SetupError::config(s.to_owned()))
    }
}

impl From<SetupError> for Failure {
    fn from(e: SetupError) -> Self {
        Failure::Setup(e)
    }
}

/// One authentication of `supplicant` (started afresh) over `transport`, with its report
/// when `record` (built from the events; nobody reads it in the plain MSK= mode).
fn authenticate_one(
    cli: &Cli,
    supplicant: &mut Supplicant,
    transport: &mut RadiusTransport,
    warnings: &[eap::lint::Warning],
    record: bool,
) -> (Result<AuthOutcome, String>, Option<Report>) {
    let verbose = cli.auth.verbose;
    let origin = std::time::Instant::now();
    let config = supplicant.config();
    let mut recorder = record.then(|| {
        Recorder::new(
            &cli.auth.method_name(),
            config.identity(),
            config.outer_identity(),
            warnings.to_vec(),
            cli.cert_warn_days,
            Instant::ZERO,
            unix_now(),
        )
    });
    // The last authentication may have ended on a local error, before the supplicant did.
    let now = supplicant.latest_input_time();
    let _ = supplicant.handle_input(eap::Input::Restart { now });
    let outcome = drive(supplicant, transport, |e| {
        if verbose {
            common::print_event_at(e, Some(since(origin).as_millis()))
        }
        common::print_note(e);
        if let Some(r) = recorder.as_mut() {
            r.observe(e, since(origin));
        }
    });
    let round_trips = transport.round_trips();
    let cui = transport
        .chargeable_user_identity()
        .map(|c| String::from_utf8_lossy(c).into_owned());
    let finish = |r: Recorder, outcome: &AuthOutcome| {
        let mut report = r.finish(outcome, round_trips, since(origin));
        report.server = cli.server.server.clone();
        report.cui = cui.clone();
        report
    };
    match outcome {
        Ok(outcome) => {
            let report = recorder.map(|r| finish(r, &outcome));
            (Ok(outcome), report)
        }
        // A local failure that is not a network condition (e.g. a request too large):
        // reported as the diagnosis of this authentication.
        Err(e) => {
            let failed = AuthOutcome::Failed(eap::Diagnosis::new(
                supplicant.phase(),
                eap::diagnosis::Cause::LowerLayerDown,
            ));
            let report = recorder.map(|r| finish(r, &failed));
            (Err(e.to_string()), report)
        }
    }
}

/// The configurations of `--users`, one per line (`identity password`).
fn user_configs(cli: &Cli, path: &std::path::Path) -> Result<Vec<eap::Config>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut configs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (identity, password) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("{}:{}: `identity password`", path.display(), n + 1))?;
        let mut auth = cli.auth.clone();
        auth.identity = Some(identity.to_owned());
        auth.password = Some(password.trim().to_owned());
        auth.password_file = None;
        auth.password_env = None;
        configs.push(auth.config(None)?);
    }
    if configs.is_empty() {
        return Err(format!("{}: no users", path.display()));
    }
    Ok(configs)
}

/// Load mode.
fn load(
    cli: &Cli,
    configs: Vec<eap::Config>,
    rc: &RadiusConfig,
    concurrency: usize,
    warnings: &[eap::lint::Warning],
) -> Result<(), Failure> {
    use std::io::IsTerminal;
    let plan = eap::unstable::load::LoadPlan {
        count: cli.count as usize,
        concurrency,
        unix_now: unix_now(),
        cert_warn_days: cli.cert_warn_days,
        method: cli.auth.method_name(),
    };
    let progress = std::io::stderr().is_terminal();
    let mut summary = summary_for(cli);
    let mut last = String::new();
    let started = std::time::Instant::now();
    eap::unstable::load::run_load(
        rc,
        &plan,
        |i| configs[i % configs.len()].clone(),
        |_, outcome, report| {
            let mut report = report.clone();
            report.server = cli.server.server.clone();
            report.warnings.splice(0..0, warnings.iter().cloned());
            summary.add(&report);
            if cli.json {
                let msk = match outcome {
                    AuthOutcome::Authenticated(k) if cli.show_keys => Some(&k.msk.expose()[..]),
                    _ => None,
                };
                println!("{}", report.to_json(msk));
            } else if outcome.is_success() {
                common::report(outcome);
            }
            if let AuthOutcome::Failed(d) = outcome {
                last = d.to_string();
                if !progress {
                    eprintln!("error: {d}");
                }
            }
            if progress {
                eprint!(
                    "\r{} of {} done, {} failed, {:.0}/s ",
                    summary.count,
                    plan.count,
                    summary.count - summary.successes,
                    summary.rate(started.elapsed().as_millis() as u64)
                );
            }
        },
    )
    .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_millis() as u64;
    if progress {
        eprintln!();
    }
    if cli.json {
        println!("{}", summary.to_json(elapsed));
    }
    let pct = |p| {
        summary
            .percentile(p)
            .map_or("-".to_owned(), |v| v.to_string())
    };
    eprintln!(
        "load: {} authentications, {} succeeded, in {:.3} s: {:.1} auths/s; latency ms p50 {} p95 {} p99 {} max {}",
        summary.count,
        summary.successes,
        elapsed as f64 / 1000.0,
        summary.rate(elapsed),
        pct(50),
        pct(95),
        pct(99),
        pct(100)
    );
    for (code, n) in &summary.failures_by_cause {
        eprintln!("load: {n} failed with {code}");
    }
    match summary.count - summary.successes {
        0 => Ok(()),
        k => Err(Failure::Message(format!(
            "{k} of {} authentications failed; last: {last}",
            summary.count
        ))),
    }
}

/// `--probe`: two authentications, the verdicts.
fn probe(
    cli: &Cli,
    tap: Option<&eap::unstable::capture::PcapTap>,
    transport: &mut RadiusTransport,
    warnings: &[eap::lint::Warning],
) -> Result<(), Failure> {
    let mut reports = Vec::new();
    for max in [common::TlsMax::Tls13, common::TlsMax::Tls12] {
        let mut auth = cli.auth.clone();
        auth.tls_max = max;
        let mut supplicant = Supplicant::new(auth.config(tap)?, Instant::ZERO);
        let (outcome, report) = authenticate_one(cli, &mut supplicant, transport, warnings, true);
        if let Err(e) = outcome {
            return Err(e.into());
        }
        reports.extend(report);
    }
    let tls12 = reports.pop().ok_or("no run")?;
    let tls13 = reports.pop().ok_or("no run")?;
    let any_success = tls13.succeeded() || tls12.succeeded();
    let probe = report_probe::Probe {
        offering_tls13: tls13,
        offering_tls12: tls12,
        validating: !cli.auth.insecure_accept_any_server,
    };
    if cli.json {
        println!("{}", probe.to_json());
    } else {
        for line in probe.lines() {
            println!("probe: {line}");
        }
    }
    if any_success {
        Ok(())
    } else {
        Err(Failure::Message(
            "probe: no authentication succeeded".into(),
        ))
    }
}

fn authenticate(
    cli: &Cli,
    config: &eap::Config,
    transport: &mut RadiusTransport,
    warnings: &[eap::lint::Warning],
) -> Result<(), Failure> {
    let mut failed = 0;
    let mut last = String::new();
    let mut summary = summary_for(cli);
    let mut worst = NagiosStatus::Ok;
    let started = std::time::Instant::now();
    // One supplicant for every authentication, as a host that stays on the network keeps
    // one (its configuration is not copied again for each).
    let mut supplicant = Supplicant::new(config.clone(), Instant::ZERO);
    let record = cli.json || cli.nagios;
    for _ in 0..cli.count {
        let (outcome, report) = authenticate_one(cli, &mut supplicant, transport, warnings, record);
        if let (true, Some(report)) = (cli.nagios, &report) {
            let (status, line) = report::nagios(report, cli.nagios_thresholds());
            println!("{line}");
            worst = worst.max(status);
        }
        match outcome {
            Ok(outcome) => {
                if let (true, Some(report)) = (cli.json, &report) {
                    let msk = match &outcome {
                        AuthOutcome::Authenticated(k) if cli.show_keys => Some(k.msk.expose()),
                        _ => None,
                    };
                    println!("{}", report.to_json(msk.map(|m| &m[..])));
                    summary.add(report);
                }
                let ok = if cli.json || cli.nagios {
                    if let AuthOutcome::Failed(d) = &outcome {
                        eprintln!("error: {d}");
                    }
                    outcome.is_success()
                } else {
                    let ok = common::report(&outcome);
                    if ok && cli.attributes.cui {
                        print_cui(transport.chargeable_user_identity());
                    }
                    ok
                };
                if !ok {
                    failed += 1;
                    if let AuthOutcome::Failed(d) = outcome {
                        last = d.to_string();
                    }
                }
            }
            Err(e) => {
                if let (true, Some(report)) = (cli.json, &report) {
                    println!("{}", report.to_json(None));
                    summary.latencies_ms.push(report.timing.total);
                    summary.count += 1;
                    summary.fail("local_error");
                }
                eprintln!("error: {e}");
                failed += 1;
                last = e;
            }
        }
    }
    if cli.json && cli.count > 1 {
        println!("{}", summary.to_json(started.elapsed().as_millis() as u64));
    }
    if cli.nagios {
        return match worst {
            NagiosStatus::Ok => Ok(()),
            status => Err(Failure::Nagios(status)),
        };
    }
    match failed {
        0 => Ok(()),
        // The failure's own `error:` line is the last one.
        _ if cli.count == 1 => Err(Failure::Message(String::new())),
        k => Err(Failure::Message(format!(
            "{k} of {} authentications failed; last: {last}",
            cli.count
        ))),
    }
}

/// `CUI=<value>` on stdout for `--cui`, or a note when the server returned none.
fn print_cui(cui: Option<&[u8]>) {
    match cui {
        Some(c) => println!("CUI={}", String::from_utf8_lossy(c)),
        None => eprintln!("note: the server returned no Chargeable-User-Identity"),
    }
}

/// A summary stamped with the server, the method and the time.
fn summary_for(cli: &Cli) -> Summary {
    Summary {
        server: cli.server.server.clone(),
        method: cli.auth.method_name(),
        unix_now: unix_now(),
        ..Summary::default()
    }
}

/// The value of `--NAME VALUE` or `--NAME=VALUE` on the command line as given (for the
/// JSON of an argument error, which has no parsed command line).
fn raw_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let flag = format!("--{name}");
    let prefix = format!("--{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if *a == flag {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&prefix).map(str::to_owned)
        }
    })
}

pub fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        // A monitoring plugin that could not check says UNKNOWN (3), not clap's 2.
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "--nagios") => {
            println!("EAP UNKNOWN - {}", e.kind());
            let _ = e.print();
            return ExitCode::from(NagiosStatus::Unknown as u8);
        }
        // --json: the argument error as one object too.
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "--json") => {
            let text = e.render().to_string();
            let message = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            let method = raw_arg("method").unwrap_or_else(|| "peap".into());
            println!(
                "{}",
                report::error_json(
                    "bad_argument",
                    message,
                    "see --help for the options",
                    raw_arg("server").as_deref(),
                    Some(&method),
                    unix_now(),
                )
            );
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Nagios(status)) => ExitCode::from(status as u8),
        // Monitoring plugins say UNKNOWN when they could not check.
        Err(Failure::Setup(SetupError { message, .. })) | Err(Failure::Message(message))
            if cli.nagios =>
        {
            println!("EAP UNKNOWN - {message}");
            ExitCode::from(NagiosStatus::Unknown as u8)
        }
        Err(Failure::Setup(e)) => {
            if cli.json {
                println!(
                    "{}",
                    report::error_json(
                        e.code,
                        &e.message,
                        e.hint,
                        Some(&cli.server.server),
                        Some(&cli.auth.method_name()),
                        unix_now(),
                    )
                );
            }
            eprintln!("error: {}", e.message);
            ExitCode::FAILURE
        }
        Err(Failure::Message(e)) => {
            // A diagnosis was already printed as the last line; other errors print here.
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
