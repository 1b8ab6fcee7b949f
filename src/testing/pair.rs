//! A supplicant and an authenticator wired together on a virtual clock, with faults
//! injected per packet (the shape of quinn-proto's test `Pair`).

use super::{Authenticator, AuthenticatorConfig, ServerOutcome};
use crate::config::Config;
use crate::diagnosis::Diagnosis;
use crate::event::{Event, Input, Keys, Output};
use crate::supplicant::Supplicant;
use crate::time::Instant;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

/// What happens to one packet in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Delivered once.
    Deliver,
    /// Lost.
    Drop,
    /// Delivered twice.
    Duplicate,
}

/// Which way a packet travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Authenticator to supplicant.
    ToPeer,
    /// Supplicant to authenticator.
    ToServer,
}

/// The result of a run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PairOutcome {
    /// Every event the supplicant emitted, in order.
    pub events: Vec<Event>,
    /// Every packet the supplicant transmitted (before faults).
    pub transmitted: Vec<Vec<u8>>,
    /// The server's view.
    pub server: Option<ServerOutcome>,
    /// Virtual time taken.
    pub elapsed: Duration,
}

impl PairOutcome {
    /// The keys, if the supplicant authenticated.
    pub fn keys(&self) -> Option<&Keys> {
        self.events.iter().find_map(|e| match e {
            Event::Authenticated(k) => Some(k),
            _ => None,
        })
    }

    /// The diagnosis, if the supplicant failed.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.events.iter().find_map(|e| match e {
            Event::Failed(d) => Some(d),
            _ => None,
        })
    }
}

/// A supplicant and an authenticator on one virtual clock.
#[derive(Debug)]
#[non_exhaustive]
pub struct Pair {
    /// The peer under test.
    pub supplicant: Supplicant,
    /// The server.
    pub authenticator: Authenticator,
    now: Instant,
    /// The authenticator retransmits its last request after this much silence (RFC 3748 §4.3).
    pub retransmit_after: Duration,
    /// Most retransmissions of one request.
    pub max_retransmits: u32,
}

impl Pair {
    /// A pair at time zero.
    pub fn new(config: Config, server: AuthenticatorConfig) -> Self {
        Pair {
            supplicant: Supplicant::new(config, Instant::ZERO),
            authenticator: Authenticator::new(server),
            now: Instant::ZERO,
            retransmit_after: Duration::from_secs(3),
            max_retransmits: 3,
        }
    }

    /// Runs to the end without faults.
    pub fn run(&mut self) -> PairOutcome {
        self.run_with(|_, _| Fault::Deliver)
    }

    /// Runs to the end, asking `fault` what happens to each packet.
    pub fn run_with(&mut self, fault: impl FnMut(Direction, &[u8]) -> Fault) -> PairOutcome {
        self.run_inner(fault, |a, p| a.handle(p))
    }

    /// Runs to the end with a scripted server: `script` receives the authenticator and
    /// each packet the peer sends, and returns what the server sends back (anything at any
    /// point; `a.handle(p)` for the well-behaved answer).
    pub fn run_scripted(
        &mut self,
        script: impl FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>>,
    ) -> PairOutcome {
        self.run_inner(|_, _| Fault::Deliver, script)
    }

    fn run_inner(
        &mut self,
        mut fault: impl FnMut(Direction, &[u8]) -> Fault,
        mut respond: impl FnMut(&mut Authenticator, &[u8]) -> Vec<Vec<u8>>,
    ) -> PairOutcome {
        let start = self.now;
        let mut events = Vec::new();
        let mut transmitted = Vec::new();
        let mut to_peer: VecDeque<Vec<u8>> = self.authenticator.start().into();
        let mut to_server: VecDeque<Vec<u8>> = VecDeque::new();
        let mut last_server_activity = self.now;
        let mut retransmits = 0;
        for _ in 0..100_000 {
            while let Some(p) = to_peer.pop_front() {
                let copies = match fault(Direction::ToPeer, &p) {
                    Fault::Deliver => 1,
                    Fault::Drop => 0,
                    Fault::Duplicate => 2,
                };
                for _ in 0..copies {
                    let _ = self.supplicant.handle_input(Input::Packet {
                        now: self.now,
                        eap: &p,
                    });
                }
            }
            let deadline = loop {
                match self.supplicant.poll_output() {
                    Output::Transmit(p) => {
                        transmitted.push(p.clone());
                        match fault(Direction::ToServer, &p) {
                            Fault::Deliver => to_server.push_back(p),
                            Fault::Drop => {}
                            Fault::Duplicate => {
                                to_server.push_back(p.clone());
                                to_server.push_back(p);
                            }
                        }
                    }
                    Output::Event(e) => events.push(e),
                    Output::Idle { next_timeout } => break next_timeout,
                }
            };
            if self.supplicant.is_finished() {
                break;
            }
            while let Some(p) = to_server.pop_front() {
                let replies = respond(&mut self.authenticator, &p);
                if !replies.is_empty() {
                    last_server_activity = self.now;
                    retransmits = 0;
                }
                to_peer.extend(replies);
            }
            if !to_peer.is_empty() {
                continue;
            }
            let retransmit_at = last_server_activity + self.retransmit_after;
            let can_retransmit =
                retransmits < self.max_retransmits && self.authenticator.last_request().is_some();
            match deadline {
                Some(d) if !(can_retransmit && retransmit_at < d) => {
                    self.now = self.now.max(d);
                    let _ = self
                        .supplicant
                        .handle_input(Input::Timeout { now: self.now });
                }
                _ if can_retransmit => {
                    self.now = self.now.max(retransmit_at);
                    last_server_activity = self.now;
                    retransmits += 1;
                    to_peer.push_back(self.authenticator.last_request().expect("checked").to_vec());
                }
                // Nothing reached the supplicant and the server has given up: its limits
                // never started, and the lower layer gives up (as EAPOL's maxStart would).
                None => {
                    let _ = self
                        .supplicant
                        .handle_input(Input::LowerLayerDown { now: self.now });
                }
                _ => break,
            }
        }
        PairOutcome {
            events,
            transmitted,
            server: self.authenticator.outcome().cloned(),
            elapsed: self.now.saturating_duration_since(start),
        }
    }
}
