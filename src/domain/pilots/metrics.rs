//! The pilot report: how many test users started and sent, how long it took, where
//! people gave up, which fields they stumbled over, and how they rated it.
//!
//! The figures are read with a handful of grouped queries and put together by
//! [`summarise`], a plain function.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{pilot_field_errors, pilot_runs, pilot_submissions};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::forms::FormDefinition;
use crate::i18n::Lang;

/// One page of the form in the report's drop-off chart.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Step {
    /// The page's key in the form definition.
    pub key: String,
    /// The page's title in the reader's language.
    pub title: String,
    /// Runs that got at least this far (sent ones count for every step).
    pub reached: i64,
    /// Runs that stopped here without sending.
    pub left: i64,
}

/// How often the answers to one field were refused.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FieldErrorCount {
    /// The field's key in the form definition.
    pub field: String,
    /// The field's label in the reader's language; the key if the form no longer has it.
    pub label: String,
    /// Refused answers counted.
    pub errors: i64,
}

/// The pilot report's figures.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Metrics {
    /// Runs started, sent or not.
    pub starts: i64,
    /// Runs sent.
    pub completions: i64,
    /// Completions per start, 0 to 1.
    pub completion_rate: f64,
    /// The median time a sent run took, in seconds; `None` before the first.
    pub median_seconds: Option<i64>,
    /// Per page of the form, in order: who got there and who left there.
    pub drop_off_by_step: Vec<Step>,
    /// Refused answers per field, most first.
    pub errors_by_field: Vec<FieldErrorCount>,
    /// The mean rating, 1 to 5; `None` before the first.
    pub rating_avg: Option<f64>,
    /// Ratings given.
    pub ratings: i64,
    /// How many gave 1, 2, 3, 4 and 5.
    #[schema(value_type = Vec<i64>)]
    pub rating_counts: [i64; 5],
}

/// The raw figures as read from the database.
#[derive(Debug, Default, Clone)]
pub struct Raw {
    /// Unsent runs by the furthest page they reached.
    pub unsent_by_page: Vec<(i64, i64)>,
    /// Seconds each sent run took.
    pub seconds: Vec<i64>,
    /// Count of each rating value given.
    pub ratings: Vec<(i64, i64)>,
    /// Refused answers per field key.
    pub errors: Vec<(String, i64)>,
}

/// A rating's comment, for the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comment {
    /// The rating given with it, 1 to 5, if any.
    pub rating: Option<i64>,
    /// What the test user wrote.
    pub comment: String,
    /// When the run was sent.
    pub submitted_at: NaiveDateTime,
}

/// Comments shown in a report, newest first.
const COMMENTS: usize = 20;

/// Reads the raw figures of a pilot and its latest comments: three statements,
/// whatever its size (one row per sent run is read; that stays small next to the runs).
pub fn read(conn: &mut DbConnection, pilot_id: i64) -> AppResult<(Raw, Vec<Comment>)> {
    let unsent_by_page: Vec<(i64, i64)> = pilot_runs::table
        .filter(pilot_runs::pilot_id.eq(pilot_id))
        .filter(pilot_runs::completed_at.is_null())
        .group_by(pilot_runs::furthest)
        .select((pilot_runs::furthest, count_star()))
        .load(conn)?;
    let sent: Vec<(i64, Option<i64>, String, NaiveDateTime)> = pilot_submissions::table
        .filter(pilot_submissions::pilot_id.eq(pilot_id))
        .order(pilot_submissions::id.desc())
        .select((
            pilot_submissions::seconds,
            pilot_submissions::rating,
            pilot_submissions::rating_comment,
            pilot_submissions::submitted_at,
        ))
        .load(conn)?;
    let errors: Vec<(String, i64)> = pilot_field_errors::table
        .filter(pilot_field_errors::pilot_id.eq(pilot_id))
        .group_by(pilot_field_errors::field_key)
        .select((pilot_field_errors::field_key, count_star()))
        .load(conn)?;
    let mut ratings: Vec<(i64, i64)> = Vec::new();
    for r in sent.iter().filter_map(|s| s.1) {
        match ratings.iter_mut().find(|(v, _)| *v == r) {
            Some((_, n)) => *n += 1,
            None => ratings.push((r, 1)),
        }
    }
    let comments = sent
        .iter()
        .filter(|s| !s.2.is_empty())
        .take(COMMENTS)
        .map(|(_, rating, comment, at)| Comment {
            rating: *rating,
            comment: comment.clone(),
            submitted_at: *at,
        })
        .collect();
    let raw = Raw {
        unsent_by_page,
        seconds: sent.iter().map(|s| s.0).collect(),
        ratings,
        errors,
    };
    Ok((raw, comments))
}

