//! A challenge's evaluation stages and their rubric criteria: defined by the agency
//! before the evaluation starts, read by every step of it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::{self};
use crate::db::schema::{criteria, stages};
use crate::db::DbConnection;
use crate::domain::challenges::Challenge;
use crate::domain::time;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{ChallengeStatus, ProposalVisibility, StageKind, StageStatus};
use crate::text;

/// One criterion of a stage's rubric, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = criteria)]
pub struct Criterion {
    /// Row id; review scores are keyed by it.
    pub id: i64,
    /// The stage whose rubric it belongs to (not serialised).
    #[serde(skip)]
    pub stage_id: i64,
    /// Its place in the rubric, from 0 (not serialised).
    #[serde(skip)]
    pub position: i64,
    /// The criterion's name, as the agency wrote it.
    pub name: String,
    /// What evaluators should look at; may be empty.
    pub description: String,
    /// Its weight in the review's score: above 0, at most 1000.
    pub weight: f64,
    /// The lowest point of the scale (0 to 100); 0 in an eligibility check.
    pub scale_min: i64,
    /// The highest point of the scale (up to 100); 1 in an eligibility check.
    pub scale_max: i64,
    /// A submitted review must comment on this criterion.
    pub comment_required: bool,
    /// The words of the scale points, lowest first (empty: numbers only).
    #[serde(serialize_with = "lines_as_list")]
    #[schema(value_type = Vec<String>)]
    pub labels: String,
}

impl Criterion {
    /// Each point of the scale with its word, if the rubric gives words.
    pub fn points(&self) -> Vec<(i64, Option<String>)> {
        let words: Vec<&str> = self.labels.lines().collect();
        (self.scale_min..=self.scale_max)
            .enumerate()
            .map(|(i, v)| (v, words.get(i).map(|w| w.to_string())))
            .collect()
    }
}

fn lines_as_list<S: serde::Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(text.lines())
}

/// A stage of a challenge's evaluation, without its criteria, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = stages)]
pub struct StageRow {
    /// Row id.
    pub id: i64,
    /// The challenge it evaluates.
    pub challenge_id: i64,
    /// Its place among the challenge's stages, from 0.
    pub position: i64,
    /// The stage's name, as the agency wrote it.
    pub name: String,
    /// A scored review or an eligibility check.
    pub kind: StageKind,
    /// Evaluators each proposal should get, 1 to 20.
    pub reviewers_per_proposal: i64,
    /// Evaluators do not learn which team wrote a proposal.
    pub blind: bool,
    /// The planned start (UTC), if set.
    pub starts_at: Option<NaiveDateTime>,
    /// The review deadline (UTC, inclusive); `None`: reviews are taken while the stage runs.
    pub ends_at: Option<NaiveDateTime>,
    /// Planned, running or released.
    pub status: StageStatus,
    /// When its decisions were released; `None` before.
    pub released_at: Option<NaiveDateTime>,
    /// Whether the teams see their scores with the outcome.
    pub scores_released: bool,
}

/// A stage with its rubric.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// The stage; its fields appear at the top level when serialised.
    #[serde(flatten)]
    pub stage: StageRow,
    /// The rubric, in order.
    pub criteria: Vec<Criterion>,
}

/// A stage as the agency defines it (docs/API.md's `PUT /challenges/{id}/stages`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StageInput {
    /// The stage's name, at most 120 characters.
    pub name: String,
    /// `review` (default) or `eligibility` (a yes/no checklist).
    #[serde(default)]
    pub kind: Option<String>,
    /// Evaluators each proposal should get, 1 to 20 (default 2).
    #[serde(default = "default_reviewers")]
    pub reviewers_per_proposal: i64,
    /// Hide the team from the evaluators; refused where the challenge makes proposals public.
    #[serde(default)]
    pub blind: bool,
    /// The planned start, Berlin local time or RFC 3339 (see `time::parse_deadline`);
    /// empty or absent for none.
    pub starts_at: Option<String>,
    /// The review deadline, read like `starts_at`; empty or absent for none.
    pub ends_at: Option<String>,
    /// `criterion` is the name the seed files use, one `[[...criterion]]` table each.
    #[serde(default, alias = "criterion")]
    pub criteria: Vec<CriterionInput>,
}

