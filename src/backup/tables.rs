//! The tables of a database as a backup sees them: read from the database's own
//! catalogue (so every table a migration adds is in the next backup without a line of
//! code), ordered so that a table comes after the tables it refers to, and read and
//! written row by row in a form both backends share.
//!
//! A row travels as a JSON array that the source database builds itself
//! (`json_array` on SQLite, `json_build_array` on PostgreSQL), with binary columns in
//! hex and, from SQLite, doubles as text of 17 digits (its JSON keeps 15). The two
//! backends spell some values differently (a boolean is `0`/`1` on SQLite and
//! `false`/`true` on PostgreSQL; a timestamp has a space or a `T` before its time), so
//! the target converts each value by the type of its own column.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Binary, Bool, Double, Integer, Nullable, Text, Timestamp};
use serde_json::Value;

use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// Tables left out of a backup, because they are derived from the others and rebuilt as
/// the rows go back in: the search outbox (the index is rebuilt), the counters database
/// triggers keep, and the chunks of stored files (files travel as files, so that they
/// can go into whichever store the target uses). Diesel's own table of migrations is
/// recorded in the header instead.
const DERIVED: &[&str] = &[
    "__diesel_schema_migrations",
    "search_outbox",
    "challenge_status_counts",
    "publisher_counts",
    "file_chunks",
];

/// How a column's values are stored, as far as a backup cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A 32-bit integer (PostgreSQL `integer`).
    Int32,
    /// A 64-bit integer (`BIGINT`; every integer on SQLite).
    Int64,
    /// A floating-point number.
    Float,
    /// A boolean.
    Bool,
    /// Text.
    Text,
    /// A timestamp without a time zone (UTC by convention).
    Timestamp,
    /// Bytes.
    Bytes,
}

impl Kind {
    /// The kind of a column declared with `declared` (either backend's spelling); every
    /// integer of SQLite has 64 bits.
    fn of(declared: &str, sqlite: bool) -> Option<Kind> {
        Some(match declared.to_ascii_lowercase().as_str() {
            "integer" | "int4" if sqlite => Kind::Int64,
            "integer" | "int4" => Kind::Int32,
            "bigint" | "int8" => Kind::Int64,
            "double" | "double precision" | "real" | "float8" => Kind::Float,
            "boolean" | "bool" => Kind::Bool,
            "text" => Kind::Text,
            "timestamp" | "timestamp without time zone" => Kind::Timestamp,
            "blob" | "bytea" => Kind::Bytes,
            _ => return None,
        })
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// What it stores.
    pub kind: Kind,
}

/// One table of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Its columns, in the order the database lists them.
    pub columns: Vec<Column>,
    /// The columns of its primary key.
    pub key: Vec<String>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = BigInt)]
    key: i64,
}

#[derive(QueryableByName)]
struct Reference {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A name from the catalogue, quoted for SQL. Names with a quote are not ours.
fn quoted(name: &str) -> AppResult<String> {
    if name.contains('"') || name.is_empty() {
        return Err(AppError::Config(format!(
            "unexpected table or column name {name:?}"
        )));
    }
    Ok(format!("\"{name}\""))
}

/// A string from the catalogue inside single quotes (checked like [`quoted`]).
fn literal(name: &str) -> AppResult<String> {
    quoted(name).map(|_| format!("'{name}'"))
}

/// The application's tables, those it refers to first; without [`DERIVED`] ones.
pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Table>> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let names: Vec<Name> = if sqlite {
        diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .load(conn)?
    } else {
        diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .load(conn)?
    };
    let names: Vec<String> = names
        .into_iter()
        .map(|n| n.name)
        .filter(|n| !DERIVED.contains(&n.as_str()))
        .collect();

