//! The supplicant: packets and timeouts in, outputs polled out.

use crate::config::{c_text, eap_config};
use crate::rng::{Rng, Scope};
use crate::{bytes, eap_result, guard, out_buffer};
use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::ffi::c_char;
use core::ptr;
use eap_core::{ApiError, Event, Input, Instant, Output, Supplicant};

/// What `eap_supplicant_poll` returned.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum eap_output_kind {
    /// Nothing to do until a packet arrives or the timeout passes (`has_timeout`,
    /// `timeout_ms`; no timeout: the authentication ended, or nothing came yet).
    Idle = 0,
    /// Send `data`/`len` (an EAP packet) to the authenticator.
    Transmit = 1,
    /// The authentication succeeded: the keys are ready (`eap_supplicant_msk`, ...).
    Authenticated = 2,
    /// The authentication failed: `cause`, `failure_kind`, `phase`, `text` (the sentence)
    /// and `hint` say why.
    Failed = 3,
    /// Progress: `event` and its one-line `text`.
    Event = 4,
}

/// Which progress event (`EAP_OUTPUT_KIND_EVENT`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum eap_event {
    /// Not an event output.
    None = 0,
    /// We answered the Identity request with the outer identity.
    IdentitySent = 1,
    /// The server sent a Notification.
    Notification = 2,
    /// The server proposed a method; we took it or sent a Nak.
    MethodProposed = 3,
    /// PEAP started (versions negotiated).
    PeapStarted = 4,
    /// The server's certificate was seen and checked (validated or not: see the text).
    ServerCertificate = 5,
    /// Certificate dates were checked against the no-clock floor only.
    CertificateDatesNotChecked = 6,
    /// The TLS tunnel is up (version, suite, resumed).
    TunnelUp = 7,
    /// The server proposed an inner method.
    InnerMethodProposed = 8,
    /// The inner method succeeded and the server proved it knows the password.
    InnerMethodSucceeded = 9,
    /// PEAP fast reconnect after a resumed handshake.
    FastReconnect = 10,
    /// The server's Crypto-Binding TLV verified.
    CryptobindingVerified = 11,
    /// The authenticator started a re-authentication.
    Reauthenticating = 12,
    /// Success with a method that derives no keys (EAP-MD5).
    AuthenticatedWithoutKeys = 13,
    /// A first attempt failed for a lost reply; the supplicant starts again once.
    Restarting = 14,
    /// An event this version of the C API does not name (see `text`).
    Other = 15,
}

/// One output. Every pointer in it is owned by the supplicant and valid until the next
/// call on that supplicant (other than the key getters); fields that do not apply to
/// `kind` are NULL or 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct eap_output {
    /// What this is.
    pub kind: eap_output_kind,
    /// `EAP_OUTPUT_KIND_TRANSMIT`: the EAP packet to send.
    pub data: *const u8,
    /// Its length.
    pub len: usize,
    /// `EAP_OUTPUT_KIND_IDLE`: whether a timeout runs.
    pub has_timeout: bool,
    /// `EAP_OUTPUT_KIND_IDLE`: when to call `eap_supplicant_handle_timeout` (the caller's
    /// milliseconds, as given to the `now_ms` arguments).
    pub timeout_ms: u64,
    /// `EAP_OUTPUT_KIND_EVENT`: which.
    pub event: eap_event,
    /// Events, success and failure: one line a person reads (for a failure, the whole
    /// diagnosis: phase, cause, hint, as the command-line tools print after `error: `).
    pub text: *const c_char,
    /// Failure: the stable cause code (`password_rejected`, `certificate_untrusted`, ...).
    pub cause: *const c_char,
    /// Failure: the stable failure kind (`bad_credentials`, `untrusted_server`, ...).
    pub failure_kind: *const c_char,
    /// Failure: the phase reached (`tls_handshake`, `inner_authentication`, ...).
    pub phase: *const c_char,
    /// Failure: one line saying what to change.
    pub hint: *const c_char,
}

impl eap_output {
    fn new(kind: eap_output_kind) -> Self {
        eap_output {
            kind,
            data: ptr::null(),
            len: 0,
            has_timeout: false,
            timeout_ms: 0,
            event: eap_event::None,
            text: ptr::null(),
            cause: ptr::null(),
            failure_kind: ptr::null(),
            phase: ptr::null(),
            hint: ptr::null(),
        }
    }
}

