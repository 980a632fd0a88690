//! Evaluation pages: the evaluator's dashboard and score form, the agency's evaluation
//! overview (pool, conflicts, stages), the ranking with decisions, its CSV export, and
//! the public results of a challenge. Every form works without JavaScript.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::policy::{self, Action};
use crate::domain::challenges;
use crate::domain::evaluation::progress;
use crate::domain::evaluation::reviews::{self, RankingRow, ReviewInput};
use crate::domain::evaluation::{clarifications, discussion, evaluators};
use crate::domain::{organisations, topics};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::kinds::{Outcome, StageKind, StageStatus};
use crate::web::actions;
use crate::web::actions::evaluation::Decision;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::{chart, render, views};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/evaluation", web::get().to(dashboard))
        .route("/evaluation/conflicts", web::post().to(declare_conflict))
        .route("/assignments/{id}/review", web::get().to(review_form))
        .route("/assignments/{id}/review", web::post().to(save_review))
        .route("/assignments/{id}/decline", web::post().to(decline))
        .route("/assignments/{id}/remove", web::post().to(unassign))
        .route("/challenges/{slug}/evaluation", web::get().to(overview))
        .route("/challenges/{slug}/evaluators", web::get().to(pool_page))
        .route("/challenges/{slug}/evaluators", web::post().to(invite))
        .route("/challenges/{slug}/results", web::get().to(results))
        .route("/proposals/{id}/reviews", web::get().to(proposal_reviews))
        .route(
            "/proposals/{id}/discussion",
            web::post().to(post_discussion),
        )
        .route(
            "/proposals/{id}/clarifications",
            web::get().to(clarifications_page),
        )
        .route(
            "/proposals/{id}/clarifications",
            web::post().to(ask_clarification),
        )
        .route(
            "/clarifications/{id}/answer",
            web::post().to(answer_clarification),
        )
        .route("/stages/{id}/start", web::post().to(start))
        .route("/stages/{id}/auto-assign", web::post().to(auto_assign))
        .route("/stages/{id}/assignments", web::post().to(assign))
        .route("/stages/{id}/ranking", web::get().to(ranking))
        .route("/stages/{id}/ranking.csv", web::get().to(ranking_csv))
        .route("/stages/{id}/decisions", web::post().to(decide))
        .route(
            "/stages/{id}/decisions/{proposal}/retract",
            web::post().to(retract),
        )
        .route("/stages/{id}/release", web::post().to(release));
}

/// After a stage action: back to `to` with a notice, or with the reason it was refused.
fn after<T>(result: AppResult<T>, to: &str, success_id: &str) -> AppResult<HttpResponse> {
    match result {
        Ok(_) => Ok(render::redirect_with(to, "success", success_id)),
        Err(AppError::Conflict { message_id }) => {
            Ok(render::redirect_with(to, "error", message_id))
        }
        Err(AppError::Validation(e)) => {
            let first = e
                .iter()
                .next()
                .map(|(_, m)| m.id.clone())
                .unwrap_or_default();
            Ok(render::redirect_with(to, "error", flash_id(&first)))
        }
        Err(e) => Err(e),
    }
}

/// The messages a one-field form on these pages can fail with, as the notice's id
/// (notices carry static ids); anything else falls back to a general one.
fn flash_id(id: &str) -> &'static str {
    const KNOWN: [&str; 15] = [
        "field-required",
        "field-too-long",
        "proposal-not-in-stage",
        "evaluator-unknown",
        "reviewers-invalid",
        "max-load-invalid",
        "top-n-invalid",
        "outcome-invalid",
        "decision-target",
        "organisation-unknown",
        "conflict-already",
        "email-invalid",
        "topic-invalid",
        "deadline-invalid",
        "deadline-past",
    ];
    KNOWN
        .into_iter()
        .find(|k| *k == id)
        .unwrap_or("error-validation")
}

// ---------------------------------------------------------------------------------------
// The evaluator's side.

