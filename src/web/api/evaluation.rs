//! `/api/v1` evaluation routes (docs/API.md, "Evaluation"): evaluators, conflicts, stages,
//! assignments, reviews, ranking, decisions and release.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Created;
use crate::auth::policy::Action;
use crate::domain::evaluation::clarifications::{self, Clarification};
use crate::domain::evaluation::discussion::{self, Post};
use crate::domain::evaluation::evaluators::{self, ConflictView, OpenInvitation, PoolMember};
use crate::domain::evaluation::reviews::{
    self, Assignment, AutoAssigned, MyAssignment, RankingRow, ReviewInput,
};
use crate::domain::organisations::OrgRef;
use crate::domain::pagination::DEFAULT_PER_PAGE;
use crate::domain::time::utc;
use crate::error::{AppResult, FieldErrors};
use crate::kinds::{Outcome, StageStatus};
use crate::web::actions;
use crate::web::actions::evaluation::Decision;
use crate::web::context::Ctx;

/// Registers the evaluation routes on the `/api/v1` scope.
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

/// The body of `POST /challenges/{id}/evaluators`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteBody {
    /// The address to invite; it need not have an account yet. Refused while it has an
    /// open invitation, or when its account is already in the pool or in the agency.
    pub email: String,
    /// Topic slugs.
    #[serde(default)]
    pub expertise: Vec<String>,
}

/// Invite an evaluator by email; the person accepts through `/invitations/{id}/accept`.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/evaluators", tag = "evaluation", params(("id" = i64, Path)), request_body = InviteBody,
    responses((status = 201, body = Created, description = "the invitation"), (status = 422)))]
pub async fn invite(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<InviteBody>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    let body = body.into_inner();
    let id = actions::evaluation::invite(&ctx, &c, &f, body.email, body.expertise).await?;
    Ok(HttpResponse::Created().json(Created { id }))
}

/// A challenge's evaluators, open invitations and conflicts of interest.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolOut {
    /// Those who accepted; `id` is what assignments name as `evaluator_id`.
    pub evaluators: Vec<PoolMember>,
    /// Invitations not yet answered.
    pub invitations: Vec<OpenInvitation>,
    /// Declared conflicts and those from memberships, with organisations that propose.
    pub conflicts: Vec<ConflictView>,
}

/// The evaluator pool: accepted evaluators, open invitations and every conflict.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/evaluators", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = PoolOut)))]
pub async fn pool(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let cid = c.id;
    let pool = ctx
        .db(move |conn| {
            let evaluators = evaluators::members(conn, cid)?;
            let conflicts = evaluators::conflicts_of_challenge(conn, cid, &evaluators)?;
            Ok(PoolOut {
                invitations: evaluators::open_invitations(conn, cid)?,
                evaluators,
                conflicts,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(pool))
}

/// The body of `POST /conflicts`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConflictBody {
    /// The challenge the caller evaluates.
    pub challenge_id: i64,
    /// The organisation the caller has a conflict of interest with.
    pub organisation_id: i64,
    /// Why, at most 1,000 characters; must not be blank.
    pub reason: String,
}

/// An evaluator declares a conflict of interest; their assignments to the organisation's
/// proposals in running stages are removed.
#[utoipa::path(post, path = "/api/v1/conflicts", tag = "evaluation", request_body = ConflictBody,
    responses((status = 201, body = Created, description = "the conflict"), (status = 403, description = "not an evaluator of the challenge"), (status = 422)))]
pub async fn declare_conflict(ctx: Ctx, body: web::Json<ConflictBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let id = actions::evaluation::declare_conflict(
        &ctx,
        b.challenge_id,
        OrgRef::Id(b.organisation_id),
        b.reason,
    )
    .await?;
    Ok(HttpResponse::Created().json(Created { id }))
}

/// A stage that started.
#[derive(Debug, Serialize, ToSchema)]
pub struct Started {
    /// Always `running`.
    pub status: StageStatus,
    /// How many proposals entered the stage.
    pub entrants: usize,
}

/// Start a stage: the proposals eligible for it enter.
#[utoipa::path(post, path = "/api/v1/stages/{id}/start", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = Started), (status = 409, description = "already started, the stage before not released, or the challenge still open")))]
pub async fn start(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let entrants = actions::evaluation::start(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Started {
        status: StageStatus::Running,
        entrants,
    }))
}

