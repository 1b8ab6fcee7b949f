//! The fault tier: our RADIUS client against a real FreeRADIUS on loopback, through the
//! seeded impairment proxy (tests/impair) or over a socket that fails sends as a downed
//! link does. Each case asserts the outcome and the exact cause. The retransmission policy
//! itself is tested on a virtual clock in `src/transport/retry.rs`.
//!
//! The fault table these cases measure is printed with `--nocapture`.

#[path = "peers/mod.rs"]
mod peers;

#[path = "impair/mod.rs"]
mod impair;

use eap::diagnosis::{Cause, LocalEnd, LocalNetworkError, Phase, SentMessage, TransportFailure};
use eap::transport::DatagramSocket;
use eap::transport::{AuthOutcome, drive};
use eap::transport::{RadiusConfig, RadiusTransport};
use eap::{Event, Instant as EapInstant, Supplicant};
use impair::{Dir, Proxy, Rates, Verdict};
use peers::*;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const NEEDS: &[&str] = &["freeradius", "openssl"];
const BOUND: Duration = Duration::from_secs(120);

/// One authentication through the library: outcome and events.
fn authenticate(
    server: SocketAddr,
    config: eap::Config,
    interval: Duration,
    socket: Option<Box<dyn DatagramSocket>>,
) -> (AuthOutcome, Vec<Event>) {
    let mut rc = RadiusConfig::new(server, SECRET.as_bytes());
    rc.retry_interval = interval;
    rc.attempts = 3;
    let provider = config.crypto_provider().clone();
    let mut t = match socket {
        Some(s) => RadiusTransport::with_socket(rc, &provider, s).unwrap(),
        None => RadiusTransport::new(rc, &provider).unwrap(),
    };
    let mut s = Supplicant::new(config, EapInstant::ZERO);
    let mut events = Vec::new();
    let outcome = drive(&mut s, &mut t, |e| events.push(e.clone())).unwrap();
    (outcome, events)
}

fn addr(fr: &FreeRadius) -> SocketAddr {
    fr.addr().parse().unwrap()
}

/// Access-Requests of one clean authentication through a proxy.
fn requests_per_authentication(fr: &FreeRadius) -> u64 {
    let proxy = Proxy::start(addr(fr), Box::new(|_| Verdict::Deliver), BOUND, 1000);
    let (outcome, _) = authenticate(
        proxy.addr,
        config("alice", "password").build().unwrap(),
        Duration::from_secs(3),
        None,
    );
    keys_of(&outcome);
    proxy.stats().distinct[&Dir::ToServer]
}

/// The proxy plan of the first defect: the reply to our MSCHAPv2 Response (the
/// third request from the end: then come the Success acknowledgement and the Result TLV)
/// is lost, once.
fn lose_reply_to(index: u64) -> impair::Plan {
    Box::new(move |s| {
        if s.dir == Dir::ToClient && s.index == index && s.copy == 0 {
            Verdict::Drop
        } else {
            Verdict::Deliver
        }
    })
}

/// FreeRADIUS forgetting replies after 2 s: our retransmission 3 s later (the default
/// interval) is no duplicate any more, and the EAP session has moved on.
fn forgetful_freeradius() -> FreeRadius {
    FreeRadius::start(&[("CLEANUP_DELAY", "2"), ("REJECT_DELAY", "0")])
}