async fn dashboard(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let (list, orgs, mine) = ctx
        .db(move |conn| {
            Ok((
                reviews::mine(conn, uid)?,
                organisations::names(conn)?,
                evaluators::challenges_of_user(conn, uid)?,
            ))
        })
        .await?;
    // Grouped by stage, each with its progress.
    let mut groups: Vec<Value> = Vec::new();
    let mut current: Option<i64> = None;
    for a in &list {
        if current != Some(a.stage_id) {
            current = Some(a.stage_id);
            groups.push(json!({
                "stage_name": a.stage_name, "stage_status": a.stage_status, "ends_at": a.ends_at,
                "challenge_title": a.challenge_title, "challenge_slug": a.challenge_slug,
                "running": a.stage_status == StageStatus::Running,
                "items": [], "done": 0, "total": 0,
            }));
        }
        if let Some(g) = groups.last_mut() {
            if !a.declined {
                g["total"] = json!(g["total"].as_i64().unwrap_or(0) + 1);
                if a.review == "submitted" {
                    g["done"] = json!(g["done"].as_i64().unwrap_or(0) + 1);
                }
            }
            if let Some(items) = g["items"].as_array_mut() {
                items.push(json!(a));
            }
        }
    }
    // A conflict can be declared as soon as one evaluates, before any assignment, but not
    // in a challenge where one reviews blind (the policy says why): there the form is not
    // offered, and a note says to decline the assignment instead.
    let (open, blind): (Vec<_>, Vec<_>) = mine.into_iter().partition(|(id, _)| {
        policy::may_declare_organisation_conflict(list.iter().any(|a| {
            a.challenge_id == *id
                && a.blind
                && !a.declined
                && a.stage_status != StageStatus::Released
        }))
    });
    let named = |v: Vec<(i64, String)>| -> Vec<Value> {
        v.into_iter()
            .map(|(id, title)| json!({ "id": id, "title": title }))
            .collect()
    };
    let organisations = if open.is_empty() { Vec::new() } else { orgs };
    render::page(
        &ctx,
        "evaluation_dashboard",
        "evaluation-title",
        json!({ "groups": groups, "challenges": named(open), "blind_challenges": named(blind),
                "organisations": organisations }),
    )
}

#[derive(Debug, Deserialize)]
struct ConflictForm {
    challenge_id: i64,
    organisation_id: i64,
    reason: String,
}

async fn declare_conflict(form: CsrfForm<ConflictForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let r = actions::evaluation::declare_conflict(
        &ctx,
        data.challenge_id,
        data.organisation_id,
        data.reason,
    )
    .await;
    after(r, "/evaluation", "flash-conflict-declared")
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    reason: String,
}

