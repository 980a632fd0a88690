//! The search page: the search box, facets as filters that work without JavaScript,
//! and the results as cards per kind.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::kinds::{ChallengeStatus, ProposalStatus};
use crate::search::{execute::Notice, Hit, Kind, Results, Sort};
use crate::web::actions::search::{SearchParams, Strictness};
use crate::web::context::Ctx;
use crate::web::render::{self, SameFor};
use crate::web::views;

/// The search page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

async fn search(ctx: Ctx, params: web::Query<SearchParams>) -> AppResult<HttpResponse> {
    render::public_page(&ctx, "search", SameFor::Visitors, || async {
        let params = params.into_inner();
        let req = params.to_request(Strictness::Lenient)?;
        let sort = req.sort;
        let words = crate::text::clean(&req.q);
        let results = ctx.search(req).await?;
        Ok((
            ctx.t("search-title"),
            page_data(&ctx, &words, sort, results),
        ))
    })
    .await
}

fn page_data(ctx: &Ctx, words: &str, sort: Sort, r: Results) -> Value {
    let lang = ctx.lang;
    let applied = &r.applied;
    let chosen: Vec<(&str, String)> = [
        ("kind", applied.kind.map(|k| k.as_str().to_string())),
        ("topic", applied.topic.clone()),
        ("status", applied.status.clone()),
        ("agency", applied.agency.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let sort_name = match sort {
        Sort::Relevance => "relevance",
        Sort::Deadline => "deadline",
        Sort::Newest => "newest",
    };
    // The address of these results with one parameter changed (or left out).
    let link = |without: &str| {
        let mut params: Vec<(&str, String)> = vec![("q", words.to_string())];
        params.extend(chosen.iter().filter(|(k, _)| *k != without).cloned());
        if sort != Sort::Relevance {
            params.push(("sort", sort_name.to_string()));
        }
        format!(
            "/search?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    };
    // Read once: a topic facet labels each of its values.
    let topics = ctx.state.search.topics();
    let topic_name = |slug: &str| {
        topics.iter().find(|t| t.slug == slug).map_or_else(
            || slug.to_string(),
            |t| match lang {
                Lang::De => t.name_de.clone(),
                Lang::En => t.name_en.clone(),
            },
        )
    };
    let label = |dim: &str, value: &str| match dim {
        "kind" => ctx.t(&format!("search-kind-{value}")),
        "topic" => topic_name(value),
        "status" => ctx.t(&status_message(value)),
        _ => value.to_string(),
    };
    let facets: Vec<Value> = ["kind", "status", "topic"]
        .iter()
        .map(|dim| {
            let selected = chosen.iter().find(|(k, _)| k == dim).map(|(_, v)| v.clone());
            let counts = r.facets.get(dim).cloned().unwrap_or_default();
            let mut values: Vec<Value> = counts
                .iter()
                .map(|(value, n)| {
                    json!({
                        "value": value,
                        "label": label(dim, value),
                        "count": n,
                        "checked": selected.as_deref() == Some(value.as_str()),
                        "id": format!("facet-{dim}-{value}"),
                    })
                })
                .collect();
            // A chosen value with no results stays visible, so it can be unchosen.
            if let Some(v) = selected.as_deref().filter(|v| !counts.contains_key(*v)) {
                values.push(json!({ "value": v, "label": label(dim, v), "count": 0, "checked": true, "id": format!("facet-{dim}-{v}") }));
            }
            json!({
                "name": dim,
                "legend": ctx.t(&format!("search-facet-{dim}")),
                "none_checked": selected.is_none(),
                "values": values,
                "show": !values.is_empty(),
            })
        })
        .collect();
    let active: Vec<Value> = chosen
        .iter()
        .map(|(dim, value)| {
            json!({
                "legend": ctx.t(&format!("search-facet-{dim}")),
                "label": label(dim, value),
                "remove": link(dim),
            })
        })
        .collect();
    let hits: Vec<Value> = r.hits.iter().map(|h| hit_card(ctx, h, lang)).collect();
    let mut base_params: Vec<(&str, String)> = vec![("q", words.to_string())];
    base_params.extend(chosen.iter().cloned());
    if sort != Sort::Relevance {
        base_params.push(("sort", sort_name.to_string()));
    }
    let base = format!(
        "/search?{}&",
        serde_urlencoded::to_string(&base_params).unwrap_or_default()
    );
    let sorts: Vec<Value> = ["relevance", "deadline", "newest"]
        .iter()
        .map(|s| json!({ "value": s, "name": ctx.t(&format!("search-sort-{s}")), "selected": *s == sort_name }))
        .collect();
    let notices: Vec<&str> = r
        .notices
        .iter()
        .map(|n| match n {
            Notice::Truncated => "search-notice-truncated",
            Notice::AnyWord => "search-notice-any-word",
            Notice::Building => "search-notice-building",
        })
        .collect();
    json!({
        "q": words,
        "searched": !words.trim().is_empty() || !chosen.is_empty(),
        "total": r.total,
        "hits": hits,
        "facets": facets,
        "active": active,
        "notices": notices,
        "sorts": sorts,
        "pagination": views::pagination(&base, r.page, r.total.min(crate::search::execute::MAX_RESULTS)),
    })
}

/// Challenge and proposal statuses share the facet; each keeps its own wording.
fn status_message(value: &str) -> String {
    match ProposalStatus::parse(value) {
        Some(_) if ChallengeStatus::parse(value).is_none() => format!("pstatus-{value}"),
        _ => format!("cstatus-{value}"),
    }
}

fn hit_card(ctx: &Ctx, h: &Hit, lang: Lang) -> Value {
    let m = &h.meta;
    let context = match h.kind {
        Kind::Challenge => m.agency_name.clone().unwrap_or_default(),
        Kind::Proposal => crate::i18n::text_with(
            lang,
            "search-context-proposal",
            &[
                (
                    "organisation",
                    m.organisation_name.clone().unwrap_or_default(),
                ),
                ("challenge", m.challenge_title.clone().unwrap_or_default()),
            ],
        ),
        Kind::Question => crate::i18n::text_with(
            lang,
            "search-context-question",
            &[("challenge", m.challenge_title.clone().unwrap_or_default())],
        ),
        Kind::Organisation => m
            .organisation_kind
            .as_deref()
            .map(|k| ctx.t(&format!("kind-{k}")))
            .unwrap_or_default(),
    };
    json!({
        "kind": h.kind.as_str(),
        "kind_label": ctx.t(&format!("search-kind-{}", h.kind.as_str())),
        "title_html": h.title_html,
        "url": h.url,
        "context": context,
        "snippet_html": h.snippet_html,
        "status": h.status.as_deref().map(|s| ctx.t(&status_message(s))),
        "deadline": (h.kind == Kind::Challenge).then_some(h.deadline).flatten(),
    })
}
