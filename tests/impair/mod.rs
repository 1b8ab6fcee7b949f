//! A small seeded UDP impairment proxy for the fault tests: it sits on loopback between
//! our RADIUS client and a real server and drops, duplicates, delays, holds back (reorders),
//! corrupts or blackholes datagrams, as `netem` would on a link (the kernels here have no
//! netem).
//!
//! Decisions do not depend on timing: each datagram is keyed by its direction, the order
//! in which its content was first seen in that direction, and how many copies of it came
//! before (a retransmission, or a server's cached reply, is a new copy), and the verdict for
//! a key comes from the seed. So a run through the same exchange meets the same faults
//! however the machine is loaded.
//!
//! Bounded: loopback addresses only, at most `max_datagrams`, and it stops after
//! `lifetime` or when dropped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Which way a datagram travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Client to server (Access-Request).
    ToServer,
    /// Server to client (Access-Challenge, -Accept, -Reject).
    ToClient,
}

/// One datagram, as the plan sees it.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub dir: Dir,
    /// Distinct contents seen before this one's first copy, in this direction.
    pub index: u64,
    /// Copies of this content seen before this one (0: the first).
    pub copy: u32,
    /// Time since the proxy started.
    pub at: Duration,
}

/// What happens to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Deliver,
    Drop,
    Duplicate,
    Delay(Duration),
    /// Held until the next datagram in the same direction has passed (reordering).
    HoldBack,
    /// One octet flipped (seeded position).
    Corrupt,
}

/// Random impairments: each a probability per datagram, per direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rates {
    pub drop: f64,
    pub duplicate: f64,
    pub delay: f64,
    pub hold_back: f64,
    pub corrupt: f64,
    /// How long a delayed datagram waits.
    pub delay_by: Duration,
}

/// A plan: a function of the seed and the datagram.
pub type Plan = Box<dyn FnMut(&Seen) -> Verdict + Send>;

/// splitmix64: the seeded source of every random decision.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform draw in [0, 1) for `seen` under `seed` (and a salt per kind of decision).
fn draw(seed: u64, seen: &Seen, salt: u64) -> f64 {
    let dir = match seen.dir {
        Dir::ToServer => 1,
        Dir::ToClient => 2,
    };
    let k = mix(seed ^ mix(dir ^ (seen.index << 8) ^ (u64::from(seen.copy) << 40) ^ salt));
    (k >> 11) as f64 / (1u64 << 53) as f64
}

/// A plan drawing each impairment with its probability from `seed`.
pub fn random(seed: u64, rates: Rates) -> Plan {
    Box::new(move |seen| {
        let mut p = draw(seed, seen, 0);
        for (rate, verdict) in [
            (rates.drop, Verdict::Drop),
            (rates.duplicate, Verdict::Duplicate),
            (rates.delay, Verdict::Delay(rates.delay_by)),
            (rates.hold_back, Verdict::HoldBack),
            (rates.corrupt, Verdict::Corrupt),
        ] {
            if p < rate {
                return verdict;
            }
            p -= rate;
        }
        Verdict::Deliver
    })
}

/// A plan that blackholes both directions for `length`, from the first copy of the
/// `index`-th request on (the server's link down for a while).
pub fn blackhole_from_request(index: u64, length: Duration) -> Plan {
    let mut since: Option<Duration> = None;
    Box::new(move |s| {
        if s.dir == Dir::ToServer && s.index == index && s.copy == 0 {
            since.get_or_insert(s.at);
        }
        match since {
            Some(t) if s.at < t + length => Verdict::Drop,
            _ => Verdict::Deliver,
        }
    })
}

/// Counts per direction and verdict.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub seen: HashMap<(Dir, &'static str), u64>,
    /// Distinct contents per direction (requests and replies of the exchange).
    pub distinct: HashMap<Dir, u64>,
}

impl Stats {
    pub fn count(&self, dir: Dir, what: &'static str) -> u64 {
        self.seen.get(&(dir, what)).copied().unwrap_or(0)
    }
}