async fn decline(form: CsrfForm<ReasonForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
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

async fn review_form(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
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

async fn save_review(
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

/// The submitted reviews of a proposal, stage by stage with each criterion. The agency
/// sees who wrote them; fellow evaluators see them numbered.
async fn proposal_reviews(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewReviews(&f)).await?;
    let data = reviews_data(&ctx, &p, &c, &f).await?;
    render::page_titled(
        &ctx,
        "proposal_reviews",
        &format!("{}: {}", ctx.t("reviews-title"), p.title),
        data,
    )
}

/// The reviews page's data: the visible reviews by stage and the discussion.
async fn reviews_data(
    ctx: &Ctx,
    p: &crate::domain::proposals::Proposal,
    c: &challenges::Challenge,
    f: &crate::auth::policy::ProposalFacts,
) -> AppResult<Value> {
    let named = f.challenge.agency.role.is_some();
    let (pid, cid, from) = (p.id, c.id, f.discussion_from());
    let uid = ctx.require_user()?.id;
    let (list, stages, posts) = ctx
        .db(move |conn| {
            Ok((
                reviews::visible_to(conn, pid, uid, named)?,
                crate::domain::evaluation::stages::stages_of(conn, cid)?,
                discussion::thread(conn, pid, from)?,
            ))
        })
        .await?;
    let stages: Vec<Value> = stages
        .iter()
        .filter_map(|s| {
            let here: Vec<Value> = list
                .iter()
                .filter(|r| r.stage_id == s.stage.id)
                .enumerate()
                .map(|(i, r)| {
                    let points = r.review.score_map();
                    let notes = r.review.comment_map();
                    let criteria: Vec<Value> = s
                        .criteria
                        .iter()
                        .map(|k| json!({ "name": k.name, "value": points.get(&k.id), "min": k.scale_min, "max": k.scale_max, "comment": notes.get(&k.id) }))
                        .collect();
                    json!({
                        "author": if named { r.evaluator_name.clone() } else { i18n::text_with(ctx.lang, "review-numbered", &[("number", (i + 1).to_string())]) },
                        "score": views::points(r.review.score), "comment": r.review.comment, "confidence": r.review.confidence,
                        "submitted_at": r.review.submitted_at, "criteria": criteria,
                    })
                })
                .collect();
            (!here.is_empty()).then(|| json!({ "name": s.stage.name, "reviews": here }))
        })
        .collect();
    Ok(
        json!({ "proposal": { "id": p.id, "title": p.title }, "stages": stages, "posts": posts, "post_form": { "body": "" } }),
    )
}

#[derive(Debug, Deserialize)]
struct BodyForm {
    body: String,
}

async fn post_discussion(form: CsrfForm<BodyForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    match actions::evaluation::post_discussion(&ctx, &p, &c, &f, data.body.clone()).await {
        Ok(_) => Ok(render::redirect_with(
            &format!("/proposals/{}/reviews#discussion", p.id),
            "success",
            "flash-posted",
        )),
        // The page again, with the message and the words as typed.
        Err(e @ AppError::Validation(_)) => {
            let mut extra = reviews_data(&ctx, &p, &c, &f).await?;
            extra["post_form"] = json!({ "body": data.body });
            render::form_error(
                &ctx,
                e,
                "proposal_reviews",
                "reviews-title",
                json!({}),
                extra,
            )
        }
        Err(e) => Err(e),
    }
}

/// Questions to the team during a stage and its answers: for team, agency and the
/// proposal's evaluators. The agency asks here while a stage runs; the team answers.
async fn clarifications_page(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewProposalPrivate(&f)).await?;
    let data = clarifications_data(&ctx, &p, &f).await?;
    render::page_titled(
        &ctx,
        "clarifications",
        &format!("{}: {}", ctx.t("clarifications-title"), p.title),
        data,
    )
}

/// The clarification page's data: questions and answers, and what the reader may do.
async fn clarifications_data(
    ctx: &Ctx,
    p: &crate::domain::proposals::Proposal,
    f: &crate::auth::policy::ProposalFacts,
) -> AppResult<Value> {
    let actor = ctx.actor();
    let may = |a| crate::auth::policy::authorize(&actor, a).is_ok();
    let (team, agency) = (
        may(Action::EditProposal(f)),
        may(Action::ManageChallenge(&f.challenge)),
    );
    let (pid, from) = (p.id, f.discussion_from());
    let (list, running) = ctx
        .db(move |conn| {
            Ok((
                clarifications::of_proposal(conn, pid, from)?,
                progress::running_stage_of(conn, pid)?,
            ))
        })
        .await?;
    let now = crate::db::now();
    let items: Vec<Value> = list
        .iter()
        .map(|c| json!({ "id": c.id, "question": c.question, "asked_at": c.asked_at, "due_at": c.due_at, "answer": c.answer, "answered_at": c.answered_at,
            "may_answer": team && c.answer.is_none() && now <= c.due_at, "overdue": c.answer.is_none() && now > c.due_at }))
        .collect();
    Ok(
        json!({ "proposal": { "id": p.id, "title": p.title }, "items": items,
               "may_ask": agency && running.is_some(), "stage_name": running.map(|r| r.1),
               "ask_form": { "question": "", "due_at": "" } }),
    )
}

#[derive(Debug, Deserialize)]
struct AskForm {
    question: String,
    due_at: String,
}

async fn ask_clarification(form: CsrfForm<AskForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let to = format!("/proposals/{}/clarifications", p.id);
    let pid = p.id;
    let running = ctx
        .db(move |conn| progress::running_stage_of(conn, pid))
        .await?;
    let Some((stage, _)) = running else {
        return Ok(render::redirect_with(&to, "error", "stage-not-running"));
    };
    let r = actions::evaluation::ask_clarification(
        &ctx,
        stage,
        p.id,
        data.question.clone(),
        data.due_at.clone(),
    )
    .await;
    match r {
        // The form again, with the messages and what was typed.
        Err(e @ AppError::Validation(_)) => {
            let mut extra = clarifications_data(&ctx, &p, &f).await?;
            extra["ask_form"] = json!({ "question": data.question, "due_at": data.due_at });
            render::form_error(
                &ctx,
                e,
                "clarifications",
                "clarifications-title",
                json!({}),
                extra,
            )
        }
        other => after(other, &to, "flash-clarification-asked"),
    }
}

#[derive(Debug, Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn answer_clarification(
    form: CsrfForm<AnswerForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let id = id.into_inner();
    let c = ctx.db(move |conn| clarifications::find(conn, id)).await?;
    let to = format!("/proposals/{}/clarifications", c.proposal_id);
    after(
        actions::evaluation::answer_clarification(&ctx, id, data.answer).await,
        &to,
        "flash-clarification-answered",
    )
}

