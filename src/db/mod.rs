//! The database: a pool of connections to SQLite or PostgreSQL, the
//! embedded migrations of each, and `run`, which moves blocking Diesel work
//! off the async workers. What is particular to one backend (pragmas or
//! session settings, the write lock, how its errors read, the query plan,
//! the search index) lives in `sqlite` and `postgres`; everything above
//! `store/` names `Conn`, never a Diesel backend.

pub mod expr;
pub mod postgres;
pub mod schema;
pub mod search;
pub mod sqlite;

use std::time::Duration;

use diesel::prelude::*;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::r2d2::{ManageConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;
use crate::store;

/// A connection to the database, as store functions take it: Diesel's
/// `MultiConnection` over the two backends, so that one query written with
/// the DSL runs on either. Code that must differ matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Sqlite(diesel::sqlite::SqliteConnection),
    Postgres(diesel::pg::PgConnection),
}

/// The Diesel backend of `Conn`, for the few queries that must name it
/// (boxed queries).
pub type Backend = MultiBackend;

pub type DbPool = Pool<Connector>;

/// The SQLite migrations in `migrations/sqlite/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The PostgreSQL migrations in `migrations/postgres/`: the same schema
/// (checked by tests/postgres/schema_check.sh), with the search index as
/// a tsvector and the kept counts as PL/pgSQL triggers.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a `DATABASE_URL` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    /// `postgres://` and `postgresql://` URLs are PostgreSQL; anything
    /// else is the path of an SQLite file (a `sqlite://` prefix is taken
    /// off by `Config::database_path`).
    pub fn of(url: &str) -> Kind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Kind::Postgres
        } else {
            Kind::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        }
    }
}

impl Conn {
    pub fn kind(&self) -> Kind {
        match self {
            Conn::Sqlite(_) => Kind::Sqlite,
            Conn::Postgres(_) => Kind::Postgres,
        }
    }
}

/// Opens connections of the backend the URL names, and nothing else: an
/// unreachable PostgreSQL is an error, never a fallback to an SQLite file
/// named like the URL (as `MultiConnection::establish` would do).
#[derive(Debug, Clone)]
pub struct Connector {
    url: String,
    kind: Kind,
}

impl Connector {
    pub fn new(url: &str) -> Connector {
        Connector {
            url: url.to_owned(),
            kind: Kind::of(url),
        }
    }
}

