//! Proposals: a team's answer to a challenge. Drafts are edited freely by every member
//! of the proposing organisation; submitting validates everything; after submission each
//! change until the deadline is a numbered revision with a readable diff. The deadline is
//! checked against the server clock, to the second.

pub mod answers;
pub mod list;
pub mod revisions;
pub mod view;

pub use self::list::{list_for_challenge, list_for_member, ListItem, Scope};
pub use self::revisions::{
    diff, history, record_revision, revisions, DiffLine, Revision, RevisionChanges,
};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::ReviewerFacts;
use crate::auth::policy::{self, ProposalFacts};
use crate::db::schema::{organisations, proposals};
use crate::db::{self, DbConnection};
use crate::domain::challenges::{self, Challenge};
use crate::domain::evaluation::reviews;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{ChallengeStatus, OrgKind, ProposalStatus};
use crate::text;

/// A proposal, as stored in `proposals`. Who may read which part is settled in `view`.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = proposals)]
pub struct Proposal {
    /// Primary key.
    pub id: i64,
    /// The challenge it answers.
    pub challenge_id: i64,
    /// The proposing organisation (one proposal per organisation and challenge).
    pub organisation_id: i64,
    /// The title (at most 200 characters); the one field a draft needs.
    pub title: String,
    /// A short summary (at most 1,000 characters).
    pub summary: String,
    /// How the team means to solve the challenge, in Markdown (at most 50,000 characters).
    pub approach: String,
    /// Who does the work (at most 5,000 characters); hidden in blind review.
    pub team: String,
    /// What a pilot would cover (at most 5,000 characters).
    pub pilot_scope: String,
    /// How long a pilot would take, free text (at most 200 characters).
    pub pilot_duration: String,
    /// The indicators and targets a pilot is measured by (at most 5,000 characters).
    pub pilot_kpis: String,
    /// The estimated cost in whole euros; `None` when the team leaves it open.
    pub cost_estimate_eur: Option<i64>,
    /// How personal data is handled (at most 5,000 characters).
    pub data_protection: String,
    /// The licence or open-source terms offered (at most 300 characters).
    pub licence: String,
    /// The answers to the challenge's form as a JSON object by field key; `{}` when none.
    pub answers: String,
    /// Draft, submitted or withdrawn.
    pub status: ProposalStatus,
    /// The number of the latest revision; 0 until the first submission.
    pub revision: i64,
    /// When it was last submitted (UTC); `None` until the first submission.
    pub submitted_at: Option<NaiveDateTime>,
    /// When it was withdrawn (UTC); `None` unless it is withdrawn now.
    pub withdrawn_at: Option<NaiveDateTime>,
    /// Who started it; `None` once that account is deleted.
    pub created_by: Option<i64>,
    /// When the draft was started (UTC).
    pub created_at: NaiveDateTime,
    /// When its content, answers or status last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// The version of the challenge's form that `answers` answer.
    pub form_version_id: Option<i64>,
}

/// The editable fields, as typed. Missing fields in a partial update stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProposalInput {
    /// The title; `None` leaves it as it is, as for every field here.
    pub title: Option<String>,
    /// The short summary.
    pub summary: Option<String>,
    /// Markdown.
    #[serde(alias = "description")]
    pub approach: Option<String>,
    /// Who does the work.
    pub team: Option<String>,
    /// What a pilot would cover.
    pub pilot_scope: Option<String>,
    /// How long a pilot would take.
    pub pilot_duration: Option<String>,
    /// The indicators and targets of a pilot.
    pub pilot_kpis: Option<String>,
    /// Whole euros; "45.000" is understood.
    pub cost_estimate_eur: Option<String>,
    /// How personal data is handled.
    pub data_protection: Option<String>,
    /// The licence or open-source terms offered.
    pub licence: Option<String>,
}