#[test]
fn lost_reply_then_bare_reject_is_never_wrong_credentials() {
    if !available(NEEDS) {
        return;
    }
    let fr = forgetful_freeradius();
    let n = requests_per_authentication(&fr);
    let proxy = Proxy::start(addr(&fr), lose_reply_to(n - 3), BOUND, 1000);
    let (outcome, events) = authenticate(
        proxy.addr,
        config("alice", "password").build().unwrap(),
        Duration::from_secs(3),
        None,
    );
    let d = diagnosis_of(&outcome);
    assert_eq!(d.phase, Phase::InnerAuthentication, "{d}");
    assert_eq!(
        d.cause,
        Cause::EndedWithoutVerdict {
            after: SentMessage::MschapResponse,
            sent: 2
        },
        "{d}"
    );
    let text = d.to_string();
    assert!(!text.contains("rejected the credentials"), "{text}");
    assert!(
        text.contains("retransmitted MSCHAPv2 Response (sent 2 times)"),
        "{text}"
    );
    // The server's own account (its log is written as it goes).
    let said = |fr: &FreeRadius| fr.log().contains("No EAP session matching state");
    for _ in 0..40 {
        if said(&fr) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(said(&fr), "the server lost the session");
    assert!(!events.iter().any(|e| matches!(e, Event::Restarting { .. })));
    assert_eq!(proxy.stats().count(Dir::ToClient, "drop"), 1);
    eprintln!("FAULT lost reply + bare Access-Reject: 0/1; {:?}", d.cause);
}

#[test]
fn explainer_names_the_lost_session_in_the_clients_capture() {
    if !available(NEEDS) {
        return;
    }
    let fr = forgetful_freeradius();
    let n = requests_per_authentication(&fr);
    let proxy = Proxy::start(addr(&fr), lose_reply_to(n - 3), BOUND, 1000);
    let pcap = fr.dir.join("lost.pcapng");
    let out = radius_auth(
        &proxy.addr.to_string(),
        "alice",
        "password",
        &["--pcap", pcap.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let last = last_stderr_line(&out);
    assert!(
        last.starts_with("error: inner authentication: the server ended the session without giving a reason, in answer to our retransmitted MSCHAPv2 Response (sent 2 times)"),
        "{last}"
    );
    // The capture holds the request twice (the reply to the first never reached us) and
    // the Access-Reject: the explainer cannot see inside the tunnel, and says what it saw.
    let options = eap::unstable::capture::Options {
        radius_ports: vec![proxy.addr.port()],
        ..Default::default()
    };
    let report = eap::unstable::capture::explain(&std::fs::read(&pcap).unwrap(), &options)
        .unwrap()
        .to_string();
    let cause = report
        .lines()
        .find(|l| l.starts_with("cause: "))
        .unwrap_or_default();
    assert!(
        cause.starts_with("cause: the server ended the session without giving a reason, in answer to our retransmitted encrypted message inside the TLS tunnel (sent 2 times)"),
        "{report}"
    );
    assert!(
        report.contains("\nphase: inner authentication\n"),
        "{report}"
    );
    assert!(!report.contains("rejected the credentials"), "{report}");
    assert!(!report.contains("inner authentication failed"), "{report}");
}

#[test]
fn restart_once_recovers_from_the_lost_session() {
    if !available(NEEDS) {
        return;
    }
    let fr = forgetful_freeradius();
    let n = requests_per_authentication(&fr);
    let proxy = Proxy::start(addr(&fr), lose_reply_to(n - 3), BOUND, 1000);
    let config = config("alice", "password")
        .limits(eap::Limits::default().with_restart_once(Some(Duration::from_millis(100))))
        .build()
        .unwrap();
    let (outcome, events) = authenticate(proxy.addr, config, Duration::from_secs(3), None);
    keys_of(&outcome);
    let restarts: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Restarting { diagnosis, hold } => Some((diagnosis.cause.clone(), *hold)),
            _ => None,
        })
        .collect();
    assert_eq!(
        restarts,
        [(
            Cause::EndedWithoutVerdict {
                after: SentMessage::MschapResponse,
                sent: 2
            },
            Duration::from_millis(100)
        )]
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Failed(_))));
    assert!(matches!(events.last(), Some(Event::Authenticated(_))));
    eprintln!("FAULT lost reply + bare Access-Reject, restart once: 1/1");
}

#[test]
fn server_unreachable_for_a_while_is_bridged_by_retransmission() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let n = requests_per_authentication(&fr);
    // From our MSCHAPv2 Response on, nothing passes for 1.5 s: the first two sends (0 s,
    // 1 s) are lost, the third (2 s) gets through.
    let plan = impair::blackhole_from_request(n - 3, Duration::from_millis(1500));
    let proxy = Proxy::start(addr(&fr), plan, BOUND, 1000);
    let (outcome, _) = authenticate(
        proxy.addr,
        config("alice", "password").build().unwrap(),
        Duration::from_secs(1),
        None,
    );
    keys_of(&outcome);
    assert_eq!(proxy.stats().count(Dir::ToServer, "drop"), 2);
    eprintln!("FAULT server unreachable 1.5 s mid-authentication (1 s x 3): 1/1");
}

