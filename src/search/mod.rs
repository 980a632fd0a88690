//! Full-text search over challenges, proposals, answered questions and organisations.
//!
//! The database is the source of truth; this index is derived from it and can always be
//! rebuilt. Triggers write a `search_outbox` row in the transaction of every change to a
//! searchable record ([`outbox`]); each process runs one indexer ([`indexer`]) that owns
//! the index's single writer, applies the rows after its cursor, commits at most about
//! once a second and keeps the cursor in the commit's payload. Several instances on one
//! PostgreSQL database each keep their own index current that way.
//!
//! - [`analysis`]: German and English analyzers, compound parts.
//! - [`schema`]: the fields and the schema version.
//! - [`documents`]: what a record looks like to the index, loaded in batches.
//! - [`query`]: lenient reading of the search box.
//! - [`disjunction`]: one query word in all its forms, scored cheaply.
//! - [`conjunction`]: all of the words and filters, visible to the reader, led by the rarest.
//! - [`execute`]: running a search for a reader: visibility, filters, facets, sorting.
//! - [`visibility`]: what a reader may find, kept per segment.
//! - [`facets`]: counts per kind, topic and status, kept per segment.
//! - [`segment_cache`]: what is read once per index segment.
//! - [`highlight`]: escaped snippets with the matches marked.

pub mod analysis;
pub mod conjunction;
pub mod disjunction;
pub mod documents;
pub mod execute;
pub mod facets;
pub mod highlight;
pub mod indexer;
pub mod outbox;
pub mod query;
pub mod schema;
pub mod segment_cache;
pub mod visibility;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

use crate::db::DbPool;
use crate::domain::topics::TopicRef;
use crate::error::{AppError, AppResult};

pub use documents::Kind;
pub use execute::{Hit, Request, Results, Sort};

/// Memory the writer may use before it flushes a segment (spread over its threads).
const WRITER_BUDGET: usize = 64 * 1024 * 1024;

/// Bytes per compressed block of stored documents.
const DOCSTORE_BLOCK: usize = 4096;

/// The index of this process and the state of its one writer.
pub struct Search {
    reader: IndexReader,
    /// Per segment: who may find each document, and its facet values. Both are warmers
    /// of `reader`, which holds them weakly.
    audiences: Arc<visibility::Audiences>,
    facets: Arc<facets::Facets>,
    fields: schema::Fields,
    analyzers: analysis::Analyzers,
    writer: Mutex<indexer::WriterState>,
    /// The topics, for filters by name and facet labels; refreshed by the indexer.
    topics: RwLock<Vec<TopicRef>>,
    /// True until the first complete build of a new index has been committed.
    building: AtomicBool,
    /// When the indexer last found nothing left to apply.
    caught_up: Mutex<std::time::Instant>,
    pool: DbPool,
    dir: PathBuf,
}