    let mut tables = BTreeMap::new();
    let mut references: Vec<Reference> = Vec::new();
    for name in &names {
        let rows: Vec<ColumnRow> = if sqlite {
            references.extend(
                diesel::sql_query(format!(
                    "SELECT {} AS child, \"table\" AS parent FROM pragma_foreign_key_list({})",
                    literal(name)?,
                    literal(name)?
                ))
                .load::<Reference>(conn)?,
            );
            diesel::sql_query(format!(
                "SELECT name, type AS declared, pk AS key FROM pragma_table_info({})",
                literal(name)?
            ))
            .load(conn)?
        } else {
            diesel::sql_query(format!(
                "SELECT c.column_name::text AS name, c.data_type::text AS declared, \
                 COALESCE((SELECT k.ordinal_position FROM information_schema.key_column_usage k \
                   JOIN information_schema.table_constraints t \
                     ON t.constraint_name = k.constraint_name AND t.table_schema = k.table_schema \
                   WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema \
                     AND k.table_name = c.table_name AND k.column_name = c.column_name), 0)::bigint AS key \
                 FROM information_schema.columns c \
                 WHERE c.table_schema = current_schema() AND c.table_name = {} \
                 ORDER BY c.ordinal_position",
                literal(name)?
            ))
            .load(conn)?
        };
        let mut key: Vec<(i64, String)> = Vec::new();
        let mut columns = Vec::new();
        for c in rows {
            let kind = Kind::of(&c.declared, sqlite).ok_or_else(|| {
                AppError::Config(format!(
                    "column {name}.{} has a type backups do not know: {}",
                    c.name, c.declared
                ))
            })?;
            if c.key > 0 {
                key.push((c.key, c.name.clone()));
            }
            columns.push(Column { name: c.name, kind });
        }
        key.sort();
        tables.insert(
            name.clone(),
            Table {
                name: name.clone(),
                columns,
                key: key.into_iter().map(|(_, c)| c).collect(),
            },
        );
    }
    if !sqlite {
        references = diesel::sql_query(
            "SELECT c.relname::text AS child, p.relname::text AS parent FROM pg_constraint k \
             JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
             WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace",
        )
        .load(conn)?;
    }
    let parents: Vec<(String, String)> = references
        .into_iter()
        .map(|r| (r.child, r.parent))
        .collect();
    Ok(parents_first(&names, &parents)?
        .into_iter()
        .filter_map(|n| tables.remove(&n))
        .collect())
}

/// `names` ordered so that every table comes after the tables it refers to (by name
/// where that leaves a choice). A table that refers to itself is fine (its rows go back
/// in key order); a cycle between tables is not, and no migration makes one.
fn parents_first(names: &[String], references: &[(String, String)]) -> AppResult<Vec<String>> {
    let known: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut waiting_for: BTreeMap<&str, BTreeSet<&str>> = names
        .iter()
        .map(|n| (n.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in references {
        if child != parent && known.contains(child.as_str()) && known.contains(parent.as_str()) {
            if let Some(w) = waiting_for.get_mut(child.as_str()) {
                w.insert(parent.as_str());
            }
        }
    }
    let mut order = Vec::with_capacity(names.len());
    while !waiting_for.is_empty() {
        let ready: Vec<&str> = waiting_for
            .iter()
            .filter(|(_, w)| w.is_empty())
            .map(|(n, _)| *n)
            .collect();
        if ready.is_empty() {
            let stuck: Vec<&str> = waiting_for.keys().copied().collect();
            return Err(AppError::Config(format!(
                "these tables refer to each other in a cycle: {}",
                stuck.join(", ")
            )));
        }
        for n in ready {
            waiting_for.remove(n);
            for w in waiting_for.values_mut() {
                w.remove(n);
            }
            order.push(n.to_string());
        }
    }
    Ok(order)
}

/// How many rows a table has.
pub fn count(conn: &mut DbConnection, table: &Table) -> AppResult<u64> {
    let c: Count = diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM {}",
        quoted(&table.name)?
    ))
    .get_result(conn)?;
    Ok(c.n as u64)
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = BigInt)]
    key: i64,
    #[diesel(sql_type = Text)]
    row: String,
}