/// A UDP socket whose sends fail with ENETUNREACH when `fails(n)` for the n-th send (from
/// 1), as on a host whose link or route is gone.
struct Unreachable<F> {
    inner: UdpSocket,
    fails: F,
    sends: u32,
    failed: Arc<AtomicU32>,
}

impl<F: Fn(u32) -> bool + Send> DatagramSocket for Unreachable<F> {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        self.sends += 1;
        if (self.fails)(self.sends) {
            self.failed.fetch_add(1, Ordering::Relaxed);
            return Err(io::Error::from_raw_os_error(101));
        }
        DatagramSocket::send(&mut self.inner, datagram)
    }

    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        DatagramSocket::recv(&mut self.inner, buf, wait)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

fn unreachable(
    server: SocketAddr,
    fails: impl Fn(u32) -> bool + Send + 'static,
) -> (Box<dyn DatagramSocket>, Arc<AtomicU32>) {
    let inner = UdpSocket::bind("127.0.0.1:0").unwrap();
    inner.connect(server).unwrap();
    let failed = Arc::new(AtomicU32::new(0));
    let s = Unreachable {
        inner,
        fails,
        sends: 0,
        failed: failed.clone(),
    };
    (Box::new(s), failed)
}

#[test]
fn transient_local_send_errors_are_retried_within_the_budget() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    // The second request fails twice; its third and last attempt goes out.
    let (socket, failed) = unreachable(addr(&fr), |n| n == 2 || n == 3);
    let (outcome, _) = authenticate(
        addr(&fr),
        config("alice", "password").build().unwrap(),
        Duration::from_millis(300),
        Some(socket),
    );
    keys_of(&outcome);
    assert_eq!(failed.load(Ordering::Relaxed), 2);
    eprintln!("FAULT transient ENETUNREACH (2 sends): 1/1");
}

#[test]
fn persistent_local_send_error_names_our_side_with_phase_and_hint() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    // From the second request (our ClientHello) on, every send fails.
    let (socket, failed) = unreachable(addr(&fr), |n| n >= 2);
    let config = config("alice", "password")
        .limits(eap::Limits::default().with_restart_once(Some(Duration::ZERO)))
        .build()
        .unwrap();
    let (outcome, events) =
        authenticate(addr(&fr), config, Duration::from_millis(200), Some(socket));
    let d = diagnosis_of(&outcome);
    assert_eq!(d.phase, Phase::TlsHandshake, "{d}");
    assert_eq!(
        d.cause,
        Cause::Transport(TransportFailure::LocalNetwork {
            error: LocalNetworkError::NetworkUnreachable,
            local: LocalEnd::Address("127.0.0.1".parse().unwrap()),
            failed_sends: 3,
        })
    );
    assert_eq!(failed.load(Ordering::Relaxed), 3);
    let line = format!("error: {d}");
    assert!(
        line.starts_with(
            "error: TLS handshake: our side could not send: network unreachable from 127.0.0.1 (3 sends failed"
        ),
        "{line}"
    );
    assert!(
        line.contains(". Hint: the fault is on this machine"),
        "{line}"
    );
    // Not a lost reply: no restart, even when allowed.
    assert!(!events.iter().any(|e| matches!(e, Event::Restarting { .. })));
    eprintln!("FAULT persistent ENETUNREACH: 0/1; {:?}", d.cause);
}

