//! A submitted proposal's revisions: each change after submission is recorded with the
//! content it led to, so the team and the agency can see what changed and when.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{Content, Proposal};
use crate::db::schema::proposal_revisions;
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Page, Paged};
use crate::error::{AppError, AppResult};
use crate::text;

/// Records the proposal's current content as revision `number`.
pub fn record_revision(
    conn: &mut DbConnection,
    p: &Proposal,
    number: i64,
    by: i64,
    note: &str,
) -> AppResult<()> {
    let snapshot = serde_json::to_string(&Content::of(p)).map_err(AppError::internal)?;
    diesel::insert_into(proposal_revisions::table)
        .values((
            proposal_revisions::proposal_id.eq(p.id),
            proposal_revisions::number.eq(number),
            proposal_revisions::snapshot.eq(snapshot),
            proposal_revisions::note.eq(text::clean(note)
                .trim()
                .chars()
                .take(300)
                .collect::<String>()),
            proposal_revisions::created_by.eq(by),
            proposal_revisions::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A numbered revision of a submitted proposal, as stored in `proposal_revisions`.
/// Serialises without its snapshot.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = proposal_revisions)]
pub struct Revision {
    /// Primary key.
    pub id: i64,
    /// The proposal it belongs to.
    pub proposal_id: i64,
    /// The revision number within the proposal, from 1 (the first submission).
    pub number: i64,
    /// The content at this revision, as `Content` in JSON; read it with `content`.
    #[serde(skip)]
    pub snapshot: String,
    /// The team's note on the change (at most 300 characters); empty when none was given,
    /// as at submission.
    pub note: String,
    /// Who made the change; `None` once that account is deleted.
    pub created_by: Option<i64>,
    /// When it was recorded (UTC).
    pub created_at: NaiveDateTime,
}

impl Revision {
    /// The content recorded; empty content if the snapshot does not read.
    pub fn content(&self) -> Content {
        serde_json::from_str(&self.snapshot).unwrap_or_default()
    }
}

fn revision_count(conn: &mut DbConnection, proposal_id: i64) -> AppResult<i64> {
    Ok(proposal_revisions::table
        .filter(proposal_revisions::proposal_id.eq(proposal_id))
        .count()
        .get_result(conn)?)
}

/// A page of a proposal's revisions by number, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    proposal_id: i64,
    page: Page,
) -> AppResult<Paged<Revision>> {
    let items = proposal_revisions::table
        .filter(proposal_revisions::proposal_id.eq(proposal_id))
        .order(proposal_revisions::number.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(Revision::as_select())
        .load(conn)?;
    Paged::counting(items, page, || revision_count(conn, proposal_id))
}

/// A revision and what it changed.
#[derive(Debug, Clone)]
pub struct RevisionChanges {
    /// The revision.
    pub revision: Revision,
    /// The changed fields against the revision before; `None` for the first revision,
    /// which has nothing to compare with.
    pub changes: Option<Vec<(&'static str, Vec<DiffLine>)>>,
}

/// A page of a proposal's history, newest revision first, each with its diff. The page's
/// oldest revision is compared with the one just before it, which lies on the next page:
/// one row more than the page is read for it.
pub fn history(
    conn: &mut DbConnection,
    proposal_id: i64,
    page: Page,
) -> AppResult<Paged<RevisionChanges>> {
    let rows: Vec<Revision> = proposal_revisions::table
        .filter(proposal_revisions::proposal_id.eq(proposal_id))
        .order(proposal_revisions::number.desc())
        .limit(page.per_page + 1)
        .offset(page.offset())
        .select(Revision::as_select())
        .load(conn)?;
    let contents: Vec<Content> = rows.iter().map(Revision::content).collect();
    let items = rows
        .into_iter()
        .take(page.per_page as usize)
        .enumerate()
        .map(|(i, revision)| RevisionChanges {
            changes: contents.get(i + 1).map(|older| diff(older, &contents[i])),
            revision,
        })
        .collect();
    Paged::counting(items, page, || revision_count(conn, proposal_id))
}

/// One changed line in a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `added`, `removed` or `same`.
    pub kind: &'static str,
    /// The line, without its line break.
    pub text: String,
}

/// The fields that changed between two versions, each with its line diff.
pub fn diff(old: &Content, new: &Content) -> Vec<(&'static str, Vec<DiffLine>)> {
    use similar::{ChangeTag, TextDiff};
    old.fields()
        .into_iter()
        .zip(new.fields())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| {
            let lines = TextDiff::from_lines(&a, &b)
                .iter_all_changes()
                .map(|c| DiffLine {
                    kind: match c.tag() {
                        ChangeTag::Insert => "added",
                        ChangeTag::Delete => "removed",
                        ChangeTag::Equal => "same",
                    },
                    text: c.value().trim_end_matches('\n').to_string(),
                })
                .collect();
            (field, lines)
        })
        .collect()
}