/// Rows read per statement from a table keyed by one integer.
const READ_BATCH: i64 = 1000;

impl Table {
    /// Whether the table is keyed by one integer column, so it can be read in batches.
    fn integer_key(&self) -> Option<&str> {
        match self.key.as_slice() {
            [k] => self
                .columns
                .iter()
                .find(|c| &c.name == k && matches!(c.kind, Kind::Int32 | Kind::Int64))
                .map(|c| c.name.as_str()),
            _ => None,
        }
    }

    /// Calls `each` with every row as a JSON array, in key order: in batches of
    /// [`READ_BATCH`] when the key is one integer, otherwise all at once (the tables
    /// keyed by pairs are small links).
    pub fn read_rows(
        &self,
        conn: &mut DbConnection,
        each: &mut dyn FnMut(&str) -> AppResult<()>,
    ) -> AppResult<()> {
        let sqlite = matches!(conn, DbConnection::Sqlite(_));
        let mut values = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let q = quoted(&c.name)?;
            values.push(match (c.kind, sqlite) {
                // SQLite's JSON keeps 15 digits of a double; 17 keep every bit.
                (Kind::Float, true) => {
                    format!("CASE WHEN {q} IS NULL THEN NULL ELSE printf('%!.17g', {q}) END")
                }
                (Kind::Bytes, true) => format!("hex({q})"),
                (Kind::Bytes, false) => format!("encode({q}, 'hex')"),
                _ => q,
            });
        }
        let array = if sqlite {
            format!("json_array({})", values.join(", "))
        } else {
            format!("json_build_array({})::text", values.join(", "))
        };
        let table = quoted(&self.name)?;
        let Some(key) = self.integer_key() else {
            let order = if self.key.is_empty() {
                "1".to_string()
            } else {
                self.key
                    .iter()
                    .map(|k| quoted(k))
                    .collect::<AppResult<Vec<_>>>()?
                    .join(", ")
            };
            let rows: Vec<JsonRow> = diesel::sql_query(format!(
                "SELECT CAST(0 AS BIGINT) AS key, {array} AS row FROM {table} ORDER BY {order}"
            ))
            .load(conn)?;
            return rows.iter().try_for_each(|r| each(&r.row));
        };
        let key = quoted(key)?;
        let mut after = i64::MIN;
        loop {
            let rows: Vec<JsonRow> = diesel::sql_query(format!(
                "SELECT CAST({key} AS BIGINT) AS key, {array} AS row FROM {table} WHERE {key} > {after} \
                 ORDER BY {key} LIMIT {READ_BATCH}"
            ))
            .load(conn)?;
            for r in &rows {
                each(&r.row)?;
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == READ_BATCH => after = last.key,
                _ => return Ok(()),
            }
        }
    }
}

type Db = <DbConnection as Connection>::Backend;
type Insert = BoxedSqlQuery<'static, Db, SqlQuery>;

/// Bound parameters per insert statement (SQLite allows 32,766, PostgreSQL 65,535).
const PARAMETERS: usize = 8_000;

/// Writes rows into a table of the target database, in statements of many rows.
pub struct Inserter<'t> {
    table: &'t Table,
    columns: Vec<Column>,
    pending: Vec<Vec<Value>>,
    per_statement: usize,
    written: u64,
}