/// `radius_auth --count N --retry-interval SECS --attempts 3` through the proxy with
/// `rates`; returns (MSK lines, error lines before the summary, last stderr line, exit
/// code).
///
/// Loss alone is measured with 0.2 s between sends (the same policy shape as the default
/// 3 s, which would make these runs minutes long): FreeRADIUS answers in milliseconds and
/// resends its cached reply to a retransmission at once. Corruption needs more: FreeRADIUS
/// keeps a request whose Message-Authenticator failed for about a second and ignores its
/// retransmissions meanwhile.
fn count(
    fr: &FreeRadius,
    seed: u64,
    rates: Rates,
    args: &[&str],
) -> (usize, Vec<String>, String, i32) {
    let proxy = Proxy::start(addr(fr), impair::random(seed, rates), BOUND, 20_000);
    let out = radius_auth(
        &proxy.addr.to_string(),
        "alice",
        "password",
        &[&["--attempts", "3"], args].concat(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut errors: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(str::to_string)
        .collect();
    let last = last_stderr_line(&out);
    if errors.last() == Some(&last) && last.contains(" authentications failed; last: ") {
        errors.pop();
    }
    (
        msk_lines(&out).len(),
        errors,
        last,
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn count_20_through_30_percent_loss_reports_every_outcome() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let rates = Rates {
        drop: 0.3,
        ..Rates::default()
    };
    let (ok, errors, last, code) = count(&fr, 30, rates, COUNT_20);
    let failed = errors.len();
    assert_eq!(ok + failed, 20, "every outcome reported: {errors:#?}");
    assert!(failed > 0, "30% loss each way fails some");
    assert_eq!(code, 1);
    assert_eq!(
        last,
        format!(
            "error: {failed} of 20 authentications failed; last: {}",
            errors.last().unwrap().strip_prefix("error: ").unwrap()
        )
    );
    // Each failure is a loss, never a verdict about the credentials.
    for e in &errors {
        assert_no_reply(e);
    }
    eprintln!(
        "FAULT 30% loss each way, --count 20: {ok}/20; {failed} x no reply after 3 attempts ({})",
        by_phase(&errors)
    );
}

/// A failure line of a lost exchange: no reply after the 3 attempts; past the first
/// request, noting that the server had answered (so address and secret are not in doubt).
fn assert_no_reply(line: &str) {
    let first = "error: identity: no reply from the RADIUS server after 3 attempts. Hint: check the server address";
    let later = "no reply from the RADIUS server after 3 attempts, though it had answered our earlier requests. Hint: packets were lost";
    assert!(line.starts_with(first) || line.contains(later), "{line}");
    assert!(!line.contains("rejected the credentials"), "{line}");
}

/// "phase × count" of failure lines, for the fault table.
fn by_phase(errors: &[String]) -> String {
    let mut phases: Vec<(String, usize)> = Vec::new();
    for e in errors {
        let phase = e["error: ".len()..]
            .split(':')
            .next()
            .unwrap_or("")
            .to_string();
        match phases.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, n)) => *n += 1,
            None => phases.push((phase, 1)),
        }
    }
    let parts: Vec<String> = phases.iter().map(|(p, n)| format!("{n} in {p}")).collect();
    parts.join(", ")
}

/// Twenty authentications, loss-only pacing.
const COUNT_20: &[&str] = &["--count", "20", "--retry-interval", "0.2"];

#[test]
fn ten_percent_loss_each_way() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let rates = Rates {
        drop: 0.1,
        ..Rates::default()
    };
    // Three sends per request lose a round trip with probability (1 - 0.9²)³ ≈ 0.7%; an
    // authentication of about 11 round trips fails with ≈ 7%: some of 20 do.
    let (ok, errors, last, code) = count(&fr, 10, rates, COUNT_20);
    assert_eq!(ok + errors.len(), 20, "{errors:#?} {last}");
    assert_eq!(code, if errors.is_empty() { 0 } else { 1 });
    for e in &errors {
        assert_no_reply(e);
    }
    eprintln!(
        "FAULT 10% loss each way, --count 20: {ok}/20; {} x no reply after 3 attempts ({})",
        errors.len(),
        by_phase(&errors)
    );
    // The same path with --restart-once: an authentication that lost a reply past its
    // first round trip starts again; one that never heard the server (Identity) does not,
    // as the server may simply be down.
    let without = ok;
    let with_restart = [COUNT_20, &["--restart-once"]].concat();
    let (ok, errors, last, code) = count(&fr, 10, rates, &with_restart);
    assert_eq!(ok + errors.len(), 20, "{errors:#?} {last}");
    assert!(ok > without, "restarts recover: {ok} vs {without}");
    for e in &errors {
        assert!(
            e.starts_with("error: identity: no reply from the RADIUS server after 3 attempts"),
            "only failures before the server answered remain: {e}"
        );
    }
    assert_eq!(code, if errors.is_empty() { 0 } else { 1 });
    eprintln!(
        "FAULT 10% loss each way, --count 20 --restart-once: {ok}/20; {} x no reply to the Identity",
        errors.len()
    );
}