/// One authentication session (and the re-authentications the authenticator starts).
/// Made by `eap_supplicant_new`, released by `eap_supplicant_free` (keys, TLS state and
/// password are zeroized then).
pub struct eap_supplicant {
    inner: Supplicant,
    rng: Option<Rng>,
    /// What the last output points to.
    transmit: Vec<u8>,
    text: Option<CString>,
    hint: Option<CString>,
    /// The failure's stable codes (the library's `Cause::code`, `FailureKind::as_str`,
    /// `Phase::as_str`), NUL-terminated.
    codes: Option<[CString; 3]>,
    /// A panic was caught in a call: the state may be inconsistent.
    poisoned: bool,
}

/// Runs `f` on the supplicant `s` with its random generator current and panics caught.
///
/// # Safety
/// `s` is NULL or a live supplicant from `eap_supplicant_new`, not used concurrently.
unsafe fn with_supplicant(
    s: *mut eap_supplicant,
    f: impl FnOnce(&mut eap_supplicant) -> eap_result,
) -> eap_result {
    // SAFETY: per the contract a non-NULL `s` is a live, exclusively used
    // Box<eap_supplicant> made by eap_supplicant_new.
    let Some(s) = (unsafe { s.as_mut() }) else {
        return eap_result::NullArgument;
    };
    if s.poisoned {
        return eap_result::Panic;
    }
    let r = guard(|| {
        let _scope = match Scope::enter(s.rng.as_ref()) {
            Ok(scope) => scope,
            Err(e) => return e,
        };
        f(s)
    });
    if r == eap_result::Panic {
        s.poisoned = true;
    }
    r
}

/// Makes a supplicant from `config`, at the caller's time `now_ms` (a monotonic clock in
/// milliseconds; every later call passes a `now_ms` no earlier). The configuration is
/// copied: it may be freed afterwards. Send EAPOL-Start (or the first RADIUS request)
/// yourself; the supplicant waits for the authenticator's first request.
///
/// # Safety
/// `config` is NULL or a live configuration; `supplicant_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_new(
    config: *const eap_config,
    now_ms: u64,
    supplicant_out: *mut *mut eap_supplicant,
) -> eap_result {
    guard(|| {
        // SAFETY: per the contract a non-NULL `config` is live; only read here.
        let Some(config) = (unsafe { config.as_ref() }) else {
            return eap_result::NullArgument;
        };
        if supplicant_out.is_null() {
            return eap_result::NullArgument;
        }
        let _scope = match Scope::enter(config.rng.as_ref()) {
            Ok(scope) => scope,
            Err(e) => return e,
        };
        let s = Box::new(eap_supplicant {
            inner: Supplicant::new(config.config.clone(), Instant::from_millis(now_ms)),
            rng: config.rng,
            transmit: Vec::new(),
            text: None,
            hint: None,
            codes: None,
            poisoned: false,
        });
        // SAFETY: non-NULL (checked) and writable per the contract.
        unsafe { supplicant_out.write(Box::into_raw(s)) };
        eap_result::Ok
    })
}

/// Releases a supplicant; its keys and TLS secrets are zeroized. NULL is allowed.
///
/// # Safety
/// `supplicant` is NULL or a supplicant from `eap_supplicant_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_free(supplicant: *mut eap_supplicant) {
    if supplicant.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: non-NULL and made by Box::into_raw in eap_supplicant_new; the caller
        // gives up the handle.
        drop(unsafe { Box::from_raw(supplicant) });
        eap_result::Ok
    });
}

fn feed(s: &mut eap_supplicant, input: Input<'_>) -> eap_result {
    match s.inner.handle_input(input) {
        Ok(()) => eap_result::Ok,
        Err(ApiError::TimeWentBackwards { .. }) => eap_result::TimeWentBackwards,
        Err(_) => eap_result::InvalidArgument,
    }
}

/// An EAP packet arrived (an EAPOL-EAP frame's body, or a RADIUS reply's EAP-Message),
/// `len` octets from the EAP Code on. Whatever the network sends is handled (answered,
/// dropped and counted, or ended with a failure); only caller mistakes are errors: a
/// NULL packet, a length of 0 or above 65535 (`EAP_RESULT_PACKET_SIZE`), time going
/// backwards. Drain `eap_supplicant_poll` afterwards.
///
/// # Safety
/// `supplicant` is NULL or a live supplicant; `eap` is NULL or `len` readable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_handle_packet(
    supplicant: *mut eap_supplicant,
    now_ms: u64,
    eap: *const u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        with_supplicant(supplicant, |s| {
            if eap.is_null() {
                return eap_result::NullArgument;
            }
            if len == 0 || len > 65535 {
                return eap_result::PacketSize;
            }
            let packet = match bytes(eap, len) {
                Ok(p) => p,
                Err(e) => return e,
            };
            let now = Instant::from_millis(now_ms);
            feed(s, Input::Packet { now, eap: packet })
        })
    }
}

