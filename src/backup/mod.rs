//! Backup and restore: one file that holds an installation's database and stored files,
//! written while the server runs and read back into an empty database of either backend.
//! A backup of SQLite restored with a `postgres://` URL is how an installation moves to
//! PostgreSQL (and back).
//!
//! **Consistent.** [`write`] reads everything in one snapshot transaction
//! ([`db::snapshot_tx`]): rows and the files of the database store as they were at one
//! moment, while requests go on writing. Files of a folder store are read from the
//! folder by the names the snapshot's records give.
//!
//! **Portable.** The tables come from the database's catalogue and travel as rows of
//! values both backends read ([`tables`]); the file names which migrations the database
//! had, so that [`restore`] builds the same tables, fills them, and then applies the
//! migrations this build has beyond that. Derived data is left out and rebuilt: the
//! search index, its outbox, the trigger-kept counters.
//!
//! **Checked.** The file's last line carries the SHA-256 of all before it
//! ([`archive`]); a restore runs in one transaction and commits only after that
//! checksum and the counts of the header were met, so a damaged or cut-off file leaves
//! the target empty. Stored files go into the target's configured store (a folder
//! store's files are written before that commit, and stay as orphans if it fails).

pub mod archive;
mod tables;

use std::io::{Read, Write};

use crate::db::{self, DbConnection};
use crate::domain::audit;
use crate::domain::files::{self, FileStore};
use crate::error::{AppError, AppResult};

use self::archive::{damaged, FileStart, Header, Line, Reader, Record, TableStart, Writer};

/// The largest stored file a restore holds in memory while putting it back (uploads are
/// bounded far below this).
const MAX_FILE: u64 = 2 * 1024 * 1024 * 1024;

/// What a backup or a restore went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Rows, over all tables.
    pub rows: u64,
    /// Stored files.
    pub files: u64,
    /// Files the records name that were in no store (left out of the backup).
    pub missing_files: u64,
    /// The checksum of the backup's content (its `end` line).
    pub sha256: String,
}

/// Writes a backup of the database and its stored files into `out`, from one snapshot.
/// `progress` is called with rows and files done and the total.
pub fn write(
    conn: &mut DbConnection,
    store: &FileStore,
    out: impl Write,
    progress: &mut dyn FnMut(u64, u64),
) -> AppResult<Summary> {
    // Read before the snapshot: diesel makes sure its table exists, a write that a
    // read-only transaction refuses. The server applies migrations only at its start.
    let migrations = db::applied_migrations(conn)?;
    db::snapshot_tx(conn, |conn| {
        let tables = tables::list(conn)?;
        let mut counted = Vec::with_capacity(tables.len());
        for t in &tables {
            counted.push((t.name.clone(), tables::count(conn, t)?));
        }
        // A file the records name but no store holds is reported, not fatal: a backup
        // of everything else is worth more than none.
        let mut stored = Vec::new();
        let mut missing_files = 0;
        for (name, size) in files::recorded(conn)? {
            match store.chunk(conn, &name, 0) {
                Ok(_) => stored.push((name, size)),
                Err(AppError::NotFound) => missing_files += 1,
                Err(e) => return Err(e),
            }
        }
        let header = Header {
            format: archive::FORMAT,
            innolab: env!("CARGO_PKG_VERSION").to_string(),
            created_at: db::now(),
            source: match db::backend_of(conn) {
                db::Backend::Sqlite => "sqlite".into(),
                db::Backend::Postgres => "postgres".into(),
            },
            migrations,
            tables: counted,
            files: stored.len() as u64,
        };
        let total = header.units();
        let mut done = 0u64;
        let mut w = Writer::new(out);
        w.record(&Record::Header(header))?;
        for t in &tables {
            w.record(&Record::Table(TableStart {
                name: t.name.clone(),
                columns: t.columns.iter().map(|c| c.name.clone()).collect(),
            }))?;
            t.read_rows(conn, &mut |row| {
                w.raw_row(row)?;
                done += 1;
                if done.is_multiple_of(1000) {
                    progress(done, total);
                }
                Ok(())
            })?;
        }
        for (name, size) in stored {
            w.record(&Record::File(FileStart {
                name: name.clone(),
                size: size.max(0) as u64,
            }))?;
            let mut seq = 0;
            while let Some(chunk) = store.chunk(conn, &name, seq)? {
                if chunk.is_empty() {
                    break;
                }
                w.chunk(&chunk)?;
                seq += 1;
            }
            done += 1;
            progress(done, total);
        }
        let (end, mut out) = w.finish()?;
        out.flush().map_err(AppError::internal)?;
        progress(total, total);
        Ok(Summary {
            rows: end.rows,
            files: end.files,
            missing_files,
            sha256: end.sha256,
        })
    })
}

