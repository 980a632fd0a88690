//! Organisation pages: the directory, public profiles, creating and editing, and the
//! member list with invitations, roles, removal and leaving.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::policy::{self, Action};
use crate::domain::organisations::{self, OrgInput, Organisation};
use crate::domain::pagination::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::kinds::OrgKind;
use crate::text;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::render;
use crate::web::views;

/// The organisation directory, profiles and member management.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organisations", web::get().to(directory))
        .route("/organisations", web::post().to(create))
        .route("/organisations/new", web::get().to(new_form))
        .route("/organisations/{slug}", web::get().to(profile))
        .route("/organisations/{slug}/edit", web::get().to(edit_form))
        .route("/organisations/{slug}/edit", web::post().to(update))
        .route("/organisations/{slug}/members", web::get().to(members))
        .route("/organisations/{slug}/members", web::post().to(invite))
        .route(
            "/organisations/{slug}/members/{user_id}/remove",
            web::post().to(remove_member),
        )
        .route(
            "/organisations/{slug}/members/{user_id}/role",
            web::post().to(change_role),
        )
        .route("/organisations/{slug}/leave", web::post().to(leave));
}

#[derive(Deserialize)]
struct DirectoryQuery {
    kind: Option<String>,
    page: Option<i64>,
}

async fn directory(ctx: Ctx, q: web::Query<DirectoryQuery>) -> AppResult<HttpResponse> {
    let kind = q.kind.as_deref().and_then(OrgKind::parse);
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: None,
        }),
        20,
    );
    let list = ctx
        .db(move |conn| organisations::list(conn, kind, page))
        .await?;
    let base = match kind {
        Some(k) => format!("/organisations?kind={}&", k.as_str()),
        None => "/organisations?".to_string(),
    };
    let pagination = views::pagination(&base, page, list.total);
    let kinds: Vec<Value> = OrgKind::ALL
        .iter()
        .map(|k| json!({ "value": k.as_str(), "selected": Some(*k) == kind }))
        .collect();
    render::page(
        &ctx,
        "organisations",
        "organisations-title",
        json!({
            "organisations": list.items.iter().map(views::org_card).collect::<Vec<_>>(),
            "total": list.total,
            "kinds": kinds,
            "kind": kind.map(OrgKind::as_str),
            "pagination": pagination,
        }),
    )
}

fn kind_options(selected: Option<&str>) -> Vec<Value> {
    OrgKind::ALL
        .iter()
        .map(|k| json!({ "value": k.as_str(), "selected": Some(k.as_str()) == selected }))
        .collect()
}

async fn new_form(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::CreateOrganisation).await?;
    render::page(
        &ctx,
        "organisation_form",
        "organisation-new-title",
        json!({ "kinds": kind_options(None), "org": null }),
    )
}

#[derive(Deserialize, serde::Serialize)]
struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    website: Option<String>,
    description: Option<String>,
}

impl From<OrgForm> for OrgInput {
    fn from(f: OrgForm) -> OrgInput {
        OrgInput {
            name: f.name,
            kind: f.kind,
            website: f.website,
            description: f.description,
        }
    }
}

async fn create(form: CsrfForm<OrgForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let echo = json!(data);
    let kinds = kind_options(Some(&data.kind));
    match actions::organisations::create_organisation(&ctx, data.into()).await {
        Ok(org) => Ok(render::redirect_with(
            &format!("/organisations/{}", org.slug),
            "success",
            "flash-org-created",
        )),
        Err(e) => render::form_error(
            &ctx,
            e,
            "organisation_form",
            "organisation-new-title",
            echo,
            json!({ "kinds": kinds, "org": null }),
        ),
    }
}

async fn profile(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ViewOrganisation(&facts)).await?;
    let actor = ctx.actor();
    let may = |a| policy::authorize(&actor, a).is_ok();
    render::page_titled(
        &ctx,
        "organisation",
        &org.name,
        json!({
            "org": views::org_card(&org),
            "description_html": text::render_markdown(&org.description),
            "role": facts.role.map(|r| r.as_str()),
            "may_edit": may(Action::EditOrganisation(&facts)),
            "may_view_members": may(Action::ViewMembers(&facts)),
            "may_leave": may(Action::LeaveOrganisation(&facts)),
        }),
    )
}

