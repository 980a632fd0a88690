//! Scores and the ranking of a stage: a review's weighted score, and per proposal the
//! mean, spread, progress, calibrated score and flags.
//!
//! Every review is placed on one scale, 0 to 100: each criterion's score is read as a
//! fraction of its own scale (min → 0, max → 1), weighted, and the weighted mean is
//! multiplied by 100. Criteria on different scales and weights thus compare.
//!
//! Calibration answers "is this evaluator strict or generous?": each review is also
//! expressed as a z-score against its evaluator's own reviews in the stage, and a
//! proposal's calibrated score is the mean of its z-scores mapped back onto the
//! stage's overall mean and spread. It is shown beside the raw mean, never instead.

use std::collections::HashMap;

use serde::Serialize;

/// What a criterion contributes to a review's score.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// The criterion's weight; zero or less leaves it out of the score.
    pub weight: f64,
    /// The lowest point of the criterion's scale (reads as 0).
    pub min: i64,
    /// The highest point of the criterion's scale (reads as 1).
    pub max: i64,
}

/// A review's weighted score from 0 to 100, or `None` while a weighted criterion has no
/// score (or no criterion has weight). `scores` follows the order of `scales`.
pub fn review_score(scales: &[Scale], scores: &[Option<f64>]) -> Option<f64> {
    let mut sum = 0.0;
    let mut weights = 0.0;
    for (scale, score) in scales.iter().zip(scores) {
        if scale.weight <= 0.0 {
            continue;
        }
        let span = (scale.max - scale.min) as f64;
        let fraction = if span > 0.0 {
            ((*score)? - scale.min as f64) / span
        } else {
            1.0
        };
        sum += scale.weight * fraction.clamp(0.0, 1.0);
        weights += scale.weight;
    }
    (weights > 0.0 && scales.len() == scores.len()).then(|| 100.0 * sum / weights)
}

/// One submitted review's score.
#[derive(Debug, Clone, Copy)]
pub struct ReviewScore {
    /// The proposal reviewed.
    pub proposal_id: i64,
    /// The evaluator who wrote it (`evaluators.id`), for calibration.
    pub evaluator_id: i64,
    /// The review's weighted score, 0–100.
    pub score: f64,
}

/// What the ranking expects of a stage. The default asks for two reviews a proposal and
/// flags a spread above 20 points.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Reviews each proposal should have.
    pub required: u32,
    /// A spread (standard deviation, in points) above this flags disagreement.
    pub disagreement_above: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            required: 2,
            disagreement_above: 20.0,
        }
    }
}

/// Why a line of the ranking needs a second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The reviews disagree more than the threshold.
    Disagreement,
    /// Fewer reviews are in than required.
    Incomplete,
}

/// A proposal's line in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    /// The proposal.
    pub proposal_id: i64,
    /// Mean of the review scores, 0–100.
    pub score: Option<f64>,
    /// Standard deviation of the review scores.
    pub spread: Option<f64>,
    /// The mean after each evaluator's strictness is taken out, on the same scale.
    pub calibrated: Option<f64>,
    /// Submitted reviews counted.
    pub reviews_done: u32,
    /// Reviews the stage asks for (`Settings::required`).
    pub reviews_required: u32,
    /// Why the line needs a second look; empty if it does not.
    pub flags: Vec<Flag>,
}

