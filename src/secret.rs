//! Secrets: zeroized on drop, never printed.
//!
//! Passwords, NT hashes, MSK/EMSK and every intermediate key live in these types. Their
//! `Debug` prints `<redacted>`; equality is constant-time.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// `Zeroize` (wipe the one field) and `ZeroizeOnDrop` (wipe it on drop) for a secret type:
/// what zeroize's derive writes, without its proc-macro (and a second `syn`) in the build.
macro_rules! wiped_on_drop {
    ($(<$(const $n:ident: $t:ty),*>)? $name:ident) => {
        impl$(<$(const $n: $t),*>)? Zeroize for $name$(<$($n),*>)? {
            fn zeroize(&mut self) {
                self.0.zeroize();
            }
        }

        impl$(<$(const $n: $t),*>)? Drop for $name$(<$($n),*>)? {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }

        impl$(<$(const $n: $t),*>)? ZeroizeOnDrop for $name$(<$($n),*>)? {}
    };
}

/// A fixed-size secret byte array, wiped when dropped.
#[derive(Clone)]
pub struct Secret<const N: usize>([u8; N]);

wiped_on_drop!(<const N: usize> Secret);

impl<const N: usize> Secret<N> {
    /// Wraps `bytes`. The caller's copy is not wiped: pass it by value from a temporary.
    pub const fn new(bytes: [u8; N]) -> Self {
        Secret(bytes)
    }

    /// Copies `bytes`, which must be exactly `N` octets long; `None` if it is shorter or
    /// longer (a key of the wrong length is a mistake, never cut to fit).
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut out = [0u8; N];
        if bytes.len() != N {
            return None;
        }
        out.copy_from_slice(bytes);
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

/// A 64-octet session key of its own type, so that an MSK cannot be passed where an EMSK
/// is meant (or the other way round).
macro_rules! session_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Secret<64>);

        wiped_on_drop!($name);

        impl $name {
            /// Wraps `bytes`. The caller's copy is not wiped: pass it by value from a
            /// temporary.
            pub const fn new(bytes: [u8; 64]) -> Self {
                $name(Secret::new(bytes))
            }

            /// Copies `bytes`, which must be exactly 64 octets long; `None` otherwise.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                Secret::from_slice(bytes).map($name)
            }

            /// The key octets. Keep the borrow short; do not copy them into unzeroized
            /// storage.
            pub fn expose(&self) -> &[u8; 64] {
                self.0.expose()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

session_key!(
    /// Master Session Key ([RFC 3748 §7.10](https://www.rfc-editor.org/rfc/rfc3748#section-7.10)),
    /// 64 octets, wiped when dropped; equality is constant-time.
    Msk
);
session_key!(
    /// Extended Master Session Key ([RFC 3748 §7.10](https://www.rfc-editor.org/rfc/rfc3748#section-7.10)),
    /// 64 octets, wiped when dropped; equality is constant-time.
    Emsk
);

/// A variable-length secret byte string, wiped when dropped. Equality is constant-time in
/// the contents (a length difference answers at once: lengths are not secret).
#[derive(Clone, Default)]
pub struct SecretVec(Zeroizing<Vec<u8>>);

wiped_on_drop!(SecretVec);

impl PartialEq for SecretVec {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for SecretVec {}

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

/// A user's password, as UTF-8. Converted to UTF-16LE (UCS-2) only when hashed. Equality
/// is constant-time in the contents, as for [`SecretVec`].
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

wiped_on_drop!(Password);

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Password {}

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
    fn from_slice_takes_exactly_n_octets() {
        assert_eq!(
            Secret::<3>::from_slice(&[1, 2, 3]),
            Some(Secret::new([1, 2, 3]))
        );
        // Longer is refused, not truncated; shorter is refused.
        assert_eq!(Secret::<2>::from_slice(&[1, 2, 3]), None);
        assert_eq!(Secret::<4>::from_slice(&[1, 2, 3]), None);
        assert_eq!(Msk::from_slice(&[7; 65]), None);
        assert_eq!(Emsk::from_slice(&[7; 63]), None);
        assert_eq!(Msk::from_slice(&[7; 64]), Some(Msk::new([7; 64])));
        assert_ne!(Secret::new([1u8, 2]), Secret::new([1u8, 3]));
    }

    #[test]
    fn variable_length_secrets_compare_by_contents() {
        let v = |b: &[u8]| SecretVec::new(b.to_vec());
        assert_eq!(v(b"abc"), v(b"abc"));
        assert_ne!(v(b"abc"), v(b"abd"));
        assert_ne!(v(b"abc"), v(b"abcd"));
        assert_eq!(v(b""), SecretVec::default());
        assert_eq!(Password::new("hunter2"), Password::new("hunter2"));
        assert_ne!(Password::new("hunter2"), Password::new("hunter3"));
        assert_ne!(Password::new("hunter2"), Password::new("hunter"));
    }

    #[test]
    fn session_keys_are_redacted() {
        let all = format!("{:?} {:?}", Msk::new([0x41; 64]), Emsk::new([0x42; 64]));
        assert_eq!(all, "Msk(<redacted>) Emsk(<redacted>)");
    }
}
