//! Challenges: what agencies publish. Fields, validation, the one state machine
//! (draft -> open -> closed -> evaluating -> concluded -> archived), topics, stages with
//! their rubric criteria, the public list with filters, and following.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::{self, ChallengeFacts};
use crate::db::schema::{
    challenge_topics, challenges, criteria, follows, organisations, proposals, stages, topics,
};
use crate::db::{self, DbConnection};
use crate::domain::evaluation::workflow::StageStatus;
use crate::domain::organisations::OrgKind;
use crate::domain::pagination::{Page, Paged};
use crate::domain::{text, time};
use crate::error::{AppError, AppResult, FieldErrors};

/// "Deadline soon" means within this many days.
pub const SOON_DAYS: i64 = 14;

/// The proposal visibility that makes submitted proposals public after the deadline
/// (the other one is `private`).
pub const PUBLIC_AFTER_DEADLINE: &str = "public_after_deadline";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Open,
    Closed,
    Evaluating,
    Concluded,
    Archived,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Open,
        Status::Closed,
        Status::Evaluating,
        Status::Concluded,
        Status::Archived,
    ];
    /// The statuses visitors can see.
    pub const PUBLIC: [Status; 5] = [
        Status::Open,
        Status::Closed,
        Status::Evaluating,
        Status::Concluded,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Evaluating => "evaluating",
            Status::Concluded => "concluded",
            Status::Archived => "archived",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn is_published(self) -> bool {
        self != Status::Draft
    }
}

/// What the agency asks the state machine to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Publish,
    Close,
    StartEvaluation,
    Conclude,
    Archive,
}

impl Transition {
    pub const ALL: [Transition; 5] = [
        Transition::Publish,
        Transition::Close,
        Transition::StartEvaluation,
        Transition::Conclude,
        Transition::Archive,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Publish => "publish",
            Transition::Close => "close",
            Transition::StartEvaluation => "start_evaluation",
            Transition::Conclude => "conclude",
            Transition::Archive => "archive",
        }
    }
    pub fn parse(s: &str) -> Option<Transition> {
        Transition::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The state machine: the status after `t`, or `None` when `t` is not allowed from `from`.
/// Drafts may be archived (discarded); everything else moves one step forward.
pub fn next_status(from: Status, t: Transition) -> Option<Status> {
    use Status::*;
    use Transition::*;
    match (from, t) {
        (Draft, Publish) => Some(Open),
        (Open, Close) => Some(Closed),
        (Closed, StartEvaluation) => Some(Evaluating),
        (Evaluating, Conclude) => Some(Concluded),
        // Never from a draft: archived challenges are public, and a draft was never
        // published (nor checked as an agency's publication).
        (Concluded | Closed, Archive) => Some(Archived),
        _ => None,
    }
}

/// The transitions offered from a status (the buttons on the page).
pub fn transitions_from(from: Status) -> Vec<Transition> {
    Transition::ALL
        .into_iter()
        .filter(|t| next_status(from, *t).is_some())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Bund,
    Land,
    Kommune,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Bund, Level::Land, Level::Kommune];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Bund => "bund",
            Level::Land => "land",
            Level::Kommune => "kommune",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = challenges)]
pub struct Challenge {
    pub id: i64,
    pub slug: String,
    pub organisation_id: i64,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub language: String,
    pub eligibility: String,
    pub level: String,
    pub region: String,
    pub budget_eur: Option<i64>,
    pub submission_deadline: NaiveDateTime,
    pub contact: String,
    pub proposal_visibility: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The form whose questions proposals answer, if the challenge adds one.
    pub submission_form_id: Option<i64>,
}

impl Challenge {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }
    pub fn eligible_kinds(&self) -> Vec<OrgKind> {
        self.eligibility
            .split(',')
            .filter_map(|k| OrgKind::parse(k.trim()))
            .collect()
    }
    pub fn is_eligible(&self, kind: OrgKind) -> bool {
        self.eligible_kinds().contains(&kind)
    }
    /// Submissions are accepted until the deadline, to the second, while open.
    pub fn accepts_submissions(&self, now: NaiveDateTime) -> bool {
        self.status() == Status::Open && now < self.submission_deadline
    }
    pub fn deadline_passed(&self, now: NaiveDateTime) -> bool {
        now >= self.submission_deadline
    }
    /// From when its submitted proposals are public (open co-creation after the
    /// deadline of a published challenge), if ever.
    pub fn proposals_public_from(&self) -> Option<NaiveDateTime> {
        (self.proposal_visibility == PUBLIC_AFTER_DEADLINE && self.status().is_published())
            .then_some(self.submission_deadline)
    }
    /// Whether its submitted proposals are public now.
    pub fn proposals_public(&self, now: NaiveDateTime) -> bool {
        self.proposals_public_from().is_some_and(|at| at <= now)
    }
}

