//! `/api/v1/auth/*`, `/api/v1/me*` and invitations.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::domain::accounts::api_tokens;
use crate::domain::accounts::RegistrationInput;
use crate::domain::organisations;
use crate::error::AppResult;
use crate::kinds::{InvitationKind, OrgKind, Role};
use crate::web::actions;
use crate::web::context::Ctx;

/// Registers the account, token and invitation routes on the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/register", web::post().to(register))
        .route("/auth/verify", web::post().to(verify))
        .route("/auth/tokens", web::post().to(create_token))
        .route("/auth/tokens", web::get().to(list_tokens))
        .route("/auth/tokens/{id}", web::delete().to(revoke_token))
        .route("/me", web::get().to(me))
        .route("/me", web::delete().to(erase_me))
        .route("/me/export", web::get().to(export_me))
        .route("/me/invitations", web::get().to(my_invitations))
        .route(
            "/invitations/{id}/accept",
            web::post().to(accept_invitation),
        )
        .route(
            "/invitations/{id}/decline",
            web::post().to(decline_invitation),
        );
}

/// The body of `POST /auth/register`.
#[derive(Deserialize, ToSchema)]
pub struct RegisterBody {
    /// The sign-in address; stored trimmed and in lower case.
    pub email: String,
    /// 12 to 128 characters, and not easy to guess (nor made from the address or name).
    pub password: String,
    /// The name shown to others, at most 100 characters; must not be blank.
    pub display_name: String,
    /// `de` (default) or `en`.
    pub locale: Option<String>,
}

/// The answer to a registration. It is the same whether or not the address already had
/// an account (its owner is told by mail instead), so it names no account id: that is
/// `GET /api/v1/me` once signed in.
#[derive(Serialize, ToSchema)]
pub struct RegisteredUser {
    /// The address as stored: trimmed and in lower case.
    pub email: String,
    /// The name shown to others, trimmed.
    pub display_name: String,
    /// Always `"sent"`: a mail went to the address (a verification link for a new account).
    pub verification: &'static str,
}

/// Register an account; a verification mail is sent. An address that already has an
/// account gets the same answer, and its owner a notice by mail.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterBody,
    responses((status = 201, body = RegisteredUser), (status = 422, description = "invalid email, weak password"),
        (status = 429, description = "too many registrations from this client or for this address"),
        (status = 503, description = "too many registrations at once; see Retry-After")))]
pub async fn register(ctx: Ctx, body: web::Json<RegisterBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let registered = actions::accounts::register(
        &ctx,
        RegistrationInput {
            email: b.email,
            display_name: b.display_name,
            password: b.password,
            locale: b.locale,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(RegisteredUser {
        email: registered.email,
        display_name: registered.display_name,
        verification: "sent",
    }))
}

/// The body of `POST /auth/verify`.
#[derive(Deserialize, ToSchema)]
pub struct VerifyBody {
    /// The token from the link in the verification mail; it works once, within 48 hours.
    pub token: String,
}

/// Confirm an email address with the token from the verification mail.
#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "accounts", request_body = VerifyBody,
    responses((status = 200, body = Verified), (status = 422, description = "token unknown, used or expired")))]
pub async fn verify(ctx: Ctx, body: web::Json<VerifyBody>) -> AppResult<HttpResponse> {
    let user = actions::accounts::verify_email(&ctx, body.into_inner().token).await?;
    Ok(HttpResponse::Ok().json(Verified {
        id: user.id,
        verified: true,
    }))
}

/// An account whose address is confirmed.
#[derive(Serialize, ToSchema)]
pub struct Verified {
    /// The account.
    pub id: i64,
    /// Always true.
    pub verified: bool,
}

/// The body of `POST /auth/tokens`: the account's credentials and a name for the token.
#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    /// The account's sign-in address (case does not matter).
    pub email: String,
    /// The account's password.
    pub password: String,
    /// A name to recognise the token by.
    pub name: String,
}

/// A new API token.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// Shown only in this answer; use it as `Authorization: Bearer <token>`.
    pub token: String,
    /// The token's id, for revoking it with `DELETE /auth/tokens/{id}`.
    pub id: i64,
}

/// Create an API token with email and password (throttled like the login form).
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "accounts", request_body = TokenBody,
    responses((status = 201, body = CreatedToken), (status = 422, description = "wrong email or password"), (status = 429, description = "too many failed attempts")))]
pub async fn create_token(ctx: Ctx, body: web::Json<TokenBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let user = actions::accounts::check_password(&ctx, &b.email, b.password).await?;
    let (id, token) = actions::accounts::create_api_token(&ctx, user.id, b.name).await?;
    Ok(HttpResponse::Created().json(CreatedToken { token, id }))
}