/// Reads the header of a backup, for a look before restoring it.
pub fn header_of(input: impl Read) -> AppResult<Header> {
    Reader::open(input).map(|(h, _)| h)
}

/// Restores a backup into the database of `conn`, which must be empty (migrated or
/// not), and its files into `store`; applies the migrations of this build the backup
/// did not have yet. Records the restore in the audit log.
pub fn restore(
    conn: &mut DbConnection,
    store: &FileStore,
    input: impl Read,
    progress: &mut dyn FnMut(u64, u64),
) -> AppResult<Summary> {
    let (header, mut reader) = Reader::open(input)?;
    prepare_schema(conn, &header.migrations)?;
    let summary = db::write_tx(conn, |conn| {
        let tables = tables::list(conn)?;
        if let Some((table, n)) = tables::first_filled(conn, &tables)? {
            return Err(AppError::Config(format!(
                "a restore needs an empty database, and this one has {n} rows in {table}; \
                 create a new database (or use a new data folder) and restore into that"
            )));
        }
        let total = header.units();
        let mut load = Loader::new(store, &tables);
        while let Some(line) = reader.next_line()? {
            let at = reader.line_number();
            match line {
                Line::Record(Record::Table(start)) => load.table(conn, start)?,
                Line::Row(values) => load.row(conn, values, at)?,
                Line::Record(Record::File(start)) => load.file(conn, start, at)?,
                Line::Chunk(bytes) => load.chunk(&bytes, at)?,
                Line::Record(Record::Header(_)) => return Err(damaged(at, "a second header")),
                Line::Record(Record::End(_)) => unreachable!("the reader ends at the end line"),
            }
            let done = load.rows + load.files;
            if done.is_multiple_of(1000) {
                progress(done, total);
            }
        }
        load.close(conn)?;
        let expected: Vec<(String, u64)> = header
            .tables
            .iter()
            .filter(|(_, n)| *n > 0)
            .cloned()
            .collect();
        let Loader {
            rows,
            files: files_done,
            rows_by_table,
            ..
        } = load;
        let read: Vec<(String, u64)> = rows_by_table.into_iter().filter(|(_, n)| *n > 0).collect();
        if read != expected || files_done != header.files {
            return Err(AppError::Config(format!(
                "the backup holds other rows or files than its header says \
                 ({files_done} files, {} expected)",
                header.files
            )));
        }
        tables::continue_sequences(conn, &tables)?;
        let sha256 = reader.end().map(|e| e.sha256.clone()).unwrap_or_default();
        audit::append(
            conn,
            audit::Event::new(None, "backup_restored", "installation", None).details(
                serde_json::json!({
                    "backup_created_at": header.created_at,
                    "source": header.source,
                    "sha256": sha256,
                    "rows": rows,
                    "files": files_done,
                }),
            ),
        )?;
        progress(total, total);
        Ok(Summary {
            rows,
            files: files_done,
            missing_files: 0,
            sha256,
        })
    })?;
    db::run_migrations(conn)?;
    Ok(summary)
}

