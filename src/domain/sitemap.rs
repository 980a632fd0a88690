//! What crawlers may list: the published challenges and the organisations (both public to
//! everyone, see `auth::policy`), read in ranges of ids so that no answer holds more than
//! [`PART`] entries however large the installation grows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{challenges, organisations};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::kinds::ChallengeStatus;

/// Ids per part of the sitemap (a sitemap file may list 50,000 addresses).
pub const PART: i64 = 10_000;

/// One address of a part: the record's slug and when it last changed.
#[derive(Debug, Clone, Queryable)]
pub struct Entry {
    /// The slug in the record's address.
    pub slug: String,
    /// When the record last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// Which records a part lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Published challenges (`/challenges/{slug}`).
    Challenges,
    /// Organisations (`/organisations/{slug}`).
    Organisations,
}

impl Section {
    /// The name in the part's address.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Challenges => "challenges",
            Section::Organisations => "organisations",
        }
    }

    /// The section named in an address.
    pub fn parse(s: &str) -> Option<Section> {
        match s {
            "challenges" => Some(Section::Challenges),
            "organisations" => Some(Section::Organisations),
            _ => None,
        }
    }
}

/// How many parts a section has (ids run from 1; a part may be empty after deletions).
pub fn parts(conn: &mut DbConnection, section: Section) -> AppResult<i64> {
    let max: Option<i64> = match section {
        Section::Challenges => challenges::table
            .select(diesel::dsl::max(challenges::id))
            .first(conn)?,
        Section::Organisations => organisations::table
            .select(diesel::dsl::max(organisations::id))
            .first(conn)?,
    };
    Ok(max.map_or(0, |m| (m + PART - 1) / PART))
}

/// The entries of part `n` (from 1), by id; empty past the last part.
pub fn part(conn: &mut DbConnection, section: Section, n: i64) -> AppResult<Vec<Entry>> {
    if n < 1 {
        return Ok(Vec::new());
    }
    let (first, last) = ((n - 1).saturating_mul(PART) + 1, n.saturating_mul(PART));
    Ok(match section {
        Section::Challenges => challenges::table
            .filter(challenges::id.between(first, last))
            .filter(challenges::status.eq_any(ChallengeStatus::PUBLIC))
            .order(challenges::id)
            .select((challenges::slug, challenges::updated_at))
            .load(conn)?,
        Section::Organisations => organisations::table
            .filter(organisations::id.between(first, last))
            .order(organisations::id)
            .select((organisations::slug, organisations::updated_at))
            .load(conn)?,
    })
}
