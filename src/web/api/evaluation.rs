//! `/api/v1` evaluation routes (docs/API.md, "Evaluation"): evaluators, conflicts, stages,
//! assignments, reviews, ranking, decisions and release.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::domain::evaluation::clarifications::{self, Clarification};
use crate::domain::evaluation::reviews::{self, ReviewInput};
use crate::domain::evaluation::{discussion, evaluators};
use crate::domain::time::utc;
use crate::error::{AppResult, FieldErrors};
use crate::kinds::Outcome;
use crate::web::actions;
use crate::web::actions::evaluation::Decision;
use crate::web::context::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/challenges/{id}/evaluators", web::post().to(invite))
        .route("/challenges/{id}/evaluators", web::get().to(pool))
        .route("/conflicts", web::post().to(declare_conflict))
        .route("/stages/{id}/start", web::post().to(start))
        .route("/stages/{id}/assignments", web::post().to(assign))
        .route("/stages/{id}/auto-assign", web::post().to(auto_assign))
        .route("/stages/{id}/ranking", web::get().to(ranking))
        .route("/stages/{id}/decisions", web::post().to(decide))
        .route("/stages/{id}/release", web::post().to(release))
        .route("/me/assignments", web::get().to(my_assignments))
        .route("/assignments/{id}", web::delete().to(unassign))
        .route("/assignments/{id}/decline", web::post().to(decline))
        .route("/assignments/{id}/review", web::put().to(review))
        .route("/proposals/{id}/reviews", web::get().to(reviews_of))
        .route(
            "/stages/{id}/clarifications",
            web::post().to(ask_clarification),
        )
        .route(
            "/clarifications/{id}/answer",
            web::post().to(answer_clarification),
        )
        .route(
            "/proposals/{id}/clarifications",
            web::get().to(clarifications_of),
        )
        .route("/proposals/{id}/discussion", web::get().to(discussion_of))
        .route(
            "/proposals/{id}/discussion",
            web::post().to(post_discussion),
        );
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteBody {
    pub email: String,
    /// Topic slugs.
    #[serde(default)]
    pub expertise: Vec<String>,
}

/// Invite an evaluator by email; the person accepts through `/invitations/{id}/accept`.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/evaluators", tag = "evaluation", params(("id" = i64, Path)), request_body = InviteBody,
    responses((status = 201, description = "{id}: the invitation"), (status = 422)))]
pub async fn invite(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<InviteBody>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    let body = body.into_inner();
    let id = actions::evaluation::invite(&ctx, &c, &f, body.email, body.expertise).await?;
    Ok(HttpResponse::Created().json(json!({ "id": id })))
}

/// The evaluator pool: accepted evaluators, open invitations and every conflict.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/evaluators", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, description = "{evaluators, invitations, conflicts}")))]
pub async fn pool(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let cid = c.id;
    let (people, open, conflicts) = ctx
        .db(move |conn| {
            let people = evaluators::members(conn, cid)?;
            let conflicts = evaluators::conflicts_of_challenge(conn, cid, &people)?;
            Ok((people, evaluators::open_invitations(conn, cid)?, conflicts))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "evaluators": people, "invitations": open, "conflicts": conflicts })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConflictBody {
    pub challenge_id: i64,
    pub organisation_id: i64,
    pub reason: String,
}

/// An evaluator declares a conflict of interest; their assignments to the organisation's
/// proposals in running stages are removed.
#[utoipa::path(post, path = "/api/v1/conflicts", tag = "evaluation", request_body = ConflictBody,
    responses((status = 201, description = "{id}"), (status = 403, description = "not an evaluator of the challenge"), (status = 422)))]
pub async fn declare_conflict(ctx: Ctx, body: web::Json<ConflictBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let id =
        actions::evaluation::declare_conflict(&ctx, b.challenge_id, b.organisation_id, b.reason)
            .await?;
    Ok(HttpResponse::Created().json(json!({ "id": id })))
}

/// Start a stage: the proposals eligible for it enter.
#[utoipa::path(post, path = "/api/v1/stages/{id}/start", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, description = "{status: \"running\", entrants}"), (status = 409, description = "already started, the stage before not released, or the challenge still open")))]
pub async fn start(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let entrants = actions::evaluation::start(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "running", "entrants": entrants })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignBody {
    pub proposal_id: i64,
    pub evaluator_id: i64,
}

