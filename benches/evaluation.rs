//! Evaluation figures against docs/QUALITY.md's bars, in one run:
//! - automatic assignment of 2,000 proposals to 200 evaluators, 3 reviews each, with
//!   expertise and conflicts of interest (bar: under 1 s, loads within one);
//! - the ranking of 10,000 proposals × 3 reviews × 6 criteria: every review's weighted
//!   score, then means, spreads, calibration and flags (bar: under 50 ms);
//! - the same ranking as the ranking page reads it: from a SQLite database holding the
//!   stage, its 10,000 entries and 30,000 submitted reviews, through
//!   `reviews::ranking` (the two statements and the aggregation).
//!
//! Usage: `cargo bench --bench evaluation`; `ROUNDS` (default 5) repeats each part and
//! the median and the slowest round are printed. The inputs are random with a fixed seed.

use std::time::{Duration, Instant};

use innolab::domain::evaluation::assignment::{self, Evaluator, ProposalSlots};
use innolab::domain::evaluation::ranking::{self, ReviewScore, Scale, Settings};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TOPICS: i64 = 12;

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut rng = StdRng::seed_from_u64(2026);
    assignment_figures(&mut rng, rounds);
    ranking_figures(&mut rng, rounds);
    ranking_from_database(&mut rng, rounds);
}

