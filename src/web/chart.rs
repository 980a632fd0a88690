//! Charts drawn on the server as SVG geometry that templates turn into markup (so every
//! text in them is escaped there). Each comes with a sentence per row as its text
//! alternative, and the page shows the same figures in a table.
//!
//! - [`distribution`]: the score distribution of a ranking. One row per proposal in
//!   ranking order: a line from its lowest to its highest review score, a dot per review
//!   and a bar at the mean, on a 0–100 axis.
//! - [`funnel`]: a pilot's steps, a bar per step as long as the share of test users who
//!   reached it.

use serde::Serialize;

use crate::domain::evaluation::reviews::RankingRow;
use crate::i18n::{self, Lang};

/// Rows drawn at most; the table lists all.
pub const MAX_ROWS: usize = 40;
const LEFT: f64 = 48.0;
const WIDTH: f64 = 500.0;
const ROW: f64 = 22.0;
const TOP: f64 = 24.0;

/// The score distribution of a ranking, in SVG user units.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing, growing with the rows shown.
    pub height: f64,
    /// Marks on the score axis at 0, 25, 50, 75 and 100.
    pub ticks: Vec<Tick>,
    /// One per proposal drawn, at most `MAX_ROWS`, in ranking order.
    pub rows: Vec<ChartRow>,
    /// One sentence per row, in the reader's language.
    pub description: Vec<String>,
}

/// A mark on the score axis.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    /// Where the mark is drawn.
    pub x: f64,
    /// The score it stands for.
    pub label: u32,
}

/// One proposal's reviews in the distribution chart.
#[derive(Debug, Clone, Serialize)]
pub struct ChartRow {
    /// The place in the ranking, `#1` onwards.
    pub label: String,
    /// The vertical centre of the row.
    pub y: f64,
    /// Where the line starts: the lowest score (score 0 without reviews).
    pub x_min: f64,
    /// Where the line ends: the highest score (score 0 without reviews).
    pub x_max: f64,
    /// Where the mean is marked; `None` when the proposal has no score.
    pub x_mean: Option<f64>,
    /// One position per review score.
    pub dots: Vec<f64>,
}

fn x(score: f64) -> f64 {
    LEFT + score.clamp(0.0, 100.0) / 100.0 * WIDTH
}

/// The chart of `rows` (in ranking order).
pub fn distribution(rows: &[RankingRow], lang: Lang) -> Chart {
    let shown = &rows[..rows.len().min(MAX_ROWS)];
    let mut description = Vec::new();
    let rows: Vec<ChartRow> = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let lo = r.scores.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = r.scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            description.push(if r.scores.is_empty() {
                i18n::text_with(
                    lang,
                    "chart-row-empty",
                    &[("place", (i + 1).to_string()), ("title", r.title.clone())],
                )
            } else {
                i18n::text_with(
                    lang,
                    "chart-row",
                    &[
                        ("place", (i + 1).to_string()),
                        ("title", r.title.clone()),
                        ("mean", format!("{:.1}", r.ranked.score.unwrap_or(0.0))),
                        ("low", format!("{lo:.1}")),
                        ("high", format!("{hi:.1}")),
                        ("count", r.scores.len().to_string()),
                    ],
                )
            });
            ChartRow {
                label: format!("#{}", i + 1),
                y: TOP + ROW * i as f64 + ROW / 2.0,
                x_min: if r.scores.is_empty() { x(0.0) } else { x(lo) },
                x_max: if r.scores.is_empty() { x(0.0) } else { x(hi) },
                x_mean: r.ranked.score.map(x),
                dots: r.scores.iter().map(|s| x(*s)).collect(),
            }
        })
        .collect();
    Chart {
        width: LEFT + WIDTH + 16.0,
        height: TOP + ROW * rows.len() as f64 + 8.0,
        ticks: (0..=4)
            .map(|i| Tick {
                x: x(i as f64 * 25.0),
                label: i * 25,
            })
            .collect(),
        rows,
        description,
    }
}

/// A pilot's steps: how many of those who started reached each one.
#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    /// Width of the drawing, in SVG user units.
    pub width: f64,
    /// Height of the drawing, growing with the steps.
    pub height: f64,
    /// One per step, in the pilot's order.
    pub bars: Vec<FunnelBar>,
    /// One sentence per step, in the reader's language.
    pub description: Vec<String>,
}