/// Assign an evaluator to a proposal by hand.
#[utoipa::path(post, path = "/api/v1/stages/{id}/assignments", tag = "evaluation", params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 201), (status = 409, description = "a conflict of interest, or already assigned"), (status = 422)))]
pub async fn assign(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<AssignBody>,
) -> AppResult<HttpResponse> {
    let a = actions::evaluation::assign(&ctx, id.into_inner(), body.proposal_id, body.evaluator_id)
        .await?;
    Ok(HttpResponse::Created().json(a))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AutoAssignBody {
    pub reviewers_per_proposal: Option<u32>,
    pub max_load: Option<u32>,
}

/// Assign automatically: k evaluators per proposal, balanced loads, never a conflict.
#[utoipa::path(post, path = "/api/v1/stages/{id}/auto-assign", tag = "evaluation", params(("id" = i64, Path)), request_body = AutoAssignBody,
    responses((status = 200, description = "{created, min_load, max_load, unfilled: [proposal ids]}")))]
pub async fn auto_assign(
    ctx: Ctx,
    id: web::Path<i64>,
    body: Option<web::Json<AutoAssignBody>>,
) -> AppResult<HttpResponse> {
    let b = body.map(|b| b.into_inner()).unwrap_or_default();
    let out = actions::evaluation::auto_assign(
        &ctx,
        id.into_inner(),
        b.reviewers_per_proposal,
        b.max_load,
    )
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Remove an assignment without a submitted review.
#[utoipa::path(delete, path = "/api/v1/assignments/{id}", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, description = "its review is submitted")))]
pub async fn unassign(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    actions::evaluation::unassign(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclineBody {
    pub reason: String,
}

/// The evaluator declines an assignment, with a reason.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/decline", tag = "evaluation", params(("id" = i64, Path)), request_body = DeclineBody,
    responses((status = 200), (status = 422)))]
pub async fn decline(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<DeclineBody>,
) -> AppResult<HttpResponse> {
    actions::evaluation::decline(&ctx, id.into_inner(), body.into_inner().reason).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "declined" })))
}

/// The caller's assignments, blind-aware.
#[utoipa::path(get, path = "/api/v1/me/assignments", tag = "evaluation", responses((status = 200)))]
pub async fn my_assignments(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let list = ctx.db(move |conn| reviews::mine(conn, uid)).await?;
    let items: Vec<_> = list
        .into_iter()
        .map(|a| {
            let mut v = serde_json::to_value(&a).unwrap_or_default();
            v["ends_at"] = json!(a.ends_at.map(utc));
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Save a review as a draft, or submit it; possible until the stage's deadline.
#[utoipa::path(put, path = "/api/v1/assignments/{id}/review", tag = "evaluation", params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200), (status = 409, description = "the stage is not running or its deadline passed"), (status = 422)))]
pub async fn review(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<ReviewInput>,
) -> AppResult<HttpResponse> {
    let r = actions::evaluation::save_review(&ctx, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({
        "assignment_id": r.assignment_id,
        "score": r.score,
        "submitted": r.submitted_at.is_some(),
        "submitted_at": r.submitted_at.map(utc),
        "updated_at": utc(r.updated_at),
    })))
}

/// The stage's ranking.
#[utoipa::path(get, path = "/api/v1/stages/{id}/ranking", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, description = "[{proposal_id, score, calibrated, reviews_done, reviews_required, spread, flags}]")))]
pub async fn ranking(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let s = actions::evaluation::manage_stage(&ctx, id.into_inner()).await?;
    let rows = ctx.db(move |conn| reviews::ranking(conn, &s)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    pub proposal_id: Option<i64>,
    pub top_n: Option<usize>,
    /// `advance`, `reject` or `shelve`.
    pub outcome: String,
    #[serde(default)]
    pub feedback: String,
}

/// Decide on one proposal, or advance (reject, shelve) the top N still undecided.
#[utoipa::path(post, path = "/api/v1/stages/{id}/decisions", tag = "evaluation", params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, description = "{decided: [proposal ids]}"), (status = 409, description = "already decided or the stage is not running"), (status = 422)))]
pub async fn decide(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<DecisionBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let outcome = Outcome::parse(&b.outcome)
        .ok_or_else(|| FieldErrors::single("outcome", "outcome-invalid"))?;
    let d = match (b.proposal_id, b.top_n) {
        (Some(proposal_id), None) => Decision::One {
            proposal_id,
            outcome,
            feedback: b.feedback,
        },
        (None, Some(n)) => Decision::Top {
            n,
            outcome,
            feedback: b.feedback,
        },
        _ => return Err(FieldErrors::single("proposal_id", "decision-target")),
    };
    let decided = actions::evaluation::decide(&ctx, id.into_inner(), d).await?;
    Ok(HttpResponse::Ok().json(json!({ "decided": decided })))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReleaseBody {
    /// Whether the teams see their scores with the outcome.
    #[serde(default)]
    pub show_scores: bool,
}

/// Release the stage: teams see outcome and feedback; advanced proposals may enter the
/// next stage.
#[utoipa::path(post, path = "/api/v1/stages/{id}/release", tag = "evaluation", params(("id" = i64, Path)), request_body = ReleaseBody,
    responses((status = 200), (status = 409, description = "undecided proposals, or not running")))]
pub async fn release(
    ctx: Ctx,
    id: web::Path<i64>,
    body: Option<web::Json<ReleaseBody>>,
) -> AppResult<HttpResponse> {
    let show = body.is_some_and(|b| b.show_scores);
    let told = actions::evaluation::release(&ctx, id.into_inner(), show).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "released", "notified": told })))
}

