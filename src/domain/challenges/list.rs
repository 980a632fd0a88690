//! The public list of challenges: filters, order, pages, and the agencies to filter by.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Bool};

use super::Challenge;
use crate::db::schema::{
    challenge_status_counts, challenge_topics, challenges, organisations, publisher_counts, topics,
};
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Cursor, Page, Paged};
use crate::domain::topics::{topics_of, TopicRef};
use crate::error::AppResult;
use crate::kinds::{ChallengeStatus, Level, OrgKind, ProposalVisibility};

/// The backend of [`DbConnection`], named for a subquery built on its own.
type Backend = <DbConnection as diesel::Connection>::Backend;

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

/// A challenge as lists show it: every column but the description, which only the
/// challenge's own page reads (it may hold 50,000 characters).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = challenges)]
pub struct ListedChallenge {
    /// Primary key.
    pub id: i64,
    /// The unique name in its address.
    pub slug: String,
    /// The agency that publishes it.
    pub organisation_id: i64,
    /// The title.
    pub title: String,
    /// The short summary lists show.
    pub summary: String,
    /// The language it is written in: `de` or `en`.
    pub language: String,
    /// The kinds of organisation that may propose, stored spellings joined by commas.
    pub eligibility: String,
    /// The administrative level of the agency's need.
    pub level: Level,
    /// The region it concerns; may be empty.
    pub region: String,
    /// The budget in whole euros, if the agency names one.
    pub budget_eur: Option<i64>,
    /// The submission deadline (UTC), exclusive.
    pub submission_deadline: NaiveDateTime,
    /// How to reach the agency about it; may be empty.
    pub contact: String,
    /// Whether its submitted proposals become public after the deadline.
    pub proposal_visibility: ProposalVisibility,
    /// Where it stands in its life.
    pub status: ChallengeStatus,
    /// When it was published (UTC).
    pub published_at: Option<NaiveDateTime>,
    /// The form whose questions proposals answer, if the challenge adds one.
    pub submission_form_id: Option<i64>,
}

impl ListedChallenge {
    /// The kinds of organisation that may propose; unknown spellings are skipped.
    pub fn eligible_kinds(&self) -> Vec<OrgKind> {
        super::kinds_in(&self.eligibility)
    }
    /// Whether it takes submissions at `now`.
    pub fn accepts_submissions(&self, now: NaiveDateTime) -> bool {
        super::accepting(self.status, self.submission_deadline, now)
    }
}

impl From<&Challenge> for ListedChallenge {
    fn from(c: &Challenge) -> Self {
        ListedChallenge {
            id: c.id,
            slug: c.slug.clone(),
            organisation_id: c.organisation_id,
            title: c.title.clone(),
            summary: c.summary.clone(),
            language: c.language.clone(),
            eligibility: c.eligibility.clone(),
            level: c.level,
            region: c.region.clone(),
            budget_eur: c.budget_eur,
            submission_deadline: c.submission_deadline,
            contact: c.contact.clone(),
            proposal_visibility: c.proposal_visibility,
            status: c.status,
            published_at: c.published_at,
            submission_form_id: c.submission_form_id,
        }
    }
}

/// A list entry: the challenge with its agency's name.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    /// The challenge.
    pub challenge: ListedChallenge,
    /// The publishing agency's name.
    pub agency_name: String,
    /// The publishing agency's slug.
    pub agency_slug: String,
    /// The challenge's topics, by German name.
    pub topics: Vec<TopicRef>,
}

/// The orders of the list. Every one ends in the id, so that no two rows tie and a page
/// can continue from any row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// The nearest deadline first (the default).
    Deadline,
    /// The latest published first.
    Newest,
    /// By title.
    Title,
}

impl Sort {
    fn parse(s: Option<&str>) -> Sort {
        match s {
            Some("newest") => Sort::Newest,
            Some("title") => Sort::Title,
            _ => Sort::Deadline,
        }
    }
    /// The sort key's column, as SQL.
    fn column(self) -> &'static str {
        match self {
            Sort::Deadline => "submission_deadline",
            Sort::Newest => "published_at",
            Sort::Title => "title",
        }
    }
    /// Whether the list runs from the largest key down.
    fn descending(self) -> bool {
        self == Sort::Newest
    }
}