/// One step of a pilot's funnel.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelBar {
    /// The step's title, cut to 28 characters.
    pub label: String,
    /// The top of the bar.
    pub y: f64,
    /// The bar's length: the share of starters who reached the step (0 without starts).
    pub width: f64,
    /// The count and share as shown, e.g. `4 (40 %)`.
    pub value: String,
    /// Where the value is written, just after the bar.
    pub value_x: f64,
}

const FUNNEL_LABEL: f64 = 180.0;
const FUNNEL_BAR: f64 = 300.0;

/// The funnel of `steps` (title, reached) out of `starts`.
pub fn funnel(steps: &[(String, i64)], starts: i64, lang: Lang) -> Funnel {
    let share = |n: i64| {
        if starts > 0 {
            n as f64 / starts as f64
        } else {
            0.0
        }
    };
    let bars: Vec<FunnelBar> = steps
        .iter()
        .enumerate()
        .map(|(i, (title, reached))| {
            let w = FUNNEL_BAR * share(*reached);
            FunnelBar {
                label: title.chars().take(28).collect(),
                y: TOP + ROW * i as f64,
                width: w,
                value: format!("{reached} ({:.0} %)", share(*reached) * 100.0),
                value_x: FUNNEL_LABEL + w + 6.0,
            }
        })
        .collect();
    let description = steps
        .iter()
        .enumerate()
        .map(|(i, (title, reached))| {
            i18n::text_with(
                lang,
                "pilot-chart-row",
                &[
                    ("step", (i + 1).to_string()),
                    ("title", title.clone()),
                    ("reached", reached.to_string()),
                    ("starts", starts.to_string()),
                    ("percent", format!("{:.0}", share(*reached) * 100.0)),
                ],
            )
        })
        .collect();
    Funnel {
        width: FUNNEL_LABEL + FUNNEL_BAR + 110.0,
        height: TOP + ROW * steps.len() as f64,
        bars,
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evaluation::ranking::Ranked;

    fn row(id: i64, scores: &[f64]) -> RankingRow {
        let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        RankingRow {
            ranked: Ranked {
                proposal_id: id,
                score: mean,
                spread: None,
                calibrated: None,
                reviews_done: scores.len() as u32,
                reviews_required: 2,
                flags: Vec::new(),
            },
            title: format!("Vorschlag {id}"),
            organisation_name: String::new(),
            outcome: None,
            scores: scores.to_vec(),
        }
    }

    #[test]
    fn rows_span_from_lowest_to_highest_score_and_are_described_in_words() {
        let c = distribution(&[row(1, &[50.0, 100.0]), row(2, &[])], Lang::De);
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].x_min, LEFT + WIDTH / 2.0);
        assert_eq!(c.rows[0].x_max, LEFT + WIDTH);
        assert_eq!(c.rows[0].x_mean, Some(LEFT + 0.75 * WIDTH));
        assert_eq!(c.rows[0].dots.len(), 2);
        assert_eq!(c.rows[1].x_mean, None);
        assert!(
            c.description[0].contains("Mittelwert 75"),
            "{}",
            c.description[0]
        );
        assert!(c.description[1].contains("Vorschlag 2"));
        assert!(c.rows[1].y > c.rows[0].y);
    }

    #[test]
    fn long_rankings_are_cut_to_the_most_important_rows() {
        let rows: Vec<RankingRow> = (0..100).map(|i| row(i, &[50.0])).collect();
        assert_eq!(distribution(&rows, Lang::En).rows.len(), MAX_ROWS);
    }

    #[test]
    fn funnel_bars_are_as_long_as_the_share_that_reached_the_step() {
        let f = funnel(&[("Start".into(), 10), ("Ende".into(), 4)], 10, Lang::De);
        assert_eq!(f.bars[0].width, FUNNEL_BAR);
        assert_eq!(f.bars[1].width, FUNNEL_BAR * 0.4);
        assert_eq!(f.bars[1].value, "4 (40 %)");
        assert!(
            f.description[1].contains("4 von 10"),
            "{}",
            f.description[1]
        );
        let empty = funnel(&[("Start".into(), 0)], 0, Lang::En);
        assert_eq!(empty.bars[0].width, 0.0);
    }
}
