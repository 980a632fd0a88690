//! The one writer of this process's index: applies outbox rows, rebuilds, commits.
//!
//! Applying a change is "delete the record's document, add it again if it should be
//! found", so applying a row twice does no harm: after a crash the indexer simply starts
//! again from the cursor of the last commit, and rows applied since are applied anew.

use std::collections::{HashMap, HashSet};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering;
use std::sync::{MutexGuard, Weak};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::documents::{self, Kind, SearchDoc};
use super::{outbox, schema, Search};
use crate::auth::policy::Audience;
use crate::db::{self, DbConnection};
use crate::domain::topics::TopicRef;
use crate::error::{AppError, AppResult};

/// How often the indexer looks for new outbox rows.
const POLL: Duration = Duration::from_millis(200);
/// Commits are at least this far apart (each one makes a new segment).
const COMMIT_EVERY: Duration = Duration::from_secs(1);
/// Even without changes the cursor is committed this often, so a restart knows the index
/// was current (see [`outbox::STALE_AFTER`]); old rows are pruned as often.
const HEARTBEAT: Duration = Duration::from_secs(3600);
/// Records read per statement during a rebuild.
const REBUILD_CHUNK: i64 = 1000;

/// What a commit records in its payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Committed {
    /// The schema version the index was built with (`schema::SCHEMA_VERSION`).
    pub schema: u32,
    /// Outbox cursor: everything before it is in this commit.
    pub cursor: i64,
    /// When the indexer last saw the outbox up to `cursor`.
    pub synced_at: NaiveDateTime,
}

/// The index writer with the indexer's progress: its outbox cursor, whether a rebuild is
/// due, and whether changes wait for a commit.
pub struct WriterState {
    writer: Writer,
    cursor: i64,
    needs_rebuild: bool,
    /// Changes are in the writer but not committed.
    dirty: bool,
    last_commit: Instant,
}

impl WriterState {
    /// The state after opening: from the last commit's cursor, or a rebuild when there was no
    /// commit or it is older than `outbox::STALE_AFTER`.
    pub fn new(writer: IndexWriter, committed: Option<Committed>) -> WriterState {
        let now = db::now();
        let (cursor, needs_rebuild) = match committed {
            Some(c) if now - c.synced_at < outbox::STALE_AFTER => (c.cursor, false),
            Some(_) => {
                tracing::info!("search index has not been updated for days; rebuilding");
                (0, true)
            }
            None => (0, true),
        };
        WriterState {
            writer: Writer(Some(writer)),
            cursor,
            needs_rebuild,
            dirty: false,
            last_commit: Instant::now(),
        }
    }
}

/// The index writer, which waits for merges under way when it is dropped. Tantivy lets
/// them run on after the writer and its directory lock are gone; a merge still writing
/// into a folder that the next opener resets (or a later process opens) races with it.
struct Writer(Option<IndexWriter>);

impl Deref for Writer {
    type Target = IndexWriter;
    fn deref(&self) -> &IndexWriter {
        self.0
            .as_ref()
            .expect("the writer is only taken when dropped")
    }
}

impl DerefMut for Writer {
    fn deref_mut(&mut self) -> &mut IndexWriter {
        self.0
            .as_mut()
            .expect("the writer is only taken when dropped")
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take() {
            if let Err(e) = writer.wait_merging_threads() {
                tracing::warn!(error = %e, "search index merge failed while closing");
            }
        }
    }
}

/// What one step of the indexer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing new.
    Idle,
    /// Changes applied (committed or waiting for the next commit).
    Applied(usize),
    /// The index was rebuilt.
    Rebuilt(u64),
}

pub(super) fn spawn(search: Weak<Search>) {
    let started = std::thread::Builder::new()
        .name("search-indexer".into())
        .spawn(move || loop {
            let Some(s) = search.upgrade() else { break };
            if let Err(e) = s.step(false) {
                tracing::warn!(error = %e, "search indexer step failed; retrying");
                drop(s);
                std::thread::sleep(POLL * 10);
                continue;
            }
            drop(s);
            std::thread::sleep(POLL);
        });
    if let Err(e) = started {
        tracing::error!(error = %e, "cannot start the search indexer");
    }
}

