//! `GET /api/v1/search`: what the caller may find, with facets.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppResult;
use crate::search::{Hit, Results};
use crate::web::actions::search::{SearchParams, Strictness};
use crate::web::context::Ctx;
use crate::web::render;

/// Registers `GET /search` on the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

/// One search result.
#[derive(Serialize, ToSchema)]
pub struct SearchItem {
    /// challenge | proposal | question | organisation
    pub kind: String,
    /// The record's id among those of its `kind`.
    pub id: i64,
    /// The record's title as plain text (not escaped).
    pub title: String,
    /// The title, escaped, with the matches in `<mark>`.
    pub title_html: String,
    /// An escaped passage with the matches in `<mark>`; safe to insert as HTML.
    pub snippet_html: String,
    /// The record's page, relative to the site.
    pub url: String,
}

/// A page of search results with totals, facets and notices.
#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    /// Matches the caller may see, on all pages together (at most 1000 are paged to).
    pub total: i64,
    /// This page's results, in the order asked for.
    pub items: Vec<SearchItem>,
    /// Counts per value for `kind`, `topic` and `status`; each dimension is counted
    /// without its own filter.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// The page number, from 1.
    pub page: i64,
    /// Results per page, at most 100.
    pub per_page: i64,
    /// `truncated` (input cut), `any_word` (no result had every word), `building`.
    pub notices: Vec<String>,
}

impl From<Results> for SearchAnswer {
    fn from(r: Results) -> Self {
        SearchAnswer {
            total: r.total,
            items: r.hits.into_iter().map(item).collect(),
            facets: r
                .facets
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            page: r.page.page,
            per_page: r.page.per_page,
            notices: r
                .notices
                .iter()
                .filter_map(|n| serde_json::to_value(n).ok())
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        }
    }
}

fn item(h: Hit) -> SearchItem {
    SearchItem {
        kind: h.kind.as_str().to_string(),
        id: h.id,
        title: h.title,
        title_html: h.title_html,
        snippet_html: h.snippet_html,
        url: h.url,
    }
}

/// Full-text search over challenges, proposals, answered questions and organisations;
/// results, totals and facets only ever contain what the caller may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchAnswer), (status = 400, description = "unknown kind or sort")))]
pub async fn search(ctx: Ctx, params: web::Query<SearchParams>) -> AppResult<HttpResponse> {
    let req = params.to_request(Strictness::Strict)?;
    render::public_json(&ctx, || async {
        let results = ctx.search(req).await?;
        serde_json::to_value(SearchAnswer::from(results)).map_err(crate::error::AppError::internal)
    })
    .await
}
