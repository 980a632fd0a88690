//! Named API tokens for `Authorization: Bearer`. Stored hashed; revocable by their owner.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::secrets;
use crate::db::schema::{api_tokens, users};
use crate::db::{self, DbConnection};
use crate::domain::accounts::User;
use crate::error::{AppResult, FieldErrors};

/// A named API token, as stored in `api_tokens`. Serialises without owner and hash.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    /// Primary key; what the owner names to revoke the token.
    pub id: i64,
    /// The account the token acts for.
    #[serde(skip)]
    pub user_id: i64,
    /// The owner's label for the token (at most 80 characters).
    pub name: String,
    /// Hash of the bearer token; the clear token is shown once at creation only.
    #[serde(skip)]
    #[schema(ignore)]
    pub token_hash: String,
    /// When the token was created.
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    pub created_at: NaiveDateTime,
    /// The last request made with it (UTC), written at most every five minutes; `None` if
    /// never used.
    #[serde(serialize_with = "crate::domain::time::rfc3339_opt")]
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was revoked (UTC); `None` while it works.
    #[serde(serialize_with = "crate::domain::time::rfc3339_opt")]
    pub revoked_at: Option<NaiveDateTime>,
}

/// The most live tokens one account may hold.
pub const MAX_PER_USER: i64 = 50;
/// `last_used_at` is written at most this often.
const TOUCH_EVERY_SECS: i64 = 300;

/// Creates a token; returns its id and the clear token, shown once.
pub fn create(conn: &mut DbConnection, user_id: i64, name: &str) -> AppResult<(i64, String)> {
    let mut errors = FieldErrors::new();
    let name = crate::text::required_text(name, "name", 80, &mut errors);
    errors.into_result()?;
    let name = name.as_str();
    let live: i64 = api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    if live >= MAX_PER_USER {
        return Err(FieldErrors::single("name", "token-limit"));
    }
    let token = format!("il_{}", secrets::new_token());
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(secrets::token_hash(&token)),
            api_tokens::created_at.eq(db::now()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((id, token))
}

/// The owner of a live bearer token; `touch` records its use (see `sessions::lookup`).
pub fn authenticate(
    conn: &mut DbConnection,
    token: &str,
    touch: bool,
) -> AppResult<Option<(ApiToken, User)>> {
    let found = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(secrets::token_hash(token)))
        .filter(api_tokens::revoked_at.is_null())
        .select((ApiToken::as_select(), User::as_select()))
        .first::<(ApiToken, User)>(conn)
        .optional()?;
    if let Some((t, _)) = found.as_ref().filter(|_| touch) {
        let now = db::now();
        if t.last_used_at
            .is_none_or(|at| (now - at).num_seconds() >= TOUCH_EVERY_SECS)
        {
            diesel::update(api_tokens::table.find(t.id))
                .set(api_tokens::last_used_at.eq(now))
                .execute(conn)?;
        }
    }
    Ok(found)
}

/// Revokes one of the owner's tokens; `false` when it is not theirs or already revoked.
pub fn revoke(conn: &mut DbConnection, user_id: i64, token_id: i64) -> AppResult<bool> {
    let n = diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(token_id))
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(db::now()))
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every live token of the account (after a password reset or change, so that
/// whoever knew the old password keeps no way in).
pub fn revoke_all(conn: &mut DbConnection, user_id: i64) -> AppResult<usize> {
    Ok(diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(db::now()))
    .execute(conn)?)
}

/// The account's live (unrevoked) tokens, newest first, at most `MAX_PER_USER`.
pub fn list(conn: &mut DbConnection, user_id: i64) -> AppResult<Vec<ApiToken>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .order(api_tokens::created_at.desc())
        .limit(MAX_PER_USER)
        .select(ApiToken::as_select())
        .load(conn)?)
}