async fn edit_form(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::EditOrganisation(&facts)).await?;
    render::page(
        &ctx,
        "organisation_form",
        "organisation-edit-title",
        json!({
            "org": views::org_card(&org),
            "kinds": kind_options(Some(org.kind.as_str())),
            "form": { "name": org.name, "kind": org.kind, "website": org.website, "description": org.description },
        }),
    )
}

async fn update(form: CsrfForm<OrgForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let slug = slug.into_inner();
    let echo = json!(data);
    match actions::organisations::update_organisation(&ctx, slug.clone(), data.into()).await {
        Ok(org) => Ok(render::redirect_with(
            &format!("/organisations/{}", org.slug),
            "success",
            "flash-org-saved",
        )),
        Err(e) => {
            let (org, _) = actions::organisations::load_org(&ctx, slug).await?;
            render::form_error(
                &ctx,
                e,
                "organisation_form",
                "organisation-edit-title",
                echo,
                json!({ "org": views::org_card(&org), "kinds": kind_options(Some(org.kind.as_str())) }),
            )
        }
    }
}

async fn members_data(ctx: &Ctx, org: &Organisation, facts: &policy::OrgFacts) -> AppResult<Value> {
    let id = org.id;
    let list = ctx.db(move |conn| organisations::members(conn, id)).await?;
    let may_manage = policy::authorize(&ctx.actor(), Action::ManageMembers(facts)).is_ok();
    let me = ctx.user_id();
    let members: Vec<Value> = list
        .into_iter()
        .map(|m| json!({ "user_id": m.user_id, "display_name": m.display_name, "email": m.email, "role": m.role, "joined_at": m.joined_at, "is_me": Some(m.user_id) == me }))
        .collect();
    Ok(
        json!({ "org": views::org_card(org), "members": members, "may_manage": may_manage, "form": { "role": "member" } }),
    )
}

async fn members(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ViewMembers(&facts)).await?;
    let data = members_data(&ctx, &org, &facts).await?;
    render::page(&ctx, "members", "members-title", data)
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite(form: CsrfForm<InviteForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (org, facts) = actions::organisations::load_org(&ctx, slug.into_inner()).await?;
    let back = format!("/organisations/{}/members", org.slug);
    match actions::organisations::invite_member(
        &ctx,
        &org,
        &facts,
        data.email.clone(),
        data.role.clone(),
    )
    .await
    {
        Ok(_) => Ok(render::redirect_with(
            &back,
            "success",
            "flash-member-invited",
        )),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let page = members_data(&ctx, &org, &facts).await?;
            render::form_error(
                &ctx,
                e,
                "members",
                "members-title",
                json!({ "email": data.email, "role": data.role }),
                page,
            )
        }
        Err(e) => Err(e),
    }
}

async fn remove_member(
    form: CsrfForm<NoFields>,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, user_id) = path.into_inner();
    let org = actions::organisations::end_membership(&form.ctx, slug, user_id).await?;
    Ok(render::redirect_with(
        &format!("/organisations/{}/members", org.slug),
        "success",
        "flash-member-removed",
    ))
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn change_role(
    form: CsrfForm<RoleForm>,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, user_id) = path.into_inner();
    let org =
        actions::organisations::set_member_role(&form.ctx, slug, user_id, form.data.role).await?;
    Ok(render::redirect_with(
        &format!("/organisations/{}/members", org.slug),
        "success",
        "flash-role-changed",
    ))
}

async fn leave(form: CsrfForm<NoFields>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let me = ctx.require_user()?.id;
    let org = actions::organisations::end_membership(&ctx, slug.into_inner(), me).await?;
    Ok(render::redirect_with(
        &format!("/organisations/{}", org.slug),
        "success",
        "flash-org-left",
    ))
}
