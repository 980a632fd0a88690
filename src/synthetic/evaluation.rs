//! The evaluation part of the synthetic data: on every challenge past its deadline a
//! review stage with a rubric and a pool of evaluators; on those in evaluation or
//! concluded, every handed-in proposal in the stage with its assignments and reviews (a
//! third still drafts while the stage runs), and decisions once it is released. Evaluator
//! desks, rankings and review pages are measured on it.
//!
//! The evaluators are accounts without a usable password (`!` is no argon2 hash); a
//! benchmark that signs in as one sets a password of its own.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::Rng;

use super::{bar, sentence, BATCH};
use crate::db::schema::{assignments, criteria, evaluators, reviews, stage_entries, stages, users};
use crate::db::{self, DbConnection};
use crate::domain::evaluation::ranking::{self, Scale};
use crate::error::{AppError, AppResult};
use crate::kinds::{ChallengeStatus, Outcome, StageKind, StageStatus};

/// The rubric every synthetic stage uses: name, weight.
const RUBRIC: [(&str, f64); 4] = [
    ("Nutzen für Bürgerinnen und Bürger", 3.0),
    ("Umsetzbarkeit", 2.0),
    ("Barrierefreiheit", 2.0),
    ("Wirtschaftlichkeit", 1.0),
];
const SCALE: (i64, i64) = (1, 5);
/// Evaluators of a challenge beyond the reviewers one proposal needs, so that the
/// assignments spread.
const SPARE_EVALUATORS: usize = 3;
/// Reviewers per proposal at most, whatever review count is asked for.
const MAX_REVIEWERS: usize = 12;

/// A challenge past its deadline with the proposals handed in to it.
pub(super) struct Evaluated {
    pub id: i64,
    pub status: ChallengeStatus,
    pub deadline: NaiveDateTime,
    /// The slug of its topic, which its evaluators name as their expertise.
    pub topic: String,
    pub proposals: Vec<i64>,
}

/// What was created.
pub(super) struct Created {
    pub evaluators: usize,
    pub reviews: usize,
}

/// Adds stages, evaluators (a pool of `pool` accounts shared by the challenges),
/// assignments and about `n_reviews` reviews.
pub(super) fn generate(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    evaluated: &[Evaluated],
    n_reviews: usize,
    pool: usize,
    run: u32,
) -> AppResult<Created> {
    let now = db::now();
    let entries: usize = evaluated
        .iter()
        .filter(|c| has_entries(c.status))
        .map(|c| c.proposals.len())
        .sum();
    let per_proposal = n_reviews.div_ceil(entries.max(1)).clamp(1, MAX_REVIEWERS);
    let per_challenge = per_proposal + SPARE_EVALUATORS;
    let pool = pool.max(per_challenge);
    let users = evaluator_accounts(conn, pool, run, now)?;

    let pb = bar(evaluated.len() as u64, "evaluation");
    let mut created = Created {
        evaluators: 0,
        reviews: 0,
    };
    for (i, challenge) in evaluated.iter().enumerate() {
        db::write_tx(conn, |conn| {
            let first = (i * 7919) % pool;
            let chosen: Vec<i64> = (0..per_challenge)
                .map(|k| users[(first + k) % pool])
                .collect();
            let n = one_challenge(conn, rng, challenge, &chosen, per_proposal, now)?;
            created.evaluators += chosen.len();
            created.reviews += n;
            Ok::<_, AppError>(())
        })?;
        pb.inc(1);
    }
    pb.finish();
    Ok(created)
}

/// Stages of challenges in evaluation or concluded hold the proposals; a closed one's
/// stage is planned and still empty.
fn has_entries(status: ChallengeStatus) -> bool {
    matches!(
        status,
        ChallengeStatus::Evaluating | ChallengeStatus::Concluded | ChallengeStatus::Archived
    )
}

fn evaluator_accounts(
    conn: &mut DbConnection,
    pool: usize,
    run: u32,
    now: NaiveDateTime,
) -> AppResult<Vec<i64>> {
    let pb = bar(pool as u64, "evaluators");
    let mut ids = Vec::with_capacity(pool);
    for start in (0..pool).step_by(BATCH) {
        db::write_tx(conn, |conn| {
            for i in start..(start + BATCH).min(pool) {
                ids.push(
                    diesel::insert_into(users::table)
                        .values((
                            users::email.eq(format!("syn-{run}-e{i}@example.org")),
                            users::display_name.eq(format!("Gutachterin Synthetik {i}")),
                            users::password_hash.eq("!"),
                            users::locale.eq("de"),
                            users::is_admin.eq(false),
                            users::email_verified_at.eq(Some(now)),
                            users::created_at.eq(now),
                            users::updated_at.eq(now),
                        ))
                        .returning(users::id)
                        .get_result::<i64>(conn)?,
                );
                pb.inc(1);
            }
            Ok::<_, AppError>(())
        })?;
    }
    pb.finish();
    Ok(ids)
}