impl Search {
    /// Opens the index in `dir` (creating it if needed) for a process that will keep it
    /// current from `pool`. An index of another schema version, or one that cannot be
    /// read, is replaced by an empty one that the indexer then builds.
    pub fn open(dir: &Path, pool: DbPool) -> AppResult<Search> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Config(format!("cannot create {}: {e}", dir.display())))?;
        let (schema, fields) = schema::build();
        let opened = open_current(dir, &schema)?;
        let (index, state) = match opened {
            Some(found) => found,
            None => {
                // Replace whatever is there, unless another process is using it.
                drop(lock(dir)?);
                std::fs::remove_dir_all(dir)
                    .and_then(|_| std::fs::create_dir_all(dir))
                    .map_err(|e| {
                        AppError::Config(format!("cannot reset {}: {e}", dir.display()))
                    })?;
                let directory = mmap(dir)?;
                let settings = tantivy::IndexSettings {
                    // A result page reads about twenty stored documents, each from its
                    // own block: small blocks keep that from decompressing 16 KiB each.
                    docstore_blocksize: DOCSTORE_BLOCK,
                    ..Default::default()
                };
                let index =
                    Index::create(directory, schema, settings).map_err(AppError::internal)?;
                (index, None)
            }
        };
        let analyzers = analysis::Analyzers::new();
        analyzers.register(&index);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let writer: IndexWriter = index
            .writer_with_num_threads(threads, WRITER_BUDGET.max(threads * 16 * 1024 * 1024))
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => in_use(dir),
                other => AppError::internal(other),
            })?;
        let audiences = Arc::new(visibility::Audiences::new(fields));
        let facets = Arc::new(facets::Facets::new(fields));
        let warmers: Vec<Weak<dyn tantivy::Warmer>> = vec![
            Arc::downgrade(&audiences) as _,
            Arc::downgrade(&facets) as _,
        ];
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(warmers)
            .try_into()
            .map_err(AppError::internal)?;
        let building = state.is_none();
        Ok(Search {
            reader,
            audiences,
            facets,
            fields,
            analyzers,
            writer: Mutex::new(indexer::WriterState::new(writer, state)),
            topics: RwLock::new(Vec::new()),
            building: AtomicBool::new(building),
            caught_up: Mutex::new(std::time::Instant::now()),
            pool,
            dir: dir.to_path_buf(),
        })
    }

    /// Whether the index is still being built for the first time (results incomplete).
    pub fn is_building(&self) -> bool {
        self.building.load(Ordering::Relaxed)
    }

    /// How long ago the index last held everything committed (the indexer's polling
    /// interval while it keeps up; growing during a rebuild or when it falls behind).
    pub fn lag(&self) -> std::time::Duration {
        self.caught_up
            .lock()
            .map(|t| t.elapsed())
            .unwrap_or_default()
    }

    /// The folder the index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The topics as last read from the database.
    pub fn topics(&self) -> Vec<TopicRef> {
        self.topics.read().map(|t| t.clone()).unwrap_or_default()
    }

    /// Starts this process's indexer thread; it ends once the index is dropped.
    pub fn start_indexer(self: &Arc<Self>) {
        indexer::spawn(Arc::downgrade(self));
    }
}

/// The index in `dir` if it exists, is readable and has the current schema (its version
/// and its fields: a forgotten version bump must not mix up fields), with the state its
/// last commit recorded.
fn open_current(
    dir: &Path,
    schema: &tantivy::schema::Schema,
) -> AppResult<Option<(Index, Option<indexer::Committed>)>> {
    let directory = mmap(dir)?;
    if !Index::exists(&directory).unwrap_or(false) {
        return Ok(None);
    }
    let index = match Index::open(directory) {
        Ok(index) => index,
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "search index unreadable; rebuilding");
            return Ok(None);
        }
    };
    let committed = index
        .load_metas()
        .ok()
        .and_then(|m| m.payload)
        .and_then(|p| serde_json::from_str::<indexer::Committed>(&p).ok());
    match committed {
        Some(c) if c.schema == schema::SCHEMA_VERSION && index.schema() == *schema => {
            Ok(Some((index, Some(c))))
        }
        _ => {
            tracing::info!(dir = %dir.display(), "search index of another version; rebuilding");
            Ok(None)
        }
    }
}

fn mmap(dir: &Path) -> AppResult<MmapDirectory> {
    MmapDirectory::open(dir).map_err(|e| {
        AppError::Config(format!(
            "cannot open the search index {}: {e}",
            dir.display()
        ))
    })
}

/// Holds the writer lock of `dir` for a moment: proof that no other process uses it.
fn lock(dir: &Path) -> AppResult<tantivy::directory::DirectoryLock> {
    mmap(dir)?
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|_| in_use(dir))
}

fn in_use(dir: &Path) -> AppError {
    AppError::Config(format!(
        "the search index {} is in use by another process; give each instance its own \
         --search-dir (and stop the server before `innolab reindex`)",
        dir.display()
    ))
}
