//! What a configuration must satisfy before anything is sent: identities and passwords
//! that the protocols can carry ([`ConfigError::TooLong`], [`ConfigError::EmptyPassword`]),
//! so a value the server could never accept is refused here, with the limit named, rather
//! than sent and then diagnosed as a wrong password.

use super::{ConfigBuilder, ConfigError, Credential};
use crate::method_type::{MethodType, TeapInner, TtlsInner};

/// The longest User-Name a RADIUS server receives (one attribute, RFC 2865 §5.1): the
/// identity and outer identity the NAS copies into it.
pub(super) const MAX_IDENTITY_OCTETS: usize = 253;
/// The longest MSCHAPv2 password, in UTF-16 code units: Windows' limit, as the NT hash is
/// computed by servers that copy the password into a buffer of this size (RFC 2759 §8.1,
/// `Password` is "0 to 256 unicode char").
pub(super) const MAX_MSCHAPV2_CHARS: usize = 256;
/// The longest password a RADIUS server checks as User-Password (RFC 2865 §5.2: 128
/// octets): TTLS/PAP and EAP-GTC passwords reach it that way.
pub(super) const MAX_USER_PASSWORD_OCTETS: usize = 128;

impl ConfigBuilder {
    /// Refuses identities and passwords the chosen methods cannot carry.
    pub(super) fn check_lengths(&self) -> Result<(), ConfigError> {
        for (what, value) in [
            ("the identity", Some(&self.identity)),
            ("the outer identity", self.anonymous_identity.as_ref()),
        ] {
            if let Some(v) = value.filter(|v| v.len() > MAX_IDENTITY_OCTETS) {
                return Err(ConfigError::TooLong {
                    what,
                    length: v.len(),
                    unit: "octets",
                    limit: MAX_IDENTITY_OCTETS,
                    carrier: "a RADIUS User-Name",
                });
            }
        }
        let Some(Credential::Password(p)) = &self.credential else {
            return Ok(());
        };
        let p = p.expose();
        if p.is_empty() {
            return Err(ConfigError::EmptyPassword);
        }
        let peap = self.methods.contains(&MethodType::Peap);
        let ttls = self.methods.contains(&MethodType::Ttls);
        let teap = self.methods.contains(&MethodType::Teap);
        let mschapv2 = (peap && self.inner_methods.contains(&MethodType::MsChapV2))
            || (ttls
                && matches!(
                    self.ttls_inner,
                    TtlsInner::MsChapV2 | TtlsInner::EapMsChapV2
                ))
            || (teap && self.teap_inner == TeapInner::MsChapV2);
        let chars = p.encode_utf16().count();
        if mschapv2 && chars > MAX_MSCHAPV2_CHARS {
            return Err(ConfigError::TooLong {
                what: "the password",
                length: chars,
                unit: "characters",
                limit: MAX_MSCHAPV2_CHARS,
                carrier: "MSCHAPv2",
            });
        }
        let user_password = (ttls && self.ttls_inner == TtlsInner::Pap)
            || (peap && self.inner_methods.contains(&MethodType::Gtc));
        if user_password && p.len() > MAX_USER_PASSWORD_OCTETS {
            return Err(ConfigError::TooLong {
                what: "the password",
                length: p.len(),
                unit: "octets",
                limit: MAX_USER_PASSWORD_OCTETS,
                carrier: "a RADIUS User-Password (TTLS/PAP, EAP-GTC)",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use alloc::string::String;
    use alloc::string::ToString;

    fn builder(identity: &str, password: &str) -> ConfigBuilder {
        Config::builder(identity)
            .password(password)
            .danger_accept_any_server_certificate()
    }

    #[test]
    fn limits_are_refused_with_the_limit_named_and_the_edges_pass() {
        let long = String::from("a").repeat(254);
        let e = builder(&long, "pw").build().unwrap_err();
        assert!(
            e.to_string().contains("254 octets") && e.to_string().contains("253"),
            "{e}"
        );
        assert!(builder(&long[..253], "pw").build().is_ok());
        let e = builder("alice", "pw")
            .anonymous_identity(long.clone())
            .build()
            .unwrap_err();
        assert!(e.to_string().starts_with("the outer identity"), "{e}");

        let e = builder("alice", &"p".repeat(300)).build().unwrap_err();
        assert_eq!(
            e.to_string(),
            "the password is 300 characters long; MSCHAPv2 allows at most 256"
        );
        assert!(builder("alice", &"p".repeat(256)).build().is_ok());
        // Characters, not octets: 256 two-octet characters pass.
        assert!(builder("alice", &"é".repeat(256)).build().is_ok());

        let pap = |pw: &str| {
            builder("alice", pw)
                .methods([MethodType::Ttls])
                .ttls_inner(TtlsInner::Pap)
                .build()
        };
        assert!(pap(&"p".repeat(128)).is_ok());
        let e = pap(&"p".repeat(129)).unwrap_err();
        assert!(e.to_string().contains("129 octets"), "{e}");
        let gtc = builder("alice", &"p".repeat(200))
            .inner_methods([MethodType::Gtc])
            .build()
            .unwrap_err();
        assert!(
            matches!(gtc, ConfigError::TooLong { limit: 128, .. }),
            "{gtc}"
        );

        let e = builder("alice", "").build().unwrap_err();
        assert!(matches!(e, ConfigError::EmptyPassword), "{e}");
    }
}
