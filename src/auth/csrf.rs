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
pub const HEADER: &str = "x-csrf-token";

pub fn token_for(binding: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(binding.as_bytes()).expect("HMAC accepts any key length");
    mac.update(b"innolab-csrf-v1");
    hex::encode(mac.finalize().into_bytes())
}

pub fn is_valid(binding: &str, presented: &str) -> bool {
    !binding.is_empty()
        && secrets::constant_time_eq(token_for(binding).as_bytes(), presented.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_to_their_secret() {
        let t = token_for("session-a");
        assert!(is_valid("session-a", &t));
        assert!(!is_valid("session-b", &t));
        assert!(!is_valid("session-a", ""));
        assert!(!is_valid("", &token_for("")));
    }
}
