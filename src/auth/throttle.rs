//! Login throttling per account and per client address, kept in the database so that
//! every instance on a shared PostgreSQL sees the same counts.

use chrono::Duration;
use diesel::dsl::{count_star, max};
use diesel::prelude::*;

use crate::db::schema::login_attempts;
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};

/// Failures counted within this window.
pub const WINDOW_MINUTES: i64 = 15;
/// Failed logins for one account before it is throttled.
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Failed logins from one address (across accounts) before it is throttled.
pub const MAX_PER_ADDRESS: i64 = 20;

/// Refuses with 429 while the account or the address has too many recent failures.
/// Failures before the account's last successful login do not count.
fn check(conn: &mut DbConnection, email: &str, ip: &str) -> AppResult<()> {
    let now = db::now();
    let window_start = now - Duration::minutes(WINDOW_MINUTES);
    let last_success = login_attempts::table
        .filter(login_attempts::email.eq(email))
        .filter(login_attempts::success.eq(true))
        .filter(login_attempts::at.gt(window_start))
        .select(max(login_attempts::at))
        .first::<Option<chrono::NaiveDateTime>>(conn)?;
    let since = last_success.unwrap_or(window_start).max(window_start);
    let (account_failures, oldest): (i64, Option<chrono::NaiveDateTime>) = login_attempts::table
        .filter(login_attempts::email.eq(email))
        .filter(login_attempts::success.eq(false))
        .filter(login_attempts::at.gt(since))
        .select((count_star(), diesel::dsl::min(login_attempts::at)))
        .first(conn)?;
    let (address_failures, oldest_addr): (i64, Option<chrono::NaiveDateTime>) =
        login_attempts::table
            .filter(login_attempts::ip.eq(ip))
            .filter(login_attempts::success.eq(false))
            // Attempts still being checked are not failures of the address: many people
            // behind one proxy log in at once.
            .filter(login_attempts::settled.eq(true))
            .filter(login_attempts::at.gt(window_start))
            .select((count_star(), diesel::dsl::min(login_attempts::at)))
            .first(conn)?;
    let blocked_since = if account_failures >= MAX_PER_ACCOUNT {
        oldest
    } else if address_failures >= MAX_PER_ADDRESS {
        oldest_addr
    } else {
        return Ok(());
    };
    let free_at = blocked_since.unwrap_or(now) + Duration::minutes(WINDOW_MINUTES);
    Err(AppError::TooManyRequests {
        message_id: "error-too-many-logins",
        retry_after_secs: (free_at - now).num_seconds().max(1) as u64,
    })
}

/// The advisory lock that serialises [`begin`] on PostgreSQL.
const ATTEMPT_LOCK: i64 = 0x001A_0D18;

/// Checks the limits and records the attempt as failed, in one write transaction, before
/// the password is even looked at: parallel guesses cannot all slip past the check.
/// Returns the attempt's id for [`succeeded`].
pub fn begin(conn: &mut DbConnection, email: &str, ip: &str) -> AppResult<i64> {
    db::write_tx(conn, |conn| {
        db::lock_for_append(conn, ATTEMPT_LOCK)?;
        check(conn, email, ip)?;
        Ok(diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::email.eq(email),
                login_attempts::ip.eq(ip),
                login_attempts::success.eq(false),
                login_attempts::settled.eq(false),
                login_attempts::at.eq(db::now()),
            ))
            .returning(login_attempts::id)
            .get_result(conn)?)
    })
}

/// Settles an attempt begun with [`begin`]: successful or failed.
pub fn settle(conn: &mut DbConnection, attempt_id: i64, success: bool) -> AppResult<()> {
    diesel::update(login_attempts::table.find(attempt_id))
        .set((
            login_attempts::success.eq(success),
            login_attempts::settled.eq(true),
            login_attempts::at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Drops attempts older than a day; run now and then so the table stays small.
pub fn prune(conn: &mut DbConnection) -> AppResult<usize> {
    let cutoff = db::now() - Duration::days(1);
    Ok(
        diesel::delete(login_attempts::table.filter(login_attempts::at.lt(cutoff)))
            .execute(conn)?,
    )
}
