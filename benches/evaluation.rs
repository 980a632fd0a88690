//! Evaluation figures against QUALITY.md's bars, in one run:
//! - automatic assignment of 2,000 proposals to 200 evaluators, 3 reviews each, with
//!   expertise and conflicts of interest (bar: under 1 s, loads within one);
//! - the ranking of 10,000 proposals × 3 reviews × 6 criteria: every review's weighted
//!   score, then means, spreads, calibration and flags (bar: under 50 ms).
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
