//! Pilots: a proposal team runs one of its forms at a public link (`/p/{slug}`) for test
//! users without an account, as a multi-step web form or as a guided assistant.
//!
//! - this module: the pilot itself (settings, when it is open);
//! - [`runs`]: one test user's way through a pilot, step by step, and the sending;
//! - [`metrics`]: starts, completions, time, drop-off, errors and ratings;
//! - [`webhooks`]: signed delivery of each submission into the team's systems;
//! - [`retention`]: answers deleted after the pilot's retention period.

pub mod metrics;
pub mod retention;
pub mod runs;
pub mod webhooks;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{forms, pilots};
use crate::db::DbConnection;
use crate::domain::proposals::Proposal;
use crate::domain::time;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::PilotMode;
use crate::text;

/// A pilot: one of the team's forms published at `/p/{slug}` for test users, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = pilots)]
pub struct Pilot {
    /// Row id.
    pub id: i64,
    /// The proposal whose team runs it.
    pub proposal_id: i64,
    /// The form it runs (one of the team's); fixed once published.
    pub form_id: i64,
    /// The address part after `/p/`; unique and fixed once published.
    pub slug: String,
    /// Multi-step web form or guided assistant; fixed once published.
    pub mode: PilotMode,
    /// The title test users see, at most 200 characters.
    pub title: String,
    /// The introduction on the start page; may be empty.
    pub intro: String,
    /// What test users agree to before they start.
    pub consent_text: String,
    /// Runs may start from then (UTC); `None`: open from publishing.
    pub opens_at: Option<NaiveDateTime>,
    /// Runs may start and send until then (UTC); `None`: no end.
    pub closes_at: Option<NaiveDateTime>,
    /// Days the answers are kept after sending, 1 to 3650.
    pub retention_days: i64,
    /// Who published it; `None` once their account is deleted.
    pub created_by: Option<i64>,
    /// When it was published.
    pub created_at: NaiveDateTime,
    /// When its settings last changed.
    pub updated_at: NaiveDateTime,
}

/// Whether test users can run the pilot now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Its opening date is still ahead.
    NotYetOpen,
    /// Test users may start and send.
    Open,
    /// Its closing date has passed.
    Closed,
}

impl Pilot {
    /// Whether the pilot is open at `now`; the closing moment itself counts as closed.
    pub fn availability(&self, now: NaiveDateTime) -> Availability {
        if self.opens_at.is_some_and(|o| now < o) {
            Availability::NotYetOpen
        } else if self.closes_at.is_some_and(|c| now >= c) {
            Availability::Closed
        } else {
            Availability::Open
        }
    }

    /// Refuses (409) unless the pilot is open: a run cannot start or send outside its dates.
    pub fn ensure_open(&self, now: NaiveDateTime) -> AppResult<()> {
        match self.availability(now) {
            Availability::Open => Ok(()),
            Availability::NotYetOpen => Err(AppError::Conflict {
                message_id: "pilot-not-open",
            }),
            Availability::Closed => Err(AppError::Conflict {
                message_id: "pilot-closed",
            }),
        }
    }

    /// The pilot's public address, `/p/{slug}`.
    pub fn public_path(&self) -> String {
        format!("/p/{}", self.slug)
    }
}

/// A pilot's settings as typed (page) or sent (API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PilotInput {
    /// The team's form to run; required, and fixed once published.
    pub form_id: Option<i64>,
    /// `web` (default) or `assistant`; fixed once published.
    pub mode: Option<String>,
    /// The title, required, at most 200 characters.
    pub title: Option<String>,
    /// The introduction, optional, at most 5000 characters.
    pub intro: Option<String>,
    /// What test users agree to, required, at most 5000 characters.
    pub consent_text: Option<String>,
    /// The opening date, Berlin local time or RFC 3339; empty for none.
    pub opens_at: Option<String>,
    /// The closing date, read like `opens_at`; must lie after it.
    pub closes_at: Option<String>,
    /// Days to keep the answers, 1 to 3650 (default `DEFAULT_RETENTION_DAYS`).
    pub retention_days: Option<i64>,
    /// The address part after `/p/`; made from the title when not given.
    pub slug: Option<String>,
}

