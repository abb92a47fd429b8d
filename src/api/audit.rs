//! `/api/v1/audit` (admins): the audit log, read-only. Entries are written
//! by the writes they record (`crate::audit`), in the same transaction.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::fields;
use super::pagination::{self, Position};
use super::utc;
use crate::auth::{AuthUser, Role};
use crate::db;
use crate::domain::{AuditAction, Named};
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;
use crate::store::audit::{self as store, AuditFilter, AuditPage, AuditRecord};

/// The staff account that acted, as it is named now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "display_name": "Ada Editor"}))]
pub struct AuditUser {
    pub id: i32,
    /// The account's display name now (or, once the account is gone, the
    /// one it had when it acted).
    pub display_name: String,
}

/// One entry of the audit log: who did what to what, when, and from where.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1204, "at": "2024-05-31T09:00:00.123Z",
    "user": {"id": 2, "display_name": "Ada Editor"},
    "action": "article.published", "target": "article:42",
    "request_id": "4f6c1a0e9b2d4c5e8f7a6b5c4d3e2f10", "client": "203.0.113.7"
}))]
pub struct AuditEntry {
    /// Increases with every entry.
    pub id: i32,
    /// When the action was committed (UTC, to the millisecond).
    pub at: DateTime<Utc>,
    /// Who acted; null for a failed sign-in and for `newsdesk import`.
    pub user: Option<AuditUser>,
    pub action: AuditAction,
    /// What was acted on: `article:<id>`, `user:<id>`, `comment:<id>` or
    /// `webhook:<id>`; null for a failed sign-in and an import. The
    /// resource may since have been deleted: entries stay.
    #[schema(example = "article:42")]
    pub target: Option<String>,
    /// The `X-Request-Id` of the request (the client's own when it sent a
    /// sane one); null for command-line actions.
    pub request_id: Option<String>,
    /// The client's address as the rate limits see it (behind a trusted
    /// proxy, from `X-Forwarded-For`), or `cli` for command-line actions.
    pub client: Option<String>,
    /// More about some actions, absent for the others:
    /// `auth.sign_in_failed`: `{"email"}` (the email tried);
    /// `user.created`: `{"role"}`; `user.updated`: `{"changed": [field
    /// names]}` (`password` only says that it changed);
    /// `article.deleted`: `{"slug", "title"}`; `comment.moderated`:
    /// `{"status", "previous_status", "body_edited"}`; `comment.deleted`:
    /// `{"article_id"}`; `webhook.*`: `{"url", "events"}`; `import`:
    /// `{"records"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, example = json!({"email": "someone@example.com"}))]
    pub detail: Option<serde_json::Value>,
}

impl From<AuditRecord> for AuditEntry {
    fn from(record: AuditRecord) -> Self {
        let row = record.row;
        AuditEntry {
            id: row.id,
            at: utc(row.at),
            user: row.user_id.map(|id| AuditUser {
                id,
                display_name: record.display_name.unwrap_or_default(),
            }),
            action: row.action,
            target: row.target,
            request_id: row.request_id,
            client: row.client,
            detail: row
                .detail
                .and_then(|detail| serde_json::from_str(&detail).ok()),
        }
    }
}

/// Query parameters of `GET /audit`.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what this staff account (its id) did.
    pub user: Option<i32>,
    /// Only entries of this action (another value is a 422 naming `action`).
    #[param(value_type = Option<AuditAction>)]
    pub action: Option<String>,
    /// Only entries at or after this RFC 3339 time (a bad one is a 422).
    /// Example: `2024-05-01T00:00:00Z`.
    pub from: Option<String>,
    /// Only entries at or before this RFC 3339 time. Example:
    /// `2024-05-31T23:59:59Z`.
    pub to: Option<String>,
    /// Page number, from 1 (default 1). Not with `cursor` (422 when both
    /// are given).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// `meta.next_cursor` of the previous page: the page after it, however
    /// many entries were added since. Not with `page` (422 when both are
    /// given).
    pub cursor: Option<String>,
}

/// An RFC 3339 time (any offset) as stored; a 422 naming `field` otherwise.
pub fn time_bound(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<NaiveDateTime> {
    let value = value?;
    match DateTime::parse_from_rfc3339(value) {
        Ok(at) => Some(fields::timestamp(errors, field, at.with_timezone(&Utc))),
        Err(_) => {
            errors.add(
                field,
                "must be an RFC 3339 timestamp, e.g. 2024-05-01T09:00:00Z",
            );
            None
        }
    }
}

impl AuditQuery {
    fn filter(&self, errors: &mut FieldErrors) -> AuditFilter {
        let action = self.action.as_deref().and_then(|name| {
            let action = AuditAction::from_name(name);
            if action.is_none() {
                let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.name()).collect();
                errors.add("action", format!("must be one of: {}", names.join(", ")));
            }
            action
        });
        let from = time_bound(errors, "from", self.from.as_deref());
        let to = time_bound(errors, "to", self.to.as_deref());
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.add("to", "must not be before `from`");
        }
        AuditFilter {
            user_id: self.user,
            action,
            from,
            to,
        }
    }
}

/// A cursor: the last entry's time (microseconds since 1970) and id.
type CursorKey = (i64, i32);

/// The audit log (admin), newest first: sign-ins (also failed ones),
/// staff account changes, articles published, unpublished and deleted,
/// comment moderation and deletion, webhook changes and imports. Each
/// entry was written in the transaction of the action it records: a write
/// that failed left none, one that succeeded always has its entry. The log
/// is append-only: no route changes or deletes an entry, and entries stay
/// when what they name is deleted. Page with `page`, or follow
/// `meta.next_cursor` (stable while entries are added). `newsdesk audit
/// export` writes the whole log as NDJSON.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of entries", body = pagination::Page<AuditEntry>,
        headers(("X-Total-Count" = i64, description = "Entries on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let mut errors = FieldErrors::new();
    let filter = query.filter(&mut errors);
    let fingerprint = pagination::fingerprint(&format!("audit {filter:?}"));
    let (page, position) = match &query.cursor {
        None => {
            errors.finish()?;
            let page = pagination::page_request(query.page, query.per_page)?;
            (AuditPage::Offset(page), Position::Page(page))
        }
        Some(cursor) => {
            let per_page = pagination::per_page(&mut errors, query.per_page);
            if query.page.is_some() {
                errors.add("page", "cannot be combined with cursor");
            }
            errors.finish()?;
            let (micros, id): CursorKey = pagination::decode_cursor(fingerprint, cursor)?;
            let at = DateTime::from_timestamp_micros(micros)
                .ok_or_else(|| ApiError::invalid("cursor", "is not a next_cursor of this query"))?
                .naive_utc();
            (
                AuditPage::Before { per_page, at, id },
                Position::Cursor { per_page },
            )
        }
    };
    let (records, total, more) = db::run(&state.pool, move |conn| {
        Ok(store::list(conn, &filter, page)?)
    })
    .await?;
    let next_cursor = records.last().filter(|_| more).map(|last| {
        let key: CursorKey = (last.row.at.and_utc().timestamp_micros(), last.row.id);
        pagination::encode_cursor(fingerprint, &key)
    });
    let data: Vec<AuditEntry> = records.into_iter().map(AuditEntry::from).collect();
    let page = pagination::render(position, total, true, next_cursor, data)?;
    pagination::respond_rendered(&req, &page)
}
