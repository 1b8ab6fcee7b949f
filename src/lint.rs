//! Identity lint: what in the identities will likely stop a federation (eduroam) or a
//! server from routing or accepting the request, found before anything is sent. Warnings,
//! never errors: the configuration is still used as given.
//!
//! - the outer identity (what goes in the clear, and what RADIUS proxies route on) has no
//!   realm ([`WarningCode::OuterIdentityWithoutRealm`]);
//! - its realm differs from the inner identity's ([`WarningCode::OuterRealmDiffers`]);
//! - it is not a valid NAI per [RFC 7542](https://www.rfc-editor.org/rfc/rfc7542) §2.2
//!   ([`WarningCode::InvalidNai`]);
//! - it is a vendor default anonymous identity such as `anonymous`
//!   ([`WarningCode::VendorDefaultAnonymousIdentity`]).

use crate::config::Config;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A warning's stable name (snake_case in JSON output; monitoring keys on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningCode {
    /// The outer identity has no `@realm`: proxies cannot route it.
    OuterIdentityWithoutRealm,
    /// The outer identity's realm differs from the inner identity's.
    OuterRealmDiffers,
    /// The outer identity is not a valid NAI (RFC 7542).
    InvalidNai,
    /// The outer identity is a vendor default (`anonymous`, ...) with no realm of ours.
    VendorDefaultAnonymousIdentity,
    /// A server certificate expires within the warning window.
    CertificateExpiresSoon,
    /// Certificate dates were not checked against a clock.
    CertificateDatesNotChecked,
    /// The server certificate was not validated (`--insecure-accept-any-server`).
    ServerNotValidated,
}

impl WarningCode {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::OuterIdentityWithoutRealm => "outer_identity_without_realm",
            WarningCode::OuterRealmDiffers => "outer_realm_differs",
            WarningCode::InvalidNai => "invalid_nai",
            WarningCode::VendorDefaultAnonymousIdentity => "vendor_default_anonymous_identity",
            WarningCode::CertificateExpiresSoon => "certificate_expires_soon",
            WarningCode::CertificateDatesNotChecked => "certificate_dates_not_checked",
            WarningCode::ServerNotValidated => "server_not_validated",
        }
    }
}

/// Something the operator should look at; not a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// The stable name.
    pub code: WarningCode,
    /// One line for a person.
    pub message: String,
}

/// Outer identities vendors fill in by default, which carry no realm of the user's.
const VENDOR_DEFAULTS: &[&str] = &["anonymous", "anon", "guest", "user", "identity", "test"];

/// The realm of an NAI: what follows its last `@`, if anything does.
pub(crate) fn realm(identity: &str) -> Option<&str> {
    identity
        .rsplit_once('@')
        .map(|(_, r)| r)
        .filter(|r| !r.is_empty())
}

/// Why `identity` is not a valid NAI per RFC 7542 §2.2, if it is not.
pub(crate) fn nai_problem(identity: &str) -> Option<String> {
    if identity.is_empty() {
        return Some("it is empty".into());
    }
    if identity.len() > 253 {
        return Some(format!(
            "it is {} octets long (253 at most)",
            identity.len()
        ));
    }
    const SPECIALS: &str = "()<>[]\\,;:\" ";
    if let Some(c) = identity
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || SPECIALS.contains(*c))
    {
        return Some(format!("it contains {c:?}"));
    }
    let (user, realm) = match identity.split_once('@') {
        Some((u, r)) => (u, Some(r)),
        None => (identity, None),
    };
    if !user.is_empty() && (user.starts_with('.') || user.ends_with('.') || user.contains("..")) {
        return Some(format!(
            "its user part {user:?} starts or ends with a dot or has two in a row"
        ));
    }
    let realm = realm?;
    if realm.contains('@') {
        return Some("it has more than one '@'".into());
    }
    if realm.is_empty() {
        return Some("its realm after '@' is empty".into());
    }
    for label in realm.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return Some(format!(
                "its realm {realm:?} has an invalid label {label:?}"
            ));
        }
    }
    None
}

/// Warnings about an outer identity `outer` used with the inner identity `inner` (the
/// same string when no anonymous identity is configured).
pub fn identity_warnings(inner: &str, outer: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |code, message| out.push(Warning { code, message });
    let outer_realm = realm(outer);
    if outer_realm.is_none() {
        let suggestion = match realm(inner) {
            Some(r) => format!(": use {}@{r}", outer.trim_end_matches('@')),
            None => String::new(),
        };
        warn(
            WarningCode::OuterIdentityWithoutRealm,
            format!(
                "outer identity {outer:?} has no realm, so RADIUS proxies (eduroam) cannot route it{suggestion}"
            ),
        );
    }
    if let (Some(o), Some(i)) = (outer_realm, realm(inner)) {
        if !o.eq_ignore_ascii_case(i) {
            warn(
                WarningCode::OuterRealmDiffers,
                format!(
                    "outer identity's realm {o:?} differs from the inner identity's {i:?}: the request is routed to {o:?}'s server"
                ),
            );
        }
    }
    if let Some(problem) = nai_problem(outer) {
        warn(
            WarningCode::InvalidNai,
            format!("outer identity {outer:?} is not a valid NAI (RFC 7542): {problem}"),
        );
    }
    let user = outer.split('@').next().unwrap_or(outer);
    if outer_realm.is_none() && VENDOR_DEFAULTS.iter().any(|d| user.eq_ignore_ascii_case(d)) {
        warn(
            WarningCode::VendorDefaultAnonymousIdentity,
            format!(
                "outer identity {outer:?} is a vendor default: set an anonymous identity with your realm"
            ),
        );
    }
    out
}

/// [`identity_warnings`] for a configuration's identities.
pub fn check_config(config: &Config) -> Vec<Warning> {
    identity_warnings(config.identity(), config.outer_identity())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(inner: &str, outer: &str) -> Vec<WarningCode> {
        identity_warnings(inner, outer)
            .into_iter()
            .map(|w| w.code)
            .collect()
    }

    #[test]
    fn anonymous_without_realm_warns_with_realm_does_not() {
        assert_eq!(
            codes("alice@example.org", "anonymous"),
            [
                WarningCode::OuterIdentityWithoutRealm,
                WarningCode::VendorDefaultAnonymousIdentity
            ]
        );
        assert_eq!(codes("alice@example.org", "anonymous@example.org"), []);
        assert_eq!(codes("alice@example.org", "@example.org"), []);
        let w = identity_warnings("alice@example.org", "anonymous");
        assert!(w[0].message.contains("anonymous@example.org"), "{w:?}");
    }

    #[test]
    fn realm_mismatch_and_invalid_nai() {
        assert_eq!(
            codes("alice@example.org", "anonymous@example.com"),
            [WarningCode::OuterRealmDiffers]
        );
        assert_eq!(codes("alice@Example.ORG", "anon@example.org"), []);
        assert_eq!(
            codes("alice@exa mple.org", "anonymous@exa mple.org"),
            [WarningCode::InvalidNai]
        );
        assert_eq!(
            codes("a@-bad.example.org", "x@-bad.example.org"),
            [WarningCode::InvalidNai]
        );
        assert!(nai_problem("a@b@c.org").is_some());
        assert!(nai_problem("a..b@c.org").is_some());
        assert!(nai_problem("").is_some());
        assert_eq!(nai_problem("alice.smith@cs.uni-x.example"), None);
        assert_eq!(nai_problem("alice"), None);
    }

    #[test]
    fn no_realm_anywhere_warns_once() {
        assert_eq!(
            codes("alice", "alice"),
            [WarningCode::OuterIdentityWithoutRealm]
        );
    }
}
