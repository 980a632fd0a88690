//! Evaluation pages, one file per area; every form works without JavaScript.
//!
//! - [`evaluator`]: the evaluator's dashboard, conflicts and score form.
//! - [`discussion`]: reviews of a proposal and the private discussion.
//! - [`clarifications`]: questions to a team during a stage.
//! - [`evaluators`]: the agency's overview, pool and invitations.
//! - [`assignment`]: starting a stage and assigning evaluators.
//! - [`decisions`]: ranking, CSV export, decisions and release.
//! - [`results`]: the public results of a challenge.

mod assignment;
mod clarifications;
mod decisions;
mod discussion;
mod evaluator;
mod evaluators;
mod results;

use actix_web::{web, HttpResponse};

use crate::domain::evaluation::progress;
use crate::error::{AppError, AppResult};
use crate::web::render;

/// The evaluation pages of evaluators, agencies and teams.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/evaluation", web::get().to(evaluator::dashboard))
        .route(
            "/evaluation/conflicts",
            web::post().to(evaluator::declare_conflict),
        )
        .route(
            "/assignments/{id}/review",
            web::get().to(evaluator::review_form),
        )
        .route(
            "/assignments/{id}/review",
            web::post().to(evaluator::save_review),
        )
        .route(
            "/assignments/{id}/decline",
            web::post().to(evaluator::decline),
        )
        .route(
            "/assignments/{id}/remove",
            web::post().to(assignment::unassign),
        )
        .route(
            "/challenges/{slug}/evaluation",
            web::get().to(evaluators::overview),
        )
        .route(
            "/challenges/{slug}/evaluators",
            web::get().to(evaluators::pool_page),
        )
        .route(
            "/challenges/{slug}/evaluators",
            web::post().to(evaluators::invite),
        )
        .route(
            "/challenges/{slug}/results",
            web::get().to(results::results),
        )
        .route(
            "/proposals/{id}/reviews",
            web::get().to(discussion::proposal_reviews),
        )
        .route(
            "/proposals/{id}/discussion",
            web::post().to(discussion::post_discussion),
        )
        .route(
            "/proposals/{id}/clarifications",
            web::get().to(clarifications::clarifications_page),
        )
        .route(
            "/proposals/{id}/clarifications",
            web::post().to(clarifications::ask_clarification),
        )
        .route(
            "/clarifications/{id}/answer",
            web::post().to(clarifications::answer_clarification),
        )
        .route("/stages/{id}/start", web::post().to(assignment::start))
        .route(
            "/stages/{id}/auto-assign",
            web::post().to(assignment::auto_assign),
        )
        .route(
            "/stages/{id}/assignments",
            web::post().to(assignment::assign),
        )
        .route("/stages/{id}/ranking", web::get().to(decisions::ranking))
        .route(
            "/stages/{id}/ranking.csv",
            web::get().to(decisions::ranking_csv),
        )
        .route("/stages/{id}/decisions", web::post().to(decisions::decide))
        .route(
            "/stages/{id}/decisions/{proposal}/retract",
            web::post().to(decisions::retract),
        )
        .route("/stages/{id}/release", web::post().to(decisions::release));
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
    const KNOWN: [&str; 16] = [
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
        "organisation-ambiguous",
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

pub(super) fn overview_of(s: &progress::StageContext) -> String {
    format!("/challenges/{}/evaluation", s.challenge.slug)
}
