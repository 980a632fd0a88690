//! Account settings: profile and language, password, API tokens, active sessions, the
//! confirmation mail again, open invitations, and the person's data: its export and the
//! erasure of the account.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::accounts::{api_tokens, sessions};
use crate::domain::evaluation::evaluators;
use crate::domain::{accounts, audit, organisations};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::middleware::lang_cookie;
use crate::web::render;

/// The account pages under `/account`, the invitations and the language switch.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(settings))
        .route("/account/profile", web::post().to(update_profile))
        .route("/account/password", web::post().to(change_password))
        .route("/account/verification", web::post().to(resend_verification))
        .route(
            "/account/export",
            web::get().to(crate::web::downloads::personal_data),
        )
        .route("/account/delete", web::post().to(erase))
        .route("/account/tokens", web::post().to(create_token))
        .route("/account/tokens/{id}/revoke", web::post().to(revoke_token))
        .route(
            "/account/sessions/{id}/revoke",
            web::post().to(revoke_session),
        )
        .route("/invitations", web::get().to(invitations))
        .route(
            "/invitations/{id}/accept",
            web::post().to(accept_invitation),
        )
        .route(
            "/invitations/{id}/decline",
            web::post().to(decline_invitation),
        )
        .route("/language", web::post().to(switch_language));
}

/// Everything the settings page lists.
async fn settings_data(ctx: &Ctx) -> AppResult<Value> {
    let user = ctx.require_user()?.clone();
    let current = ctx.session_id();
    let uid = user.id;
    let me = user.clone();
    let (tokens, sessions, orgs, invitations) = ctx
        .db(move |conn| {
            Ok((
                api_tokens::list(conn, uid)?,
                sessions::list(conn, uid)?,
                organisations::memberships_of(conn, uid)?,
                organisations::invitations_for(conn, &me)?.len()
                    + evaluators::invitations_for(conn, &me)?.len(),
            ))
        })
        .await?;
    let sessions: Vec<Value> = sessions
        .into_iter()
        .map(|s| json!({ "id": s.id, "created_at": s.created_at, "last_seen_at": s.last_seen_at, "user_agent": s.user_agent, "ip": s.ip, "current": Some(s.id) == current }))
        .collect();
    let orgs: Vec<Value> = orgs
        .into_iter()
        .map(|(o, r)| json!({ "name": o.name, "slug": o.slug, "kind": o.kind, "role": r.as_str() }))
        .collect();
    Ok(json!({
        "account": { "email": user.email, "display_name": user.display_name, "locale": user.locale, "verified": user.is_verified() },
        "form": { "display_name": user.display_name, "locale": user.locale },
        "tokens": tokens,
        "sessions": sessions,
        "organisations": orgs,
        "open_invitations": invitations,
        "new_token": null,
    }))
}

async fn settings(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let data = settings_data(&ctx).await?;
    render::page(&ctx, "account", "account-title", data)
}

/// Re-renders the settings page with a problem in one of its forms.
async fn settings_error(ctx: &Ctx, e: AppError, form: Value) -> AppResult<HttpResponse> {
    let mut data = settings_data(ctx).await?;
    if let (Value::Object(d), Value::Object(f)) = (&mut data, form) {
        if let Some(Value::Object(existing)) = d.get_mut("form") {
            existing.extend(f);
        }
    }
    let form = data.get("form").cloned().unwrap_or(Value::Null);
    render::form_error(ctx, e, "account", "account-title", form, data)
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
}