/// Puts the figures together, with steps and fields named as the form names them.
pub fn summarise(def: &FormDefinition, raw: Raw, lang: Lang) -> Metrics {
    let completions = raw.seconds.len() as i64;
    let unsent: i64 = raw.unsent_by_page.iter().map(|(_, n)| n).sum();
    let starts = completions + unsent;
    let last = def.pages.len().saturating_sub(1) as i64;
    let drop_off_by_step = def
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let i = i as i64;
            // Runs of an older version may name a page beyond this one's last: count
            // them on the last page.
            let page_of = |page: i64| page.min(last);
            Step {
                key: p.key.clone(),
                title: p.title.get(lang).to_string(),
                reached: completions
                    + raw
                        .unsent_by_page
                        .iter()
                        .filter(|(page, _)| page_of(*page) >= i)
                        .map(|(_, n)| n)
                        .sum::<i64>(),
                left: raw
                    .unsent_by_page
                    .iter()
                    .filter(|(page, _)| page_of(*page) == i)
                    .map(|(_, n)| n)
                    .sum(),
            }
        })
        .collect();
    let mut errors_by_field: Vec<FieldErrorCount> = raw
        .errors
        .into_iter()
        .map(|(field, errors)| FieldErrorCount {
            label: def
                .field(&field)
                .map_or_else(|| field.clone(), |f| f.label.get(lang).to_string()),
            field,
            errors,
        })
        .collect();
    errors_by_field.sort_by(|a, b| b.errors.cmp(&a.errors).then(a.field.cmp(&b.field)));
    let mut rating_counts = [0i64; 5];
    for (r, n) in &raw.ratings {
        if (1..=5).contains(r) {
            rating_counts[(*r - 1) as usize] += n;
        }
    }
    let ratings: i64 = rating_counts.iter().sum();
    let rating_sum: i64 = rating_counts
        .iter()
        .enumerate()
        .map(|(i, n)| (i as i64 + 1) * n)
        .sum();
    Metrics {
        starts,
        completions,
        completion_rate: if starts == 0 {
            0.0
        } else {
            completions as f64 / starts as f64
        },
        median_seconds: median(raw.seconds),
        drop_off_by_step,
        errors_by_field,
        rating_avg: (ratings > 0).then(|| rating_sum as f64 / ratings as f64),
        ratings,
        rating_counts,
    }
}

/// The median; of an even count, the mean of the middle two (rounded down).
fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def() -> FormDefinition {
        FormDefinition::from_value(&json!({"title": "T", "pages": [
            {"key": "a", "title": {"de": "Eins", "en": "One"}, "fields": [{"key": "x", "type": "text", "label": "X-Feld"}]},
            {"key": "b", "title": "Zwei", "fields": [{"key": "y", "type": "text", "label": "Y"}]},
            {"key": "c", "title": "Drei", "fields": [{"key": "z", "type": "text", "label": "Z"}]}
        ]}))
        .unwrap()
    }

    #[test]
    fn figures_add_up() {
        let raw = Raw {
            unsent_by_page: vec![(0, 4), (1, 2), (7, 1)],
            seconds: vec![100, 40, 60, 300],
            ratings: vec![(5, 2), (4, 1), (1, 1)],
            errors: vec![("y".into(), 2), ("x".into(), 5), ("gone".into(), 1)],
        };
        let m = summarise(&def(), raw, Lang::En);
        assert_eq!(m.starts, 11);
        assert_eq!(m.completions, 4);
        assert!((m.completion_rate - 4.0 / 11.0).abs() < 1e-9);
        assert_eq!(m.median_seconds, Some(80));
        let steps: Vec<(i64, i64)> = m
            .drop_off_by_step
            .iter()
            .map(|s| (s.reached, s.left))
            .collect();
        assert_eq!(steps, vec![(11, 4), (7, 2), (5, 1)]);
        assert_eq!(m.drop_off_by_step[0].title, "One");
        assert_eq!(m.errors_by_field[0].field, "x");
        assert_eq!(m.errors_by_field[0].label, "X-Feld");
        assert_eq!(m.errors_by_field[2].label, "gone");
        assert_eq!(m.ratings, 4);
        assert_eq!(m.rating_counts, [1, 0, 0, 1, 2]);
        assert_eq!(m.rating_avg, Some(3.75));
    }

    #[test]
    fn an_empty_pilot_has_no_averages() {
        let m = summarise(&def(), Raw::default(), Lang::De);
        assert_eq!((m.starts, m.completions, m.completion_rate), (0, 0, 0.0));
        assert_eq!(m.median_seconds, None);
        assert_eq!(m.rating_avg, None);
        assert!(m
            .drop_off_by_step
            .iter()
            .all(|s| s.reached == 0 && s.left == 0));
    }
}
