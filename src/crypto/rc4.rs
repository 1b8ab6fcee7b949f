//! RC4 ([RFC 6229](https://www.rfc-editor.org/rfc/rfc6229) gives its test vectors), for
//! one use only: MS-CHAP-V2's password change encrypts the new password under the old NT
//! hash with it ([RFC 2759 §8.11](https://www.rfc-editor.org/rfc/rfc2759#section-8.11)
//! `Rc4Encrypt`). RC4 is broken as a general cipher; it is here because the protocol
//! names it, on one 516-octet block under a key used once.
//!
//! Twenty lines of arithmetic, so no crate: the state is key material and is wiped on drop.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// An RC4 keystream.
pub struct Rc4 {
    s: [u8; 256],
    i: u8,
    j: u8,
}

// By hand, as in secret.rs: zeroize's derive would bring a second syn into the build.
impl Zeroize for Rc4 {
    fn zeroize(&mut self) {
        self.s.zeroize();
        self.i.zeroize();
        self.j.zeroize();
    }
}

impl Drop for Rc4 {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Rc4 {}

impl core::fmt::Debug for Rc4 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rc4(<redacted>)")
    }
}

impl Rc4 {
    /// The key schedule (KSA) for `key`, 1 to 256 octets; `None` for an empty or longer key.
    pub fn new(key: &[u8]) -> Option<Rc4> {
        if key.is_empty() || key.len() > 256 {
            return None;
        }
        let mut s = [0u8; 256];
        for (n, v) in s.iter_mut().enumerate() {
            *v = n as u8;
        }
        let mut j = 0u8;
        for n in 0..256 {
            j = j.wrapping_add(s[n]).wrapping_add(key[n % key.len()]);
            s.swap(n, usize::from(j));
        }
        Some(Rc4 { s, i: 0, j: 0 })
    }

    /// XORs the next `data.len()` keystream octets (PRGA) into `data`: encrypts or decrypts.
    pub fn apply(&mut self, data: &mut [u8]) {
        for b in data {
            self.i = self.i.wrapping_add(1);
            self.j = self.j.wrapping_add(self.s[usize::from(self.i)]);
            self.s.swap(usize::from(self.i), usize::from(self.j));
            let k = self.s[usize::from(
                self.s[usize::from(self.i)].wrapping_add(self.s[usize::from(self.j)]),
            )];
            *b ^= k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::hex;

    /// RFC 6229 §2, the keystream at offset 0 (published), also reproduced with
    /// `openssl enc -rc4 -K <key>` (OpenSSL 3.0, legacy provider) over zeros.
    #[test]
    fn rfc6229_keystreams() {
        for (key, stream) in [
            (
                "0102030405",
                "b2 39 63 05 f0 3d c0 27 cc c3 52 4a 0a 11 18 a8",
            ),
            (
                "0102030405060708090a0b0c0d0e0f10",
                "9a c7 cc 9a 60 9d 1e f7 b2 93 28 99 cd e4 1b 97",
            ),
        ] {
            let mut data = [0u8; 16];
            Rc4::new(&hex(key)).unwrap().apply(&mut data);
            assert_eq!(data[..], hex(stream)[..], "key {key}");
        }
    }

    #[test]
    fn decrypts_what_it_encrypts_in_pieces() {
        let mut data = *b"Plaintext, in two calls";
        let mut rc4 = Rc4::new(b"Key").unwrap();
        let (a, b) = data.split_at_mut(5);
        rc4.apply(a);
        rc4.apply(b);
        // The classic "Key"/"Plaintext" example.
        assert_eq!(data[..9], hex("BBF316E8D940AF0AD3")[..]);
        Rc4::new(b"Key").unwrap().apply(&mut data);
        assert_eq!(&data, b"Plaintext, in two calls");
        assert!(Rc4::new(&[]).is_none());
        assert!(Rc4::new(&[0; 257]).is_none());
    }
}
