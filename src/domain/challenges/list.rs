//! The public list of challenges: filters, order, pages, and the agencies to filter by.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::Challenge;
use crate::db::schema::{
    challenge_status_counts, challenge_topics, challenges, organisations, publisher_counts, topics,
};
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Page, Paged};
use crate::domain::topics::{topics_of, TopicRef};
use crate::error::AppResult;
use crate::kinds::{ChallengeStatus, Level, OrgKind};

/// "Deadline soon" means within this many days.
pub const SOON_DAYS: i64 = 14;

/// Filters of the public list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    /// Only challenges in this status; drafts only of the organisations whose drafts the
    /// caller may list.
    pub status: Option<ChallengeStatus>,
    /// Only challenges tagged with the topic of this slug (an unknown slug matches none).
    pub topic: Option<String>,
    /// Only challenges of this agency.
    pub organisation_id: Option<i64>,
    /// Only challenges of this administrative level.
    pub level: Option<Level>,
    /// Only open challenges whose deadline is within [`SOON_DAYS`].
    pub soon: bool,
    /// Only these challenges (the search engine's matches for the list's words).
    pub ids: Option<Vec<i64>>,
    /// `deadline` (default), `newest` or `title`.
    pub sort: Option<String>,
}

/// A list entry: the challenge with its agency's name.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    /// The challenge.
    pub challenge: Challenge,
    /// The publishing agency's name.
    pub agency_name: String,
    /// The publishing agency's slug.
    pub agency_slug: String,
    /// The challenge's topics, by German name.
    pub topics: Vec<TopicRef>,
}

