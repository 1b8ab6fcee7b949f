//! Hostile RADIUS servers: the RADIUS transport and the supplicant against a UDP server on
//! loopback that wraps the in-process authenticator and rewrites its replies the way a
//! broken server, a proxy or a Blast-RADIUS attacker (CVE-2024-3596) would. Each row names
//! the exact outcome.
//!
//! Replies must carry a Message-Authenticator (the rest are dropped and counted, and named
//! in the diagnosis when nothing else arrives), and an Access-Accept must carry the
//! EAP-Success: none is made up.

mod common;

use common::*;
use eap::Diagnosis;
use eap::MethodType;
use eap::diagnosis::{Cause, LowerLayer, Phase, TransportFailure};
use eap::testing::{Authenticator, AuthenticatorConfig};
use eap::transport::AuthOutcome;
use eap::transport::{RadiusConfig, RadiusTransport};
use eap::unstable::radius_auth::{sign_reply, verify_request};
use eap::unstable::wire::eap::{Code as EapCode, Eap};
use eap::unstable::wire::radius::{Builder, Code, Packet};
use std::net::UdpSocket;
use std::time::Duration;

const SECRET: &[u8] = b"testing123";

/// One reply as the well-behaved server would send it, before signing.
#[derive(Clone)]
struct Reply {
    code: Code,
    eap: Option<Vec<u8>>,
    message_authenticator: bool,
}

/// How the server rewrites a reply, given how many datagrams it has sent before.
type Rewrite = fn(usize, &mut Reply);

/// Serves one authentication on loopback: each new Access-Request's EAP goes to the
/// authenticator, whose answer goes back as Access-Challenge (a request),
/// Access-Accept (EAP-Success) or Access-Reject (EAP-Failure), after `rewrite`. A
/// retransmitted request gets the same reply again (rewritten again: `rewrite` sees each
/// datagram).
fn serve(server: AuthenticatorConfig, rewrite: Rewrite) -> (std::net::SocketAddr, impl Drop) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let thread = std::thread::spawn(move || {
        let mut a = Authenticator::new(server);
        // What a NAS sent first: the RADIUS transport makes up this Identity request itself.
        a.start();
        let mut last: Option<([u8; 16], Reply)> = None;
        let mut sent = 0;
        let mut buf = [0u8; 4096];
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            let Ok((n, from)) = socket.recv_from(&mut buf) else {
                continue;
            };
            let request = &buf[..n];
            let Ok(p) = Packet::parse(request) else {
                continue;
            };
            if verify_request(request, SECRET).is_err() {
                continue;
            }
            let mut r = match &last {
                Some((auth, reply)) if *auth == p.authenticator => reply.clone(),
                _ => {
                    let mut eap = p.eap_message().unwrap_or_default();
                    if let Ok(e) = Eap::parse(&eap) {
                        if e.method().is_some_and(|(m, _)| m == MethodType::Identity) {
                            eap[1] = a.last_identifier();
                        }
                    }
                    let answer = a.handle(&eap).into_iter().next();
                    let code = match answer.as_deref().map(|e| EapCode::from(e[0])) {
                        Some(EapCode::Success) => Code::AccessAccept,
                        Some(EapCode::Failure) | None => Code::AccessReject,
                        _ => Code::AccessChallenge,
                    };
                    let r = Reply {
                        code,
                        eap: answer,
                        message_authenticator: true,
                    };
                    last = Some((p.authenticator, r.clone()));
                    r
                }
            };
            rewrite(sent, &mut r);
            sent += 1;
            let mut b = Builder::new(r.code, p.identifier, [0; 16]);
            if let Some(e) = &r.eap {
                b.eap_message(e);
            }
            if r.message_authenticator {
                b.message_authenticator();
            }
            let mut reply = b.finish();
            sign_reply(&mut reply, &p.authenticator, SECRET);
            let _ = socket.send_to(&reply, from);
        }
    });
    struct Stop(
        std::sync::Arc<std::sync::atomic::AtomicBool>,
        Option<std::thread::JoinHandle<()>>,
    );
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
            if let Some(t) = self.1.take() {
                let _ = t.join();
            }
        }
    }
    (addr, Stop(stop, Some(thread)))
}

fn authenticate(rewrite: Rewrite) -> AuthOutcome {
    authenticate_with(rewrite, eap::Limits::default())
}

