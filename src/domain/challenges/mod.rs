//! Challenges: what agencies publish. The one state machine (draft -> open -> closed ->
//! evaluating -> concluded -> archived), creating and changing a challenge, and the facts
//! the policy needs about it. The rest is split by job:
//!
//! - [`input`]: the fields an agency types, checked.
//! - [`list`]: the public list with its filters.
//! - [`following`]: followers and their deadline reminders.
//! - [`dashboard`]: the agency's overview.
//!
//! Its topics are in `domain::topics`, its evaluation stages in `domain::evaluation::stages`.

pub mod dashboard;
pub mod following;
pub mod input;
pub mod list;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::{self, ChallengeFacts};
use crate::db::schema::{challenges, proposals, stages};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{ChallengeStatus, Level, OrgKind, ProposalStatus, ProposalVisibility};
use crate::text;

pub use self::dashboard::{dashboard, ChallengeLine};
pub use self::following::{followers, is_following, remind_deadlines, set_following};
use self::input::{eligibility_csv, ChallengeRow};
pub use self::input::{parse_euros, validate, ChallengeInput, ValidChallenge};
pub use self::list::{
    list, publishing_agencies, ListFilter, ListItem, ListedChallenge, AGENCY_CHOICES, SOON_DAYS,
};
use crate::domain::topics::{set_topics, topics_of};

/// What the agency asks the state machine to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// Draft to open: makes the challenge public; the deadline must lie ahead.
    Publish,
    /// Open to closed: stops taking proposals.
    Close,
    /// Closed to evaluating.
    StartEvaluation,
    /// Evaluating to concluded.
    Conclude,
    /// Closed or concluded to archived; it stays public.
    Archive,
}

