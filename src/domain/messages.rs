//! The co-creation thread: private messages between a proposal's team and the agency
//! that owns the challenge.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{messages, users};
use crate::db::{self, DbConnection};
use crate::domain::text;
use crate::error::{AppResult, FieldErrors};

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Message {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

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

/// The thread, oldest first (the newest 500).
pub fn thread(conn: &mut DbConnection, proposal_id: i64) -> AppResult<Vec<Message>> {
    let mut rows: Vec<Message> = messages::table
        .left_join(users::table.on(users::id.nullable().eq(messages::author_id)))
        .filter(messages::proposal_id.eq(proposal_id))
        .order(messages::id.desc())
        .limit(500)
        .select((
            messages::id,
            messages::author_id,
            users::display_name.nullable(),
            messages::body,
            messages::created_at,
        ))
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}
