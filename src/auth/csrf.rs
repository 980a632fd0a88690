//! CSRF tokens for cookie-authenticated state changes.
//!
//! A token is an HMAC of the request's binding secret: the session token when logged in,
//! else a random pre-session cookie. Only a page served to this browser can know it, the
//! server stores nothing, and it changes at login and logout.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::secrets;

/// The form field and the header that carry the token.
pub const FIELD: &str = "csrf_token";
/// The header that carries the token on cookie-authenticated API requests.
pub const HEADER: &str = "x-csrf-token";

fn mac(binding: &str) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(binding.as_bytes()).expect("HMAC accepts any key length");
    mac.update(b"innolab-csrf-v1");
    mac.finalize().into_bytes().into()
}

/// A token for the binding, masked with a fresh random pad each time (`pad || pad ^ mac`),
/// so that compressed pages do not repeat a constant secret (BREACH).
pub fn token_for(binding: &str) -> String {
    let mut pad = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut pad);
    let masked: Vec<u8> = mac(binding).iter().zip(pad).map(|(m, p)| m ^ p).collect();
    format!("{}{}", hex::encode(pad), hex::encode(masked))
}

/// Whether `presented` is a token made by `token_for` for this binding. An empty binding
/// or a token of the wrong length or alphabet is never valid.
pub fn is_valid(binding: &str, presented: &str) -> bool {
    // ASCII first: the split below is by bytes, and a multi-byte character across it
    // must be a wrong token, not a panic.
    if binding.is_empty() || presented.len() != 128 || !presented.is_ascii() {
        return false;
    }
    let (Ok(pad), Ok(masked)) = (hex::decode(&presented[..64]), hex::decode(&presented[64..]))
    else {
        return false;
    };
    let unmasked: Vec<u8> = pad.iter().zip(masked).map(|(p, m)| p ^ m).collect();
    secrets::constant_time_eq(&mac(binding), &unmasked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_to_their_secret() {
        let t = token_for("session-a");
        assert_ne!(
            t,
            token_for("session-a"),
            "every page gets a differently masked token"
        );
        assert!(is_valid("session-a", &token_for("session-a")));
        assert!(!is_valid("session-a", &t[..100]));
        assert!(!is_valid("session-a", &"zz".repeat(64)));
        assert!(is_valid("session-a", &t));
        assert!(!is_valid("session-b", &t));
        assert!(!is_valid("session-a", ""));
        assert!(!is_valid("", &token_for("")));
        // 128 bytes with a two-byte character across the middle: refused, no panic.
        let split = format!("{}é{}", "a".repeat(63), "a".repeat(63));
        assert_eq!(split.len(), 128);
        assert!(!is_valid("session-a", &split));
    }
}