/// What a restore has under way: the table whose rows come in, the file whose chunks do.
struct Loader<'a> {
    store: &'a FileStore,
    tables: &'a [tables::Table],
    inserter: Option<tables::Inserter<'a>>,
    file: Option<(FileStart, Vec<u8>)>,
    rows_by_table: Vec<(String, u64)>,
    rows: u64,
    files: u64,
}

impl<'a> Loader<'a> {
    fn new(store: &'a FileStore, tables: &'a [tables::Table]) -> Self {
        Loader {
            store,
            tables,
            inserter: None,
            file: None,
            rows_by_table: Vec::new(),
            rows: 0,
            files: 0,
        }
    }

    /// Writes what the table or file under way still holds.
    fn close(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        if let Some(mut i) = self.inserter.take() {
            let written = i.flush(conn)?;
            self.rows_by_table
                .push((i.table_name().to_string(), written));
        }
        if let Some((start, bytes)) = self.file.take() {
            if bytes.len() as u64 != start.size {
                return Err(AppError::Config(format!(
                    "the backup's file {} has {} bytes, not the {} its record says",
                    start.name,
                    bytes.len(),
                    start.size
                )));
            }
            self.store.write_as(conn, &start.name, &bytes)?;
            self.files += 1;
        }
        Ok(())
    }

    fn table(&mut self, conn: &mut DbConnection, start: TableStart) -> AppResult<()> {
        self.close(conn)?;
        let table = self
            .tables
            .iter()
            .find(|t| t.name == start.name)
            .ok_or_else(|| {
                AppError::Config(format!(
                    "the backup has a table {} that this database lacks",
                    start.name
                ))
            })?;
        self.inserter = Some(tables::Inserter::new(table, &start.columns)?);
        Ok(())
    }

    fn row(
        &mut self,
        conn: &mut DbConnection,
        values: Vec<serde_json::Value>,
        at: u64,
    ) -> AppResult<()> {
        let i = self
            .inserter
            .as_mut()
            .ok_or_else(|| damaged(at, "a row before its table"))?;
        i.push(conn, values)?;
        self.rows += 1;
        Ok(())
    }

    fn file(&mut self, conn: &mut DbConnection, start: FileStart, at: u64) -> AppResult<()> {
        self.close(conn)?;
        if start.size > MAX_FILE {
            return Err(damaged(at, "a file larger than 2 GiB"));
        }
        self.file = Some((start, Vec::new()));
        Ok(())
    }

    fn chunk(&mut self, bytes: &[u8], at: u64) -> AppResult<()> {
        let (start, buf) = self
            .file
            .as_mut()
            .ok_or_else(|| damaged(at, "a chunk before its file"))?;
        if (buf.len() + bytes.len()) as u64 > start.size {
            return Err(damaged(at, "a file longer than it says"));
        }
        buf.extend_from_slice(bytes);
        Ok(())
    }
}

/// Brings the target's tables to the backup's version: refuses a backup of a newer
/// build and a database that has migrations the backup has not.
fn prepare_schema(conn: &mut DbConnection, theirs: &[String]) -> AppResult<()> {
    let known = db::known_migrations()?;
    if let Some(unknown) = theirs.iter().find(|v| !known.contains(v)) {
        return Err(AppError::Config(format!(
            "the backup comes from a newer Innolab (migration {unknown}); restore it with \
             that version or a later one"
        )));
    }
    if !known.starts_with(theirs) {
        return Err(AppError::Config(
            "the backup's migrations differ from this build's".into(),
        ));
    }
    let ours = db::applied_migrations(conn)?;
    if !theirs.starts_with(&ours) {
        return Err(AppError::Config(
            "this database has migrations the backup has not; restore into a new database".into(),
        ));
    }
    match theirs.last() {
        Some(last) => db::migrate_through(conn, last),
        None => Ok(()),
    }
}
