//! What goes into and comes out of a [`Supplicant`](crate::Supplicant).

use crate::diagnosis::Diagnosis;
use crate::method_type::MethodType;
use crate::secret::{Emsk, Msk};
use crate::time::Instant;
use crate::tls::CertificateInfo;
use crate::tls::TlsVersion;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Display, Formatter};

/// Something that happened to the supplicant. Every input carries the caller's `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input<'a> {
    /// An EAP packet arrived (the body of an EAPOL-EAP frame, or the EAP-Message of a
    /// RADIUS reply), starting at the EAP Code.
    Packet {
        /// The caller's clock.
        now: Instant,
        /// The EAP packet.
        eap: &'a [u8],
    },
    /// The deadline given by [`Output::Idle`] has passed (early or repeated calls are
    /// harmless).
    Timeout {
        /// The caller's clock.
        now: Instant,
    },
    /// The lower layer came up (link up, port enabled): starts an authentication if none is
    /// running.
    LowerLayerUp {
        /// The caller's clock.
        now: Instant,
    },
    /// The lower layer went down: ends a running authentication.
    LowerLayerDown {
        /// The caller's clock.
        now: Instant,
    },
    /// Abandons any authentication and starts a new one (e.g. re-authentication).
    Restart {
        /// The caller's clock.
        now: Instant,
    },
    /// The new password [`Event::NewPasswordRequired`] asked for: the expired one is
    /// changed to it in this authentication (an MSCHAPv2 Change-Password,
    /// [RFC 2759 §7](https://www.rfc-editor.org/rfc/rfc2759#section-7)). At most 256
    /// UTF-16 characters. The supplicant keeps a copy that is wiped when dropped; wipe
    /// yours too.
    NewPassword {
        /// The caller's clock.
        now: Instant,
        /// The new password.
        password: &'a str,
    },
}

impl Input<'_> {
    /// The time the input carries.
    pub fn now(&self) -> Instant {
        match *self {
            Input::Packet { now, .. }
            | Input::Timeout { now }
            | Input::LowerLayerUp { now }
            | Input::LowerLayerDown { now }
            | Input::Restart { now }
            | Input::NewPassword { now, .. } => now,
        }
    }
}

/// What the caller must do next. Drain with
/// [`Supplicant::poll_output`](crate::Supplicant::poll_output) until `Idle`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Output {
    /// Send this EAP packet to the authenticator.
    Transmit(Vec<u8>),
    /// Progress to show or act on.
    Event(Event),
    /// Nothing to do until a packet arrives or `next_timeout` passes (`None`: no timer
    /// runs, because the authentication has ended or because nothing has come from the
    /// authenticator yet; [`Supplicant::is_finished`](crate::Supplicant::is_finished) tells
    /// which).
    Idle {
        /// When to call back with [`Input::Timeout`].
        next_timeout: Option<Instant>,
    },
}

/// Keys exported by a successful authentication ([RFC 5247](https://www.rfc-editor.org/rfc/rfc5247)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Keys {
    /// Master Session Key: for Wi-Fi, its first 32 octets are the PMK; RADIUS servers send
    /// MSK[0..32] as MS-MPPE-Recv-Key and MSK[32..64] as MS-MPPE-Send-Key.
    pub msk: Msk,
    /// Extended Master Session Key.
    pub emsk: Emsk,
    /// EAP Session-Id (0x19 ‖ client.random ‖ server.random under TLS 1.2).
    pub session_id: Vec<u8>,
    /// True if MSK and EMSK come from the cryptobinding CSK rather than the TLS key material.
    pub from_cryptobinding: bool,
}

