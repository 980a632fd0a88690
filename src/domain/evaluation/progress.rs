//! A stage's progress in the database: starting it with its entrants, deciding on each
//! proposal, releasing the decisions, and what teams and the public then see.
//!
//! Every function asks [`workflow`] whether its transition is allowed before it writes;
//! the callers record the audit entry in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::policy;
use crate::db::schema::{
    assignments, challenges, organisations, proposals, reviews, stage_entries, stages,
};
use crate::db::{self, DbConnection};
use crate::domain::challenges::Challenge;
use crate::domain::evaluation::stages::{Stage, StageRow};
use crate::domain::evaluation::workflow::{self, EntryState};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{ChallengeStatus, Outcome, ProposalStatus, StageStatus};
use crate::text;

/// A stage with its challenge, as every stage action needs both.
#[derive(Debug, Clone)]
pub struct StageContext {
    /// The stage, with its criteria.
    pub stage: Stage,
    /// The challenge the stage belongs to.
    pub challenge: Challenge,
    /// The stages of the challenge in order (this one included).
    pub siblings: Vec<StageRow>,
}

impl StageContext {
    /// The stage's id.
    pub fn id(&self) -> i64 {
        self.stage.stage.id
    }
    /// Where the stage stands: planned, running or released.
    pub fn status(&self) -> StageStatus {
        self.stage.stage.status
    }
    fn index(&self) -> usize {
        self.siblings
            .iter()
            .position(|s| s.id == self.id())
            .unwrap_or(0)
    }
    /// The stage before this one, if any.
    pub fn previous(&self) -> Option<&StageRow> {
        self.index().checked_sub(1).map(|i| &self.siblings[i])
    }
    /// Whether this is the challenge's final stage (an advance there means "selected").
    pub fn is_last(&self) -> bool {
        self.index() + 1 == self.siblings.len()
    }
}

/// Serialises the changes to one stage (PostgreSQL; SQLite's write transactions already
/// are), so that a check and the write it allows see the same stage: no release beside a
/// retraction, no review into a stage being released. Call first in the transaction.
pub fn lock(conn: &mut DbConnection, stage_id: i64) -> AppResult<()> {
    db::lock_for_append(conn, (2 << 40) | stage_id)
}

/// The stage with its challenge and sibling stages; not found (404) if there is no such
/// stage.
pub fn load(conn: &mut DbConnection, stage_id: i64) -> AppResult<StageContext> {
    let challenge: Challenge = stages::table
        .inner_join(challenges::table)
        .filter(stages::id.eq(stage_id))
        .select(Challenge::as_select())
        .first(conn)?;
    let all = crate::domain::evaluation::stages::stages_of(conn, challenge.id)?;
    let siblings = all.iter().map(|s| s.stage.clone()).collect();
    let stage = all
        .into_iter()
        .find(|s| s.stage.id == stage_id)
        .ok_or(AppError::NotFound)?;
    Ok(StageContext {
        stage,
        challenge,
        siblings,
    })
}

/// A proposal in a stage, with its decision.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = stage_entries)]
pub struct Entry {
    /// Row id.
    pub id: i64,
    /// The stage.
    pub stage_id: i64,
    /// The proposal taking part in it.
    pub proposal_id: i64,
    /// The decision; `None` while pending.
    pub outcome: Option<Outcome>,
    /// The agency's words to the team, shown with the outcome once released; may be empty.
    pub feedback: String,
    /// Who decided; `None` while pending or once their account is deleted.
    pub decided_by: Option<i64>,
    /// When it was decided; `None` while pending.
    pub decided_at: Option<NaiveDateTime>,
}

impl Entry {
    /// The entry's state in the workflow, given its stage's status.
    pub fn state(&self, stage: StageStatus) -> EntryState {
        match (self.outcome, stage) {
            (None, _) => EntryState::Pending,
            (Some(o), StageStatus::Released) => EntryState::Released(o),
            (Some(o), _) => EntryState::Decided(o),
        }
    }
}

