//! Pages for getting into an account: register, confirm the email address, log in and
//! out, forgot and reset password. Links in mails lead to a confirmation form; only its
//! POST changes anything.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::accounts::{self, RegistrationInput};
use crate::error::{AppError, AppResult};
use crate::kinds::TokenPurpose;
use crate::web::actions;
use crate::web::context::{Ctx, SESSION_COOKIE};
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::render;

/// Registration, email confirmation, login, logout and the password reset.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register_form))
        .route("/register", web::post().to(register))
        .route("/verify", web::get().to(verify_form))
        .route("/verify", web::post().to(verify))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/password/forgot", web::get().to(forgot_form))
        .route("/password/forgot", web::post().to(forgot))
        .route("/password/reset", web::get().to(reset_form))
        .route("/password/reset", web::post().to(reset));
}

/// The registration form as typed; it goes back into the form (without the password)
/// when something is wrong.
#[derive(Deserialize, serde::Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    locale: Option<String>,
}

async fn register_form(ctx: Ctx) -> AppResult<HttpResponse> {
    if ctx.user.is_some() {
        return Ok(render::redirect("/account"));
    }
    render::page(
        &ctx,
        "register",
        "register-title",
        json!({ "form": { "locale": ctx.lang.code() } }),
    )
}

async fn register(form: CsrfForm<RegisterForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let echo =
        json!({ "email": data.email, "display_name": data.display_name, "locale": data.locale });
    let input = RegistrationInput {
        email: data.email,
        display_name: data.display_name,
        password: data.password,
        locale: data.locale,
    };
    match actions::accounts::register(&ctx, input).await {
        Ok(registered) => render::page(
            &ctx,
            "registered",
            "registered-title",
            json!({ "email": registered.email }),
        ),
        Err(e) => render::form_error(&ctx, e, "register", "register-title", echo, json!({})),
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn verify_form(ctx: Ctx, q: web::Query<TokenQuery>) -> AppResult<HttpResponse> {
    token_page(
        &ctx,
        q.into_inner().token,
        TokenPurpose::Verify,
        "verify",
        "verify-title",
    )
    .await
}

/// Shows the confirmation form for a mailed token, or says at once why it cannot be used.
async fn token_page(
    ctx: &Ctx,
    token: Option<String>,
    purpose: TokenPurpose,
    page: &str,
    title: &str,
) -> AppResult<HttpResponse> {
    let token = token.unwrap_or_default();
    let probe = token.clone();
    let checked = ctx
        .db(move |conn| accounts::check_token(conn, &probe, purpose))
        .await;
    match checked {
        Ok(_) => render::page(ctx, page, title, json!({ "token": token })),
        Err(e) => render::form_error(ctx, e, page, title, json!({}), json!({ "token": null })),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

async fn verify(form: CsrfForm<TokenForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    match actions::accounts::verify_email(&ctx, data.token).await {
        Ok(_) => {
            let target = if ctx.user.is_some() {
                "/account"
            } else {
                "/login"
            };
            Ok(render::redirect_with(
                target,
                "success",
                "flash-email-verified",
            ))
        }
        Err(e) => render::form_error(
            &ctx,
            e,
            "verify",
            "verify-title",
            json!({}),
            json!({ "token": null }),
        ),
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(ctx: Ctx, q: web::Query<NextQuery>) -> AppResult<HttpResponse> {
    let next = render::safe_next(q.next.as_deref());
    if ctx.user.is_some() {
        return Ok(render::redirect(&next));
    }
    render::page(&ctx, "login", "login-title", json!({ "next": next }))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(form: CsrfForm<LoginForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let next = render::safe_next(data.next.as_deref());
    match actions::accounts::login(&ctx, &data.email, data.password).await {
        Ok((_, token)) => {
            let mut resp = render::redirect_with(&next, "success", "flash-logged-in");
            resp.add_cookie(&session_cookie(&ctx, token))
                .map_err(AppError::internal)?;
            Ok(resp)
        }
        Err(e) => render::form_error(
            &ctx,
            e,
            "login",
            "login-title",
            json!({ "email": data.email }),
            json!({ "next": next }),
        ),
    }
}

fn session_cookie(ctx: &Ctx, token: String) -> Cookie<'static> {
    Cookie::build(ctx.state.cookie_name(SESSION_COOKIE), token)
        .path("/")
        .http_only(true)
        .secure(ctx.state.config.is_https())
        .same_site(SameSite::Lax)
        .finish()
}

async fn logout(form: CsrfForm<NoFields>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    if ctx.session_id().is_some() {
        let token = ctx.csrf_binding.clone();
        let (uid, ip) = (ctx.user_id(), ctx.ip.clone());
        ctx.tx(move |conn| {
            crate::domain::accounts::sessions::end(conn, &token)?;
            crate::domain::audit::append(
                conn,
                crate::domain::audit::Event::new(uid, "logout", "user", uid).ip(&ip),
            )
        })
        .await?;
    }
    let mut resp = render::redirect_with("/", "success", "flash-logged-out");
    let mut gone = session_cookie(&ctx, String::new());
    gone.make_removal();
    resp.add_cookie(&gone).map_err(AppError::internal)?;
    Ok(resp)
}

async fn forgot_form(ctx: Ctx) -> AppResult<HttpResponse> {
    render::page(&ctx, "forgot", "forgot-title", json!({}))
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(form: CsrfForm<ForgotForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let echo = json!({ "email": data.email });
    match actions::accounts::request_reset(&ctx, data.email).await {
        Ok(()) => render::page(&ctx, "forgot_sent", "forgot-title", json!({})),
        Err(e) => render::form_error(&ctx, e, "forgot", "forgot-title", echo, json!({})),
    }
}

async fn reset_form(ctx: Ctx, q: web::Query<TokenQuery>) -> AppResult<HttpResponse> {
    token_page(
        &ctx,
        q.into_inner().token,
        TokenPurpose::Reset,
        "reset",
        "reset-title",
    )
    .await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset(form: CsrfForm<ResetForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let token = data.token.clone();
    match actions::accounts::reset_password(&ctx, data.token, data.password).await {
        Ok(_) => Ok(render::redirect_with(
            "/login",
            "success",
            "flash-password-reset",
        )),
        Err(e) => {
            // A problem with the new password keeps the form; a bad token cannot be retried.
            let keep = matches!(&e, AppError::Validation(f) if f.get("token").is_none());
            render::form_error(
                &ctx,
                e,
                "reset",
                "reset-title",
                json!({}),
                json!({ "token": if keep { Some(token) } else { None } }),
            )
        }
    }
}