/// Progress a user can act on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// We answered an EAP-Request/Identity with this (outer) identity.
    IdentitySent {
        /// The identity sent in the clear.
        identity: String,
    },
    /// The server sent a Notification (displayable text).
    Notification {
        /// The text, lossily decoded as UTF-8.
        text: String,
    },
    /// The server proposed an outer method.
    MethodProposed {
        /// The method.
        method: MethodType,
        /// True if we took it; false if we answered with a Nak offering `offered`.
        accepted: bool,
        /// What we offered in the Nak (empty when accepted).
        offered: Vec<MethodType>,
    },
    /// PEAP started; the server offered `server_version`, we speak `version`.
    PeapStarted {
        /// The highest version the server offered.
        server_version: u8,
        /// The version we answered with.
        version: u8,
    },
    /// The verifier saw the server's certificate.
    ServerCertificate {
        /// What it says.
        certificate: CertificateInfo,
        /// True if it chains to a configured CA and matches the name rule.
        validated: bool,
    },
    /// The server certificate's dates were checked against a floor, not a clock
    /// ([`CertificateTime::NoClock`](crate::tls::CertificateTime::NoClock)): certificate
    /// dates not checked against a clock. Follows [`Event::ServerCertificate`].
    CertificateDatesNotChecked {
        /// The floor, seconds since the Unix epoch.
        floor: i64,
    },
    /// The TLS handshake finished: phase 2 may begin.
    TunnelUp {
        /// Negotiated version.
        version: TlsVersion,
        /// Negotiated cipher suite (IANA value).
        cipher_suite: u16,
        /// The handshake resumed an earlier session (abbreviated handshake, no server
        /// certificate); only then may the server skip the inner authentication.
        resumed: bool,
        /// The key exchange group (IANA TLS Supported Groups value: 0x001d X25519, 0x11ec
        /// X25519MLKEM768, ...), when the TLS stack says.
        key_exchange: Option<u16>,
    },
    /// Inside the tunnel the server proposed an inner method.
    InnerMethodProposed {
        /// The method.
        method: MethodType,
        /// True if we took it; false if we answered with an inner Nak.
        accepted: bool,
    },
    /// The inner method succeeded and the server proved it knows the password.
    InnerMethodSucceeded {
        /// The method.
        method: MethodType,
    },
    /// The server reports the password expired (MSCHAPv2 `E=648`) and no new password is
    /// configured: the authentication waits for [`Input::NewPassword`] (asked for with
    /// [`ConfigBuilder::ask_for_new_password`](crate::ConfigBuilder::ask_for_new_password);
    /// the silence and overall limits keep running, and the server has its own).
    NewPasswordRequired {
        /// The server's text (`M=`), if any.
        server_message: Option<String>,
    },
    /// The server accepted our password change: it proved it knows the new password (the
    /// Success after our Change-Password). From now on the password is the new one.
    PasswordChanged,
    /// The server refused the password and allowed a retry (MSCHAPv2 `E=691 R=1`): we
    /// answer its new challenge (with the retry password, if one is configured).
    PasswordRetry {
        /// The server's text (`M=`), if any.
        server_message: Option<String>,
        /// Retries still allowed after this one
        /// ([`Limits::mschapv2_retries`](crate::Limits::mschapv2_retries)).
        retries_left: u32,
    },
    /// PEAP fast reconnect: after a resumed handshake the server skipped the inner method
    /// and sent its Result TLV Success, which we accepted ([MS-PEAP] §3.3.5.2). Never after
    /// a full handshake (CVE-2023-52160).
    FastReconnect,
    /// The server's Crypto-Binding TLV verified; we answered it.
    CryptoBindingVerified,
    /// The authenticator started a new authentication (an EAP-Request/Identity after the
    /// last one ended): a re-authentication. The previous keys stay valid until it ends.
    Reauthenticating {
        /// The last authentication had succeeded (its keys are still in use).
        keys_valid: bool,
    },
    /// The authentication succeeded.
    Authenticated(Keys),
    /// The authentication succeeded with a method that derives no keys (EAP-MD5, allowed
    /// only by [`danger_allow_eap_md5`](crate::ConfigBuilder::danger_allow_eap_md5)):
    /// a wired port may open; nothing can be encrypted with it.
    AuthenticatedWithoutKeys {
        /// The method.
        method: MethodType,
    },
    /// The authentication failed.
    Failed(Diagnosis),
    /// The authentication failed for a cause attributable to a lost reply or a lost server
    /// session, and starts again from the beginning after `hold` (once: see
    /// [`Limits::restart_once`](crate::Limits::restart_once)). No `Failed` event is
    /// emitted for the abandoned attempt.
    Restarting {
        /// Why the first attempt failed.
        diagnosis: Diagnosis,
        /// The hold period before the new attempt.
        hold: core::time::Duration,
    },
}