/// The body of `POST /stages/{id}/assignments`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignBody {
    /// A proposal in the stage.
    pub proposal_id: i64,
    /// The evaluator's id in the challenge's pool (`evaluators[].id` of
    /// `GET /challenges/{id}/evaluators`), not their account id.
    pub evaluator_id: i64,
}

/// Assign an evaluator to a proposal by hand.
#[utoipa::path(post, path = "/api/v1/stages/{id}/assignments", tag = "evaluation", params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 201, body = Assignment), (status = 409, description = "a conflict of interest, or already assigned"), (status = 422)))]
pub async fn assign(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<AssignBody>,
) -> AppResult<HttpResponse> {
    let a = actions::evaluation::assign(&ctx, id.into_inner(), body.proposal_id, body.evaluator_id)
        .await?;
    Ok(HttpResponse::Created().json(a))
}

/// The body of `POST /stages/{id}/auto-assign`; it may be left out altogether.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AutoAssignBody {
    /// Evaluators per proposal, 1 to 20; the stage's setting when left out.
    pub reviewers_per_proposal: Option<u32>,
    /// The most proposals one evaluator may hold, at least 1; no limit when left out.
    pub max_load: Option<u32>,
}

/// Assign automatically: k evaluators per proposal, balanced loads, never a conflict.
#[utoipa::path(post, path = "/api/v1/stages/{id}/auto-assign", tag = "evaluation", params(("id" = i64, Path)), request_body = AutoAssignBody,
    responses((status = 200, body = AutoAssigned)))]
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

/// The body of `POST /assignments/{id}/decline`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclineBody {
    /// Why the evaluator declines, at most 1,000 characters; must not be blank.
    pub reason: String,
}

/// The evaluator declines an assignment, with a reason.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/decline", tag = "evaluation", params(("id" = i64, Path)), request_body = DeclineBody,
    responses((status = 200, body = Declined), (status = 422)))]
pub async fn decline(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<DeclineBody>,
) -> AppResult<HttpResponse> {
    actions::evaluation::decline(&ctx, id.into_inner(), body.into_inner().reason).await?;
    Ok(HttpResponse::Ok().json(Declined {
        status: "declined".into(),
    }))
}

/// An assignment the evaluator declined.
#[derive(Debug, Serialize, ToSchema)]
pub struct Declined {
    /// Always `declined`.
    pub status: String,
}

/// The query string of `GET /me/assignments`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentsQuery {
    /// The page after this assignment (the id of the previous page's last item, as the
    /// `Link` header's `rel="next"` address gives it).
    after: Option<i64>,
    /// Assignments per page, at most 100 (larger values are clamped); 20 when not given.
    per_page: Option<i64>,
}

/// The caller's assignments, blind-aware, newest stage first: a page of at most
/// `per_page`; when more follow, a `Link: <…>; rel="next"` header names the next page.
#[utoipa::path(get, path = "/api/v1/me/assignments", tag = "evaluation", params(AssignmentsQuery),
    responses((status = 200, body = [MyAssignment], headers(("Link" = String, description = "`<address>; rel=\"next\"` when more assignments follow"))),
              (status = 400, description = "`after` names none of the caller's assignments")))]
pub async fn my_assignments(ctx: Ctx, q: web::Query<AssignmentsQuery>) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let AssignmentsQuery { after, per_page } = q.into_inner();
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    let page = ctx
        .db(move |conn| reviews::mine(conn, uid, after, per_page))
        .await?;
    let mut res = HttpResponse::Ok();
    if let Some(next) = page.next_after {
        res.insert_header((
            actix_web::http::header::LINK,
            format!(
                "</api/v1/me/assignments?after={next}&per_page={}>; rel=\"next\"",
                page.per_page
            ),
        ));
    }
    Ok(res.json(page.items))
}

/// A review after it was saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewSaved {
    /// The assignment reviewed.
    pub assignment_id: i64,
    /// The weighted score, 0–100, once every criterion has points.
    pub score: Option<f64>,
    /// Whether the review is submitted; otherwise it is a draft.
    pub submitted: bool,
    /// When it was submitted, RFC 3339; `null` for a draft.
    pub submitted_at: Option<String>,
    /// When it was last saved, RFC 3339.
    pub updated_at: String,
}