impl Transition {
    /// Every transition, in the order of the state machine.
    pub const ALL: [Transition; 5] = [
        Transition::Publish,
        Transition::Close,
        Transition::StartEvaluation,
        Transition::Conclude,
        Transition::Archive,
    ];
    /// The spelling forms and the API use (`start_evaluation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Publish => "publish",
            Transition::Close => "close",
            Transition::StartEvaluation => "start_evaluation",
            Transition::Conclude => "conclude",
            Transition::Archive => "archive",
        }
    }
    /// The transition with this spelling, if any.
    pub fn parse(s: &str) -> Option<Transition> {
        Transition::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The state machine: the status after `t`, or `None` when `t` is not allowed from `from`.
/// Each status moves one step forward; concluded and closed challenges may be archived,
/// drafts never (an archive is public).
pub fn next_status(from: ChallengeStatus, t: Transition) -> Option<ChallengeStatus> {
    use ChallengeStatus::*;
    use Transition::*;
    match (from, t) {
        (Draft, Publish) => Some(Open),
        (Open, Close) => Some(Closed),
        (Closed, StartEvaluation) => Some(Evaluating),
        (Evaluating, Conclude) => Some(Concluded),
        // Never from a draft: archived challenges are public, and a draft was never
        // published (nor checked as an agency's publication).
        (Concluded | Closed, Archive) => Some(Archived),
        _ => None,
    }
}

/// The transitions offered from a status (the buttons on the page).
pub fn transitions_from(from: ChallengeStatus) -> Vec<Transition> {
    Transition::ALL
        .into_iter()
        .filter(|t| next_status(from, *t).is_some())
        .collect()
}

/// A challenge, as stored in `challenges`.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = challenges)]
pub struct Challenge {
    /// Primary key.
    pub id: i64,
    /// The unique name in its address (`/challenges/<slug>`), made from the title at creation.
    pub slug: String,
    /// The agency that publishes it.
    pub organisation_id: i64,
    /// The title (at most 200 characters).
    pub title: String,
    /// A short summary for lists (at most 500 characters).
    pub summary: String,
    /// The full text in Markdown (at most 50,000 characters); may be empty.
    pub description: String,
    /// The language it is written in: `de` or `en`.
    pub language: String,
    /// The kinds of organisation that may propose, as their stored spellings joined by commas
    /// (`startup,research`); read it with `eligible_kinds`.
    pub eligibility: String,
    /// The administrative level of the agency's need.
    pub level: Level,
    /// The region it concerns, free text (at most 120 characters); may be empty.
    pub region: String,
    /// The budget in whole euros, if the agency names one.
    pub budget_eur: Option<i64>,
    /// Proposals are accepted until this instant (UTC), exclusive.
    pub submission_deadline: NaiveDateTime,
    /// How to reach the agency about it, free text (at most 300 characters); may be empty.
    pub contact: String,
    /// Whether its submitted proposals become public after the deadline.
    pub proposal_visibility: ProposalVisibility,
    /// Where it stands in its life; changed only by `transition`.
    pub status: ChallengeStatus,
    /// When it was published (UTC); `None` for a draft.
    pub published_at: Option<NaiveDateTime>,
    /// Who created it; `None` once that account is deleted.
    pub created_by: Option<i64>,
    /// When it was created (UTC).
    pub created_at: NaiveDateTime,
    /// When its content or status last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// The form whose questions proposals answer, if the challenge adds one.
    pub submission_form_id: Option<i64>,
}

impl Challenge {
    /// The kinds of organisation that may propose; unknown spellings are skipped.
    pub fn eligible_kinds(&self) -> Vec<OrgKind> {
        kinds_in(&self.eligibility)
    }
    /// Whether an organisation of `kind` may propose.
    pub fn is_eligible(&self, kind: OrgKind) -> bool {
        self.eligible_kinds().contains(&kind)
    }
    /// Submissions are accepted until the deadline, to the second, while open.
    pub fn accepts_submissions(&self, now: NaiveDateTime) -> bool {
        accepting(self.status, self.submission_deadline, now)
    }
    /// Whether the submission deadline has been reached at `now`, whatever the status.
    pub fn deadline_passed(&self, now: NaiveDateTime) -> bool {
        now >= self.submission_deadline
    }
    /// From when its submitted proposals are public (open co-creation after the
    /// deadline of a published challenge), if ever.
    pub fn proposals_public_from(&self) -> Option<NaiveDateTime> {
        (self.proposal_visibility == ProposalVisibility::PublicAfterDeadline
            && self.status.is_published())
        .then_some(self.submission_deadline)
    }
    /// Whether its submitted proposals are public now.
    pub fn proposals_public(&self, now: NaiveDateTime) -> bool {
        self.proposals_public_from().is_some_and(|at| at <= now)
    }
}

/// The organisation kinds of a stored eligibility (`startup,research`); unknown
/// spellings are skipped.
fn kinds_in(eligibility: &str) -> Vec<OrgKind> {
    eligibility
        .split(',')
        .filter_map(|k| OrgKind::parse(k.trim()))
        .collect()
}

/// Submissions are accepted until the deadline, to the second, while open.
fn accepting(status: ChallengeStatus, deadline: NaiveDateTime, now: NaiveDateTime) -> bool {
    status == ChallengeStatus::Open && now < deadline
}

fn unique_slug(conn: &mut DbConnection, title: &str) -> AppResult<String> {
    let base = text::slugify(title);
    let taken: Vec<String> = challenges::table
        .filter(
            challenges::slug
                .eq(&base)
                .or(challenges::slug.like(format!("{base}-%"))),
        )
        .select(challenges::slug)
        .load(conn)?;
    Ok(text::free_slug(&base, &taken))
}

/// Creates a draft in the agency's name.
pub fn create(
    conn: &mut DbConnection,
    organisation_id: i64,
    author: i64,
    c: &ValidChallenge,
) -> AppResult<Challenge> {
    let now = db::now();
    check_submission_form(conn, organisation_id, c.submission_form_id)?;
    let slug = unique_slug(conn, &c.title)?;
    let created: Challenge = diesel::insert_into(challenges::table)
        .values((
            challenges::slug.eq(slug),
            challenges::organisation_id.eq(organisation_id),
            c.row(),
            challenges::status.eq(ChallengeStatus::Draft),
            challenges::created_by.eq(author),
            challenges::created_at.eq(now),
            challenges::updated_at.eq(now),
        ))
        .returning(challenges::all_columns)
        .get_result(conn)?;
    set_topics(conn, created.id, &c.topic_slugs)?;
    Ok(created)
}

/// A form proposals can answer: one of the agency's own, asking for no files (proposals
/// bring their files as attachments).
fn check_submission_form(
    conn: &mut DbConnection,
    organisation_id: i64,
    form_id: Option<i64>,
) -> AppResult<()> {
    let Some(id) = form_id else {
        return Ok(());
    };
    let cur = match crate::domain::form_library::current(conn, id) {
        Ok(cur) if cur.form.organisation_id == organisation_id => cur,
        Ok(_) | Err(AppError::NotFound) => {
            return Err(FieldErrors::single(
                "submission_form_id",
                "submission-form-unknown",
            ))
        }
        Err(e) => return Err(e),
    };
    let def = cur.version.definition()?;
    if def
        .fields()
        .any(|f| f.kind == crate::forms::FieldType::File)
    {
        return Err(FieldErrors::single(
            "submission_form_id",
            "submission-form-files",
        ));
    }
    Ok(())
}

/// How many proposals have been submitted (withdrawn ones included: they were made under
/// the rules too).
pub fn submitted_count(conn: &mut DbConnection, challenge_id: i64) -> AppResult<i64> {
    Ok(proposals::table
        .filter(proposals::challenge_id.eq(challenge_id))
        .filter(proposals::status.ne(ProposalStatus::Draft))
        .count()
        .get_result(conn)?)
}

/// Saves changes; `None` when there were none (nothing is written, so a form saved
/// unchanged leaves no trace). Once proposals were submitted, the rules they were made
/// under stay: eligibility and proposal visibility are locked and the deadline may only
/// move later.
pub fn update(
    conn: &mut DbConnection,
    current: &Challenge,
    c: &ValidChallenge,
) -> AppResult<Option<Challenge>> {
    if matches!(
        current.status,
        ChallengeStatus::Concluded | ChallengeStatus::Archived
    ) {
        return Err(AppError::Conflict {
            message_id: "challenge-finished",
        });
    }
    let c = c.clone().keeping_deadline_of(current);
    let mut topics_now: Vec<String> = topics_of(conn, &[current.id])?
        .remove(&current.id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    let mut topics_sent = c.topic_slugs.clone();
    topics_now.sort();
    topics_sent.sort();
    if c.row() == ChallengeRow::of(current) && topics_now == topics_sent {
        return Ok(None);
    }
    if !policy::blind_review_possible(
        c.proposal_visibility == ProposalVisibility::PublicAfterDeadline,
    ) && has_blind_stage(conn, current.id)?
    {
        return Err(FieldErrors::single(
            "proposal_visibility",
            "visibility-excludes-blind",
        ));
    }
    if submitted_count(conn, current.id)? > 0 {
        let mut e = FieldErrors::new();
        if eligibility_csv(&c.eligibility) != eligibility_csv(&current.eligible_kinds()) {
            e.add("eligibility", "locked-after-submissions");
        }
        if c.proposal_visibility != current.proposal_visibility {
            e.add("proposal_visibility", "locked-after-submissions");
        }
        if c.submission_deadline < current.submission_deadline {
            e.add("submission_deadline", "deadline-only-later");
        }
        if c.submission_form_id != current.submission_form_id {
            e.add("submission_form_id", "locked-after-submissions");
        }
        e.into_result()?;
    }
    if c.submission_form_id != current.submission_form_id {
        check_submission_form(conn, current.organisation_id, c.submission_form_id)?;
    }
    let updated: Challenge = diesel::update(challenges::table.find(current.id))
        .set((c.row(), challenges::updated_at.eq(db::now())))
        .returning(challenges::all_columns)
        .get_result(conn)?;
    if topics_now != topics_sent {
        set_topics(conn, current.id, &c.topic_slugs)?;
    }
    Ok(Some(updated))
}

/// Whether any stage of the challenge is blind.
fn has_blind_stage(conn: &mut DbConnection, challenge_id: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        stages::table
            .filter(stages::challenge_id.eq(challenge_id))
            .filter(stages::blind.eq(true)),
    ))
    .get_result(conn)?)
}

