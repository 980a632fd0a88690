//! The start page, the accessibility statement, the health check and static assets.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::organisations;
use crate::domain::topics;
use crate::error::{AppError, AppResult};
use crate::kinds::OrgKind;
use crate::web::assets;
use crate::web::context::{run_db, Ctx};
use crate::web::render;
use crate::web::state::AppState;

/// The start page, the accessibility statement, `/healthz`, `/readyz` and `/static/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/accessibility", web::get().to(accessibility))
        .route("/healthz", web::get().to(healthz))
        // What a load balancer asks before it sends traffic: the same database check.
        .route("/readyz", web::get().to(healthz))
        .route("/static/{path:.*}", web::get().to(assets::serve));
}

async fn home(ctx: Ctx) -> AppResult<HttpResponse> {
    render::public_page(&ctx, "home", render::SameFor::Everyone, || home_data(&ctx)).await
}

async fn home_data(ctx: &Ctx) -> AppResult<(String, serde_json::Value)> {
    let lang = ctx.lang;
    let (topics, counts) = ctx
        .db(|conn| {
            let counts: Vec<(OrgKind, i64)> = organisations::table
                .group_by(organisations::kind)
                .select((organisations::kind, diesel::dsl::count_star()))
                .load(conn)?;
            Ok((topics::list(conn)?, counts))
        })
        .await?;
    let mut topics: Vec<(String, String)> = topics
        .iter()
        .map(|t| (t.slug.clone(), t.name(lang).to_string()))
        .collect();
    topics.sort_by_key(|(_, name)| name.to_lowercase());
    let counts: serde_json::Map<String, serde_json::Value> = OrgKind::ALL
        .iter()
        .map(|k| {
            let n = counts
                .iter()
                .find(|(kind, _)| kind == k)
                .map_or(0, |(_, n)| *n);
            (k.as_str().to_string(), json!(n))
        })
        .collect();
    Ok((
        ctx.t("home-title"),
        json!({
            "topics": topics.iter().map(|(slug, name)| json!({ "slug": slug, "name": name })).collect::<Vec<_>>(),
            "counts": counts,
        }),
    ))
}

async fn accessibility(ctx: Ctx) -> AppResult<HttpResponse> {
    render::page(&ctx, "accessibility", "accessibility-title", json!({}))
}

/// 200 when the database answers, 503 otherwise. No session lookup, no templates.
async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let checked = run_db(&state, |conn| {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map_err(AppError::from)
    })
    .await;
    match checked {
        Ok(_) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "status": "ok", "database": "ok" })),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "error", "database": "unavailable" }))
        }
    }
}
