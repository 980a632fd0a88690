//! Accounts: registration and email verification, login with its throttle, password
//! reset and change, and API tokens.

use std::time::Duration;

use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::mails::{link, rendered, send_mail};
use crate::auth::policy::Action;
use crate::auth::{passwords, throttle};
use crate::domain::accounts::{self, RegistrationInput, User};
use crate::domain::accounts::{api_tokens, sessions};
use crate::domain::audit::{self, Event};
use crate::domain::rate;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::context::Ctx;

/// What registration answers, whether or not the address already had an account.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The address as registered: trimmed and lower-cased.
    pub email: String,
    /// The display name as it passed validation.
    pub display_name: String,
}

/// Addresses registration may be tried for per hour, per typed address (known or not).
const REGISTRATIONS_PER_ADDRESS: i64 = 3;

/// Creates an account and mails the verification link. For an address that already has
/// an account, its owner gets a notice instead, and the answer is the same, given after
/// about as long as a new account's hash takes (waited, not computed): registration does
/// not tell who has an account. The limits per client and per address come before the
/// lookup and the hash, so a flood costs a count per request, not a hash.
pub async fn register(ctx: &Ctx, input: RegistrationInput) -> AppResult<Registered> {
    let (ip, per_ip) = (ctx.ip.clone(), ctx.state.config.registrations_per_hour);
    if per_ip > 0 {
        ctx.tx(move |conn| rate::hit(conn, "register_ip", &ip, per_ip, chrono::Duration::hours(1)))
            .await?;
    }
    let password = input.password.clone();
    let valid = ctx
        .db(move |_| accounts::validate_registration(&input))
        .await?;
    // Per address only what passed the checks, which is what mails and hashes: a
    // person correcting a weak password is not locked out.
    let typed = valid.email.clone();
    ctx.tx(move |conn| {
        rate::hit(
            conn,
            "register_email",
            &typed,
            REGISTRATIONS_PER_ADDRESS,
            chrono::Duration::hours(1),
        )
    })
    .await?;
    let answer = Registered {
        email: valid.email.clone(),
        display_name: valid.display_name.clone(),
    };
    let email = valid.email.clone();
    if let Some(owner) = ctx
        .db(move |conn| accounts::find_by_email(conn, &email))
        .await?
    {
        let started = std::time::Instant::now();
        notify_account_exists(ctx, &owner).await;
        let typical = ctx.state.hasher.typical_hash_time();
        actix_web::rt::time::sleep(typical.saturating_sub(started.elapsed())).await;
        return Ok(answer);
    }
    let hash = ctx.state.hasher.hash_for_registration(password).await?;
    let ip = ctx.ip.clone();
    let created = ctx
        .tx(move |conn| {
            let (user, token) = accounts::register(conn, &valid, &hash)?;
            audit::append(
                conn,
                Event::new(Some(user.id), "user_registered", "user", Some(user.id)).ip(&ip),
            )?;
            Ok((user, token))
        })
        .await;
    match created {
        Ok((user, token)) => send_verification(ctx, &user, &token).await,
        // Someone registered the address in the meantime: the same answer as above.
        Err(AppError::Validation(_) | AppError::Conflict { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(answer)
}

/// Tells the owner of an address that someone tried to register it: a login link and
/// the reset link for a forgotten password, or a fresh verification link for an account
/// not yet confirmed. At most a few a day per account, so registration cannot be used to
/// flood someone's mailbox.
async fn notify_account_exists(ctx: &Ctx, owner: &User) {
    let uid = owner.id;
    let verified = owner.is_verified();
    let token = ctx
        .tx(move |conn| {
            rate::hit(
                conn,
                "account_exists_mail",
                &uid.to_string(),
                3,
                chrono::Duration::days(1),
            )?;
            if verified {
                Ok(None)
            } else {
                accounts::issue_token(conn, uid, crate::kinds::TokenPurpose::Verify).map(Some)
            }
        })
        .await;
    match token {
        Ok(Some(token)) => send_verification(ctx, owner, &token).await,
        Ok(None) => {
            send_mail(
                ctx,
                &owner.email,
                owner.lang(),
                "account_exists",
                "mail-account-exists-subject",
                json!({
                    "name": owner.display_name,
                    "login": link(ctx, "/login"),
                    "reset": link(ctx, "/password/forgot"),
                }),
            )
            .await
        }
        Err(e) => tracing::info!(error = %e, "no account notice sent"),
    }
}

async fn send_verification(ctx: &Ctx, user: &User, token: &str) {
    let url = link(
        ctx,
        &format!("/verify?token={}", urlencoding::encode(token)),
    );
    send_mail(
        ctx,
        &user.email,
        user.lang(),
        "verify",
        "mail-verify-subject",
        json!({ "name": user.display_name, "link": url, "hours": accounts::VERIFY_TOKEN_HOURS }),
    )
    .await;
}

/// Sends a fresh verification link to the logged-in, still unverified user.
pub async fn resend_verification(ctx: &Ctx) -> AppResult<()> {
    let user = ctx.require_user()?.clone();
    if user.is_verified() {
        return Ok(());
    }
    let uid = user.id;
    let token = ctx
        .tx(move |conn| {
            rate::hit(
                conn,
                "verify_mail",
                &uid.to_string(),
                5,
                chrono::Duration::hours(1),
            )?;
            accounts::issue_token(conn, uid, crate::kinds::TokenPurpose::Verify)
        })
        .await?;
    send_verification(ctx, &user, &token).await;
    Ok(())
}

/// Uses up a verification token and marks its account's address confirmed (audited).
/// An unknown, used or expired token is a validation error on `token`.
pub async fn verify_email(ctx: &Ctx, token: String) -> AppResult<User> {
    let ip = ctx.ip.clone();
    ctx.tx(move |conn| {
        let user = accounts::verify_email(conn, &token)?;
        audit::append(
            conn,
            Event::new(Some(user.id), "email_verified", "user", Some(user.id)).ip(&ip),
        )?;
        Ok(user)
    })
    .await
}

/// Checks email and password with throttling; every attempt is recorded and audited.
/// Unknown addresses cost the same time as wrong passwords.
pub async fn check_password(ctx: &Ctx, email: &str, password: String) -> AppResult<User> {
    let email = crate::text::clean(email).trim().to_lowercase();
    if email.is_empty() || password.is_empty() {
        let mut e = FieldErrors::new();
        if email.is_empty() {
            e.add("email", "field-required");
        }
        if password.is_empty() {
            e.add("password", "field-required");
        }
        return Err(AppError::Validation(e));
    }
    let (ip, lookup) = (ctx.ip.clone(), email.clone());
    let (attempt, user) = ctx
        .db(move |conn| {
            let attempt = throttle::begin(conn, &lookup, &ip)?;
            Ok((attempt, accounts::find_by_email(conn, &lookup)?))
        })
        .await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| passwords::dummy_hash().to_string());
    let ok = ctx
        .state
        .hasher
        .verify(password.clone(), stored.clone())
        .await?
        && user.is_some();
    let ip = ctx.ip.clone();
    let uid = user.as_ref().map(|u| u.id);
    // What was typed is kept only when it is an account's address (as personal data,
    // erased with the account): an unknown one may be a mistyped address of someone
    // else, or a password typed into the wrong field.
    let (details, personal) = match uid {
        Some(_) => (json!({}), json!({ "email": email })),
        None => (json!({ "unknown_address": true }), json!({})),
    };
    ctx.tx(move |conn| {
        throttle::settle(conn, attempt, ok)?;
        let action = if ok {
            "login_succeeded"
        } else {
            "login_failed"
        };
        audit::append(
            conn,
            Event::new(uid, action, "user", uid)
                .details(details)
                .personal(personal)
                .ip(&ip),
        )
    })
    .await?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(FieldErrors::single("password", "login-failed")),
    };
    if passwords::needs_rehash(&stored) {
        let hash = ctx.state.hasher.hash(password).await?;
        let uid = user.id;
        ctx.tx(move |conn| accounts::set_password_hash(conn, uid, &hash, None))
            .await?;
    }
    Ok(user)
}

/// Logs in: a new session (and so a new id) every time.
pub async fn login(ctx: &Ctx, email: &str, password: String) -> AppResult<(User, String)> {
    let user = check_password(ctx, email, password).await?;
    let previous = ctx.session_id().map(|_| ctx.csrf_binding.clone());
    let (uid, ua, ip, limits) = (
        user.id,
        ctx.user_agent.clone(),
        ctx.ip.clone(),
        ctx.state.session_limits(),
    );
    let token = ctx
        .tx(move |conn| {
            // Logging in over a live session replaces it rather than leaving it behind.
            if let Some(old) = previous {
                sessions::end(conn, &old)?;
            }
            sessions::create(conn, uid, &ua, &ip, limits)
        })
        .await?;
    Ok((user, token))
}

/// The earliest a reset request is answered, for a known address and an unknown one
/// alike. The known one costs a write (token, audit entry) and handing a mail over,
/// which on a healthy machine takes well below this; waiting both out to this floor
/// keeps the time of the answer from telling who has an account, and a person asking
/// for a link does not notice a third of a second.
pub const RESET_ANSWER_FLOOR: Duration = Duration::from_millis(300);

/// Mails a reset link if the address has an account. The answer is the same either way
/// and comes at [`RESET_ANSWER_FLOOR`]: the mail goes out in the background and is
/// waited for no longer than that, so a slow mail relay cannot tell either.
pub async fn request_reset(ctx: &Ctx, email: String) -> AppResult<()> {
    if crate::text::normalise_email(&email).is_none() {
        return Err(FieldErrors::single("email", "email-invalid"));
    }
    let answer_at = Instant::now() + RESET_ANSWER_FLOOR;
    let ip = ctx.ip.clone();
    let found = ctx
        .tx(move |conn| {
            // Limits per typed address and per client, whether or not the address exists.
            let key = email.trim().to_lowercase();
            rate::hit(conn, "reset_email", &key, 5, chrono::Duration::hours(1))?;
            rate::hit(conn, "reset_ip", &ip, 20, chrono::Duration::hours(1))?;
            let found = accounts::request_reset(conn, &email)?;
            if let Some((u, _)) = &found {
                audit::append(
                    conn,
                    Event::new(Some(u.id), "password_reset_requested", "user", Some(u.id)).ip(&ip),
                )?;
            }
            Ok(found)
        })
        .await?;
    let mail = found.and_then(|(user, token)| {
        let url = link(
            ctx,
            &format!("/password/reset?token={}", urlencoding::encode(&token)),
        );
        rendered(
            ctx,
            &user.email,
            user.lang(),
            "reset",
            "mail-reset-subject",
            json!({ "name": user.display_name, "link": url, "minutes": accounts::RESET_TOKEN_MINUTES }),
        )
    });
    let sending = mail.map(|mail| {
        let mailer = ctx.state.mailer.clone();
        actix_web::rt::spawn(async move { mailer.send(mail).await })
    });
    answer_at_floor(answer_at, sending).await;
    Ok(())
}

/// Returns at `at`, not sooner, having waited for `work` (running by itself) until then
/// at most: the answer takes the same time whether there was work or not, and work that
/// takes longer goes on after the answer instead of delaying it.
async fn answer_at_floor(at: Instant, work: Option<JoinHandle<()>>) {
    if let Some(work) = work {
        let _ = tokio::time::timeout_at(at, work).await;
    }
    tokio::time::sleep_until(at).await;
}

async fn notify_password_changed(ctx: &Ctx, user: &User) {
    send_mail(
        ctx,
        &user.email,
        user.lang(),
        "password_changed",
        "mail-password-changed-subject",
        json!({ "name": user.display_name, "link": link(ctx, "/password/forgot") }),
    )
    .await;
}

/// Sets a new password with a reset token, ends all sessions and sends a notice.
pub async fn reset_password(ctx: &Ctx, token: String, password: String) -> AppResult<User> {
    let mut errors = FieldErrors::new();
    passwords::check_strength(&password, &[], "password", &mut errors);
    errors.into_result()?;
    // Say what is wrong with the token before spending a hash on it.
    let probe = token.clone();
    ctx.db(move |conn| accounts::check_token(conn, &probe, crate::kinds::TokenPurpose::Reset))
        .await?;
    let hash = ctx.state.hasher.hash(password).await?;
    let ip = ctx.ip.clone();
    let user = ctx
        .tx(move |conn| {
            let user = accounts::reset_password(conn, &token, &hash)?;
            audit::append(
                conn,
                Event::new(Some(user.id), "password_reset", "user", Some(user.id)).ip(&ip),
            )?;
            Ok(user)
        })
        .await?;
    notify_password_changed(ctx, &user).await;
    Ok(user)
}

/// Changes the password after checking the current one; ends every other session.
pub async fn change_password(ctx: &Ctx, current: String, new: String) -> AppResult<()> {
    let user = ctx.require_user()?.clone();
    if !ctx
        .state
        .hasher
        .verify(current, user.password_hash.clone())
        .await?
    {
        return Err(FieldErrors::single("current_password", "password-wrong"));
    }
    accounts::validate_password(&new, &user.email, &user.display_name, "new_password")?;
    let hash = ctx.state.hasher.hash(new).await?;
    let (uid, keep, ip) = (user.id, ctx.session_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        accounts::set_password_hash(conn, uid, &hash, Some(keep))?;
        audit::append(
            conn,
            Event::new(Some(uid), "password_changed", "user", Some(uid)).ip(&ip),
        )
    })
    .await?;
    notify_password_changed(ctx, &user).await;
    Ok(())
}

/// Creates an API token for the logged-in user.
pub async fn create_api_token(ctx: &Ctx, user_id: i64, name: String) -> AppResult<(i64, String)> {
    let ip = ctx.ip.clone();
    ctx.tx(move |conn| {
        let (id, token) = api_tokens::create(conn, user_id, &name)?;
        audit::append(
            conn,
            Event::new(Some(user_id), "api_token_created", "api_token", Some(id))
                .details(json!({ "name": name }))
                .ip(&ip),
        )?;
        Ok((id, token))
    })
    .await
}

/// Revokes one of the signed-in user's API tokens; 404 when it is not theirs or already
/// revoked.
pub async fn revoke_api_token(ctx: &Ctx, token_id: i64) -> AppResult<()> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        if !api_tokens::revoke(conn, uid, token_id)? {
            return Err(AppError::NotFound);
        }
        audit::append(
            conn,
            Event::new(Some(uid), "api_token_revoked", "api_token", Some(token_id)).ip(&ip),
        )
    })
    .await
}