fn authenticate_with(rewrite: Rewrite, limits: eap::Limits) -> AuthOutcome {
    let pki = Pki::new("hostile-radius");
    let (addr, _server) = serve(server(&pki), rewrite);
    let config = client(&pki).limits(limits).build().unwrap();
    let mut rc = RadiusConfig::new(addr, SECRET);
    rc.retry_interval = Duration::from_millis(150);
    rc.attempts = 3;
    let mut t = RadiusTransport::new(rc, config.crypto_provider()).unwrap();
    let mut s = eap::Supplicant::new(config, eap::Instant::ZERO);
    eap::transport::drive(&mut s, &mut t, |_| {}).unwrap()
}

struct Case {
    name: &'static str,
    rewrite: Rewrite,
    /// `None`: authenticates; `Some`: fails with this phase and cause.
    expect: Option<(Phase, Cause)>,
}

fn is_accept(r: &Reply) -> bool {
    r.code == Code::AccessAccept
}

#[test]
fn radius_malformed_server() {
    let cases = [
        Case {
            name: "well-behaved",
            rewrite: |_, _| {},
            expect: None,
        },
        Case {
            name: "no Message-Authenticator in any reply",
            rewrite: |_, r| r.message_authenticator = false,
            expect: Some((
                Phase::Identity,
                Cause::Transport(TransportFailure::NoMessageAuthenticator { replies: 3 }),
            )),
        },
        Case {
            name: "Access-Accept without Message-Authenticator (Blast-RADIUS shape)",
            rewrite: |_, r| r.message_authenticator = !is_accept(r),
            expect: Some((
                Phase::Completion,
                Cause::Transport(TransportFailure::NoMessageAuthenticator { replies: 3 }),
            )),
        },
        Case {
            name: "one Access-Challenge without Message-Authenticator, then a good one",
            rewrite: |n, r| r.message_authenticator = n != 1,
            expect: None,
        },
        Case {
            name: "Access-Accept without EAP-Message",
            rewrite: |_, r| {
                if is_accept(r) {
                    r.eap = None;
                }
            },
            expect: Some((
                Phase::Completion,
                Cause::Transport(TransportFailure::AcceptWithoutEapSuccess { eap_code: None }),
            )),
        },
        Case {
            name: "Access-Accept carrying an EAP-Failure",
            rewrite: |_, r| {
                if is_accept(r) {
                    let id = r.eap.as_ref().map_or(0, |e| e[1]);
                    r.eap = Some(Eap::bare(EapCode::Failure, id).to_vec());
                }
            },
            expect: Some((
                Phase::Completion,
                Cause::Transport(TransportFailure::AcceptWithoutEapSuccess { eap_code: Some(4) }),
            )),
        },
        Case {
            name: "Access-Accept instead of the first Access-Challenge, without EAP-Message",
            rewrite: |n, r| {
                if n == 0 {
                    r.code = Code::AccessAccept;
                    r.eap = None;
                }
            },
            expect: Some((
                Phase::Identity,
                Cause::Transport(TransportFailure::AcceptWithoutEapSuccess { eap_code: None }),
            )),
        },
        Case {
            name: "Access-Reject without EAP-Message instead of the Accept",
            rewrite: |_, r| {
                if is_accept(r) {
                    r.code = Code::AccessReject;
                    r.eap = None;
                }
            },
            // A made-up EAP-Failure only ends things; the core explains it.
            expect: Some((
                Phase::Completion,
                Cause::RejectedAfterInnerSuccess {
                    cryptobinding: false,
                },
            )),
        },
        Case {
            name: "bare Access-Reject without Message-Authenticator (FreeRADIUS, session lost)",
            rewrite: |_, r| {
                if is_accept(r) {
                    r.code = Code::AccessReject;
                    r.eap = None;
                    r.message_authenticator = false;
                }
            },
            // No EAP-Message, so none is required; it is a Reject, not a reply to drop.
            expect: Some((
                Phase::Completion,
                Cause::RejectedAfterInnerSuccess {
                    cryptobinding: false,
                },
            )),
        },
        Case {
            name: "Access-Reject with an EAP-Failure but without Message-Authenticator",
            rewrite: |_, r| {
                if is_accept(r) {
                    let id = r.eap.as_ref().map_or(0, |e| e[1]);
                    r.code = Code::AccessReject;
                    r.eap = Some(Eap::bare(EapCode::Failure, id).to_vec());
                    r.message_authenticator = false;
                }
            },
            // An EAP-Message needs a Message-Authenticator (RFC 3579 §3.2): dropped.
            expect: Some((
                Phase::Completion,
                Cause::Transport(TransportFailure::NoMessageAuthenticator { replies: 3 }),
            )),
        },
    ];
    let mut failures = Vec::new();
    for c in cases {
        let outcome = authenticate(c.rewrite);
        match (&c.expect, &outcome) {
            (None, AuthOutcome::Authenticated(_)) => {}
            (Some((phase, cause)), AuthOutcome::Failed(d))
                if d.phase == *phase && d.cause == *cause => {}
            (_, other) => failures.push(format!("{}: {other:?}", c.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected outcomes:\n{}",
        failures.join("\n")
    );
}

fn failed(outcome: AuthOutcome) -> Diagnosis {
    match outcome {
        AuthOutcome::Failed(d) => d,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn replies_without_message_authenticator_are_named_in_the_diagnosis() {
    let d = failed(authenticate(|_, r| r.message_authenticator = false));
    assert_eq!(
        d.lower_layer,
        Some(LowerLayer::Radius {
            server_answered: false
        })
    );
    assert_eq!(
        d.to_string(),
        "identity: the RADIUS server's replies carry no Message-Authenticator, which every reply \
         must (Blast-RADIUS, CVE-2024-3596); 3 such replies dropped, and none with one answered \
         our last request. Hint: make the server send Message-Authenticator in every reply \
         (FreeRADIUS 3.2 does; others need an update or a setting against CVE-2024-3596); if it \
         does, something on the path strips it"
    );
}

#[test]
fn an_accept_without_eap_success_is_the_servers_fault() {
    let d = failed(authenticate(|_, r| {
        if is_accept(r) {
            r.eap = None;
        }
    }));
    assert_eq!(
        d.to_string(),
        "completion: the RADIUS server sent an Access-Accept without an EAP-Message, so without \
         the EAP-Success that must end the conversation. Hint: the RADIUS server (or a proxy on \
         the way) broke RFC 3579: an Access-Accept must carry the EAP-Success; its log and a \
         capture show why"
    );
}

#[test]
fn silence_after_the_server_answered_does_not_blame_the_shared_secret() {
    // The third reply carries no EAP-Message: the transport has no request to give the
    // supplicant, the server waits for one, and the supplicant's silence limit ends it.
    let limits = eap::Limits::default().with_silence(Duration::from_secs(2));
    let d = failed(authenticate_with(
        |n, r| {
            if n >= 2 {
                r.eap = None;
            }
        },
        limits,
    ));
    assert!(
        matches!(d.cause, Cause::Timeout { dropped: None, .. }),
        "{d}"
    );
    assert_eq!(
        d.lower_layer,
        Some(LowerLayer::Radius {
            server_answered: true
        })
    );
    assert_eq!(
        d.hint(),
        "the RADIUS server answered earlier in this authentication (address and shared secret \
         are right) and then stopped: its log says why"
    );
}

#[test]
fn a_dropped_request_then_silence_is_explained_by_the_dropped_request() {
    // hostap's shape: the server's Access-Challenge carries an EAP request the peer must
    // drop (a PEAP request with EAP Length past its end), then the server waits for an
    // answer that never comes.
    let limits = eap::Limits::default().with_silence(Duration::from_secs(2));
    let d = failed(authenticate_with(
        |n, r| {
            if n == 1 {
                let id = r.eap.as_ref().map_or(0, |e| e[1]);
                r.eap = Some(vec![1, id, 0, 50, 25, 0]);
            }
        },
        limits,
    ));
    assert_eq!(
        d.cause,
        Cause::Timeout {
            kind: eap::diagnosis::TimeoutKind::Silence(Duration::from_secs(2)),
            last_sent: eap::diagnosis::SentMessage::ClientHello,
            dropped: Some(eap::diagnosis::DroppedPacket::Malformed(
                eap::diagnosis::DecodeError::BadLength {
                    what: "EAP Length",
                    declared: 50,
                    available: 6,
                }
            )),
        },
        "{d}"
    );
    assert!(!d.to_string().contains("shared secret"), "{d}");
}