/// The published challenges matching the filter, plus, for `include_drafts_of`, the
/// drafts of those organisations. Four statements whatever the page size or depth.
pub fn list(
    conn: &mut DbConnection,
    f: &ListFilter,
    include_drafts_of: &[i64],
    page: Page,
) -> AppResult<Paged<ListItem>> {
    let now = db::now();
    let (status, level) = (f.status, f.level);
    let topic_id: Option<i64> = match f.topic.as_deref().filter(|t| !t.is_empty()) {
        Some(slug) => Some(
            topics::table
                .filter(topics::slug.eq(slug))
                .select(topics::id)
                .first(conn)
                .optional()?
                .unwrap_or(-1),
        ),
        None => None,
    };
    let drafts = include_drafts_of.to_vec();
    // One set of filters for both statements: the count needs no join (every challenge
    // has its agency), which keeps it an index-only scan.
    macro_rules! filtered {
        ($source:expr) => {{
            let mut q = $source;
            q = match status {
                Some(ChallengeStatus::Draft) => q
                    .filter(challenges::status.eq(ChallengeStatus::Draft))
                    .filter(challenges::organisation_id.eq_any(drafts.clone())),
                Some(s) => q.filter(challenges::status.eq(s)),
                // "Not a draft" rather than "one of the published statuses": with an IN
                // list SQLite reads each status's stretch of the (status, key) index and
                // sorts offset + limit rows in a temporary B-tree (45% of the list's time
                // in a profile of the page mix), where this walks the (key, id, status)
                // index in its order.
                None if drafts.is_empty() => {
                    q.filter(challenges::status.ne(ChallengeStatus::Draft))
                }
                None => q.filter(
                    challenges::status
                        .ne(ChallengeStatus::Draft)
                        .or(challenges::organisation_id.eq_any(drafts.clone())),
                ),
            };
            if let Some(l) = level {
                q = q.filter(challenges::level.eq(l));
            }
            if let Some(org) = f.organisation_id {
                q = q.filter(challenges::organisation_id.eq(org));
            }
            if let Some(t) = topic_id {
                q = q.filter(
                    challenges::id.eq_any(
                        challenge_topics::table
                            .filter(challenge_topics::topic_id.eq(t))
                            .select(challenge_topics::challenge_id),
                    ),
                );
            }
            if f.soon {
                q = q
                    .filter(challenges::status.eq(ChallengeStatus::Open))
                    .filter(challenges::submission_deadline.gt(now))
                    .filter(challenges::submission_deadline.le(now + Duration::days(SOON_DAYS)));
            }
            if let Some(ids) = &f.ids {
                q = q.filter(challenges::id.eq_any(ids.clone()));
            }
            q
        }};
    }
    let by_status_alone = drafts.is_empty()
        && status != Some(ChallengeStatus::Draft)
        && (level, f.organisation_id, topic_id, &f.ids) == (None, None, None, &None)
        && !f.soon;
    let total: i64 = if by_status_alone {
        // Kept by the database's triggers (migration challenge_counts): reading it costs
        // the same at 10 or 100,000 challenges.
        let counted: Vec<ChallengeStatus> =
            status.map_or(ChallengeStatus::PUBLIC.to_vec(), |s| vec![s]);
        challenge_status_counts::table
            .filter(challenge_status_counts::status.eq_any(counted))
            .select(challenge_status_counts::n)
            .load::<i64>(conn)?
            .into_iter()
            .sum()
    } else {
        filtered!(challenges::table.into_boxed())
            .count()
            .get_result(conn)?
    };
    // First the page's ids, from an index that covers filter and order (see the migration
    // list_pages_from_indexes): skipping rows of a deep page then reads no row at all.
    let page_of_ids = || filtered!(challenges::table.into_boxed()).select(challenges::id);
    let ordered = match f.sort.as_deref() {
        Some("newest") => {
            page_of_ids().order((challenges::published_at.desc(), challenges::id.desc()))
        }
        Some("title") => page_of_ids().order((challenges::title.asc(), challenges::id.asc())),
        _ => page_of_ids().order((challenges::submission_deadline.asc(), challenges::id.asc())),
    };
    let ids: Vec<i64> = ordered
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    // Then those rows only, put back in the page's order.
    let mut rows: Vec<(Challenge, String, String)> = challenges::table
        .inner_join(organisations::table)
        .filter(challenges::id.eq_any(&ids))
        .select((
            Challenge::as_select(),
            organisations::name,
            organisations::slug,
        ))
        .load(conn)?;
    rows.sort_by_key(|(c, _, _)| ids.iter().position(|id| *id == c.id));
    let mut topics = topics_of(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|(challenge, agency_name, agency_slug)| ListItem {
            topics: topics.remove(&challenge.id).unwrap_or_default(),
            challenge,
            agency_name,
            agency_slug,
        })
        .collect();
    Ok(Paged::new(items, total, page))
}

/// How many agencies the list's filter offers. A choice among thousands of
/// municipalities helps nobody and costs every page its size; the others are a click
/// away in the directory of organisations.
pub const AGENCY_CHOICES: i64 = 40;

/// The agencies the list can be filtered by: the [`AGENCY_CHOICES`] with the most
/// published challenges, and `chosen` whatever its rank, as (slug, name) by name.
pub fn publishing_agencies(
    conn: &mut DbConnection,
    chosen: Option<i64>,
) -> AppResult<Vec<(String, String)>> {
    // The counts are kept by the database's triggers (migration challenge_counts); their
    // index hands out the busiest first.
    let mut ids: Vec<i64> = publisher_counts::table
        .filter(publisher_counts::published.gt(0))
        .order((
            publisher_counts::published.desc(),
            publisher_counts::organisation_id.asc(),
        ))
        .limit(AGENCY_CHOICES)
        .select(publisher_counts::organisation_id)
        .load(conn)?;
    ids.extend(chosen);
    Ok(organisations::table
        .filter(organisations::id.eq_any(&ids))
        .filter(organisations::kind.eq(OrgKind::Agency))
        .order((organisations::name.asc(), organisations::id.asc()))
        .select((organisations::slug, organisations::name))
        .load(conn)?)
}