/// Save a review as a draft, or submit it; possible until the stage's deadline.
#[utoipa::path(put, path = "/api/v1/assignments/{id}/review", tag = "evaluation", params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = ReviewSaved), (status = 409, description = "the stage is not running or its deadline passed"), (status = 422)))]
pub async fn review(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<ReviewInput>,
) -> AppResult<HttpResponse> {
    let r = actions::evaluation::save_review(&ctx, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ReviewSaved {
        assignment_id: r.assignment_id,
        score: r.score,
        submitted: r.submitted_at.is_some(),
        submitted_at: r.submitted_at.map(utc),
        updated_at: utc(r.updated_at),
    }))
}

/// The stage's ranking.
#[utoipa::path(get, path = "/api/v1/stages/{id}/ranking", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = [RankingRow], description = "best first")))]
pub async fn ranking(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let s = actions::evaluation::manage_stage(&ctx, id.into_inner()).await?;
    let rows: Vec<RankingRow> = ctx.db(move |conn| reviews::ranking(conn, &s)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// The body of `POST /stages/{id}/decisions`: exactly one of `proposal_id` and `top_n`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// Decide on this proposal of the stage.
    pub proposal_id: Option<i64>,
    /// Decide on this many (at least 1) of the best-ranked proposals that have a score and no
    /// decision yet.
    pub top_n: Option<usize>,
    /// `advance`, `reject` or `shelve`.
    pub outcome: String,
    /// Words for each team, shown once the stage is released; at most 5,000 characters, may
    /// be left out.
    #[serde(default)]
    pub feedback: String,
}

/// Decide on one proposal, or advance (reject, shelve) the top N still undecided.
#[utoipa::path(post, path = "/api/v1/stages/{id}/decisions", tag = "evaluation", params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = Decided), (status = 409, description = "already decided or the stage is not running"), (status = 422)))]
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
    Ok(HttpResponse::Ok().json(Decided { decided }))
}

/// What a decision decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    /// The proposals decided now.
    pub decided: Vec<i64>,
}

/// The body of `POST /stages/{id}/release`; it may be left out (no scores shown).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReleaseBody {
    /// Whether the teams see their scores with the outcome.
    #[serde(default)]
    pub show_scores: bool,
}

/// Release the stage: teams see outcome and feedback; advanced proposals may enter the
/// next stage.
#[utoipa::path(post, path = "/api/v1/stages/{id}/release", tag = "evaluation", params(("id" = i64, Path)), request_body = ReleaseBody,
    responses((status = 200, body = Released), (status = 409, description = "undecided proposals, or not running")))]
pub async fn release(
    ctx: Ctx,
    id: web::Path<i64>,
    body: Option<web::Json<ReleaseBody>>,
) -> AppResult<HttpResponse> {
    let show = body.is_some_and(|b| b.show_scores);
    let notified = actions::evaluation::release(&ctx, id.into_inner(), show).await?;
    Ok(HttpResponse::Ok().json(Released {
        status: StageStatus::Released,
        notified,
    }))
}

/// A stage that was released.
#[derive(Debug, Serialize, ToSchema)]
pub struct Released {
    /// Always `released`.
    pub status: StageStatus,
    /// How many teams were told their outcome.
    pub notified: usize,
}

/// A submitted review as the agency and (once their own is in) fellow evaluators read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    /// The stage it was written in.
    pub stage_id: i64,
    /// None where the reader may not know who reviewed.
    pub evaluator_id: Option<i64>,
    /// The evaluator's display name; `null` where the reader may not know who reviewed.
    pub evaluator_name: Option<String>,
    /// Criterion id to points.
    pub scores: BTreeMap<i64, i64>,
    /// Criterion id to comment.
    pub comments: BTreeMap<i64, String>,
    /// The overall comment; may be empty.
    pub comment: String,
    /// How sure the evaluator is, 1 (unsure) to 5 (expert); `null` if not said.
    pub confidence: Option<i64>,
    /// The weighted score, 0 to 100.
    pub score: Option<f64>,
    /// When it was submitted, RFC 3339.
    pub submitted_at: Option<String>,
}

