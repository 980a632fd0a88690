//! The co-creation thread: private messages between a proposal's team and the agency
//! that owns the challenge.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{messages, users};
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Page, Paged};
use crate::error::{AppResult, FieldErrors};
use crate::text;

/// A message of the co-creation thread, with its author's name.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Message {
    /// Primary key; the thread's order.
    pub id: i64,
    /// Who wrote it; `None` once that account is deleted.
    pub author_id: Option<i64>,
    /// The author's display name; `None` once that account is deleted.
    pub author_name: Option<String>,
    /// The text as written (trimmed, at most 10,000 characters).
    pub body: String,
    /// When it was posted (UTC).
    pub created_at: NaiveDateTime,
}

/// Adds a message by `author` to the proposal's thread and returns its id; a 422 on
/// `body` when it is empty or too long. Callers check that the author may write there.
pub fn post(conn: &mut DbConnection, proposal_id: i64, author: i64, body: &str) -> AppResult<i64> {
    let mut e = FieldErrors::new();
    let body = text::required_text(body, "body", 10_000, &mut e);
    e.into_result()?;
    Ok(diesel::insert_into(messages::table)
        .values((
            messages::proposal_id.eq(proposal_id),
            messages::author_id.eq(author),
            messages::body.eq(body),
            messages::created_at.eq(db::now()),
        ))
        .returning(messages::id)
        .get_result(conn)?)
}

/// A page of the thread. Page 1 holds the newest messages, so the latest word is where a
/// reader starts; within a page they run oldest first, as a conversation reads.
pub fn thread(conn: &mut DbConnection, proposal_id: i64, page: Page) -> AppResult<Paged<Message>> {
    let mut rows: Vec<Message> = messages::table
        .left_join(users::table.on(users::id.nullable().eq(messages::author_id)))
        .filter(messages::proposal_id.eq(proposal_id))
        .order(messages::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select((
            messages::id,
            messages::author_id,
            users::display_name.nullable(),
            messages::body,
            messages::created_at,
        ))
        .load(conn)?;
    rows.reverse();
    Ok(Paged::counting(rows, page, || {
        messages::table
            .filter(messages::proposal_id.eq(proposal_id))
            .count()
            .get_result(conn)
    })?)
}