/// How long a pilot keeps its answers unless the team chooses otherwise, in days.
pub const DEFAULT_RETENTION_DAYS: i64 = 90;

struct Valid {
    form_id: i64,
    mode: PilotMode,
    settings: Settings,
}

/// The columns that may change after publishing, written alike by create and update
/// (an open or closing date cleared is written as NULL).
#[derive(Insertable, AsChangeset, PartialEq)]
#[diesel(table_name = pilots, treat_none_as_null = true)]
struct Settings {
    title: String,
    intro: String,
    consent_text: String,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    retention_days: i64,
}

impl Settings {
    /// These settings as a change of `p`: texts and times that say what `p` already
    /// holds (a time within the same minute, a text but for whitespace a form cannot
    /// show) are `p`'s own, so sending a form back unchanged compares equal.
    fn against(mut self, p: &Pilot) -> Settings {
        for (typed, stored) in [
            (&mut self.title, &p.title),
            (&mut self.intro, &p.intro),
            (&mut self.consent_text, &p.consent_text),
        ] {
            if text::same_text(stored, typed) {
                typed.clone_from(stored);
            }
        }
        let keep = |sent: Option<NaiveDateTime>, stored: Option<NaiveDateTime>| match (sent, stored)
        {
            (Some(sent), Some(stored)) => Some(time::keep_within_minute(sent, stored)),
            (sent, _) => sent,
        };
        self.opens_at = keep(self.opens_at, p.opens_at);
        self.closes_at = keep(self.closes_at, p.closes_at);
        self
    }

    fn of(p: &Pilot) -> Settings {
        Settings {
            title: p.title.clone(),
            intro: p.intro.clone(),
            consent_text: p.consent_text.clone(),
            opens_at: p.opens_at,
            closes_at: p.closes_at,
            retention_days: p.retention_days,
        }
    }
}

/// Checks the settings; the form must belong to the proposal's organisation.
fn validate(conn: &mut DbConnection, proposal: &Proposal, input: &PilotInput) -> AppResult<Valid> {
    let mut e = FieldErrors::new();
    let form_org: Option<i64> = match input.form_id {
        Some(id) => forms::table
            .find(id)
            .select(forms::organisation_id)
            .first(conn)
            .optional()?,
        None => None,
    };
    if form_org != Some(proposal.organisation_id) {
        e.add("form_id", "pilot-form-unknown");
    }
    let mode = PilotMode::parse(input.mode.as_deref().unwrap_or("web"));
    if mode.is_none() {
        e.add("mode", "pilot-mode-invalid");
    }
    let title = text::required_text(input.title.as_deref().unwrap_or(""), "title", 200, &mut e);
    let intro =
        text::optional_text(input.intro.as_deref(), "intro", 5000, &mut e).unwrap_or_default();
    let consent_text = text::required_text(
        input.consent_text.as_deref().unwrap_or(""),
        "consent_text",
        5000,
        &mut e,
    );
    let mut date = |field: &str, raw: &Option<String>| match raw
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(r) => {
            let t = time::parse_deadline(r);
            if t.is_none() {
                e.add(field, "deadline-invalid");
            }
            t
        }
    };
    let opens_at = date("opens_at", &input.opens_at);
    let closes_at = date("closes_at", &input.closes_at);
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        if c <= o {
            e.add("closes_at", "pilot-closes-before-opening");
        }
    }
    let retention_days = input.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS);
    if !(1..=3650).contains(&retention_days) {
        e.add("retention_days", "pilot-retention-invalid");
    }
    e.into_result()?;
    Ok(Valid {
        form_id: input.form_id.unwrap_or_default(),
        mode: mode.unwrap_or(PilotMode::Web),
        settings: Settings {
            title,
            intro,
            consent_text,
            opens_at,
            closes_at,
            retention_days,
        },
    })
}

