//! Secrets: zeroized on drop, never printed.
//!
//! Passwords, NT hashes, MSK/EMSK and every intermediate key live in these types. Their
//! `Debug` prints `<redacted>`; equality is constant-time.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A fixed-size secret byte array, wiped when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret<const N: usize>([u8; N]);

impl<const N: usize> Secret<N> {
    /// Wraps `bytes`. The caller's copy is not wiped: pass it by value from a temporary.
    pub const fn new(bytes: [u8; N]) -> Self {
        Secret(bytes)
    }

    /// Copies the first `N` octets of `bytes`; `None` if it is shorter.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut out = [0u8; N];
        out.copy_from_slice(bytes.get(..N)?);
        Some(Secret(out))
    }

    /// The secret octets. Keep the borrow short; do not copy them into unzeroized storage.
    pub fn expose(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret<{N}>(<redacted>)")
    }
}

impl<const N: usize> PartialEq for Secret<N> {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl<const N: usize> Eq for Secret<N> {}

/// MD4 of the UTF-16LE password (RFC 2759 §8.3 `NtPasswordHash`).
pub type NtHash = Secret<16>;
/// Master Session Key (RFC 3748 §7.10), 64 octets.
pub type Msk = Secret<64>;
/// Extended Master Session Key (RFC 3748 §7.10), 64 octets.
pub type Emsk = Secret<64>;

/// A variable-length secret byte string, wiped when dropped.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretVec(Zeroizing<Vec<u8>>);

impl SecretVec {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretVec(Zeroizing::new(bytes))
    }

    /// The secret octets.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretVec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretVec(<redacted, {} octets>)", self.0.len())
    }
}

/// A user's password, as UTF-8. Converted to UTF-16LE (UCS-2) only when hashed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps `password`.
    pub fn new(password: impl Into<String>) -> Self {
        Password(Zeroizing::new(password.into()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new([0x41u8; 16]);
        let p = Password::new("hunter2");
        let v = SecretVec::new(alloc::vec![0x42; 5]);
        let all = format!("{s:?} {p:?} {v:?}");
        assert!(!all.contains("hunter2"));
        assert!(!all.contains("41") && !all.contains("65"), "{all}");
        assert!(!all.contains("66"), "{all}");
        assert_eq!(
            all,
            "Secret<16>(<redacted>) Password(<redacted>) SecretVec(<redacted, 5 octets>)"
        );
    }

    #[test]
    fn equality_and_slices() {
        assert_eq!(
            Secret::<2>::from_slice(&[1, 2, 3]),
            Some(Secret::new([1, 2]))
        );
        assert_eq!(Secret::<4>::from_slice(&[1, 2, 3]), None);
        assert_ne!(Secret::new([1u8, 2]), Secret::new([1u8, 3]));
    }
}
