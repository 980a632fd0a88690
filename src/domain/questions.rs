//! Public questions about a challenge. Anyone may ask, named or anonymously; for an
//! anonymous question the asker is not stored at all (only the hash of a private link
//! they may keep). The agency answers publicly or declines with a reason; staff and
//! admins can hide abusive content.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::policy;
use crate::auth::secrets;
use crate::db::schema::{questions, users};
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Page, Paged};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::QuestionStatus;
use crate::text;

/// The longest question accepted, in characters.
pub const MAX_BODY: usize = 2000;

/// A question about a challenge, as stored in `questions`. Serialises without who asked,
/// answered or hid it, the reason for hiding, and the follow key's hash.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = questions)]
pub struct Question {
    /// Primary key.
    pub id: i64,
    /// The challenge asked about.
    pub challenge_id: i64,
    /// The asker, for questions asked by name; `None` for anonymous questions (and once the
    /// account is deleted).
    #[serde(skip)]
    pub asker_id: Option<i64>,
    /// The question as asked (trimmed, at most `MAX_BODY` characters).
    pub body: String,
    /// Open, answered or declined.
    pub status: QuestionStatus,
    /// The agency's public answer (at most 5,000 characters); `None` unless answered.
    pub answer: Option<String>,
    /// Why the agency declined (at most 1,000 characters); `None` unless declined.
    pub decline_reason: Option<String>,
    /// Who last answered or declined it; `None` while open or once that account is deleted.
    #[serde(skip)]
    pub answered_by: Option<i64>,
    /// When it was last answered or declined (UTC); `None` while open.
    pub answered_at: Option<NaiveDateTime>,
    /// When staff or an admin hid it (UTC); `None` while visible.
    pub hidden_at: Option<NaiveDateTime>,
    /// Who hid it; `None` while visible or once that account is deleted.
    #[serde(skip)]
    pub hidden_by: Option<i64>,
    /// Why it was hidden (at most 500 characters), kept for the audit; `None` while visible.
    #[serde(skip)]
    pub hidden_reason: Option<String>,
    /// Hash of the private follow key of an anonymous question; `None` for named ones.
    #[serde(skip)]
    pub follow_key_hash: Option<String>,
    /// When it was asked (UTC).
    pub created_at: NaiveDateTime,
}

/// A question with the asker's name when they asked by name.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    #[serde(flatten)]
    /// The question; its fields appear at the top level when serialised.
    pub question: Question,
    /// The asker's display name; `None` for anonymous questions and deleted accounts.
    pub asker_name: Option<String>,
    /// Whether the reader asked it by name.
    pub mine: bool,
}

/// Stores a question. Anonymous questions keep no link to the asker; the returned key
/// (only for anonymous ones) opens the question's private follow link.
pub fn ask(
    conn: &mut DbConnection,
    challenge_id: i64,
    asker: Option<i64>,
    body: &str,
    anonymous: bool,
) -> AppResult<(Question, Option<String>)> {
    let mut e = FieldErrors::new();
    let body = text::required_text(body, "body", MAX_BODY, &mut e);
    e.into_result()?;
    let named = if anonymous { None } else { asker };
    if !anonymous && asker.is_none() {
        return Err(AppError::Unauthorized);
    }
    let key = anonymous.then(secrets::new_token);
    let q = diesel::insert_into(questions::table)
        .values((
            questions::challenge_id.eq(challenge_id),
            questions::asker_id.eq(named),
            questions::body.eq(body),
            questions::status.eq(QuestionStatus::Open),
            questions::follow_key_hash.eq(key.as_deref().map(secrets::token_hash)),
            questions::created_at.eq(db::now()),
        ))
        .returning(questions::all_columns)
        .get_result(conn)?;
    Ok((q, key))
}

/// Whether the question and its answer are public (see [`policy::question_public`]).
pub fn is_public(q: &Question, challenge_published: bool) -> bool {
    policy::question_public(
        q.status == QuestionStatus::Answered && q.answer.as_deref().is_some_and(|a| !a.is_empty()),
        q.hidden_at.is_some(),
        challenge_published,
    )
}

