//! The personal overview: an agency's challenges with their counts, a team's proposals
//! with status and deadline, and the notifications page.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::{challenges, notifications, proposals};
use crate::error::AppResult;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::pages::PageQuery;
use crate::web::render;
use crate::web::views;

/// The dashboard and the notifications.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(dashboard))
        .route("/notifications", web::get().to(list))
        .route("/notifications/read", web::post().to(mark_read));
}

async fn dashboard(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let (agency_rows, proposal_rows, unread) = ctx
        .db(move |conn| {
            // Challenges belong to agencies and proposals to teams, so the user's
            // organisations sort themselves into the two lists.
            Ok((
                challenges::dashboard(conn, uid)?,
                proposals::list_for_member(conn, uid)?,
                notifications::unread_count(conn, uid)?,
            ))
        })
        .await?;
    let mine: Vec<Value> = agency_rows
        .iter()
        .map(|(c, drafts, submitted, waiting)| json!({ "slug": c.slug, "title": c.title, "status": c.status, "deadline": c.submission_deadline, "drafts": drafts, "submitted": submitted, "questions_waiting": waiting }))
        .collect();
    let props: Vec<Value> = proposal_rows
        .iter()
        .map(|(p, title, slug, deadline)| json!({ "id": p.id, "title": p.title, "status": p.status, "challenge_title": title, "challenge_slug": slug, "deadline": deadline, "days_left": views::days_left(*deadline) }))
        .collect();
    render::page(
        &ctx,
        "dashboard",
        "dashboard-title",
        json!({ "challenges": mine, "proposals": props, "unread": unread, "is_agency": !agency_rows.is_empty() }),
    )
}

async fn list(ctx: Ctx, q: web::Query<PageQuery>) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let page = q.into_inner().page(30);
    let list = ctx
        .db(move |conn| notifications::list(conn, uid, page))
        .await?;
    render::page(
        &ctx,
        "notifications",
        "notifications-title",
        json!({ "notifications": list.items, "total": list.total, "pagination": views::pagination("/notifications?", page, list.total) }),
    )
}

async fn mark_read(form: CsrfForm<NoFields>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    ctx.tx(move |conn| notifications::mark_all_read(conn, uid))
        .await?;
    Ok(render::redirect_with(
        "/notifications",
        "success",
        "flash-notifications-read",
    ))
}
