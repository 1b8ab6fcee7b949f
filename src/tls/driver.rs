//! Drives a rustls unbuffered connection (client or server) in memory, without std.
//!
//! rustls's unbuffered API leaves the buffers to the caller: TLS bytes received are
//! appended to `incoming` and handed to `process_tls_records`, which says what to do next
//! (encode a handshake record, transmit, read application data, write application data,
//! or wait for more). [`Driver::pump`] runs that loop until rustls needs more input or
//! application data can be written, collecting the records to send in `outgoing` and the
//! decrypted application data in `plaintext`.
//!
//! Key export uses the connection's [`SecretLog`] and the server random, which the driver
//! reads from the ServerHello as it passes (received by a client, sent by a server).

use super::errors::protocol;
use super::keylog::SecretLog;
use super::{TlsFailure, TlsVersion};
use crate::crypto::tls_keys::{TLS13_METHOD_ID_LABEL, session_id_tls12, session_id_tls13};
use crate::wire::tls_record::{TlsEvent, TlsScanner};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, InsufficientSizeError, UnbufferedStatus,
};
use rustls::{CommonState, Error};

/// One side of an unbuffered connection.
pub(crate) trait Side {
    /// rustls's per-side connection data.
    type Data;
    /// True for a client (the ServerHello is received), false for a server (it is sent).
    const CLIENT: bool;
    /// `process_tls_records` of this side.
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data>;
    /// The state both sides share.
    fn common(&self) -> &CommonState;
}

impl Side for rustls::client::UnbufferedClientConnection {
    type Data = rustls::client::ClientConnectionData;
    const CLIENT: bool = true;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(incoming)
    }
    fn common(&self) -> &CommonState {
        self
    }
}

impl Side for rustls::server::UnbufferedServerConnection {
    type Data = rustls::server::ServerConnectionData;
    const CLIENT: bool = false;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(incoming)
    }
    fn common(&self) -> &CommonState {
        self
    }
}

/// An unbuffered connection with its buffers.
pub(crate) struct Driver<S> {
    /// Boxed where rustls made it, so the connection (over a kilobyte) is never moved
    /// again on the stack: not into the driver, nor into the tunnel around it.
    conn: Box<S>,
    secrets: Arc<SecretLog>,
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
    plaintext: Vec<u8>,
    /// Application data waiting for the handshake to allow writing.
    pending: Vec<u8>,
    /// Reads the ServerHello; dropped once it has been seen.
    hello_scan: Option<TlsScanner>,
    server_random: Option<[u8; 32]>,
    /// The first error: the connection is dead after it.
    failed: Option<Error>,
}

/// Appends what `encode` writes to `out`, growing it to the size `encode` asks for.
fn append(
    out: &mut Vec<u8>,
    mut encode: impl FnMut(&mut [u8]) -> Result<usize, Option<usize>>,
) -> Result<(), Error> {
    let start = out.len();
    let mut room = 0;
    loop {
        out.resize(start + room, 0);
        match encode(&mut out[start..]) {
            Ok(n) => {
                out.truncate(start + n);
                return Ok(());
            }
            Err(Some(required)) if required > room => room = required,
            Err(_) => {
                out.truncate(start);
                return Err(Error::EncryptError);
            }
        }
    }
}

fn encode_size(e: EncodeError) -> Option<usize> {
    match e {
        EncodeError::InsufficientSize(InsufficientSizeError { required_size }) => {
            Some(required_size)
        }
        _ => None,
    }
}

fn encrypt_size(e: EncryptError) -> Option<usize> {
    match e {
        EncryptError::InsufficientSize(InsufficientSizeError { required_size }) => {
            Some(required_size)
        }
        _ => None,
    }
}

impl<S: Side> Driver<S> {
    /// Wraps `conn`, whose config logs its secrets to `secrets`, and runs it until it waits
    /// (a client then has its ClientHello in `outgoing`).
    pub(crate) fn new(conn: Box<S>, secrets: Arc<SecretLog>) -> Result<Self, Error> {
        let mut d = Driver {
            conn,
            secrets,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            plaintext: Vec::new(),
            pending: Vec::new(),
            hello_scan: Some(TlsScanner::new()),
            server_random: None,
            failed: None,
        };
        d.pump(None)?;
        Ok(d)
    }

    // Not inlined: the scanner's locals would sit in `receive`'s frame under the handshake.
    #[inline(never)]
    fn scan(&mut self, bytes: &[u8]) {
        let Some(scanner) = self.hello_scan.as_mut() else {
            return;
        };
        for ev in scanner.push(bytes) {
            if let TlsEvent::ServerHello(h) = ev {
                self.server_random = Some(h.random);
                self.hello_scan = None;
                return;
            }
        }
    }

    /// Feeds TLS bytes from the peer.
    pub(crate) fn receive(&mut self, data: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if S::CLIENT {
            self.scan(data);
        }
        self.incoming.extend_from_slice(data);
        self.pump(None)
    }

    /// Moves the TLS bytes to send into `out`.
    pub(crate) fn take_outgoing(&mut self, out: &mut Vec<u8>) {
        if !S::CLIENT && self.hello_scan.is_some() {
            let sent = core::mem::take(&mut self.outgoing);
            self.scan(&sent);
            self.outgoing = sent;
        }
        if out.is_empty() {
            core::mem::swap(out, &mut self.outgoing);
        } else {
            out.append(&mut self.outgoing);
        }
    }

    /// Encrypts `data` as application data once the handshake allows it.
    pub(crate) fn send_plaintext(&mut self, data: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.pump(Some(data))
    }