/// What an agency fills in. Everything arrives as text and is checked here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChallengeInput {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub language: String,
    pub eligibility: Vec<String>,
    pub level: String,
    pub region: String,
    pub budget_eur: String,
    pub submission_deadline: String,
    pub contact: String,
    pub proposal_visibility: String,
    pub topics: Vec<String>,
    /// The form proposals answer, by id; empty for none.
    #[serde(default)]
    pub submission_form_id: String,
}

#[derive(Debug, Clone)]
pub struct ValidChallenge {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub language: String,
    pub eligibility: Vec<OrgKind>,
    pub level: Level,
    pub region: String,
    pub budget_eur: Option<i64>,
    pub submission_deadline: NaiveDateTime,
    pub contact: String,
    pub proposal_visibility: String,
    pub topic_slugs: Vec<String>,
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
        "" | "private" => "private",
        PUBLIC_AFTER_DEADLINE => PUBLIC_AFTER_DEADLINE,
        _ => {
            e.add("proposal_visibility", "visibility-invalid");
            "private"
        }
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
        proposal_visibility: proposal_visibility.to_string(),
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
    level: &'a str,
    region: &'a str,
    budget_eur: Option<i64>,
    submission_deadline: NaiveDateTime,
    contact: &'a str,
    proposal_visibility: &'a str,
    submission_form_id: Option<i64>,
}

impl ValidChallenge {
    fn row(&self) -> ChallengeRow<'_> {
        ChallengeRow {
            title: &self.title,
            summary: &self.summary,
            description: &self.description,
            language: &self.language,
            eligibility: eligibility_csv(&self.eligibility),
            level: self.level.as_str(),
            region: &self.region,
            budget_eur: self.budget_eur,
            submission_deadline: self.submission_deadline,
            contact: &self.contact,
            proposal_visibility: &self.proposal_visibility,
            submission_form_id: self.submission_form_id,
        }
    }

    /// The form shows the deadline to the minute: a deadline sent back within the minute
    /// of the stored one is the stored one (saving a form unchanged must not move it by
    /// its seconds, which would also count as moving it earlier).
    fn keeping_deadline_of(mut self, current: &Challenge) -> ValidChallenge {
        self.submission_deadline =
            time::keep_within_minute(self.submission_deadline, current.submission_deadline);
        self
    }
}