fn assignment_figures(rng: &mut StdRng, rounds: usize) {
    let evaluators: Vec<Evaluator> = (1..=200)
        .map(|id| Evaluator {
            id,
            expertise: topics(rng, 1, 3),
        })
        .collect();
    // About one proposal in ten has a conflicted evaluator, a few have several.
    let proposals: Vec<ProposalSlots> = (1..=2000)
        .map(|id| ProposalSlots {
            id,
            topics: topics(rng, 1, 2),
            assigned: Vec::new(),
            excluded: if rng.gen_bool(0.1) {
                (0..rng.gen_range(1..=4))
                    .map(|_| rng.gen_range(1..=200))
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    let conflicts: usize = proposals.iter().map(|p| p.excluded.len()).sum();
    let mut plan = None;
    let times = timed(rounds, || {
        plan = Some(assignment::plan(&proposals, &evaluators, 3, None));
    });
    let plan = plan.expect("at least one round");
    let expert = plan
        .pairs
        .iter()
        .filter(|(p, e)| {
            let p = &proposals[(*p - 1) as usize];
            let e = &evaluators[(*e - 1) as usize];
            p.topics.iter().any(|t| e.expertise.contains(t))
        })
        .count();
    println!("== automatic assignment: 2,000 proposals, 200 evaluators, 3 each ==");
    println!("conflicts excluded: {conflicts}");
    report(&times);
    println!(
        "assignments: {}, loads {}–{}, unfilled: {}, with matching expertise: {:.0} %",
        plan.pairs.len(),
        plan.min_load(),
        plan.max_load(),
        plan.unfilled.len(),
        100.0 * expert as f64 / plan.pairs.len().max(1) as f64
    );
    println!("bar: < 1 s, loads within one");
    println!();
}

fn ranking_figures(rng: &mut StdRng, rounds: usize) {
    let scales: Vec<Scale> = (0..6)
        .map(|i| Scale {
            weight: 1.0 + f64::from(i % 3),
            min: if i % 2 == 0 { 1 } else { 0 },
            max: if i % 2 == 0 { 5 } else { 10 },
        })
        .collect();
    let proposals: Vec<i64> = (1..=10_000).collect();
    // (proposal, evaluator, six criterion scores) as the database would hand them over.
    let reviews: Vec<(i64, i64, Vec<Option<f64>>)> = proposals
        .iter()
        .flat_map(|&p| (0..3).map(move |r| (p, r)))
        .map(|(p, _)| {
            let scores = scales
                .iter()
                .map(|s| Some(rng.gen_range(s.min..=s.max) as f64))
                .collect();
            (p, rng.gen_range(1..=300), scores)
        })
        .collect();
    let mut rows = Vec::new();
    let times = timed(rounds, || {
        let scored: Vec<ReviewScore> = reviews
            .iter()
            .filter_map(|(p, e, scores)| {
                Some(ReviewScore {
                    proposal_id: *p,
                    evaluator_id: *e,
                    score: ranking::review_score(&scales, scores)?,
                })
            })
            .collect();
        rows = ranking::rank(&proposals, &scored, Settings::default());
    });
    let flagged = rows.iter().filter(|r| !r.flags.is_empty()).count();
    println!("== ranking: 10,000 proposals × 3 reviews × 6 criteria ==");
    report(&times);
    println!(
        "ranked: {}, flagged for disagreement: {flagged}, top score {:.1}",
        rows.len(),
        rows.first().and_then(|r| r.score).unwrap_or(0.0)
    );
    println!("bar: < 50 ms");
}

/// A stage of 10,000 proposals with three submitted reviews each, written straight into a
/// fresh SQLite database, then ranked the way the ranking page does it.
fn ranking_from_database(rng: &mut StdRng, rounds: usize) {
    use diesel::prelude::*;
    use innolab::db::schema::{
        assignments, challenges, evaluators, organisations, proposals, reviews, users,
    };
    use innolab::domain::challenges::{self as store, ChallengeInput};
    use innolab::domain::evaluation::stages::{self, CriterionInput, StageInput};
    use innolab::domain::evaluation::{progress, reviews as review_store};

    let dir = tempfile::tempdir().expect("temporary folder");
    let config = innolab::config::Config::for_data_dir(dir.path());
    let pool = innolab::db::connect(&config).expect("database");
    let mut conn = innolab::db::checkout(&pool).expect("connection");
    let conn = &mut *conn;
    innolab::db::run_migrations(conn).expect("migrations");
    let now = innolab::db::now();
    let filled = Instant::now();
    let stage_id = conn
        .transaction::<i64, innolab::error::AppError, _>(|conn| {
            let user = |conn: &mut innolab::db::DbConnection,
                        i: usize|
             -> Result<i64, innolab::error::AppError> {
                Ok(diesel::insert_into(users::table)
                    .values((
                        users::email.eq(format!("person{i}@bench.example")),
                        users::display_name.eq(format!("Person {i}")),
                        users::password_hash.eq("-"),
                        users::created_at.eq(now),
                        users::updated_at.eq(now),
                    ))
                    .returning(users::id)
                    .get_result(conn)?)
            };
            let org = |conn: &mut innolab::db::DbConnection,
                       i: usize,
                       kind: &str|
             -> Result<i64, innolab::error::AppError> {
                Ok(diesel::insert_into(organisations::table)
                    .values((
                        organisations::slug.eq(format!("org-{i}")),
                        organisations::name.eq(format!("Organisation {i}")),
                        organisations::kind.eq(kind),
                        organisations::verified_at.eq(Some(now)),
                        organisations::created_at.eq(now),
                        organisations::updated_at.eq(now),
                    ))
                    .returning(organisations::id)
                    .get_result(conn)?)
            };
            let author = user(conn, 0)?;
            let agency = org(conn, 0, "agency")?;
            let input = ChallengeInput {
                title: "Bewertung im Großen".into(),
                summary: "Zehntausend Vorschläge".into(),
                description: "Viele.".into(),
                language: "de".into(),
                eligibility: vec!["startup".into()],
                level: "bund".into(),
                region: String::new(),
                budget_eur: String::new(),
                submission_deadline: (now + chrono::Duration::days(1)).and_utc().to_rfc3339(),
                contact: "amt@bench.example".into(),
                proposal_visibility: "private".into(),
                topics: vec![],
                submission_form_id: String::new(),
            };
            let c = store::create(conn, agency, author, &store::validate(&input, &[])?)?;
            diesel::update(challenges::table.find(c.id))
                .set(challenges::status.eq("closed"))
                .execute(conn)?;
            let criteria = (0..6)
                .map(|i| CriterionInput {
                    name: format!("Kriterium {i}"),
                    description: String::new(),
                    weight: 1.0 + f64::from(i % 3),
                    scale_min: Some(1),
                    scale_max: Some(5),
                    comment_required: false,
                    labels: vec![],
                })
                .collect();
            let stage = StageInput {
                name: "Fachbewertung".into(),
                kind: None,
                reviewers_per_proposal: 3,
                blind: false,
                starts_at: None,
                ends_at: None,
                criteria,
            };
            let c = store::find(conn, c.id)?;
            let stage_id = stages::replace_stages(conn, &c, &[stage])?[0].stage.id;
            for i in 1..=10_000 {
                let team = org(conn, i, "startup")?;
                diesel::insert_into(proposals::table)
                    .values((
                        proposals::challenge_id.eq(c.id),
                        proposals::organisation_id.eq(team),
                        proposals::title.eq(format!("Vorschlag {i}")),
                        proposals::status.eq("submitted"),
                        proposals::submitted_at.eq(Some(now)),
                        proposals::created_at.eq(now),
                        proposals::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            let mut pool_ids = Vec::new();
            for i in 1..=200 {
                let uid = user(conn, i)?;
                pool_ids.push(
                    diesel::insert_into(evaluators::table)
                        .values((
                            evaluators::challenge_id.eq(c.id),
                            evaluators::user_id.eq(uid),
                            evaluators::joined_at.eq(now),
                        ))
                        .returning(evaluators::id)
                        .get_result::<i64>(conn)?,
                );
            }
            let ctx = progress::load(conn, stage_id)?;
            progress::start(conn, &ctx)?;
            for (n, entry) in progress::entries(conn, stage_id)?.iter().enumerate() {
                for k in 0..3 {
                    let a: i64 = diesel::insert_into(assignments::table)
                        .values((
                            assignments::stage_id.eq(stage_id),
                            assignments::proposal_id.eq(entry.proposal_id),
                            assignments::evaluator_id.eq(pool_ids[(n + k * 67) % pool_ids.len()]),
                            assignments::created_at.eq(now),
                        ))
                        .returning(assignments::id)
                        .get_result(conn)?;
                    diesel::insert_into(reviews::table)
                        .values((
                            reviews::assignment_id.eq(a),
                            reviews::score.eq(Some(rng.gen_range(0.0..=100.0))),
                            reviews::submitted_at.eq(Some(now)),
                            reviews::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                }
            }
            Ok(stage_id)
        })
        .expect("bench data written");
    let written = filled.elapsed();
    let ctx = progress::load(conn, stage_id).expect("stage");
    let mut rows = Vec::new();
    let times = timed(rounds, || {
        rows = review_store::ranking(conn, &ctx).expect("ranking");
    });
    println!("== ranking from the database (SQLite): 10,000 entries, 30,000 reviews ==");
    println!("(data written in {:.1} s)", written.as_secs_f64());
    report(&times);
    println!(
        "ranked: {}, reviews read: {}, top score {:.1}",
        rows.len(),
        rows.iter().map(|r| r.scores.len()).sum::<usize>(),
        rows.first().and_then(|r| r.ranked.score).unwrap_or(0.0)
    );
    println!("bar: < 50 ms (the computation alone; this line adds the database read)");
}

fn topics(rng: &mut StdRng, min: usize, max: usize) -> Vec<i64> {
    let mut t: Vec<i64> = (0..rng.gen_range(min..=max))
        .map(|_| rng.gen_range(1..=TOPICS))
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

fn timed(rounds: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "time: median {:.1} ms, slowest {:.1} ms ({} rounds)",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len()
    );
}
