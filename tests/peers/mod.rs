//! Real peers for the interop tests: FreeRADIUS and hostapd started from the scripts in
//! this directory, on loopback ports or in network namespaces, and stopped by pid on drop.
//!
//! In CI (`.ci/run`, as root, after `tests/peers/install.sh`) they always run. Elsewhere a
//! test that cannot run them fails, saying why, unless `EAP_SKIP_INTEROP=1` allows skipping.
#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const SECRET: &str = "testing123";
pub const SERVER_NAME: &str = "radius.example.test";

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True if the peers can run here; false (with a message) if they cannot and skipping is
/// allowed; panics otherwise.
pub fn available(commands: &[&str]) -> bool {
    let missing: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|c| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {c} || test -x /usr/sbin/{c}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if missing.is_empty() && root {
        return true;
    }
    let why = format!(
        "interop peers unavailable (missing: {missing:?}, root: {root}); run `bash tests/peers/install.sh` as root"
    );
    if std::env::var("EAP_SKIP_INTEROP").as_deref() == Ok("1") {
        eprintln!("SKIPPED (EAP_SKIP_INTEROP=1): {why}");
        false
    } else {
        panic!("{why}, or set EAP_SKIP_INTEROP=1 to skip");
    }
}

/// A free UDP port on loopback (bound and released; good enough for tests).
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A fresh scratch directory for one peer.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "eap-interop-{}-{name}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A fresh scratch directory under `parent` (the 3.2.7 root's /srv: its server is chrooted).
pub fn scratch_in(parent: &Path, name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = parent.join(format!(
        "eap-interop-{}-{name}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The Debian 13 root with FreeRADIUS 3.2.7 (tests/peers/trixie.sh builds it once, about a
/// minute, and prints its path; later calls find it built).
pub fn trixie_root() -> PathBuf {
    static ONCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let out = run_ok(Command::new("bash").arg(root().join("tests/peers/trixie.sh")));
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
    .clone()
}

/// The shared test PKI (made once per process by pki.sh).
pub fn pki() -> PathBuf {
    static ONCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("eap-interop-{}-pki", std::process::id()));
        run_ok(
            Command::new("bash")
                .arg(root().join("tests/peers/pki.sh"))
                .arg(&d),
        );
        d
    })
    .clone()
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A FreeRADIUS 3.2 instance on 127.0.0.1, stopped on drop.
pub struct FreeRadius {
    pub dir: PathBuf,
    pub port: u16,
}

impl FreeRadius {
    /// Starts one with the knobs of tests/peers/freeradius.sh (`TLS_MAX`, `CIPHER_LIST`,
    /// `SEND_ERROR`, `ALLOW_RETRY`, ...).
    pub fn start(knobs: &[(&str, &str)]) -> Self {
        let dir = scratch("freeradius");
        for attempt in 0..3 {
            let port = free_port();
            let mut cmd = Command::new("bash");
            cmd.arg(root().join("tests/peers/freeradius.sh"))
                .arg("start")
                .arg(&dir)
                .arg(port.to_string())
                .env("PKI", pki());
            for (k, v) in knobs {
                cmd.env(k, v);
            }
            let out = cmd.output().expect("spawn freeradius.sh");
            if out.status.success() {
                return FreeRadius { dir, port };
            }
            if attempt == 2 {
                panic!(
                    "FreeRADIUS did not start:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        unreachable!()
    }

    /// Starts FreeRADIUS 3.2.7 from the Debian 13 root (tests/peers/trixie.sh, built once
    /// under target/peers/trixie), chrooted, with the same knobs plus the TEAP ones
    /// (`TEAP_IDENTITY_TYPES`, `TEAP_USER`, `TEAP_MACHINE`).
    pub fn start_327(knobs: &[(&str, &str)]) -> Self {
        let root = trixie_root();
        let dir = scratch_in(&root.join("srv"), "freeradius327");
        for attempt in 0..3 {
            let port = free_port();
            let out = Command::new("bash")
                .arg(self::root().join("tests/peers/freeradius.sh"))
                .arg("start")
                .arg(&dir)
                .arg(port.to_string())
                .env("PKI", pki())
                .env("FR_ROOT", &root)
                .envs(knobs.iter().copied())
                .output()
                .expect("spawn freeradius.sh");
            if out.status.success() {
                return FreeRadius { dir, port };
            }
            if attempt == 2 {
                panic!(
                    "FreeRADIUS 3.2.7 did not start:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        unreachable!()
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Its debug log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("radiusd.log")).unwrap_or_default()
    }
}

impl Drop for FreeRadius {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(root().join("tests/peers/freeradius.sh"))
            .arg("stop")
            .arg(&self.dir)
            .status();
        // A 3.2.7 instance lives inside the cached root: its copy goes (the log is kept
        // beside the process's other scratch directories).
        if self.dir.starts_with(root().join("target/peers")) {
            let keep = std::env::temp_dir().join(format!(
                "{}.log",
                self.dir.file_name().unwrap().to_string_lossy()
            ));
            let _ = std::fs::copy(self.dir.join("radiusd.log"), keep);
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A process killed on drop.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    /// Waits until its log contains `needle`.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.log_text().contains(needle) {
                return true;
            }
            if let Ok(Some(_)) = self.child.try_wait() {
                return self.log_text().contains(needle);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` with stdout and stderr to `log`.
pub fn spawn_logged(cmd: &mut Command, log: &Path) -> Daemon {
    let f = std::fs::File::create(log).unwrap();
    let child = cmd
        .stdout(f.try_clone().unwrap())
        .stderr(f)
        .spawn()
        .expect("spawn");
    Daemon {
        child,
        log: log.to_path_buf(),
    }
}

/// An example binary built by `cargo test` (target/<profile>/examples/NAME).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let p = profile_dir.join("examples").join(name);
    assert!(
        p.exists(),
        "{} not built (cargo test builds examples)",
        p.display()
    );
    p
}

/// Runs the radius_auth CLI with the usual flags (`--anonymous-identity anonymous`, the test
/// PKI) plus `extra`, which may set its own `--anonymous-identity`, CA or name rule.
pub fn radius_auth(server: &str, identity: &str, password: &str, extra: &[&str]) -> Output {
    Command::new(example("radius_auth"))
        .args(radius_auth_args(server, identity, password, extra))
        .output()
        .expect("run radius_auth")
}

/// The arguments [`radius_auth`] runs the CLI with: the test PKI's CA and server name, the
/// shared secret, and `extra`.
pub fn radius_auth_args(
    server: &str,
    identity: &str,
    password: &str,
    extra: &[&str],
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = [
        "--server",
        server,
        "--secret",
        SECRET,
        "--identity",
        identity,
        "--password",
        password,
    ]
    .iter()
    .map(Into::into)
    .collect();
    if !extra.contains(&"--anonymous-identity") {
        args.extend(["--anonymous-identity".into(), "anonymous".into()]);
    }
    if !extra.contains(&"--ca-cert") {
        args.extend(["--ca-cert".into(), pki().join("ca.pem").into()]);
    }
    if !extra
        .iter()
        .any(|a| *a == "--server-name" || *a == "--domain-suffix")
    {
        args.extend(["--server-name".into(), SERVER_NAME.into()]);
    }
    args.extend(extra.iter().map(Into::into));
    args
}

/// The last line of a process's stderr.
pub fn last_stderr_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

/// The `MSK=` lines of a process's stdout.
pub fn msk_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("MSK="))
        .map(str::to_string)
        .collect()
}

/// A client configuration for the test PKI's server.
pub fn config(identity: &str, password: &str) -> eap::ConfigBuilder {
    eap::Config::builder(identity)
        .anonymous_identity("anonymous")
        .password(password)
        .ca_pem_file(pki().join("ca.pem"))
        .unwrap()
        .server_name(SERVER_NAME)
}

/// One authentication through the RADIUS transport; returns the outcome, the events and
/// the transport (for its MS-MPPE keys).
pub fn authenticate_radius(
    addr: &str,
    secret: &str,
    config: eap::Config,
) -> (
    eap::transport::AuthOutcome,
    Vec<eap::Event>,
    eap::transport::RadiusTransport,
) {
    use eap::transport::{RadiusConfig, RadiusTransport};
    let mut rc = RadiusConfig::resolve(addr, secret.as_bytes()).unwrap();
    // Longer than FreeRADIUS's reject_delay (1 s): a retransmission sent while the
    // server holds back its Access-Reject would make that Reject answer a resent request,
    // which reads as a lost session (see README, "Retransmission").
    rc.retry_interval = Duration::from_millis(1500);
    rc.attempts = 2;
    let mut t = RadiusTransport::new(rc, config.crypto_provider()).unwrap();
    let mut s = eap::Supplicant::new(config, eap::Instant::ZERO);
    let mut events = Vec::new();
    let outcome = eap::transport::drive(&mut s, &mut t, |e| events.push(e.clone())).unwrap();
    (outcome, events, t)
}

/// hostapd 2.10 started by tests/peers/hostapd.sh (internal EAP server: PEAP offering
/// version 1, with cryptobinding; EAP-MSCHAPv2 inside; alice/password), stopped on drop.
pub struct Hostapd {
    /// Its scratch directory: hostapd.conf, hostapd.log, pid.
    pub dir: PathBuf,
    /// The RADIUS server port (RADIUS server mode only).
    pub port: Option<u16>,
}

impl Hostapd {
    fn run_script(dir: &Path, args: &[&str]) -> Output {
        Self::run_script_with(dir, args, &[])
    }

    fn run_script_with(dir: &Path, args: &[&str], knobs: &[(&str, &str)]) -> Output {
        Command::new("bash")
            .arg(root().join("tests/peers/hostapd.sh"))
            .arg(args[0])
            .arg(dir)
            .args(&args[1..])
            .env("PKI", pki())
            .envs(knobs.iter().copied())
            .output()
            .expect("spawn hostapd.sh")
    }

    /// A RADIUS server on 127.0.0.1 (`driver=none`, `eap_server=1`), on a free port.
    pub fn radius_server() -> Self {
        Self::radius_server_with(&[])
    }

    /// As [`Hostapd::radius_server`], with the script's knobs (e.g. `TLS13=yes`).
    pub fn radius_server_with(knobs: &[(&str, &str)]) -> Self {
        let dir = scratch("hostapd-radius");
        for attempt in 0..3 {
            let port = free_port();
            let out = Self::run_script_with(&dir, &["radius", &port.to_string()], knobs);
            if out.status.success() {
                return Hostapd {
                    dir,
                    port: Some(port),
                };
            }
            if attempt == 2 {
                panic!(
                    "hostapd did not start:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        unreachable!()
    }

    /// A wired 802.1X authenticator on `interface`, with its internal EAP server, or
    /// relaying to the RADIUS server on 127.0.0.1:`relay_to` (secret testing123).
    pub fn wired(interface: &str, relay_to: Option<u16>) -> Self {
        Self::wired_with(interface, relay_to, &[])
    }

    /// As [`Hostapd::wired`], with the script's knobs (e.g. `REAUTH_PERIOD`).
    pub fn wired_with(interface: &str, relay_to: Option<u16>, knobs: &[(&str, &str)]) -> Self {
        let dir = scratch("hostapd-wired");
        let port = relay_to.map(|p| p.to_string());
        let mut args = vec!["wired", interface];
        args.extend(port.as_deref());
        let out = Self::run_script_with(&dir, &args, knobs);
        assert!(
            out.status.success(),
            "hostapd did not start:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Hostapd { dir, port: None }
    }

    /// `127.0.0.1:PORT` of the RADIUS server.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port.expect("a RADIUS server"))
    }

    /// Its debug log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("hostapd.log")).unwrap_or_default()
    }

    /// Waits until its log contains `needle`.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Hostapd {
    fn drop(&mut self) {
        let _ = Self::run_script(&self.dir, &["stop"]);
    }
}

/// A network namespace made for one test, holding one end of a veth pair (`supp_if`, the
/// supplicant's port); the other end (`auth_if`, the authenticator's port) stays in ours.
/// Both ends are up. Deleted on drop (also when the test panics).
pub struct VethNamespace {
    /// The namespace (`ip netns` name).
    pub ns: String,
    /// The authenticator's end, in our namespace.
    pub auth_if: String,
    /// The supplicant's end, in `ns`.
    pub supp_if: String,
}

impl VethNamespace {
    /// Creates the namespace and the pair; names carry the pid and a counter.
    pub fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let (pid, n) = (std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        // Interface names: at most 15 octets.
        let v = VethNamespace {
            ns: format!("eap-test-{pid}-{n}"),
            auth_if: format!("eA{pid}x{n}"),
            supp_if: format!("eS{pid}x{n}"),
        };
        v.remove();
        let ip = |args: &[&str]| {
            run_ok(Command::new("ip").args(args));
        };
        ip(&["netns", "add", &v.ns]);
        ip(&[
            "link", "add", &v.auth_if, "type", "veth", "peer", "name", &v.supp_if,
        ]);
        ip(&["link", "set", &v.supp_if, "netns", &v.ns]);
        ip(&["link", "set", &v.auth_if, "up"]);
        ip(&["-n", &v.ns, "link", "set", &v.supp_if, "up"]);
        v
    }

    fn remove(&self) {
        let quiet = |args: &[&str]| {
            let _ = Command::new("ip")
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        quiet(&["link", "del", &self.auth_if]);
        quiet(&["netns", "del", &self.ns]);
    }

    /// The MAC address of `supp_if`, lowercase with colons (as hostapd logs it), read with
    /// `ip -n NS link show`.
    pub fn supp_mac(&self) -> String {
        let out = run_ok(Command::new("ip").args(["-n", &self.ns, "link", "show", &self.supp_if]));
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap_or_else(|| panic!("no link/ether in {text}"))
            .to_ascii_lowercase()
    }

    /// `program` to be run inside the namespace (`ip netns exec NS program`).
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns]).arg(program);
        cmd
    }
}

impl Drop for VethNamespace {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Runs `cmd` to completion, killing it after `timeout`; stdout and stderr are collected
/// through files in a scratch directory (no pipes to deadlock on).
pub fn output_within(cmd: &mut Command, timeout: Duration) -> Output {
    let dir = scratch("run");
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("spawn");
    let end = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let status = child.wait().expect("wait");
            eprintln!("{cmd:?}: killed after {timeout:?}");
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = Output {
        status,
        stdout: std::fs::read(&out).unwrap_or_default(),
        stderr: std::fs::read(&err).unwrap_or_default(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    output
}

/// Runs the wired_8021x example inside `net`'s namespace on its supplicant port, with the
/// usual flags (alice, anonymous, the test PKI, `--timeout 10` and EAPOL-Start every second
/// up to 5 times unless `extra` sets `--anonymous-identity`, `--timeout` or
/// `--start-period`) plus `extra`.
pub fn wired_8021x(net: &VethNamespace, password: &str, extra: &[&str]) -> Output {
    let mut cmd = net.command(&example("wired_8021x"));
    cmd.args(["--interface", &net.supp_if])
        .args(["--identity", "alice"])
        .args(["--password", password])
        .arg("--ca-cert")
        .arg(pki().join("ca.pem"))
        .args(["--server-name", SERVER_NAME]);
    if !extra.contains(&"--anonymous-identity") {
        cmd.args(["--anonymous-identity", "anonymous"]);
    }
    if !extra.contains(&"--timeout") {
        cmd.args(["--timeout", "10"]);
    }
    if !extra.contains(&"--start-period") {
        cmd.args(["--start-period", "1", "--max-starts", "5"]);
    }
    cmd.args(extra);
    output_within(&mut cmd, Duration::from_secs(20))
}

/// The keys of a success; panics with the diagnosis otherwise.
pub fn keys_of(outcome: &eap::transport::AuthOutcome) -> &eap::Keys {
    match outcome {
        eap::transport::AuthOutcome::Authenticated(k) => k,
        eap::transport::AuthOutcome::Failed(d) => panic!("expected success, got: {d}"),
        other => panic!("expected keys, got: {other:?}"),
    }
}

/// The diagnosis of a failure; panics on success.
pub fn diagnosis_of(outcome: &eap::transport::AuthOutcome) -> &eap::Diagnosis {
    match outcome {
        eap::transport::AuthOutcome::Failed(d) => d,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Runs eapol_test against `fr` with one `network={...}` block whose body is `fields`
/// (one `key=value` per line, the CA and the name rule of the test PKI added); true if it
/// ended in SUCCESS, with its output.
pub fn eapol_test(fr: &FreeRadius, name: &str, fields: &str) -> (bool, String) {
    eapol_test_with(fr, name, fields, &[])
}

/// [`eapol_test`] with more command-line arguments (`-n` for a method without keys: no
/// MS-MPPE keys expected).
pub fn eapol_test_with(fr: &FreeRadius, name: &str, fields: &str, args: &[&str]) -> (bool, String) {
    let conf = fr.dir.join(format!("{name}.conf"));
    std::fs::write(
        &conf,
        format!(
            "network={{\n key_mgmt=WPA-EAP\n{fields}\n ca_cert=\"{}\"\n domain_match=\"{SERVER_NAME}\"\n}}\n",
            pki().join("ca.pem").display()
        ),
    )
    .unwrap();
    let out = Command::new("eapol_test")
        .arg("-c")
        .arg(&conf)
        .args(["-a", "127.0.0.1", "-p", &fr.port.to_string(), "-s", SECRET])
        .args(args)
        .output()
        .expect("run eapol_test");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (text.trim_end().ends_with("SUCCESS"), text)
}

/// The MS-MPPE keys the server sent (decrypted by the transport) are our MSK's two halves:
/// MS-MPPE-Recv-Key = MSK[0..32], MS-MPPE-Send-Key = MSK[32..64] (RFC 2548, RFC 5216 §2.3).
pub fn assert_msk_is_mppe(t: &eap::transport::RadiusTransport, keys: &eap::Keys, what: &str) {
    let mppe = t.mppe_keys();
    let msk = keys.msk.expose();
    let recv = mppe.recv.as_ref().expect("MS-MPPE-Recv-Key").expose();
    let send = mppe.send.as_ref().expect("MS-MPPE-Send-Key").expose();
    assert_eq!(recv[..32], msk[..32], "{what}: MS-MPPE-Recv-Key");
    assert_eq!(send[..32], msk[32..64], "{what}: MS-MPPE-Send-Key");
}

/// The TLS version of the tunnel, from the events.
pub fn tunnel_version(events: &[eap::Event]) -> Option<eap::tls::TlsVersion> {
    events.iter().find_map(|e| match e {
        eap::Event::TunnelUp { version, .. } => Some(*version),
        _ => None,
    })
}