/// One line a person reads (the `-v` lines of the command-line tools): methods, TLS
/// versions and cipher suites by name, dates as dates; never a key.
impl Display for Event {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use crate::diagnosis::Note;
        use crate::diagnosis::cause::Suite;
        use crate::text::write_list;
        use crate::tls::cert_info::date_text;
        let taken = |accepted: bool| if accepted { "accepted" } else { "refused" };
        match self {
            Event::IdentitySent { identity } => write!(f, "sent the identity \"{identity}\""),
            Event::Notification { text } => write!(f, "server notification: \"{text}\""),
            Event::MethodProposed {
                method,
                accepted: true,
                ..
            } => write!(f, "the server proposed {method}: accepted"),
            Event::MethodProposed {
                method, offered, ..
            } => {
                write!(f, "the server proposed {method}: refused, offered ")?;
                write_list(f, offered)
            }
            Event::PeapStarted {
                server_version,
                version,
            } => write!(
                f,
                "PEAP started: the server offered version {server_version}, we speak version {version}"
            ),
            Event::ServerCertificate {
                certificate,
                validated,
            } => write!(
                f,
                "server certificate {certificate}, valid {} to {}, chain of {}: {}",
                date_text(certificate.not_before),
                date_text(certificate.not_after),
                certificate.chain_len,
                if *validated {
                    "validated"
                } else {
                    "NOT validated"
                }
            ),
            Event::CertificateDatesNotChecked { floor } => Display::fmt(
                &Note::CertificateDatesNotCheckedAgainstClock { floor: *floor },
                f,
            ),
            Event::TunnelUp {
                version,
                cipher_suite,
                resumed,
                key_exchange,
            } => {
                write!(f, "TLS tunnel up: {version}, {}", Suite(*cipher_suite))?;
                if let Some(g) = key_exchange {
                    match crate::wire::tls_record::group_name(*g) {
                        Some(name) => write!(f, ", key exchange {name}")?,
                        None => write!(f, ", key exchange {g:#06x}")?,
                    }
                }
                f.write_str(if *resumed { ", resumed" } else { "" })
            }
            Event::InnerMethodProposed { method, accepted } => write!(
                f,
                "inside the tunnel the server proposed {method}: {}",
                taken(*accepted)
            ),
            Event::InnerMethodSucceeded { method } => write!(
                f,
                "inner {method} succeeded: the server proved it knows the password"
            ),
            Event::NewPasswordRequired { server_message } => {
                f.write_str("the server reports the password expired (MSCHAPv2 error 648)")?;
                if let Some(m) = server_message {
                    write!(f, ", saying \"{m}\"")?;
                }
                f.write_str(": waiting for a new password")
            }
            Event::PasswordChanged => {
                f.write_str("password changed: the server proved it knows the new password")
            }
            Event::PasswordRetry {
                server_message,
                retries_left,
            } => {
                f.write_str(
                    "the server refused the password and allows a retry (MSCHAPv2 error 691, R=1)",
                )?;
                if let Some(m) = server_message {
                    write!(f, ", saying \"{m}\"")?;
                }
                write!(f, ": retrying ({retries_left} more allowed)")
            }
            Event::FastReconnect => {
                f.write_str("PEAP fast reconnect: the resumed session skipped the inner method")
            }
            Event::CryptoBindingVerified => f.write_str("crypto-binding verified"),
            Event::Reauthenticating { keys_valid } => write!(
                f,
                "re-authentication started ({})",
                if *keys_valid {
                    "the current keys stay valid until it ends"
                } else {
                    "no keys in use"
                }
            ),
            Event::Authenticated(keys) => write!(
                f,
                "authenticated: MSK and EMSK exported{}",
                if keys.from_cryptobinding {
                    " (from the crypto-binding)"
                } else {
                    ""
                }
            ),
            Event::AuthenticatedWithoutKeys { method } => {
                write!(f, "authenticated with {method}, which derives no keys")
            }
            Event::Failed(d) => write!(f, "failed: {d}"),
            Event::Restarting { diagnosis, hold } => write!(
                f,
                "restarting once after {} ms: {diagnosis}",
                hold.as_millis()
            ),
        }
    }
}
