//! Page numbers and sizes for every list: bounded, never trusting the client.

use serde::{Deserialize, Serialize};

/// The most rows one page may hold; larger requests are clamped to it.
pub const MAX_PER_PAGE: i64 = 100;
/// The page size most lists use when the client names none.
pub const DEFAULT_PER_PAGE: i64 = 20;

/// `?page=N&per_page=M` as a client sends it; [`Page::from_request`] makes it safe.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// The page number, from 1.
    pub page: Option<i64>,
    /// Rows per page, at most 100 (larger values are clamped); 20 when not given.
    pub per_page: Option<i64>,
}

/// A page to read, with both numbers within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Page {
    /// The page number, from 1 (at most 100,000).
    pub page: i64,
    /// Rows per page, from 1 to `MAX_PER_PAGE`.
    pub per_page: i64,
}

impl Page {
    /// The page a client asked for, clamped to bounds: page 1 and `default_per_page` rows
    /// when not given.
    pub fn from_request(req: Option<PageRequest>, default_per_page: i64) -> Page {
        let page = req.and_then(|r| r.page).unwrap_or(1).clamp(1, 100_000);
        let per_page = req
            .and_then(|r| r.per_page)
            .unwrap_or(default_per_page)
            .clamp(1, MAX_PER_PAGE);
        Page { page, per_page }
    }
    /// The first page, `per_page` rows long.
    pub fn first(per_page: i64) -> Page {
        Page::from_request(None, per_page)
    }
    /// How many rows come before this page.
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
    /// The number of the last page for `total` rows; 1 when there are none.
    pub fn last_page(self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
    /// The total that `rows` rows on this page reveal without a count: a page that is not
    /// full ends the list (unless it is empty past the first page, which says nothing).
    pub fn total_from(self, rows: usize) -> Option<i64> {
        let rows = rows as i64;
        (rows < self.per_page && (rows > 0 || self.page == 1)).then(|| self.offset() + rows)
    }
}

/// Where a page starts when it was reached by a "next" or "previous" link: right after or
/// right before a row of the page before, named by its id. A list that takes it continues
/// from that row's place in the order (keyset pagination) instead of skipping
/// `Page::offset` rows, so the hundredth page costs what the first costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The rows that follow this one.
    After(i64),
    /// The rows that precede this one.
    Before(i64),
}

impl Cursor {
    /// `?after=ID` or `?before=ID` as a client sends them (`after` wins when both come).
    pub fn from_request(after: Option<i64>, before: Option<i64>) -> Option<Cursor> {
        after
            .map(Cursor::After)
            .or_else(|| before.map(Cursor::Before))
    }
}

/// One page of a list and the total count, as docs/API.md's list answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    /// At most `per_page` of them.
    pub items: Vec<T>,
    /// How many there are on all pages together.
    pub total: i64,
    /// The page number, from 1.
    pub page: i64,
    /// The page size (at most 100; larger requests are clamped).
    pub per_page: i64,
}

impl<T> Paged<T> {
    /// A page of `items` out of `total` rows.
    pub fn new(items: Vec<T>, total: i64, page: Page) -> Self {
        Paged {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        }
    }
    /// A page read before its total: `count` runs only when the rows cannot tell (see
    /// [`Page::total_from`]), which saves a statement for the short lists most pages show.
    pub fn counting<E>(
        items: Vec<T>,
        page: Page,
        count: impl FnOnce() -> Result<i64, E>,
    ) -> Result<Self, E> {
        let total = match page.total_from(items.len()) {
            Some(total) => total,
            None => count()?,
        };
        Ok(Paged::new(items, total, page))
    }
    /// The same page with every item converted by `f`.
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

    #[test]
    fn a_page_that_is_not_full_tells_the_total() {
        let page = |page| Page { page, per_page: 10 };
        assert_eq!(page(1).total_from(0), Some(0));
        assert_eq!(page(1).total_from(7), Some(7));
        assert_eq!(page(3).total_from(4), Some(24));
        assert_eq!(page(1).total_from(10), None, "a full page may go on");
        assert_eq!(page(3).total_from(0), None, "past the end says nothing");
        let counted = Paged::counting(vec![1, 2], page(2), || Err::<i64, ()>(()));
        assert_eq!(counted.map(|p| p.total), Ok(12), "no count needed");
        let counted = Paged::counting(vec![0; 10], page(2), || Ok::<i64, ()>(57));
        assert_eq!(counted.map(|p| p.total), Ok(57));
    }
}
