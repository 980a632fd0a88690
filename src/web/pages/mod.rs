//! HTML pages, one module per area.

pub mod account;
pub mod admin;
pub mod auth;
pub mod challenges;
pub mod dashboard;
pub mod home;
pub mod organisations;
pub mod proposals;
pub mod stages;
