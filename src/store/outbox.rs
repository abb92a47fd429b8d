//! The webhook outbox: events recorded in the transaction of the write
//! that causes them, one delivery per subscribed webhook, and the claims,
//! results and retries of the delivery worker. Also the `article.published`
//! events owed when a scheduled time passes.
//!
//! Claims: a worker reads due deliveries and leases them in one
//! transaction (`db::claim`: on SQLite `BEGIN IMMEDIATE`, which serializes
//! claimers; on PostgreSQL a plain transaction whose read is `FOR UPDATE
//! SKIP LOCKED`, so that nodes claim disjoint rows without waiting for each
//! other or for editors' writes). A lease that runs out (its worker died)
//! makes the delivery claimable again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    scheduled_publications, scheduled_unpublications, webhook_deliveries, webhook_events, webhooks,
};

/// An event to store, as it will be sent.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub id: &'a str,
    pub event_type: &'a str,
    /// The whole JSON body of every delivery of it.
    pub payload: &'a str,
    pub created_at: NaiveDateTime,
}

/// Stores `event` and a pending delivery of it, due at once, for each of
/// `webhook_ids`; call inside the write's transaction.
pub fn insert(conn: &mut Conn, event: &NewEvent, webhook_ids: &[i32]) -> QueryResult<Vec<i32>> {
    diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::id.eq(event.id),
            webhook_events::event_type.eq(event.event_type),
            webhook_events::payload.eq(event.payload),
            webhook_events::created_at.eq(event.created_at),
        ))
        .execute(conn)?;
    let mut ids = Vec::with_capacity(webhook_ids.len());
    for webhook_id in webhook_ids {
        let id: i32 = diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::webhook_id.eq(webhook_id),
                webhook_deliveries::event_id.eq(event.id),
                webhook_deliveries::next_attempt_at.eq(Some(event.created_at)),
                webhook_deliveries::created_at.eq(event.created_at),
                webhook_deliveries::updated_at.eq(event.created_at),
            ))
            .returning(webhook_deliveries::id)
            .get_result(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

/// Deletes events that no delivery refers to (their webhooks are gone).
pub fn forget_orphan_events(conn: &mut Conn) -> QueryResult<usize> {
    diesel::delete(
        webhook_events::table.filter(diesel::dsl::not(diesel::dsl::exists(
            webhook_deliveries::table.filter(webhook_deliveries::event_id.eq(webhook_events::id)),
        ))),
    )
    .execute(conn)
}

/// A due delivery that a worker may claim.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct Candidate {
    pub delivery_id: i32,
    pub webhook_id: i32,
}

/// Is any delivery due? A read, so that an idle worker's poll takes no
/// write lock.
pub fn any_due(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!candidates(conn, now, 1)?.is_empty())
}

/// Up to `limit` pending deliveries of active webhooks that are due and
/// not held by a live lease, the longest due first; call inside the
/// claiming transaction (`db::claim`), then `lease` those taken.
///
/// On PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`: those another
/// node is claiming are passed over, and stay out of reach until its lease
/// is committed, so nodes claim disjoint rows without waiting. SQLite has
/// no row locks (nor the clause); there `db::claim` is the write
/// transaction, which lets one claimer in at a time.
pub fn candidates(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Candidate>> {
    // Active webhooks in a subquery, not a join: a join would lock the
    // webhook's row too, and other nodes would skip its other deliveries.
    let active = webhooks::table
        .filter(webhooks::active.eq(true))
        .select(webhooks::id);
    let due = webhook_deliveries::table
        .filter(webhook_deliveries::state.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .filter(webhook_deliveries::webhook_id.eq_any(active))
        .select((webhook_deliveries::id, webhook_deliveries::webhook_id))
        .order((
            webhook_deliveries::next_attempt_at.asc(),
            webhook_deliveries::id.asc(),
        ))
        .limit(limit);
    // The locking clause is PostgreSQL's alone, so the query runs on the
    // connection inside (`MultiConnection` has only the common subset).
    match conn {
        Conn::Sqlite(sqlite) => due.load(sqlite),
        Conn::Postgres(postgres) => due.for_update().skip_locked().load(postgres),
    }
}

/// What a worker needs to send a claimed delivery.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub delivery_id: i32,
    pub webhook_id: i32,
    /// Attempts made before this one.
    pub attempt: i32,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub payload: String,
}

/// Holds `delivery_ids` for a worker until `until`, and returns what it
/// needs to send them.
pub fn lease(
    conn: &mut Conn,
    delivery_ids: &[i32],
    until: NaiveDateTime,
) -> QueryResult<Vec<Claimed>> {
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(delivery_ids)))
        .set(webhook_deliveries::lease_until.eq(Some(until)))
        .execute(conn)?;
    webhook_deliveries::table
        .inner_join(webhooks::table)
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::id.eq_any(delivery_ids))
        .select((
            webhook_deliveries::id,
            webhook_deliveries::webhook_id,
            webhook_deliveries::attempt,
            webhooks::url,
            webhooks::secret,
            webhook_events::id,
            webhook_events::payload,
        ))
        .order(webhook_deliveries::id.asc())
        .load(conn)
}

/// How an attempt ended, and what follows.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub next: Next,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAt(NaiveDateTime),
    Failed,
}