/// Applies a transition; illegal ones are a 409 with a message naming the status.
pub fn transition(
    conn: &mut DbConnection,
    current: &Challenge,
    t: Transition,
) -> AppResult<Challenge> {
    let next = next_status(current.status, t).ok_or(AppError::Conflict {
        message_id: "transition-illegal",
    })?;
    if t == Transition::Publish && current.submission_deadline <= db::now() {
        return Err(FieldErrors::single(
            "submission_deadline",
            "deadline-in-past",
        ));
    }
    let now = db::now();
    let published_at = if t == Transition::Publish {
        Some(now)
    } else {
        current.published_at
    };
    diesel::update(
        challenges::table
            .find(current.id)
            .filter(challenges::status.eq(&current.status)),
    )
    .set((
        challenges::status.eq(next),
        challenges::published_at.eq(published_at),
        challenges::updated_at.eq(now),
    ))
    .returning(challenges::all_columns)
    .get_result::<Challenge>(conn)
    .optional()?
    // Someone else moved it first.
    .ok_or(AppError::Conflict {
        message_id: "transition-illegal",
    })
}

/// The facts the policy needs about `c` for the given user.
pub fn facts(
    conn: &mut DbConnection,
    c: &Challenge,
    user_id: Option<i64>,
) -> AppResult<ChallengeFacts> {
    Ok(ChallengeFacts {
        id: c.id,
        published: c.status.is_published(),
        agency: crate::domain::organisations::facts_by_id(conn, c.organisation_id, user_id)?,
    })
}