impl StageInput {
    /// The kind as typed: none means a review stage, an unknown word is `None`.
    fn stage_kind(&self) -> Option<StageKind> {
        match self.kind.as_deref() {
            None => Some(StageKind::Review),
            Some(k) => StageKind::parse(k),
        }
    }
}

fn default_reviewers() -> i64 {
    2
}

/// A rubric criterion as the agency defines it, inside a `StageInput`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CriterionInput {
    /// The criterion's name, at most 200 characters.
    pub name: String,
    /// What evaluators should look at; optional, at most 2000 characters.
    #[serde(default)]
    pub description: String,
    /// Its weight in the review's score, above 0 and at most 1000 (default 1).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// The lowest point, 0 or more (default 1); an eligibility stage uses 0 whatever is sent.
    #[serde(default)]
    pub scale_min: Option<i64>,
    /// The highest point, at most 100 and above `scale_min` (default 5); an eligibility stage
    /// uses 1 whatever is sent.
    #[serde(default)]
    pub scale_max: Option<i64>,
    /// A submitted review must comment on this criterion.
    #[serde(default)]
    pub comment_required: bool,
    /// Words for the scale points, lowest first: none, or one per point.
    #[serde(default)]
    pub labels: Vec<String>,
}

fn default_weight() -> f64 {
    1.0
}

