//! Webhook subscriptions and their delivery logs. The outbox they are fed
//! from (events, claims, retries) is `store::outbox`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{PageRequest, now};
use crate::db::Conn;
use crate::db::schema::{webhook_deliveries, webhook_events, webhooks};
use crate::store::Error;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i32,
    pub url: String,
    /// Space-separated event types, or `*`.
    pub events: String,
    pub description: Option<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl WebhookRow {
    /// The subscribed event types (`["*"]` for all).
    pub fn event_types(&self) -> Vec<String> {
        self.events.split(' ').map(str::to_owned).collect()
    }

    /// Whether an event of `event_type` goes to this webhook.
    pub fn wants(&self, event_type: &str) -> bool {
        self.events
            .split(' ')
            .any(|wanted| wanted == "*" || wanted == event_type)
    }
}

/// A validated webhook to create, with its new secret.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    pub secret: String,
}

/// Validated changes: `None` leaves a field, `Some(None)` clears the description.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

/// One delivery as its log shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i32,
    pub webhook_id: i32,
    pub event_id: String,
    pub state: String,
    pub attempt: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: Option<i32>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A delivery with its event's type.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub row: DeliveryRow,
    pub event_type: String,
}

fn not_found() -> Error {
    Error::NotFound("No webhook has this id.".to_owned())
}

/// Creates a webhook; call inside a write transaction.
pub fn create(conn: &mut Conn, new: &NewWebhook) -> Result<WebhookRow, Error> {
    let now = now();
    let id: i32 = diesel::insert_into(webhooks::table)
        .values((
            webhooks::url.eq(&new.url),
            webhooks::events.eq(new.events.join(" ")),
            webhooks::description.eq(&new.description),
            webhooks::secret.eq(&new.secret),
            webhooks::active.eq(new.active),
            webhooks::created_at.eq(now),
            webhooks::updated_at.eq(now),
        ))
        .returning(webhooks::id)
        .get_result(conn)?;
    find(conn, id)
}

/// One webhook.
pub fn find(conn: &mut Conn, id: i32) -> Result<WebhookRow, Error> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// A page of webhooks, oldest first, and the total.
pub fn list(conn: &mut Conn, page: PageRequest) -> Result<(Vec<WebhookRow>, i64), Error> {
    let total: i64 = webhooks::table.count().get_result(conn)?;
    let rows = webhooks::table
        .select(WebhookRow::as_select())
        .order(webhooks::id.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// The active webhooks: who an event may go to. Few rows, read by every
/// write that records an event.
pub fn active(conn: &mut Conn) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .filter(webhooks::active.eq(true))
        .select(WebhookRow::as_select())
        .order(webhooks::id.asc())
        .load(conn)
}

/// Applies `changes`; call inside a write transaction. `guard` sees the
/// webhook as stored and may refuse first. The version moves only when
/// something changed.
pub fn update<E: From<Error>>(
    conn: &mut Conn,
    id: i32,
    changes: &WebhookChanges,
    guard: impl FnOnce(&WebhookRow) -> Result<(), E>,
) -> Result<WebhookRow, E> {
    let current = find(conn, id)?;
    guard(&current)?;
    Ok(apply_update(conn, id, changes, current)?)
}

/// `update` once its guard has accepted the row.
fn apply_update(
    conn: &mut Conn,
    id: i32,
    changes: &WebhookChanges,
    current: WebhookRow,
) -> Result<WebhookRow, Error> {
    let url = changes.url.clone().unwrap_or_else(|| current.url.clone());
    let events = changes
        .events
        .as_ref()
        .map_or_else(|| current.events.clone(), |events| events.join(" "));
    let description = changes
        .description
        .clone()
        .unwrap_or_else(|| current.description.clone());
    let active = changes.active.unwrap_or(current.active);
    if url == current.url
        && events == current.events
        && description == current.description
        && active == current.active
    {
        return Ok(current);
    }
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::url.eq(&url),
            webhooks::events.eq(&events),
            webhooks::description.eq(&description),
            webhooks::active.eq(active),
            webhooks::updated_at.eq(now()),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Deletes a webhook with its delivery log; call inside a write transaction.
pub fn delete<E: From<Error>>(
    conn: &mut Conn,
    id: i32,
    guard: impl FnOnce(&WebhookRow) -> Result<(), E>,
) -> Result<(), E> {
    guard(&find(conn, id)?)?;
    Ok(apply_delete(conn, id)?)
}

/// `delete` once its guard has accepted the row.
fn apply_delete(conn: &mut Conn, id: i32) -> Result<(), Error> {
    diesel::delete(webhooks::table.find(id)).execute(conn)?;
    // Events that no delivery refers to any more are of no use.
    super::outbox::forget_orphan_events(conn)?;
    Ok(())
}

/// Where a page of deliveries starts: a page number, or after a delivery id.
#[derive(Debug, Clone, Copy)]
pub enum DeliveryPage {
    Offset(PageRequest),
    Before { per_page: i64, id: i32 },
}

/// A page of a webhook's deliveries, newest first; the total; and whether
/// more follow.
pub fn deliveries(
    conn: &mut Conn,
    webhook_id: i32,
    page: DeliveryPage,
) -> Result<(Vec<DeliveryRecord>, i64, bool), Error> {
    find(conn, webhook_id)?;
    let total: i64 = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .count()
        .get_result(conn)?;
    let mut query = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .select((DeliveryRow::as_select(), webhook_events::event_type))
        .order(webhook_deliveries::id.desc())
        .into_boxed();
    let per_page = match page {
        DeliveryPage::Offset(page) => {
            query = query.offset(page.offset());
            page.per_page
        }
        DeliveryPage::Before { per_page, id } => {
            query = query.filter(webhook_deliveries::id.lt(id));
            per_page
        }
    };
    let mut rows: Vec<(DeliveryRow, String)> = query.limit(per_page + 1).load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    let records = rows
        .into_iter()
        .map(|(row, event_type)| DeliveryRecord { row, event_type })
        .collect();
    Ok((records, total, more))
}

/// One delivery of a webhook (404 when it belongs to another).
pub fn delivery(
    conn: &mut Conn,
    webhook_id: i32,
    delivery_id: i32,
) -> Result<DeliveryRecord, Error> {
    let (row, event_type) = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::id.eq(delivery_id))
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .select((DeliveryRow::as_select(), webhook_events::event_type))
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("This webhook has no delivery with this id.".to_owned()))?;
    Ok(DeliveryRecord { row, event_type })
}

/// Makes a delivery due now again, whatever its state (a manual retry of a
/// failed one, or a resend of a delivered one); its attempts keep counting.
/// Call inside a write transaction.
pub fn retry(conn: &mut Conn, webhook_id: i32, delivery_id: i32) -> Result<DeliveryRecord, Error> {
    find(conn, webhook_id)?;
    delivery(conn, webhook_id, delivery_id)?;
    let now = now();
    // One statement that checks the lease and resets it: on PostgreSQL a
    // worker claiming the delivery holds its row, and this waits for the
    // claim, then sees its lease (a read first could miss it).
    let reset = diesel::update(
        webhook_deliveries::table.find(delivery_id).filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.le(now)),
        ),
    )
    .set((
        webhook_deliveries::state.eq("pending"),
        webhook_deliveries::next_attempt_at.eq(Some(now)),
        webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
        webhook_deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    if reset == 0 {
        return Err(Error::Conflict(
            "This delivery is being attempted right now; retry it once the attempt \
                     has ended (its log shows the outcome)."
                .to_owned(),
        ));
    }
    delivery(conn, webhook_id, delivery_id)
}