/// Orders a boxed statement over `challenges` by `sort`, read downwards when `desc`.
macro_rules! ordered {
    ($q:expr, $sort:expr, $desc:expr) => {
        match ($sort, $desc) {
            (Sort::Deadline, false) => {
                $q.order((challenges::submission_deadline.asc(), challenges::id.asc()))
            }
            (Sort::Deadline, true) => $q.order((
                challenges::submission_deadline.desc(),
                challenges::id.desc(),
            )),
            (Sort::Newest, false) => {
                $q.order((challenges::published_at.asc(), challenges::id.asc()))
            }
            (Sort::Newest, true) => {
                $q.order((challenges::published_at.desc(), challenges::id.desc()))
            }
            (Sort::Title, false) => $q.order((challenges::title.asc(), challenges::id.asc())),
            (Sort::Title, true) => $q.order((challenges::title.desc(), challenges::id.desc())),
        }
    };
}

/// How a page's rows are found: which way the order is read, from where, how many.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// Read against the list's order (the rows are put back in order after).
    backwards: bool,
    /// Continue from the place of this published challenge (keyset), if any.
    from: Option<i64>,
    offset: i64,
    limit: i64,
}

impl Reading {
    /// For `page`, reached through `cursor` or by its number, in a list of `total` rows.
    /// By number, the rows are counted from whichever end of the list is nearer, so
    /// that the last pages cost what the first ones cost.
    fn of(page: Page, cursor: Option<Cursor>, total: i64) -> Reading {
        match cursor {
            Some(Cursor::After(id)) => Reading {
                backwards: false,
                from: Some(id),
                offset: 0,
                limit: page.per_page,
            },
            Some(Cursor::Before(id)) => Reading {
                backwards: true,
                from: Some(id),
                offset: 0,
                limit: page.per_page,
            },
            None if page.offset() * 2 > total => {
                let from_end = total - page.offset() - page.per_page;
                Reading {
                    backwards: true,
                    from: None,
                    offset: from_end.max(0),
                    limit: page.per_page + from_end.min(0),
                }
            }
            None => Reading {
                backwards: false,
                from: None,
                offset: page.offset(),
                limit: page.per_page,
            },
        }
    }
}