// ---------------------------------------------------------------------------------------
// The agency's side.

async fn overview(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let cid = c.id;
    let (stages, counts) = ctx
        .db(move |conn| {
            Ok((
                crate::domain::evaluation::stages::stages_of(conn, cid)?,
                progress::entry_counts(conn, cid)?,
            ))
        })
        .await?;
    let mut previous_released = true;
    let stages: Vec<Value> = stages
        .iter()
        .map(|s| {
            let status = s.stage.status;
            let v = json!({
                "id": s.stage.id, "name": s.stage.name, "kind": s.stage.kind, "status": s.stage.status,
                "starts_at": s.stage.starts_at, "ends_at": s.stage.ends_at, "blind": s.stage.blind,
                "reviewers": s.stage.reviewers_per_proposal, "criteria": s.criteria.len(),
                "entries": counts.get(&s.stage.id).copied().unwrap_or(0),
                "may_start": status == StageStatus::Planned && previous_released,
                "running": status == StageStatus::Running,
                "started": status != StageStatus::Planned,
            });
            previous_released = status == StageStatus::Released;
            v
        })
        .collect();
    render::page_titled(
        &ctx,
        "evaluation_overview",
        &format!("{}: {}", ctx.t("evaluation-overview-title"), c.title),
        json!({ "challenge": { "id": c.id, "slug": c.slug, "title": c.title, "status": c.status }, "stages": stages }),
    )
}

async fn pool_page(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let data = pool_data(&ctx, &c).await?;
    render::page_titled(
        &ctx,
        "evaluators",
        &format!("{}: {}", ctx.t("evaluators-title"), c.title),
        data,
    )
}

/// The pool page's data: evaluators, open invitations, conflicts and the topics to
/// choose expertise from.
async fn pool_data(ctx: &Ctx, c: &challenges::Challenge) -> AppResult<Value> {
    let cid = c.id;
    let (people, open, conflicts, topics) = ctx
        .db(move |conn| {
            let people = evaluators::members(conn, cid)?;
            let conflicts = evaluators::conflicts_of_challenge(conn, cid, &people)?;
            Ok((
                people,
                evaluators::open_invitations(conn, cid)?,
                conflicts,
                topics::list(conn)?,
            ))
        })
        .await?;
    Ok(json!({
        "challenge": { "id": c.id, "slug": c.slug, "title": c.title },
        "evaluators": people,
        "invitations": open,
        "conflicts": conflicts,
        "topics": topics,
        "form": { "email": "" },
    }))
}

