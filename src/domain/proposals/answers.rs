//! The questions a challenge asks its proposals: the agency attaches one of its forms
//! (`challenges.submission_form_id`), each proposal answers it (`proposals.answers`, with
//! `form_version_id` naming the version answered).
//!
//! A draft may keep answers that are still missing, never answers that are wrong; a
//! submission needs every required answer, checked against the form as it is at that
//! moment. The answers keep pointing at the version they answer, so a form changed later
//! shows old answers under the questions they were given to.

use super::{ensure_editable, store, Change, Proposal};
use crate::db::{self, DbConnection};
use crate::domain::challenges::Challenge;
use crate::domain::form_library::{self, FormVersion};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::{answers, Answers, FormDefinition, Raw, Scope};
use crate::kinds::ProposalStatus;

/// The challenge's form as it is now; `None` when it asks nothing.
pub fn current_of(
    conn: &mut DbConnection,
    challenge: &Challenge,
) -> AppResult<Option<(FormVersion, FormDefinition)>> {
    let Some(form_id) = challenge.submission_form_id else {
        return Ok(None);
    };
    let cur = form_library::current(conn, form_id)?;
    let def = cur.version.definition()?;
    Ok(Some((cur.version, def)))
}

/// The definition of the version the proposal answered, if it answered one.
pub fn answered_version(
    conn: &mut DbConnection,
    p: &Proposal,
) -> AppResult<Option<FormDefinition>> {
    match p.form_version_id {
        Some(id) => Ok(Some(form_library::version(conn, id)?.definition()?)),
        None => Ok(None),
    }
}

/// The proposal's stored answers.
pub fn stored(p: &Proposal) -> Answers {
    serde_json::from_str(&p.answers).unwrap_or_default()
}

/// What a save found: the proposal as stored and the keys still to answer before it can
/// be submitted.
pub struct Saved {
    /// The proposal as stored after the save.
    pub proposal: Proposal,
    /// How many required answers are still missing.
    pub missing: usize,
}

/// Saves the answers to the challenge's current form. Wrong answers are refused (by field
/// key); missing ones only once the proposal was submitted, since it must stay complete.
/// `p` is the proposal as the request read it: when it changed since, nothing is saved.
pub fn save(
    conn: &mut DbConnection,
    p: &Proposal,
    challenge: &Challenge,
    raw: &Raw,
) -> AppResult<Saved> {
    ensure_editable(p, challenge, db::now())?;
    let Some((version, def)) = current_of(conn, challenge)? else {
        return Err(FieldErrors::single("answers", "answers-not-asked"));
    };
    let checked = answers::check(&def, Scope::All, raw, &Answers::new(), &[]);
    let wrong = checked.invalid();
    if !wrong.is_empty() {
        return Err(AppError::Validation(wrong));
    }
    if p.status != ProposalStatus::Draft && !checked.errors.is_empty() {
        return Err(AppError::Validation(checked.errors));
    }
    let proposal = store(
        conn,
        p,
        Change::Answers {
            json: serde_json::to_string(&checked.answers).map_err(AppError::internal)?,
            version_id: version.id,
        },
    )?;
    Ok(Saved {
        proposal,
        missing: checked.errors.len(),
    })
}

/// At submission: the stored answers must answer the form as it is now, completely.
/// Problems come under `answers.<key>`; the answers are stored again as checked (answers
/// to questions that no longer show are dropped) with the version they now answer.
pub fn complete_for_submission(
    conn: &mut DbConnection,
    p: &Proposal,
    challenge: &Challenge,
) -> AppResult<()> {
    let Some((version, def)) = current_of(conn, challenge)? else {
        return Ok(());
    };
    let raw = Raw::from_json(&stored(p));
    let checked = answers::check(&def, Scope::All, &raw, &Answers::new(), &[]);
    if !checked.errors.is_empty() {
        let mut e = FieldErrors::new();
        e.merge_prefixed("answers.", checked.errors);
        return Err(AppError::Validation(e));
    }
    if p.form_version_id != Some(version.id) || checked.answers != stored(p) {
        store(
            conn,
            p,
            Change::Answers {
                json: serde_json::to_string(&checked.answers).map_err(AppError::internal)?,
                version_id: version.id,
            },
        )?;
    }
    Ok(())
}

/// [`save`] for the API, where the answers come with the proposal's other fields: the
/// problems are named `answers.<key>`.
pub fn save_prefixed(
    conn: &mut DbConnection,
    p: &Proposal,
    challenge: &Challenge,
    raw: &Raw,
) -> AppResult<Proposal> {
    match save(conn, p, challenge, raw) {
        Ok(saved) => Ok(saved.proposal),
        Err(AppError::Validation(e)) if e.get("answers").is_none() => {
            let mut out = FieldErrors::new();
            out.merge_prefixed("answers.", e);
            Err(AppError::Validation(out))
        }
        Err(e) => Err(e),
    }
}
