//! Reading the `search_outbox` table after a cursor.
//!
//! On SQLite one writer at a time means ids become visible in id order, so the cursor is
//! the last id read. On PostgreSQL ids become visible in commit order, which is not id
//! order; there the cursor is a transaction id: every transaction below the snapshot's
//! `xmin` has ended, so the rows of transactions in `[cursor, xmin)` are all there to be
//! read, and `xmin` becomes the next cursor (see the migration).

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::documents::Kind;
use crate::db::schema::search_outbox;
use crate::db::{self, Backend, DbConnection};
use crate::error::AppResult;

/// More pending rows than this are cheaper to apply as a rebuild.
pub const REBUILD_ABOVE: i64 = 20_000;
/// Rows older than this are deleted; an index that has not caught up for
/// [`STALE_AFTER`] rebuilds instead of resuming (its rows may be gone).
pub const KEEP: Duration = Duration::days(7);
/// How long an index may go without seeing the outbox before it rebuilds on start; less
/// than `KEEP`, so the rows it would resume from are still there.
pub const STALE_AFTER: Duration = Duration::days(6);

/// What changed after a cursor.
#[derive(Debug, Default)]
pub struct Batch {
    /// The ids of the records changed, by kind.
    pub changed: HashMap<Kind, HashSet<i64>>,
    /// A row asked every index to rebuild, or too many rows are waiting.
    pub rebuild: bool,
    /// Where the next read starts once this batch is applied.
    pub next_cursor: i64,
}

#[derive(QueryableByName)]
struct Xid {
    #[diesel(sql_type = BigInt)]
    xid: i64,
}

/// The cursor that covers everything committed so far: where a rebuild that starts now
/// may resume from once it is done.
pub fn current_cursor(conn: &mut DbConnection) -> AppResult<i64> {
    match db::backend_of(conn) {
        Backend::Sqlite => Ok(search_outbox::table
            .select(diesel::dsl::max(search_outbox::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0)),
        Backend::Postgres => snapshot(conn, "txid_snapshot_xmin"),
    }
}

/// A bound of PostgreSQL's current snapshot: `txid_snapshot_xmin` (every transaction
/// below has ended) or `txid_snapshot_xmax` (the first one not yet started).
fn snapshot(conn: &mut DbConnection, bound: &str) -> AppResult<i64> {
    Ok(
        diesel::sql_query(format!("SELECT {bound}(txid_current_snapshot()) AS xid"))
            .get_result::<Xid>(conn)?
            .xid,
    )
}

/// The cursor an indexer must reach to have read everything committed before now.
pub fn target_cursor(conn: &mut DbConnection) -> AppResult<i64> {
    match db::backend_of(conn) {
        Backend::Sqlite => current_cursor(conn),
        Backend::Postgres => snapshot(conn, "txid_snapshot_xmax"),
    }
}

/// The changes after `cursor`.
pub fn read(conn: &mut DbConnection, cursor: i64) -> AppResult<Batch> {
    // PostgreSQL: the horizon first. Every transaction below it has ended before the
    // rows are read, so all of their rows are visible to the second statement.
    let (pending, horizon) = match db::backend_of(conn) {
        Backend::Sqlite => (
            search_outbox::table
                .filter(search_outbox::id.gt(cursor))
                .into_boxed(),
            None,
        ),
        Backend::Postgres => {
            let horizon = current_cursor(conn)?;
            (
                search_outbox::table
                    .filter(search_outbox::tx_id.ge(cursor))
                    .filter(search_outbox::tx_id.lt(horizon))
                    .into_boxed(),
                Some(horizon),
            )
        }
    };
    let rows: Vec<(i64, String, i64)> = pending
        .order(search_outbox::id)
        .limit(REBUILD_ABOVE + 1)
        .select((
            search_outbox::id,
            search_outbox::kind,
            search_outbox::record_id,
        ))
        .load(conn)?;
    let next_cursor = match horizon {
        Some(h) => h.max(cursor),
        None => rows.last().map_or(cursor, |r| r.0),
    };
    let mut batch = Batch {
        next_cursor,
        rebuild: rows.len() as i64 > REBUILD_ABOVE,
        ..Batch::default()
    };
    for (_, kind, id) in rows {
        match kind.as_str() {
            "all" => batch.rebuild = true,
            other => {
                if let Some(k) = Kind::stored(other) {
                    batch.changed.entry(k).or_default().insert(id);
                }
            }
        }
    }
    Ok(batch)
}

/// Deletes rows older than [`KEEP`]; returns how many.
pub fn prune(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<usize> {
    Ok(
        diesel::delete(search_outbox::table.filter(search_outbox::created_at.lt(now - KEEP)))
            .execute(conn)?,
    )
}
