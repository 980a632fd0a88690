//! Following a challenge: who follows it, and the deadline reminders followers get.

use chrono::Duration;
use diesel::prelude::*;

use super::Challenge;
use crate::db::schema::{challenges, follows};
use crate::db::{self, DbConnection};
use crate::error::AppResult;
use crate::kinds::ChallengeStatus;

/// Whether the user follows the challenge.
pub fn is_following(conn: &mut DbConnection, user_id: i64, challenge_id: i64) -> AppResult<bool> {
    Ok(follows::table
        .filter(follows::user_id.eq(user_id))
        .filter(follows::challenge_id.eq(challenge_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Starts (`follow`) or stops following the challenge; doing either twice is harmless.
pub fn set_following(
    conn: &mut DbConnection,
    user_id: i64,
    challenge_id: i64,
    follow: bool,
) -> AppResult<()> {
    diesel::delete(
        follows::table
            .filter(follows::user_id.eq(user_id))
            .filter(follows::challenge_id.eq(challenge_id)),
    )
    .execute(conn)?;
    if follow {
        diesel::insert_into(follows::table)
            .values((
                follows::user_id.eq(user_id),
                follows::challenge_id.eq(challenge_id),
                follows::created_at.eq(db::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Tells the followers of every open challenge whose deadline is within `within` that it
/// is near, once per challenge; returns how many challenges were announced.
pub fn remind_deadlines(conn: &mut DbConnection, within: Duration) -> AppResult<usize> {
    use crate::db::schema::challenge_reminders;
    let now = db::now();
    let due: Vec<Challenge> = challenges::table
        .filter(challenges::status.eq(ChallengeStatus::Open))
        .filter(challenges::submission_deadline.gt(now))
        .filter(challenges::submission_deadline.le(now + within))
        .filter(
            challenges::id
                .ne_all(challenge_reminders::table.select(challenge_reminders::challenge_id)),
        )
        .limit(500)
        .select(Challenge::as_select())
        .load(conn)?;
    for c in &due {
        diesel::insert_into(challenge_reminders::table)
            .values((
                challenge_reminders::challenge_id.eq(c.id),
                challenge_reminders::sent_at.eq(now),
            ))
            .execute(conn)?;
        let to = followers(conn, c.id)?;
        crate::domain::notifications::notify(
            conn,
            &to,
            "notify-deadline-near",
            &format!("/challenges/{}", c.slug),
            &c.title,
        )?;
    }
    Ok(due.len())
}

/// The accounts that follow the challenge.
pub fn followers(conn: &mut DbConnection, challenge_id: i64) -> AppResult<Vec<i64>> {
    Ok(follows::table
        .filter(follows::challenge_id.eq(challenge_id))
        .select(follows::user_id)
        .load(conn)?)
}