impl Search {
    fn state(&self) -> AppResult<MutexGuard<'_, WriterState>> {
        self.writer
            .lock()
            .map_err(|_| AppError::internal("search writer poisoned"))
    }

    /// One round of the indexer: rebuild if needed, else apply what the outbox holds
    /// after the cursor, and commit when a second has passed since the last commit (or
    /// at once with `commit_now`).
    pub fn step(&self, commit_now: bool) -> AppResult<Step> {
        let mut st = self.state()?;
        let mut conn = db::checkout(&self.pool)?;
        if st.needs_rebuild {
            let n = self.rebuild_in_step(&mut st, &mut conn)?;
            return Ok(Step::Rebuilt(n));
        }
        let batch = outbox::read(&mut conn, st.cursor)?;
        if !batch.rebuild && batch.changed.is_empty() {
            if let Ok(mut t) = self.caught_up.lock() {
                *t = Instant::now();
            }
        }
        if batch.rebuild {
            let n = self.rebuild_in_step(&mut st, &mut conn)?;
            return Ok(Step::Rebuilt(n));
        }
        let mut step = Step::Idle;
        if !batch.changed.is_empty() {
            let mut changed = batch.changed;
            documents::expand_dependents(&mut conn, &mut changed)?;
            let n = self.apply(&st.writer, &mut conn, &changed)?;
            self.refresh_topics(&mut conn)?;
            st.dirty = true;
            step = Step::Applied(n);
        }
        st.cursor = batch.next_cursor;
        let due = st.last_commit.elapsed() >= COMMIT_EVERY;
        let heartbeat = st.last_commit.elapsed() >= HEARTBEAT;
        if (st.dirty && (due || commit_now)) || heartbeat {
            if heartbeat {
                outbox::prune(&mut conn, db::now())?;
            }
            self.commit(&mut st)?;
        }
        Ok(step)
    }

    /// Applies everything committed before the call and commits the index now: what
    /// tests and tools call to see their writes in the index without waiting for the
    /// indexer's next round. Gives up after `timeout` (a transaction left open elsewhere
    /// holds PostgreSQL's horizon back).
    pub fn catch_up(&self, timeout: Duration) -> AppResult<()> {
        let target = {
            let mut conn = db::checkout(&self.pool)?;
            outbox::target_cursor(&mut conn)?
        };
        let started = Instant::now();
        loop {
            let step = self.step(true)?;
            let mut st = self.state()?;
            if st.dirty {
                self.commit(&mut st)?;
            }
            if st.cursor >= target && !st.needs_rebuild {
                return Ok(());
            }
            drop(st);
            if started.elapsed() > timeout {
                return Err(AppError::internal("search index did not catch up in time"));
            }
            if step == Step::Idle {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Rebuilds the index from the database, reporting `(done, total)` as it goes.
    /// Waits for the final merge too, so that `innolab reindex` leaves a merged index.
    pub fn rebuild(&self, progress: &mut dyn FnMut(u64, u64)) -> AppResult<u64> {
        let mut st = self.state()?;
        let mut conn = db::checkout(&self.pool)?;
        let (done, merging) = self.rebuild_locked(&mut st, &mut conn, progress)?;
        drop(st);
        if let Some(merging) = merging {
            finish_merge(&self.reader, merging);
        }
        Ok(done)
    }

    /// A rebuild by the indexer thread: the merge finishes in the background, so that
    /// changes are applied meanwhile.
    fn rebuild_in_step(&self, st: &mut WriterState, conn: &mut DbConnection) -> AppResult<u64> {
        let (done, merging) = self.rebuild_locked(st, conn, &mut |_, _| {})?;
        if let Some(merging) = merging {
            let reader = self.reader.clone();
            let started = std::thread::Builder::new()
                .name("search-merge".into())
                .spawn(move || finish_merge(&reader, merging));
            if let Err(e) = started {
                tracing::warn!(error = %e, "cannot wait for the search index merge");
            }
        }
        Ok(done)
    }

    fn rebuild_locked(
        &self,
        st: &mut WriterState,
        conn: &mut DbConnection,
        progress: &mut dyn FnMut(u64, u64),
    ) -> AppResult<(u64, Option<Merging>)> {
        let started = Instant::now();
        // The build's segments are merged in one go once it is committed; the usual
        // merge policy would start merging them while they are written.
        st.writer.set_merge_policy(Box::new(NoMergePolicy));
        let built = self.build_all(st, conn, progress);
        let merging = built.as_ref().ok().and_then(|_| self.merge_all(st));
        st.writer
            .set_merge_policy(Box::new(LogMergePolicy::default()));
        let done = built?;
        tracing::info!(
            records = done,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index rebuilt"
        );
        Ok((done, merging))
    }

    /// Replaces every document by what the database holds now, and commits.
    fn build_all(
        &self,
        st: &mut WriterState,
        conn: &mut DbConnection,
        progress: &mut dyn FnMut(u64, u64),
    ) -> AppResult<u64> {
        // Everything committed before this point is read below; later changes come
        // through the outbox after this cursor (applying one twice is harmless).
        let cursor = outbox::current_cursor(conn)?;
        let total = documents::count_all(conn)?;
        // Readers keep seeing the old documents until the commit at the end.
        st.writer
            .delete_all_documents()
            .map_err(AppError::internal)?;
        let mut done = 0u64;
        for kind in Kind::ALL {
            let mut after = 0;
            loop {
                let ids = documents::ids_after(conn, kind, after, REBUILD_CHUNK)?;
                let Some(&last) = ids.last() else { break };
                after = last;
                for doc in documents::load(conn, kind, &ids)? {
                    st.writer
                        .add_document(self.to_document(&doc))
                        .map_err(AppError::internal)?;
                }
                done += ids.len() as u64;
                progress(done.min(total), total);
            }
        }
        self.refresh_topics(conn)?;
        st.cursor = cursor;
        st.needs_rebuild = false;
        self.commit(st)?;
        self.building.store(false, Ordering::Relaxed);
        Ok(done)
    }

    /// Replaces the documents of every changed record; returns how many records.
    fn apply(
        &self,
        writer: &IndexWriter,
        conn: &mut DbConnection,
        changed: &HashMap<Kind, HashSet<i64>>,
    ) -> AppResult<usize> {
        let mut n = 0;
        for (&kind, ids) in changed {
            let ids: Vec<i64> = ids.iter().copied().collect();
            for &id in &ids {
                writer.delete_term(self.key_term(kind, id));
            }
            for doc in documents::load(conn, kind, &ids)? {
                writer
                    .add_document(self.to_document(&doc))
                    .map_err(AppError::internal)?;
            }
            n += ids.len();
        }
        Ok(n)
    }

    fn commit(&self, st: &mut WriterState) -> AppResult<()> {
        let payload = serde_json::to_string(&Committed {
            schema: schema::SCHEMA_VERSION,
            cursor: st.cursor,
            synced_at: db::now(),
        })
        .map_err(AppError::internal)?;
        let mut prepared = st.writer.prepare_commit().map_err(AppError::internal)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(AppError::internal)?;
        self.reader.reload().map_err(AppError::internal)?;
        st.dirty = false;
        st.last_commit = Instant::now();
        Ok(())
    }

    /// Starts merging a fresh build into one segment: every search pays a fixed price
    /// per segment (term lookups, the compound-part scan), and a build leaves one segment
    /// per writer thread and flush. Readers use the old segments until it is done (see
    /// [`finish_merge`]).
    fn merge_all(&self, st: &mut WriterState) -> Option<Merging> {
        let segments = st.writer.index().searchable_segment_ids().ok()?;
        (segments.len() > 1).then(|| st.writer.merge(&segments))
    }

    fn refresh_topics(&self, conn: &mut DbConnection) -> AppResult<()> {
        use crate::db::schema::topics;
        use diesel::prelude::*;
        let all: Vec<TopicRef> = topics::table
            .order(topics::name_de)
            .select((topics::slug, topics::name_de, topics::name_en))
            .load(conn)?;
        if let Ok(mut t) = self.topics.write() {
            *t = all;
        }
        Ok(())
    }

    pub(super) fn key_term(&self, kind: Kind, id: i64) -> Term {
        Term::from_field_text(self.fields.key, &format!("{}:{id}", kind.as_str()))
    }

    fn to_document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, format!("{}:{}", d.kind.as_str(), d.id));
        doc.add_text(f.kind, d.kind.as_str());
        doc.add_i64(f.id, d.id);
        for a in &d.audiences {
            match a {
                Audience::Everyone => doc.add_text(f.audience, AUDIENCE_ALL),
                Audience::EveryoneFrom(at) => {
                    doc.add_text(f.audience, AUDIENCE_FROM);
                    doc.add_i64(f.public_from, at.and_utc().timestamp());
                }
                Audience::Members(org) => doc.add_text(f.audience, members_term(*org)),
                Audience::Person(user) => doc.add_text(f.audience, person_term(*user)),
                Audience::Admins => doc.add_text(f.audience, AUDIENCE_ADMINS),
            }
        }
        if let Some(status) = &d.status {
            doc.add_text(f.status, status);
        }
        for t in &d.topics {
            doc.add_text(f.topic, t);
        }
        if let Some(agency) = &d.agency {
            doc.add_text(f.agency, agency);
        }
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.url, &d.url);
        doc.add_text(
            f.meta,
            serde_json::to_string(&d.meta).unwrap_or_else(|_| "{}".into()),
        );
        for field in [f.title_de, f.title_en] {
            doc.add_text(field, &d.title);
        }
        for field in [f.text_de, f.text_en, f.parts, f.pairs] {
            doc.add_text(field, &d.title);
            doc.add_text(field, &d.body);
            doc.add_text(field, &d.aux);
        }
        doc.add_i64(f.date, d.date.and_utc().timestamp());
        doc.add_i64(
            f.deadline,
            d.deadline.map_or(0, |t| t.and_utc().timestamp()),
        );
        doc
    }
}

/// A merge under way.
type Merging = tantivy::FutureResult<Option<tantivy::index::SegmentMeta>>;

/// Waits for `merging`, then lets searches use the merged segment.
fn finish_merge(reader: &tantivy::IndexReader, merging: Merging) {
    match merging.wait() {
        Ok(_) => {
            if let Err(e) = reader.reload() {
                tracing::warn!(error = %e, "search index reload after merging failed");
            }
        }
        Err(e) => tracing::warn!(error = %e, "search index segments not merged"),
    }
}

pub(crate) const AUDIENCE_ALL: &str = "all";
pub(super) const AUDIENCE_FROM: &str = "from";
pub(super) const AUDIENCE_ADMINS: &str = "admins";

pub(crate) fn members_term(org: i64) -> String {
    format!("org:{org}")
}

pub(super) fn person_term(user: i64) -> String {
    format!("user:{user}")
}