impl ManageConnection for Connector {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let mut conn = match self.kind {
            Kind::Sqlite => Conn::Sqlite(
                diesel::sqlite::SqliteConnection::establish(&self.url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
            Kind::Postgres => Conn::Postgres(
                diesel::pg::PgConnection::establish(&self.url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
        };
        match &mut conn {
            Conn::Sqlite(sqlite) => sqlite::configure(sqlite),
            Conn::Postgres(postgres) => postgres::configure(postgres),
        }
        .map_err(diesel::r2d2::Error::QueryError)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        use diesel::r2d2::R2D2Connection;
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// Opens the pool on `url` (an SQLite file, created when missing, or a
/// PostgreSQL URL) and brings the schema up to date.
pub fn connect(url: &str, size: u32) -> Result<DbPool, store::Error> {
    let shown = Kind::of(url).name();
    let pool = Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .build(Connector::new(url))
        .map_err(|err| {
            store::Error::other(
                format!("cannot open the {shown} database {}", redacted(url)),
                err,
            )
        })?;
    let mut conn = pool.get().map_err(|err| {
        store::Error::other(
            format!("cannot open the {shown} database {}", redacted(url)),
            err,
        )
    })?;
    migrate(&mut conn)?;
    Ok(pool)
}

/// The URL without its password, for logs and errors.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Applies the migrations that have not run yet; returns their names.
pub fn migrate(conn: &mut Conn) -> Result<Vec<String>, store::Error> {
    let applied = match conn {
        Conn::Sqlite(sqlite) => sqlite
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect()),
        Conn::Postgres(postgres) => postgres::migrate(postgres, POSTGRES_MIGRATIONS),
    };
    applied.map_err(|err| store::Error::other("migration failed", err))
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

/// Runs `work`, which claims background work (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL, see `store::outbox::candidates`) and
/// marks it taken, in a transaction of its own: on SQLite the write
/// transaction (claimers take turns), on PostgreSQL a plain one, since the
/// rows it claims are locked to other claimers by then; so a claim waits
/// neither for editors' writes nor for other nodes' claims.
pub async fn claim<T, F>(pool: &DbPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| match conn.kind() {
        Kind::Sqlite => write_transaction(conn, work),
        Kind::Postgres => conn.transaction(work),
    })
    .await
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
        let result = write_transaction(conn, work);
        // Deliveries it queued go out now, not at the worker's next poll.
        crate::webhooks::transaction_ended(result.is_ok());
        result
    })
    .await
}

/// Runs `work` in one read transaction: every query in it sees the same
/// snapshot of the database.
pub fn read_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(work)
}

/// Runs `work` in a transaction that holds the database's write lock from
/// its first statement: one writer at a time, on every node, so that a
/// read-then-write (an If-Match check, a kept count) is never interleaved
/// with another writer's.
pub fn write_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn.kind() {
        Kind::Sqlite => sqlite::write_transaction(conn, work),
        Kind::Postgres => postgres::write_transaction(conn, work),
    }
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

/// The plan the database would follow for `query`, one line per step, in
/// its own words (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL).
pub fn plan<Q>(conn: &mut Conn, query: Q) -> QueryResult<Vec<String>>
where
    Q: diesel::query_builder::QueryFragment<Backend> + diesel::query_builder::QueryId,
{
    match conn.kind() {
        Kind::Sqlite => sqlite::plan(conn, query),
        Kind::Postgres => postgres::plan(conn, query),
    }
}

/// Runs an `INSERT … ON CONFLICT` statement. Both backends have the
/// clause, but Diesel's `MultiConnection` leaves it out of their common
/// subset, so the statement runs on the connection inside.
pub fn execute_on_conflict<S>(conn: &mut Conn, statement: S) -> QueryResult<usize>
where
    S: ExecuteDsl<diesel::sqlite::SqliteConnection> + ExecuteDsl<diesel::pg::PgConnection>,
{
    match conn {
        Conn::Sqlite(sqlite) => ExecuteDsl::execute(statement, sqlite),
        Conn::Postgres(postgres) => ExecuteDsl::execute(statement, postgres),
    }
}

/// Checks foreign keys at commit instead of after each statement, for the
/// rest of the transaction (an import, whose records may name later ones).
pub fn defer_foreign_keys(conn: &mut Conn) -> QueryResult<()> {
    let statement = match conn.kind() {
        Kind::Sqlite => "PRAGMA defer_foreign_keys = ON",
        Kind::Postgres => "SET CONSTRAINTS ALL DEFERRED",
    };
    diesel::sql_query(statement).execute(conn).map(drop)
}

/// After rows were written with explicit ids: the next id of every table
/// comes after its largest. SQLite's rowids do so by themselves;
/// PostgreSQL's identity sequences must be moved.
pub fn number_after_explicit_ids(conn: &mut Conn) -> QueryResult<()> {
    match conn.kind() {
        Kind::Sqlite => Ok(()),
        Kind::Postgres => postgres::move_sequences(conn),
    }
}

/// One connection of its own to `url`, configured as the pool's are (for
/// tools and tests that stand beside a running server).
pub fn establish(url: &str) -> Result<Conn, store::Error> {
    Connector::new(url).connect().map_err(|err| {
        store::Error::other(format!("cannot open the database {}", redacted(url)), err)
    })
}

/// Starts a bulk load (an import: one transaction of many records). On
/// PostgreSQL the triggers that keep counts, the topic closure, the search
/// index and the generations stand aside until `end_bulk_load` (a row that
/// one transaction updates many times costs each later update a walk over
/// its versions: minutes for 10,000 articles, against seconds). SQLite's
/// triggers stay on: they cost there what the row costs.
pub fn begin_bulk_load(conn: &mut Conn) -> QueryResult<()> {
    match conn.kind() {
        Kind::Sqlite => Ok(()),
        Kind::Postgres => diesel::sql_query("SET LOCAL newsdesk.bulk_load = 'on'")
            .execute(conn)
            .map(drop),
    }
}

/// Ends a bulk load: recomputes what the triggers keep from the rows
/// (`newsdesk_rebuild_kept()`), and turns them back on for the rest of
/// the transaction.
pub fn end_bulk_load(conn: &mut Conn) -> QueryResult<()> {
    match conn.kind() {
        Kind::Sqlite => Ok(()),
        Kind::Postgres => {
            diesel::sql_query("SELECT newsdesk_rebuild_kept()").execute(conn)?;
            diesel::sql_query("SET LOCAL newsdesk.bulk_load = 'off'")
                .execute(conn)
                .map(drop)
        }
    }
}
