//! One test user's way through a pilot. A run starts on the form's latest version and
//! stays on it; its answers are saved after every step, so the secret resume link brings
//! the person back where they left. Sending checks every shown page once more, then turns
//! the run into a submission with a reference number and a receipt link, and queues the
//! webhook deliveries in the same transaction.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;
use serde::Serialize;

use super::{webhooks, Pilot};
use crate::auth::secrets;
use crate::db::schema::{pilot_field_errors, pilot_files, pilot_runs, pilot_submissions};
use crate::db::DbConnection;
use crate::domain::attachments;
use crate::domain::files::FileStore;
use crate::domain::form_library::{self, FormVersion};
use crate::error::{AppError, AppResult, FieldErrors, FileProblem};
use crate::forms::answers::{self, Answers, Raw, Scope, StoredFile};
use crate::forms::FormDefinition;

/// One test user's way through a pilot, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = pilot_runs)]
pub struct Run {
    /// Row id.
    pub id: i64,
    /// The pilot it runs.
    pub pilot_id: i64,
    /// The form version it answers: the latest when it started.
    pub form_version_id: i64,
    /// SHA-256 of the resume link's secret (never serialised).
    #[serde(skip)]
    pub token_hash: String,
    /// The answers saved so far, a JSON object by field key; emptied once sent or purged.
    pub answers: String,
    /// The page the person is on, from 0.
    pub page: i64,
    /// The field on that page the assistant asks, from 0.
    pub question: i64,
    /// The furthest page reached, from 0.
    pub furthest: i64,
    /// When it started.
    pub started_at: NaiveDateTime,
    /// When it last saved.
    pub updated_at: NaiveDateTime,
    /// When it was sent; `None` while unsent.
    pub completed_at: Option<NaiveDateTime>,
    /// Refused answers this run has counted (see [`count_errors`]).
    pub refused: i64,
}

impl Run {
    /// The saved answers; empty if they cannot be read.
    pub fn answers(&self) -> Answers {
        serde_json::from_str(&self.answers).unwrap_or_default()
    }
}

/// A sent run: the checked answers, the reference and the rating, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = pilot_submissions)]
pub struct Submission {
    /// Row id.
    pub id: i64,
    /// The pilot it was sent in.
    pub pilot_id: i64,
    /// The run it came from.
    pub run_id: i64,
    /// The form version answered.
    pub form_version_id: i64,
    /// The reference the test user is given, e.g. `2026-K7MQ-3XPA`; unique.
    pub reference: String,
    /// SHA-256 of the receipt link's secret (never serialised).
    #[serde(skip)]
    pub receipt_hash: String,
    /// The checked answers, a JSON object by field key; `{}` once purged.
    pub answers: String,
    /// When it was sent.
    pub submitted_at: NaiveDateTime,
    /// How long the run took from start to sending.
    pub seconds: i64,
    /// The test user's rating, 1 to 5; `None` until given.
    pub rating: Option<i64>,
    /// The comment with the rating; emptied with the answers.
    pub rating_comment: String,
    /// When the answers were emptied at the end of the retention period; `None` before.
    pub purged_at: Option<NaiveDateTime>,
}

impl Submission {
    /// The sent answers; empty once purged or if they cannot be read.
    pub fn answers(&self) -> Answers {
        serde_json::from_str(&self.answers).unwrap_or_default()
    }
}

/// A run and the secret of its resume link (shown once, kept only as a hash).
pub struct Started {
    /// The new run.
    pub run: Run,
    /// The resume link's secret, in clear.
    pub token: String,
}

/// A run with the definition it answers and its files: what every step needs.
pub struct Loaded {
    /// The run.
    pub run: Run,
    /// The form version it answers.
    pub version: FormVersion,
    /// That version's parsed definition.
    pub definition: Arc<FormDefinition>,
    /// The files uploaded in the run so far.
    pub files: Vec<StoredFile>,
}

/// Starts a run on the latest version of the pilot's form.
pub fn start(conn: &mut DbConnection, pilot: &Pilot, now: NaiveDateTime) -> AppResult<Started> {
    pilot.ensure_open(now)?;
    let current = form_library::current(conn, pilot.form_id)?;
    let token = secrets::new_token();
    let run = diesel::insert_into(pilot_runs::table)
        .values((
            pilot_runs::pilot_id.eq(pilot.id),
            pilot_runs::form_version_id.eq(current.version.id),
            pilot_runs::token_hash.eq(secrets::token_hash(&token)),
            pilot_runs::answers.eq("{}"),
            pilot_runs::started_at.eq(now),
            pilot_runs::updated_at.eq(now),
        ))
        .returning(pilot_runs::all_columns)
        .get_result(conn)?;
    Ok(Started { run, token })
}