/// The published challenges matching the filter, one page of them: reached through a
/// cursor (the page's "next" and "previous" links) it continues from that row; by number
/// it skips entries of an index that covers filter and order. Never a draft. Three
/// statements for a first or continued page, four for one by number; one more for a
/// topic, one for a filter the kept counts cannot answer, and a page by number again
/// when the cursor's row is gone.
pub fn list(
    conn: &mut DbConnection,
    f: &ListFilter,
    page: Page,
    cursor: Option<Cursor>,
) -> AppResult<Paged<ListItem>> {
    let now = db::now();
    let (status, level) = (f.status, f.level);
    if status == Some(ChallengeStatus::Draft) {
        return Ok(Paged::new(Vec::new(), 0, page));
    }
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
    // One set of filters for the count and the page: the count needs no join (every
    // challenge has its agency), which keeps it an index-only scan.
    macro_rules! filtered {
        ($source:expr) => {{
            let mut q = $source;
            q = match status {
                Some(s) => q.filter(challenges::status.eq(s)),
                // "Not a draft" rather than "one of the published statuses": with an IN
                // list SQLite reads each status's stretch of the (status, key) index and
                // sorts offset + limit rows in a temporary B-tree (45% of the list's time
                // in a profile of the page mix), where this walks the (key, id, status)
                // index in its order.
                None => q.filter(challenges::status.ne(ChallengeStatus::Draft)),
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
    let by_status_alone =
        (level, f.organisation_id, topic_id, &f.ids) == (None, None, None, &None) && !f.soon;
    let total: i64 = if by_status_alone {
        // Kept by the database's triggers (migration challenge_counts): reading it costs
        // the same at 10 or 100,000 challenges.
        // An equality rather than a list of statuses: SQLite prepares a statement with
        // an `IN` list anew on every request, and this one is on every list page.
        let counts = challenge_status_counts::table.select(challenge_status_counts::n);
        match status {
            Some(s) => counts
                .filter(challenge_status_counts::status.eq(s))
                .load::<i64>(conn)?,
            None => counts
                .filter(challenge_status_counts::status.ne(ChallengeStatus::Draft))
                .load::<i64>(conn)?,
        }
        .into_iter()
        .sum()
    } else {
        filtered!(challenges::table.into_boxed())
            .count()
            .get_result(conn)?
    };
    let sort = Sort::parse(f.sort.as_deref());
    let read = |conn: &mut DbConnection,
                r: Reading|
     -> AppResult<Vec<(ListedChallenge, String, String)>> {
        if r.limit <= 0 {
            return Ok(Vec::new());
        }
        let downwards = sort.descending() != r.backwards;
        // Continues the order from the cursor's row. Row values, so that both databases
        // start the index scan there; the cursor must be a published challenge, or a
        // draft's title or deadline could be found out by where a page starts.
        macro_rules! continued {
            ($q:expr) => {
                match r.from {
                    None => $q,
                    Some(from) => {
                        let column = sort.column();
                        let op = if downwards { "<" } else { ">" };
                        $q.filter(
                            diesel::dsl::sql::<Bool>(&format!(
                                "(challenges.{column}, challenges.id) {op} \
                                 (SELECT c.{column}, c.id FROM challenges c WHERE c.id = "
                            ))
                            .bind::<BigInt, _>(from)
                            .sql(&format!(" AND c.status <> '{}')", ChallengeStatus::Draft.as_str())),
                        )
                    }
                }
            };
        }
        let mut rows: Vec<(ListedChallenge, String, String)> = if r.offset == 0 {
            // Nothing to skip (a first page, or one continued from a cursor): the rows
            // themselves in one statement.
            let rows = filtered!(challenges::table
                .inner_join(organisations::table)
                .into_boxed::<Backend>())
            .select((
                ListedChallenge::as_select(),
                organisations::name,
                organisations::slug,
            ));
            ordered!(continued!(rows), sort, downwards)
                .limit(r.limit)
                .load(conn)?
        } else {
            // The page's ids come from an index that covers filter and order (migration
            // list_pages_from_indexes): skipped entries read no row.
            let ids = filtered!(challenges::table.into_boxed::<Backend>()).select(challenges::id);
            let ids: Vec<i64> = ordered!(ids, sort, downwards)
                .limit(r.limit)
                .offset(r.offset)
                .load(conn)?;
            // Then those rows only. (The ids as a subquery of this statement are not
            // possible: diesel's connection over both backends cannot nest a boxed
            // statement.)
            let mut rows: Vec<(ListedChallenge, String, String)> = challenges::table
                .inner_join(organisations::table)
                .filter(challenges::id.eq_any(&ids))
                .select((
                    ListedChallenge::as_select(),
                    organisations::name,
                    organisations::slug,
                ))
                .load(conn)?;
            rows.sort_by_key(|(c, _, _)| ids.iter().position(|id| *id == c.id));
            rows
        };
        if r.backwards {
            rows.reverse();
        }
        Ok(rows)
    };
    let mut rows = read(conn, Reading::of(page, cursor, total))?;
    if rows.is_empty() && cursor.is_some() {
        // The cursor's challenge is gone or was never listed: the page by its number.
        rows = read(conn, Reading::of(page, None, total))?;
    }
    let ids: Vec<i64> = rows.iter().map(|(c, _, _)| c.id).collect();
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
    let offered = |conn: &mut DbConnection, also: Option<i64>| {
        let busiest = publisher_counts::table
            .filter(publisher_counts::published.gt(0))
            .order((
                publisher_counts::published.desc(),
                publisher_counts::organisation_id.asc(),
            ))
            .limit(AGENCY_CHOICES)
            .select(publisher_counts::organisation_id);
        let agencies = organisations::table
            .filter(organisations::kind.eq(OrgKind::Agency))
            .order((organisations::name.asc(), organisations::id.asc()))
            .select((organisations::id, organisations::slug, organisations::name))
            .into_boxed();
        match also {
            None => agencies.filter(organisations::id.eq_any(busiest)),
            Some(id) => agencies.filter(
                organisations::id
                    .eq_any(busiest)
                    .or(organisations::id.eq(id)),
            ),
        }
        .load::<(i64, String, String)>(conn)
    };
    let mut agencies = offered(conn, None)?;
    // The chosen one is usually among the busiest; asking for it too costs PostgreSQL a
    // bitmap scan, so only when it is not.
    if let Some(chosen) = chosen.filter(|c| !agencies.iter().any(|(id, _, _)| id == c)) {
        agencies = offered(conn, Some(chosen))?;
    }
    Ok(agencies
        .into_iter()
        .map(|(_, slug, name)| (slug, name))
        .collect())
}
