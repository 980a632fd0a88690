//! The clarification round: while a stage runs, the agency asks a proposal's team a
//! question with a deadline; the team answers until then; evaluators read both.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::policy::BlindWindow;
use crate::db::schema::{clarifications, stage_entries};
use crate::db::{self, DbConnection};
use crate::domain::evaluation::progress::StageContext;
use crate::domain::evaluation::workflow::Refusal;
use crate::domain::time;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::StageStatus;
use crate::text;

/// A question the agency put to a proposal's team during a stage, with the answer if any.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = clarifications)]
pub struct Clarification {
    /// Row id.
    pub id: i64,
    /// The stage it was asked in.
    pub stage_id: i64,
    /// The proposal whose team is asked.
    pub proposal_id: i64,
    /// The agency's question, as typed.
    pub question: String,
    /// The agency member who asked; `None` once their account is deleted.
    pub asked_by: Option<i64>,
    /// When it was asked.
    pub asked_at: NaiveDateTime,
    /// The team may answer until then.
    pub due_at: NaiveDateTime,
    /// The team's answer; `None` until answered.
    pub answer: Option<String>,
    /// The team member who answered; `None` before the answer or once their account is deleted.
    pub answered_by: Option<i64>,
    /// When it was answered; `None` until then.
    pub answered_at: Option<NaiveDateTime>,
}

const MAX_CHARS: usize = 5000;

/// Asks the team of a proposal in the running stage; `due` is a date-time as typed.
pub fn ask(
    conn: &mut DbConnection,
    ctx: &StageContext,
    proposal_id: i64,
    question: &str,
    due: &str,
    by: i64,
    now: NaiveDateTime,
) -> AppResult<Clarification> {
    if ctx.status() != StageStatus::Running {
        return Err(Refusal::NotRunning.into());
    }
    let mut e = FieldErrors::new();
    let question = text::required_text(question, "question", MAX_CHARS, &mut e);
    let due_at = time::parse_deadline(due);
    match due_at {
        None => e.add("due_at", "deadline-invalid"),
        Some(d) if d <= now => e.add("due_at", "deadline-past"),
        Some(_) => {}
    }
    let in_stage: i64 = stage_entries::table
        .filter(stage_entries::stage_id.eq(ctx.id()))
        .filter(stage_entries::proposal_id.eq(proposal_id))
        .count()
        .get_result(conn)?;
    if in_stage == 0 {
        e.add("proposal_id", "proposal-not-in-stage");
    }
    e.into_result()?;
    let id: i64 = diesel::insert_into(clarifications::table)
        .values((
            clarifications::stage_id.eq(ctx.id()),
            clarifications::proposal_id.eq(proposal_id),
            clarifications::question.eq(question),
            clarifications::asked_by.eq(by),
            clarifications::asked_at.eq(now),
            clarifications::due_at.eq(due_at.unwrap_or(now)),
        ))
        .returning(clarifications::id)
        .get_result(conn)?;
    find(conn, id)
}

/// The clarification with this id; not found (404) if there is none.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Clarification> {
    Ok(clarifications::table
        .find(id)
        .select(Clarification::as_select())
        .first(conn)?)
}

/// The team answers, once, until the deadline.
pub fn answer(
    conn: &mut DbConnection,
    c: &Clarification,
    answer: &str,
    by: i64,
    now: NaiveDateTime,
) -> AppResult<Clarification> {
    if c.answer.is_some() {
        return Err(AppError::Conflict {
            message_id: "clarification-answered",
        });
    }
    if now > c.due_at {
        return Err(AppError::Conflict {
            message_id: "clarification-overdue",
        });
    }
    let mut e = FieldErrors::new();
    let answer = text::required_text(answer, "answer", MAX_CHARS, &mut e);
    e.into_result()?;
    // Only while unanswered: of two team members answering at once, one wins.
    let written = diesel::update(
        clarifications::table
            .find(c.id)
            .filter(clarifications::answer.is_null()),
    )
    .set((
        clarifications::answer.eq(answer),
        clarifications::answered_by.eq(by),
        clarifications::answered_at.eq(db::now()),
    ))
    .execute(conn)?;
    if written == 0 {
        return Err(AppError::Conflict {
            message_id: "clarification-answered",
        });
    }
    find(conn, c.id)
}

/// The clarifications of a proposal, oldest first; only those of the blind stage for a
/// reader who may read only part of them ([`BlindWindow`]).
pub fn of_proposal(
    conn: &mut DbConnection,
    proposal_id: i64,
    window: Option<BlindWindow>,
) -> AppResult<Vec<Clarification>> {
    let mut q = clarifications::table
        .filter(clarifications::proposal_id.eq(proposal_id))
        .into_boxed();
    if let Some(w) = window {
        q = q.filter(clarifications::stage_id.eq(w.stage_id));
    }
    Ok(q.order(clarifications::id.asc())
        .select(Clarification::as_select())
        .load(conn)?)
}