/// The submitted reviews of a proposal: for its agency, and for its evaluators once
/// their own is in.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/reviews", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200), (status = 403)))]
pub async fn reviews_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (_, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewReviews(&f)).await?;
    let uid = ctx.require_user()?.id;
    let list = ctx
        .db(move |conn| reviews::visible_to(conn, &f, uid))
        .await?;
    let items: Vec<_> = list
        .into_iter()
        .map(|r| json!({
            "stage_id": r.stage_id,
            "evaluator_id": r.author.as_ref().map(|a| a.id), "evaluator_name": r.author.as_ref().map(|a| &a.name),
            "scores": r.review.score_map(), "comments": r.review.comment_map(), "comment": r.review.comment,
            "confidence": r.review.confidence, "score": r.review.score, "submitted_at": r.review.submitted_at.map(utc),
        }))
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ClarificationBody {
    pub proposal_id: i64,
    pub question: String,
    /// RFC 3339, or a local date-time as the pages send it.
    pub due_at: String,
}

fn clarification_view(c: &Clarification) -> serde_json::Value {
    json!({
        "id": c.id, "stage_id": c.stage_id, "proposal_id": c.proposal_id, "question": c.question,
        "asked_at": utc(c.asked_at), "due_at": utc(c.due_at), "answer": c.answer,
        "answered_at": c.answered_at.map(utc),
    })
}

/// Ask a proposal's team a question during a running stage.
#[utoipa::path(post, path = "/api/v1/stages/{id}/clarifications", tag = "evaluation", params(("id" = i64, Path)), request_body = ClarificationBody,
    responses((status = 201), (status = 409, description = "the stage is not running"), (status = 422)))]
pub async fn ask_clarification(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<ClarificationBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let c = actions::evaluation::ask_clarification(
        &ctx,
        id.into_inner(),
        b.proposal_id,
        b.question,
        b.due_at,
    )
    .await?;
    Ok(HttpResponse::Created().json(clarification_view(&c)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    pub answer: String,
}

/// The team answers a clarification question, once, until its deadline.
#[utoipa::path(post, path = "/api/v1/clarifications/{id}/answer", tag = "evaluation", params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200), (status = 409, description = "answered already, or overdue"), (status = 422)))]
pub async fn answer_clarification(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<AnswerBody>,
) -> AppResult<HttpResponse> {
    let c =
        actions::evaluation::answer_clarification(&ctx, id.into_inner(), body.into_inner().answer)
            .await?;
    Ok(HttpResponse::Ok().json(clarification_view(&c)))
}

/// The clarifications of a proposal: for its team, its agency and its evaluators.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/clarifications", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200), (status = 403)))]
pub async fn clarifications_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewProposalPrivate(&f)).await?;
    let (pid, from) = (p.id, f.discussion_from());
    let list = ctx
        .db(move |conn| clarifications::of_proposal(conn, pid, from))
        .await?;
    Ok(HttpResponse::Ok().json(list.iter().map(clarification_view).collect::<Vec<_>>()))
}

/// The evaluation discussion of a proposal: for its agency, and its evaluators once their
/// own review is in.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/discussion", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200), (status = 403)))]
pub async fn discussion_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewReviews(&f)).await?;
    let (pid, from) = (p.id, f.discussion_from());
    let posts = ctx
        .db(move |conn| discussion::thread(conn, pid, from))
        .await?;
    let items: Vec<_> = posts
        .into_iter()
        .map(|x| json!({ "id": x.id, "author_id": x.author_id, "author_name": x.author_name, "body": x.body, "created_at": utc(x.created_at) }))
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PostBody {
    pub body: String,
}

/// Post in the discussion; "@Display Name" notifies that participant.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/discussion", tag = "evaluation", params(("id" = i64, Path)), request_body = PostBody,
    responses((status = 201), (status = 403), (status = 422)))]
pub async fn post_discussion(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<PostBody>,
) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let id = actions::evaluation::post_discussion(&ctx, &p, &c, &f, body.into_inner().body).await?;
    Ok(HttpResponse::Created().json(json!({ "id": id })))
}
