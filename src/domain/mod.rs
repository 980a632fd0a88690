//! Business rules, one module per aggregate. Functions take a `&mut DbConnection` and plain
//! inputs, know nothing of HTTP, and are called by both the pages and the JSON API.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod challenges;
pub mod evaluation;
pub mod files;
pub mod form_library;
pub mod messages;
pub mod notifications;
pub mod organisations;
pub mod pagination;
pub mod pilots;
pub mod proposals;
pub mod questions;
pub mod rate;
pub mod sitemap;
pub mod time;
pub mod topics;
