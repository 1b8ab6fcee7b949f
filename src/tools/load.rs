//! Load mode: many authentications, up to `concurrency` in flight, from one thread, over a
//! pool of UDP sockets. Each session is a [`Supplicant`] and a sans-IO `RadiusClient`;
//! replies are routed to their session by socket and RADIUS Identifier (each socket has
//! its own 256 Identifiers, so a socket carries at most 256 sessions in flight), and
//! every timer (retransmissions, the supplicant's own) runs on one clock.
//!
//! Each session has its own Calling-Station-Id (`02-00-00` followed by its number), as
//! distinct stations would.

use super::report::{Recorder, Report};
use crate::config::Config;
use crate::diagnosis::{Cause, Diagnosis, LocalEnd};
use crate::event::{Event, Input, Output};
use crate::supplicant::Supplicant;
use crate::time::Instant;
use crate::transport::RadiusConfig;
use crate::transport::radius_client::{Action, RadiusClient};
use crate::transport::retry::{local_network_error, nothing_received, unreachable_for_now};
use crate::transport::{AuthOutcome, Received};
use crate::wire::radius::{self, Packet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use std::io;
use std::net::UdpSocket;
use std::time::Duration;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Authentications in all.
    pub count: usize,
    /// At most this many in flight.
    pub concurrency: usize,
    /// Unix time for certificate dates in the reports.
    pub unix_now: i64,
    /// The window of the certificate-expiry warning, in days.
    pub cert_warn_days: i64,
    /// The method's name for the reports.
    pub method: String,
}

/// Sessions one socket carries at most (its Identifier space).
const PER_SOCKET: usize = 256;

struct Session {
    index: usize,
    supplicant: Supplicant,
    client: RadiusClient,
    socket: usize,
    identifier: Option<u8>,
    deadline: Option<Instant>,
    recorder: Recorder,
}

struct Pool {
    sockets: Vec<UdpSocket>,
    /// Per socket, per Identifier: the session slot using it.
    owners: Vec<[Option<usize>; PER_SOCKET]>,
    next_id: Vec<u8>,
    /// Where every socket is connected.
    server: std::net::SocketAddr,
}

impl Pool {
    fn allocate(&mut self, socket: usize, slot: usize) -> Option<u8> {
        let start = self.next_id[socket];
        for k in 0..PER_SOCKET {
            let id = start.wrapping_add(k as u8);
            let owner = &mut self.owners[socket][usize::from(id)];
            if owner.is_none() {
                *owner = Some(slot);
                self.next_id[socket] = id.wrapping_add(1);
                return Some(id);
            }
        }
        None
    }

    fn release(&mut self, socket: usize, id: Option<u8>) {
        if let Some(id) = id {
            self.owners[socket][usize::from(id)] = None;
        }
    }
}

