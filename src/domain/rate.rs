//! A small database-backed rate limiter for actions anyone may take (asking questions,
//! uploading): shared by every instance on one database.

use chrono::Duration;
use diesel::prelude::*;

use crate::db::schema::rate_events;
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};

/// Records one event for `subject` in `bucket`, or refuses with 429 when `max` events
/// happened within `window`.
pub fn hit(
    conn: &mut DbConnection,
    bucket: &str,
    subject: &str,
    max: i64,
    window: Duration,
) -> AppResult<()> {
    let now = db::now();
    let since = now - window;
    let recent: i64 = rate_events::table
        .filter(rate_events::bucket.eq(bucket))
        .filter(rate_events::subject.eq(subject))
        .filter(rate_events::at.gt(since))
        .count()
        .get_result(conn)?;
    if recent >= max {
        return Err(AppError::TooManyRequests {
            message_id: "error-too-many",
            retry_after_secs: window.num_seconds().max(1) as u64,
        });
    }
    diesel::insert_into(rate_events::table)
        .values((
            rate_events::bucket.eq(bucket),
            rate_events::subject.eq(subject),
            rate_events::at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Drops events older than a day (every window is shorter); run at start-up.
pub fn prune(conn: &mut DbConnection) -> AppResult<usize> {
    let cutoff = db::now() - Duration::days(1);
    Ok(diesel::delete(rate_events::table.filter(rate_events::at.lt(cutoff))).execute(conn)?)
}
