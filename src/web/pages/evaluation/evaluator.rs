//! The evaluator's side: the dashboard of assignments, conflict declarations, declining
//! an assignment, and the score form.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::after;
use crate::auth::policy::{self, Action};
use crate::domain::evaluation::evaluators;
use crate::domain::evaluation::progress;
use crate::domain::evaluation::reviews::{self, ReviewInput};
use crate::domain::organisations::OrgRef;
use crate::domain::pagination::MAX_PER_PAGE;
use crate::error::{AppError, AppResult};
use crate::kinds::{StageKind, StageStatus};
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

/// `?after=` on the dashboard: the page after this assignment.
#[derive(Debug, Deserialize)]
pub(super) struct DashboardQuery {
    after: Option<i64>,
}

pub(super) async fn dashboard(ctx: Ctx, q: web::Query<DashboardQuery>) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let after = q.into_inner().after;
    let (page, tallies, mine) = ctx
        .db(move |conn| {
            let page = reviews::mine(conn, uid, after, MAX_PER_PAGE)?;
            let mut stage_ids: Vec<i64> = page.items.iter().map(|a| a.stage_id).collect();
            stage_ids.dedup();
            Ok((
                page,
                reviews::tallies(conn, uid, &stage_ids)?,
                evaluators::challenges_of_user(conn, uid)?,
            ))
        })
        .await?;
    // Grouped by stage, each with its progress over all its assignments (a stage may
    // go on over the next page).
    let mut groups: Vec<Value> = Vec::new();
    let mut current: Option<i64> = None;
    for a in &page.items {
        if current != Some(a.stage_id) {
            current = Some(a.stage_id);
            let (total, done) = tallies.get(&a.stage_id).copied().unwrap_or((0, 0));
            groups.push(json!({
                "stage_name": a.stage_name, "stage_status": a.stage_status, "ends_at": a.ends_at,
                "challenge_title": a.challenge_title, "challenge_slug": a.challenge_slug,
                "running": a.stage_status == StageStatus::Running,
                "items": [], "done": done, "total": total,
            }));
        }
        if let Some(items) = groups.last_mut().and_then(|g| g["items"].as_array_mut()) {
            items.push(json!(a));
        }
    }
    // A conflict can be declared as soon as one evaluates, before any assignment, but not
    // in a challenge where one reviews blind (the policy says why): there the form is not
    // offered, and a note says to decline the assignment instead.
    let (open, blind): (Vec<_>, Vec<_>) = mine.into_iter().partition(|(id, _)| {
        policy::may_declare_organisation_conflict(page.blind_challenges.contains(id))
    });
    let named = |v: Vec<(i64, String)>| -> Vec<Value> {
        v.into_iter()
            .map(|(id, title)| json!({ "id": id, "title": title }))
            .collect()
    };
    render::page(
        &ctx,
        "evaluation_dashboard",
        "evaluation-title",
        json!({
            "groups": groups, "challenges": named(open), "blind_challenges": named(blind),
            "pager": after.is_some() || page.next_after.is_some(),
            "later_page": after.is_some(),
            "next": page.next_after.map(|id| format!("/evaluation?after={id}")),
        }),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ConflictForm {
    challenge_id: i64,
    /// The organisation's name or address, as typed: a list of every organisation would
    /// not fit a page once there are thousands.
    organisation: String,
    reason: String,
}

pub(super) async fn declare_conflict(form: CsrfForm<ConflictForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let r = actions::evaluation::declare_conflict(
        &ctx,
        data.challenge_id,
        OrgRef::Named(data.organisation),
        data.reason,
    )
    .await;
    after(r, "/evaluation", "flash-conflict-declared")
}

#[derive(Debug, Deserialize)]
pub(super) struct ReasonForm {
    reason: String,
}

pub(super) async fn decline(
    form: CsrfForm<ReasonForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let r = actions::evaluation::decline(&ctx, id.into_inner(), data.reason).await;
    after(r, "/evaluation", "flash-assignment-declined")
}

/// The score form's data: each criterion with its scale as radio options, the values as
/// typed (or saved), and errors by field.
fn score_form(
    stage: &crate::domain::evaluation::stages::Stage,
    values: &ReviewInput,
    errors: &Value,
) -> Value {
    let criteria: Vec<Value> = stage
        .criteria
        .iter()
        .map(|c| {
            let chosen = values.scores.get(&c.id).copied();
            let points: Vec<Value> = c
                .points()
                .into_iter()
                .map(|(v, label)| json!({ "value": v, "label": label, "checked": chosen == Some(v as f64) }))
                .collect();
            json!({
                "id": c.id, "name": c.name, "description": c.description, "weight": c.weight,
                "min": c.scale_min, "max": c.scale_max, "points": points,
                "comment_required": c.comment_required,
                "comment": values.comments.get(&c.id),
                "error_score": errors.get(format!("scores.{}", c.id)),
                "error_comment": errors.get(format!("comments.{}", c.id)),
            })
        })
        .collect();
    let confidence: Vec<Value> = (1..=5)
        .map(|v| json!({ "value": v, "checked": values.confidence == Some(v) }))
        .collect();
    json!({ "criteria": criteria, "comment": values.comment, "confidence": confidence, "error_confidence": errors.get("confidence") })
}

pub(super) async fn review_form(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (a, s, proposal, f) = actions::evaluation::my_assignment(&ctx, id.into_inner()).await?;
    let aid = a.id;
    let saved = ctx.db(move |conn| reviews::review_of(conn, aid)).await?;
    let values = saved
        .as_ref()
        .map(|r| ReviewInput {
            scores: r
                .score_map()
                .into_iter()
                .map(|(k, v)| (k, v as f64))
                .collect(),
            comments: r.comment_map(),
            comment: r.comment.clone(),
            confidence: r.confidence,
            submit: false,
        })
        .unwrap_or_default();
    let data = review_page(
        &s,
        &a,
        &proposal,
        &f,
        &values,
        &json!({}),
        saved.and_then(|r| r.submitted_at),
    );
    render::page_titled(
        &ctx,
        "review_form",
        &format!("{}: {}", ctx.t("review-title"), proposal.title),
        data,
    )
}

fn review_page(
    s: &progress::StageContext,
    a: &reviews::Assignment,
    p: &crate::domain::proposals::Proposal,
    f: &crate::auth::policy::ProposalFacts,
    values: &ReviewInput,
    errors: &Value,
    submitted_at: Option<chrono::NaiveDateTime>,
) -> Value {
    json!({
        "assignment": { "id": a.id, "declined": a.declined_at.is_some() },
        "stage": { "name": s.stage.stage.name, "ends_at": s.stage.stage.ends_at, "running": s.status() == StageStatus::Running, "eligibility": s.stage.stage.kind == StageKind::Eligibility },
        "challenge": { "title": s.challenge.title, "slug": s.challenge.slug },
        "proposal": { "id": p.id, "title": p.title, "summary": p.summary },
        "blind": f.hides_team(),
        "submitted_at": submitted_at,
        "form": score_form(&s.stage, values, errors),
    })
}

/// Reads the score form: `score_<criterion>`, `comment_<criterion>`, `comment`,
/// `confidence`, and which button was pressed. Unreadable numbers become values the
/// validation refuses with a message, so nothing typed is silently dropped.
fn parse_review(fields: &HashMap<String, String>) -> ReviewInput {
    let mut input = ReviewInput {
        submit: fields.get("action").is_some_and(|a| a == "submit"),
        comment: fields.get("comment").cloned().unwrap_or_default(),
        confidence: fields
            .get("confidence")
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse().unwrap_or(0)),
        ..Default::default()
    };
    for (k, v) in fields {
        if let Some(id) = k.strip_prefix("score_").and_then(|i| i.parse::<i64>().ok()) {
            if !v.trim().is_empty() {
                input
                    .scores
                    .insert(id, v.trim().replace(',', ".").parse().unwrap_or(f64::NAN));
            }
        } else if let Some(id) = k
            .strip_prefix("comment_")
            .and_then(|i| i.parse::<i64>().ok())
        {
            input.comments.insert(id, v.clone());
        }
    }
    input
}

