//! The floor rustls itself sets: a bare rustls unbuffered client handshake, no EAP, with
//! the same chain, versions and provider as the EAP runs and the same stack probe around
//! each client step (making the connection and its ClientHello; then each flight received
//! until the client waits again). What the EAP runs use above this is ours.

use crate::stack;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rustls::RootCertStore;
use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject;
use rustls::server::UnbufferedServerConnection;
use rustls::unbuffered::{ConnectionState, EncodeError, UnbufferedStatus};

/// Runs `process_tls_records` on `$conn` until it waits for input or may write application
/// data, appending what it encodes to `$out`; evaluates to `Ok(true)` once the handshake
/// is done.
macro_rules! pump {
    ($conn:expr, $incoming:expr, $out:expr) => {{
        loop {
            let UnbufferedStatus { discard, state } = $conn.process_tls_records(&mut $incoming);
            let next = match state {
                Err(_) => Some(Err("bare handshake: TLS error")),
                Ok(ConnectionState::EncodeTlsData(mut data)) => {
                    let start = $out.len();
                    let mut room = 0;
                    loop {
                        $out.resize(start + room, 0);
                        match data.encode(&mut $out[start..]) {
                            Ok(n) => {
                                $out.truncate(start + n);
                                break None;
                            }
                            Err(EncodeError::InsufficientSize(e)) if e.required_size > room => {
                                room = e.required_size;
                            }
                            Err(_) => break Some(Err("bare handshake: encode")),
                        }
                    }
                }
                Ok(ConnectionState::TransmitTlsData(t)) => {
                    t.done();
                    None
                }
                Ok(ConnectionState::WriteTraffic(_)) => Some(Ok(true)),
                Ok(ConnectionState::BlockedHandshake) => Some(Ok(false)),
                Ok(_) => Some(Err("bare handshake: unexpected state")),
            };
            $incoming.drain(..discard);
            if let Some(r) = next {
                break r;
            }
        }
    }};
}

/// One bare handshake; returns the deepest stack of any client step, in bytes.
pub(crate) fn handshake(
    ca: &[u8],
    server: Arc<rustls::ServerConfig>,
    tls13: bool,
    now: Arc<dyn rustls::time_provider::TimeProvider>,
) -> Result<usize, &'static str> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca).map_err(|_| "CA certificate")?)
        .map_err(|_| "CA certificate")?;
    let version = if tls13 {
        &rustls::version::TLS13
    } else {
        &rustls::version::TLS12
    };
    let mut config = rustls::ClientConfig::builder_with_details(crate::cases::provider(), now)
        .with_protocol_versions(&[version])
        .map_err(|_| "client versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.enable_sni = false;
    config.resumption = rustls::client::Resumption::disabled();
    let config = Arc::new(config);
    let name = ServerName::try_from(crate::cases::SERVER_NAME).map_err(|_| "server name")?;

    let mut to_server: Vec<u8> = Vec::new();
    let mut to_client: Vec<u8> = Vec::new();
    let (client, stack) = stack::measure(|| {
        let mut c = UnbufferedClientConnection::new(config, name).map_err(|_| "client")?;
        let mut none: Vec<u8> = Vec::new();
        pump!(c, none, to_server)?;
        Ok::<_, &'static str>(c)
    });
    let mut client = client?;
    let mut server = UnbufferedServerConnection::new(server).map_err(|_| "server")?;
    let mut deepest = stack;
    let mut server_in: Vec<u8> = Vec::new();
    let mut client_in: Vec<u8> = Vec::new();
    for _ in 0..16 {
        server_in.append(&mut to_server);
        pump!(server, server_in, to_client)?;
        if to_client.is_empty() {
            break;
        }
        client_in.append(&mut to_client);
        let (done, stack) = stack::measure(|| pump!(client, client_in, to_server));
        deepest = deepest.max(stack);
        if done? && to_server.is_empty() {
            return Ok(deepest);
        }
    }
    if client.is_handshaking() {
        return Err("bare handshake did not complete");
    }
    Ok(deepest)
}
