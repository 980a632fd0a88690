//! Page numbers and sizes for every list: bounded, never trusting the client.

use serde::{Deserialize, Serialize};

pub const MAX_PER_PAGE: i64 = 100;
pub const DEFAULT_PER_PAGE: i64 = 20;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PageRequest {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub fn from_request(req: Option<PageRequest>, default_per_page: i64) -> Page {
        let page = req.and_then(|r| r.page).unwrap_or(1).clamp(1, 100_000);
        let per_page = req
            .and_then(|r| r.per_page)
            .unwrap_or(default_per_page)
            .clamp(1, MAX_PER_PAGE);
        Page { page, per_page }
    }
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
    pub fn last_page(self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// One page of a list and the total count, as API.md's list answer.
#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, total: i64, page: Page) -> Self {
        Paged {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        }
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_what_the_client_asks_for() {
        let p = Page::from_request(
            Some(PageRequest {
                page: Some(0),
                per_page: Some(1000),
            }),
            20,
        );
        assert_eq!(
            p,
            Page {
                page: 1,
                per_page: 100
            }
        );
        assert_eq!(
            Page::from_request(None, 20),
            Page {
                page: 1,
                per_page: 20
            }
        );
        let p = Page {
            page: 3,
            per_page: 10,
        };
        assert_eq!(p.offset(), 20);
        assert_eq!(p.last_page(0), 1);
        assert_eq!(p.last_page(21), 3);
    }
}