/// One challenge's stage, rubric, evaluators and, with entries, assignments, reviews and
/// decisions. Returns the reviews written.
fn one_challenge(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    challenge: &Evaluated,
    accounts: &[i64],
    per_proposal: usize,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let status = match challenge.status {
        ChallengeStatus::Evaluating => StageStatus::Running,
        ChallengeStatus::Concluded | ChallengeStatus::Archived => StageStatus::Released,
        _ => StageStatus::Planned,
    };
    let released = status == StageStatus::Released;
    let starts = challenge.deadline + chrono::Duration::days(1);
    let stage: i64 = diesel::insert_into(stages::table)
        .values((
            stages::challenge_id.eq(challenge.id),
            stages::position.eq(0),
            stages::name.eq("Fachliche Bewertung"),
            stages::kind.eq(StageKind::Review),
            stages::reviewers_per_proposal.eq(per_proposal as i64),
            stages::blind.eq(challenge.id % 2 == 0),
            stages::starts_at.eq(Some(starts)),
            stages::ends_at.eq(Some(if released {
                starts + chrono::Duration::days(21)
            } else {
                now + chrono::Duration::days(21)
            })),
            stages::status.eq(status),
            stages::released_at.eq(released.then_some(now)),
            stages::scores_released.eq(false),
        ))
        .returning(stages::id)
        .get_result(conn)?;
    let mut criterion_ids = Vec::with_capacity(RUBRIC.len());
    for (position, (name, weight)) in RUBRIC.iter().enumerate() {
        criterion_ids.push(
            diesel::insert_into(criteria::table)
                .values((
                    criteria::stage_id.eq(stage),
                    criteria::position.eq(position as i64),
                    criteria::name.eq(*name),
                    criteria::description.eq(""),
                    criteria::weight.eq(*weight),
                    criteria::scale_min.eq(SCALE.0),
                    criteria::scale_max.eq(SCALE.1),
                    criteria::comment_required.eq(false),
                    criteria::labels.eq(""),
                ))
                .returning(criteria::id)
                .get_result::<i64>(conn)?,
        );
    }
    let mut evaluator_ids = Vec::with_capacity(accounts.len());
    for user in accounts {
        evaluator_ids.push(
            diesel::insert_into(evaluators::table)
                .values((
                    evaluators::challenge_id.eq(challenge.id),
                    evaluators::user_id.eq(*user),
                    evaluators::expertise.eq(&challenge.topic),
                    evaluators::joined_at.eq(now),
                ))
                .returning(evaluators::id)
                .get_result::<i64>(conn)?,
        );
    }
    if !has_entries(challenge.status) {
        return Ok(0);
    }

    let scales: Vec<Scale> = RUBRIC
        .iter()
        .map(|(_, weight)| Scale {
            weight: *weight,
            min: SCALE.0,
            max: SCALE.1,
        })
        .collect();
    let mut written = 0;
    for (j, proposal) in challenge.proposals.iter().enumerate() {
        let outcome = released.then_some(if j % 3 == 0 {
            Outcome::Advance
        } else {
            Outcome::Reject
        });
        let feedback = if released {
            sentence(rng)
        } else {
            String::new()
        };
        diesel::insert_into(stage_entries::table)
            .values((
                stage_entries::stage_id.eq(stage),
                stage_entries::proposal_id.eq(*proposal),
                stage_entries::outcome.eq(outcome),
                stage_entries::feedback.eq(feedback),
                stage_entries::decided_at.eq(released.then_some(now)),
            ))
            .execute(conn)?;
        // Proposal j goes to the evaluators j·k, j·k + 1, …: distinct for one proposal,
        // and every evaluator of the challenge gets about as many as the next.
        for r in 0..per_proposal {
            let evaluator = evaluator_ids[(j * per_proposal + r) % evaluator_ids.len()];
            let assignment: i64 = diesel::insert_into(assignments::table)
                .values((
                    assignments::stage_id.eq(stage),
                    assignments::proposal_id.eq(*proposal),
                    assignments::evaluator_id.eq(evaluator),
                    assignments::created_at.eq(now),
                ))
                .returning(assignments::id)
                .get_result(conn)?;
            // While the stage runs, every third review is still a draft.
            let submitted = released || (j + r) % 3 != 0;
            let points: Vec<i64> = RUBRIC
                .iter()
                .map(|_| rng.gen_range(SCALE.0..=SCALE.1))
                .collect();
            let values: Vec<Option<f64>> = points.iter().map(|p| Some(*p as f64)).collect();
            let scores: serde_json::Map<String, serde_json::Value> = criterion_ids
                .iter()
                .zip(&points)
                .map(|(id, p)| (id.to_string(), (*p).into()))
                .collect();
            diesel::insert_into(reviews::table)
                .values((
                    reviews::assignment_id.eq(assignment),
                    reviews::scores.eq(serde_json::Value::Object(scores).to_string()),
                    reviews::comment.eq(sentence(rng)),
                    reviews::confidence.eq(Some(rng.gen_range(1..=5_i64))),
                    reviews::score
                        .eq(ranking::review_score(&scales, &values).filter(|_| submitted)),
                    reviews::submitted_at.eq(submitted.then_some(now)),
                    reviews::updated_at.eq(now),
                ))
                .execute(conn)?;
            written += 1;
        }
    }
    Ok(written)
}
