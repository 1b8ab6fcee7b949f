//! EAP-TLS, PEAP, TTLS, FAST and TEAP in a timeline: the flags, and what the TLS bytes show in
//! clear (hellos, certificate, alerts), the encrypted records, and when the tunnel is up.

use super::conv::{Conv, HRR_RANDOM, Seen, side};
use super::names::{alert_text, client_hello_text, handshake_name, server_hello_text};
use crate::diagnosis::SentMessage;
use crate::method_type::MethodType;
use crate::tls::TlsVersion;
use crate::wire::tls_frame::TlsFrame;
use crate::wire::tls_record::{TlsEvent, TlsScanner, handshake_type};
use std::format;
use std::string::String;
use std::vec::Vec;

impl Conv {
    /// EAP-TLS, PEAP, TTLS or FAST Type-Data: flags, and what the TLS bytes show.
    pub(super) fn tls(&mut self, m: MethodType, data: &[u8], to_server: bool) -> Seen {
        let mut frame = match TlsFrame::parse(data) {
            Ok(f) => f,
            Err(e) => return Seen::plain(format!(" malformed ({e})")),
        };
        // TEAP's O flag: the Outer TLVs (Authority-ID in the Start) follow the TLS data.
        let mut outer_tlvs = String::new();
        if m == MethodType::Teap {
            match crate::wire::teap::split_outer_tlvs(frame.flags(), frame.data) {
                Ok((tls, outer)) => {
                    for t in crate::wire::teap::parse_teap_tlvs(outer).unwrap_or_default() {
                        outer_tlvs.push_str(&format!(
                            " outer TLV {:?} {}",
                            t.tlv_type,
                            super::names::quote(t.value)
                        ));
                    }
                    frame.data = tls;
                    frame.reserved &= !crate::wire::teap::FLAG_OUTER_TLVS;
                }
                Err(e) => return Seen::plain(format!(" malformed ({e})")),
            }
        }
        if frame.start && !to_server {
            self.client_tls = TlsScanner::new();
            self.server_tls = TlsScanner::new();
            (self.tls13, self.client_ccs, self.server_ccs) = (false, false, false);
            self.records = Default::default();
        }
        self.records
            .push(self.timeline.len(), to_server, frame.data);
        let mut flags = String::new();
        for (set, c) in [
            (frame.message_length.is_some(), 'L'),
            (frame.more, 'M'),
            (frame.start, 'S'),
        ] {
            if set {
                flags.push(c);
            }
        }
        let mut summary = format!(
            " [{flags}{}v{}]",
            if flags.is_empty() { "" } else { " " },
            frame.version
        );
        summary.push_str(&outer_tlvs);
        if frame.data.is_empty() {
            summary.push_str(if frame.start { " start" } else { " ACK" });
        } else {
            summary.push_str(&format!(" {} octets", frame.data.len()));
            if let Some(total) = frame.message_length {
                summary.push_str(&format!(" of {total}"));
            }
        }
        let was_up = self.obs.tunnel_up;
        let events = if to_server {
            self.client_tls.push(frame.data)
        } else {
            self.server_tls.push(frame.data)
        };
        let mut seen = Seen::plain(String::new());
        let mut names: Vec<&'static str> = Vec::new();
        // Encrypted records by content type: count and octets.
        let mut encrypted: [(u32, usize); 4] = [(0, 0); 4];
        for ev in events {
            match ev {
                TlsEvent::ClientHello(ch) => {
                    names.push("ClientHello");
                    seen.details.push(client_hello_text(&ch));
                    seen.sent = Some(SentMessage::ClientHello);
                    self.story("the client sent a TLS ClientHello".into());
                    self.obs.client_hello = Some(ch);
                }
                TlsEvent::ServerHello(sh) => {
                    names.push("ServerHello");
                    seen.details.push(server_hello_text(&sh));
                    let (version, suite) = (TlsVersion(sh.version()), sh.cipher_suite);
                    if sh.version() >= 0x0304 && sh.random != HRR_RANDOM {
                        self.tls13 = true;
                        self.client_tls.set_encrypted();
                    }
                    let suite = super::names::suite(suite);
                    self.story(format!("the server chose {version} with {suite}"));
                    self.obs.server_hello = Some(sh);
                }
                TlsEvent::Certificate(chain) if to_server => {
                    // EAP-TLS: the client's own certificate (in clear in TLS 1.2).
                    names.push("Certificate");
                    seen.details.push(format!(
                        "Certificate (the client's): {} certificate(s)",
                        chain.len()
                    ));
                    self.story("the client sent its certificate".into());
                    self.obs.client_certificate = !chain.is_empty();
                }
                TlsEvent::Certificate(chain) => {
                    names.push("Certificate");
                    let info = chain
                        .first()
                        .and_then(|der| super::cert_info::describe(der, chain.len()));
                    let line = match &info {
                        Some(c) => format!(
                            "Certificate: {} certificate(s); subject \"{}\", issuer \"{}\", names: {}",
                            chain.len(),
                            c.subject,
                            c.issuer,
                            c.dns_names.join(", ")
                        ),
                        None => format!(
                            "Certificate: {} certificate(s), the first unreadable",
                            chain.len()
                        ),
                    };
                    seen.details.push(line);
                    if let Some(c) = &info {
                        self.story(format!("the server sent its certificate \"{}\"", c.subject));
                    }
                    self.obs.certificate = info;
                }
                TlsEvent::Handshake(t) => {
                    names.push(handshake_name(t));
                    if to_server && t == handshake_type::CLIENT_KEY_EXCHANGE {
                        seen.sent = Some(SentMessage::TlsClientFinished);
                    }
                }
                TlsEvent::Alert { level, description } => {
                    names.push("Alert");
                    seen.details
                        .push(format!("TLS alert: {}", alert_text(level, description)));
                    if level == 2 || description != 0 {
                        self.story(format!(
                            "the {} sent TLS alert {}",
                            side(to_server),
                            alert_text(level, description)
                        ));
                        if to_server {
                            self.obs.client_alert = Some(description);
                            seen.sent = Some(SentMessage::TlsAlert);
                        } else {
                            self.obs.server_alert = Some(description);
                        }
                    }
                }
                TlsEvent::ChangeCipherSpec => {
                    names.push("ChangeCipherSpec");
                    if to_server {
                        self.client_ccs = true;
                        seen.sent = seen.sent.or(Some(SentMessage::TlsClientFinished));
                    } else {
                        self.server_ccs = true;
                    }
                }
                TlsEvent::Encrypted {
                    content_type,
                    length,
                } => {
                    let slot = &mut encrypted[usize::from(content_type.clamp(20, 23) - 20)];
                    slot.0 += 1;
                    slot.1 += length;
                }
                TlsEvent::TooLarge { msg_type, length } => seen.details.push(format!(
                    "{} of {length} octets: too large to examine",
                    handshake_name(msg_type)
                )),
                TlsEvent::NotTls => seen.details.push("not TLS: no further examination".into()),
            }
        }
        let kinds = [
            "change_cipher_spec",
            "alert",
            "handshake",
            "application data",
        ];
        for (kind, (n, octets)) in kinds.iter().zip(encrypted) {
            if n > 0 {
                seen.details
                    .push(format!("encrypted {kind}: {n} record(s), {octets} octets"));
            }
        }
        let records: u32 = encrypted.iter().map(|e| e.0).sum();
        let app_data = encrypted[3].0 > 0;
        // The tunnel: both ChangeCipherSpecs (TLS 1.2), or the client's encrypted Finished
        // after a TLS 1.3 ServerHello.
        let up = (self.client_ccs && self.server_ccs) || (self.tls13 && to_server && records > 0);
        if up && !was_up {
            self.obs.tunnel_up = true;
            self.story(format!("the TLS handshake completed: {m} tunnel up"));
        }
        if was_up && !to_server && app_data {
            self.obs.tunnel_exchanges += 1;
        }
        if to_server && seen.sent.is_none() {
            seen.sent = if frame.more {
                Some(SentMessage::TlsFragment)
            } else if frame.data.is_empty() {
                Some(SentMessage::TlsAck)
            } else if app_data {
                Some(SentMessage::TunnelData)
            } else {
                None
            };
        }
        seen.name = if !names.is_empty() {
            format!("TLS {}", names.join(", "))
        } else if frame.data.is_empty() {
            format!(
                "{m} {}",
                if frame.start {
                    "Start"
                } else {
                    "acknowledgement"
                }
            )
        } else if records > 0 {
            format!("encrypted {m} data")
        } else {
            format!("{m} fragment")
        };
        if !names.is_empty() {
            summary.push_str(": ");
            summary.push_str(&names.join(", "));
        }
        seen.summary = summary;
        seen
    }
}
