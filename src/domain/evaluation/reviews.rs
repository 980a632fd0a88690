//! Assignments and reviews in the database: assigning by hand or automatically (through
//! [`assignment::plan`]), declining, the score form's save and submit, what an evaluator
//! may see, and the ranking read (through [`ranking::rank`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::{self, ProposalFacts, ReviewerFacts};
use crate::db::schema::{
    assignments, challenges, conflicts, evaluators, memberships, organisations, proposals, reviews,
    stage_entries, stages, topics, users,
};
use crate::db::{self, DbConnection};
use crate::domain::evaluation::assignment;
use crate::domain::evaluation::progress::StageContext;
use crate::domain::evaluation::ranking::{self, Ranked, ReviewScore, Scale};
use crate::domain::evaluation::stages::Criterion;
use crate::domain::evaluation::workflow;
use crate::domain::pagination::MAX_PER_PAGE;
use crate::domain::time;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{Outcome, StageStatus};
use crate::text;

/// An evaluator's assignment to review a proposal in a stage.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = assignments)]
pub struct Assignment {
    /// Row id; the review of the assignment shares it.
    pub id: i64,
    /// The stage it belongs to.
    pub stage_id: i64,
    /// The proposal to review.
    pub proposal_id: i64,
    /// The evaluator (pool member) id, not the account.
    pub evaluator_id: i64,
    /// When it was assigned.
    #[serde(serialize_with = "time::rfc3339")]
    pub created_at: NaiveDateTime,
    /// When the evaluator declined it; `None` while active.
    #[serde(serialize_with = "time::rfc3339_opt")]
    pub declined_at: Option<NaiveDateTime>,
    /// Empty unless declined.
    pub decline_reason: String,
}

/// The assignment with this id; not found (404) if there is none.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Assignment> {
    Ok(assignments::table
        .find(id)
        .select(Assignment::as_select())
        .first(conn)?)
}

/// An assignment of the user's; someone else's is "not found".
pub fn find_for_user(conn: &mut DbConnection, id: i64, user_id: i64) -> AppResult<Assignment> {
    Ok(assignments::table
        .inner_join(evaluators::table)
        .filter(assignments::id.eq(id))
        .filter(evaluators::user_id.eq(user_id))
        .select(Assignment::as_select())
        .first(conn)?)
}

fn require_running(ctx: &StageContext) -> AppResult<()> {
    if ctx.status() == StageStatus::Running {
        Ok(())
    } else {
        Err(workflow::Refusal::NotRunning.into())
    }
}

/// Assigns one evaluator to one proposal of a running stage by hand. A conflict is a 409:
/// the agency is told, not silently ignored.
pub fn assign(
    conn: &mut DbConnection,
    ctx: &StageContext,
    proposal_id: i64,
    evaluator_id: i64,
) -> AppResult<Assignment> {
    require_running(ctx)?;
    let org_id: Option<i64> = stage_entries::table
        .inner_join(proposals::table)
        .filter(stage_entries::stage_id.eq(ctx.id()))
        .filter(stage_entries::proposal_id.eq(proposal_id))
        .select(proposals::organisation_id)
        .first(conn)
        .optional()?;
    let org_id =
        org_id.ok_or_else(|| FieldErrors::single("proposal_id", "proposal-not-in-stage"))?;
    let evaluator = super::evaluators::find(conn, evaluator_id)
        .ok()
        .filter(|e| e.challenge_id == ctx.challenge.id)
        .ok_or_else(|| FieldErrors::single("evaluator_id", "evaluator-unknown"))?;
    if super::evaluators::in_conflict(conn, ctx.challenge.id, evaluator.id, org_id)? {
        return Err(AppError::Conflict {
            message_id: "assignment-conflict",
        });
    }
    let existing: i64 = assignments::table
        .filter(assignments::stage_id.eq(ctx.id()))
        .filter(assignments::proposal_id.eq(proposal_id))
        .filter(assignments::evaluator_id.eq(evaluator.id))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Err(AppError::Conflict {
            message_id: "assignment-exists",
        });
    }
    let id: i64 = diesel::insert_into(assignments::table)
        .values((
            assignments::stage_id.eq(ctx.id()),
            assignments::proposal_id.eq(proposal_id),
            assignments::evaluator_id.eq(evaluator.id),
            assignments::created_at.eq(db::now()),
        ))
        .returning(assignments::id)
        .get_result(conn)?;
    find(conn, id)
}