impl ProposalInput {
    /// The stored content as a form shows it, to be typed over.
    pub fn of(c: &Content) -> ProposalInput {
        ProposalInput {
            title: Some(c.title.clone()),
            summary: Some(c.summary.clone()),
            approach: Some(c.approach.clone()),
            team: Some(c.team.clone()),
            pilot_scope: Some(c.pilot_scope.clone()),
            pilot_duration: Some(c.pilot_duration.clone()),
            pilot_kpis: Some(c.pilot_kpis.clone()),
            cost_estimate_eur: Some(
                c.cost_estimate_eur
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            ),
            data_protection: Some(c.data_protection.clone()),
            licence: Some(c.licence.clone()),
        }
    }
}

/// The content of a proposal: what a revision records, a diff compares, and what is
/// written into the row (one struct for inserts and updates alike).
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Insertable,
    AsChangeset,
    utoipa::ToSchema,
)]
#[diesel(table_name = proposals, treat_none_as_null = true)]
pub struct Content {
    /// The title.
    pub title: String,
    /// The short summary.
    pub summary: String,
    /// The approach, in Markdown.
    pub approach: String,
    /// Who does the work.
    pub team: String,
    /// What a pilot would cover.
    pub pilot_scope: String,
    /// How long a pilot would take.
    pub pilot_duration: String,
    /// The indicators and targets of a pilot.
    pub pilot_kpis: String,
    /// The estimated cost in whole euros, if given.
    pub cost_estimate_eur: Option<i64>,
    /// How personal data is handled.
    pub data_protection: String,
    /// The licence or open-source terms offered.
    pub licence: String,
}

impl Content {
    /// The content of a stored proposal.
    pub fn of(p: &Proposal) -> Content {
        Content {
            title: p.title.clone(),
            summary: p.summary.clone(),
            approach: p.approach.clone(),
            team: p.team.clone(),
            pilot_scope: p.pilot_scope.clone(),
            pilot_duration: p.pilot_duration.clone(),
            pilot_kpis: p.pilot_kpis.clone(),
            cost_estimate_eur: p.cost_estimate_eur,
            data_protection: p.data_protection.clone(),
            licence: p.licence.clone(),
        }
    }

    /// The fields in display order with their values as text.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("title", self.title.clone()),
            ("summary", self.summary.clone()),
            ("approach", self.approach.clone()),
            ("team", self.team.clone()),
            ("pilot_scope", self.pilot_scope.clone()),
            ("pilot_duration", self.pilot_duration.clone()),
            ("pilot_kpis", self.pilot_kpis.clone()),
            (
                "cost_estimate_eur",
                self.cost_estimate_eur
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            ("data_protection", self.data_protection.clone()),
            ("licence", self.licence.clone()),
        ]
    }
}

/// Applies an input over the current content. Texts are cleaned and limited; only the
/// title is needed to keep a draft.
pub fn merge(current: &Content, input: &ProposalInput) -> AppResult<Content> {
    let mut e = FieldErrors::new();
    let mut c = current.clone();
    let mut take = |value: &Option<String>, field: &str, max: usize, target: &mut String| {
        if let Some(v) = value {
            let typed = text::optional_text(Some(v), field, max, &mut e).unwrap_or_default();
            if !text::same_text(target, &typed) {
                *target = typed;
            }
        }
    };
    take(&input.title, "title", 200, &mut c.title);
    take(&input.summary, "summary", 1000, &mut c.summary);
    take(&input.approach, "approach", 50_000, &mut c.approach);
    take(&input.team, "team", 5000, &mut c.team);
    take(&input.pilot_scope, "pilot_scope", 5000, &mut c.pilot_scope);
    take(
        &input.pilot_duration,
        "pilot_duration",
        200,
        &mut c.pilot_duration,
    );
    take(&input.pilot_kpis, "pilot_kpis", 5000, &mut c.pilot_kpis);
    take(
        &input.data_protection,
        "data_protection",
        5000,
        &mut c.data_protection,
    );
    take(&input.licence, "licence", 300, &mut c.licence);
    if let Some(raw) = &input.cost_estimate_eur {
        match challenges::parse_euros(raw) {
            Some(v) => c.cost_estimate_eur = v,
            None => e.add("cost_estimate_eur", "budget-invalid"),
        }
    }
    if c.title.is_empty() {
        e.add("title", "field-required");
    }
    e.into_result()?;
    Ok(c)
}

