//! The platform admins' area: users, the agency verification queue, the audit log.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::auth::policy::Action;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::{accounts, audit, organisations};
use crate::error::AppResult;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::render;
use crate::web::views;

/// The admin area under `/admin`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(dashboard))
        .route("/admin/users", web::get().to(users))
        .route("/admin/organisations", web::get().to(verification_queue))
        .route("/admin/organisations/{id}/verify", web::post().to(verify))
        .route("/admin/audit", web::get().to(audit_log));
}

async fn dashboard(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::AdminArea).await?;
    let pending = ctx.db(organisations::pending_verifications).await?;
    render::page(
        &ctx,
        "admin",
        "admin-title",
        json!({ "pending_count": pending.len() }),
    )
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    page: Option<i64>,
}

async fn users(ctx: Ctx, q: web::Query<SearchQuery>) -> AppResult<HttpResponse> {
    ctx.authorize(Action::AdminArea).await?;
    let query = q.q.clone().unwrap_or_default();
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: None,
        }),
        50,
    );
    let needle = query.clone();
    let list = ctx
        .db(move |conn| accounts::list(conn, Some(&needle), page))
        .await?;
    let base = format!("/admin/users?q={}&", urlencoding::encode(&query));
    render::page(
        &ctx,
        "admin_users",
        "admin-users-title",
        json!({ "users": list.items, "total": list.total, "q": query, "pagination": views::pagination(&base, page, list.total) }),
    )
}

async fn verification_queue(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::AdminArea).await?;
    let pending = ctx.db(organisations::pending_verifications).await?;
    render::page(
        &ctx,
        "admin_organisations",
        "admin-organisations-title",
        json!({ "pending": pending.iter().map(views::org_card).collect::<Vec<_>>() }),
    )
}

async fn verify(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    actions::organisations::verify_organisation(&form.ctx, id.into_inner()).await?;
    Ok(render::redirect_with(
        "/admin/organisations",
        "success",
        "flash-org-verified",
    ))
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    page: Option<i64>,
    /// Walk the whole hash chain (costs time proportional to the log; on demand only).
    verify: Option<String>,
}

async fn audit_log(ctx: Ctx, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    ctx.authorize(Action::AdminArea).await?;
    let action = q.action.clone().unwrap_or_default();
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: None,
        }),
        50,
    );
    let filter = action.clone();
    let verify = q.verify.is_some();
    let (list, check) = ctx
        .db(move |conn| {
            let check = if verify {
                Some(audit::verify(conn)?)
            } else {
                None
            };
            Ok((audit::list(conn, Some(&filter), page)?, check))
        })
        .await?;
    let base = format!("/admin/audit?action={}&", urlencoding::encode(&action));
    render::page(
        &ctx,
        "admin_audit",
        "admin-audit-title",
        json!({
            "entries": list.items,
            "total": list.total,
            "action": action,
            "chain": check,
            "pagination": views::pagination(&base, page, list.total),
        }),
    )
}