/// The timeout given by the last idle output passed (early or repeated calls are
/// harmless). Drain `eap_supplicant_poll` afterwards.
///
/// # Safety
/// `supplicant` is NULL or a live supplicant.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_handle_timeout(
    supplicant: *mut eap_supplicant,
    now_ms: u64,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        with_supplicant(supplicant, |s| {
            let now = Instant::from_millis(now_ms);
            feed(s, Input::Timeout { now })
        })
    }
}

/// Abandons any authentication and waits for a new one (send EAPOL-Start again).
///
/// # Safety
/// `supplicant` is NULL or a live supplicant.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_restart(
    supplicant: *mut eap_supplicant,
    now_ms: u64,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        with_supplicant(supplicant, |s| {
            let now = Instant::from_millis(now_ms);
            feed(s, Input::Restart { now })
        })
    }
}

/// The next output into `*output`. Call until it is `EAP_OUTPUT_KIND_IDLE` after each
/// `handle_*` call. The pointers in it stay valid until the next call on this supplicant
/// (other than the key getters).
///
/// # Safety
/// `supplicant` is NULL or a live supplicant; `output` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_poll(
    supplicant: *mut eap_supplicant,
    output: *mut eap_output,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        with_supplicant(supplicant, |s| {
            if output.is_null() {
                return eap_result::NullArgument;
            }
            let out = next(s);
            // SAFETY: non-NULL (checked), writable per the contract; written whole, never
            // read.
            output.write(out);
            eap_result::Ok
        })
    }
}

fn next(s: &mut eap_supplicant) -> eap_output {
    s.text = None;
    s.hint = None;
    s.codes = None;
    match s.inner.poll_output() {
        Output::Idle { next_timeout } => {
            let mut o = eap_output::new(eap_output_kind::Idle);
            if let Some(t) = next_timeout {
                o.has_timeout = true;
                o.timeout_ms = t.as_millis();
            }
            o
        }
        Output::Transmit(packet) => {
            s.transmit = packet;
            let mut o = eap_output::new(eap_output_kind::Transmit);
            o.data = s.transmit.as_ptr();
            o.len = s.transmit.len();
            o
        }
        Output::Event(Event::Failed(d)) => {
            let mut o = eap_output::new(eap_output_kind::Failed);
            let code = |text: &str| c_text(text.into());
            let [cause, kind, phase] = s.codes.insert([
                code(d.cause.code()),
                code(d.kind().as_str()),
                code(d.phase.as_str()),
            ]);
            o.cause = cause.as_ptr();
            o.failure_kind = kind.as_ptr();
            o.phase = phase.as_ptr();
            o.hint = s.hint.insert(c_text(d.hint().to_string())).as_ptr();
            o.text = s.text.insert(c_text(d.to_string())).as_ptr();
            o
        }
        Output::Event(event) => {
            let (kind, code) = match &event {
                Event::Authenticated(_) => (eap_output_kind::Authenticated, eap_event::None),
                e => (eap_output_kind::Event, event_code(e)),
            };
            let mut o = eap_output::new(kind);
            o.event = code;
            o.text = s.text.insert(c_text(event.to_string())).as_ptr();
            o
        }
        _ => {
            let mut o = eap_output::new(eap_output_kind::Event);
            o.event = eap_event::Other;
            o
        }
    }
}

fn event_code(e: &Event) -> eap_event {
    match e {
        Event::IdentitySent { .. } => eap_event::IdentitySent,
        Event::Notification { .. } => eap_event::Notification,
        Event::MethodProposed { .. } => eap_event::MethodProposed,
        Event::PeapStarted { .. } => eap_event::PeapStarted,
        Event::ServerCertificate { .. } => eap_event::ServerCertificate,
        Event::CertificateDatesNotChecked { .. } => eap_event::CertificateDatesNotChecked,
        Event::TunnelUp { .. } => eap_event::TunnelUp,
        Event::InnerMethodProposed { .. } => eap_event::InnerMethodProposed,
        Event::InnerMethodSucceeded { .. } => eap_event::InnerMethodSucceeded,
        Event::FastReconnect => eap_event::FastReconnect,
        Event::CryptoBindingVerified => eap_event::CryptobindingVerified,
        Event::Reauthenticating { .. } => eap_event::Reauthenticating,
        Event::AuthenticatedWithoutKeys { .. } => eap_event::AuthenticatedWithoutKeys,
        Event::Restarting { .. } => eap_event::Restarting,
        _ => eap_event::Other,
    }
}