/// The running proxy; stops on drop.
pub struct Proxy {
    /// Where the client should send (127.0.0.1:port).
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    stats: Arc<Mutex<Stats>>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy in front of `server` (loopback), applying `plan`, for at most `lifetime`
    /// and `max_datagrams`.
    pub fn start(server: SocketAddr, plan: Plan, lifetime: Duration, max_datagrams: u64) -> Self {
        assert!(server.ip().is_loopback(), "loopback only");
        let front = UdpSocket::bind("127.0.0.1:0").unwrap();
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.connect(server).unwrap();
        front.set_nonblocking(true).unwrap();
        back.set_nonblocking(true).unwrap();
        let addr = front.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(Mutex::new(Stats::default()));
        let run = Run {
            front,
            back,
            client: None,
            plan,
            started: Instant::now(),
            lifetime,
            left: max_datagrams,
            keys: HashMap::new(),
            held: HashMap::new(),
            later: Vec::new(),
            stop: stop.clone(),
            stats: stats.clone(),
        };
        let thread = std::thread::spawn(move || run.run());
        Proxy {
            addr,
            stop,
            stats,
            thread: Some(thread),
        }
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Run {
    front: UdpSocket,
    back: UdpSocket,
    client: Option<SocketAddr>,
    plan: Plan,
    started: Instant,
    lifetime: Duration,
    left: u64,
    /// (direction, content) -> (index, copies so far).
    keys: HashMap<(Dir, Vec<u8>), (u64, u32)>,
    held: HashMap<Dir, Vec<u8>>,
    later: Vec<(Instant, Dir, Vec<u8>)>,
    stop: Arc<AtomicBool>,
    stats: Arc<Mutex<Stats>>,
}

impl Run {
    fn run(mut self) {
        let mut buf = [0u8; 4096];
        while !self.stop.load(Ordering::Relaxed)
            && self.started.elapsed() < self.lifetime
            && self.left > 0
        {
            let mut idle = true;
            if let Ok((n, from)) = self.front.recv_from(&mut buf) {
                idle = false;
                // Loopback clients only; the first one is ours.
                if from.ip().is_loopback() && *self.client.get_or_insert(from) == from {
                    self.arrive(Dir::ToServer, buf[..n].to_vec());
                }
            }
            if let Ok(n) = self.back.recv(&mut buf) {
                idle = false;
                self.arrive(Dir::ToClient, buf[..n].to_vec());
            }
            let now = Instant::now();
            let (due, wait): (Vec<_>, Vec<_>) = self.later.drain(..).partition(|(t, ..)| *t <= now);
            self.later = wait;
            for (_, dir, d) in due {
                self.forward(dir, &d);
            }
            if idle {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    fn arrive(&mut self, dir: Dir, datagram: Vec<u8>) {
        self.left = self.left.saturating_sub(1);
        let next = self.keys.keys().filter(|(d, _)| *d == dir).count() as u64;
        let entry = self
            .keys
            .entry((dir, datagram.clone()))
            .or_insert((next, 0));
        let seen = Seen {
            dir,
            index: entry.0,
            copy: entry.1,
            at: self.started.elapsed(),
        };
        entry.1 += 1;
        let verdict = (self.plan)(&seen);
        {
            let mut st = self.stats.lock().unwrap();
            *st.seen.entry((dir, name(verdict))).or_default() += 1;
            st.distinct.insert(dir, next.max(seen.index + 1));
        }
        match verdict {
            Verdict::Deliver => self.pass(dir, &datagram),
            Verdict::Drop => {}
            Verdict::Duplicate => {
                self.pass(dir, &datagram);
                self.forward(dir, &datagram);
            }
            Verdict::Delay(d) => self.later.push((Instant::now() + d, dir, datagram)),
            Verdict::HoldBack => {
                // Two held in a row: the older one goes (it waited long enough).
                if let Some(old) = self.held.insert(dir, datagram) {
                    self.forward(dir, &old);
                }
            }
            Verdict::Corrupt => {
                let mut d = datagram;
                let at = (mix(seen.index ^ u64::from(seen.copy)) as usize) % d.len().max(1);
                if let Some(b) = d.get_mut(at) {
                    *b ^= 0x5a;
                }
                self.pass(dir, &d);
            }
        }
    }

    /// Delivers `d`, then whatever was held back in that direction (so they arrive swapped).
    fn pass(&mut self, dir: Dir, d: &[u8]) {
        self.forward(dir, d);
        if let Some(old) = self.held.remove(&dir) {
            self.forward(dir, &old);
        }
    }

    fn forward(&self, dir: Dir, d: &[u8]) {
        let _ = match (dir, self.client) {
            (Dir::ToServer, _) => self.back.send(d),
            (Dir::ToClient, Some(c)) => self.front.send_to(d, c),
            (Dir::ToClient, None) => Ok(0),
        };
    }
}

fn name(v: Verdict) -> &'static str {
    match v {
        Verdict::Deliver => "deliver",
        Verdict::Drop => "drop",
        Verdict::Duplicate => "duplicate",
        Verdict::Delay(_) => "delay",
        Verdict::HoldBack => "hold back",
        Verdict::Corrupt => "corrupt",
    }
}
