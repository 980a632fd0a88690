//! The search parameters the page and the API share, and how they become a search.

use serde::Deserialize;

use crate::auth::policy::SearchReader;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::search::execute::MAX_RESULTS;
use crate::search::{Kind, Request, Sort};
use crate::web::context::Ctx;

/// The challenge list's text filter (page and API): the published challenges matching
/// `q`, found the way a visitor finds them. `None` without anything to search by.
pub async fn challenge_ids(ctx: &Ctx, q: Option<&str>) -> AppResult<Option<Vec<i64>>> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    let search = ctx.state.search.clone();
    let q = q.to_string();
    ctx.state
        .searches
        .run(move || {
            search.matching_ids(
                &SearchReader::default(),
                &q,
                Kind::Challenge,
                MAX_RESULTS as usize,
            )
        })
        .await?
}

/// `?q=&kind=&topic=&status=&agency=&sort=&page=&per_page=`, all optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, `"phrases"`, `-excluded` and `field:value` filters; any text is accepted.
    pub q: Option<String>,
    /// challenge | proposal | question | organisation
    pub kind: Option<String>,
    /// A topic slug (or name).
    pub topic: Option<String>,
    /// A status of the kind searched (open, closed, submitted, …).
    pub status: Option<String>,
    /// An agency's slug.
    pub agency: Option<String>,
    /// relevance (default) | deadline | newest
    pub sort: Option<String>,
    /// From 1 (the default).
    pub page: Option<i64>,
    /// At most 100.
    pub per_page: Option<i64>,
}

/// How a bad parameter is treated: the page ignores it, the API answers 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Unknown values fall back to the defaults (the search page).
    Lenient,
    /// An unknown sort or kind is a 400 (the API).
    Strict,
}

fn present(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl SearchParams {
    /// The search these parameters ask for: blanks count as absent, 20 results per page
    /// unless `per_page` says otherwise.
    pub fn to_request(&self, strictness: Strictness) -> AppResult<Request> {
        let sort = match present(&self.sort) {
            None => Sort::Relevance,
            Some(s) => match (Sort::parse(&s), strictness) {
                (Some(sort), _) => sort,
                (None, Strictness::Lenient) => Sort::Relevance,
                (None, Strictness::Strict) => {
                    return Err(AppError::BadRequest(format!(
                        "unknown sort {s:?}: use relevance, deadline or newest"
                    )))
                }
            },
        };
        let kind = present(&self.kind);
        if let (Some(k), Strictness::Strict) = (&kind, strictness) {
            if Kind::parse(k).is_none() {
                return Err(AppError::BadRequest(format!(
                    "unknown kind {k:?}: use challenge, proposal, question or organisation"
                )));
            }
        }
        Ok(Request {
            q: self.q.clone().unwrap_or_default(),
            kind,
            topic: present(&self.topic),
            status: present(&self.status),
            agency: present(&self.agency),
            sort,
            page: Page::from_request(
                Some(PageRequest {
                    page: self.page,
                    per_page: self.per_page,
                }),
                20,
            ),
        })
    }
}
