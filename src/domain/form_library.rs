//! Stored forms: an organisation's form definitions in numbered versions.
//!
//! A version that has answers (a proposal that answered it, or a pilot run started on it)
//! is never changed: saving then writes the next version, and the answers keep pointing at
//! the version they answered. A version without answers is simply overwritten, so a form
//! being built does not pile up versions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{challenges, form_versions, forms, pilot_runs, pilots, proposals};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::FormDefinition;
use crate::text;

/// A stored form of an organisation, as in `forms`; its content lives in its versions.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = forms)]
pub struct Form {
    /// Primary key.
    pub id: i64,
    /// The organisation that owns the form and may edit it.
    pub organisation_id: i64,
    /// The name in the organisation's list (at most 200 characters); the definition's German
    /// title when none was given.
    pub title: String,
    /// Who created it; `None` once that account is deleted.
    pub created_by: Option<i64>,
    /// When it was created (UTC).
    pub created_at: NaiveDateTime,
    /// When it was last saved (UTC); part of the edit stamp.
    pub updated_at: NaiveDateTime,
}

/// One numbered version of a form's definition, as in `form_versions`.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = form_versions)]
pub struct FormVersion {
    /// Primary key; what proposals and pilot runs point at.
    pub id: i64,
    /// The form this is a version of.
    pub form_id: i64,
    /// The version number within the form, from 1.
    pub version: i64,
    /// The definition as JSON text; read it with `definition` or `shared_definition`.
    pub definition: String,
    /// Who last wrote this version; `None` once that account is deleted.
    pub created_by: Option<i64>,
    /// When this version was last written (UTC): overwritten while it has no answers.
    pub created_at: NaiveDateTime,
}

impl FormVersion {
    /// The definition; stored versions were checked when they were saved.
    pub fn definition(&self) -> AppResult<FormDefinition> {
        FormDefinition::from_json_str(&self.definition).map_err(|_| {
            AppError::internal(format!("stored form version {} does not read", self.id))
        })
    }

    /// The definition as every pilot step and receipt reads it: read and its patterns
    /// compiled once per version, then shared. A version without answers may still be
    /// overwritten, so an entry serves only the exact text it was read from; a changed
    /// text reads afresh and takes the entry's place.
    pub fn shared_definition(&self) -> AppResult<Arc<FormDefinition>> {
        let cache = DEFINITIONS.get_or_init(Default::default);
        let hit = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&self.id)
            .filter(|(text, _)| *text == self.definition)
            .map(|(_, def)| def.clone());
        if let Some(def) = hit {
            return Ok(def);
        }
        // Read outside the lock: other steps go on meanwhile.
        let def = Arc::new(self.definition()?);
        let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHED_DEFINITIONS && !cache.contains_key(&self.id) {
            // Any entry will do: the versions in use come back at their next step.
            if let Some(old) = cache.keys().next().copied() {
                cache.remove(&old);
            }
        }
        cache.insert(self.id, (self.definition.clone(), def.clone()));
        Ok(def)
    }
}

/// Definitions kept read, by version id: more than the pilots running at one time on
/// one platform, and small enough that even definitions at the regex budget's limit
/// (see `forms::definition`) stay within a few hundred megabytes.
const CACHED_DEFINITIONS: usize = 128;

type DefinitionCache = Mutex<HashMap<i64, (String, Arc<FormDefinition>)>>;

static DEFINITIONS: OnceLock<DefinitionCache> = OnceLock::new();

/// A form with its latest version, as lists and editors show it.
#[derive(Debug, Clone, Serialize)]
pub struct Current {
    /// The form.
    pub form: Form,
    /// Its latest version.
    pub version: FormVersion,
}

impl Current {
    /// Changes whenever the form is saved: editors send it back, so that a change made
    /// meanwhile by someone else is noticed instead of overwritten.
    pub fn stamp(&self) -> String {
        format!(
            "{}.{}",
            self.version.id,
            self.form.updated_at.and_utc().timestamp_micros()
        )
    }
}

const MAX_TITLE: usize = 200;

fn title_of(raw: &str, def: &FormDefinition) -> AppResult<String> {
    let raw = if raw.trim().is_empty() {
        def.title.de.as_str()
    } else {
        raw
    };
    let mut e = FieldErrors::new();
    let title = text::required_text(raw, "title", MAX_TITLE, &mut e);
    e.into_result()?;
    Ok(title)
}

