//! Clarifications: questions to a team during a stage, and the team's answers.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::after;
use crate::auth::policy::Action;
use crate::domain::evaluation::clarifications;
use crate::domain::evaluation::progress;
use crate::error::{AppError, AppResult};
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

/// Questions to the team during a stage and its answers: for team, agency and the
/// proposal's evaluators. The agency asks here while a stage runs; the team answers.
pub(super) async fn clarifications_page(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
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
pub(super) struct AskForm {
    question: String,
    due_at: String,
}

pub(super) async fn ask_clarification(
    form: CsrfForm<AskForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
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
pub(super) struct AnswerForm {
    answer: String,
}

pub(super) async fn answer_clarification(
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