/// What an automatic assignment did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AutoAssigned {
    /// Assignments made now.
    pub created: usize,
    /// The fewest assignments any evaluator holds afterwards.
    pub min_load: u32,
    /// The most assignments any evaluator holds afterwards.
    pub max_load: u32,
    /// Proposals that could not get enough evaluators (conflicts, loads).
    pub unfilled: Vec<i64>,
}

/// Fills every proposal of the running stage up to `per_proposal` evaluators (the stage's
/// setting by default), balanced and conflict-free; evaluators whose expertise matches
/// the challenge's topics come first.
pub fn auto_assign(
    conn: &mut DbConnection,
    ctx: &StageContext,
    per_proposal: Option<u32>,
    max_load: Option<u32>,
) -> AppResult<AutoAssigned> {
    require_running(ctx)?;
    let k = per_proposal.unwrap_or(ctx.stage.stage.reviewers_per_proposal.max(1) as u32);
    let mut e = FieldErrors::new();
    if !(1..=20).contains(&k) {
        e.add("reviewers_per_proposal", "reviewers-invalid");
    }
    if max_load == Some(0) {
        e.add("max_load", "max-load-invalid");
    }
    e.into_result()?;
    let entrants: Vec<(i64, i64)> = stage_entries::table
        .inner_join(proposals::table)
        .filter(stage_entries::stage_id.eq(ctx.id()))
        .select((proposals::id, proposals::organisation_id))
        .load(conn)?;
    let people = super::evaluators::members(conn, ctx.challenge.id)?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let conflicted = super::evaluators::conflicted_orgs(conn, ctx.challenge.id, &ids)?;
    let topic_ids: HashMap<String, i64> = topics::table
        .select((topics::slug, topics::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let challenge_topics: Vec<i64> = crate::domain::topics::topics_of(conn, &[ctx.challenge.id])?
        .remove(&ctx.challenge.id)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| topic_ids.get(&t.slug).copied())
        .collect();
    let existing = of_stage(conn, ctx.id())?;
    let slots: Vec<assignment::ProposalSlots> = entrants
        .iter()
        .map(|&(pid, org)| {
            let mine = existing.iter().filter(|a| a.proposal_id == pid);
            let (declined, active): (Vec<&Assignment>, Vec<&Assignment>) =
                mine.partition(|a| a.declined_at.is_some());
            let mut excluded: Vec<i64> = declined.iter().map(|a| a.evaluator_id).collect();
            excluded.extend(
                conflicted
                    .iter()
                    .filter(|(_, orgs)| orgs.contains(&org))
                    .map(|(e, _)| *e),
            );
            assignment::ProposalSlots {
                id: pid,
                topics: challenge_topics.clone(),
                assigned: active.iter().map(|a| a.evaluator_id).collect(),
                excluded,
            }
        })
        .collect();
    let evaluators: Vec<assignment::Evaluator> = people
        .iter()
        .map(|p| assignment::Evaluator {
            id: p.id,
            expertise: p
                .expertise
                .iter()
                .filter_map(|t| topic_ids.get(t).copied())
                .collect(),
        })
        .collect();
    let plan = assignment::plan(&slots, &evaluators, k, max_load);
    let now = db::now();
    for (proposal_id, evaluator_id) in &plan.pairs {
        diesel::insert_into(assignments::table)
            .values((
                assignments::stage_id.eq(ctx.id()),
                assignments::proposal_id.eq(proposal_id),
                assignments::evaluator_id.eq(evaluator_id),
                assignments::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(AutoAssigned {
        created: plan.pairs.len(),
        min_load: plan.min_load(),
        max_load: plan.max_load(),
        unfilled: plan.unfilled.iter().map(|(p, _)| *p).collect(),
    })
}

/// Every assignment of a stage, declined ones included.
pub fn of_stage(conn: &mut DbConnection, stage_id: i64) -> AppResult<Vec<Assignment>> {
    Ok(assignments::table
        .filter(assignments::stage_id.eq(stage_id))
        .order(assignments::id.asc())
        .select(Assignment::as_select())
        .load(conn)?)
}

/// Removes an assignment that has no submitted review (a draft goes with it).
pub fn unassign(conn: &mut DbConnection, ctx: &StageContext, a: &Assignment) -> AppResult<()> {
    require_running(ctx)?;
    if review_of(conn, a.id)?.is_some_and(|r| r.submitted_at.is_some()) {
        return Err(AppError::Conflict {
            message_id: "assignment-reviewed",
        });
    }
    diesel::delete(assignments::table.find(a.id)).execute(conn)?;
    Ok(())
}

/// The evaluator declines an assignment, with a reason; automatic assignment will not
/// give it to them again.
pub fn decline(
    conn: &mut DbConnection,
    ctx: &StageContext,
    a: &Assignment,
    reason: &str,
) -> AppResult<()> {
    require_running(ctx)?;
    let mut e = FieldErrors::new();
    text::required_text(reason, "reason", 1000, &mut e);
    e.into_result()?;
    if a.declined_at.is_some() {
        return Err(AppError::Conflict {
            message_id: "assignment-declined",
        });
    }
    if review_of(conn, a.id)?.is_some_and(|r| r.submitted_at.is_some()) {
        return Err(AppError::Conflict {
            message_id: "assignment-reviewed",
        });
    }
    diesel::update(assignments::table.find(a.id))
        .set((
            assignments::declined_at.eq(db::now()),
            assignments::decline_reason.eq(text::clean(reason).trim()),
        ))
        .execute(conn)?;
    Ok(())
}

/// An evaluator's review of one assignment, draft or submitted, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = reviews)]
pub struct Review {
    /// The assignment reviewed.
    pub assignment_id: i64,
    /// JSON object of criterion id to points (see `score_map`).
    pub scores: String,
    /// JSON object of criterion id to comment, empty ones left out (see `comment_map`).
    pub comments: String,
    /// The overall comment; may be empty.
    pub comment: String,
    /// How sure the evaluator is, 1 (unsure) to 5 (expert); `None` if not said.
    pub confidence: Option<i64>,
    /// The weighted score, 0–100; set only once submitted.
    pub score: Option<f64>,
    /// When it was submitted; `None` for a draft.
    pub submitted_at: Option<NaiveDateTime>,
    /// When it was last saved.
    pub updated_at: NaiveDateTime,
}

impl Review {
    /// Criterion id to points.
    pub fn score_map(&self) -> BTreeMap<i64, i64> {
        serde_json::from_str(&self.scores).unwrap_or_default()
    }
    /// Criterion id to comment.
    pub fn comment_map(&self) -> BTreeMap<i64, String> {
        serde_json::from_str(&self.comments).unwrap_or_default()
    }
}

/// The review of the assignment, draft or submitted; `None` before the first save.
pub fn review_of(conn: &mut DbConnection, assignment_id: i64) -> AppResult<Option<Review>> {
    Ok(reviews::table
        .find(assignment_id)
        .select(Review::as_select())
        .first(conn)
        .optional()?)
}

/// The score form as sent (docs/API.md's `PUT /assignments/{id}/review`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// Criterion id to points on its scale.
    #[serde(default)]
    pub scores: BTreeMap<i64, f64>,
    /// Criterion id to a comment on it (required where the criterion says so).
    #[serde(default)]
    pub comments: BTreeMap<i64, String>,
    /// The overall comment.
    #[serde(default)]
    pub comment: String,
    /// 1 (unsure) to 5 (expert).
    pub confidence: Option<i64>,
    /// Submit rather than save a draft: every criterion must then be scored.
    #[serde(default)]
    pub submit: bool,
}

/// Checks a review against the rubric: points are whole numbers on each scale, no unknown
/// criteria; a submission needs every criterion scored and the required comments.
/// Returns the points by criterion and, when complete, the weighted 0-100 score.
pub fn check(
    criteria: &[Criterion],
    input: &ReviewInput,
) -> Result<(BTreeMap<i64, i64>, Option<f64>), AppError> {
    let mut e = FieldErrors::new();
    let mut points = BTreeMap::new();
    for id in input.scores.keys().chain(input.comments.keys()) {
        if !criteria.iter().any(|c| c.id == *id) {
            e.add(&format!("scores.{id}"), "criterion-unknown");
        }
    }
    for c in criteria {
        let field = format!("scores.{}", c.id);
        match input.scores.get(&c.id) {
            Some(v)
                if v.fract() == 0.0 && (c.scale_min as f64..=c.scale_max as f64).contains(v) =>
            {
                points.insert(c.id, *v as i64);
            }
            Some(_) => e.add(&field, "score-out-of-scale"),
            None if input.submit => e.add(&field, "score-required"),
            None => {}
        }
        let comment = input.comments.get(&c.id).map(|s| s.trim()).unwrap_or("");
        text::optional_text(Some(comment), &format!("comments.{}", c.id), 5000, &mut e);
        if input.submit && c.comment_required && comment.is_empty() {
            e.add(&format!("comments.{}", c.id), "comment-required");
        }
    }
    text::optional_text(Some(&input.comment), "comment", 10_000, &mut e);
    if input.confidence.is_some_and(|c| !(1..=5).contains(&c)) {
        e.add("confidence", "confidence-invalid");
    }
    e.into_result()?;
    let scales: Vec<Scale> = criteria
        .iter()
        .map(|c| Scale {
            weight: c.weight,
            min: c.scale_min,
            max: c.scale_max,
        })
        .collect();
    let values: Vec<Option<f64>> = criteria
        .iter()
        .map(|c| points.get(&c.id).map(|p| *p as f64))
        .collect();
    Ok((points, ranking::review_score(&scales, &values)))
}

/// Saves (and with `submit`, submits) the review of an assignment while the stage runs and
/// its deadline has not passed.
pub fn save_review(
    conn: &mut DbConnection,
    ctx: &StageContext,
    a: &Assignment,
    input: &ReviewInput,
    now: NaiveDateTime,
) -> AppResult<Review> {
    workflow::may_review(ctx.status(), ctx.stage.stage.ends_at, now)?;
    if a.declined_at.is_some() {
        return Err(AppError::Conflict {
            message_id: "assignment-declined",
        });
    }
    let current = review_of(conn, a.id)?;
    if !input.submit && current.as_ref().is_some_and(|r| r.submitted_at.is_some()) {
        // A submitted review counts in the ranking; it may be changed, not withdrawn.
        return Err(AppError::Conflict {
            message_id: "review-already-submitted",
        });
    }
    let (points, score) = check(&ctx.stage.criteria, input)?;
    let comments: BTreeMap<i64, String> = input
        .comments
        .iter()
        .map(|(k, v)| (*k, text::clean(v).trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let row = (
        reviews::scores.eq(serde_json::to_string(&points).map_err(AppError::internal)?),
        reviews::comments.eq(serde_json::to_string(&comments).map_err(AppError::internal)?),
        reviews::comment.eq(text::clean(&input.comment).trim().to_string()),
        reviews::confidence.eq(input.confidence),
        reviews::score.eq(score.filter(|_| input.submit)),
        reviews::submitted_at.eq(input.submit.then_some(now)),
        reviews::updated_at.eq(now),
    );
    if current.is_some() {
        diesel::update(reviews::table.find(a.id))
            .set(row)
            .execute(conn)?;
    } else {
        diesel::insert_into(reviews::table)
            .values((reviews::assignment_id.eq(a.id), row))
            .execute(conn)?;
    }
    review_of(conn, a.id)?.ok_or(AppError::NotFound)
}

/// What an evaluator's assignment list shows; team and organisation are absent in a
/// blind stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyAssignment {
    /// The assignment.
    pub id: i64,
    /// The stage it is in.
    pub stage_id: i64,
    /// The stage's name.
    pub stage_name: String,
    /// Whether the stage is planned, running or released.
    pub stage_status: StageStatus,
    /// The stage's review deadline.
    #[serde(serialize_with = "time::rfc3339_opt")]
    pub ends_at: Option<NaiveDateTime>,
    /// The stage hides the team.
    pub blind: bool,
    /// The challenge.
    pub challenge_id: i64,
    /// The challenge's title.
    pub challenge_title: String,
    /// The challenge's slug, for links.
    pub challenge_slug: String,
    /// The proposal to review.
    pub proposal_id: i64,
    /// The proposal's title.
    pub proposal_title: String,
    /// The proposal's summary, cut to about 240 characters.
    pub proposal_summary: String,
    /// The proposing organisation; `None` while the evaluator reviews the proposal blind.
    pub organisation_name: Option<String>,
    /// The evaluator declined the assignment.
    pub declined: bool,
    /// How far the evaluator's review is.
    pub review: ReviewProgress,
}

/// How far the evaluator's own review of an assignment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewProgress {
    /// Not begun.
    Open,
    /// Saved, not submitted.
    Draft,
    /// Submitted: it counts in the ranking.
    Submitted,
}

/// One page of an evaluator's assignments, and where the next one starts.
#[derive(Debug, Clone)]
pub struct AssignmentPage {
    /// At most the page size of them, newest stage first.
    pub items: Vec<MyAssignment>,
    /// The `after` that reads the next page: the last item's id, when more follow.
    pub next_after: Option<i64>,
    /// The page size it was read with, within bounds.
    pub per_page: i64,
    /// The challenges in which the user reviews blind now, in a stage not yet released
    /// (see [`policy::may_declare_organisation_conflict`]).
    pub blind_challenges: HashSet<i64>,
}

/// A page of the user's assignments, newest stage first and in order of assignment within
/// a stage, starting after the assignment `after` (keyset pagination: a late page costs
/// what the first costs). `after` must name one of the user's own assignments (else 400).
/// A proposal the user reviews in a blind stage not yet released is anonymous in every
/// row, on this page and every other, those of earlier stages too.
pub fn mine(
    conn: &mut DbConnection,
    user_id: i64,
    after: Option<i64>,
    per_page: i64,
) -> AppResult<AssignmentPage> {
    type Row = (
        Assignment,
        (String, StageStatus, Option<NaiveDateTime>, bool),
        (i64, String, String),
        (String, String),
        String,
        ReviewMark,
    );
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    // The first page starts after a position no row reaches, so that every page is one
    // statement text, prepared once.
    let (after_stage, after_id) = match after {
        None => (i64::MAX, i64::MIN),
        Some(id) => assignments::table
            .inner_join(evaluators::table)
            .filter(assignments::id.eq(id))
            .filter(evaluators::user_id.eq(user_id))
            .select((assignments::stage_id, assignments::id))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::BadRequest(format!("after={id} names none of your assignments"))
            })?,
    };
    // The page's assignments are chosen in a subquery of the two tables that order them:
    // in one flat statement of seven tables PostgreSQL's generic plan walks every stage
    // backwards to get the order (37 ms for 95 rows, against 0.5 ms), and a list of ids
    // would make SQLite prepare the statement anew on every request.
    let picked = diesel::alias!(assignments as picked);
    let (stage, id) = (
        picked.field(assignments::stage_id),
        picked.field(assignments::id),
    );
    let page = picked
        .inner_join(
            evaluators::table.on(evaluators::id.eq(picked.field(assignments::evaluator_id))),
        )
        .filter(evaluators::user_id.eq(user_id))
        .filter(
            stage
                .lt(after_stage)
                .or(stage.eq(after_stage).and(id.gt(after_id))),
        )
        .order((stage.desc(), id.asc()))
        .limit(per_page + 1)
        .select(id);
    let mut rows: Vec<Row> = assignments::table
        .inner_join(stages::table)
        .inner_join(proposals::table.inner_join(organisations::table))
        .inner_join(challenges::table.on(challenges::id.eq(stages::challenge_id)))
        .left_join(reviews::table)
        .filter(assignments::id.eq_any(page))
        .order((assignments::stage_id.desc(), assignments::id.asc()))
        .select((
            Assignment::as_select(),
            (stages::name, stages::status, stages::ends_at, stages::blind),
            (challenges::id, challenges::title, challenges::slug),
            (proposals::title, proposals::summary),
            organisations::name,
            (
                reviews::assignment_id.nullable(),
                reviews::submitted_at.nullable(),
            ),
        ))
        .load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    let mut items: Vec<MyAssignment> = rows
        .into_iter()
        .map(
            |(
                a,
                (stage_name, stage_status, ends_at, blind),
                (cid, ct, cs),
                (pt, ps),
                org,
                review,
            )| {
                MyAssignment {
                    id: a.id,
                    stage_id: a.stage_id,
                    stage_name,
                    stage_status,
                    ends_at,
                    blind,
                    challenge_id: cid,
                    challenge_title: ct,
                    challenge_slug: cs,
                    proposal_id: a.proposal_id,
                    proposal_title: pt,
                    proposal_summary: text::excerpt(&ps, 240),
                    organisation_name: (!blind).then_some(org),
                    declined: a.declined_at.is_some(),
                    review: progress_of(review),
                }
            },
        )
        .collect();
    // The blind assignment that hides a proposal may sit on another page: all of the
    // user's blind ones are read (a list of this page's proposals would be a statement
    // SQLite prepares anew on every request).
    let blind_now = reviewed_blind_now(conn, user_id)?;
    let blind_proposals: HashSet<i64> = blind_now.iter().map(|(p, _)| *p).collect();
    for m in &mut items {
        if blind_proposals.contains(&m.proposal_id) {
            m.organisation_name = None;
        }
    }
    let next_after = if more {
        items.last().map(|m| m.id)
    } else {
        None
    };
    Ok(AssignmentPage {
        items,
        next_after,
        per_page,
        blind_challenges: blind_now.into_iter().map(|(_, c)| c).collect(),
    })
}

/// A review's row id and submission time, both absent when there is no review yet.
type ReviewMark = (Option<i64>, Option<NaiveDateTime>);

/// How far a review is, from its row's presence and submission time.
fn progress_of(review: ReviewMark) -> ReviewProgress {
    match review {
        (None, _) => ReviewProgress::Open,
        (Some(_), None) => ReviewProgress::Draft,
        (Some(_), Some(_)) => ReviewProgress::Submitted,
    }
}

/// Per stage, how many of the user's assignments count (not declined) and how many of
/// those are reviewed and submitted: a stage's progress, whichever page its rows are on.
pub fn tallies(
    conn: &mut DbConnection,
    user_id: i64,
    stage_ids: &[i64],
) -> AppResult<HashMap<i64, (i64, i64)>> {
    let rows: Vec<(i64, i64, i64)> = assignments::table
        .inner_join(evaluators::table)
        .left_join(reviews::table)
        .filter(evaluators::user_id.eq(user_id))
        .filter(assignments::stage_id.eq_any(stage_ids))
        .filter(assignments::declined_at.is_null())
        .group_by(assignments::stage_id)
        .select((
            assignments::stage_id,
            diesel::dsl::count(assignments::id),
            diesel::dsl::count(reviews::submitted_at.nullable()),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(s, total, done)| (s, (total, done)))
        .collect())
}

/// The proposals (with their challenges) the user reviews in a blind stage that is not
/// released yet, in assignments they have not declined.
fn reviewed_blind_now(conn: &mut DbConnection, user_id: i64) -> AppResult<Vec<(i64, i64)>> {
    Ok(assignments::table
        .inner_join(evaluators::table)
        .inner_join(stages::table)
        .filter(evaluators::user_id.eq(user_id))
        .filter(assignments::declined_at.is_null())
        .filter(stages::blind.eq(true))
        .filter(stages::status.ne(StageStatus::Released))
        .select((assignments::proposal_id, stages::challenge_id))
        .load(conn)?)
}

/// The user's assignment to review the proposal in its running stage, if they hold one
/// they have not declined: the proposal page's way to the score form.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunningAssignment {
    /// The assignment.
    pub id: i64,
    /// How far the user's review is.
    pub review: ReviewProgress,
}

