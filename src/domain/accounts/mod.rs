//! User accounts: registration, email verification, password reset and change, profile,
//! and the credentials that sign a person in ([`sessions`], [`api_tokens`]).
//!
//! Password hashing is not done here: callers validate with [`validate_password`], hash
//! off the request workers and pass the PHC string in.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

pub mod api_tokens;
pub mod personal_data;
pub mod sessions;

use crate::auth::{passwords, secrets};
use crate::db::schema::{email_tokens, users};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Lang;
use crate::kinds::TokenPurpose;
use crate::text;

/// How long an email verification link stays valid, in hours.
pub const VERIFY_TOKEN_HOURS: i64 = 48;
/// How long a password reset link stays valid, in minutes.
pub const RESET_TOKEN_MINUTES: i64 = 60;
/// The longest display name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A person's account, as stored in `users`. Serialises without the password hash.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    /// Primary key of `users`.
    pub id: i64,
    /// The sign-in address, normalised (trimmed, lower case) and unique.
    pub email: String,
    /// The name shown to others.
    pub display_name: String,
    /// The PHC string of the password hash; never serialised.
    #[serde(skip)]
    pub password_hash: String,
    /// The preferred language as a code (`de` or `en`), used for pages and mails.
    pub locale: String,
    /// Whether the account may use the platform administration.
    pub is_admin: bool,
    /// When the address was confirmed (UTC); `None` until then.
    pub email_verified_at: Option<NaiveDateTime>,
    /// When the account was created (UTC).
    pub created_at: NaiveDateTime,
    /// When the profile, password or verification last changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The preferred language; German when the stored code is unknown.
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.locale).unwrap_or_default()
    }
    /// Whether the email address has been confirmed.
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

/// What a person types to register.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    /// The sign-in address as typed.
    pub email: String,
    /// The name to show others, as typed.
    pub display_name: String,
    /// The password in clear; checked here, hashed by the caller.
    pub password: String,
    /// The language code chosen; `None` or empty means German.
    pub locale: Option<String>,
}

/// A registration that passed validation (email normalised, texts trimmed).
#[derive(Debug, Clone)]
pub struct ValidRegistration {
    /// The address, normalised.
    pub email: String,
    /// The name, trimmed.
    pub display_name: String,
    /// The preferred language.
    pub locale: Lang,
}

/// Checks a new password against length and guessability rules.
pub fn validate_password(password: &str, email: &str, name: &str, field: &str) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    passwords::check_strength(password, &[email, name], field, &mut errors);
    errors.into_result()
}

/// Validates everything but uniqueness (checked inside the insert's transaction).
pub fn validate_registration(input: &RegistrationInput) -> AppResult<ValidRegistration> {
    let mut errors = FieldErrors::new();
    let email = text::normalise_email(&input.email);
    if email.is_none() {
        errors.add("email", "email-invalid");
    }
    let display_name = text::required_text(
        &input.display_name,
        "display_name",
        MAX_NAME_CHARS,
        &mut errors,
    );
    passwords::check_strength(
        &input.password,
        &[email.as_deref().unwrap_or(""), &display_name],
        "password",
        &mut errors,
    );
    let locale = match input.locale.as_deref().filter(|l| !l.is_empty()) {
        None => Lang::De,
        Some(l) => Lang::parse(l).unwrap_or_else(|| {
            errors.add("locale", "locale-invalid");
            Lang::De
        }),
    };
    errors.into_result()?;
    Ok(ValidRegistration {
        email: email.unwrap_or_default(),
        display_name,
        locale,
    })
}

