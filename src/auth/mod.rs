//! Who is asking and what they may do: password hashing, secrets, CSRF tokens, login
//! throttling and the one policy module. Sessions and API tokens are stored with the
//! accounts they belong to (`domain::accounts`).

pub mod csrf;
pub mod passwords;
pub mod policy;
pub mod secrets;
pub mod throttle;