/// See [`RunningAssignment`].
pub fn running_assignment(
    conn: &mut DbConnection,
    user_id: i64,
    proposal_id: i64,
) -> AppResult<Option<RunningAssignment>> {
    let row: Option<(i64, ReviewMark)> = assignments::table
        .inner_join(evaluators::table)
        .inner_join(stages::table)
        .left_join(reviews::table)
        .filter(evaluators::user_id.eq(user_id))
        .filter(assignments::proposal_id.eq(proposal_id))
        .filter(assignments::declined_at.is_null())
        .filter(stages::status.eq(StageStatus::Running))
        .select((
            assignments::id,
            (
                reviews::assignment_id.nullable(),
                reviews::submitted_at.nullable(),
            ),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, review)| RunningAssignment {
        id,
        review: progress_of(review),
    }))
}

/// The user's evaluator facts for a proposal (all false when they are not its evaluator),
/// in one statement: a proposal page asks this for every reader outside team and agency.
pub fn reviewer_facts(
    conn: &mut DbConnection,
    proposal_id: i64,
    organisation_id: i64,
    user_id: i64,
) -> AppResult<ReviewerFacts> {
    let since = super::evaluators::membership_conflict_since();
    // Per active assignment: blind stage, review submitted at, declared conflict,
    // membership, assigned at.
    type Row = (
        bool,
        Option<NaiveDateTime>,
        Option<i64>,
        Option<i64>,
        NaiveDateTime,
        i64,
    );
    let rows: Vec<Row> = assignments::table
        .inner_join(evaluators::table)
        .inner_join(stages::table)
        .left_join(reviews::table)
        .left_join(
            conflicts::table.on(conflicts::evaluator_id
                .eq(evaluators::id)
                .and(conflicts::organisation_id.eq(organisation_id))),
        )
        .left_join(
            memberships::table.on(memberships::user_id
                .eq(evaluators::user_id)
                .and(memberships::organisation_id.eq(organisation_id))
                .and(
                    memberships::left_at
                        .is_null()
                        .or(memberships::left_at.gt(since)),
                )),
        )
        .filter(assignments::proposal_id.eq(proposal_id))
        .filter(evaluators::user_id.eq(user_id))
        .filter(assignments::declined_at.is_null())
        .filter(stages::status.ne(StageStatus::Planned))
        .order(stages::position.desc())
        .select((
            stages::blind,
            reviews::submitted_at.nullable(),
            conflicts::id.nullable(),
            memberships::id.nullable(),
            assignments::created_at,
            assignments::stage_id,
        ))
        .load(conn)?;
    let Some((blind, .., assigned_at, stage_id)) = rows.first().copied() else {
        return Ok(ReviewerFacts::default());
    };
    Ok(ReviewerFacts {
        assigned: true,
        conflicted: rows.iter().any(|r| r.2.is_some() || r.3.is_some()),
        blind,
        // The latest stage decides: a review from an earlier stage does not open the
        // reviews of the current one.
        own_submitted: rows.first().is_some_and(|r| r.1.is_some()),
        assigned_at: Some(assigned_at),
        stage_id: Some(stage_id),
    })
}

