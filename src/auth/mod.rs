//! Who is asking and what they may do: password hashing, database-backed sessions,
//! CSRF tokens, API tokens, login throttling and the one policy module.

pub mod api_tokens;
pub mod csrf;
pub mod passwords;
pub mod policy;
pub mod secrets;
pub mod sessions;
pub mod throttle;
