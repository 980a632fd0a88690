//! What an agency types for a challenge, checked: [`validate`] turns the text of a form or
//! an API body into a [`ValidChallenge`], and [`ChallengeRow`] is the one row shape that
//! inserts and updates write.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::Challenge;
use crate::db::schema::challenges;
use crate::db::{self};
use crate::domain::time;
use crate::error::{AppResult, FieldErrors};
use crate::kinds::{Level, OrgKind, ProposalVisibility};
use crate::text;

/// What an agency fills in. Everything arrives as text and is checked here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChallengeInput {
    /// The title.
    pub title: String,
    /// The short summary.
    pub summary: String,
    /// The full text in Markdown; may be empty.
    pub description: String,
    /// `de` or `en`; empty means `de`.
    pub language: String,
    /// The kinds that may propose, by stored spelling; agencies cannot be chosen.
    pub eligibility: Vec<String>,
    /// `bund`, `land` or `kommune`.
    pub level: String,
    /// The region, free text; may be empty.
    pub region: String,
    /// The budget as typed (`45.000 €`); empty for none (see `parse_euros`).
    pub budget_eur: String,
    /// Berlin local time (`2026-12-01T18:00`) or RFC 3339 (see `time::parse_deadline`).
    pub submission_deadline: String,
    /// Contact details, free text; may be empty.
    pub contact: String,
    /// `private` or `public_after_deadline`; empty means `private`.
    pub proposal_visibility: String,
    /// Topic slugs; each must be a known topic, empty entries are skipped.
    pub topics: Vec<String>,
    /// The form proposals answer, by id; empty for none.
    #[serde(default)]
    pub submission_form_id: String,
}

/// A challenge's fields that passed validation, ready to store (see `Challenge` for what
/// each means).
#[derive(Debug, Clone)]
pub struct ValidChallenge {
    /// The title, trimmed (at most 200 characters).
    pub title: String,
    /// The summary, trimmed (at most 500 characters).
    pub summary: String,
    /// The full text in Markdown (at most 50,000 characters); may be empty.
    pub description: String,
    /// `de` or `en`.
    pub language: String,
    /// The kinds that may propose: at least one, no duplicates, never agencies.
    pub eligibility: Vec<OrgKind>,
    /// The administrative level.
    pub level: Level,
    /// The region (at most 120 characters); may be empty.
    pub region: String,
    /// The budget in whole euros, if any.
    pub budget_eur: Option<i64>,
    /// The submission deadline (UTC).
    pub submission_deadline: NaiveDateTime,
    /// Contact details (at most 300 characters); may be empty.
    pub contact: String,
    /// Whether submitted proposals become public after the deadline.
    pub proposal_visibility: ProposalVisibility,
    /// Known topic slugs, without duplicates.
    pub topic_slugs: Vec<String>,
    /// The form proposals answer, if any; checked against the agency's forms on saving.
    pub submission_form_id: Option<i64>,
}

/// Parses a euro amount typed by a person: "45000", "45.000", "45 000 €". `Some(None)`
/// for an empty field, `None` for something that is not an amount.
pub fn parse_euros(raw: &str) -> Option<Option<i64>> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '€' | '\u{a0}' | '\''))
        .collect();
    let digits = digits.trim().trim_end_matches(",00").trim();
    if digits.is_empty() {
        return Some(None);
    }
    match digits.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000_000).contains(&n) => Some(Some(n)),
        _ => None,
    }
}

/// Checks everything an agency typed and names each bad field in a 422. `known_topics`
/// are the slugs a topic may take. Whether the submission form is the agency's own is
/// checked on saving.
pub fn validate(input: &ChallengeInput, known_topics: &[String]) -> AppResult<ValidChallenge> {
    let mut e = FieldErrors::new();
    let title = text::required_text(&input.title, "title", 200, &mut e);
    let summary = text::required_text(&input.summary, "summary", 500, &mut e);
    let description = text::optional_text(Some(&input.description), "description", 50_000, &mut e)
        .unwrap_or_default();
    let language = match input.language.trim() {
        "" | "de" => "de",
        "en" => "en",
        _ => {
            e.add("language", "locale-invalid");
            "de"
        }
    };
    let mut eligibility: Vec<OrgKind> = Vec::new();
    for k in &input.eligibility {
        match OrgKind::parse(k.trim()) {
            Some(OrgKind::Agency) | None => e.add("eligibility", "eligibility-invalid"),
            Some(kind) if !eligibility.contains(&kind) => eligibility.push(kind),
            Some(_) => {}
        }
    }
    if eligibility.is_empty() {
        e.add("eligibility", "eligibility-required");
    }
    let level = Level::parse(input.level.trim());
    if level.is_none() {
        e.add("level", "level-invalid");
    }
    let region =
        text::optional_text(Some(&input.region), "region", 120, &mut e).unwrap_or_default();
    let budget_eur = parse_euros(&input.budget_eur).unwrap_or_else(|| {
        e.add("budget_eur", "budget-invalid");
        None
    });
    let deadline = time::parse_deadline(&input.submission_deadline);
    if input.submission_deadline.trim().is_empty() {
        e.add("submission_deadline", "field-required");
    } else if deadline.is_none() {
        e.add("submission_deadline", "deadline-invalid");
    }
    let contact =
        text::optional_text(Some(&input.contact), "contact", 300, &mut e).unwrap_or_default();
    let proposal_visibility = match input.proposal_visibility.trim() {
        "" => ProposalVisibility::Private,
        typed => ProposalVisibility::parse(typed).unwrap_or_else(|| {
            e.add("proposal_visibility", "visibility-invalid");
            ProposalVisibility::Private
        }),
    };
    let mut topic_slugs = Vec::new();
    for t in &input.topics {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if known_topics.iter().any(|k| k == t) {
            if !topic_slugs.iter().any(|x: &String| x == t) {
                topic_slugs.push(t.to_string());
            }
        } else {
            e.add("topics", "topic-invalid");
        }
    }
    let submission_form_id = match input.submission_form_id.trim() {
        "" => None,
        id => id.parse::<i64>().ok().or_else(|| {
            e.add("submission_form_id", "submission-form-unknown");
            None
        }),
    };
    e.into_result()?;
    Ok(ValidChallenge {
        submission_form_id,
        title,
        summary,
        description,
        language: language.to_string(),
        eligibility,
        level: level.unwrap_or(Level::Kommune),
        region,
        budget_eur,
        submission_deadline: deadline.unwrap_or_else(db::now),
        contact,
        proposal_visibility,
        topic_slugs,
    })
}

