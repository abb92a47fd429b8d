//! Everything particular to SQLite, behind functions a PostgreSQL module can
//! offer with the same signatures: the per-connection pragmas, the write
//! transaction, how SQLite's error messages read, the query plan, and the
//! FTS5 search index with its query syntax.

pub mod search;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::sql_types::{Integer, Text};
use diesel::sqlite::SqliteConnection;

use crate::db::{Backend, Conn};

/// How long a connection waits for another writer before giving up with
/// SQLITE_BUSY (which the API answers as 503 with `Retry-After`).
const BUSY_TIMEOUT_MS: u32 = 5_000;

/// Sets the per-connection pragmas, every time the pool opens a connection.
pub fn configure(conn: &mut SqliteConnection) -> QueryResult<()> {
    // busy_timeout first, so that the pragmas below already wait for a
    // writer instead of failing; one statement per call, as SQLite
    // ignores all but the first of a batch in some pragma forms.
    let pragmas = [
        format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"),
        "PRAGMA journal_mode = WAL".to_owned(),
        "PRAGMA synchronous = NORMAL".to_owned(),
        "PRAGMA foreign_keys = ON".to_owned(),
        // A 2 MiB page cache per connection, and no memory map: the
        // operating system's file cache holds the rest, and the server
        // stays well under 64 MB of resident memory (benches/run.sh
        // measured 1.3 GB with 64 MiB caches and a 256 MiB map on eight
        // connections). Bodies live apart from article rows, so lists
        // and counts touch few pages anyway.
        "PRAGMA cache_size = -2048".to_owned(),
        // SQLite gives freed memory back to the allocator, but glibc
        // keeps it in the arena of whichever thread ran the query: a
        // topic list's temporary b-trees pushed the server from 44 to
        // 73 MB. Past this limit SQLite reuses its own pages instead
        // (process-wide; same req/s, peak 39 MB on that run).
        "PRAGMA soft_heap_limit = 8388608".to_owned(),
    ];
    for pragma in &pragmas {
        diesel::sql_query(pragma.as_str()).execute(conn)?;
    }
    Ok(())
}

/// Runs `work` in a `BEGIN IMMEDIATE` transaction: the write lock is taken
/// up front, so that a transaction that reads then writes waits for other
/// writers (busy_timeout) instead of failing with SQLITE_BUSY half-way.
/// (`SqliteConnection::immediate_transaction`, for the `Conn` around it.)
pub fn write_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let Conn::Sqlite(sqlite) = conn else {
        return Err(diesel::result::Error::BrokenTransactionManager.into());
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match work(conn) {
        Ok(value) => {
            <Conn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            <Conn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

/// True when SQLite gave up waiting for another writer.
pub fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

/// The column a unique violation names: SQLite writes
/// "UNIQUE constraint failed: articles.slug".
pub fn unique_column(message: &str) -> Option<&str> {
    message
        .strip_prefix("UNIQUE constraint failed: ")
        .and_then(|columns| columns.split(", ").next())
        .and_then(|column| column.rsplit('.').next())
        .filter(|column| !column.contains(' '))
}

/// `EXPLAIN QUERY PLAN` in front of any query, binds and all, so that a
/// test can check the plan of the very query a request runs.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
struct Explain<Q>(Q);

impl<Q: QueryFragment<Backend>> QueryFragment<Backend> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("EXPLAIN QUERY PLAN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> Query for Explain<Q> {
    type SqlType = (Integer, Integer, Integer, Text);
}

impl<Q> RunQueryDsl<Conn> for Explain<Q> {}

/// The plan SQLite would follow for `query`: one line per step.
pub fn plan<Q: QueryFragment<Backend> + diesel::query_builder::QueryId>(
    conn: &mut Conn,
    query: Q,
) -> QueryResult<Vec<String>> {
    let lines: Vec<(i32, i32, i32, String)> = Explain(query).load(conn)?;
    Ok(lines.into_iter().map(|line| line.3).collect())
}