/// Runs `plan` against `radius.server`. `config_for(i)` gives the configuration of the
/// `i`th authentication (e.g. from a users file); `done(i, outcome, report)` is called as
/// each ends. Time comes from the host's clock; Identifiers and Request Authenticators
/// from each configuration's crypto provider.
pub fn run_load(
    radius: &RadiusConfig,
    plan: &LoadPlan,
    mut config_for: impl FnMut(usize) -> Config,
    mut done: impl FnMut(usize, &AuthOutcome, &Report),
) -> io::Result<()> {
    radius.check()?;
    let origin = std::time::Instant::now();
    let now = || Instant::from_millis(origin.elapsed().as_millis() as u64);
    let concurrency = plan.concurrency.max(1);
    let n_sockets = concurrency.div_ceil(PER_SOCKET / 2).max(1);
    let mut pool = Pool {
        sockets: Vec::new(),
        owners: Vec::new(),
        next_id: Vec::new(),
        server: radius.server,
    };
    for _ in 0..n_sockets {
        let bind: std::net::SocketAddr = if radius.server.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let s = UdpSocket::bind(bind)?;
        s.connect(radius.server)?;
        pool.sockets.push(s);
        pool.owners.push([None; PER_SOCKET]);
        pool.next_id.push(0);
    }
    let mut slots: Vec<Option<Session>> = (0..concurrency).map(|_| None).collect();
    let mut started = 0usize;
    let mut finished = 0usize;
    let mut buf = [0u8; radius::MAX_PACKET_LEN];
    while finished < plan.count {
        // Fill free slots.
        for slot in 0..concurrency {
            if slots[slot].is_none() && started < plan.count {
                let config = config_for(started);
                let mut rc = radius.client_config();
                rc.calling_station_id = format!(
                    "02-00-00-{:02X}-{:02X}-{:02X}",
                    (started >> 16) & 0xff,
                    (started >> 8) & 0xff,
                    started & 0xff
                );
                let t = now();
                let recorder = Recorder::new(
                    &plan.method,
                    config.identity(),
                    config.outer_identity(),
                    Vec::new(),
                    plan.cert_warn_days,
                    t,
                    plan.unix_now,
                );
                let mut s = Session {
                    index: started,
                    supplicant: Supplicant::new(config, t),
                    client: RadiusClient::new(rc),
                    socket: slot % n_sockets,
                    identifier: None,
                    deadline: None,
                    recorder,
                };
                if let Ok(local) = pool.sockets[s.socket].local_addr() {
                    s.client.set_local_address(local.ip());
                }
                started += 1;
                let first = s.client.start();
                let _ = s.supplicant.handle_input(Input::Packet {
                    now: t,
                    eap: &first,
                });
                slots[slot] = Some(s);
                if step(&mut slots, slot, &mut pool, now(), None, &mut done)? {
                    finished += 1;
                }
            }
        }
        // Timers.
        let t = now();
        let mut next: Option<Instant> = None;
        for slot in 0..concurrency {
            let Some(s) = slots[slot].as_mut() else {
                continue;
            };
            let due = s.deadline.is_some_and(|d| d <= t)
                || s.client.next_timer(t).is_some_and(|at| at <= t);
            if due && step(&mut slots, slot, &mut pool, t, None, &mut done)? {
                finished += 1;
                continue;
            }
            if let Some(s) = slots[slot].as_ref() {
                for at in [s.deadline, s.client.next_timer(t)].into_iter().flatten() {
                    next = Some(next.map_or(at, |n: Instant| n.min(at)));
                }
            }
        }
        if finished >= plan.count {
            break;
        }
        // Wait for replies until the next timer.
        let wait = next.map_or(Duration::from_millis(50), |n| {
            n.saturating_duration_since(now())
        });
        let per_socket =
            (wait / n_sockets as u32).clamp(Duration::from_millis(1), Duration::from_millis(50));
        for si in 0..n_sockets {
            pool.sockets[si].set_read_timeout(Some(per_socket))?;
            let mut first = true;
            loop {
                if !first {
                    pool.sockets[si].set_nonblocking(true)?;
                }
                let r = pool.sockets[si].recv(&mut buf);
                if !first {
                    pool.sockets[si].set_nonblocking(false)?;
                }
                first = false;
                let n = match r {
                    Ok(n) => n,
                    // Nothing listens on the server's port: every session waiting on this
                    // socket ends so, at once.
                    Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                        for slot in 0..concurrency {
                            let Some(s) = slots[slot].as_mut().filter(|s| s.socket == si) else {
                                continue;
                            };
                            s.client.connection_refused(radius.server);
                            if step(&mut slots, slot, &mut pool, now(), None, &mut done)? {
                                finished += 1;
                            }
                        }
                        break;
                    }
                    Err(e) if nothing_received(&e) || unreachable_for_now(&e) => {
                        break;
                    }
                    Err(e) => return Err(e),
                };
                let Ok(p) = Packet::parse(&buf[..n]) else {
                    continue;
                };
                let Some(slot) = pool.owners[si][usize::from(p.identifier)] else {
                    continue;
                };
                if step(
                    &mut slots,
                    slot,
                    &mut pool,
                    now(),
                    Some(&buf[..n]),
                    &mut done,
                )? {
                    finished += 1;
                }
            }
        }
    }
    Ok(())
}

