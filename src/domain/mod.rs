//! Business rules, one module per aggregate. Functions take a `&mut DbConnection` and plain
//! inputs, know nothing of HTTP, and are called by both the pages and the JSON API.

pub mod accounts;
pub mod audit;
pub mod organisations;
pub mod pagination;
pub mod text;
pub mod topics;