/// Sets slug and status directly, outside the state machine: only for seed data, which
/// names its challenges and describes them at every point of their life.
pub fn seed_finish(
    conn: &mut DbConnection,
    id: i64,
    slug: &str,
    status: ChallengeStatus,
    published_at: Option<NaiveDateTime>,
) -> AppResult<()> {
    diesel::update(challenges::table.find(id))
        .set((
            challenges::slug.eq(slug),
            challenges::status.eq(status),
            challenges::published_at.eq(published_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The challenge with this id, draft or not, or `NotFound`; callers check who may see it.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Challenge> {
    challenges::table
        .find(id)
        .select(Challenge::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The challenge with this slug, draft or not, or `NotFound` (also for text that is no
/// slug); callers check who may see it.
pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> AppResult<Challenge> {
    if !text::is_slug(slug) {
        return Err(AppError::NotFound);
    }
    challenges::table
        .filter(challenges::slug.eq(slug))
        .select(Challenge::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_moves_one_way() {
        use ChallengeStatus::*;
        use Transition::*;
        assert_eq!(next_status(Draft, Publish), Some(Open));
        assert_eq!(next_status(Open, Close), Some(Closed));
        assert_eq!(next_status(Closed, StartEvaluation), Some(Evaluating));
        assert_eq!(next_status(Evaluating, Conclude), Some(Concluded));
        assert_eq!(next_status(Concluded, Archive), Some(Archived));
        for (from, t) in [
            (Open, Publish),
            (Draft, Close),
            (Open, Conclude),
            (Archived, Publish),
            (Draft, Archive),
            (Evaluating, Archive),
            (Concluded, Publish),
        ] {
            assert_eq!(next_status(from, t), None, "{from:?} {t:?}");
        }
        assert_eq!(transitions_from(Draft), vec![Publish]);
        assert!(transitions_from(Archived).is_empty());
    }
}