/// Advances the session in `slot` at `t` (with a datagram, if one arrived for it); true
/// when it ended (reported and its slot freed).
fn step(
    slots: &mut [Option<Session>],
    slot: usize,
    pool: &mut Pool,
    t: Instant,
    datagram: Option<&[u8]>,
    done: &mut impl FnMut(usize, &AuthOutcome, &Report),
) -> io::Result<bool> {
    let Some(s) = slots[slot].as_mut() else {
        return Ok(false);
    };
    let mut outcome = None;
    if let Some(d) = datagram {
        match s.client.handle_datagram(d) {
            Some(Received::Eap(eap)) => {
                let _ = s
                    .supplicant
                    .handle_input(Input::Packet { now: t, eap: &eap });
            }
            Some(Received::Failed(f)) => {
                outcome = Some(AuthOutcome::Failed(Diagnosis::new(
                    s.supplicant.phase(),
                    Cause::Transport(f),
                )));
            }
            Some(Received::Timeout) | None => {}
        }
    } else if s.deadline.is_some_and(|d| d <= t) {
        s.deadline = None;
        let _ = s.supplicant.handle_input(Input::Timeout { now: t });
    }
    // Retransmissions or giving up.
    if outcome.is_none() {
        loop {
            match s.client.poll(t, LocalEnd::Unknown) {
                Action::Transmit => send(s, pool, t)?,
                Action::GiveUp(f) => {
                    outcome = Some(AuthOutcome::Failed(Diagnosis::new(
                        s.supplicant.phase(),
                        Cause::Transport(f),
                    )));
                    break;
                }
                Action::Wait(_) | Action::Idle => break,
            }
        }
    }
    // The supplicant's outputs.
    while outcome.is_none() {
        match s.supplicant.poll_output() {
            Output::Transmit(eap) => {
                pool.release(s.socket, s.identifier.take());
                let id = pool
                    .allocate(s.socket, slot)
                    .ok_or_else(|| io::Error::other("no RADIUS Identifier free on the socket"))?;
                s.identifier = Some(id);
                let mut authenticator = [0u8; 16];
                s.supplicant
                    .config()
                    .crypto_provider()
                    .secure_random
                    .fill(&mut authenticator)
                    .map_err(|_| io::Error::other("no randomness"))?;
                s.client
                    .request(&eap, id, authenticator, t)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{e}")))?;
                send(s, pool, t)?;
            }
            Output::Event(
                e @ (Event::Authenticated(_)
                | Event::AuthenticatedWithoutKeys { .. }
                | Event::Failed(_)),
            ) => outcome = AuthOutcome::from_event(e),
            Output::Event(e) => s.recorder.observe(&e, t),
            Output::Idle { next_timeout } => {
                s.deadline = next_timeout;
                break;
            }
        }
    }
    let Some(mut outcome) = outcome else {
        return Ok(false);
    };
    let Some(mut s) = slots[slot].take() else {
        return Ok(false);
    };
    if let AuthOutcome::Failed(d) = &mut outcome {
        s.client.annotate(d);
    }
    s.client.finish(&mut outcome);
    pool.release(s.socket, s.identifier.take());
    let report = s.recorder.finish(&outcome, s.client.round_trips(), t);
    done(s.index, &outcome, &report);
    Ok(true)
}

fn send(s: &mut Session, pool: &mut Pool, t: Instant) -> io::Result<()> {
    let Some(d) = s.client.datagram() else {
        return Ok(());
    };
    let result = match pool.sockets[s.socket].send(d) {
        Ok(_) => Ok(()),
        // The port unreachable of an earlier send, reported on this one.
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            s.client.connection_refused(pool.server);
            Ok(())
        }
        Err(e) => Err(local_network_error(&e).ok_or(e)?),
    };
    s.client.sent(t, result);
    Ok(())
}