/// Records an attempt of a delivery the worker holds; call inside a write
/// transaction. A delivery that was retried by hand meanwhile (no longer
/// leased by this claim) still counts the attempt.
pub fn finish(
    conn: &mut Conn,
    delivery_id: i32,
    outcome: &Outcome,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (state, next_attempt_at) = match outcome.next {
        Next::Delivered => ("delivered", None),
        Next::RetryAt(at) => ("pending", Some(at)),
        Next::Failed => ("failed", None),
    };
    diesel::update(webhook_deliveries::table.find(delivery_id))
        .set((
            webhook_deliveries::state.eq(state),
            webhook_deliveries::attempt.eq(webhook_deliveries::attempt + 1),
            webhook_deliveries::status_code.eq(outcome.status_code),
            webhook_deliveries::error.eq(&outcome.error),
            webhook_deliveries::duration_ms.eq(Some(outcome.duration_ms)),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes finished deliveries (delivered or failed) last changed before
/// `before`, and the events left without deliveries. Returns how many
/// deliveries went.
pub fn prune(conn: &mut Conn, before: NaiveDateTime) -> QueryResult<usize> {
    let gone = diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::state.ne("pending"))
            .filter(webhook_deliveries::updated_at.lt(before)),
    )
    .execute(conn)?;
    if gone > 0 {
        forget_orphan_events(conn)?;
    }
    Ok(gone)
}

/// Owes `article_id` an `article.published` at `due_at` (replacing what it
/// was owed before).
pub fn owe_publication(conn: &mut Conn, article_id: i32, due_at: NaiveDateTime) -> QueryResult<()> {
    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(scheduled_publications::table)
            .values((
                scheduled_publications::article_id.eq(article_id),
                scheduled_publications::due_at.eq(due_at),
            ))
            .on_conflict(scheduled_publications::article_id)
            .do_update()
            .set(scheduled_publications::due_at.eq(due_at)),
    )?;
    Ok(())
}

/// Takes (deletes) what `article_id` was owed; returns its due time, if any.
pub fn take_publication(conn: &mut Conn, article_id: i32) -> QueryResult<Option<NaiveDateTime>> {
    diesel::delete(scheduled_publications::table.find(article_id))
        .returning(scheduled_publications::due_at)
        .get_result(conn)
        .optional()
}

/// Is any scheduled publication due? A read, for an idle poll.
pub fn any_publication_due(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        scheduled_publications::table.filter(scheduled_publications::due_at.le(now)),
    ))
    .get_result(conn)
}

/// Takes (deletes) every publication due by `now` and returns the article
/// ids; call inside the transaction that records their events, so that
/// each is announced once.
pub fn take_due_publications(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Vec<i32>> {
    diesel::delete(scheduled_publications::table.filter(scheduled_publications::due_at.le(now)))
        .returning(scheduled_publications::article_id)
        .get_results(conn)
}

/// Owes every scheduled article its `article.published` (those written by
/// paths that keep no books of their own, such as an import); what is owed
/// already stays as it is.
pub fn owe_scheduled(conn: &mut Conn) -> QueryResult<usize> {
    use crate::db::schema::articles;
    use crate::domain::ArticleStatus;

    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(scheduled_publications::table)
            .values(
                articles::table
                    .filter(articles::status.eq(ArticleStatus::Scheduled))
                    .filter(articles::published_at.is_not_null())
                    .select((articles::id, articles::published_at.assume_not_null())),
            )
            .into_columns((
                scheduled_publications::article_id,
                scheduled_publications::due_at,
            ))
            .on_conflict_do_nothing(),
    )
}

/// Owes `article_id` an `article.unpublished` at `due_at`, when it expires
/// (replacing what it was owed before).
pub fn owe_unpublication(
    conn: &mut Conn,
    article_id: i32,
    due_at: NaiveDateTime,
) -> QueryResult<()> {
    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(scheduled_unpublications::table)
            .values((
                scheduled_unpublications::article_id.eq(article_id),
                scheduled_unpublications::due_at.eq(due_at),
            ))
            .on_conflict(scheduled_unpublications::article_id)
            .do_update()
            .set(scheduled_unpublications::due_at.eq(due_at)),
    )?;
    Ok(())
}

/// Takes (deletes) the unpublication `article_id` was owed; returns its
/// due time, if any.
pub fn take_unpublication(conn: &mut Conn, article_id: i32) -> QueryResult<Option<NaiveDateTime>> {
    diesel::delete(scheduled_unpublications::table.find(article_id))
        .returning(scheduled_unpublications::due_at)
        .get_result(conn)
        .optional()
}

/// Is any unpublication due? A read, for an idle poll.
pub fn any_unpublication_due(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        scheduled_unpublications::table.filter(scheduled_unpublications::due_at.le(now)),
    ))
    .get_result(conn)
}

/// Takes (deletes) every unpublication due by `now` and returns the
/// article ids; call inside the transaction that records their events.
pub fn take_due_unpublications(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Vec<i32>> {
    diesel::delete(scheduled_unpublications::table.filter(scheduled_unpublications::due_at.le(now)))
        .returning(scheduled_unpublications::article_id)
        .get_results(conn)
}

/// Owes every published or scheduled article that expires after `now` its
/// `article.unpublished` (those written by paths that keep no books of
/// their own, such as an import); what is owed already stays as it is.
pub fn owe_expiries(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::articles;
    use crate::domain::ArticleStatus;

    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(scheduled_unpublications::table)
            .values(
                articles::table
                    .filter(
                        articles::status
                            .eq(ArticleStatus::Published)
                            .or(articles::status.eq(ArticleStatus::Scheduled)),
                    )
                    .filter(articles::expires_at.gt(now))
                    .select((articles::id, articles::expires_at.assume_not_null())),
            )
            .into_columns((
                scheduled_unpublications::article_id,
                scheduled_unpublications::due_at,
            ))
            .on_conflict_do_nothing(),
    )
}