/// Everything a submitted proposal must have.
pub fn validate_complete(c: &Content) -> AppResult<()> {
    let mut e = FieldErrors::new();
    // Everything but the cost estimate, which a team may leave open.
    for (field, value) in c.fields() {
        if field != "cost_estimate_eur" && value.trim().is_empty() {
            e.add(field, "field-required");
        }
    }
    e.into_result()
}

/// Why the organisation may not propose to the challenge, if it may not.
pub fn check_eligible(challenge: &Challenge, kind: OrgKind, now: NaiveDateTime) -> AppResult<()> {
    if !challenge.accepts_submissions(now) {
        return Err(AppError::Conflict {
            message_id: "challenge-not-accepting",
        });
    }
    if !challenge.is_eligible(kind) {
        return Err(AppError::Conflict {
            message_id: "organisation-not-eligible",
        });
    }
    Ok(())
}

/// Starts a draft. One proposal per organisation and challenge.
pub fn create(
    conn: &mut DbConnection,
    challenge: &Challenge,
    org_id: i64,
    kind: OrgKind,
    author: i64,
    input: &ProposalInput,
) -> AppResult<Proposal> {
    let now = db::now();
    check_eligible(challenge, kind, now)?;
    if exists(conn, challenge.id, org_id)? {
        return Err(AppError::Conflict {
            message_id: "proposal-exists",
        });
    }
    let c = merge(&Content::default(), input)?;
    Ok(diesel::insert_into(proposals::table)
        .values((
            &c,
            proposals::challenge_id.eq(challenge.id),
            proposals::organisation_id.eq(org_id),
            proposals::status.eq(ProposalStatus::Draft),
            proposals::created_by.eq(author),
            proposals::created_at.eq(now),
            proposals::updated_at.eq(now),
        ))
        .returning(proposals::all_columns)
        .get_result(conn)?)
}

/// The organisation's proposal for the challenge, if it has one (at most one: unique).
pub fn of_organisation_for(
    conn: &mut DbConnection,
    challenge_id: i64,
    org_id: i64,
) -> AppResult<Option<Proposal>> {
    Ok(proposals::table
        .filter(proposals::challenge_id.eq(challenge_id))
        .filter(proposals::organisation_id.eq(org_id))
        .select(Proposal::as_select())
        .first(conn)
        .optional()?)
}

