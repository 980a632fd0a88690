//! A stage's ranking with its CSV export, the agency's decisions, and their release.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{after, overview_of};
use crate::domain::evaluation::evaluators;
use crate::domain::evaluation::reviews::{self, RankingRow};
use crate::error::AppResult;
use crate::kinds::{Outcome, StageStatus};
use crate::web::actions;
use crate::web::actions::evaluation::Decision;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::{chart, render, views};

#[derive(Debug, Default, Deserialize)]
pub(super) struct SortQuery {
    sort: Option<String>,
}

/// The ranking rows sorted as asked: score (default), calibrated, spread, done, title.
fn sorted(mut rows: Vec<RankingRow>, key: &str) -> Vec<RankingRow> {
    let num = |v: Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
    match key {
        "calibrated" => {
            rows.sort_by(|a, b| num(b.ranked.calibrated).total_cmp(&num(a.ranked.calibrated)))
        }
        "spread" => rows.sort_by(|a, b| num(b.ranked.spread).total_cmp(&num(a.ranked.spread))),
        "done" => rows.sort_by_key(|r| r.ranked.reviews_done),
        "title" => rows.sort_by_key(|r| r.title.to_lowercase()),
        _ => {}
    }
    rows
}

pub(super) async fn ranking(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<SortQuery>,
) -> AppResult<HttpResponse> {
    let s = actions::evaluation::manage_stage(&ctx, id.into_inner()).await?;
    let sc = s.clone();
    let (rows, people, assignments) = ctx
        .db(move |conn| {
            Ok((
                reviews::ranking(conn, &sc)?,
                evaluators::members(conn, sc.challenge.id)?,
                reviews::of_stage(conn, sc.id())?,
            ))
        })
        .await?;
    let sort = q.sort.clone().unwrap_or_else(|| "score".into());
    let place: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.ranked.proposal_id, i + 1))
        .collect();
    let names: HashMap<i64, String> = people
        .iter()
        .map(|p| (p.id, p.display_name.clone()))
        .collect();
    let figure = chart::distribution(&rows, ctx.lang);
    let mut by_proposal: HashMap<i64, Vec<Value>> = HashMap::new();
    for a in &assignments {
        by_proposal.entry(a.proposal_id).or_default().push(
            json!({ "id": a.id, "name": names.get(&a.evaluator_id), "declined": a.declined_at.is_some(), "reason": a.decline_reason }),
        );
    }
    let lines: Vec<Value> = sorted(rows, &sort)
        .into_iter()
        .map(|r| {
            let mine = by_proposal
                .remove(&r.ranked.proposal_id)
                .unwrap_or_default();
            json!({
                "place": place.get(&r.ranked.proposal_id), "proposal_id": r.ranked.proposal_id, "title": r.title,
                "organisation_name": r.organisation_name, "score": views::points(r.ranked.score),
                "calibrated": views::points(r.ranked.calibrated), "spread": views::points(r.ranked.spread),
                "done": r.ranked.reviews_done, "required": r.ranked.reviews_required,
                "disagreement": r.ranked.flags.contains(&crate::domain::evaluation::ranking::Flag::Disagreement),
                "incomplete": r.ranked.flags.contains(&crate::domain::evaluation::ranking::Flag::Incomplete),
                "outcome": r.outcome, "assignments": mine,
            })
        })
        .collect();
    let sorts: Vec<Value> = ["score", "calibrated", "spread", "done", "title"]
        .into_iter()
        .map(|k| json!({ "key": k, "current": k == sort }))
        .collect();
    let undecided = lines.iter().filter(|l| l["outcome"].is_null()).count();
    render::page_titled(
        &ctx,
        "ranking",
        &format!("{}: {}", ctx.t("ranking-title"), s.stage.stage.name),
        json!({
            "stage": { "id": s.id(), "name": s.stage.stage.name, "status": s.stage.stage.status, "running": s.status() == StageStatus::Running, "last": s.is_last() },
            "challenge": { "slug": s.challenge.slug, "title": s.challenge.title },
            "rows": lines, "sorts": sorts, "chart": figure, "evaluators": people,
            "undecided": undecided, "outcomes": Outcome::ALL.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
        }),
    )
}

pub(super) async fn ranking_csv(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let s = actions::evaluation::manage_stage(&ctx, id.into_inner()).await?;
    let sc = s.clone();
    let rows = ctx.db(move |conn| reviews::ranking(conn, &sc)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"ranking-stage-{}.csv\"", s.id()),
        ))
        .body(views::ranking_csv(&rows)))
}

#[derive(Debug, Deserialize)]
pub(super) struct DecisionForm {
    proposal_id: Option<i64>,
    top_n: Option<String>,
    outcome: String,
    #[serde(default)]
    feedback: String,
}

pub(super) async fn decide(
    form: CsrfForm<DecisionForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let to = format!("/stages/{}/ranking", s.id());
    let Some(outcome) = Outcome::parse(&data.outcome) else {
        return Ok(render::redirect_with(&to, "error", "outcome-invalid"));
    };
    let d = match (
        data.proposal_id,
        data.top_n
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
    ) {
        (Some(proposal_id), _) => Decision::One {
            proposal_id,
            outcome,
            feedback: data.feedback,
        },
        (None, Some(n)) => Decision::Top {
            n: n.parse().unwrap_or(0),
            outcome,
            feedback: data.feedback,
        },
        (None, None) => return Ok(render::redirect_with(&to, "error", "decision-target")),
    };
    after(
        actions::evaluation::decide(&ctx, s.id(), d).await,
        &to,
        "flash-decided",
    )
}

pub(super) async fn retract(
    form: CsrfForm<NoFields>,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (sid, pid) = path.into_inner();
    let s = actions::evaluation::manage_stage(&ctx, sid).await?;
    after(
        actions::evaluation::retract(&ctx, s.id(), pid).await,
        &format!("/stages/{}/ranking", s.id()),
        "flash-decision-retracted",
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ReleaseForm {
    show_scores: Option<String>,
}

pub(super) async fn release(
    form: CsrfForm<ReleaseForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let r = actions::evaluation::release(&ctx, s.id(), data.show_scores.is_some()).await;
    after(r, &overview_of(&s), "flash-stage-released")
}
