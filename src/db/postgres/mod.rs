//! Everything particular to PostgreSQL, with the signatures of `sqlite`:
//! the session settings, the write transaction, how PostgreSQL's errors
//! read, the query plan, and the tsvector search index with its query
//! syntax.

pub mod search;

use diesel::migration::MigrationVersion;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::sql_types::Text;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::db::{Backend, Conn};

/// The advisory lock every write transaction takes (any number would do,
/// as long as it is the same on every node): `pg_advisory_xact_lock`
/// queues writers the way SQLite's `BEGIN IMMEDIATE` does, across nodes,
/// so that a read-then-write (an If-Match check, a slug chosen, a kept
/// count) never interleaves with another. Readers never take it.
const WRITE_LOCK: i64 = 0x6e65_7773_6465_736b; // "newsdesk"

/// The advisory lock around migrations, so that two nodes starting at
/// once do not both apply the same one.
const MIGRATION_LOCK: i64 = WRITE_LOCK + 1;

/// How long a statement may wait for a lock before giving up (which the
/// API answers as 503 with `Retry-After`), as SQLite's busy_timeout.
const LOCK_TIMEOUT: &str = "5s";

/// Sets the session up, every time the pool opens a connection.
pub fn configure(conn: &mut PgConnection) -> QueryResult<()> {
    // Timestamps are UTC without a zone, as on SQLite; the session's zone
    // must not shift `now()` (the triggers and expiry compare with it).
    diesel::sql_query("SET TIME ZONE 'UTC'").execute(conn)?;
    diesel::sql_query(format!("SET lock_timeout = '{LOCK_TIMEOUT}'")).execute(conn)?;
    Ok(())
}

/// Applies the pending PostgreSQL migrations, one node at a time.
pub fn migrate(
    conn: &mut PgConnection,
    migrations: EmbeddedMigrations,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    // The session lock waits as long as another node takes to migrate,
    // which lock_timeout would cut short.
    diesel::sql_query("SET lock_timeout = 0").execute(conn)?;
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(conn)?;
    let applied = conn
        .run_pending_migrations(migrations)
        .map(|versions| versions.iter().map(MigrationVersion::to_string).collect());
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(conn)?;
    diesel::sql_query(format!("SET lock_timeout = '{LOCK_TIMEOUT}'")).execute(conn)?;
    applied
}

/// Runs `work` in a transaction that first takes the write lock.
pub fn write_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})")).execute(conn)?;
        work(conn)
    })
}

/// Moves the identity sequence of every table past its largest id
/// (`newsdesk_reset_sequences()`, migrations/postgres/…_rebuild).
pub fn move_sequences(conn: &mut Conn) -> QueryResult<()> {
    diesel::sql_query("SELECT newsdesk_reset_sequences()")
        .execute(conn)
        .map(drop)
}

/// True when PostgreSQL gave up waiting for a lock, or chose this
/// transaction as a deadlock's or a serialisation conflict's loser: worth
/// a retry, not a bug.
pub fn is_busy(message: &str) -> bool {
    message.contains("lock timeout")
        || message.contains("deadlock detected")
        || message.contains("could not serialize access")
}

/// True when a value sent held U+0000, which PostgreSQL's text refuses.
pub fn is_nul_in_text(message: &str) -> bool {
    message.contains("invalid byte sequence for encoding \"UTF8\": 0x00")
        || message.contains("unsupported Unicode escape sequence")
}

/// The first column a unique violation names: PostgreSQL's detail reads
/// "Key (slug)=(north-korea) already exists." (or "Key (lower(email))=…",
/// which names no plain column and gives `None`).
pub fn unique_column(details: &str) -> Option<&str> {
    details
        .strip_prefix("Key (")
        .and_then(|rest| rest.split([',', ')']).next())
        .filter(|column| {
            column
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .filter(|column| !column.is_empty())
}

/// `EXPLAIN` in front of any query, binds and all, so that a test can
/// check the plan of the very query a request runs.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
struct Explain<Q>(Q);

impl<Q: QueryFragment<Backend>> QueryFragment<Backend> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("EXPLAIN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}

impl<Q> RunQueryDsl<Conn> for Explain<Q> {}

/// The plan PostgreSQL would follow for `query`: one line per node.
pub fn plan<Q: QueryFragment<Backend> + diesel::query_builder::QueryId>(
    conn: &mut Conn,
    query: Q,
) -> QueryResult<Vec<String>> {
    Explain(query).load(conn)
}

#[cfg(test)]
mod tests {
    use super::unique_column;

    #[test]
    fn the_column_of_a_unique_violation_is_read_from_its_detail() {
        assert_eq!(
            unique_column("Key (slug)=(north-korea) already exists."),
            Some("slug")
        );
        assert_eq!(
            unique_column("Key (topic_id, alias)=(1, dprk) already exists."),
            Some("topic_id")
        );
        assert_eq!(
            unique_column("Key (lower(email))=(a@b.c) already exists."),
            None
        );
        assert_eq!(unique_column(""), None);
    }
}
