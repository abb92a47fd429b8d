//! `/api/v1/webhooks` (admins): subscriptions to content events, their
//! delivery logs, manual retries and pings. How events are recorded and
//! delivered is `crate::webhooks`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::etag::{self, IfMatch};
use super::pagination::{self, Position};
use super::{ApiJson, created, fields, nullable, tagged, utc};
use crate::audit::{Actor, Target};
use crate::auth::{AuthUser, Role};
use crate::db;
use crate::domain::AuditAction;
use crate::error::{ApiError, FieldErrors};
use crate::http::RequestInfo;
use crate::state::AppState;
use crate::store::webhooks::{
    self as store, DeliveryPage, DeliveryRecord, NewWebhook, WebhookChanges, WebhookRow,
};
use crate::webhooks::{events, sign, target};

const DESCRIPTION_MAX: usize = 1_000;

/// An event type to subscribe to; `*` subscribes to every type. (The
/// schema of `events`; the names are checked against `events::EVENT_TYPES`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum EventType {
    /// Every event type, including those added later.
    #[serde(rename = "*")]
    All,
    /// An article was created (whatever its status).
    #[serde(rename = "article.created")]
    ArticleCreated,
    /// An article was changed.
    #[serde(rename = "article.updated")]
    ArticleUpdated,
    /// An article became public: published, its scheduled time passed (sent
    /// within 60 s of it), or it left the archive.
    #[serde(rename = "article.published")]
    ArticlePublished,
    /// An article stopped being public: back to draft, archived,
    /// rescheduled into the future, or deleted.
    #[serde(rename = "article.unpublished")]
    ArticleUnpublished,
    /// An article was deleted (`data` is the article as it was).
    #[serde(rename = "article.deleted")]
    ArticleDeleted,
    /// A comment was posted (pending or approved).
    #[serde(rename = "comment.created")]
    CommentCreated,
    /// A comment was approved, by a moderator or at once.
    #[serde(rename = "comment.approved")]
    CommentApproved,
    #[serde(rename = "topic.created")]
    TopicCreated,
    #[serde(rename = "topic.updated")]
    TopicUpdated,
    #[serde(rename = "topic.deleted")]
    TopicDeleted,
    #[serde(rename = "entity.created")]
    EntityCreated,
    #[serde(rename = "entity.updated")]
    EntityUpdated,
    #[serde(rename = "entity.deleted")]
    EntityDeleted,
    /// Sent by `POST /webhooks/{id}/ping` only, whatever the subscription.
    #[serde(rename = "ping")]
    Ping,
}

/// A webhook: where events go and which. The signing secret is shown once,
/// when the webhook is created.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "url": "https://hooks.example.com/newsdesk",
    "events": ["article.published", "article.unpublished"],
    "description": "Rebuild the static site", "active": true,
    "created_at": "2024-05-31T09:00:00Z"
}))]
pub struct Webhook {
    pub id: i32,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The subscribed event types; `["*"]` for all.
    #[schema(value_type = Vec<EventType>)]
    pub events: Vec<String>,
    pub description: Option<String>,
    /// An inactive webhook gets no new events, and its pending deliveries
    /// wait until it is active again.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Webhook {
            id: row.id,
            events: row.event_types(),
            url: row.url,
            description: row.description,
            active: row.active,
            created_at: utc(row.created_at),
        }
    }
}

