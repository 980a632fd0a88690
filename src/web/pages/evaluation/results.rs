//! The public results of a challenge.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::domain::evaluation::progress;
use crate::error::AppResult;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::render;

pub(super) async fn results(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
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