/// The submitted reviews of a proposal: for its agency, and for its evaluators once
/// their own is in.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/reviews", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = [ReviewItem]), (status = 403)))]
pub async fn reviews_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (_, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewReviews(&f)).await?;
    let uid = ctx.require_user()?.id;
    let list = ctx
        .db(move |conn| reviews::visible_to(conn, &f, uid))
        .await?;
    let items: Vec<_> = list
        .into_iter()
        .map(|r| ReviewItem {
            stage_id: r.stage_id,
            evaluator_id: r.author.as_ref().map(|a| a.id),
            evaluator_name: r.author.map(|a| a.name),
            scores: r.review.score_map(),
            comments: r.review.comment_map(),
            comment: r.review.comment,
            confidence: r.review.confidence,
            score: r.review.score,
            submitted_at: r.review.submitted_at.map(utc),
        })
        .collect::<Vec<_>>();
    Ok(HttpResponse::Ok().json(items))
}

/// The body of `POST /stages/{id}/clarifications`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClarificationBody {
    /// The proposal whose team is asked; it must be in the stage.
    pub proposal_id: i64,
    /// The question, at most 5,000 characters; must not be blank.
    pub question: String,
    /// RFC 3339, or a local date-time as the pages send it.
    pub due_at: String,
}

/// A clarification question with its answer, without who asked or answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClarificationItem {
    /// The clarification's id, as in `/api/v1/clarifications/{id}/answer`.
    pub id: i64,
    /// The stage it was asked in.
    pub stage_id: i64,
    /// The proposal whose team is asked.
    pub proposal_id: i64,
    /// The question as asked.
    pub question: String,
    /// When it was asked, RFC 3339.
    pub asked_at: String,
    /// The team answers until then.
    pub due_at: String,
    /// The team's answer; `null` until given.
    pub answer: Option<String>,
    /// When the team answered, RFC 3339; `null` until then.
    pub answered_at: Option<String>,
}

fn clarification_view(c: &Clarification) -> ClarificationItem {
    ClarificationItem {
        id: c.id,
        stage_id: c.stage_id,
        proposal_id: c.proposal_id,
        question: c.question.clone(),
        asked_at: utc(c.asked_at),
        due_at: utc(c.due_at),
        answer: c.answer.clone(),
        answered_at: c.answered_at.map(utc),
    }
}

/// Ask a proposal's team a question during a running stage.
#[utoipa::path(post, path = "/api/v1/stages/{id}/clarifications", tag = "evaluation", params(("id" = i64, Path)), request_body = ClarificationBody,
    responses((status = 201, body = ClarificationItem), (status = 409, description = "the stage is not running"), (status = 422)))]
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

/// The body of `POST /clarifications/{id}/answer`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The team's answer, at most 5,000 characters; must not be blank.
    pub answer: String,
}

/// The team answers a clarification question, once, until its deadline.
#[utoipa::path(post, path = "/api/v1/clarifications/{id}/answer", tag = "evaluation", params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, body = ClarificationItem), (status = 409, description = "answered already, or overdue"), (status = 422)))]
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
    responses((status = 200, body = [ClarificationItem]), (status = 403)))]
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
    responses((status = 200, body = [Post]), (status = 403)))]
pub async fn discussion_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewReviews(&f)).await?;
    let (pid, from) = (p.id, f.discussion_from());
    let posts: Vec<Post> = ctx
        .db(move |conn| discussion::thread(conn, pid, from))
        .await?;
    Ok(HttpResponse::Ok().json(posts))
}

/// The body of `POST /proposals/{id}/discussion`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostBody {
    /// The post, at most 10,000 characters; must not be blank. `@Display Name` notifies that
    /// participant.
    pub body: String,
}

/// Post in the discussion; "@Display Name" notifies that participant.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/discussion", tag = "evaluation", params(("id" = i64, Path)), request_body = PostBody,
    responses((status = 201, body = Created, description = "the post"), (status = 403), (status = 422)))]
pub async fn post_discussion(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<PostBody>,
) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let id = actions::evaluation::post_discussion(&ctx, &p, &c, &f, body.into_inner().body).await?;
    Ok(HttpResponse::Created().json(Created { id }))
}