/// A new webhook with its signing secret, which no later answer shows.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "url": "https://hooks.example.com/newsdesk",
    "events": ["*"], "description": "Purge the CDN", "active": true,
    "created_at": "2024-05-31T09:00:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2hr9QDGRkCo="
}))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` and the base64 of 32 random bytes: the key of every
    /// `webhook-signature` (HMAC-SHA256 keyed with the decoded bytes). Keep
    /// it now: it is never shown again.
    pub secret: String,
}

/// A webhook to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://hooks.example.com/newsdesk",
    "events": ["article.published", "article.unpublished", "article.deleted"],
    "description": "Rebuild the static site"
}))]
pub struct WebhookInput {
    /// An http or https URL of at most 2,000 bytes. Loopback, link-local
    /// and private addresses (IPv4, IPv6 and IPv4-mapped IPv6, and
    /// `localhost`) are refused with a 422, and host names are checked
    /// again after DNS at each delivery, unless the server runs with
    /// `NEWSDESK_WEBHOOK_ALLOW_PRIVATE=true`.
    pub url: String,
    /// One or more event types, or `["*"]` for all of them.
    #[schema(value_type = Vec<EventType>)]
    pub events: Vec<String>,
    pub description: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// Changes to a webhook: absent fields stay as they are; `null` clears the
/// description. The secret cannot be changed (create a new webhook to
/// rotate it).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct WebhookPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Vec<EventType>, required = false)]
    pub events: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<Option<bool>>,
}

fn check_url(errors: &mut FieldErrors, value: &str, allow_private: bool) -> String {
    if let Err(reason) = target::check_url(value, allow_private) {
        errors.add("url", reason);
    }
    value.to_owned()
}

/// The event types named, each once; unknown ones are named in the 422.
fn check_events(errors: &mut FieldErrors, events: &[String]) -> Vec<String> {
    if events.is_empty() {
        errors.add("events", "must name at least one event type, or be [\"*\"]");
    }
    if events.len() > 1 && events.iter().any(|event| event == "*") {
        errors.add("events", "`*` stands for every event type; give it alone");
    }
    let mut names: Vec<String> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        if event != "*" && !events::EVENT_TYPES.contains(&event.as_str()) {
            errors.add(
                format!("events[{index}]"),
                format!(
                    "is not an event type; use `*` or one of: {}",
                    events::EVENT_TYPES.join(", ")
                ),
            );
        } else if !names.contains(event) {
            names.push(event.clone());
        }
    }
    names
}

impl super::Checked for WebhookInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        // Whether private targets are allowed is the server's setting,
        // checked once the body has parsed.
        super::errors_of(self.validate(true))
    }
}

impl WebhookInput {
    fn validate(self, allow_private: bool) -> Result<NewWebhook, ApiError> {
        let mut errors = FieldErrors::new();
        let webhook = NewWebhook {
            url: check_url(&mut errors, &self.url, allow_private),
            events: check_events(&mut errors, &self.events),
            description: fields::optional_text(
                &mut errors,
                "description",
                self.description.as_deref(),
                DESCRIPTION_MAX,
            ),
            active: self.active.unwrap_or(true),
            secret: sign::new_secret(),
        };
        errors.finish()?;
        Ok(webhook)
    }
}

impl super::Checked for WebhookPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate(true))
    }
}

impl WebhookPatch {
    fn validate(self, allow_private: bool) -> Result<WebhookChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let changes = WebhookChanges {
            url: fields::not_null(&mut errors, "url", self.url)
                .map(|url| check_url(&mut errors, &url, allow_private)),
            events: fields::not_null(&mut errors, "events", self.events)
                .map(|events| check_events(&mut errors, &events)),
            description: self.description.map(|description| {
                fields::optional_text(
                    &mut errors,
                    "description",
                    description.as_deref(),
                    DESCRIPTION_MAX,
                )
            }),
            active: fields::not_null(&mut errors, "active", self.active),
        };
        errors.finish()?;
        Ok(changes)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet: due at `next_attempt_at`.
    Pending,
    /// A 2xx answer came back.
    Delivered,
    /// Every attempt of the retry schedule failed (a manual retry makes
    /// it pending again).
    Failed,
}

/// One event's delivery to a webhook, as its log shows it: the attempts
/// made, the last one's outcome, and what comes next.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 812, "event_id": "evt_018fc7a1b2c34f0e8d2a91b3c4d5e6f7a8b9",
    "type": "article.published", "attempt": 2, "status_code": 200, "error": null,
    "duration_ms": 84, "next_attempt_at": null, "state": "delivered",
    "created_at": "2024-05-31T09:00:00Z"
}))]
pub struct Delivery {
    pub id: i32,
    /// The event's id: the `webhook-id` header of every attempt.
    pub event_id: String,
    /// The event type.
    #[serde(rename = "type")]
    #[schema(value_type = EventType)]
    pub event_type: String,
    /// Attempts made so far (0 before the first).
    pub attempt: i32,
    /// The HTTP status of the last attempt, when the receiver answered.
    pub status_code: Option<i32>,
    /// Why the last attempt failed (a non-2xx status, a timeout after 10
    /// s, a connection error, a refused private address); null once
    /// delivered.
    pub error: Option<String>,
    /// How long the last attempt took.
    pub duration_ms: Option<i32>,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[schema(value_type = DeliveryState)]
    pub state: String,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRecord> for Delivery {
    fn from(record: DeliveryRecord) -> Self {
        let row = record.row;
        Delivery {
            id: row.id,
            event_id: row.event_id,
            event_type: record.event_type,
            attempt: row.attempt,
            status_code: row.status_code,
            error: row.error,
            duration_ms: row.duration_ms,
            next_attempt_at: row.next_attempt_at.map(utc),
            state: row.state,
            created_at: utc(row.created_at),
        }
    }
}

/// The `{id}` of a webhook.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookId {
    /// The webhook's id.
    pub id: i32,
}

/// The `{id}` of a webhook and the `{delivery_id}` of one of its deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The webhook's id.
    pub id: i32,
    /// The delivery's id.
    pub delivery_id: i32,
}

/// Query parameters of `GET /webhooks`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookListQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// Query parameters of a delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListQuery {
    /// Page number, from 1 (default 1); not with `cursor`.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// `meta.next_cursor` of the previous page: the page after it, however
    /// many deliveries were added since.
    pub cursor: Option<String>,
}

/// Webhooks are an admin's business: they can send content anywhere.
fn require_admin(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Role::Admin)
}

/// An inactive webhook sends nothing: a ping or retry of it would wait.
fn require_active(webhook: &WebhookRow) -> Result<(), ApiError> {
    if webhook.active {
        return Ok(());
    }
    Err(ApiError::Conflict {
        detail: "The webhook is inactive: activate it (PATCH active: true) first.".to_owned(),
        errors: vec![crate::error::FieldError::new("active", "is false")],
    })
}

/// The audit entry of a webhook write: its target and URL (never the secret).
fn audit(
    actor: &Actor,
    conn: &mut db::Conn,
    action: AuditAction,
    webhook: &WebhookRow,
) -> Result<(), crate::store::Error> {
    let detail = serde_json::json!({"url": webhook.url, "events": webhook.event_types()});
    actor.record(
        conn,
        action,
        Some(Target::Webhook(webhook.id)),
        Some(detail),
    )
}

fn precondition(if_match: IfMatch) -> impl FnOnce(&WebhookRow) -> Result<(), ApiError> {
    move |current| if_match.check(&etag::of(&Webhook::from(current.clone()))?)
}

/// List webhooks (admin), oldest first.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of webhooks", body = pagination::Page<Webhook>,
        headers(("X-Total-Count" = i64, description = "Webhooks on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<WebhookListQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let page = pagination::page_request(query.page, query.per_page)?;
    let (rows, total) = db::run(&state.pool, move |conn| Ok(store::list(conn, page)?)).await?;
    let data: Vec<Webhook> = rows.into_iter().map(Webhook::from).collect();
    Ok(pagination::respond(&req, page, total, data))
}

/// Create a webhook (admin). The answer carries the signing `secret`,
/// once: no later answer shows it.
///
/// Every delivery is `POST url` with the JSON body `{"id", "type",
/// "created_at", "data", "purge"}` (`data`: the resource in its staff
/// shape; `purge`: the `Surrogate-Key` values whose answers changed) and
/// the Standard Webhooks headers `webhook-id` (the event id, the same on
/// every retry), `webhook-timestamp` (Unix seconds) and
/// `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
/// `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64-decoded
/// part of the secret after `whsec_`). A receiver has 10 s to answer 2xx;
/// otherwise the delivery is retried after about 5 s, 1 min, 5 min, 30 min,
/// 2 h and 8 h, then marked failed. Events are stored in the transaction
/// of the write that causes them: a write that fails sends nothing, and one
/// that succeeds is delivered even across a restart.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookInput,
    security(("bearer" = [])),
    responses((status = 201, description = "Created; the only answer with the secret", body = CreatedWebhook,
        headers(("Location" = String, description = "URL of the new webhook"))))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    body: ApiJson<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let new = body.0.validate(state.config.webhook_allow_private)?;
    let secret = new.secret.clone();
    let actor = Actor::staff(&user, &request);
    let row = db::write(&state.pool, move |conn| {
        let row = store::create(conn, &new)?;
        audit(&actor, conn, AuditAction::WebhookCreated, &row)?;
        Ok(row)
    })
    .await?;
    Ok(created(
        format!("/api/v1/webhooks/{}", row.id),
        &CreatedWebhook {
            webhook: Webhook::from(row),
            secret,
        },
    ))
}

