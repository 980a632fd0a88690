//! Data protection: a pilot keeps its test users' answers for its retention period
//! (90 days unless the team chose otherwise); then a scheduled job empties them. What the
//! report needs stays: that a run was started or sent, when, how long it took, and the
//! rating number. The comment goes with the answers, since people write personal things
//! into it. Every purge is written to the audit log.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{pilot_files, pilot_runs, pilot_submissions, pilots};
use crate::db::DbConnection;
use crate::domain::audit;
use crate::domain::files::FileStore;
use crate::error::AppResult;

/// What one purge removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Sent submissions whose answers and rating comment were emptied.
    pub submissions: usize,
    /// Unfinished runs whose saved answers were emptied.
    pub runs: usize,
    /// Uploaded files deleted.
    pub files: usize,
}

/// Empties answers older than each pilot's retention period. Files are removed with
/// their rows, within the caller's transaction (a folder store may keep a file a crash
/// interrupted, unreferenced).
pub fn purge_expired(
    conn: &mut DbConnection,
    files: &FileStore,
    now: NaiveDateTime,
) -> AppResult<Purged> {
    let all: Vec<(i64, i64)> = pilots::table
        .select((pilots::id, pilots::retention_days))
        .load(conn)?;
    let mut total = Purged::default();
    for (pilot_id, days) in all {
        let cutoff = now - Duration::days(days);
        let submissions = diesel::update(
            pilot_submissions::table
                .filter(pilot_submissions::pilot_id.eq(pilot_id))
                .filter(pilot_submissions::submitted_at.lt(cutoff))
                .filter(pilot_submissions::purged_at.is_null()),
        )
        .set((
            pilot_submissions::answers.eq("{}"),
            pilot_submissions::rating_comment.eq(""),
            pilot_submissions::purged_at.eq(now),
        ))
        .execute(conn)?;
        // Runs left unfinished: their saved answers go too (the run itself stays counted).
        let runs = diesel::update(
            pilot_runs::table
                .filter(pilot_runs::pilot_id.eq(pilot_id))
                .filter(pilot_runs::updated_at.lt(cutoff))
                .filter(pilot_runs::answers.ne("{}")),
        )
        .set(pilot_runs::answers.eq("{}"))
        .execute(conn)?;
        let old_runs = pilot_runs::table
            .filter(pilot_runs::pilot_id.eq(pilot_id))
            .filter(pilot_runs::updated_at.lt(cutoff))
            .select(pilot_runs::id);
        let stored: Vec<(i64, String)> = pilot_files::table
            .filter(pilot_files::run_id.eq_any(old_runs))
            .select((pilot_files::id, pilot_files::storage_name))
            .load(conn)?;
        if !stored.is_empty() {
            let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
            diesel::delete(pilot_files::table.filter(pilot_files::id.eq_any(&ids)))
                .execute(conn)?;
            for (_, name) in &stored {
                files.remove(conn, name)?;
            }
        }
        if submissions + runs + stored.len() > 0 {
            audit::append(
                conn,
                audit::Event::new(None, "pilot.answers_purged", "pilot", Some(pilot_id)).details(
                    serde_json::json!({ "submissions": submissions, "runs": runs, "files": stored.len(), "retention_days": days }),
                ),
            )?;
        }
        total.submissions += submissions;
        total.runs += runs;
        total.files += stored.len();
    }
    Ok(total)
}