    /// Moves the application data received into `out`.
    pub(crate) fn read_plaintext(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.plaintext);
    }

    /// True until the handshake has completed.
    pub(crate) fn is_handshaking(&self) -> bool {
        self.conn.common().is_handshaking()
    }

    /// The peer's certificate chain, once the handshake (full or resumed) has completed.
    pub(crate) fn peer_certificates(
        &self,
    ) -> Option<&[rustls::pki_types::CertificateDer<'static>]> {
        self.conn.common().peer_certificates()
    }

    /// True once a completed handshake resumed an earlier session.
    pub(crate) fn resumed(&self) -> bool {
        let c = self.conn.common();
        !c.is_handshaking() && c.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    /// The negotiated version and suite.
    pub(crate) fn negotiated(&self) -> Option<(TlsVersion, u16)> {
        let c = self.conn.common();
        let v = c.protocol_version()?;
        let s = c.negotiated_cipher_suite()?;
        Some((TlsVersion(u16::from(v)), u16::from(s.suite())))
    }

    /// The key exchange group the handshake used (IANA value).
    pub(crate) fn key_exchange(&self) -> Option<u16> {
        self.conn
            .common()
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name()))
    }

    /// RFC 5705 / RFC 8446 §7.5 exporter, from the logged secret; refused before the
    /// handshake has completed.
    pub(crate) fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsFailure> {
        let common = self.conn.common();
        let suite = match common.negotiated_cipher_suite() {
            Some(s) if !common.is_handshaking() => s,
            _ => return Err(protocol(Error::HandshakeNotComplete)),
        };
        self.secrets
            .export(suite, self.server_random.as_ref(), label, context, out)
    }

    // Used by the test authenticator (feature `testing`).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    /// The EAP Session-Id of this connection for method `type_code`: Type-Code ‖
    /// client.random ‖ server.random under TLS 1.2 (RFC 5216 §2.3), Type-Code ‖ Method-Id
    /// under TLS 1.3 (RFC 9427 §2.1). `None` before the handshake is done.
    pub(crate) fn session_id(&self, type_code: u8) -> Option<Vec<u8>> {
        let (version, _) = self.negotiated()?;
        if self.is_handshaking() {
            return None;
        }
        if version >= TlsVersion::TLS13 {
            let mut method_id = [0u8; 64];
            self.export(TLS13_METHOD_ID_LABEL, Some(&[type_code]), &mut method_id)
                .ok()?;
            Some(session_id_tls13(type_code, &method_id))
        } else {
            let client_random = self.secrets.client_random()?;
            Some(session_id_tls12(
                type_code,
                &client_random,
                self.server_random.as_ref()?,
            ))
        }
    }

    /// Runs rustls until it waits for input or may write application data, then writes
    /// what is pending and `app` (kept for later if the handshake does not allow it yet).
    fn pump(&mut self, app: Option<&[u8]>) -> Result<(), Error> {
        let mut app = app.filter(|a| !a.is_empty());
        let result = self.run(&mut app);
        if let Some(a) = app {
            self.pending.extend_from_slice(a);
        }
        if let Err(e) = &result {
            self.failed = Some(e.clone());
            self.flush_alert();
        }
        result
    }

    fn run(&mut self, app: &mut Option<&[u8]>) -> Result<(), Error> {
        loop {
            let Driver {
                conn,
                incoming,
                outgoing,
                plaintext,
                pending,
                ..
            } = self;
            let UnbufferedStatus { discard, state } = conn.process(incoming);
            let mut done = None;
            match state {
                Err(e) => done = Some(Err(e)),
                Ok(ConnectionState::ReadTraffic(mut traffic)) => {
                    while let Some(record) = traffic.next_record() {
                        match record {
                            Ok(r) => plaintext.extend_from_slice(r.payload),
                            Err(e) => {
                                done = Some(Err(e));
                                break;
                            }
                        }
                    }
                }
                Ok(ConnectionState::EncodeTlsData(mut data)) => {
                    if let Err(e) = append(outgoing, |b| data.encode(b).map_err(encode_size)) {
                        done = Some(Err(e));
                    }
                }
                Ok(ConnectionState::TransmitTlsData(transmit)) => transmit.done(),
                Ok(ConnectionState::WriteTraffic(mut write)) => {
                    let mut r = Ok(());
                    if !pending.is_empty() {
                        r = append(outgoing, |b| {
                            write.encrypt(pending, b).map_err(encrypt_size)
                        });
                        *pending = Vec::new();
                    }
                    if let (Ok(()), Some(data)) = (&r, app.take()) {
                        r = append(outgoing, |b| write.encrypt(data, b).map_err(encrypt_size));
                    }
                    done = Some(r);
                }
                // Waiting for more handshake data, or closed.
                Ok(_) => done = Some(Ok(())),
            }
            incoming.drain(..discard);
            if let Some(r) = done {
                return r;
            }
        }
    }

    /// After an error, moves the alert rustls queued (if any) to `outgoing`.
    fn flush_alert(&mut self) {
        for _ in 0..4 {
            let Driver {
                conn,
                incoming,
                outgoing,
                ..
            } = self;
            let UnbufferedStatus { discard, state } = conn.process(incoming);
            let more = match state {
                Ok(ConnectionState::EncodeTlsData(mut data)) => {
                    append(outgoing, |b| data.encode(b).map_err(encode_size)).is_ok()
                }
                Ok(ConnectionState::TransmitTlsData(transmit)) => {
                    transmit.done();
                    true
                }
                _ => false,
            };
            incoming.drain(..discard.min(incoming.len()));
            if !more {
                return;
            }
        }
    }
}
