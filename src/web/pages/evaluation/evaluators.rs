//! The agency's evaluation overview of a challenge, its evaluator pool and invitations.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::challenges;
use crate::domain::evaluation::evaluators;
use crate::domain::evaluation::progress;
use crate::domain::topics;
use crate::error::{AppError, AppResult};
use crate::kinds::StageStatus;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

pub(super) async fn overview(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
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

pub(super) async fn pool_page(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
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

pub(super) async fn invite(
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