/// Publishes a form of the proposal's team as a pilot under a fresh slug.
pub fn create(
    conn: &mut DbConnection,
    proposal: &Proposal,
    input: &PilotInput,
    by: i64,
    now: NaiveDateTime,
) -> AppResult<Pilot> {
    let v = validate(conn, proposal, input)?;
    if input.slug.as_deref().is_some_and(|s| !text::is_slug(s)) {
        return Err(FieldErrors::single("slug", "pilot-slug-invalid"));
    }
    let base = input
        .slug
        .clone()
        .unwrap_or_else(|| text::slugify(&v.settings.title));
    let base = if base.is_empty() {
        "pilot".to_string()
    } else {
        base
    };
    let taken: Vec<String> = pilots::table
        .filter(pilots::slug.like(format!("{base}%")))
        .select(pilots::slug)
        .load(conn)?;
    let slug = text::free_slug(&base, &taken);
    let id: i64 = diesel::insert_into(pilots::table)
        .values((
            &v.settings,
            pilots::proposal_id.eq(proposal.id),
            pilots::form_id.eq(v.form_id),
            pilots::slug.eq(&slug),
            pilots::mode.eq(v.mode),
            pilots::created_by.eq(by),
            pilots::created_at.eq(now),
            pilots::updated_at.eq(now),
        ))
        .returning(pilots::id)
        .get_result(conn)?;
    find(conn, id)
}

/// Changes a published pilot's texts, dates and retention period; `None` when nothing
/// changed (then nothing is written). Its form, mode and address stay: test users hold
/// links to it, and its runs answer that form.
pub fn update(
    conn: &mut DbConnection,
    pilot: &Pilot,
    proposal: &Proposal,
    input: &PilotInput,
    now: NaiveDateTime,
) -> AppResult<Option<Pilot>> {
    let input = PilotInput {
        form_id: Some(pilot.form_id),
        mode: Some(pilot.mode.to_string()),
        ..input.clone()
    };
    let settings = validate(conn, proposal, &input)?.settings.against(pilot);
    if settings == Settings::of(pilot) {
        return Ok(None);
    }
    diesel::update(pilots::table.find(pilot.id))
        .set((&settings, pilots::updated_at.eq(now)))
        .execute(conn)?;
    find(conn, pilot.id).map(Some)
}

impl PilotInput {
    /// The pilot's current settings, as a change starts from them.
    pub fn of(p: &Pilot) -> PilotInput {
        let date = |d: Option<NaiveDateTime>| d.map(|d| d.and_utc().to_rfc3339());
        PilotInput {
            form_id: Some(p.form_id),
            mode: Some(p.mode.to_string()),
            title: Some(p.title.clone()),
            intro: Some(p.intro.clone()),
            consent_text: Some(p.consent_text.clone()),
            opens_at: date(p.opens_at),
            closes_at: date(p.closes_at),
            retention_days: Some(p.retention_days),
            slug: Some(p.slug.clone()),
        }
    }
}

/// The pilot with this id; not found (404) if there is none.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Pilot> {
    pilots::table
        .find(id)
        .select(Pilot::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A pilot with its proposal and that proposal's challenge, in one statement.
pub fn with_proposal(
    conn: &mut DbConnection,
    id: i64,
) -> AppResult<(
    Pilot,
    crate::domain::proposals::Proposal,
    crate::domain::challenges::Challenge,
)> {
    use crate::db::schema::{challenges, proposals};
    pilots::table
        .inner_join(proposals::table.inner_join(challenges::table))
        .filter(pilots::id.eq(id))
        .select((
            Pilot::as_select(),
            crate::domain::proposals::Proposal::as_select(),
            crate::domain::challenges::Challenge::as_select(),
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The pilot at `/p/{slug}`; not found (404) if there is none.
pub fn by_slug(conn: &mut DbConnection, slug: &str) -> AppResult<Pilot> {
    pilots::table
        .filter(pilots::slug.eq(slug))
        .select(Pilot::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The proposal's pilots, oldest first (at most 100).
pub fn of_proposal(conn: &mut DbConnection, proposal_id: i64) -> AppResult<Vec<Pilot>> {
    Ok(pilots::table
        .filter(pilots::proposal_id.eq(proposal_id))
        .order(pilots::id.asc())
        .select(Pilot::as_select())
        .limit(100)
        .load(conn)?)
}
