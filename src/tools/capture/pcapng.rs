//! A small pcapng writer ([draft-ietf-opsawg-pcapng](https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/)):
//! one Section Header Block, an Interface Description Block per link type, and an
//! Enhanced Packet Block per packet, little-endian, nanosecond timestamps.
//!
//! The transports write what they send and receive through a [`PcapTap`]: Ethernet frames as
//! they are on the wire (link type 1), RADIUS datagrams inside synthesized IPv4 or IPv6 and
//! UDP headers (link type 101, raw IP), so that Wireshark and `explain` can read them.

use crate::transport::Direction;
use std::boxed::Box;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::string::String;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: u16 = 1;
/// LINKTYPE_RAW: the packet starts with an IPv4 or IPv6 header.
pub const LINKTYPE_RAW: u16 = 101;

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 0x0000_0001;
const EPB: u32 = 0x0000_0006;
const DSB: u32 = 0x0000_000A;
/// Decryption Secrets Block type of a TLS key log ("TLSK").
const SECRETS_TLS_KEY_LOG: u32 = 0x544c_534b;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_END: u16 = 0;
const SHB_USERAPPL: u16 = 4;
const IF_NAME: u16 = 2;
const IF_TSRESOL: u16 = 9;

/// Writes a pcapng file: the section header at creation, interfaces on first use.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    /// Link type of each interface written, by interface id.
    interfaces: Vec<u16>,
}

/// Appends one option (code, length, value padded to 32 bits).
fn option(block: &mut Vec<u8>, code: u16, value: &[u8]) {
    let value = &value[..value.len().min(usize::from(u16::MAX))];
    block.extend_from_slice(&code.to_le_bytes());
    block.extend_from_slice(&(value.len() as u16).to_le_bytes());
    block.extend_from_slice(value);
    pad(block);
}

fn pad(block: &mut Vec<u8>) {
    while block.len() % 4 != 0 {
        block.push(0);
    }
}

/// A whole block: type, total length, `body`, total length.
fn block(block_type: u32, body: &[u8]) -> Vec<u8> {
    let total = (12 + body.len()) as u32;
    let mut b = Vec::with_capacity(12 + body.len());
    b.extend_from_slice(&block_type.to_le_bytes());
    b.extend_from_slice(&total.to_le_bytes());
    b.extend_from_slice(body);
    b.extend_from_slice(&total.to_le_bytes());
    b
}

