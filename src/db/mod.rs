//! The database: a pool of SQLite connections with our pragmas, the embedded
//! migrations, and `run`, which moves blocking Diesel work off the async workers.

pub mod schema;

use std::time::Duration;

use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

pub type DbPool = Pool<ConnectionManager<SqliteConnection>>;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// How long a connection waits for another writer before giving up with
/// SQLITE_BUSY (which the API answers as 503 with `Retry-After`).
const BUSY_TIMEOUT_MS: u32 = 5_000;

/// Sets the per-connection pragmas every time the pool opens a connection.
#[derive(Debug, Clone, Copy)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
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
            diesel::sql_query(pragma.as_str())
                .execute(conn)
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens the pool on `path` (created when missing) and brings the schema up to date.
pub fn connect(path: &str, size: u32) -> Result<DbPool, String> {
    let manager = ConnectionManager::<SqliteConnection>::new(path);
    let pool = Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(Pragmas))
        .build(manager)
        .map_err(|err| format!("cannot open the database {path}: {err}"))?;
    let mut conn = pool
        .get()
        .map_err(|err| format!("cannot open the database {path}: {err}"))?;
    migrate(&mut conn)?;
    Ok(pool)
}

/// Applies the migrations that have not run yet; returns their names.
pub fn migrate(conn: &mut SqliteConnection) -> Result<Vec<String>, String> {
    conn.run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|err| format!("migration failed: {err}"))
}

/// Runs blocking Diesel work on the blocking thread pool with a pooled
/// connection, so that the async workers keep serving other requests.
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

/// Runs `work` in a `BEGIN IMMEDIATE` transaction: the write lock is taken
/// up front, so that a transaction that reads then writes waits for other
/// writers (busy_timeout) instead of failing with SQLITE_BUSY half-way.
pub async fn write<T, F>(pool: &DbPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| {
        let result = conn.immediate_transaction(work);
        // Deliveries it queued go out now, not at the worker's next poll.
        crate::webhooks::transaction_ended(result.is_ok());
        result
    })
    .await
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// The latest migration applied: the database answers, and says which schema it has.
pub fn schema_version(conn: &mut SqliteConnection) -> Result<String, ApiError> {
    let latest: Version =
        diesel::sql_query("SELECT max(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)?;
    Ok(latest.version)
}