/// The caller's live API tokens (without their secrets).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "accounts", responses((status = 200, body = [api_tokens::ApiToken])))]
pub async fn list_tokens(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let list = ctx.db(move |conn| api_tokens::list(conn, uid)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn revoke_token(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    actions::accounts::revoke_api_token(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An organisation the caller belongs to.
#[derive(Serialize, ToSchema)]
pub struct MyOrganisation {
    /// The organisation's id.
    pub id: i64,
    /// The organisation's name.
    pub name: String,
    /// agency, startup, civil_society or research.
    pub kind: OrgKind,
    /// The caller's role in it: `owner` (manages members and settings) or `member`.
    pub role: Role,
}

/// The caller's own account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The account's id.
    pub id: i64,
    /// The sign-in address, in lower case.
    pub email: String,
    /// The name shown to others.
    pub display_name: String,
    /// The preferred language for pages and mails: `de` or `en`.
    pub locale: String,
    /// Whether the address has been confirmed.
    pub email_verified: bool,
    /// Whether the account may use the platform administration.
    pub is_admin: bool,
    /// The organisations the caller belongs to, with their role in each.
    pub organisations: Vec<MyOrganisation>,
}

/// The caller's account and organisations.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = Me), (status = 401)))]
pub async fn me(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let user = ctx.require_user()?.clone();
    let uid = user.id;
    let orgs = ctx
        .db(move |conn| organisations::memberships_of(conn, uid))
        .await?;
    Ok(HttpResponse::Ok().json(Me {
        id: user.id,
        email_verified: user.is_verified(),
        is_admin: user.is_admin,
        email: user.email,
        display_name: user.display_name,
        locale: user.locale,
        organisations: orgs
            .into_iter()
            .map(|(o, r)| MyOrganisation {
                id: o.id,
                name: o.name,
                kind: o.kind,
                role: r,
            })
            .collect(),
    }))
}

/// A pending invitation: into an organisation, or into a challenge's evaluator pool.
#[derive(Serialize, ToSchema)]
pub struct InvitationItem {
    /// The invitation's id, for `/invitations/{id}/accept` and `/decline`.
    pub id: i64,
    /// `organisation` (membership) or `evaluator` (a challenge's evaluator pool).
    pub kind: InvitationKind,
    /// The organisation, or for `evaluator` the agency of the challenge.
    pub organisation_id: Option<i64>,
    /// That organisation's name.
    pub organisation_name: String,
    /// Only for `evaluator`.
    pub challenge_id: Option<i64>,
    /// The challenge's title; only for `evaluator`.
    pub challenge_title: Option<String>,
    /// Only for `organisation`.
    pub role: Option<Role>,
    /// When the invitation lapses.
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    pub expires_at: chrono::NaiveDateTime,
}

/// Pending invitations addressed to the caller's verified email address.
#[utoipa::path(get, path = "/api/v1/me/invitations", tag = "accounts", responses((status = 200, body = [InvitationItem])))]
pub async fn my_invitations(ctx: Ctx) -> AppResult<HttpResponse> {
    let items: Vec<InvitationItem> = actions::organisations::my_invitations(&ctx)
        .await?
        .into_iter()
        .map(|i| InvitationItem {
            id: i.id,
            kind: i.kind,
            organisation_id: i.organisation_id,
            organisation_name: i.organisation_name,
            challenge_id: i.challenge_id,
            challenge_title: i.challenge_title,
            role: i.role,
            expires_at: i.expires_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// An invitation answered: what the person joined (or did not).
#[derive(Serialize, ToSchema)]
pub struct InvitationAnswered {
    /// For a membership invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<i64>,
    /// For an invitation to evaluate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<i64>,
    /// `accepted` or `declined`.
    pub status: String,
}

fn answered(a: actions::organisations::Answered, status: &str) -> HttpResponse {
    let (organisation_id, challenge_id) = match a {
        actions::organisations::Answered::Organisation(id) => (Some(id), None),
        actions::organisations::Answered::Evaluator(id) => (None, Some(id)),
    };
    HttpResponse::Ok().json(InvitationAnswered {
        organisation_id,
        challenge_id,
        status: status.into(),
    })
}

/// Accept an invitation.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/accept", tag = "accounts",
    params(("id" = i64, Path)), responses((status = 200, body = InvitationAnswered), (status = 404)))]
pub async fn accept_invitation(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let a = actions::organisations::answer_invitation(&ctx, id.into_inner(), true).await?;
    Ok(answered(a, "accepted"))
}

/// Decline an invitation.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/decline", tag = "accounts",
    params(("id" = i64, Path)), responses((status = 200, body = InvitationAnswered), (status = 404)))]
pub async fn decline_invitation(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let a = actions::organisations::answer_invitation(&ctx, id.into_inner(), false).await?;
    Ok(answered(a, "declined"))
}

/// Everything stored about the caller (DSGVO Art. 15 and 20): account, memberships,
/// proposals and messages they wrote, reviews, questions, sessions and tokens as
/// metadata, notifications, audit entries about them. Each list is capped at 10,000
/// entries (`truncated` says when more exist). At most 10 an hour.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts",
    responses((status = 200, description = "the export as JSON", body = Object), (status = 401), (status = 429)))]
pub async fn export_me(ctx: Ctx) -> AppResult<HttpResponse> {
    crate::web::downloads::personal_data(ctx).await
}

/// The body of `DELETE /me`.
#[derive(Deserialize, ToSchema)]
pub struct EraseBody {
    /// The account's password, again.
    pub password: String,
}

/// Erase the caller's account (DSGVO Art. 17): address, name, password, sessions,
/// tokens, memberships and the personal data of audit entries about them go; what they
/// wrote for their organisations stays, shown under "Gelöschtes Konto · Deleted
/// account". 409 while the caller is the last owner of an organisation with other members.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts", request_body = EraseBody,
    responses((status = 204), (status = 401), (status = 409), (status = 422, description = "wrong password")))]
pub async fn erase_me(ctx: Ctx, body: web::Json<EraseBody>) -> AppResult<HttpResponse> {
    actions::personal_data::erase_account(&ctx, body.into_inner().password).await?;
    Ok(HttpResponse::NoContent().finish())
}