pub(super) async fn save_review(
    form: CsrfForm<HashMap<String, String>>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let input = parse_review(&data);
    let id = id.into_inner();
    match actions::evaluation::save_review(&ctx, id, input.clone()).await {
        Ok(r) => Ok(render::redirect_with(
            &format!("/assignments/{id}/review"),
            "success",
            if r.submitted_at.is_some() {
                "flash-review-submitted"
            } else {
                "flash-review-saved"
            },
        )),
        Err(err @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let (a, s, p, f) = actions::evaluation::my_assignment(&ctx, id).await?;
            // The numbers as typed stay in the form; the summary links to each criterion.
            let fields = match &err {
                AppError::Validation(e) => e
                    .iter()
                    .map(|(k, m)| (k.to_string(), json!(m.text(ctx.lang))))
                    .collect(),
                _ => serde_json::Map::new(),
            };
            let errors = Value::Object(fields);
            let extra = review_page(&s, &a, &p, &f, &input, &errors, None);
            let form = extra["form"].clone();
            render::form_error(
                &ctx,
                map_paths(err),
                "review_form",
                "review-title",
                form,
                extra,
            )
        }
        Err(e) => Err(e),
    }
}

/// Field paths of the review ("scores.7") as the form's field ids ("score-7").
fn map_paths(err: AppError) -> AppError {
    match err {
        AppError::Validation(e) => {
            let mut out = crate::error::FieldErrors::new();
            for (k, m) in e.iter() {
                let k = k
                    .replace("scores.", "score-")
                    .replace("comments.", "comment-");
                out.add(&k, &m.id);
            }
            AppError::Validation(out)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_form_is_read_as_typed() {
        let fields: HashMap<String, String> = [
            ("score_3", "4"),
            ("score_4", "zwei"),
            ("score_5", ""),
            ("comment_3", "gut"),
            ("comment", "insgesamt"),
            ("confidence", "4"),
            ("action", "submit"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let r = parse_review(&fields);
        assert!(r.submit);
        assert_eq!(r.scores.get(&3), Some(&4.0));
        assert!(
            r.scores.get(&4).is_some_and(|v| v.is_nan()),
            "unreadable stays, to be refused"
        );
        assert!(!r.scores.contains_key(&5), "an empty choice is no score");
        assert_eq!(r.comments.get(&3).map(String::as_str), Some("gut"));
        assert_eq!(r.confidence, Some(4));
    }
}