/// The ranking of `proposals` from their submitted reviews: highest mean first, then
/// more reviews done, then the proposal id; proposals without reviews come last.
pub fn rank(proposals: &[i64], reviews: &[ReviewScore], settings: Settings) -> Vec<Ranked> {
    let z = calibration(reviews);
    let (grand_mean, grand_sd) = mean_sd(reviews.iter().map(|r| r.score));
    let mut by_proposal: HashMap<i64, Vec<(f64, f64)>> = HashMap::with_capacity(proposals.len());
    for (r, z) in reviews.iter().zip(&z) {
        by_proposal
            .entry(r.proposal_id)
            .or_default()
            .push((r.score, *z));
    }
    let mut rows: Vec<Ranked> = proposals
        .iter()
        .map(|&proposal_id| {
            let scores = by_proposal.get(&proposal_id).map_or(&[][..], |v| v);
            let done = scores.len() as u32;
            let (mean, sd) = mean_sd(scores.iter().map(|s| s.0));
            let (mean_z, _) = mean_sd(scores.iter().map(|s| s.1));
            let mut flags = Vec::new();
            if sd.is_some_and(|sd| sd > settings.disagreement_above) {
                flags.push(Flag::Disagreement);
            }
            if done < settings.required {
                flags.push(Flag::Incomplete);
            }
            Ranked {
                proposal_id,
                score: mean,
                spread: sd,
                calibrated: match (mean_z, grand_mean, grand_sd) {
                    (Some(z), Some(m), Some(sd)) => Some((m + z * sd).clamp(0.0, 100.0)),
                    _ => None,
                },
                reviews_done: done,
                reviews_required: settings.required,
                flags,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &Ranked| r.score.unwrap_or(f64::NEG_INFINITY);
        key(b)
            .total_cmp(&key(a))
            .then(b.reviews_done.cmp(&a.reviews_done))
            .then(a.proposal_id.cmp(&b.proposal_id))
    });
    rows
}

/// Each review's z-score against its evaluator's reviews; 0 where the evaluator has
/// fewer than two reviews or gave them all the same score (nothing to calibrate).
fn calibration(reviews: &[ReviewScore]) -> Vec<f64> {
    let mut sums: HashMap<i64, (f64, f64, u32)> = HashMap::new();
    for r in reviews {
        let s = sums.entry(r.evaluator_id).or_default();
        s.0 += r.score;
        s.1 += r.score * r.score;
        s.2 += 1;
    }
    reviews
        .iter()
        .map(|r| {
            let (sum, squares, n) = sums[&r.evaluator_id];
            if n < 2 {
                return 0.0;
            }
            let n = f64::from(n);
            let mean = sum / n;
            let sd = (squares / n - mean * mean).max(0.0).sqrt();
            if sd < 1e-9 {
                0.0
            } else {
                (r.score - mean) / sd
            }
        })
        .collect()
}

/// Mean and population standard deviation; `None` for no values.
fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> (Option<f64>, Option<f64>) {
    let (n, sum) = values.clone().fold((0u32, 0.0), |(n, s), v| (n + 1, s + v));
    if n == 0 {
        return (None, None);
    }
    let mean = sum / f64::from(n);
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / f64::from(n);
    (Some(mean), Some(var.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(weight: f64, min: i64, max: i64) -> Scale {
        Scale { weight, min, max }
    }

    fn review(proposal_id: i64, evaluator_id: i64, score: f64) -> ReviewScore {
        ReviewScore {
            proposal_id,
            evaluator_id,
            score,
        }
    }

    #[test]
    fn a_review_score_weights_criteria_on_their_own_scales() {
        let scales = [scale(2.0, 1, 5), scale(1.0, 0, 10)];
        // 5 of 1–5 is the top (1.0), 5 of 0–10 is half: (2·1 + 1·0.5) / 3 = 83.3.
        let s = review_score(&scales, &[Some(5.0), Some(5.0)]).unwrap();
        assert!((s - 83.333).abs() < 0.01, "{s}");
        assert_eq!(review_score(&scales, &[Some(1.0), Some(0.0)]), Some(0.0));
        assert_eq!(review_score(&scales, &[Some(5.0), Some(10.0)]), Some(100.0));
    }

    #[test]
    fn a_review_without_every_weighted_score_has_no_score() {
        let scales = [scale(1.0, 1, 5), scale(0.0, 1, 5)];
        assert_eq!(review_score(&scales, &[None, Some(3.0)]), None);
        // An unweighted criterion may stay empty.
        assert_eq!(review_score(&scales, &[Some(3.0), None]), Some(50.0));
        assert_eq!(review_score(&[scale(0.0, 1, 5)], &[Some(3.0)]), None);
    }

    #[test]
    fn the_ranking_orders_by_mean_and_flags_spread_and_missing_reviews() {
        let reviews = [
            review(1, 10, 80.0),
            review(1, 11, 90.0),
            review(2, 10, 20.0),
            review(2, 11, 90.0),
            review(3, 10, 95.0),
        ];
        let settings = Settings {
            required: 2,
            disagreement_above: 20.0,
        };
        let rows = rank(&[1, 2, 3, 4], &reviews, settings);
        let order: Vec<i64> = rows.iter().map(|r| r.proposal_id).collect();
        assert_eq!(order, vec![3, 1, 2, 4]);
        let by_id = |id| rows.iter().find(|r| r.proposal_id == id).unwrap();
        assert_eq!(by_id(1).score, Some(85.0));
        assert_eq!(by_id(1).spread, Some(5.0));
        assert!(by_id(1).flags.is_empty());
        assert_eq!(by_id(2).spread, Some(35.0));
        assert_eq!(by_id(2).flags, vec![Flag::Disagreement]);
        assert_eq!(by_id(3).flags, vec![Flag::Incomplete]);
        assert_eq!((by_id(4).score, by_id(4).reviews_done), (None, 0));
        assert_eq!(by_id(4).flags, vec![Flag::Incomplete]);
    }

    #[test]
    fn calibration_takes_out_an_evaluators_strictness() {
        // Evaluator 10 is strict (everything 40 points lower), 11 generous. Each saw
        // one of proposals 1 and 2, and both saw 3 and 4. Raw means favour 2 (seen by
        // the generous one); calibrated, 1 and 2 are equal.
        let reviews = [
            review(1, 10, 40.0),
            review(2, 11, 80.0),
            review(3, 10, 20.0),
            review(3, 11, 60.0),
            review(4, 10, 60.0),
            review(4, 11, 100.0),
        ];
        let rows = rank(&[1, 2, 3, 4], &reviews, Settings::default());
        let by_id = |id| rows.iter().find(|r| r.proposal_id == id).unwrap();
        assert!(by_id(2).score > by_id(1).score);
        let (c1, c2) = (by_id(1).calibrated.unwrap(), by_id(2).calibrated.unwrap());
        assert!((c1 - c2).abs() < 1e-9, "{c1} vs {c2}");
        assert!(by_id(4).calibrated > by_id(1).calibrated);
        assert!(by_id(3).calibrated < by_id(1).calibrated);
    }
}