impl<'a> ChallengeRow<'a> {
    /// The stored challenge in the shape an update writes.
    fn of(c: &'a Challenge) -> ChallengeRow<'a> {
        ChallengeRow {
            title: &c.title,
            summary: &c.summary,
            description: &c.description,
            language: &c.language,
            eligibility: eligibility_csv(&c.eligible_kinds()),
            level: &c.level,
            region: &c.region,
            budget_eur: c.budget_eur,
            submission_deadline: c.submission_deadline,
            contact: &c.contact,
            proposal_visibility: &c.proposal_visibility,
            submission_form_id: c.submission_form_id,
        }
    }
}

/// The kinds as stored, always in the same order (so that equal sets compare equal).
fn eligibility_csv(kinds: &[OrgKind]) -> String {
    OrgKind::ALL
        .iter()
        .filter(|k| kinds.contains(k))
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn unique_slug(conn: &mut DbConnection, title: &str) -> AppResult<String> {
    let base = text::slugify(title);
    let taken: Vec<String> = challenges::table
        .filter(
            challenges::slug
                .eq(&base)
                .or(challenges::slug.like(format!("{base}-%"))),
        )
        .select(challenges::slug)
        .load(conn)?;
    Ok(text::free_slug(&base, &taken))
}

pub fn topic_slugs(conn: &mut DbConnection) -> AppResult<Vec<String>> {
    Ok(topics::table.select(topics::slug).load(conn)?)
}

fn set_topics(conn: &mut DbConnection, challenge_id: i64, slugs: &[String]) -> AppResult<()> {
    diesel::delete(challenge_topics::table.filter(challenge_topics::challenge_id.eq(challenge_id)))
        .execute(conn)?;
    let ids: Vec<i64> = topics::table
        .filter(topics::slug.eq_any(slugs))
        .select(topics::id)
        .load(conn)?;
    for topic_id in ids {
        diesel::insert_into(challenge_topics::table)
            .values((
                challenge_topics::challenge_id.eq(challenge_id),
                challenge_topics::topic_id.eq(topic_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Creates a draft in the agency's name.
pub fn create(
    conn: &mut DbConnection,
    organisation_id: i64,
    author: i64,
    c: &ValidChallenge,
) -> AppResult<Challenge> {
    let now = db::now();
    check_submission_form(conn, organisation_id, c.submission_form_id)?;
    let slug = unique_slug(conn, &c.title)?;
    let created: Challenge = diesel::insert_into(challenges::table)
        .values((
            challenges::slug.eq(slug),
            challenges::organisation_id.eq(organisation_id),
            c.row(),
            challenges::status.eq(Status::Draft.as_str()),
            challenges::created_by.eq(author),
            challenges::created_at.eq(now),
            challenges::updated_at.eq(now),
        ))
        .returning(challenges::all_columns)
        .get_result(conn)?;
    set_topics(conn, created.id, &c.topic_slugs)?;
    Ok(created)
}

/// A form proposals can answer: one of the agency's own, asking for no files (proposals
/// bring their files as attachments).
fn check_submission_form(
    conn: &mut DbConnection,
    organisation_id: i64,
    form_id: Option<i64>,
) -> AppResult<()> {
    let Some(id) = form_id else {
        return Ok(());
    };
    let cur = match crate::domain::forms::current(conn, id) {
        Ok(cur) if cur.form.organisation_id == organisation_id => cur,
        Ok(_) | Err(AppError::NotFound) => {
            return Err(FieldErrors::single(
                "submission_form_id",
                "submission-form-unknown",
            ))
        }
        Err(e) => return Err(e),
    };
    let def = cur.version.definition()?;
    if def
        .fields()
        .any(|f| f.kind == crate::forms::FieldType::File)
    {
        return Err(FieldErrors::single(
            "submission_form_id",
            "submission-form-files",
        ));
    }
    Ok(())
}

/// How many proposals have been submitted (withdrawn ones included: they were made under
/// the rules too).
pub fn submitted_count(conn: &mut DbConnection, challenge_id: i64) -> AppResult<i64> {
    Ok(proposals::table
        .filter(proposals::challenge_id.eq(challenge_id))
        .filter(proposals::status.ne("draft"))
        .count()
        .get_result(conn)?)
}

/// Saves changes; `None` when there were none (nothing is written, so a form saved
/// unchanged leaves no trace). Once proposals were submitted, the rules they were made
/// under stay: eligibility and proposal visibility are locked and the deadline may only
/// move later.
pub fn update(
    conn: &mut DbConnection,
    current: &Challenge,
    c: &ValidChallenge,
) -> AppResult<Option<Challenge>> {
    if matches!(current.status(), Status::Concluded | Status::Archived) {
        return Err(AppError::Conflict {
            message_id: "challenge-finished",
        });
    }
    let c = c.clone().keeping_deadline_of(current);
    let mut topics_now: Vec<String> = topics_of(conn, &[current.id])?
        .remove(&current.id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    let mut topics_sent = c.topic_slugs.clone();
    topics_now.sort();
    topics_sent.sort();
    if c.row() == ChallengeRow::of(current) && topics_now == topics_sent {
        return Ok(None);
    }
    if !policy::blind_review_possible(c.proposal_visibility == PUBLIC_AFTER_DEADLINE)
        && has_blind_stage(conn, current.id)?
    {
        return Err(FieldErrors::single(
            "proposal_visibility",
            "visibility-excludes-blind",
        ));
    }
    if submitted_count(conn, current.id)? > 0 {
        let mut e = FieldErrors::new();
        if eligibility_csv(&c.eligibility) != eligibility_csv(&current.eligible_kinds()) {
            e.add("eligibility", "locked-after-submissions");
        }
        if c.proposal_visibility != current.proposal_visibility {
            e.add("proposal_visibility", "locked-after-submissions");
        }
        if c.submission_deadline < current.submission_deadline {
            e.add("submission_deadline", "deadline-only-later");
        }
        if c.submission_form_id != current.submission_form_id {
            e.add("submission_form_id", "locked-after-submissions");
        }
        e.into_result()?;
    }
    if c.submission_form_id != current.submission_form_id {
        check_submission_form(conn, current.organisation_id, c.submission_form_id)?;
    }
    let updated: Challenge = diesel::update(challenges::table.find(current.id))
        .set((c.row(), challenges::updated_at.eq(db::now())))
        .returning(challenges::all_columns)
        .get_result(conn)?;
    if topics_now != topics_sent {
        set_topics(conn, current.id, &c.topic_slugs)?;
    }
    Ok(Some(updated))
}

/// Whether any stage of the challenge is blind.
fn has_blind_stage(conn: &mut DbConnection, challenge_id: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        stages::table
            .filter(stages::challenge_id.eq(challenge_id))
            .filter(stages::blind.eq(true)),
    ))
    .get_result(conn)?)
}

/// Applies a transition; illegal ones are a 409 with a message naming the status.
pub fn transition(
    conn: &mut DbConnection,
    current: &Challenge,
    t: Transition,
) -> AppResult<Challenge> {
    let next = next_status(current.status(), t).ok_or(AppError::Conflict {
        message_id: "transition-illegal",
    })?;
    if t == Transition::Publish && current.submission_deadline <= db::now() {
        return Err(FieldErrors::single(
            "submission_deadline",
            "deadline-in-past",
        ));
    }
    let now = db::now();
    let published_at = if t == Transition::Publish {
        Some(now)
    } else {
        current.published_at
    };
    diesel::update(
        challenges::table
            .find(current.id)
            .filter(challenges::status.eq(&current.status)),
    )
    .set((
        challenges::status.eq(next.as_str()),
        challenges::published_at.eq(published_at),
        challenges::updated_at.eq(now),
    ))
    .returning(challenges::all_columns)
    .get_result::<Challenge>(conn)
    .optional()?
    // Someone else moved it first.
    .ok_or(AppError::Conflict {
        message_id: "transition-illegal",
    })
}

/// The facts the policy needs about `c` for the given user.
pub fn facts(
    conn: &mut DbConnection,
    c: &Challenge,
    user_id: Option<i64>,
) -> AppResult<ChallengeFacts> {
    Ok(ChallengeFacts {
        id: c.id,
        published: c.status().is_published(),
        agency: crate::domain::organisations::facts_by_id(conn, c.organisation_id, user_id)?,
    })
}

/// Sets slug and status directly, outside the state machine: only for seed data, which
/// names its challenges and describes them at every point of their life.
pub fn seed_finish(
    conn: &mut DbConnection,
    id: i64,
    slug: &str,
    status: Status,
    published_at: Option<NaiveDateTime>,
) -> AppResult<()> {
    diesel::update(challenges::table.find(id))
        .set((
            challenges::slug.eq(slug),
            challenges::status.eq(status.as_str()),
            challenges::published_at.eq(published_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Challenge> {
    challenges::table
        .find(id)
        .select(Challenge::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> AppResult<Challenge> {
    if !text::is_slug(slug) {
        return Err(AppError::NotFound);
    }
    challenges::table
        .filter(challenges::slug.eq(slug))
        .select(Challenge::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct TopicRef {
    pub slug: String,
    pub name_de: String,
    pub name_en: String,
}

/// The topics of several challenges in one query.
pub fn topics_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<HashMap<i64, Vec<TopicRef>>> {
    let rows: Vec<(i64, TopicRef)> = challenge_topics::table
        .inner_join(topics::table)
        .filter(challenge_topics::challenge_id.eq_any(ids))
        .order(topics::name_de.asc())
        .select((
            challenge_topics::challenge_id,
            (topics::slug, topics::name_de, topics::name_en),
        ))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<TopicRef>> = HashMap::new();
    for (id, t) in rows {
        map.entry(id).or_default().push(t);
    }
    Ok(map)
}

/// Filters of the public list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    pub status: Option<String>,
    pub topic: Option<String>,
    pub organisation_id: Option<i64>,
    pub level: Option<String>,
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
    pub challenge: Challenge,
    pub agency_name: String,
    pub agency_slug: String,
    pub topics: Vec<TopicRef>,
}

/// The published challenges matching the filter, plus, for `include_drafts_of`, the
/// drafts of those organisations. Three statements whatever the page size.
pub fn list(
    conn: &mut DbConnection,
    f: &ListFilter,
    include_drafts_of: &[i64],
    page: Page,
) -> AppResult<Paged<ListItem>> {
    let now = db::now();
    let status = f.status.as_deref().and_then(Status::parse);
    let level = f.level.as_deref().and_then(Level::parse);
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
                Some(Status::Draft) => q
                    .filter(challenges::status.eq("draft"))
                    .filter(challenges::organisation_id.eq_any(drafts.clone())),
                Some(s) => q.filter(challenges::status.eq(s.as_str())),
                None if drafts.is_empty() => {
                    q.filter(challenges::status.eq_any(Status::PUBLIC.map(Status::as_str)))
                }
                None => q.filter(
                    challenges::status
                        .ne("draft")
                        .or(challenges::organisation_id.eq_any(drafts.clone())),
                ),
            };
            if let Some(l) = level {
                q = q.filter(challenges::level.eq(l.as_str()));
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
                    .filter(challenges::status.eq("open"))
                    .filter(challenges::submission_deadline.gt(now))
                    .filter(challenges::submission_deadline.le(now + Duration::days(SOON_DAYS)));
            }
            if let Some(ids) = &f.ids {
                q = q.filter(challenges::id.eq_any(ids.clone()));
            }
            q
        }};
    }
    let total: i64 = filtered!(challenges::table.into_boxed())
        .count()
        .get_result(conn)?;
    let joined = || {
        filtered!(challenges::table
            .inner_join(organisations::table)
            .into_boxed())
    };
    let ordered = match f.sort.as_deref() {
        Some("newest") => joined().order((challenges::published_at.desc(), challenges::id.desc())),
        Some("title") => joined().order((challenges::title.asc(), challenges::id.asc())),
        _ => joined().order((challenges::submission_deadline.asc(), challenges::id.asc())),
    };
    let rows: Vec<(Challenge, String, String)> = ordered
        .limit(page.per_page)
        .offset(page.offset())
        .select((
            Challenge::as_select(),
            organisations::name,
            organisations::slug,
        ))
        .load(conn)?;
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

/// The agencies visitors can filter the list by: those with a published challenge, as
/// (slug, name) by name. Only the two columns, since the list page shows them all.
pub fn publishing_agencies(conn: &mut DbConnection) -> AppResult<Vec<(String, String)>> {
    // EXISTS per agency rather than IN over the challenges: a few hundred index lookups
    // instead of walking every published challenge.
    let publishing = challenges::table
        .filter(challenges::organisation_id.eq(organisations::id))
        .filter(challenges::status.eq_any(Status::PUBLIC.map(Status::as_str)));
    Ok(organisations::table
        .filter(organisations::kind.eq(OrgKind::Agency.as_str()))
        .filter(diesel::dsl::exists(publishing))
        .order((organisations::name.asc(), organisations::id.asc()))
        .select((organisations::slug, organisations::name))
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = criteria)]
pub struct Criterion {
    pub id: i64,
    #[serde(skip)]
    pub stage_id: i64,
    #[serde(skip)]
    pub position: i64,
    pub name: String,
    pub description: String,
    pub weight: f64,
    pub scale_min: i64,
    pub scale_max: i64,
    pub comment_required: bool,
    /// The words of the scale points, lowest first (empty: numbers only).
    #[serde(serialize_with = "lines_as_list")]
    #[schema(value_type = Vec<String>)]
    pub labels: String,
}

impl Criterion {
    /// Each point of the scale with its word, if the rubric gives words.
    pub fn points(&self) -> Vec<(i64, Option<String>)> {
        let words: Vec<&str> = self.labels.lines().collect();
        (self.scale_min..=self.scale_max)
            .enumerate()
            .map(|(i, v)| (v, words.get(i).map(|w| w.to_string())))
            .collect()
    }
}

fn lines_as_list<S: serde::Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(text.lines())
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = stages)]
pub struct StageRow {
    pub id: i64,
    pub challenge_id: i64,
    pub position: i64,
    pub name: String,
    pub kind: String,
    pub reviewers_per_proposal: i64,
    pub blind: bool,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    /// `planned`, `running` or `released` (see `evaluation::workflow`).
    pub status: String,
    pub released_at: Option<NaiveDateTime>,
    /// Whether the teams see their scores with the outcome.
    pub scores_released: bool,
}

impl StageRow {
    pub fn status(&self) -> StageStatus {
        match self.status.as_str() {
            "running" => StageStatus::Running,
            "released" => StageStatus::Released,
            _ => StageStatus::Planned,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    #[serde(flatten)]
    pub stage: StageRow,
    pub criteria: Vec<Criterion>,
}

/// A stage as the agency defines it (docs/API.md's `PUT /challenges/{id}/stages`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StageInput {
    pub name: String,
    /// `review` (default) or `eligibility` (a yes/no checklist).
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default = "default_reviewers")]
    pub reviewers_per_proposal: i64,
    #[serde(default)]
    pub blind: bool,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// `criterion` is the name the seed files use, one `[[...criterion]]` table each.
    #[serde(default, alias = "criterion")]
    pub criteria: Vec<CriterionInput>,
}

fn default_reviewers() -> i64 {
    2
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CriterionInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_weight")]
    pub weight: f64,
    #[serde(default)]
    pub scale_min: Option<i64>,
    #[serde(default)]
    pub scale_max: Option<i64>,
    #[serde(default)]
    pub comment_required: bool,
    /// Words for the scale points, lowest first: none, or one per point.
    #[serde(default)]
    pub labels: Vec<String>,
}

fn default_weight() -> f64 {
    1.0
}

/// Scale words as typed: trimmed, without line breaks, empty ones dropped.
fn clean_labels(labels: &[String]) -> Vec<String> {
    labels
        .iter()
        .map(|l| text::clean(l).replace(['\n', '\r'], " ").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The stages with their criteria, in one statement.
pub fn stages_of(conn: &mut DbConnection, challenge_id: i64) -> AppResult<Vec<Stage>> {
    let rows: Vec<(StageRow, Option<Criterion>)> = stages::table
        .left_join(criteria::table)
        .filter(stages::challenge_id.eq(challenge_id))
        .order((stages::position.asc(), criteria::position.asc()))
        .select((StageRow::as_select(), Option::<Criterion>::as_select()))
        .load(conn)?;
    let mut out: Vec<Stage> = Vec::new();
    for (stage, criterion) in rows {
        if out.last().is_none_or(|s| s.stage.id != stage.id) {
            out.push(Stage {
                stage,
                criteria: Vec::new(),
            });
        }
        if let (Some(c), Some(last)) = (criterion, out.last_mut()) {
            last.criteria.push(c);
        }
    }
    Ok(out)
}

/// Replaces the stages while no evaluation has started. Field paths in errors name the
/// stage and criterion (`stages[1].criteria[0].weight`).
pub fn replace_stages(
    conn: &mut DbConnection,
    challenge: &Challenge,
    input: &[StageInput],
) -> AppResult<Vec<Stage>> {
    if matches!(
        challenge.status(),
        Status::Evaluating | Status::Concluded | Status::Archived
    ) {
        return Err(AppError::Conflict {
            message_id: "stages-locked",
        });
    }
    let mut e = FieldErrors::new();
    if input.len() > 10 {
        e.add("stages", "too-many");
    }
    let blind_possible =
        policy::blind_review_possible(challenge.proposal_visibility == PUBLIC_AFTER_DEADLINE);
    for (i, s) in input.iter().enumerate() {
        let p = format!("stages[{i}]");
        text::required_text(&s.name, &format!("{p}.name"), 120, &mut e);
        if s.blind && !blind_possible {
            e.add(&format!("{p}.blind"), "blind-needs-private-proposals");
        }
        if !matches!(
            s.kind.as_deref().unwrap_or("review"),
            "review" | "eligibility"
        ) {
            e.add(&format!("{p}.kind"), "stage-kind-invalid");
        }
        if !(1..=20).contains(&s.reviewers_per_proposal) {
            e.add(&format!("{p}.reviewers_per_proposal"), "reviewers-invalid");
        }
        for (field, raw) in [("starts_at", &s.starts_at), ("ends_at", &s.ends_at)] {
            if let Some(r) = raw.as_deref().filter(|r| !r.trim().is_empty()) {
                if time::parse_deadline(r).is_none() {
                    e.add(&format!("{p}.{field}"), "deadline-invalid");
                }
            }
        }
        if s.criteria.len() > 30 {
            e.add(&format!("{p}.criteria"), "too-many");
        }
        for (j, c) in s.criteria.iter().enumerate() {
            let cp = format!("{p}.criteria[{j}]");
            text::required_text(&c.name, &format!("{cp}.name"), 200, &mut e);
            text::optional_text(
                Some(&c.description),
                &format!("{cp}.description"),
                2000,
                &mut e,
            );
            if !(c.weight.is_finite() && c.weight > 0.0 && c.weight <= 1000.0) {
                e.add(&format!("{cp}.weight"), "weight-invalid");
            }
            let (min, max) = (c.scale_min.unwrap_or(1), c.scale_max.unwrap_or(5));
            if min < 0 || max > 100 || min >= max {
                e.add(&format!("{cp}.scale_max"), "scale-invalid");
            }
            let labels = clean_labels(&c.labels);
            // Only counted on a valid scale: absurd bounds must not overflow.
            let points = match s.kind.as_deref() {
                Some("eligibility") => 2,
                _ if (0..=100).contains(&min) && (0..=100).contains(&max) => max - min + 1,
                _ => -1,
            };
            if !labels.is_empty() && points > 0 && labels.len() as i64 != points {
                e.add(&format!("{cp}.labels"), "labels-count");
            } else if labels.iter().any(|l| l.chars().count() > 60) {
                e.add(&format!("{cp}.labels"), "field-too-long");
            }
        }
    }
    e.into_result()?;
    let old: Vec<i64> = stages::table
        .filter(stages::challenge_id.eq(challenge.id))
        .select(stages::id)
        .load(conn)?;
    diesel::delete(criteria::table.filter(criteria::stage_id.eq_any(&old))).execute(conn)?;
    diesel::delete(stages::table.filter(stages::challenge_id.eq(challenge.id))).execute(conn)?;
    for (i, s) in input.iter().enumerate() {
        let parse = |r: &Option<String>| r.as_deref().and_then(time::parse_deadline);
        let stage_id: i64 = diesel::insert_into(stages::table)
            .values((
                stages::challenge_id.eq(challenge.id),
                stages::position.eq(i as i64),
                stages::name.eq(text::clean(&s.name).trim()),
                stages::kind.eq(s.kind.as_deref().unwrap_or("review")),
                stages::reviewers_per_proposal.eq(s.reviewers_per_proposal),
                stages::blind.eq(s.blind),
                stages::starts_at.eq(parse(&s.starts_at)),
                stages::ends_at.eq(parse(&s.ends_at)),
            ))
            .returning(stages::id)
            .get_result(conn)?;
        let eligibility = s.kind.as_deref() == Some("eligibility");
        for (j, c) in s.criteria.iter().enumerate() {
            // An eligibility check is answered yes (1) or no (0), whatever was typed.
            let scale = if eligibility {
                (0, 1)
            } else {
                (c.scale_min.unwrap_or(1), c.scale_max.unwrap_or(5))
            };
            diesel::insert_into(criteria::table)
                .values((
                    criteria::stage_id.eq(stage_id),
                    criteria::position.eq(j as i64),
                    criteria::name.eq(text::clean(&c.name).trim()),
                    criteria::description.eq(text::clean(&c.description).trim()),
                    criteria::weight.eq(c.weight),
                    criteria::scale_min.eq(scale.0),
                    criteria::scale_max.eq(scale.1),
                    criteria::comment_required.eq(c.comment_required),
                    criteria::labels.eq(clean_labels(&c.labels).join("\n")),
                ))
                .execute(conn)?;
        }
    }
    stages_of(conn, challenge.id)
}

pub fn is_following(conn: &mut DbConnection, user_id: i64, challenge_id: i64) -> AppResult<bool> {
    Ok(follows::table
        .filter(follows::user_id.eq(user_id))
        .filter(follows::challenge_id.eq(challenge_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn set_following(
    conn: &mut DbConnection,
    user_id: i64,
    challenge_id: i64,
    follow: bool,
) -> AppResult<()> {
    diesel::delete(
        follows::table
            .filter(follows::user_id.eq(user_id))
            .filter(follows::challenge_id.eq(challenge_id)),
    )
    .execute(conn)?;
    if follow {
        diesel::insert_into(follows::table)
            .values((
                follows::user_id.eq(user_id),
                follows::challenge_id.eq(challenge_id),
                follows::created_at.eq(db::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Tells the followers of every open challenge whose deadline is within `within` that it
/// is near, once per challenge; returns how many challenges were announced.
pub fn remind_deadlines(conn: &mut DbConnection, within: Duration) -> AppResult<usize> {
    use crate::db::schema::challenge_reminders;
    let now = db::now();
    let due: Vec<Challenge> = challenges::table
        .filter(challenges::status.eq(Status::Open.as_str()))
        .filter(challenges::submission_deadline.gt(now))
        .filter(challenges::submission_deadline.le(now + within))
        .filter(
            challenges::id
                .ne_all(challenge_reminders::table.select(challenge_reminders::challenge_id)),
        )
        .limit(500)
        .select(Challenge::as_select())
        .load(conn)?;
    for c in &due {
        diesel::insert_into(challenge_reminders::table)
            .values((
                challenge_reminders::challenge_id.eq(c.id),
                challenge_reminders::sent_at.eq(now),
            ))
            .execute(conn)?;
        let to = followers(conn, c.id)?;
        crate::domain::notifications::notify(
            conn,
            &to,
            "notify-deadline-near",
            &format!("/challenges/{}", c.slug),
            &c.title,
        )?;
    }
    Ok(due.len())
}

pub fn followers(conn: &mut DbConnection, challenge_id: i64) -> AppResult<Vec<i64>> {
    Ok(follows::table
        .filter(follows::challenge_id.eq(challenge_id))
        .select(follows::user_id)
        .load(conn)?)
}

/// A challenge as a dashboard row shows it (no texts: the rows are many and short).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = challenges)]
pub struct ChallengeLine {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub submission_deadline: NaiveDateTime,
}

/// The agency's challenges with counts for its dashboard: (challenge, drafts,
/// submitted, open questions). Three statements.
pub fn dashboard(
    conn: &mut DbConnection,
    user_id: i64,
) -> AppResult<Vec<(ChallengeLine, i64, i64, i64)>> {
    use crate::db::schema::questions;
    use crate::domain::organisations::ids_of_member;
    let list: Vec<ChallengeLine> = challenges::table
        .filter(challenges::organisation_id.eq_any(ids_of_member(user_id)))
        .order(challenges::updated_at.desc())
        .limit(100)
        .select(ChallengeLine::as_select())
        .load(conn)?;
    let counts: Vec<(i64, String, i64)> = proposals::table
        .inner_join(challenges::table)
        .filter(challenges::organisation_id.eq_any(ids_of_member(user_id)))
        .group_by((proposals::challenge_id, proposals::status))
        .select((
            proposals::challenge_id,
            proposals::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    // Driven from the challenges (a subquery, not a join): joined, SQLite walks every
    // question in challenge order to group them.
    let theirs = challenges::table
        .filter(challenges::organisation_id.eq_any(ids_of_member(user_id)))
        .select(challenges::id);
    let waiting: Vec<(i64, i64)> = questions::table
        .filter(questions::challenge_id.eq_any(theirs))
        .filter(questions::status.eq("open"))
        .filter(questions::hidden_at.is_null())
        .group_by(questions::challenge_id)
        .select((questions::challenge_id, diesel::dsl::count_star()))
        .load(conn)?;
    let count = |id: i64, st: &str| {
        counts
            .iter()
            .find(|(c, s, _)| *c == id && s == st)
            .map_or(0, |x| x.2)
    };
    Ok(list
        .into_iter()
        .map(|c| {
            let q = waiting
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or(0, |x| x.1);
            let (d, s) = (count(c.id, "draft"), count(c.id, "submitted"));
            (c, d, s, q)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_moves_one_way() {
        use Status::*;
        use Transition::*;
        assert_eq!(next_status(Draft, Publish), Some(Open));
        assert_eq!(next_status(Open, Close), Some(Closed));
        assert_eq!(next_status(Closed, StartEvaluation), Some(Evaluating));
        assert_eq!(next_status(Evaluating, Conclude), Some(Concluded));
        assert_eq!(next_status(Concluded, Archive), Some(Archived));
        for (from, t) in [
            (Open, Publish),
            (Draft, Close),
            (Open, Conclude),
            (Archived, Publish),
            (Draft, Archive),
            (Evaluating, Archive),
            (Concluded, Publish),
        ] {
            assert_eq!(next_status(from, t), None, "{from:?} {t:?}");
        }
        assert_eq!(transitions_from(Draft), vec![Publish]);
        assert!(transitions_from(Archived).is_empty());
    }

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
