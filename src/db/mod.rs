//! Storage: one connection type over SQLite and PostgreSQL, the pool, migrations and the
//! transaction helpers every domain function runs in.
//!
//! The backend is chosen by the URL scheme (`sqlite://` or `postgres://`). Queries are
//! written once against [`DbConnection`]; only connection set-up and the flavour of
//! `BEGIN` differ per backend.

pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{Config, Durability};
use crate::error::{AppError, AppResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<SchemeManager>;
pub type PooledConn = PooledConnection<SchemeManager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Which backend a URL selects, and the string the driver expects.
pub fn parse_url(url: &str) -> AppResult<(Backend, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        Ok((Backend::Sqlite, path.to_string()))
    } else if let Some(path) = url.strip_prefix("sqlite:") {
        Ok((Backend::Sqlite, path.to_string()))
    } else {
        Err(AppError::Config(format!(
            "unsupported database URL {url:?}: use sqlite://PATH or postgres://..."
        )))
    }
}

/// Opens one connection of the backend the URL names; never guesses by trial.
fn establish(url: &str) -> ConnectionResult<DbConnection> {
    match parse_url(url) {
        Ok((Backend::Postgres, u)) => PgConnection::establish(&u).map(DbConnection::Postgres),
        Ok((Backend::Sqlite, path)) => SqliteConnection::establish(&path).map(DbConnection::Sqlite),
        Err(e) => Err(ConnectionError::BadConnection(e.to_string())),
    }
}

/// Counts every SQL statement the pool's connections run: an operations figure, and what
/// the tests use to hold each page to its statement budget.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl diesel::connection::Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Per-connection settings applied whenever the pool hands out a new connection.
#[derive(Debug)]
struct Setup {
    durability: Durability,
    counter: StatementCounter,
}

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for Setup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        conn.set_instrumentation(self.counter.clone());
        if let DbConnection::Sqlite(c) = conn {
            // WAL lets readers run beside the one writer; busy_timeout makes writers queue
            // instead of failing with "database is locked".
            c.batch_execute(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = {}; \
                 PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY;",
                self.durability.pragma_value()
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Pool manager that opens connections by URL scheme (the derived
/// `Connection::establish` would try each backend in turn).
#[derive(Debug)]
pub struct SchemeManager {
    url: String,
}

impl diesel::r2d2::ManageConnection for SchemeManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        establish(&self.url).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        use diesel::r2d2::R2D2Connection;
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// Builds the pool and applies pending migrations.
pub fn connect(config: &Config) -> AppResult<DbPool> {
    connect_counted(config, StatementCounter::default())
}

/// Like [`connect`], counting the statements of every pooled connection in `counter`.
pub fn connect_counted(config: &Config, counter: StatementCounter) -> AppResult<DbPool> {
    let (backend, target) = parse_url(&config.database_url)?;
    if backend == Backend::Sqlite {
        if let Some(parent) = std::path::Path::new(&target).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    AppError::Config(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
    }
    let mut first = establish(&config.database_url)
        .map_err(|e| AppError::Config(format!("cannot open the database: {e}")))?;
    Setup {
        durability: config.durability,
        counter: StatementCounter::default(),
    }
    .on_acquire(&mut first)
    .map_err(|e| AppError::Config(format!("cannot configure the database: {e}")))?;
    run_migrations(&mut first)?;
    optimize(&mut first)?;
    drop(first);

    pool_of(config, config.pool_size, counter)
}

/// A pool of `size` connections to the (already migrated) database, counting their
/// statements in `counter`. Background workers take their own, so they never wait for
/// (or are counted with) the connections that serve requests.
pub fn pool_of(config: &Config, size: u32, counter: StatementCounter) -> AppResult<DbPool> {
    let manager = SchemeManager {
        url: config.database_url.clone(),
    };
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        // No ping before every checkout: it doubles the round trips of short requests. A
        // connection that died fails its query, is marked broken and replaced.
        .test_on_check_out(false)
        .connection_customizer(Box::new(Setup {
            durability: config.durability,
            counter,
        }))
        .build(manager)
        .map_err(|e| AppError::Config(format!("cannot open the database pool: {e}")))
}

/// Applies the embedded migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> AppResult<usize> {
    let source = match conn {
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
        DbConnection::Postgres(_) => POSTGRES_MIGRATIONS,
    };
    conn.run_pending_migrations(source)
        .map(|v| v.len())
        .map_err(|e| AppError::Config(format!("migration failed: {e}")))
}

/// Refreshes the query planner's statistics where they are missing or stale. SQLite
/// plans list pages badly without them (sorting every row instead of walking an index);
/// PostgreSQL's autovacuum keeps its own.
pub fn optimize(conn: &mut DbConnection) -> AppResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA optimize=0x10002;")?;
    }
    Ok(())
}

/// Collects fresh statistics after a bulk load, on either backend.
pub fn analyze(conn: &mut DbConnection) -> AppResult<()> {
    conn.batch_execute("ANALYZE")?;
    Ok(())
}

/// Runs `f` in a write transaction. On SQLite that is `BEGIN IMMEDIATE`, so the write lock
/// is taken up front and a busy database makes the caller wait (busy_timeout) instead of
/// failing halfway with SQLITE_BUSY.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgres(_) => DbConnection::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            DbConnection::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // The original error matters more than a failed rollback, which leaves the
            // connection marked broken so the pool discards it.
            let _ = DbConnection::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// The backend of a live connection.
pub fn backend_of(conn: &DbConnection) -> Backend {
    match conn {
        DbConnection::Sqlite(_) => Backend::Sqlite,
        DbConnection::Postgres(_) => Backend::Postgres,
    }
}

/// Checks out a connection, mapping pool exhaustion to a 503.
pub fn checkout(pool: &DbPool) -> AppResult<PooledConn> {
    pool.get().map_err(|e| AppError::Pool(e.to_string()))
}

/// Serialises writers to a hash-chained table on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
/// already does). Must run inside [`write_tx`].
pub fn lock_for_append(conn: &mut DbConnection, key: i64) -> AppResult<()> {
    if let DbConnection::Postgres(_) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({key})")).execute(conn)?;
    }
    Ok(())
}

/// Now, in UTC, at the precision both backends store (microseconds).
pub fn now() -> chrono::NaiveDateTime {
    let t = chrono::Utc::now().naive_utc();
    t.with_nanosecond_trunc()
}

trait TruncMicros {
    fn with_nanosecond_trunc(self) -> Self;
}

impl TruncMicros for chrono::NaiveDateTime {
    fn with_nanosecond_trunc(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_selects_backend() {
        assert_eq!(
            parse_url("sqlite://data/x.db").unwrap(),
            (Backend::Sqlite, "data/x.db".into())
        );
        assert_eq!(parse_url("postgres://u@h/db").unwrap().0, Backend::Postgres);
        assert_eq!(
            parse_url("postgresql://u@h/db").unwrap().0,
            Backend::Postgres
        );
        assert!(parse_url("mysql://x").is_err());
    }

    #[test]
    fn migrations_have_the_same_names_on_both_backends() {
        let names = |dir: &str| -> Vec<String> {
            let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
            let mut v: Vec<String> = std::fs::read_dir(path)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            v.sort();
            v
        };
        let (s, p) = (names("sqlite"), names("postgres"));
        assert!(!s.is_empty());
        assert_eq!(s, p);
    }
}
