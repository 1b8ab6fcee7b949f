//! Parse and build the packets a supplicant sees. No state, no I/O.
//!
//! Each codec is a borrowed view (`Foo<'a>`) with `parse(&'a [u8]) -> Result<Self, DecodeError>`
//! and `emit(&self, &mut Vec<u8>)`. Building a packet means filling in the view's fields and
//! emitting it, so `parse(emit(x)) == x` holds for every value the constructors allow (a
//! property test beside each codec). Invariants shared by all codecs:
//!
//! - every length field is checked against the buffer before it is used, and nothing is
//!   allocated from a length read off the wire;
//! - enums for codes and types keep an `Unknown` arm, so unknown values round-trip and can be
//!   named in a diagnosis;
//! - trailing octets beyond a packet's own length field are ignored where the standard says
//!   so (Ethernet padding after an EAPOL body, octets after an EAP packet's Length).

pub mod avp;
pub mod eap;
pub mod eapol;
pub mod eapol_key;
pub mod mschapv2;
pub mod peap_inner;
pub mod radius;
pub mod teap;
pub mod tls_frame;
pub mod tls_record;
pub mod tlv;

mod decode;
pub use decode::DecodeError;

/// Declares a wire enum over an integer type with an `Unknown` arm that round-trips.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know; kept so it round-trips and can be reported.
            Unknown($repr),
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                match v {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> $repr {
                match v {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}
pub(crate) use wire_enum;

/// Checks that `buf` holds at least `need` octets.
pub(crate) fn need(what: &'static str, buf: &[u8], need: usize) -> Result<(), DecodeError> {
    if buf.len() < need {
        Err(DecodeError::Truncated {
            what,
            need,
            have: buf.len(),
        })
    } else {
        Ok(())
    }
}