/// Copies a key into the caller's buffer.
///
/// # Safety
/// `s` is NULL or a live supplicant; `buf` is NULL or `len` writable octets.
unsafe fn copy_key(
    s: *const eap_supplicant,
    buf: *mut u8,
    len: usize,
    written: *mut usize,
    fixed: Option<usize>,
    key: impl FnOnce(&eap_core::Keys) -> &[u8],
) -> eap_result {
    guard(|| {
        // SAFETY: per the contract a non-NULL `s` is live; only read here.
        let Some(s) = (unsafe { s.as_ref() }) else {
            return eap_result::NullArgument;
        };
        if s.poisoned {
            return eap_result::Panic;
        }
        // SAFETY: forwarded contract for `buf`/`len`.
        let out = match unsafe { out_buffer(buf, len) } {
            Ok(o) => o,
            Err(e) => return e,
        };
        // A key of fixed size: a buffer too small is the caller's mistake even before
        // there are keys.
        if fixed.is_some_and(|n| out.len() < n) {
            return eap_result::BufferTooSmall;
        }
        let Some(keys) = s.inner.keys() else {
            return eap_result::NoKeys;
        };
        let k = key(keys);
        if !written.is_null() {
            // SAFETY: non-NULL and, per the contract, writable.
            unsafe { written.write(k.len()) };
        }
        if out.len() < k.len() {
            return eap_result::BufferTooSmall;
        }
        out[..k.len()].copy_from_slice(k);
        eap_result::Ok
    })
}

/// Copies the MSK (64 octets) of the last successful authentication into `buf` (`len` at
/// least 64). RADIUS servers send MSK[0..32] as MS-MPPE-Recv-Key and MSK[32..64] as
/// MS-MPPE-Send-Key. The copy is the caller's to wipe.
///
/// # Safety
/// `supplicant` is NULL or a live supplicant; `buf` is NULL or `len` writable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_msk(
    supplicant: *const eap_supplicant,
    buf: *mut u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        copy_key(supplicant, buf, len, ptr::null_mut(), Some(64), |k| {
            k.msk.expose()
        })
    }
}

/// Copies the EMSK (64 octets) into `buf` (`len` at least 64).
///
/// # Safety
/// `supplicant` is NULL or a live supplicant; `buf` is NULL or `len` writable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_emsk(
    supplicant: *const eap_supplicant,
    buf: *mut u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        copy_key(supplicant, buf, len, ptr::null_mut(), Some(64), |k| {
            k.emsk.expose()
        })
    }
}

/// Copies the PMK for Wi-Fi (the first 32 octets of the MSK) into `buf` (`len` at least
/// 32).
///
/// # Safety
/// `supplicant` is NULL or a live supplicant; `buf` is NULL or `len` writable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_pmk(
    supplicant: *const eap_supplicant,
    buf: *mut u8,
    len: usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe {
        copy_key(supplicant, buf, len, ptr::null_mut(), Some(32), |k| {
            &k.msk.expose()[..32]
        })
    }
}

/// Copies the EAP Session-Id into `buf`; `*written` (if not NULL) receives its length,
/// also when `buf` is too small (then `EAP_RESULT_BUFFER_TOO_SMALL` and nothing copied).
///
/// # Safety
/// `supplicant` is NULL or a live supplicant; `buf` is NULL or `len` writable octets;
/// `written` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_session_id(
    supplicant: *const eap_supplicant,
    buf: *mut u8,
    len: usize,
    written: *mut usize,
) -> eap_result {
    // SAFETY: forwarded contract.
    unsafe { copy_key(supplicant, buf, len, written, None, |k| &k.session_id) }
}

/// Packets dropped so far as RFC 3748 says (malformed, unexpected, late); 0 for NULL.
///
/// # Safety
/// `supplicant` is NULL or a live supplicant.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn eap_supplicant_dropped(supplicant: *const eap_supplicant) -> u64 {
    // SAFETY: per the contract a non-NULL `supplicant` is live; only read here.
    unsafe { supplicant.as_ref() }.map_or(0, |s| s.inner.dropped())
}
