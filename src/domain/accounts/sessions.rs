//! Database-backed login sessions: revocable, with an idle and an absolute timeout.
//!
//! The cookie carries a random token; the table keeps its hash. A new token is issued at
//! every login (no session fixation); logout and password changes delete rows.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::secrets;
use crate::db::schema::{sessions, users};
use crate::db::{self, DbConnection};
use crate::domain::accounts::User;
use crate::error::AppResult;

/// How long a session lives without use and at most.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a session may go unused before it ends.
    pub idle: Duration,
    /// How long a session lasts at most after login, however busy.
    pub absolute: Duration,
}

/// `last_seen_at` is written at most this often, so reading pages stays write-free.
const TOUCH_EVERY_SECS: i64 = 60;

/// A login session, as stored in `sessions`. Serialises without the token hash, for the
/// list of a person's own sessions.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// Primary key; what a person names to end one of their sessions.
    pub id: i64,
    /// Hash of the cookie token; the token itself is not stored.
    #[serde(skip)]
    pub token_hash: String,
    /// The account signed in.
    pub user_id: i64,
    /// When the person logged in (UTC).
    pub created_at: NaiveDateTime,
    /// The last request seen (UTC), written at most once a minute.
    pub last_seen_at: NaiveDateTime,
    /// When the session ends regardless of use (UTC): login plus the absolute limit.
    pub expires_at: NaiveDateTime,
    /// The browser's `User-Agent` at login, cut to 300 characters.
    pub user_agent: String,
    /// The client address at login, cut to 64 characters.
    pub ip: String,
}

/// Starts a session; returns the token for the cookie.
pub fn create(
    conn: &mut DbConnection,
    user_id: i64,
    user_agent: &str,
    ip: &str,
    limits: Limits,
) -> AppResult<String> {
    let token = secrets::new_token();
    let now = db::now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(secrets::token_hash(&token)),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(now + limits.absolute),
            sessions::user_agent.eq(truncate(user_agent, 300)),
            sessions::ip.eq(truncate(ip, 64)),
        ))
        .execute(conn)?;
    Ok(token)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The live session and its user for a cookie token, or `None` when it is unknown,
/// expired or idle too long (such rows are deleted on sight). `touch` records the visit
/// (at most once a minute); requests that must leave no trace of who made them (an
/// anonymous question) pass `false`.
pub fn lookup(
    conn: &mut DbConnection,
    token: &str,
    limits: Limits,
    touch: bool,
) -> AppResult<Option<(Session, User)>> {
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(secrets::token_hash(token)))
        .select((Session::as_select(), User::as_select()))
        .first::<(Session, User)>(conn)
        .optional()?;
    let Some((session, user)) = found else {
        return Ok(None);
    };
    let now = db::now();
    if session.expires_at <= now || session.last_seen_at + limits.idle <= now {
        diesel::delete(sessions::table.find(session.id)).execute(conn)?;
        return Ok(None);
    }
    if touch && (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        diesel::update(sessions::table.find(session.id))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some((session, user)))
}

/// Ends the session of a cookie token (logout).
pub fn end(conn: &mut DbConnection, token: &str) -> AppResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(secrets::token_hash(token))))
        .execute(conn)?;
    Ok(())
}

/// Ends one of the user's own sessions; `false` when it is not theirs or already gone.
pub fn revoke(conn: &mut DbConnection, user_id: i64, session_id: i64) -> AppResult<bool> {
    let n = diesel::delete(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Ends every session of the user except `keep` (after a password change or reset).
pub fn revoke_others(conn: &mut DbConnection, user_id: i64, keep: Option<i64>) -> AppResult<usize> {
    let q = sessions::table.filter(sessions::user_id.eq(user_id));
    let n = match keep {
        Some(id) => diesel::delete(q.filter(sessions::id.ne(id))).execute(conn)?,
        None => diesel::delete(q).execute(conn)?,
    };
    Ok(n)
}

/// The user's live sessions, newest activity first.
pub fn list(conn: &mut DbConnection, user_id: i64) -> AppResult<Vec<Session>> {
    let now = db::now();
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .order(sessions::last_seen_at.desc())
        .limit(100)
        .select(Session::as_select())
        .load(conn)?)
}