/// The question with this id, visible or not, or `NotFound`; callers check who may see it.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Question> {
    questions::table
        .find(id)
        .select(Question::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The question a private follow key opens.
pub fn find_by_key(conn: &mut DbConnection, id: i64, key: &str) -> AppResult<Question> {
    let q = find(conn, id)?;
    match &q.follow_key_hash {
        Some(h) if secrets::constant_time_eq(h.as_bytes(), secrets::token_hash(key).as_bytes()) => {
            Ok(q)
        }
        _ => Err(AppError::NotFound),
    }
}

/// Which questions a reader gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Answered, not hidden; plus the reader's own open ones by name.
    Public {
        /// The signed-in reader, whose own open questions are included; `None` for a
        /// visitor.
        reader: Option<i64>,
    },
    /// The owning agency: everything, hidden ones marked.
    Agency,
}

/// A page of a challenge's questions, newest first (questions asked in the same second
/// by id, so that pages neither repeat nor skip one); the page, and its count when the
/// page does not tell it.
pub fn list(
    conn: &mut DbConnection,
    challenge_id: i64,
    audience: Audience,
    page: Page,
) -> AppResult<Paged<QuestionView>> {
    let reader = match audience {
        Audience::Public { reader } => reader,
        Audience::Agency => None,
    };
    // The join on the primary key adds no rows, so the count may share the query.
    let base = || {
        let q = questions::table
            .left_join(users::table.on(users::id.nullable().eq(questions::asker_id)))
            .filter(questions::challenge_id.eq(challenge_id))
            .into_boxed();
        match audience {
            Audience::Public { reader } => {
                let q = q.filter(questions::hidden_at.is_null());
                match reader {
                    Some(uid) => q.filter(
                        questions::status
                            .eq(QuestionStatus::Answered)
                            .or(questions::asker_id.eq(uid)),
                    ),
                    None => q.filter(questions::status.eq(QuestionStatus::Answered)),
                }
            }
            Audience::Agency => q,
        }
    };
    let rows: Vec<(Question, Option<String>)> = base()
        .order((questions::created_at.desc(), questions::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select((Question::as_select(), users::display_name.nullable()))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(question, asker_name)| QuestionView {
            mine: reader.is_some() && question.asker_id == reader,
            asker_name,
            question,
        })
        .collect();
    Ok(Paged::counting(items, page, || {
        base().count().get_result(conn)
    })?)
}

/// Answers (publicly) or declines with a reason. Answers can be corrected later.
pub fn respond(
    conn: &mut DbConnection,
    id: i64,
    by: i64,
    answer: Option<&str>,
    decline: Option<&str>,
) -> AppResult<Question> {
    let mut e = FieldErrors::new();
    let (status, answer, reason) = match (answer, decline) {
        (Some(a), _) => (
            "answered",
            Some(text::required_text(a, "answer", 5000, &mut e)),
            None,
        ),
        (None, Some(r)) => (
            "declined",
            None,
            Some(text::required_text(r, "reason", 1000, &mut e)),
        ),
        (None, None) => {
            e.add("answer", "field-required");
            ("open", None, None)
        }
    };
    e.into_result()?;
    Ok(diesel::update(questions::table.find(id))
        .set((
            questions::status.eq(status),
            questions::answer.eq(answer),
            questions::decline_reason.eq(reason),
            questions::answered_by.eq(by),
            questions::answered_at.eq(db::now()),
        ))
        .returning(questions::all_columns)
        .get_result(conn)?)
}

/// Hides (or shows again) abusive content; the reason stays for the audit.
pub fn set_hidden(
    conn: &mut DbConnection,
    id: i64,
    by: i64,
    hide: bool,
    reason: &str,
) -> AppResult<Question> {
    let reason = text::clean(reason)
        .trim()
        .chars()
        .take(500)
        .collect::<String>();
    Ok(diesel::update(questions::table.find(id))
        .set((
            questions::hidden_at.eq(hide.then(db::now)),
            questions::hidden_by.eq(hide.then_some(by)),
            questions::hidden_reason.eq(hide.then_some(reason)),
        ))
        .returning(questions::all_columns)
        .get_result(conn)?)
}