async fn update_profile(form: CsrfForm<ProfileForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    let (name, locale) = (data.display_name.clone(), data.locale.clone());
    match ctx
        .tx(move |conn| accounts::update_profile(conn, uid, &name, &locale))
        .await
    {
        Ok(user) => {
            let mut resp = render::redirect_with("/account", "success", "flash-profile-saved");
            resp.add_cookie(&lang_cookie(user.lang(), ctx.state.config.is_https()))
                .map_err(AppError::internal)?;
            Ok(resp)
        }
        Err(e) => {
            settings_error(
                &ctx,
                e,
                json!({ "display_name": data.display_name, "locale": data.locale }),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(form: CsrfForm<PasswordForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    ctx.authorize(Action::ManageOwnAccount).await?;
    match actions::accounts::change_password(&ctx, data.current_password, data.new_password).await {
        Ok(()) => Ok(render::redirect_with(
            "/account",
            "success",
            "flash-password-changed",
        )),
        Err(e) => settings_error(&ctx, e, json!({})).await,
    }
}

async fn resend_verification(form: CsrfForm<NoFields>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    ctx.authorize(Action::ManageOwnAccount).await?;
    actions::accounts::resend_verification(&ctx).await?;
    Ok(render::redirect_with(
        "/account",
        "info",
        "flash-verification-sent",
    ))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(form: CsrfForm<TokenForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    ctx.authorize(Action::ManageOwnAccount).await?;
    let uid = ctx.require_user()?.id;
    match actions::accounts::create_api_token(&ctx, uid, data.name.clone()).await {
        // Shown once, on this response only: the database keeps just its hash.
        Ok((_, token)) => {
            let mut page = settings_data(&ctx).await?;
            page["new_token"] = json!(token);
            render::page(&ctx, "account", "account-title", page)
        }
        Err(e) => settings_error(&ctx, e, json!({ "token_name": data.name })).await,
    }
}

async fn revoke_token(form: CsrfForm<NoFields>, path: web::Path<i64>) -> AppResult<HttpResponse> {
    actions::accounts::revoke_api_token(&form.ctx, path.into_inner()).await?;
    Ok(render::redirect_with(
        "/account",
        "success",
        "flash-token-revoked",
    ))
}

async fn revoke_session(form: CsrfForm<NoFields>, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    ctx.authorize(Action::ManageOwnAccount).await?;
    let (uid, sid, ip) = (ctx.require_user()?.id, path.into_inner(), ctx.ip.clone());
    ctx.tx(move |conn| {
        if !sessions::revoke(conn, uid, sid)? {
            return Err(AppError::NotFound);
        }
        audit::append(
            conn,
            audit::Event::new(Some(uid), "session_revoked", "session", Some(sid)).ip(&ip),
        )
    })
    .await?;
    if Some(sid) == ctx.session_id() {
        return Ok(render::redirect_with("/", "info", "flash-logged-out"));
    }
    Ok(render::redirect_with(
        "/account",
        "success",
        "flash-session-revoked",
    ))
}

#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn erase(form: CsrfForm<EraseForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    ctx.authorize(Action::ManageOwnAccount).await?;
    let erased = if data.confirm == "yes" {
        actions::personal_data::erase_account(&ctx, data.password).await
    } else {
        Err(AppError::Validation({
            let mut e = crate::error::FieldErrors::new();
            e.add("confirm", "account-delete-confirm-required");
            e
        }))
    };
    match erased {
        Ok(_) => {
            let mut resp = render::redirect_with("/", "success", "flash-account-erased");
            let mut gone = actix_web::cookie::Cookie::build(
                ctx.state.cookie_name(crate::web::context::SESSION_COOKIE),
                "",
            )
            .path("/")
            .finish();
            gone.make_removal();
            resp.add_cookie(&gone).map_err(AppError::internal)?;
            Ok(resp)
        }
        Err(e) => settings_error(&ctx, e, json!({})).await,
    }
}

async fn invitations(ctx: Ctx) -> AppResult<HttpResponse> {
    let list = actions::organisations::my_invitations(&ctx).await?;
    render::page(
        &ctx,
        "invitations",
        "invitations-title",
        json!({ "invitations": list }),
    )
}

async fn accept_invitation(
    form: CsrfForm<NoFields>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    match actions::organisations::answer_invitation(&ctx, path.into_inner(), true).await? {
        actions::organisations::Answered::Organisation(org_id) => {
            let org = ctx
                .db(move |conn| organisations::find(conn, org_id))
                .await?;
            Ok(render::redirect_with(
                &format!("/organisations/{}", org.slug),
                "success",
                "flash-invitation-accepted",
            ))
        }
        actions::organisations::Answered::Evaluator(_) => Ok(render::redirect_with(
            "/evaluation",
            "success",
            "flash-evaluator-accepted",
        )),
    }
}

async fn decline_invitation(
    form: CsrfForm<NoFields>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    actions::organisations::answer_invitation(&form.ctx, path.into_inner(), false).await?;
    Ok(render::redirect_with(
        "/invitations",
        "info",
        "flash-invitation-declined",
    ))
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    back: Option<String>,
}

/// The header's language switch: a cookie for everybody, the account setting too.
async fn switch_language(form: CsrfForm<LanguageForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let lang =
        Lang::parse(&data.lang).ok_or_else(|| AppError::BadRequest("unknown language".into()))?;
    if let Some(uid) = ctx.user_id() {
        ctx.tx(move |conn| accounts::set_locale(conn, uid, lang))
            .await?;
    }
    let mut resp = render::redirect(&render::safe_next(data.back.as_deref()));
    resp.add_cookie(&lang_cookie(lang, ctx.state.config.is_https()))
        .map_err(AppError::internal)?;
    Ok(resp)
}