/// The proposals in the stage with their decisions, by proposal id.
pub fn entries(conn: &mut DbConnection, stage_id: i64) -> AppResult<Vec<Entry>> {
    Ok(stage_entries::table
        .filter(stage_entries::stage_id.eq(stage_id))
        .order(stage_entries::proposal_id.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// How many proposals each started stage of the challenge holds, in one statement.
pub fn entry_counts(
    conn: &mut DbConnection,
    challenge_id: i64,
) -> AppResult<std::collections::BTreeMap<i64, i64>> {
    Ok(stage_entries::table
        .inner_join(stages::table)
        .filter(stages::challenge_id.eq(challenge_id))
        .group_by(stage_entries::stage_id)
        .select((stage_entries::stage_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// The running stage the proposal is in, if any (id and name).
pub fn running_stage_of(
    conn: &mut DbConnection,
    proposal_id: i64,
) -> AppResult<Option<(i64, String)>> {
    Ok(stage_entries::table
        .inner_join(stages::table)
        .filter(stage_entries::proposal_id.eq(proposal_id))
        .filter(stages::status.eq(StageStatus::Running))
        .select((stages::id, stages::name))
        .first(conn)
        .optional()?)
}

fn entry(conn: &mut DbConnection, stage_id: i64, proposal_id: i64) -> AppResult<Entry> {
    stage_entries::table
        .filter(stage_entries::stage_id.eq(stage_id))
        .filter(stage_entries::proposal_id.eq(proposal_id))
        .select(Entry::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| FieldErrors::single("proposal_id", "proposal-not-in-stage"))
}

/// Starts the stage: the first takes every submitted proposal, a later one those advanced
/// in the released stage before. A closed challenge moves to "evaluating" with its first
/// stage. Returns the number of entrants.
pub fn start(conn: &mut DbConnection, ctx: &StageContext) -> AppResult<usize> {
    let previous = ctx.previous().map(|p| p.status);
    workflow::start(ctx.status(), previous)?;
    if ctx.stage.criteria.is_empty() {
        // Reviews without criteria would have no score to rank by.
        return Err(AppError::Conflict {
            message_id: "stage-no-criteria",
        });
    }
    match ctx.challenge.status {
        ChallengeStatus::Evaluating => {}
        ChallengeStatus::Closed => {
            diesel::update(challenges::table.find(ctx.challenge.id))
                .set((
                    challenges::status.eq(ChallengeStatus::Evaluating),
                    challenges::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
        }
        _ => {
            return Err(AppError::Conflict {
                message_id: "stage-challenge-not-closed",
            })
        }
    }
    let submitted: Vec<i64> = proposals::table
        .filter(proposals::challenge_id.eq(ctx.challenge.id))
        .filter(proposals::status.eq(ProposalStatus::Submitted))
        .order(proposals::id.asc())
        .select(proposals::id)
        .load(conn)?;
    let before: Option<Vec<(i64, EntryState)>> = match ctx.previous() {
        Some(p) => Some(
            entries(conn, p.id)?
                .into_iter()
                .map(|e| (e.proposal_id, e.state(p.status)))
                .collect(),
        ),
        None => None,
    };
    let entrants = workflow::entrants(before.as_deref(), &submitted);
    for proposal_id in &entrants {
        diesel::insert_into(stage_entries::table)
            .values((
                stage_entries::stage_id.eq(ctx.id()),
                stage_entries::proposal_id.eq(proposal_id),
            ))
            .execute(conn)?;
    }
    diesel::update(stages::table.find(ctx.id()))
        .set(stages::status.eq(StageStatus::Running))
        .execute(conn)?;
    Ok(entrants.len())
}

const FEEDBACK_MAX: usize = 5000;

/// Decides on one proposal of a running stage.
pub fn decide(
    conn: &mut DbConnection,
    ctx: &StageContext,
    proposal_id: i64,
    outcome: Outcome,
    feedback: &str,
    by: i64,
) -> AppResult<()> {
    let mut e = FieldErrors::new();
    text::optional_text(Some(feedback), "feedback", FEEDBACK_MAX, &mut e);
    e.into_result()?;
    let current = entry(conn, ctx.id(), proposal_id)?;
    workflow::decide(ctx.status(), current.state(ctx.status()), outcome)?;
    diesel::update(stage_entries::table.find(current.id))
        .set((
            stage_entries::outcome.eq(outcome),
            stage_entries::feedback.eq(text::clean(feedback).trim()),
            stage_entries::decided_by.eq(by),
            stage_entries::decided_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes back a decision before release.
pub fn retract(conn: &mut DbConnection, ctx: &StageContext, proposal_id: i64) -> AppResult<()> {
    let current = entry(conn, ctx.id(), proposal_id)?;
    workflow::retract(ctx.status(), current.state(ctx.status()))?;
    diesel::update(stage_entries::table.find(current.id))
        .set((
            stage_entries::outcome.eq(None::<Outcome>),
            stage_entries::decided_by.eq(None::<i64>),
            stage_entries::decided_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Releases a fully decided stage. Returns, per entry, the proposing organisation and the
/// proposal, so that the caller can tell the teams.
pub fn release(
    conn: &mut DbConnection,
    ctx: &StageContext,
    show_scores: bool,
) -> AppResult<Vec<(i64, i64)>> {
    let all = entries(conn, ctx.id())?;
    let undecided = all.iter().filter(|e| e.outcome.is_none()).count();
    workflow::release(ctx.status(), undecided)?;
    diesel::update(stages::table.find(ctx.id()))
        .set((
            stages::status.eq(StageStatus::Released),
            stages::released_at.eq(db::now()),
            stages::scores_released.eq(show_scores),
        ))
        .execute(conn)?;
    let ids: Vec<i64> = all.iter().map(|e| e.proposal_id).collect();
    Ok(proposals::table
        .filter(proposals::id.eq_any(&ids))
        .select((proposals::organisation_id, proposals::id))
        .load(conn)?)
}

/// A released outcome as the team sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamOutcome {
    /// The released stage.
    pub stage_id: i64,
    /// Its name, as the agency wrote it.
    pub stage_name: String,
    /// The decision on the proposal in that stage.
    pub outcome: Outcome,
    /// The agency's words to the team; may be empty.
    pub feedback: String,
    /// Whether this was the last stage (an advance there means "selected").
    pub last: bool,
    /// The mean of the submitted reviews (0-100), when the agency shared the scores.
    pub score: Option<f64>,
}

/// The released outcomes of a proposal, stage by stage, in at most two statements.
pub fn released_outcomes(
    conn: &mut DbConnection,
    proposal_id: i64,
    challenge_id: i64,
) -> AppResult<Vec<TeamOutcome>> {
    let all: Vec<StageRow> = stages::table
        .filter(stages::challenge_id.eq(challenge_id))
        .order(stages::position.asc())
        .select(StageRow::as_select())
        .load(conn)?;
    let released: Vec<i64> = all
        .iter()
        .filter(|s| s.status == StageStatus::Released)
        .map(|s| s.id)
        .collect();
    if released.is_empty() {
        return Ok(Vec::new());
    }
    // One row per submitted review (or one without a score): the decision repeats.
    let rows: Vec<(i64, Option<Outcome>, String, Option<f64>)> = stage_entries::table
        .left_join(
            assignments::table.on(assignments::stage_id
                .eq(stage_entries::stage_id)
                .and(assignments::proposal_id.eq(stage_entries::proposal_id))),
        )
        .left_join(
            reviews::table.on(reviews::assignment_id
                .eq(assignments::id)
                .and(reviews::submitted_at.is_not_null())),
        )
        .filter(stage_entries::proposal_id.eq(proposal_id))
        .filter(stage_entries::stage_id.eq_any(&released))
        .select((
            stage_entries::stage_id,
            stage_entries::outcome,
            stage_entries::feedback,
            reviews::score.nullable(),
        ))
        .load(conn)?;
    let last = all.last().map(|s| s.id);
    Ok(all
        .iter()
        .filter_map(|s| {
            let mine: Vec<&(i64, Option<Outcome>, String, Option<f64>)> =
                rows.iter().filter(|r| r.0 == s.id).collect();
            let first = mine.first()?;
            let scores: Vec<f64> = mine.iter().filter_map(|r| r.3).collect();
            Some(TeamOutcome {
                stage_id: s.id,
                stage_name: s.name.clone(),
                outcome: first.1?,
                feedback: first.2.clone(),
                last: Some(s.id) == last,
                score: (s.scores_released && !scores.is_empty())
                    // One decimal is what a team can read; more would suggest precision.
                    .then(|| {
                        (scores.iter().sum::<f64>() / scores.len() as f64 * 10.0).round() / 10.0
                    }),
            })
        })
        .collect())
}

/// One released stage on the public results page: the proposals that advanced.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStage {
    /// The stage's name.
    pub name: String,
    /// Whether it is the challenge's final stage (who advanced there was selected).
    pub last: bool,
    /// When the decisions were released.
    pub released_at: Option<NaiveDateTime>,
    /// The proposals that advanced, by title.
    pub advanced: Vec<PublicEntry>,
    /// The teams are named (see [`policy::results_name_teams`]).
    pub teams_named: bool,
}

/// A proposal that advanced; its team is absent while
/// [`policy::results_name_teams`] says so.
#[derive(Debug, Clone, Serialize)]
pub struct PublicEntry {
    /// The proposal.
    pub proposal_id: i64,
    /// Its title.
    pub title: String,
    /// The proposing organisation's name; `None` while the teams are not named.
    pub organisation_name: Option<String>,
    /// That organisation's slug, for a link; `None` while the teams are not named.
    pub organisation_slug: Option<String>,
}

/// The public results of a challenge: per released stage, who advanced (rejected and
/// shelved proposals are not named in public).
pub fn public_results(conn: &mut DbConnection, challenge_id: i64) -> AppResult<Vec<PublicStage>> {
    let all = crate::domain::evaluation::stages::stages_of(conn, challenge_id)?;
    let count = all.len();
    let named = policy::results_name_teams(
        all.iter()
            .any(|s| s.stage.blind && s.stage.status != StageStatus::Released),
    );
    let mut out = Vec::new();
    for (i, s) in all.into_iter().enumerate() {
        if s.stage.status != StageStatus::Released {
            continue;
        }
        let rows: Vec<(i64, String, String, String)> = stage_entries::table
            .inner_join(proposals::table.inner_join(organisations::table))
            .filter(stage_entries::stage_id.eq(s.stage.id))
            .filter(stage_entries::outcome.eq(Outcome::Advance))
            .order(proposals::title.asc())
            .select((
                proposals::id,
                proposals::title,
                organisations::name,
                organisations::slug,
            ))
            .load(conn)?;
        let advanced = rows
            .into_iter()
            .map(|(proposal_id, title, name, slug)| PublicEntry {
                proposal_id,
                title,
                organisation_name: named.then_some(name),
                organisation_slug: named.then_some(slug),
            })
            .collect();
        out.push(PublicStage {
            name: s.stage.name,
            last: i + 1 == count,
            released_at: s.stage.released_at,
            advanced,
            teams_named: named,
        });
    }
    Ok(out)
}
