//! `/api/v1/organisations*` and the admin verification.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::domain::organisations::{self, OrgInput, Organisation};
use crate::domain::pagination::{Page, PageRequest, Paged};
use crate::error::{AppError, AppResult};
use crate::kinds::{OrgKind, Role};
use crate::web::actions;
use crate::web::context::Ctx;

/// Registers the organisation, membership and admin verification routes on `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organisations", web::post().to(create))
        .route("/organisations", web::get().to(list))
        .route("/organisations/{id}", web::get().to(show))
        .route("/organisations/{id}/members", web::get().to(members))
        .route("/organisations/{id}/members", web::post().to(add_member))
        .route(
            "/organisations/{id}/members/{user_id}",
            web::delete().to(remove_member),
        )
        .route("/admin/organisations/{id}/verify", web::post().to(verify));
}

/// The body of `POST /organisations`.
#[derive(Deserialize, ToSchema)]
pub struct OrgBody {
    /// The name shown everywhere, at most 150 characters; must not be blank.
    pub name: String,
    /// agency (publishes challenges), startup, civil_society or research (propose); fixed once
    /// created.
    pub kind: OrgKind,
    /// An `http://` or `https://` address without spaces, at most 300 characters; absent or
    /// empty for none.
    pub website: Option<String>,
    /// Markdown; rendered sanitised on the profile page.
    pub description: Option<String>,
}

/// An organisation's public profile.
#[derive(Serialize, ToSchema)]
pub struct OrgProfile {
    /// The organisation's id, as in `/api/v1/organisations/{id}`.
    pub id: i64,
    /// The unique name in its web address (`/organisations/<slug>`), made from the name at
    /// creation.
    pub slug: String,
    /// The name shown everywhere, at most 150 characters.
    pub name: String,
    /// agency, startup, civil_society or research.
    pub kind: OrgKind,
    /// An `http(s)` address; `null` if none was given.
    pub website: Option<String>,
    /// The profile text in Markdown (at most 20,000 characters); may be empty.
    pub description: String,
    /// Whether a platform admin has verified it; only agencies ever are, and only verified
    /// agencies may publish challenges.
    pub verified: bool,
    /// When it was created.
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    pub created_at: chrono::NaiveDateTime,
}

impl From<Organisation> for OrgProfile {
    fn from(o: Organisation) -> Self {
        OrgProfile {
            verified: o.is_verified(),
            id: o.id,
            slug: o.slug,
            name: o.name,
            kind: o.kind,
            website: o.website,
            description: o.description,
            created_at: o.created_at,
        }
    }
}

/// Create an organisation; the caller becomes its owner. Agencies start unverified.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrgBody,
    responses((status = 201, body = OrgProfile), (status = 409, description = "email not verified"), (status = 422)))]
pub async fn create(ctx: Ctx, body: web::Json<OrgBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let org = actions::organisations::create_organisation(
        &ctx,
        OrgInput {
            name: b.name,
            kind: b.kind.as_str().to_string(),
            website: b.website,
            description: b.description,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(OrgProfile::from(org)))
}

/// The query string of `GET /organisations`: an optional kind, and the page.
#[derive(Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The public directory of organisations.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    params(("kind" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<OrgProfile>)))]
pub async fn list(ctx: Ctx, q: web::Query<ListQuery>) -> AppResult<HttpResponse> {
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(
            OrgKind::parse(k).ok_or_else(|| AppError::BadRequest(format!("unknown kind {k:?}")))?,
        ),
    };
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: q.per_page,
        }),
        20,
    );
    let list = ctx
        .db(move |conn| organisations::list(conn, kind, page))
        .await?;
    Ok(HttpResponse::Ok().json(list.map(OrgProfile::from)))
}

/// An organisation's public profile.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = i64, Path)), responses((status = 200, body = OrgProfile), (status = 404)))]
pub async fn show(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org_by_id(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewOrganisation(&facts)).await?;
    Ok(HttpResponse::Ok().json(OrgProfile::from(org)))
}

/// A member of an organisation; only its members and the admins get these.
#[derive(Serialize, ToSchema)]
pub struct MemberItem {
    /// The member's account; the id to send to `DELETE /organisations/{id}/members/{user_id}`.
    pub user_id: i64,
    /// The name the member shows others.
    pub display_name: String,
    /// The member's sign-in address.
    pub email: String,
    /// `owner` (manages members and settings) or `member`.
    pub role: Role,
}

/// Members of the organisation (members and admins only).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/members", tag = "organisations",
    params(("id" = i64, Path)), responses((status = 200, body = [MemberItem]), (status = 403)))]
pub async fn members(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org_by_id(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewMembers(&facts)).await?;
    let list = ctx
        .db(move |conn| organisations::members(conn, org.id))
        .await?;
    let items: Vec<MemberItem> = list
        .into_iter()
        .map(|m| MemberItem {
            user_id: m.user_id,
            display_name: m.display_name,
            email: m.email,
            role: m.role,
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// The body of `POST /organisations/{id}/members`.
#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    /// The address to invite; it need not have an account yet.
    pub email: String,
    /// `owner` or `member`.
    pub role: String,
}

/// Invite a member by email. Every address is invited and joins when the person accepts;
/// the answer is the same whether or not the address has an account.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/members", tag = "organisations",
    params(("id" = i64, Path)), request_body = MemberBody,
    responses((status = 201, body = MemberInvited), (status = 403), (status = 422),
        (status = 429, description = "too many invitations from this organisation or to this address")))]
pub async fn add_member(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<MemberBody>,
) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org_by_id(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let invited =
        actions::organisations::invite_member(&ctx, &org, &facts, b.email, b.role).await?;
    Ok(HttpResponse::Created().json(MemberInvited {
        status: "invited".into(),
        invitation_id: invited.invitation_id,
    }))
}

/// A membership invitation sent.
#[derive(Serialize, ToSchema)]
pub struct MemberInvited {
    /// Always `invited`: the person joins on accepting.
    pub status: String,
    /// The invitation sent; the invited person accepts or declines it under this id.
    pub invitation_id: i64,
}

/// Remove a member (owners), or leave (one's own id). The last owner cannot go (409).
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/members/{user_id}", tag = "organisations",
    params(("id" = i64, Path), ("user_id" = i64, Path)), responses((status = 204), (status = 403), (status = 409)))]
pub async fn remove_member(ctx: Ctx, path: web::Path<(i64, i64)>) -> AppResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    let (org, _) = actions::organisations::load_org_by_id(&ctx, id).await?;
    actions::organisations::end_membership(&ctx, org.slug, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Verify an agency (platform admins only).
#[utoipa::path(post, path = "/api/v1/admin/organisations/{id}/verify", tag = "admin",
    params(("id" = i64, Path)), responses((status = 200, body = OrgProfile), (status = 403), (status = 409)))]
pub async fn verify(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let org = actions::organisations::verify_organisation(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OrgProfile::from(org)))
}