fn exists(conn: &mut DbConnection, challenge_id: i64, org_id: i64) -> AppResult<bool> {
    let n: i64 = proposals::table
        .filter(proposals::challenge_id.eq(challenge_id))
        .filter(proposals::organisation_id.eq(org_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// What a change answers when the proposal is no longer as it was read: another change
/// (a withdrawal, someone else's edit) came first.
fn changed_meanwhile() -> AppError {
    AppError::Conflict {
        message_id: "proposal-changed",
    }
}

/// A change written to a proposal's row by [`store`].
pub(crate) enum Change<'a> {
    /// The fields the team writes, as revision `revision`.
    Content { content: &'a Content, revision: i64 },
    /// The answers to the challenge's form (JSON), as answers to version `version_id`.
    Answers { json: String, version_id: i64 },
}

/// The row of `p`, provided status and revision are still the ones read.
#[diesel::dsl::auto_type(no_type_alias)]
fn as_read(id: i64, status: ProposalStatus, revision: i64) -> _ {
    proposals::table
        .find(id)
        .filter(proposals::status.eq(status))
        .filter(proposals::revision.eq(revision))
}

/// The one writer of what the team writes into a proposal's row: its fields and its
/// answers (status changes are [`submit`]'s and `set_status`'s, each guarded by the status
/// it starts from). The request read `p` before its transaction began, so the row is
/// written only while status and revision are still the ones the change was checked
/// against; otherwise nothing is written (409).
pub(crate) fn store(conn: &mut DbConnection, p: &Proposal, change: Change) -> AppResult<Proposal> {
    let target = diesel::update(as_read(p.id, p.status, p.revision));
    let now = db::now();
    let written = match change {
        Change::Content { content, revision } => target
            .set((
                content,
                proposals::revision.eq(revision),
                proposals::updated_at.eq(now),
            ))
            .returning(proposals::all_columns)
            .get_result(conn),
        Change::Answers { json, version_id } => target
            .set((
                proposals::answers.eq(json),
                proposals::form_version_id.eq(Some(version_id)),
                proposals::updated_at.eq(now),
            ))
            .returning(proposals::all_columns)
            .get_result(conn),
    };
    written.optional()?.ok_or_else(changed_meanwhile)
}

/// `p` as it is now, provided status and revision are still the ones read: an edit that
/// changes nothing must not report a state that another change has replaced.
fn still_as_read(conn: &mut DbConnection, p: &Proposal) -> AppResult<Proposal> {
    as_read(p.id, p.status, p.revision)
        .select(Proposal::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(changed_meanwhile)
}

/// Whether the content (fields and files) may change now: drafts always, submitted
/// proposals until the deadline, withdrawn ones never.
pub fn ensure_editable(p: &Proposal, challenge: &Challenge, now: NaiveDateTime) -> AppResult<()> {
    match p.status {
        ProposalStatus::Withdrawn => Err(AppError::Conflict {
            message_id: "proposal-withdrawn",
        }),
        ProposalStatus::Submitted if !challenge.accepts_submissions(now) => {
            Err(AppError::Conflict {
                message_id: "deadline-passed",
            })
        }
        _ => Ok(()),
    }
}

/// Saves changes. Drafts change freely; a submitted proposal only until the deadline, and
/// every change is a new revision; a withdrawn one not at all.
/// `p` is the proposal as the request read it: when it has changed since, nothing is
/// saved (409 `proposal-changed`).
pub fn update(
    conn: &mut DbConnection,
    p: &Proposal,
    challenge: &Challenge,
    by: i64,
    input: &ProposalInput,
    note: &str,
) -> AppResult<Proposal> {
    ensure_editable(p, challenge, db::now())?;
    let content = merge(&Content::of(p), input)?;
    if p.status == ProposalStatus::Draft {
        return store(
            conn,
            p,
            Change::Content {
                content: &content,
                revision: p.revision,
            },
        );
    }
    validate_complete(&content)?;
    if content == Content::of(p) {
        return still_as_read(conn, p);
    }
    let updated = store(
        conn,
        p,
        Change::Content {
            content: &content,
            revision: p.revision + 1,
        },
    )?;
    record_revision(conn, &updated, updated.revision, by, note)?;
    Ok(updated)
}

/// Submits a complete draft before the deadline; it becomes revision 1 (or the next one
/// when it had been submitted and reopened before).
pub fn submit(
    conn: &mut DbConnection,
    p: &Proposal,
    challenge: &Challenge,
    by: i64,
) -> AppResult<Proposal> {
    let now = db::now();
    if let Some(message_id) = submit_refusal(p, challenge, now) {
        return Err(AppError::Conflict { message_id });
    }
    // Again at submission: the agency may have narrowed the eligible kinds since the
    // draft was started (that stays possible until the first submission).
    let kind: OrgKind = organisations::table
        .find(p.organisation_id)
        .select(organisations::kind)
        .first(conn)?;
    check_eligible(challenge, kind, now)?;
    validate_complete(&Content::of(p))?;
    answers::complete_for_submission(conn, p, challenge)?;
    let number = p.revision + 1;
    let updated: Proposal = diesel::update(
        proposals::table
            .find(p.id)
            .filter(proposals::status.eq(ProposalStatus::Draft)),
    )
    .set((
        proposals::status.eq(ProposalStatus::Submitted),
        proposals::submitted_at.eq(now),
        proposals::withdrawn_at.eq(None::<NaiveDateTime>),
        proposals::revision.eq(number),
        proposals::updated_at.eq(now),
    ))
    .returning(proposals::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(AppError::Conflict {
        message_id: "proposal-not-draft",
    })?;
    record_revision(conn, &updated, number, by, "")?;
    Ok(updated)
}

/// Withdraws a submitted proposal while the challenge has not gone into evaluation.
/// Like every status change, refused (409) when `p` is no longer in the status read.
pub fn withdraw(
    conn: &mut DbConnection,
    p: &Proposal,
    challenge: &Challenge,
) -> AppResult<Proposal> {
    if let Some(message_id) = withdraw_refusal(p, challenge) {
        return Err(AppError::Conflict { message_id });
    }
    set_status(conn, p, ProposalStatus::Withdrawn, Some(db::now()))
}

/// Turns a withdrawn proposal back into a draft, before the deadline only.
pub fn reopen(conn: &mut DbConnection, p: &Proposal, challenge: &Challenge) -> AppResult<Proposal> {
    if let Some(message_id) = reopen_refusal(p, challenge, db::now()) {
        return Err(AppError::Conflict { message_id });
    }
    set_status(conn, p, ProposalStatus::Draft, None)
}

/// Why `p` cannot be submitted now (a message id), or `None`. The organisation's
/// eligibility is checked by [`submit`] itself, against the database.
pub fn submit_refusal(p: &Proposal, c: &Challenge, now: NaiveDateTime) -> Option<&'static str> {
    if p.status != ProposalStatus::Draft {
        Some("proposal-not-draft")
    } else if !c.accepts_submissions(now) {
        Some("deadline-passed")
    } else {
        None
    }
}

/// Why `p` cannot be withdrawn now, or `None`: only a submitted proposal, and only
/// before the evaluation starts.
pub fn withdraw_refusal(p: &Proposal, c: &Challenge) -> Option<&'static str> {
    if p.status != ProposalStatus::Submitted {
        Some("proposal-not-submitted")
    } else if !matches!(c.status, ChallengeStatus::Open | ChallengeStatus::Closed) {
        Some("challenge-in-evaluation")
    } else {
        None
    }
}

/// Why `p` cannot become a draft again now, or `None`: a withdrawn proposal, before
/// the deadline.
pub fn reopen_refusal(p: &Proposal, c: &Challenge, now: NaiveDateTime) -> Option<&'static str> {
    if p.status != ProposalStatus::Withdrawn {
        Some("proposal-not-withdrawn")
    } else if !c.accepts_submissions(now) {
        Some("deadline-passed")
    } else {
        None
    }
}

/// Moves `p` to `status`, only from the status it was checked in (see [`store`]).
fn set_status(
    conn: &mut DbConnection,
    p: &Proposal,
    status: ProposalStatus,
    withdrawn_at: Option<NaiveDateTime>,
) -> AppResult<Proposal> {
    diesel::update(
        proposals::table
            .find(p.id)
            .filter(proposals::status.eq(&p.status)),
    )
    .set((
        proposals::status.eq(status),
        proposals::withdrawn_at.eq(withdrawn_at),
        proposals::updated_at.eq(db::now()),
    ))
    .returning(proposals::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or_else(changed_meanwhile)
}

/// The facts the policy needs about `p` (of challenge `c`) for the given user.
pub fn facts(
    conn: &mut DbConnection,
    p: &Proposal,
    c: &Challenge,
    user_id: Option<i64>,
) -> AppResult<ProposalFacts> {
    let team_role = match user_id {
        Some(uid) => crate::domain::organisations::role_of(conn, p.organisation_id, uid)?,
        None => None,
    };
    let challenge = challenges::facts(conn, c, user_id)?;
    // Only someone outside team and agency can be its evaluator (a member would be in
    // conflict anyway); asking only then keeps the usual pages to their statement budget.
    let reviewer = match user_id {
        Some(uid) if team_role.is_none() && challenge.agency.role.is_none() => {
            reviews::reviewer_facts(conn, p.id, p.organisation_id, uid)?
        }
        _ => ReviewerFacts::default(),
    };
    Ok(ProposalFacts {
        id: p.id,
        draft: p.status == ProposalStatus::Draft,
        team_role,
        challenge,
        reviewer,
        public: policy::proposal_public_from(
            p.status == ProposalStatus::Submitted,
            c.proposals_public_from(),
        )
        .is_some_and(|at| at <= db::now()),
    })
}

/// Inserts a proposal as seed data describes it (in any status, also after the deadline),
/// with a revision for its submission and one per later change note. `None` when the
/// organisation already has a proposal for the challenge.
pub fn seed_insert(
    conn: &mut DbConnection,
    challenge: &Challenge,
    org_id: i64,
    author: i64,
    c: &Content,
    status: ProposalStatus,
    later_changes: &[String],
) -> AppResult<Option<Proposal>> {
    if exists(conn, challenge.id, org_id)? {
        return Ok(None);
    }
    let now = db::now();
    let submitted = status != ProposalStatus::Draft;
    let revision = if submitted {
        1 + later_changes.len() as i64
    } else {
        0
    };
    let p: Proposal = diesel::insert_into(proposals::table)
        .values((
            c,
            proposals::challenge_id.eq(challenge.id),
            proposals::organisation_id.eq(org_id),
            proposals::status.eq(status),
            proposals::revision.eq(revision),
            proposals::submitted_at.eq(submitted
                .then(|| challenge.submission_deadline.min(now) - chrono::Duration::days(2))),
            proposals::withdrawn_at.eq((status == ProposalStatus::Withdrawn).then_some(now)),
            proposals::created_by.eq(author),
            proposals::created_at.eq(now),
            proposals::updated_at.eq(now),
        ))
        .returning(proposals::all_columns)
        .get_result(conn)?;
    if submitted {
        record_revision(conn, &p, 1, author, "")?;
        for (i, note) in later_changes.iter().enumerate() {
            record_revision(conn, &p, 2 + i as i64, author, note)?;
        }
    }
    Ok(Some(p))
}

/// The proposal with this id, in any status, or `NotFound`; callers check who may see it.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Proposal> {
    proposals::table
        .find(id)
        .select(Proposal::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Content {
        Content {
            title: "Hundesteuer digital".into(),
            summary: "Ein Formular.".into(),
            approach: "Wir bauen es.".into(),
            team: "Drei Leute".into(),
            pilot_scope: "Ein Bezirk".into(),
            pilot_duration: "3 Monate".into(),
            pilot_kpis: "- Abschlussquote 80 %".into(),
            cost_estimate_eur: Some(30000),
            data_protection: "Hosting in DE".into(),
            licence: "EUPL-1.2".into(),
        }
    }

    #[test]
    fn partial_input_changes_only_what_it_names() {
        let input = ProposalInput {
            summary: Some("  Neu  ".into()),
            cost_estimate_eur: Some("45.000".into()),
            ..Default::default()
        };
        let c = merge(&complete(), &input).unwrap();
        assert_eq!(c.summary, "Neu");
        assert_eq!(c.cost_estimate_eur, Some(45000));
        assert_eq!(c.title, "Hundesteuer digital");
        let bad = ProposalInput {
            title: Some(" ".into()),
            cost_estimate_eur: Some("viel".into()),
            ..Default::default()
        };
        let AppError::Validation(f) = merge(&complete(), &bad).unwrap_err() else {
            panic!()
        };
        assert_eq!(f.get("title"), Some("field-required"));
        assert_eq!(f.get("cost_estimate_eur"), Some("budget-invalid"));
    }

    #[test]
    fn submitting_needs_every_required_field() {
        assert!(validate_complete(&complete()).is_ok());
        let mut c = complete();
        c.team.clear();
        c.licence = " ".into();
        let AppError::Validation(f) = validate_complete(&c).unwrap_err() else {
            panic!()
        };
        assert_eq!(f.get("team"), Some("field-required"));
        assert_eq!(f.get("licence"), Some("field-required"));
        assert_eq!(f.get("title"), None);
    }

    #[test]
    fn the_diff_lists_changed_fields_line_by_line() {
        let old = complete();
        let mut new = complete();
        new.pilot_kpis = "- Abschlussquote 85 %\n- Zufriedenheit 4/5".into();
        let d = diff(&old, &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "pilot_kpis");
        assert!(d[0].1.contains(&DiffLine {
            kind: "removed",
            text: "- Abschlussquote 80 %".into()
        }));
        assert!(d[0].1.contains(&DiffLine {
            kind: "added",
            text: "- Zufriedenheit 4/5".into()
        }));
        assert!(diff(&old, &old).is_empty());
    }
}
