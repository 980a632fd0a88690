//! The steps behind each user-facing operation, shared by the pages and the JSON API:
//! ask the policy, validate, hash off the workers, run the domain functions in one
//! transaction together with their audit entry, then send the mails.

pub mod accounts;
pub mod challenges;
pub mod evaluation;
pub mod mails;
pub mod organisations;
pub mod personal_data;
pub mod pilots;
pub mod proposals;
pub mod search;
pub mod topics;
