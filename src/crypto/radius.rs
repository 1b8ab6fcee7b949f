//! RADIUS packet authentication, over the packet's octets: the Response Authenticator
//! ([RFC 2865 §3](https://www.rfc-editor.org/rfc/rfc2865#section-3)) and the
//! Message-Authenticator attribute ([RFC 3579 §3.2](https://www.rfc-editor.org/rfc/rfc3579#section-3.2)).
//!
//! - Response Authenticator = MD5(Code ‖ Identifier ‖ Length ‖ Request Authenticator ‖
//!   Attributes ‖ Secret);
//! - Message-Authenticator = HMAC-MD5(Secret, the packet with the attribute's value zeroed and,
//!   in a reply, the Request Authenticator in the Authenticator field).
//!
//! Where the attribute sits is the caller's to find (the packet codec's); signing and
//! checking whole packets is `transport::radius_auth`'s. Comparisons are constant-time.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

type HmacMd5 = Hmac<Md5>;

/// Code, Identifier, Length and Authenticator ([RFC 2865 §3](https://www.rfc-editor.org/rfc/rfc2865#section-3)).
const HEADER_LEN: usize = 20;

/// Constant-time equality of an authenticator with 16 octets of a packet: the difference
/// of the two folded into one 64-bit word without branches, compared with zero by
/// `subtle` (one barrier, not one per octet).
pub fn equal16(expected: &[u8; 16], got: &[u8]) -> bool {
    let Ok(got) = <[u8; 16]>::try_from(got) else {
        return false;
    };
    let word = |a: &[u8; 16], i: usize| {
        let mut w = [0; 8];
        w.copy_from_slice(&a[8 * i..8 * i + 8]);
        u64::from_ne_bytes(w)
    };
    let difference = (word(expected, 0) ^ word(&got, 0)) | (word(expected, 1) ^ word(&got, 1));
    bool::from(difference.ct_eq(&0))
}

/// HMAC-MD5 of `packet` with the Message-Authenticator value at `ma` zeroed and the
/// Authenticator field replaced by `authenticator`. `packet` is a whole RADIUS packet and
/// `ma` the offset of a 16-octet attribute value inside it, after the header.
pub fn message_authenticator(
    packet: &[u8],
    ma: usize,
    authenticator: &[u8; 16],
    secret: &[u8],
) -> [u8; 16] {
    let mut mac = <HmacMd5 as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(&packet[..4]);
    mac.update(authenticator);
    mac.update(&packet[HEADER_LEN..ma]);
    mac.update(&[0; 16]);
    mac.update(&packet[ma + 16..]);
    mac.finalize().into_bytes().into()
}

/// The Response Authenticator of a reply whose attributes are final, given the request's
/// authenticator.
pub fn response_authenticator(
    packet: &[u8],
    request_authenticator: &[u8; 16],
    secret: &[u8],
) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(&packet[..4]);
    md5.update(request_authenticator);
    md5.update(&packet[HEADER_LEN..]);
    md5.update(secret);
    md5.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_util::arr;

    /// The Access-Accept of RFC 2865 §7.1 (secret "xyzzy5461"): Service-Type = Login,
    /// Login-Service = Telnet, Login-IP-Host = 192.168.1.3.
    #[test]
    fn response_authenticator_of_rfc2865_7_1_accept() {
        let mut packet = alloc::vec![2, 0, 0, 38];
        packet.extend([0; 16]);
        packet.extend([6, 6, 0, 0, 0, 1, 15, 6, 0, 0, 0, 0, 14, 6, 192, 168, 1, 3]);
        let req_auth = arr::<16>("0f403f9473978057bd83d5cb98f4227a");
        assert_eq!(
            response_authenticator(&packet, &req_auth, b"xyzzy5461"),
            arr::<16>("86fe220e7624ba2a1005f6bf9b55e0b2")
        );
    }

    #[test]
    fn authenticators_compare_whole() {
        let a = arr::<16>("0f403f9473978057bd83d5cb98f4227a");
        assert!(equal16(&a, &a));
        for i in 0..16 {
            let mut b = a;
            b[i] ^= 0x80;
            assert!(!equal16(&a, &b));
        }
        assert!(!equal16(&a, &a[..15]));
    }
}