/// Who wrote a review, for the readers who may know it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewAuthor {
    /// The evaluator's id in the pool (`evaluators.id`), not the account.
    pub id: i64,
    /// The evaluator's display name.
    pub name: String,
}

/// A submitted review as the agency and fellow evaluators read it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    /// The assignment reviewed.
    pub assignment_id: i64,
    /// The stage of that assignment.
    pub stage_id: i64,
    /// `None` for readers who read reviews anonymously (see
    /// [`policy::names_evaluators`](crate::auth::policy::names_evaluators)).
    pub author: Option<ReviewAuthor>,
    /// The review; its fields appear at the top level when serialised.
    #[serde(flatten)]
    pub review: Review,
}

/// The stages in which the user has submitted a review of the proposal: an evaluator
/// reads the others' reviews of those stages only.
pub fn stages_reviewed_by(
    conn: &mut DbConnection,
    proposal_id: i64,
    user_id: i64,
) -> AppResult<Vec<i64>> {
    Ok(assignments::table
        .inner_join(evaluators::table)
        .inner_join(reviews::table)
        .filter(assignments::proposal_id.eq(proposal_id))
        .filter(evaluators::user_id.eq(user_id))
        .filter(reviews::submitted_at.is_not_null())
        .select(assignments::stage_id)
        .load(conn)?)
}