impl<W: Write> PcapWriter<W> {
    /// Starts a file on `out` (writes the Section Header Block).
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut body = Vec::new();
        body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&(-1i64).to_le_bytes());
        let app = concat!("eap ", env!("CARGO_PKG_VERSION"), " (Rust)");
        option(&mut body, SHB_USERAPPL, app.as_bytes());
        option(&mut body, OPT_END, &[]);
        out.write_all(&block(SHB, &body))?;
        Ok(PcapWriter {
            out,
            interfaces: Vec::new(),
        })
    }

    /// The id of the interface for `linktype`, writing its description on first use.
    pub fn interface(&mut self, linktype: u16) -> io::Result<u32> {
        if let Some(i) = self.interfaces.iter().position(|&l| l == linktype) {
            return Ok(i as u32);
        }
        let mut body = Vec::new();
        body.extend_from_slice(&linktype.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&0u32.to_le_bytes()); // snaplen: no limit
        let name = match linktype {
            LINKTYPE_ETHERNET => "eapol".as_bytes(),
            LINKTYPE_RAW => "radius".as_bytes(),
            _ => "capture".as_bytes(),
        };
        option(&mut body, IF_NAME, name);
        option(&mut body, IF_TSRESOL, &[9]);
        option(&mut body, OPT_END, &[]);
        self.out.write_all(&block(IDB, &body))?;
        self.interfaces.push(linktype);
        Ok((self.interfaces.len() - 1) as u32)
    }

    /// Writes one packet of `linktype` captured at `time` (since the Unix epoch).
    pub fn packet(&mut self, linktype: u16, time: Duration, data: &[u8]) -> io::Result<()> {
        let interface = self.interface(linktype)?;
        let data = &data[..data.len().min(u32::MAX as usize - 64)];
        let ns = time.as_nanos().min(u128::from(u64::MAX)) as u64;
        let mut body = Vec::with_capacity(20 + data.len() + 3);
        body.extend_from_slice(&interface.to_le_bytes());
        body.extend_from_slice(&((ns >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ns as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        pad(&mut body);
        self.out.write_all(&block(EPB, &body))
    }

    /// Writes an Ethernet frame (destination, source, EtherType, payload).
    pub fn ethernet(&mut self, time: Duration, frame: &[u8]) -> io::Result<()> {
        self.packet(LINKTYPE_ETHERNET, time, frame)
    }

    /// Writes a UDP datagram from `src` to `dst` inside synthesized IP and UDP headers
    /// (IPv4 when both addresses are IPv4, IPv6 otherwise, with IPv4-mapped addresses).
    pub fn udp(
        &mut self,
        time: Duration,
        src: SocketAddr,
        dst: SocketAddr,
        payload: &[u8],
    ) -> io::Result<()> {
        self.packet(LINKTYPE_RAW, time, &ip_udp(src, dst, payload))
    }

    /// Writes TLS secrets in the NSS key log format (lines of `LABEL <client random hex>
    /// <secret hex>`) as a Decryption Secrets Block, which Wireshark uses to decrypt the
    /// TLS records of the packets that follow.
    pub fn tls_key_log(&mut self, lines: &[u8]) -> io::Result<()> {
        let lines = &lines[..lines.len().min(u32::MAX as usize - 64)];
        let mut body = Vec::with_capacity(8 + lines.len() + 3);
        body.extend_from_slice(&SECRETS_TLS_KEY_LOG.to_le_bytes());
        body.extend_from_slice(&(lines.len() as u32).to_le_bytes());
        body.extend_from_slice(lines);
        pad(&mut body);
        self.out.write_all(&block(DSB, &body))
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The Internet checksum (RFC 1071) of `parts`, concatenated.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(u16::from_be_bytes([hi, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The UDP header for `payload` (checksum 0, filled by the caller).
fn udp_header(src: u16, dst: u16, len: u16) -> [u8; 8] {
    let [s0, s1] = src.to_be_bytes();
    let [d0, d1] = dst.to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    [s0, s1, d0, d1, l0, l1, 0, 0]
}

/// An IPv4 packet carrying `payload` in UDP from `src` to `dst`, with correct IPv4 header
/// and UDP checksums. Payloads that do not fit a 65,535-octet packet are cut.
pub fn ipv4_udp(src: (Ipv4Addr, u16), dst: (Ipv4Addr, u16), payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(65535 - 28)];
    let udp_len = (8 + payload.len()) as u16;
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&(20 + udp_len).to_be_bytes());
    ip[6] = 0x40; // don't fragment
    ip[8] = 64;
    ip[9] = 17;
    ip[12..16].copy_from_slice(&src.0.octets());
    ip[16..20].copy_from_slice(&dst.0.octets());
    let sum = checksum(&[&ip]);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut udp = udp_header(src.1, dst.1, udp_len);
    let [l0, l1] = udp_len.to_be_bytes();
    let pseudo = [&ip[12..20], &[0, 17, l0, l1][..]].concat();
    let sum = match checksum(&[&pseudo, &udp, payload]) {
        0 => 0xffff,
        s => s,
    };
    udp[6..8].copy_from_slice(&sum.to_be_bytes());
    [&ip[..], &udp, payload].concat()
}

/// An IPv6 packet carrying `payload` in UDP from `src` to `dst`, with a correct UDP
/// checksum. Payloads that do not fit are cut.
pub fn ipv6_udp(src: (Ipv6Addr, u16), dst: (Ipv6Addr, u16), payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(65535 - 8)];
    let udp_len = (8 + payload.len()) as u16;
    let mut ip = [0u8; 40];
    ip[0] = 0x60;
    ip[4..6].copy_from_slice(&udp_len.to_be_bytes());
    ip[6] = 17;
    ip[7] = 64;
    ip[8..24].copy_from_slice(&src.0.octets());
    ip[24..40].copy_from_slice(&dst.0.octets());
    let mut udp = udp_header(src.1, dst.1, udp_len);
    let pseudo = [
        &ip[8..40],
        &u32::from(udp_len).to_be_bytes()[..],
        &[0, 0, 0, 17][..],
    ]
    .concat();
    let sum = match checksum(&[&pseudo, &udp, payload]) {
        0 => 0xffff,
        s => s,
    };
    udp[6..8].copy_from_slice(&sum.to_be_bytes());
    [&ip[..], &udp, payload].concat()
}

/// IPv4 or IPv6 (with IPv4-mapped addresses when the families differ) around a datagram.
pub fn ip_udp(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let v6 = |ip: IpAddr| match ip {
        IpAddr::V4(a) => a.to_ipv6_mapped(),
        IpAddr::V6(a) => a,
    };
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => ipv4_udp((s, src.port()), (d, dst.port()), payload),
        (s, d) => ipv6_udp((v6(s), src.port()), (v6(d), dst.port()), payload),
    }
}

struct TapState {
    writer: PcapWriter<Box<dyn Write + Send>>,
    error: Option<io::Error>,
}

/// A shared pcapng writer the transports call with what they send and receive. Cheap to
/// clone; every packet is flushed, so the file is readable while the program runs.
///
/// It is also a [`rustls::KeyLog`]: given to the TLS configuration, it writes each TLS
/// secret into the capture (a Decryption Secrets Block), so Wireshark opens the file with
/// the PEAP tunnel decrypted, no separate key log file needed.
///
/// Writing never fails the caller: the first I/O error stops the capture and is reported
/// by [`PcapTap::finish`].
#[derive(Clone)]
pub struct PcapTap {
    inner: Arc<Mutex<TapState>>,
}

impl core::fmt::Debug for PcapTap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcapTap").finish_non_exhaustive()
    }
}

/// Opens `path` for a file that holds secrets (a capture with the TLS secrets, a key log):
/// created with mode 0600 whatever the umask, and an existing file narrowed to 0600 before
/// anything is written (never left wider than its owner). Truncated, or appended to with
/// `append`. On other systems than Unix, an ordinary file.
pub fn create_private(path: &Path, append: bool) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file = options.mode(0o600).open(path)?;
        // The mode above applies to a new file only; an existing one keeps its own.
        let mut permissions = file.metadata()?.permissions();
        if permissions.mode() & 0o077 != 0 {
            permissions.set_mode(permissions.mode() & 0o700);
            file.set_permissions(permissions)?;
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// The time since the Unix epoch of `at` (zero before it).
fn since_epoch(at: SystemTime) -> Duration {
    at.duration_since(UNIX_EPOCH).unwrap_or_default()
}

fn now() -> Duration {
    since_epoch(SystemTime::now())
}

impl PcapTap {
    /// Creates (or truncates) the pcapng file at `path`, readable by its owner alone
    /// ([`create_private`]): it carries the TLS secrets.
    pub fn create(path: impl AsRef<Path>) -> io::Result<PcapTap> {
        let file = create_private(path.as_ref(), false)?;
        PcapTap::from_writer(io::BufWriter::new(file))
    }

    /// A tap writing to any writer.
    pub fn from_writer(out: impl Write + Send + 'static) -> io::Result<PcapTap> {
        let mut writer = PcapWriter::new(Box::new(out) as Box<dyn Write + Send>)?;
        writer.flush()?;
        Ok(PcapTap {
            inner: Arc::new(Mutex::new(TapState {
                writer,
                error: None,
            })),
        })
    }

    fn write(&self, f: impl FnOnce(&mut PcapWriter<Box<dyn Write + Send>>) -> io::Result<()>) {
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        if state.error.is_some() {
            return;
        }
        let result = f(&mut state.writer).and_then(|()| state.writer.flush());
        if let Err(e) = result {
            state.error = Some(e);
        }
    }

    /// Records an Ethernet frame, stamped now.
    pub fn ethernet(&self, frame: &[u8]) {
        self.write(|w| w.ethernet(now(), frame));
    }

    /// Records a UDP datagram from `src` to `dst`, stamped now.
    pub fn udp(&self, src: SocketAddr, dst: SocketAddr, payload: &[u8]) {
        self.write(|w| w.udp(now(), src, dst, payload));
    }

    /// Records TLS secrets (NSS key log lines), for Wireshark.
    pub fn tls_key_log(&self, lines: &[u8]) {
        self.write(|w| w.tls_key_log(lines));
    }

    /// Flushes and reports the first error met while writing, if any.
    pub fn finish(&self) -> io::Result<()> {
        let mut state = self
            .inner
            .lock()
            .map_err(|_| io::Error::other("capture writer poisoned"))?;
        if let Some(e) = state.error.take() {
            return Err(e);
        }
        state.writer.flush()
    }
}

/// One line of the NSS key log format (`LABEL <client_random hex> <secret hex>\n`), as
/// Wireshark reads it from a file or from a Decryption Secrets Block.
pub fn nss_key_log_line(label: &str, client_random: &[u8], secret: &[u8]) -> String {
    let mut line =
        String::with_capacity(label.len() + 2 * (client_random.len() + secret.len()) + 3);
    line.push_str(label);
    for part in [client_random, secret] {
        line.push(' ');
        line.push_str(&crate::tools::report::hex(part));
    }
    line.push('\n');
    line
}

impl rustls::KeyLog for PcapTap {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.tls_key_log(nss_key_log_line(label, client_random, secret).as_bytes());
    }
}

/// The transports' [`Tap`](crate::transport::Tap): each packet written with the time it
/// went; a datagram's addresses in the order it travelled.
impl crate::transport::Tap for PcapTap {
    fn ethernet(&self, _direction: Direction, at: SystemTime, frame: &[u8]) {
        self.write(|w| w.ethernet(since_epoch(at), frame));
    }

    fn udp(
        &self,
        direction: Direction,
        at: SystemTime,
        local: SocketAddr,
        peer: SocketAddr,
        datagram: &[u8],
    ) {
        let (src, dst) = match direction {
            Direction::Sent => (local, peer),
            Direction::Received => (peer, local),
        };
        self.write(|w| w.udp(since_epoch(at), src, dst, datagram));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new file and an existing world-readable one both end at 0600, before anything is
    /// written; appending keeps what was there.
    #[cfg(unix)]
    #[test]
    fn secret_files_are_their_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(std::format!("eap-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.join("new.pcapng");
        let _ = std::fs::remove_file(&new);
        drop(PcapTap::create(&new).unwrap());
        assert_eq!(mode(&new), 0o600);
        let old = dir.join("old.keylog");
        std::fs::write(&old, b"earlier line\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut f = create_private(&old, true).unwrap();
        assert_eq!(mode(&old), 0o600);
        f.write_all(b"new line\n").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&old).unwrap(), b"earlier line\nnew line\n");
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o666)).unwrap();
        drop(create_private(&old, false).unwrap());
        assert_eq!(mode(&old), 0o600);
        assert_eq!(std::fs::read(&old).unwrap(), b"");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ipv4_checksums_verify() {
        let p = ipv4_udp(
            (Ipv4Addr::new(127, 0, 0, 1), 40000),
            (Ipv4Addr::new(10, 1, 2, 3), 1812),
            b"hello",
        );
        assert_eq!(p.len(), 20 + 8 + 5);
        assert_eq!(checksum(&[&p[..20]]), 0, "IPv4 header sums to zero");
        let pseudo = [&p[12..20], &[0, 17, 0, 13][..]].concat();
        assert_eq!(checksum(&[&pseudo, &p[20..]]), 0, "UDP checksum verifies");
        // RFC 1071's worked example.
        let words = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(!checksum(&[&words]), 0xddf2);
    }

    #[test]
    fn ipv6_checksum_verifies() {
        let s = "[::1]:40000".parse().unwrap();
        let d = "127.0.0.1:1812".parse().unwrap();
        let p = ip_udp(s, d, b"odd");
        assert_eq!(p[0] >> 4, 6);
        let pseudo = [&p[8..40], &[0, 0, 0, 11, 0, 0, 0, 17][..]].concat();
        assert_eq!(checksum(&[&pseudo, &p[40..]]), 0);
    }

    #[test]
    fn blocks_are_aligned() {
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        w.ethernet(Duration::from_secs(1), &[0; 61]).unwrap();
        w.udp(
            Duration::from_secs(2),
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
            b"x",
        )
        .unwrap();
        w.ethernet(Duration::from_secs(3), &[0; 14]).unwrap();
        w.tls_key_log(b"CLIENT_RANDOM 00 11\n").unwrap();
        let out = w.into_inner();
        let mut at = 0;
        let mut types = Vec::new();
        while at < out.len() {
            let t = u32::from_le_bytes(out[at..at + 4].try_into().unwrap());
            let len = u32::from_le_bytes(out[at + 4..at + 8].try_into().unwrap()) as usize;
            assert_eq!(len % 4, 0);
            assert_eq!(out[at + len - 4..at + len], out[at + 4..at + 8]);
            types.push(t);
            at += len;
        }
        assert_eq!(types, [SHB, IDB, EPB, IDB, EPB, EPB, DSB]);
    }
}