/// The run behind a resume link, with its form version and files (three statements).
pub fn load(conn: &mut DbConnection, pilot: &Pilot, token: &str) -> AppResult<Loaded> {
    let run: Run = pilot_runs::table
        .filter(pilot_runs::token_hash.eq(secrets::token_hash(token)))
        .filter(pilot_runs::pilot_id.eq(pilot.id))
        .select(Run::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let version = form_library::version(conn, run.form_version_id)?;
    let definition = version.shared_definition()?;
    let files = files_of(conn, run.id)?;
    Ok(Loaded {
        run,
        version,
        definition,
        files,
    })
}

fn files_of(conn: &mut DbConnection, run_id: i64) -> AppResult<Vec<StoredFile>> {
    let rows: Vec<(i64, String, String, i64, String)> = pilot_files::table
        .filter(pilot_files::run_id.eq(run_id))
        .select((
            pilot_files::id,
            pilot_files::field_key,
            pilot_files::file_name,
            pilot_files::size,
            pilot_files::content_type,
        ))
        .order(pilot_files::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, field_key, name, size, content_type)| StoredFile {
            id,
            field_key,
            name,
            size,
            content_type,
        })
        .collect())
}

/// At most this many files per run, and this large each.
pub const MAX_FILES_PER_RUN: i64 = 20;
/// The largest file a run may upload: 10 MiB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The bytes one run may store in all: a pilot form asks for a document or two, and a
/// run is started by anyone without an account, so one run must not fill the disk with
/// as many files at the largest size as it may send. Files replaced in the run count
/// too, as they stay stored until the answers are deleted. The refusal's text names
/// the size (`file-run-quota`).
pub const MAX_RUN_BYTES: usize = 3 * MAX_FILE_BYTES;

/// Stores a file for a file field of the run; its type is decided by content.
pub fn add_file(
    conn: &mut DbConnection,
    files: &FileStore,
    run: &Run,
    field_key: &str,
    filename: &str,
    bytes: &[u8],
    now: NaiveDateTime,
) -> AppResult<StoredFile> {
    if bytes.is_empty() {
        return Err(AppError::File(FileProblem::Empty));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::File(FileProblem::TooLarge));
    }
    let name = attachments::clean_filename(filename);
    let content_type =
        attachments::sniff(bytes, &name).ok_or(AppError::File(FileProblem::TypeNotAllowed))?;
    // The run's row first: on PostgreSQL its lock makes concurrent uploads of one run
    // take turns, so none passes the limits below on a count the other is changing.
    diesel::update(pilot_runs::table.find(run.id))
        .set(pilot_runs::updated_at.eq(now))
        .execute(conn)?;
    // At most MAX_FILES_PER_RUN rows: summed here, as SQL's sum of a BIGINT is a
    // NUMERIC on PostgreSQL.
    let sizes: Vec<i64> = pilot_files::table
        .filter(pilot_files::run_id.eq(run.id))
        .select(pilot_files::size)
        .load(conn)?;
    if sizes.len() as i64 >= MAX_FILES_PER_RUN {
        return Err(FieldErrors::single(field_key, "too-many"));
    }
    if sizes.iter().sum::<i64>() + bytes.len() as i64 > MAX_RUN_BYTES as i64 {
        return Err(AppError::File(FileProblem::RunQuotaExceeded));
    }
    let storage_name = files.put(conn, bytes)?;
    let id: i64 = diesel::insert_into(pilot_files::table)
        .values((
            pilot_files::run_id.eq(run.id),
            pilot_files::field_key.eq(field_key),
            pilot_files::storage_name.eq(&storage_name),
            pilot_files::file_name.eq(&name),
            pilot_files::content_type.eq(content_type),
            pilot_files::size.eq(bytes.len() as i64),
            pilot_files::created_at.eq(now),
        ))
        .returning(pilot_files::id)
        .get_result(conn)?;
    Ok(StoredFile {
        id,
        field_key: field_key.to_string(),
        name,
        size: bytes.len() as i64,
        content_type: content_type.to_string(),
    })
}

