//! A proposal's reviews as agency and evaluators read them, and their private discussion.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::challenges;
use crate::domain::evaluation::discussion;
use crate::domain::evaluation::reviews;
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::{render, views};

/// The submitted reviews of a proposal, stage by stage with each criterion. The agency
/// sees who wrote them; fellow evaluators see them numbered.
pub(super) async fn proposal_reviews(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
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
    let (pid, cid, from, facts) = (p.id, c.id, f.discussion_from(), f.clone());
    let uid = ctx.require_user()?.id;
    let (list, stages, posts) = ctx
        .db(move |conn| {
            Ok((
                reviews::visible_to(conn, &facts, uid)?,
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
                        "author": match &r.author { Some(a) => a.name.clone(), None => i18n::text_with(ctx.lang, "review-numbered", &[("number", (i + 1).to_string())]) },
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
pub(super) struct BodyForm {
    body: String,
}

pub(super) async fn post_discussion(
    form: CsrfForm<BodyForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
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