/// The fields an agency writes, as stored: one row shape for inserts and updates.
#[derive(Insertable, AsChangeset, PartialEq)]
#[diesel(table_name = challenges, treat_none_as_null = true)]
pub struct ChallengeRow<'a> {
    title: &'a str,
    summary: &'a str,
    description: &'a str,
    language: &'a str,
    eligibility: String,
    level: Level,
    region: &'a str,
    budget_eur: Option<i64>,
    submission_deadline: NaiveDateTime,
    contact: &'a str,
    proposal_visibility: ProposalVisibility,
    submission_form_id: Option<i64>,
}

impl ValidChallenge {
    pub(super) fn row(&self) -> ChallengeRow<'_> {
        ChallengeRow {
            title: &self.title,
            summary: &self.summary,
            description: &self.description,
            language: &self.language,
            eligibility: eligibility_csv(&self.eligibility),
            level: self.level,
            region: &self.region,
            budget_eur: self.budget_eur,
            submission_deadline: self.submission_deadline,
            contact: &self.contact,
            proposal_visibility: self.proposal_visibility,
            submission_form_id: self.submission_form_id,
        }
    }

    /// The form shows the deadline to the minute: a deadline sent back within the minute
    /// of the stored one is the stored one (saving a form unchanged must not move it by
    /// its seconds, which would also count as moving it earlier).
    pub(super) fn keeping_deadline_of(mut self, current: &Challenge) -> ValidChallenge {
        self.submission_deadline =
            time::keep_within_minute(self.submission_deadline, current.submission_deadline);
        self
    }
}

impl<'a> ChallengeRow<'a> {
    /// The stored challenge in the shape an update writes.
    pub(super) fn of(c: &'a Challenge) -> ChallengeRow<'a> {
        ChallengeRow {
            title: &c.title,
            summary: &c.summary,
            description: &c.description,
            language: &c.language,
            eligibility: eligibility_csv(&c.eligible_kinds()),
            level: c.level,
            region: &c.region,
            budget_eur: c.budget_eur,
            submission_deadline: c.submission_deadline,
            contact: &c.contact,
            proposal_visibility: c.proposal_visibility,
            submission_form_id: c.submission_form_id,
        }
    }
}

/// The kinds as stored, always in the same order (so that equal sets compare equal).
pub(super) fn eligibility_csv(kinds: &[OrgKind]) -> String {
    OrgKind::ALL
        .iter()
        .filter(|k| kinds.contains(k))
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn euros_are_read_as_people_write_them() {
        assert_eq!(parse_euros("45000"), Some(Some(45000)));
        assert_eq!(parse_euros("45.000 €"), Some(Some(45000)));
        assert_eq!(parse_euros("1 200 000,00"), Some(Some(1_200_000)));
        assert_eq!(parse_euros(""), Some(None));
        assert_eq!(parse_euros("viel"), None);
        assert_eq!(parse_euros("-5"), None);
    }

    fn input() -> ChallengeInput {
        ChallengeInput {
            title: "Hundesteuer online".into(),
            summary: "Kurz".into(),
            description: "Lang".into(),
            language: "de".into(),
            eligibility: vec!["startup".into(), "research".into()],
            level: "kommune".into(),
            region: "Musterstadt".into(),
            budget_eur: "45.000".into(),
            submission_deadline: "2030-01-31T12:00".into(),
            contact: "".into(),
            proposal_visibility: "private".into(),
            topics: vec!["ki".into()],
            submission_form_id: String::new(),
        }
    }

    #[test]
    fn validation_names_every_bad_field() {
        let known = vec!["ki".to_string()];
        let ok = validate(&input(), &known).unwrap();
        assert_eq!(ok.budget_eur, Some(45000));
        assert_eq!(ok.eligibility, vec![OrgKind::Startup, OrgKind::Research]);
        let mut bad = input();
        bad.title = " ".into();
        bad.eligibility = vec!["agency".into()];
        bad.level = "galaxis".into();
        bad.budget_eur = "viel".into();
        bad.submission_deadline = "bald".into();
        bad.proposal_visibility = "world".into();
        bad.topics = vec!["unbekannt".into()];
        let AppError::Validation(f) = validate(&bad, &known).unwrap_err() else {
            panic!()
        };
        for field in [
            "title",
            "eligibility",
            "level",
            "budget_eur",
            "submission_deadline",
            "proposal_visibility",
            "topics",
        ] {
            assert!(f.get(field).is_some(), "{field}");
        }
    }
}