#[test]
fn duplicates_reordering_delay_and_corruption_all_succeed() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[]);
    let rates = Rates {
        duplicate: 0.1,
        hold_back: 0.05,
        delay: 0.05,
        delay_by: Duration::from_millis(150),
        corrupt: 0.05,
        ..Rates::default()
    };
    let args = ["--count", "5", "--retry-interval", "1.5"];
    let (ok, errors, last, code) = count(&fr, 5, rates, &args);
    assert_eq!((ok, code), (5, 0), "{errors:#?} {last}");
    eprintln!(
        "FAULT 10% duplicated, 5% reordered, 5% delayed 150 ms, 5% corrupted, --count 5: {ok}/5"
    );
}

/// `ip -n NS link set IF up|down` on the supplicant's port.
fn supplicant_link(net: &VethNamespace, state: &str) {
    let ok = std::process::Command::new("ip")
        .args(["-n", &net.ns, "link", "set", &net.supp_if, state])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "ip link set {state}");
}

#[test]
fn eapol_interface_down_then_up_is_retried_and_succeeds() {
    if !available(&["hostapd", "ip", "openssl"]) {
        return;
    }
    let net = VethNamespace::new();
    let _h = Hostapd::wired(&net.auth_if, None);
    supplicant_link(&net, "down");
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(1500));
            supplicant_link(&net, "up");
        });
        // EAPOL-Start every second, 5 at most: the first two cannot leave.
        wired_8021x(&net, "password", &[])
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(msk_lines(&out).len(), 1, "{stderr}");
    eprintln!("FAULT EAPOL interface down 1.5 s at start: 1/1");
}

#[test]
fn eapol_interface_down_throughout_names_our_interface() {
    if !available(&["hostapd", "ip", "openssl"]) {
        return;
    }
    let net = VethNamespace::new();
    let _h = Hostapd::wired(&net.auth_if, None);
    supplicant_link(&net, "down");
    let out = wired_8021x(
        &net,
        "password",
        &["--start-period", "1", "--max-starts", "2"],
    );
    assert_eq!(out.status.code(), Some(1));
    let last = last_stderr_line(&out);
    assert_eq!(
        last,
        format!(
            "error: start: our side could not send: link down on interface {} (2 sends failed, the last one included). Hint: {}",
            net.supp_if,
            eap::diagnosis::Cause::Transport(TransportFailure::LocalNetwork {
                error: LocalNetworkError::LinkDown,
                local: LocalEnd::Interface(net.supp_if.clone()),
                failed_sends: 2,
            })
            .hint()
        )
    );
    eprintln!("FAULT EAPOL interface down throughout: 0/1; {last}");
}

#[test]
fn count_runs_every_authentication_and_count_1_is_unchanged() {
    if !available(NEEDS) {
        return;
    }
    let fr = FreeRadius::start(&[("REJECT_DELAY", "0")]);
    let errors = |out: &std::process::Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("error: "))
            .map(str::to_string)
            .collect()
    };
    let one = radius_auth(&fr.addr(), "alice", "wrong", &[]);
    assert_eq!(one.status.code(), Some(1));
    let diagnosis = "error: inner authentication: the server rejected the credentials of \"alice\"";
    assert_eq!(errors(&one).len(), 1, "one line, no summary");
    assert!(last_stderr_line(&one).starts_with(diagnosis));
    let three = radius_auth(&fr.addr(), "alice", "wrong", &["--count", "3"]);
    assert_eq!(three.status.code(), Some(1));
    let lines = errors(&three);
    assert_eq!(lines.len(), 4, "three failures and the summary: {lines:#?}");
    assert!(lines[..3].iter().all(|l| *l == lines[0]));
    assert_eq!(
        lines[3],
        format!(
            "error: 3 of 3 authentications failed; last: {}",
            &lines[0]["error: ".len()..]
        )
    );
    assert_eq!(last_stderr_line(&three), lines[3]);
    let good = radius_auth(&fr.addr(), "alice", "password", &["--count", "2"]);
    assert_eq!(good.status.code(), Some(0));
    assert_eq!(msk_lines(&good).len(), 2);
    assert!(errors(&good).is_empty());
}