async fn invite(
    form: CsrfForm<HashMap<String, String>>,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let email = data.get("email").cloned().unwrap_or_default();
    let expertise: Vec<String> = data
        .keys()
        .filter_map(|k| k.strip_prefix("topic_"))
        .map(str::to_string)
        .collect();
    match actions::evaluation::invite(&ctx, &c, &f, email.clone(), expertise).await {
        Ok(_) => Ok(render::redirect_with(
            &format!("/challenges/{}/evaluators", c.slug),
            "success",
            "flash-evaluator-invited",
        )),
        // The form again with its messages; refusals pass on without reading the pool.
        Err(
            e @ (AppError::Validation(_)
            | AppError::Conflict { .. }
            | AppError::TooManyRequests { .. }),
        ) => {
            let extra = pool_data(&ctx, &c).await?;
            render::form_error(
                &ctx,
                e,
                "evaluators",
                "evaluators-title",
                json!({ "email": email }),
                extra,
            )
        }
        Err(e) => Err(e),
    }
}

fn overview_of(s: &progress::StageContext) -> String {
    format!("/challenges/{}/evaluation", s.challenge.slug)
}

async fn start(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    after(
        actions::evaluation::start(&ctx, s.id()).await,
        &overview_of(&s),
        "flash-stage-started",
    )
}

#[derive(Debug, Deserialize)]
struct AutoForm {
    reviewers: Option<String>,
    max_load: Option<String>,
}

/// An optional whole number from a form; unreadable text becomes 0, which the domain
/// refuses with a message.
fn optional_number(raw: Option<&str>) -> Option<u32> {
    raw.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap_or(0))
}

async fn auto_assign(form: CsrfForm<AutoForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let r = actions::evaluation::auto_assign(
        &ctx,
        s.id(),
        optional_number(data.reviewers.as_deref()),
        optional_number(data.max_load.as_deref()),
    )
    .await;
    after(
        r,
        &format!("/stages/{}/ranking", s.id()),
        "flash-assignments-made",
    )
}

#[derive(Debug, Deserialize)]
struct AssignForm {
    proposal_id: i64,
    evaluator_id: i64,
}

async fn assign(form: CsrfForm<AssignForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let r = actions::evaluation::assign(&ctx, s.id(), data.proposal_id, data.evaluator_id).await;
    after(
        r,
        &format!("/stages/{}/ranking", s.id()),
        "flash-assignments-made",
    )
}

async fn unassign(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let id = id.into_inner();
    let stage = actions::evaluation::managed_assignment(&ctx, id)
        .await?
        .stage_id;
    after(
        actions::evaluation::unassign(&ctx, id).await,
        &format!("/stages/{stage}/ranking"),
        "flash-assignment-removed",
    )
}

#[derive(Debug, Default, Deserialize)]
struct SortQuery {
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

async fn ranking(
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
    let lines: Vec<Value> = sorted(rows, &sort)
        .into_iter()
        .map(|r| {
            let mine: Vec<Value> = assignments
                .iter()
                .filter(|a| a.proposal_id == r.ranked.proposal_id)
                .map(|a| json!({ "id": a.id, "name": names.get(&a.evaluator_id), "declined": a.declined_at.is_some(), "reason": a.decline_reason }))
                .collect();
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

async fn ranking_csv(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
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
struct DecisionForm {
    proposal_id: Option<i64>,
    top_n: Option<String>,
    outcome: String,
    #[serde(default)]
    feedback: String,
}

async fn decide(form: CsrfForm<DecisionForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
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

async fn retract(form: CsrfForm<NoFields>, path: web::Path<(i64, i64)>) -> AppResult<HttpResponse> {
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
struct ReleaseForm {
    show_scores: Option<String>,
}

async fn release(form: CsrfForm<ReleaseForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let r = actions::evaluation::release(&ctx, s.id(), data.show_scores.is_some()).await;
    after(r, &overview_of(&s), "flash-stage-released")
}

// ---------------------------------------------------------------------------------------
// The public.

async fn results(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (c, _) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let cid = c.id;
    let stages = ctx
        .db(move |conn| progress::public_results(conn, cid))
        .await?;
    render::page_titled(
        &ctx,
        "results",
        &format!("{}: {}", ctx.t("results-title"), c.title),
        json!({ "challenge": { "slug": c.slug, "title": c.title }, "stages": stages }),
    )
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
        assert_eq!(optional_number(Some(" 3 ")), Some(3));
        assert_eq!(optional_number(Some("")), None);
        assert_eq!(optional_number(Some("x")), Some(0));
    }
}