/// Where the person stands after a step.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    /// The page, from 0.
    pub page: i64,
    /// The field on that page, from 0 (the assistant asks one at a time).
    pub question: i64,
}

/// Saves a step's answers and the new position, while the run is not yet sent.
pub fn save(
    conn: &mut DbConnection,
    run: &Run,
    answers: &Answers,
    at: Position,
    now: NaiveDateTime,
) -> AppResult<()> {
    let written = diesel::update(
        pilot_runs::table
            .find(run.id)
            .filter(pilot_runs::completed_at.is_null()),
    )
    .set((
        pilot_runs::answers.eq(serde_json::Value::Object(answers.clone()).to_string()),
        pilot_runs::page.eq(at.page),
        pilot_runs::question.eq(at.question),
        pilot_runs::furthest.eq(run.furthest.max(at.page)),
        pilot_runs::updated_at.eq(now),
    ))
    .execute(conn)?;
    if written == 0 {
        return Err(AppError::Conflict {
            message_id: "pilot-run-sent",
        });
    }
    Ok(())
}

/// The refused answers one run may add to its pilot's report. A person who struggles
/// with a form is refused a few times per field, not dozens; past this, further
/// refusals of the run are not counted, so a visitor posting invalid pages in a loop
/// moves the figures by no more than one confused person.
pub const MAX_REFUSED_PER_RUN: i64 = 50;

/// Records the refused answers of a step of `run` for the report: one per field of the
/// step (the problems are per field), and no more than the run has left of
/// [`MAX_REFUSED_PER_RUN`]. The run's counter is raised first, in one statement, so
/// concurrent steps of one run take their shares in turn and never exceed it together.
pub fn count_errors(
    conn: &mut DbConnection,
    run: &Run,
    errors: &FieldErrors,
    now: NaiveDateTime,
) -> AppResult<()> {
    let sent = errors.len() as i64;
    if sent == 0 {
        return Ok(());
    }
    let counted: i64 = diesel::update(pilot_runs::table.find(run.id))
        .set(pilot_runs::refused.eq(pilot_runs::refused + sent))
        .returning(pilot_runs::refused)
        .get_result(conn)?;
    let left = (MAX_REFUSED_PER_RUN - (counted - sent)).clamp(0, sent);
    let keys: Vec<&str> = errors.iter().map(|(k, _)| k).take(left as usize).collect();
    record_refused(conn, run.pilot_id, &keys, now)
}

