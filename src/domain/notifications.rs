//! In-app notifications: a message id and a link, rendered in the reader's language.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::notifications;
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Page, Paged};
use crate::error::AppResult;

/// A notification for one person, as stored in `notifications`. Serialises without the
/// recipient.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = notifications)]
pub struct Notification {
    /// Primary key; newer notifications have higher ids.
    pub id: i64,
    /// The recipient.
    #[serde(skip)]
    pub user_id: i64,
    /// Translation id, e.g. `notify-question-answered`; `subject` is its `title` argument.
    pub kind: String,
    /// The path the notification leads to (`/challenges/<slug>`).
    pub link: String,
    /// The title it is about, passed to the message as `title`.
    pub subject: String,
    /// When it was sent (UTC).
    pub created_at: NaiveDateTime,
    /// When the recipient marked it read (UTC); `None` while unread.
    pub read_at: Option<NaiveDateTime>,
}

/// Notifies each user once (duplicates in `users` are dropped).
pub fn notify(
    conn: &mut DbConnection,
    users: &[i64],
    kind: &str,
    link: &str,
    subject: &str,
) -> AppResult<()> {
    let mut seen = Vec::new();
    let now = db::now();
    for &u in users {
        if seen.contains(&u) {
            continue;
        }
        seen.push(u);
        diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(u),
                notifications::kind.eq(kind),
                notifications::link.eq(link),
                notifications::subject.eq(subject),
                notifications::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A page of the person's notifications, newest first.
pub fn list(conn: &mut DbConnection, user_id: i64, page: Page) -> AppResult<Paged<Notification>> {
    let total = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let items = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(Notification::as_select())
        .load(conn)?;
    Ok(Paged::new(items, total, page))
}

/// How many of the person's notifications are unread.
pub fn unread_count(conn: &mut DbConnection, user_id: i64) -> AppResult<i64> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks all the person's unread notifications read; returns how many changed.
pub fn mark_all_read(conn: &mut DbConnection, user_id: i64) -> AppResult<usize> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(db::now()))
    .execute(conn)?)
}