/// Creates a form with its first version.
pub fn create(
    conn: &mut DbConnection,
    organisation_id: i64,
    title: &str,
    def: &FormDefinition,
    by: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<Current> {
    let title = title_of(title, def)?;
    let id: i64 = diesel::insert_into(forms::table)
        .values((
            forms::organisation_id.eq(organisation_id),
            forms::title.eq(&title),
            forms::created_by.eq(by),
            forms::created_at.eq(now),
            forms::updated_at.eq(now),
        ))
        .returning(forms::id)
        .get_result(conn)?;
    insert_version(conn, id, 1, def, by, now)?;
    current(conn, id)
}

fn insert_version(
    conn: &mut DbConnection,
    form_id: i64,
    version: i64,
    def: &FormDefinition,
    by: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(form_versions::table)
        .values((
            form_versions::form_id.eq(form_id),
            form_versions::version.eq(version),
            form_versions::definition.eq(def.to_json().to_string()),
            form_versions::created_by.eq(by),
            form_versions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The form and its latest version in one statement.
pub fn current(conn: &mut DbConnection, form_id: i64) -> AppResult<Current> {
    let (form, version) = forms::table
        .inner_join(form_versions::table)
        .filter(forms::id.eq(form_id))
        .order(form_versions::version.desc())
        .select((Form::as_select(), FormVersion::as_select()))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(Current { form, version })
}

/// The form version with this id, whichever form it belongs to, or `NotFound`.
pub fn version(conn: &mut DbConnection, version_id: i64) -> AppResult<FormVersion> {
    form_versions::table
        .find(version_id)
        .select(FormVersion::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Whether anyone has answered the version: a proposal's answers or a pilot run.
pub fn has_answers(conn: &mut DbConnection, version_id: i64) -> AppResult<bool> {
    let by_proposal = diesel::select(diesel::dsl::exists(
        proposals::table
            .filter(proposals::form_version_id.eq(version_id))
            .filter(proposals::answers.ne("{}")),
    ));
    let by_run = diesel::select(diesel::dsl::exists(
        pilot_runs::table.filter(pilot_runs::form_version_id.eq(version_id)),
    ));
    Ok(by_proposal.get_result(conn)? || by_run.get_result(conn)?)
}

/// Saves a new definition (and title): over the latest version while it has no answers,
/// as the next version once it has. Returns the version now current.
pub fn save(
    conn: &mut DbConnection,
    form_id: i64,
    title: Option<&str>,
    def: &FormDefinition,
    by: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<Current> {
    let cur = current(conn, form_id)?;
    let title = title_of(title.unwrap_or(&cur.form.title), def)?;
    diesel::update(forms::table.find(form_id))
        .set((forms::title.eq(&title), forms::updated_at.eq(now)))
        .execute(conn)?;
    if has_answers(conn, cur.version.id)? {
        insert_version(conn, form_id, cur.version.version + 1, def, by, now)?;
    } else {
        diesel::update(form_versions::table.find(cur.version.id))
            .set((
                form_versions::definition.eq(def.to_json().to_string()),
                form_versions::created_by.eq(by),
                form_versions::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    current(conn, form_id)
}

/// A line of an organisation's form list.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Summary {
    /// The form's id.
    pub id: i64,
    /// The form's title.
    pub title: String,
    /// When the form was last saved (UTC).
    pub updated_at: NaiveDateTime,
}

/// The organisation's forms, newest change first (bounded: a list shows at most 100).
pub fn of_organisation(conn: &mut DbConnection, organisation_id: i64) -> AppResult<Vec<Summary>> {
    Ok(forms::table
        .filter(forms::organisation_id.eq(organisation_id))
        .order(forms::updated_at.desc())
        .select((forms::id, forms::title, forms::updated_at))
        .limit(100)
        .load(conn)?)
}

/// Why anyone may read a form: a published challenge asks it, or a pilot runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publicity {
    /// A published challenge asks this form of its proposals.
    pub asked: bool,
    /// A pilot runs this form.
    pub piloted: bool,
}

/// Whether a published challenge asks the form and whether a pilot runs it.
pub fn publicity(conn: &mut DbConnection, form_id: i64) -> AppResult<Publicity> {
    let asked = diesel::select(diesel::dsl::exists(
        challenges::table
            .filter(challenges::submission_form_id.eq(form_id))
            .filter(challenges::published_at.is_not_null()),
    ));
    let piloted = diesel::select(diesel::dsl::exists(
        pilots::table.filter(pilots::form_id.eq(form_id)),
    ));
    Ok(Publicity {
        asked: asked.get_result(conn)?,
        piloted: piloted.get_result(conn)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: i64, title: &str) -> FormVersion {
        let def = serde_json::json!({"title": title, "pages": [{"key": "p", "title": "P", "fields": [
            {"key": "plz", "type": "text", "label": "PLZ", "pattern": "[0-9]{5}"}
        ]}]});
        FormVersion {
            id,
            form_id: 1,
            version: 1,
            definition: def.to_string(),
            created_by: None,
            created_at: crate::db::now(),
        }
    }

    /// A pilot step reuses the definition read before instead of reading JSON and
    /// compiling patterns again; a version overwritten while it had no answers is read
    /// afresh, never served from the old text.
    #[test]
    fn shared_definitions_are_reused_until_the_text_changes() {
        // An id no other test's database reaches, as the cache is process-wide.
        let id = i64::MAX - 7;
        let first = version(id, "Erste Fassung").shared_definition().unwrap();
        let again = version(id, "Erste Fassung").shared_definition().unwrap();
        assert!(Arc::ptr_eq(&first, &again), "read once, then shared");
        let changed = version(id, "Zweite Fassung").shared_definition().unwrap();
        assert_eq!(changed.title.de, "Zweite Fassung");
        let after = version(id, "Zweite Fassung").shared_definition().unwrap();
        assert!(Arc::ptr_eq(&changed, &after));
    }
}
