//! The database: a pool of connections, the embedded migrations, and `run`,
//! which moves blocking Diesel work off the async workers. What is
//! particular to SQLite (pragmas, the write lock, how its errors read, the
//! query plan, FTS5) lives in `sqlite`; everything above `store/` names
//! `Conn`, never a Diesel backend.

pub mod schema;
pub mod sqlite;

use std::time::Duration;

use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;
use crate::store;

/// A connection to the database, as store functions take it.
pub type Conn = diesel::sqlite::SqliteConnection;

/// The Diesel backend of `Conn`, for the few queries that must name it
/// (boxed queries).
pub type Backend = diesel::sqlite::Sqlite;

pub type DbPool = Pool<ConnectionManager<Conn>>;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Opens the pool on `path` (created when missing) and brings the schema up to date.
pub fn connect(path: &str, size: u32) -> Result<DbPool, store::Error> {
    let manager = ConnectionManager::<Conn>::new(path);
    let pool = Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(sqlite::Pragmas))
        .build(manager)
        .map_err(|err| store::Error::other(format!("cannot open the database {path}"), err))?;
    let mut conn = pool
        .get()
        .map_err(|err| store::Error::other(format!("cannot open the database {path}"), err))?;
    migrate(&mut conn)?;
    Ok(pool)
}

/// Applies the migrations that have not run yet; returns their names.
pub fn migrate(conn: &mut Conn) -> Result<Vec<String>, store::Error> {
    conn.run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|err| store::Error::other("migration failed", err))
}

/// Runs blocking Diesel work on the blocking thread pool with a pooled
/// connection, so that the async workers keep serving other requests.
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
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
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| {
        let result = sqlite::write_transaction(conn, work);
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
pub fn schema_version(conn: &mut Conn) -> Result<String, store::Error> {
    let latest: Version =
        diesel::sql_query("SELECT max(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)?;
    Ok(latest.version)
}