/// Get one webhook (admin), without its secret.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookId),
    security(("bearer" = [])),
    responses((status = 200, description = "The webhook", body = Webhook))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let id = path.id;
    let row = db::run(&state.pool, move |conn| Ok(store::find(conn, id)?)).await?;
    tagged(&Webhook::from(row))
}

/// Change a webhook (admin): its URL, events, description or `active`.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookId),
    request_body = WebhookPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The webhook as changed", body = Webhook))
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<WebhookId>,
    if_match: IfMatch,
    body: ApiJson<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let changes = body.0.validate(state.config.webhook_allow_private)?;
    let id = path.id;
    let guard = precondition(if_match);
    let actor = Actor::staff(&user, &request);
    let row = db::write(&state.pool, move |conn| {
        let mut version_before = None;
        let row = store::update(conn, id, &changes, |current| {
            version_before = Some(current.version);
            guard(current)
        })?;
        if version_before != Some(row.version) {
            audit(&actor, conn, AuditAction::WebhookUpdated, &row)?;
        }
        Ok(row)
    })
    .await?;
    tagged(&Webhook::from(row))
}

/// Delete a webhook (admin) with its delivery log; what it had pending is
/// not sent.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookId),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<WebhookId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let id = path.id;
    let guard = precondition(if_match);
    let actor = Actor::staff(&user, &request);
    db::write(&state.pool, move |conn| {
        let mut before = None;
        store::delete(conn, id, |current| {
            before = Some(current.clone());
            guard(current)
        })?;
        match before {
            Some(before) => Ok(audit(&actor, conn, AuditAction::WebhookDeleted, &before)?),
            None => Ok(()),
        }
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook's deliveries (admin), newest first: one per event, with the
/// attempts made, the last outcome and the next attempt. Kept 30 days
/// after they end. Page with `page`, or follow `meta.next_cursor`.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookId, DeliveryListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of deliveries", body = pagination::Page<Delivery>,
        headers(("X-Total-Count" = i64, description = "Deliveries on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<WebhookId>,
    query: web::Query<DeliveryListQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let id = path.id;
    let fingerprint = pagination::fingerprint(&format!("deliveries of webhook {id}"));
    let (spec, position) = match &query.cursor {
        None => {
            let page = pagination::page_request(query.page, query.per_page)?;
            (DeliveryPage::Offset(page), Position::Page(page))
        }
        Some(cursor) => {
            let mut errors = FieldErrors::new();
            let per_page = pagination::per_page(&mut errors, query.per_page);
            if query.page.is_some() {
                errors.add("page", "cannot be combined with cursor");
            }
            errors.finish()?;
            let before: i32 = pagination::decode_cursor(fingerprint, cursor)?;
            (
                DeliveryPage::Before {
                    per_page,
                    id: before,
                },
                Position::Cursor { per_page },
            )
        }
    };
    let (records, total, more) = db::run(&state.pool, move |conn| {
        Ok(store::deliveries(conn, id, spec)?)
    })
    .await?;
    let next_cursor = records
        .last()
        .filter(|_| more)
        .map(|last| pagination::encode_cursor(fingerprint, &last.row.id));
    let data: Vec<Delivery> = records.into_iter().map(Delivery::from).collect();
    let page = pagination::render(position, total, true, next_cursor, data)?;
    pagination::respond_rendered(&req, &page)
}

/// Attempt a delivery again now (admin): a failed one gets one more
/// attempt, a delivered one is sent again (same `webhook-id`), a pending
/// one is brought forward. 409 while an attempt is under way, or while the
/// webhook is inactive.
#[utoipa::path(
    tag = "webhooks",
    params(DeliveryPath),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Due now; the worker picks it up within a second", body = Delivery),
        (status = 409, description = "An attempt of this delivery is under way, or the webhook is inactive", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<DeliveryPath>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let (id, delivery_id) = (path.id, path.delivery_id);
    let record = db::write(&state.pool, move |conn| {
        require_active(&store::find(conn, id)?)?;
        crate::webhooks::queued();
        Ok(store::retry(conn, id, delivery_id)?)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(record)))
}

/// Send a `ping` event to a webhook (admin), whatever it subscribes to, to
/// check that its endpoint receives and verifies deliveries; the answer is
/// the delivery, whose log entry shows how it went.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookId),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued; the worker sends it within a second", body = Delivery),
        (status = 409, description = "The webhook is inactive", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let id = path.id;
    let record = db::write(&state.pool, move |conn| {
        let webhook = store::find(conn, id)?;
        require_active(&webhook)?;
        let delivery_id = events::ping(conn, &webhook)?;
        Ok(store::delivery(conn, id, delivery_id)?)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_recorded_can_be_subscribed_to() {
        let all = [
            EventType::ArticleCreated,
            EventType::ArticleUpdated,
            EventType::ArticlePublished,
            EventType::ArticleUnpublished,
            EventType::ArticleDeleted,
            EventType::CommentCreated,
            EventType::CommentApproved,
            EventType::TopicCreated,
            EventType::TopicUpdated,
            EventType::TopicDeleted,
            EventType::EntityCreated,
            EventType::EntityUpdated,
            EventType::EntityDeleted,
            EventType::Ping,
        ];
        let names: Vec<String> = all
            .iter()
            .map(|event| serde_json::to_value(event).unwrap_or_default())
            .map(|name| name.as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(names, events::EVENT_TYPES);
    }
}
