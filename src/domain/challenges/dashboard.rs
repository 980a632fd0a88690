//! An agency's challenges with their counts, for its dashboard.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{challenges, proposals};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::kinds::{ChallengeStatus, ProposalStatus, QuestionStatus};

/// A challenge as a dashboard row shows it (no texts: the rows are many and short).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = challenges)]
pub struct ChallengeLine {
    /// The challenge's id.
    pub id: i64,
    /// The challenge's slug.
    pub slug: String,
    /// The challenge's title.
    pub title: String,
    /// Where the challenge stands in its life.
    pub status: ChallengeStatus,
    /// The submission deadline (UTC).
    pub submission_deadline: NaiveDateTime,
}

/// The agency's challenges with counts for its dashboard: (challenge, drafts,
/// submitted, open questions). Three statements.
pub fn dashboard(
    conn: &mut DbConnection,
    user_id: i64,
) -> AppResult<Vec<(ChallengeLine, i64, i64, i64)>> {
    use crate::db::schema::questions;
    use crate::domain::organisations::ids_of_member;
    let list: Vec<ChallengeLine> = challenges::table
        .filter(challenges::organisation_id.eq_any(ids_of_member(user_id)))
        .order(challenges::updated_at.desc())
        .limit(100)
        .select(ChallengeLine::as_select())
        .load(conn)?;
    // Counted for the rows shown only: an agency's older challenges may hold most of its
    // proposals, and the (challenge_id, status) indexes answer these per challenge.
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let counts: Vec<(i64, ProposalStatus, i64)> = proposals::table
        .filter(proposals::challenge_id.eq_any(&ids))
        .filter(proposals::status.eq_any([ProposalStatus::Draft, ProposalStatus::Submitted]))
        .group_by((proposals::challenge_id, proposals::status))
        .select((
            proposals::challenge_id,
            proposals::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let waiting: Vec<(i64, i64)> = questions::table
        .filter(questions::challenge_id.eq_any(&ids))
        .filter(questions::status.eq(QuestionStatus::Open))
        .filter(questions::hidden_at.is_null())
        .group_by(questions::challenge_id)
        .select((questions::challenge_id, diesel::dsl::count_star()))
        .load(conn)?;
    let count = |id: i64, st: ProposalStatus| {
        counts
            .iter()
            .find(|(c, s, _)| *c == id && *s == st)
            .map_or(0, |x| x.2)
    };
    Ok(list
        .into_iter()
        .map(|c| {
            let q = waiting
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or(0, |x| x.1);
            let (d, s) = (
                count(c.id, ProposalStatus::Draft),
                count(c.id, ProposalStatus::Submitted),
            );
            (c, d, s, q)
        })
        .collect())
}