/// The submitted reviews of a proposal, stage by stage.
fn submitted_reviews(
    conn: &mut DbConnection,
    proposal_id: i64,
    named: bool,
) -> AppResult<Vec<ReviewView>> {
    let rows: Vec<(Assignment, Review, String)> = assignments::table
        .inner_join(reviews::table)
        .inner_join(evaluators::table.inner_join(users::table))
        .filter(assignments::proposal_id.eq(proposal_id))
        .filter(reviews::submitted_at.is_not_null())
        .order((assignments::stage_id.asc(), assignments::id.asc()))
        .select((
            Assignment::as_select(),
            Review::as_select(),
            users::display_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, review, name)| ReviewView {
            assignment_id: a.id,
            stage_id: a.stage_id,
            author: named.then_some(ReviewAuthor {
                id: a.evaluator_id,
                name,
            }),
            review,
        })
        .collect())
}

/// The submitted reviews a reader (who may view reviews at all) sees: all for the agency;
/// for an evaluator, those of the stages in which their own review is in. Who wrote
/// them only for those the policy lets know it.
pub fn visible_to(
    conn: &mut DbConnection,
    f: &ProposalFacts,
    user_id: i64,
) -> AppResult<Vec<ReviewView>> {
    let named = policy::names_evaluators(f);
    let all = submitted_reviews(conn, f.id, named)?;
    if f.challenge.agency.role.is_some() {
        return Ok(all);
    }
    let mine = stages_reviewed_by(conn, f.id, user_id)?;
    Ok(all
        .into_iter()
        .filter(|r| mine.contains(&r.stage_id))
        .collect())
}

