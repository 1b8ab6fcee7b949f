//! The fragmentation of every TLS method (EAP-TLS, PEAP, EAP-TTLS;
//! [RFC 5216 §2.1.5](https://www.rfc-editor.org/rfc/rfc5216#section-2.1.5)).
//!
//! Inbound: the TLS Message Length (L flag) is checked against the reassembly cap before
//! anything is kept, and the fragments must add up to it; memory grows with the data that
//! actually arrives, never with the announced length. Outbound: messages longer than the
//! fragment size go out in pieces with the M flag, each after the server's empty ACK; the
//! first fragment always carries the L flag and total length (Windows NPS needs it, even
//! for a message that fits in one fragment).

use crate::diagnosis::ProtocolViolation;
use crate::wire::tls_frame::TlsFrame;
use alloc::borrow::Cow;
use alloc::vec::Vec;

/// Inbound reassembly.
#[derive(Debug, Default)]
pub(crate) struct Reassembly {
    buf: Vec<u8>,
    declared: Option<u32>,
    active: bool,
}

impl Reassembly {
    /// Takes one fragment. `Ok(Some(message))` when the message is complete (lent from the
    /// frame when it came whole in one, not copied), `Ok(None)` when more fragments are
    /// expected (answer with an ACK).
    pub(crate) fn push<'a>(
        &mut self,
        frame: &TlsFrame<'a>,
        cap: usize,
    ) -> Result<Option<Cow<'a, [u8]>>, ProtocolViolation> {
        let arrived = (self.buf.len() + frame.data.len()) as u64;
        if let Some(total) = frame.message_length {
            if total as usize > cap || u64::from(total) > cap as u64 {
                return Err(ProtocolViolation::MessageTooLarge {
                    announced: Some(total.into()),
                    arrived,
                    cap,
                });
            }
            match self.declared {
                Some(d) if self.active && d != total => {
                    return Err(ProtocolViolation::FragmentLength {
                        declared: d.into(),
                        received: total.into(),
                    });
                }
                _ => self.declared = Some(total),
            }
        } else if !self.active {
            self.declared = None;
        }
        if arrived > cap as u64 {
            // Both numbers for what they are: what was announced (if anything) and what
            // actually arrived.
            return Err(ProtocolViolation::MessageTooLarge {
                announced: self.declared.map(u64::from),
                arrived,
                cap,
            });
        }
        if let Some(d) = self.declared {
            if arrived > u64::from(d) {
                return Err(ProtocolViolation::FragmentLength {
                    declared: d.into(),
                    received: arrived,
                });
            }
        }
        let message = if self.buf.is_empty() && !frame.more {
            Cow::Borrowed(frame.data)
        } else {
            if self.buf.is_empty() {
                // One allocation for the announced message (checked against the cap
                // above), at most 16 KB ahead of what arrived: not one per doubling.
                let announced = self.declared.map_or(0, |d| d as usize).min(16 * 1024);
                self.buf.reserve(announced.max(frame.data.len()));
            }
            self.buf.extend_from_slice(frame.data);
            if frame.more {
                self.active = true;
                return Ok(None);
            }
            Cow::Owned(core::mem::take(&mut self.buf))
        };
        let declared = self.declared.take();
        self.active = false;
        if let Some(d) = declared {
            if message.len() as u64 != u64::from(d) {
                return Err(ProtocolViolation::FragmentLength {
                    declared: d.into(),
                    received: message.len() as u64,
                });
            }
        }
        Ok(Some(message))
    }
}

/// Outbound fragmentation.
#[derive(Debug, Default)]
pub(crate) struct Outbound {
    buf: Vec<u8>,
    pos: usize,
}

impl Outbound {
    /// Queues a whole TLS message and returns its first fragment's Type-Data.
    pub(crate) fn start(&mut self, message: Vec<u8>, fragment_size: usize, version: u8) -> Vec<u8> {
        self.buf = message;
        self.pos = 0;
        self.next(fragment_size, version)
    }

    /// The next fragment's Type-Data.
    pub(crate) fn next(&mut self, fragment_size: usize, version: u8) -> Vec<u8> {
        let first = self.pos == 0;
        let end = (self.pos + fragment_size).min(self.buf.len());
        let more = end < self.buf.len();
        let frame = TlsFrame {
            more,
            start: false,
            reserved: 0,
            version,
            message_length: first.then_some(self.buf.len() as u32),
            data: &self.buf[self.pos..end],
        };
        let out = frame.to_vec();
        self.pos = end;
        if !more {
            self.buf = Vec::new();
            self.pos = 0;
        }
        out
    }

    /// True while fragments remain to be sent (the next request must be an ACK).
    pub(crate) fn pending(&self) -> bool {
        !self.buf.is_empty()
    }
}
