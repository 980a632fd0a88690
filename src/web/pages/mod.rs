//! HTML pages, one module per area.

pub mod account;
pub mod admin;
pub mod admin_topics;
pub mod auth;
pub mod challenges;
pub mod dashboard;
pub mod evaluation;
pub mod feeds;
pub mod form_editors;
pub mod form_library;
pub mod home;
pub mod legal;
pub mod organisations;
pub mod pilot_run;
pub mod pilots;
pub mod proposal_answers;
pub mod proposals;
pub mod search;
pub mod stages;

use serde::Deserialize;

use crate::domain::pagination::{Page, PageRequest};

/// `?page=N` of a page that shows a list: only the number comes from the address, the
/// size is the page's own.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub struct PageQuery {
    /// The page number from 1; the first page when absent.
    pub page: Option<i64>,
}

impl PageQuery {
    /// The page asked for, `per_page` rows long.
    pub fn page(self, per_page: i64) -> Page {
        Page::from_request(
            Some(PageRequest {
                page: self.page,
                per_page: None,
            }),
            per_page,
        )
    }
}