/// Scale words as typed: trimmed, without line breaks, empty ones dropped.
fn clean_labels(labels: &[String]) -> Vec<String> {
    labels
        .iter()
        .map(|l| text::clean(l).replace(['\n', '\r'], " ").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The stages with their criteria, in one statement.
pub fn stages_of(conn: &mut DbConnection, challenge_id: i64) -> AppResult<Vec<Stage>> {
    let rows: Vec<(StageRow, Option<Criterion>)> = stages::table
        .left_join(criteria::table)
        .filter(stages::challenge_id.eq(challenge_id))
        .order((stages::position.asc(), criteria::position.asc()))
        .select((StageRow::as_select(), Option::<Criterion>::as_select()))
        .load(conn)?;
    let mut out: Vec<Stage> = Vec::new();
    for (stage, criterion) in rows {
        if out.last().is_none_or(|s| s.stage.id != stage.id) {
            out.push(Stage {
                stage,
                criteria: Vec::new(),
            });
        }
        if let (Some(c), Some(last)) = (criterion, out.last_mut()) {
            last.criteria.push(c);
        }
    }
    Ok(out)
}

/// Replaces the stages while no evaluation has started. Field paths in errors name the
/// stage and criterion (`stages[1].criteria[0].weight`).
pub fn replace_stages(
    conn: &mut DbConnection,
    challenge: &Challenge,
    input: &[StageInput],
) -> AppResult<Vec<Stage>> {
    if matches!(
        challenge.status,
        ChallengeStatus::Evaluating | ChallengeStatus::Concluded | ChallengeStatus::Archived
    ) {
        return Err(AppError::Conflict {
            message_id: "stages-locked",
        });
    }
    let mut e = FieldErrors::new();
    if input.len() > 10 {
        e.add("stages", "too-many");
    }
    let blind_possible = policy::blind_review_possible(
        challenge.proposal_visibility == ProposalVisibility::PublicAfterDeadline,
    );
    for (i, s) in input.iter().enumerate() {
        let p = format!("stages[{i}]");
        text::required_text(&s.name, &format!("{p}.name"), 120, &mut e);
        if s.blind && !blind_possible {
            e.add(&format!("{p}.blind"), "blind-needs-private-proposals");
        }
        if s.stage_kind().is_none() {
            e.add(&format!("{p}.kind"), "stage-kind-invalid");
        }
        if !(1..=20).contains(&s.reviewers_per_proposal) {
            e.add(&format!("{p}.reviewers_per_proposal"), "reviewers-invalid");
        }
        for (field, raw) in [("starts_at", &s.starts_at), ("ends_at", &s.ends_at)] {
            if let Some(r) = raw.as_deref().filter(|r| !r.trim().is_empty()) {
                if time::parse_deadline(r).is_none() {
                    e.add(&format!("{p}.{field}"), "deadline-invalid");
                }
            }
        }
        if s.criteria.len() > 30 {
            e.add(&format!("{p}.criteria"), "too-many");
        }
        for (j, c) in s.criteria.iter().enumerate() {
            let cp = format!("{p}.criteria[{j}]");
            text::required_text(&c.name, &format!("{cp}.name"), 200, &mut e);
            text::optional_text(
                Some(&c.description),
                &format!("{cp}.description"),
                2000,
                &mut e,
            );
            if !(c.weight.is_finite() && c.weight > 0.0 && c.weight <= 1000.0) {
                e.add(&format!("{cp}.weight"), "weight-invalid");
            }
            let (min, max) = (c.scale_min.unwrap_or(1), c.scale_max.unwrap_or(5));
            if min < 0 || max > 100 || min >= max {
                e.add(&format!("{cp}.scale_max"), "scale-invalid");
            }
            let labels = clean_labels(&c.labels);
            // Only counted on a valid scale: absurd bounds must not overflow.
            let points = match s.stage_kind() {
                Some(StageKind::Eligibility) => 2,
                _ if (0..=100).contains(&min) && (0..=100).contains(&max) => max - min + 1,
                _ => -1,
            };
            if !labels.is_empty() && points > 0 && labels.len() as i64 != points {
                e.add(&format!("{cp}.labels"), "labels-count");
            } else if labels.iter().any(|l| l.chars().count() > 60) {
                e.add(&format!("{cp}.labels"), "field-too-long");
            }
        }
    }
    e.into_result()?;
    let old: Vec<i64> = stages::table
        .filter(stages::challenge_id.eq(challenge.id))
        .select(stages::id)
        .load(conn)?;
    diesel::delete(criteria::table.filter(criteria::stage_id.eq_any(&old))).execute(conn)?;
    diesel::delete(stages::table.filter(stages::challenge_id.eq(challenge.id))).execute(conn)?;
    for (i, s) in input.iter().enumerate() {
        let parse = |r: &Option<String>| r.as_deref().and_then(time::parse_deadline);
        let stage_id: i64 = diesel::insert_into(stages::table)
            .values((
                stages::challenge_id.eq(challenge.id),
                stages::position.eq(i as i64),
                stages::name.eq(text::clean(&s.name).trim()),
                stages::kind.eq(s.stage_kind().unwrap_or(StageKind::Review)),
                stages::reviewers_per_proposal.eq(s.reviewers_per_proposal),
                stages::blind.eq(s.blind),
                stages::starts_at.eq(parse(&s.starts_at)),
                stages::ends_at.eq(parse(&s.ends_at)),
            ))
            .returning(stages::id)
            .get_result(conn)?;
        let eligibility = s.stage_kind() == Some(StageKind::Eligibility);
        for (j, c) in s.criteria.iter().enumerate() {
            // An eligibility check is answered yes (1) or no (0), whatever was typed.
            let scale = if eligibility {
                (0, 1)
            } else {
                (c.scale_min.unwrap_or(1), c.scale_max.unwrap_or(5))
            };
            diesel::insert_into(criteria::table)
                .values((
                    criteria::stage_id.eq(stage_id),
                    criteria::position.eq(j as i64),
                    criteria::name.eq(text::clean(&c.name).trim()),
                    criteria::description.eq(text::clean(&c.description).trim()),
                    criteria::weight.eq(c.weight),
                    criteria::scale_min.eq(scale.0),
                    criteria::scale_max.eq(scale.1),
                    criteria::comment_required.eq(c.comment_required),
                    criteria::labels.eq(clean_labels(&c.labels).join("\n")),
                ))
                .execute(conn)?;
        }
    }
    stages_of(conn, challenge.id)
}