/// The account with this id, or `NotFound`.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The account with this address (normalised first), if any; `None` also for an address
/// that is not valid.
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> AppResult<Option<User>> {
    let Some(email) = text::normalise_email(email) else {
        return Ok(None);
    };
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Creates an unverified account and a verification token (returned in clear for the mail).
pub fn register(
    conn: &mut DbConnection,
    reg: &ValidRegistration,
    password_hash: &str,
) -> AppResult<(User, String)> {
    let taken = users::table
        .filter(users::email.eq(&reg.email))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if taken {
        return Err(FieldErrors::single("email", "email-taken"));
    }
    let user = insert_user(conn, reg, password_hash, false, None)?;
    let token = issue_token(conn, user.id, TokenPurpose::Verify)?;
    Ok((user, token))
}

/// Creates an account directly (command line, seed): verified, optionally an admin.
pub fn create_verified(
    conn: &mut DbConnection,
    reg: &ValidRegistration,
    password_hash: &str,
    is_admin: bool,
) -> AppResult<User> {
    insert_user(conn, reg, password_hash, is_admin, Some(db::now()))
}

fn insert_user(
    conn: &mut DbConnection,
    reg: &ValidRegistration,
    password_hash: &str,
    is_admin: bool,
    verified_at: Option<NaiveDateTime>,
) -> AppResult<User> {
    let now = db::now();
    Ok(diesel::insert_into(users::table)
        .values((
            users::email.eq(&reg.email),
            users::display_name.eq(&reg.display_name),
            users::password_hash.eq(password_hash),
            users::locale.eq(reg.locale.code()),
            users::is_admin.eq(is_admin),
            users::email_verified_at.eq(verified_at),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result(conn)?)
}

/// How long a mailed link stays valid.
fn lifetime(purpose: TokenPurpose) -> Duration {
    match purpose {
        TokenPurpose::Verify => Duration::hours(VERIFY_TOKEN_HOURS),
        TokenPurpose::Reset => Duration::minutes(RESET_TOKEN_MINUTES),
    }
}

/// Issues a single-use token; earlier unused tokens of the same purpose stop working.
pub fn issue_token(
    conn: &mut DbConnection,
    user_id: i64,
    purpose: TokenPurpose,
) -> AppResult<String> {
    let now = db::now();
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)?;
    let token = secrets::new_token();
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::user_id.eq(user_id),
            email_tokens::purpose.eq(purpose),
            email_tokens::token_hash.eq(secrets::token_hash(&token)),
            email_tokens::created_at.eq(now),
            email_tokens::expires_at.eq(now + lifetime(purpose)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The token's row id and user, or a 422 on `token` naming why it cannot be used:
/// unknown, already used or expired. Changes nothing.
pub fn check_token(
    conn: &mut DbConnection,
    token: &str,
    purpose: TokenPurpose,
) -> AppResult<(i64, i64)> {
    let row: Option<(i64, i64, NaiveDateTime, Option<NaiveDateTime>)> = email_tokens::table
        .filter(email_tokens::token_hash.eq(secrets::token_hash(token.trim())))
        .filter(email_tokens::purpose.eq(purpose))
        .select((
            email_tokens::id,
            email_tokens::user_id,
            email_tokens::expires_at,
            email_tokens::used_at,
        ))
        .first(conn)
        .optional()?;
    match row {
        None => Err(FieldErrors::single("token", "token-invalid")),
        Some((_, _, _, Some(_))) => Err(FieldErrors::single("token", "token-used")),
        Some((_, _, expires, None)) if expires <= db::now() => {
            Err(FieldErrors::single("token", "token-expired"))
        }
        Some((id, user_id, _, None)) => Ok((id, user_id)),
    }
}

/// Uses up a token and returns the user it belongs to.
fn consume_token(conn: &mut DbConnection, token: &str, purpose: TokenPurpose) -> AppResult<User> {
    let (id, user_id) = check_token(conn, token, purpose)?;
    // Only one of two concurrent uses can flip `used_at`.
    let claimed = diesel::update(
        email_tokens::table
            .find(id)
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(db::now()))
    .execute(conn)?;
    if claimed != 1 {
        return Err(FieldErrors::single("token", "token-used"));
    }
    find(conn, user_id)
}

/// Confirms the email address of the token's account.
pub fn verify_email(conn: &mut DbConnection, token: &str) -> AppResult<User> {
    let user = consume_token(conn, token, TokenPurpose::Verify)?;
    let now = db::now();
    Ok(diesel::update(users::table.find(user.id))
        .set((users::email_verified_at.eq(now), users::updated_at.eq(now)))
        .returning(users::all_columns)
        .get_result(conn)?)
}

/// A reset token for the address, if it belongs to an account. Callers answer the same
/// either way, so the form does not tell which addresses are registered.
pub fn request_reset(conn: &mut DbConnection, email: &str) -> AppResult<Option<(User, String)>> {
    let Some(user) = find_by_email(conn, email)? else {
        return Ok(None);
    };
    let token = issue_token(conn, user.id, TokenPurpose::Reset)?;
    Ok(Some((user, token)))
}

/// Sets a new password with a reset token; ends every session of the account. A reset
/// also proves the address, so an unverified account becomes verified.
pub fn reset_password(
    conn: &mut DbConnection,
    token: &str,
    password_hash: &str,
) -> AppResult<User> {
    let user = consume_token(conn, token, TokenPurpose::Reset)?;
    let now = db::now();
    let user: User = diesel::update(users::table.find(user.id))
        .set((
            users::password_hash.eq(password_hash),
            users::email_verified_at.eq(user.email_verified_at.unwrap_or(now)),
            users::updated_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result(conn)?;
    sessions::revoke_others(conn, user.id, None)?;
    crate::domain::accounts::api_tokens::revoke_all(conn, user.id)?;
    Ok(user)
}

/// Stores a new password hash (after a change or a rehash); with `end_other_sessions`
/// every session but `keep` ends, and every API token is revoked.
pub fn set_password_hash(
    conn: &mut DbConnection,
    user_id: i64,
    password_hash: &str,
    end_other_sessions: Option<Option<i64>>,
) -> AppResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    if let Some(keep) = end_other_sessions {
        sessions::revoke_others(conn, user_id, keep)?;
        crate::domain::accounts::api_tokens::revoke_all(conn, user_id)?;
    }
    Ok(())
}

/// Saves name and language; nothing is written when both are as stored.
pub fn update_profile(
    conn: &mut DbConnection,
    user_id: i64,
    display_name: &str,
    locale: &str,
) -> AppResult<User> {
    let mut errors = FieldErrors::new();
    let name = text::required_text(display_name, "display_name", MAX_NAME_CHARS, &mut errors);
    let lang = Lang::parse(locale);
    if lang.is_none() {
        errors.add("locale", "locale-invalid");
    }
    errors.into_result()?;
    let locale = lang.unwrap_or_default().code();
    let current = find(conn, user_id)?;
    if text::same_text(&current.display_name, &name) && current.locale == locale {
        return Ok(current);
    }
    Ok(diesel::update(users::table.find(user_id))
        .set((
            users::display_name.eq(name),
            users::locale.eq(locale),
            users::updated_at.eq(db::now()),
        ))
        .returning(users::all_columns)
        .get_result(conn)?)
}

/// Just the language (the header's language switch for logged-in people).
pub fn set_locale(conn: &mut DbConnection, user_id: i64, lang: Lang) -> AppResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::locale.eq(lang.code()))
        .execute(conn)?;
    Ok(())
}

/// Users for the admin list, newest first, optionally filtered by a part of name or email.
pub fn list(
    conn: &mut DbConnection,
    query: Option<&str>,
    page: crate::domain::pagination::Page,
) -> AppResult<crate::domain::pagination::Paged<User>> {
    let query = query.map(text::clean);
    let pattern = query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
    let base = || {
        let mut q = users::table.into_boxed();
        if let Some(p) = &pattern {
            q = q.filter(
                users::email
                    .like(p.clone())
                    .or(text::lower(users::display_name).like(p.clone())),
            );
        }
        q
    };
    let total = base().count().get_result(conn)?;
    let items = base()
        .order(users::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(User::as_select())
        .load(conn)?;
    Ok(crate::domain::pagination::Paged::new(items, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_validation_names_each_bad_field() {
        let err = validate_registration(&RegistrationInput {
            email: "not-an-email".into(),
            display_name: "  ".into(),
            password: "short".into(),
            locale: Some("fr".into()),
        })
        .unwrap_err();
        let AppError::Validation(f) = err else {
            panic!("expected validation error")
        };
        assert_eq!(f.get("email"), Some("email-invalid"));
        assert_eq!(f.get("display_name"), Some("field-required"));
        assert_eq!(f.get("password"), Some("password-too-short"));
        assert_eq!(f.get("locale"), Some("locale-invalid"));
    }

    #[test]
    fn valid_registration_is_normalised() {
        let r = validate_registration(&RegistrationInput {
            email: " Erika@Example.org".into(),
            display_name: " Erika Mustermann ".into(),
            password: "Wolken-Fahrrad-Tinte-42".into(),
            locale: Some("en".into()),
        })
        .unwrap();
        assert_eq!(r.email, "erika@example.org");
        assert_eq!(r.display_name, "Erika Mustermann");
        assert_eq!(r.locale, Lang::En);
    }
}