impl<'t> Inserter<'t> {
    /// An inserter of rows with these columns (named by the backup) into `table` (as the
    /// target has it); every column must be one of the table's.
    pub fn new(table: &'t Table, names: &[String]) -> AppResult<Self> {
        let columns = names
            .iter()
            .map(|n| {
                table
                    .columns
                    .iter()
                    .find(|c| &c.name == n)
                    .cloned()
                    .ok_or_else(|| {
                        AppError::Config(format!(
                            "the backup's table {} has a column {n} that this database lacks",
                            table.name
                        ))
                    })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let per_statement = (PARAMETERS / columns.len().max(1)).max(1);
        Ok(Inserter {
            table,
            columns,
            pending: Vec::new(),
            per_statement,
            written: 0,
        })
    }

    /// The table the rows go into.
    pub fn table_name(&self) -> &str {
        &self.table.name
    }

    /// Adds a row, writing a statement's worth when there are enough.
    pub fn push(&mut self, conn: &mut DbConnection, row: Vec<Value>) -> AppResult<()> {
        if row.len() != self.columns.len() {
            return Err(AppError::Config(format!(
                "a row of {} has {} values for {} columns",
                self.table.name,
                row.len(),
                self.columns.len()
            )));
        }
        self.pending.push(row);
        if self.pending.len() >= self.per_statement {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes what is pending; returns the rows written so far.
    pub fn flush(&mut self, conn: &mut DbConnection) -> AppResult<u64> {
        if self.pending.is_empty() {
            return Ok(self.written);
        }
        let sqlite = matches!(conn, DbConnection::Sqlite(_));
        let names = self
            .columns
            .iter()
            .map(|c| quoted(&c.name))
            .collect::<AppResult<Vec<_>>>()?
            .join(", ");
        let width = self.columns.len();
        let tuples: Vec<String> = (0..self.pending.len())
            .map(|r| {
                let marks: Vec<String> = (0..width)
                    .map(|c| {
                        if sqlite {
                            "?".to_string()
                        } else {
                            format!("${}", r * width + c + 1)
                        }
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({names}) VALUES {}",
            quoted(&self.table.name)?,
            tuples.join(", ")
        );
        let mut query: Insert = diesel::sql_query(sql).into_boxed();
        for row in self.pending.drain(..) {
            for (column, value) in self.columns.iter().zip(row) {
                query = bind(query, column, value).map_err(|what| {
                    AppError::Config(format!(
                        "a value of {}.{} cannot be read: {what}",
                        self.table.name, column.name
                    ))
                })?;
            }
        }
        self.written += query.execute(conn)? as u64;
        Ok(self.written)
    }
}

/// Binds one value as its target column's kind, accepting either backend's spelling.
fn bind(query: Insert, column: &Column, value: Value) -> Result<Insert, String> {
    if value.is_null() {
        return Ok(match column.kind {
            Kind::Int32 => query.bind::<Nullable<Integer>, _>(None::<i32>),
            Kind::Int64 => query.bind::<Nullable<BigInt>, _>(None::<i64>),
            Kind::Float => query.bind::<Nullable<Double>, _>(None::<f64>),
            Kind::Bool => query.bind::<Nullable<Bool>, _>(None::<bool>),
            Kind::Text => query.bind::<Nullable<Text>, _>(None::<String>),
            Kind::Timestamp => query.bind::<Nullable<Timestamp>, _>(None::<chrono::NaiveDateTime>),
            Kind::Bytes => query.bind::<Nullable<Binary>, _>(None::<Vec<u8>>),
        });
    }
    let wrong = || format!("{value} is not a {:?}", column.kind);
    let integer = || match &value {
        Value::Bool(b) => Some(i64::from(*b)),
        v => v.as_i64(),
    };
    Ok(match column.kind {
        Kind::Int32 => {
            let v = integer()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(wrong)?;
            query.bind::<Integer, _>(v)
        }
        Kind::Int64 => query.bind::<BigInt, _>(integer().ok_or_else(wrong)?),
        Kind::Float => {
            let f = match &value {
                Value::String(s) => s.parse().ok(),
                v => v.as_f64(),
            };
            query.bind::<Double, _>(f.ok_or_else(wrong)?)
        }
        Kind::Bool => {
            let v = match &value {
                Value::Bool(b) => *b,
                v => match v.as_i64() {
                    Some(0) => false,
                    Some(1) => true,
                    _ => return Err(wrong()),
                },
            };
            query.bind::<Bool, _>(v)
        }
        Kind::Text => match value {
            Value::String(s) => query.bind::<Text, _>(s),
            _ => return Err(wrong()),
        },
        Kind::Timestamp => {
            let t = value.as_str().and_then(timestamp).ok_or_else(wrong)?;
            query.bind::<Timestamp, _>(t)
        }
        Kind::Bytes => {
            let b = value
                .as_str()
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(wrong)?;
            query.bind::<Binary, _>(b)
        }
    })
}

/// A timestamp as either backend writes it: `2026-12-08 09:30:00.123456` (SQLite, the
/// fraction only when there is one) or `2026-12-08T09:30:00.123456` (PostgreSQL's JSON).
fn timestamp(s: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(&s.replacen('T', " ", 1), "%Y-%m-%d %H:%M:%S%.f").ok()
}

/// Whether every table of the application is empty; names the first that is not.
pub fn first_filled(conn: &mut DbConnection, tables: &[Table]) -> AppResult<Option<(String, u64)>> {
    for t in tables {
        let n = count(conn, t)?;
        if n > 0 {
            return Ok(Some((t.name.clone(), n)));
        }
    }
    Ok(None)
}

/// After rows went in with their ids, PostgreSQL's identity sequences start above the
/// highest id again (SQLite's rowids follow the rows by themselves).
pub fn continue_sequences(conn: &mut DbConnection, tables: &[Table]) -> AppResult<()> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(());
    }
    for t in tables {
        let Some(key) = t.integer_key() else { continue };
        diesel::sql_query(format!(
            "SELECT setval(pg_get_serial_sequence({table_lit}, {key_lit}), \
             COALESCE((SELECT MAX({key}) FROM {table}), 0) + 1, false)",
            table_lit = literal(&t.name)?,
            key_lit = literal(key)?,
            key = quoted(key)?,
            table = quoted(&t.name)?,
        ))
        .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_the_tables_they_refer_to() {
        let names: Vec<String> = ["reviews", "users", "proposals", "organisations"]
            .map(String::from)
            .to_vec();
        let refs: Vec<(String, String)> = [
            ("reviews", "proposals"),
            ("reviews", "users"),
            ("proposals", "organisations"),
            ("organisations", "organisations"),
            ("proposals", "elsewhere"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec();
        assert_eq!(
            parents_first(&names, &refs).unwrap(),
            ["organisations", "users", "proposals", "reviews"]
        );
        let cycle = [("a", "b"), ("b", "a")].map(|(a, b)| (a.to_string(), b.to_string()));
        let e = parents_first(&["a".into(), "b".into()], &cycle).unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");
    }

    #[test]
    fn timestamps_of_both_backends_read_alike() {
        use chrono::Timelike;
        let t = timestamp("2026-12-08 09:30:00.123456").unwrap();
        assert_eq!(timestamp("2026-12-08T09:30:00.123456"), Some(t));
        assert_eq!(
            timestamp("2026-12-08 09:30:00").unwrap(),
            t.with_nanosecond(0).unwrap()
        );
        assert_eq!(timestamp("08.12.2026"), None);
    }

    #[test]
    fn both_backends_type_names_are_known() {
        for (declared, kind) in [
            ("BIGINT", Kind::Int64),
            ("bigint", Kind::Int64),
            ("integer", Kind::Int32),
            ("TIMESTAMP", Kind::Timestamp),
            ("timestamp without time zone", Kind::Timestamp),
            ("BLOB", Kind::Bytes),
            ("bytea", Kind::Bytes),
            ("DOUBLE PRECISION", Kind::Float),
            ("BOOLEAN", Kind::Bool),
        ] {
            assert_eq!(Kind::of(declared, false), Some(kind), "{declared}");
        }
        assert_eq!(Kind::of("INTEGER", true), Some(Kind::Int64));
        assert_eq!(Kind::of("jsonb", false), None);
    }

    #[test]
    fn names_with_quotes_are_refused() {
        assert!(quoted("users").is_ok());
        assert!(quoted("users\"; DROP TABLE x; --").is_err());
        assert!(literal("a'b\"").is_err());
    }
}