/// Writes refused answers of the fields `keys` into the pilot's report, without a run
/// (the demo data's figures; steps go through [`count_errors`]).
pub fn record_refused(
    conn: &mut DbConnection,
    pilot_id: i64,
    keys: &[&str],
    now: NaiveDateTime,
) -> AppResult<()> {
    for key in keys {
        diesel::insert_into(pilot_field_errors::table)
            .values((
                pilot_field_errors::pilot_id.eq(pilot_id),
                pilot_field_errors::field_key.eq(key),
                pilot_field_errors::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What sending refused: a shown page with problems (where to send the person back).
#[derive(Debug)]
pub struct Incomplete {
    /// The first page with problems, from 0.
    pub page: usize,
    /// The problems, by field key.
    pub errors: FieldErrors,
}

/// A submission and the secret of its receipt link.
pub struct Sent {
    /// The submission written.
    pub submission: Submission,
    /// The receipt link's secret, in clear (shown once).
    pub receipt_token: String,
}

/// Checks every shown page once more and sends: the run is closed, the submission
/// written with its reference, and a delivery queued for each active webhook.
pub fn send(
    conn: &mut DbConnection,
    pilot: &Pilot,
    loaded: &Loaded,
    now: NaiveDateTime,
) -> AppResult<Result<Sent, Incomplete>> {
    pilot.ensure_open(now)?;
    let stored = loaded.run.answers();
    let checked = answers::check(
        &loaded.definition,
        Scope::All,
        &Raw::from_json(&stored),
        &Answers::new(),
        &loaded.files,
    );
    if !checked.errors.is_empty() {
        let page = checked
            .errors
            .iter()
            .filter_map(|(k, _)| loaded.definition.page_of(k))
            .min()
            .unwrap_or(0);
        return Ok(Err(Incomplete {
            page,
            errors: checked.errors,
        }));
    }
    let closed = diesel::update(
        pilot_runs::table
            .find(loaded.run.id)
            .filter(pilot_runs::completed_at.is_null()),
    )
    .set((
        pilot_runs::completed_at.eq(now),
        pilot_runs::updated_at.eq(now),
        // The answers now live in the submission only.
        pilot_runs::answers.eq("{}"),
    ))
    .execute(conn)?;
    if closed == 0 {
        return Err(AppError::Conflict {
            message_id: "pilot-run-sent",
        });
    }
    let receipt_token = secrets::new_token();
    let seconds = (now - loaded.run.started_at).num_seconds().max(0);
    let submission: Submission = diesel::insert_into(pilot_submissions::table)
        .values((
            pilot_submissions::pilot_id.eq(pilot.id),
            pilot_submissions::run_id.eq(loaded.run.id),
            pilot_submissions::form_version_id.eq(loaded.run.form_version_id),
            pilot_submissions::reference.eq(new_reference(now)),
            pilot_submissions::receipt_hash.eq(secrets::token_hash(&receipt_token)),
            pilot_submissions::answers.eq(serde_json::Value::Object(checked.answers).to_string()),
            pilot_submissions::submitted_at.eq(now),
            pilot_submissions::seconds.eq(seconds),
        ))
        .returning(pilot_submissions::all_columns)
        .get_result(conn)?;
    webhooks::enqueue(conn, pilot.id, submission.id, now)?;
    Ok(Ok(Sent {
        submission,
        receipt_token,
    }))
}

/// A reference people can read out on the phone: year and eight characters without
/// look-alikes (no 0/O, 1/I/L), e.g. `2026-K7MQ-3XPA`. 32^8 values per year; the unique
/// index catches the rare repeat (the person then sends again).
pub fn new_reference(now: NaiveDateTime) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    let mut part = || -> String {
        (0..4)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("{}-{}-{}", now.format("%Y"), part(), part())
}

/// The submission behind a receipt link.
pub fn by_receipt(conn: &mut DbConnection, pilot_id: i64, token: &str) -> AppResult<Submission> {
    pilot_submissions::table
        .filter(pilot_submissions::receipt_hash.eq(secrets::token_hash(token)))
        .filter(pilot_submissions::pilot_id.eq(pilot_id))
        .select(Submission::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The submission with this id; not found (404) if there is none.
pub fn submission(conn: &mut DbConnection, id: i64) -> AppResult<Submission> {
    pilot_submissions::table
        .find(id)
        .select(Submission::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Whether `token` is the receipt secret of `s` (the PDF link of a test user).
pub fn receipt_matches(s: &Submission, token: &str) -> bool {
    secrets::constant_time_eq(
        secrets::token_hash(token).as_bytes(),
        s.receipt_hash.as_bytes(),
    )
}

/// The test user's rating (1–5) and comment, given once.
pub fn rate(conn: &mut DbConnection, s: &Submission, rating: &str, comment: &str) -> AppResult<()> {
    let mut e = FieldErrors::new();
    let rating: Option<i64> = rating.trim().parse().ok().filter(|r| (1..=5).contains(r));
    if rating.is_none() {
        e.add("rating", "pilot-rating-invalid");
    }
    let comment =
        crate::text::optional_text(Some(comment), "comment", 2000, &mut e).unwrap_or_default();
    e.into_result()?;
    let written = diesel::update(
        pilot_submissions::table
            .find(s.id)
            .filter(pilot_submissions::rating.is_null()),
    )
    .set((
        pilot_submissions::rating.eq(rating),
        pilot_submissions::rating_comment.eq(comment),
    ))
    .execute(conn)?;
    if written == 0 {
        return Err(AppError::Conflict {
            message_id: "pilot-already-rated",
        });
    }
    Ok(())
}

/// A page of a pilot's submissions in the order they came in (oldest first, after `after_id`),
/// for the export and the team's list.
pub fn list(
    conn: &mut DbConnection,
    pilot_id: i64,
    after_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Submission>> {
    let mut q = pilot_submissions::table
        .filter(pilot_submissions::pilot_id.eq(pilot_id))
        .select(Submission::as_select())
        .order(pilot_submissions::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after_id {
        q = q.filter(pilot_submissions::id.gt(after));
    }
    Ok(q.load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_readable_and_differ() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let a = new_reference(now);
        assert_eq!(a.len(), 14);
        assert!(a.starts_with("2026-"));
        assert!(!a[5..].contains(['0', 'O', '1', 'I', 'L']), "{a}");
        let others: std::collections::HashSet<String> =
            (0..200).map(|_| new_reference(now)).collect();
        assert!(others.len() > 190);
    }
}