/// One line of the agency's ranking table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankingRow {
    /// The proposal's scores and flags; its fields appear at the top level when serialised.
    #[serde(flatten)]
    pub ranked: Ranked,
    /// The proposal's title.
    pub title: String,
    /// The proposing organisation's name.
    pub organisation_name: String,
    /// The decision in this stage; `None` while pending.
    pub outcome: Option<Outcome>,
    /// Every submitted review's score, for the distribution chart.
    pub scores: Vec<f64>,
}

/// The stage's ranking from its submitted reviews, in two statements.
pub fn ranking(conn: &mut DbConnection, ctx: &StageContext) -> AppResult<Vec<RankingRow>> {
    let entries: Vec<(i64, Option<Outcome>, String, String)> = stage_entries::table
        .inner_join(proposals::table.inner_join(organisations::table))
        .filter(stage_entries::stage_id.eq(ctx.id()))
        .select((
            proposals::id,
            stage_entries::outcome,
            proposals::title,
            organisations::name,
        ))
        .load(conn)?;
    let scored: Vec<(i64, i64, Option<f64>)> = assignments::table
        .inner_join(reviews::table)
        .filter(assignments::stage_id.eq(ctx.id()))
        .filter(reviews::submitted_at.is_not_null())
        .select((
            assignments::proposal_id,
            assignments::evaluator_id,
            reviews::score,
        ))
        .load(conn)?;
    let reviews: Vec<ReviewScore> = scored
        .into_iter()
        .filter_map(|(proposal_id, evaluator_id, score)| {
            Some(ReviewScore {
                proposal_id,
                evaluator_id,
                score: score?,
            })
        })
        .collect();
    let ids: Vec<i64> = entries.iter().map(|e| e.0).collect();
    let settings = ranking::Settings {
        required: ctx.stage.stage.reviewers_per_proposal.max(0) as u32,
        ..Default::default()
    };
    let mut by_proposal: HashMap<i64, Vec<f64>> = HashMap::new();
    for r in &reviews {
        by_proposal.entry(r.proposal_id).or_default().push(r.score);
    }
    let mut info: HashMap<i64, (Option<Outcome>, String, String)> = entries
        .into_iter()
        .map(|(id, outcome, title, org)| (id, (outcome, title, org)))
        .collect();
    Ok(ranking::rank(&ids, &reviews, settings)
        .into_iter()
        .map(|ranked| {
            let (outcome, title, organisation_name) =
                info.remove(&ranked.proposal_id).unwrap_or_default();
            RankingRow {
                scores: by_proposal.remove(&ranked.proposal_id).unwrap_or_default(),
                ranked,
                title,
                organisation_name,
                outcome,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(id: i64, weight: f64, min: i64, max: i64, comment_required: bool) -> Criterion {
        Criterion {
            id,
            stage_id: 1,
            position: id,
            name: format!("K{id}"),
            description: String::new(),
            weight,
            scale_min: min,
            scale_max: max,
            comment_required,
            labels: String::new(),
        }
    }

    #[test]
    fn a_draft_may_be_partial_but_a_submission_must_be_complete() {
        let rubric = [
            criterion(1, 2.0, 1, 5, false),
            criterion(2, 1.0, 0, 10, true),
        ];
        let draft = ReviewInput {
            scores: BTreeMap::from([(1, 5.0)]),
            ..Default::default()
        };
        let (points, score) = check(&rubric, &draft).unwrap();
        assert_eq!(points, BTreeMap::from([(1, 5)]));
        assert_eq!(score, None, "an incomplete review has no score yet");

        let AppError::Validation(e) = check(
            &rubric,
            &ReviewInput {
                submit: true,
                ..draft.clone()
            },
        )
        .unwrap_err() else {
            panic!("expected validation errors");
        };
        assert_eq!(e.get("scores.2"), Some("score-required"));
        assert_eq!(e.get("comments.2"), Some("comment-required"));

        let full = ReviewInput {
            scores: BTreeMap::from([(1, 5.0), (2, 5.0)]),
            comments: BTreeMap::from([(2, "Begründung".to_string())]),
            submit: true,
            ..Default::default()
        };
        let (_, score) = check(&rubric, &full).unwrap();
        // (2 * 1.0 + 1 * 0.5) / 3 * 100
        assert!((score.unwrap() - 83.333).abs() < 0.01);
    }

    #[test]
    fn points_off_the_scale_fractions_and_unknown_criteria_are_refused() {
        let rubric = [criterion(1, 1.0, 1, 5, false)];
        for bad in [0.0, 6.0, 2.5, f64::NAN] {
            let input = ReviewInput {
                scores: BTreeMap::from([(1, bad)]),
                ..Default::default()
            };
            assert!(check(&rubric, &input).is_err(), "{bad} accepted");
        }
        let input = ReviewInput {
            scores: BTreeMap::from([(9, 3.0)]),
            confidence: Some(7),
            ..Default::default()
        };
        let AppError::Validation(e) = check(&rubric, &input).unwrap_err() else {
            panic!("expected validation errors");
        };
        assert_eq!(e.get("scores.9"), Some("criterion-unknown"));
        assert_eq!(e.get("confidence"), Some("confidence-invalid"));
    }
}
