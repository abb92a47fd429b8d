//! Comments: the "Leave a Reply" form and thread under an article
//! (`/api/v1/articles/{id_or_slug}/comments`), and moderation (`/api/v1/comments`).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::audience;
use super::etag::{self, IfMatch};
use super::{ApiJson, IdOrSlug, created, fields, pagination, tagged, utc};
use crate::audit::{Actor, Target};
use crate::auth::{AuthUser, MaybeUser, Role};
use crate::db;
use crate::domain::AuditAction;
pub use crate::domain::CommentStatus;
use crate::error::{ApiError, FieldErrors};
use crate::http::RequestInfo;
use crate::rate_limit::client_address;
use crate::state::AppState;
use crate::store::Key;
use crate::store::comments::{
    self as store, CommentChanges, CommentFilter, CommentRow, NewComment, Poster,
};

const NAME_MAX: usize = 100;
const BODY_MAX: usize = 5_000;

/// A comment as the public sees it: never the author's email.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "article_id": 7, "parent_id": null, "author_name": "Min-jun",
    "author_url": "https://example.org/~minjun",
    "body": "Sanctions have not worked for twenty years.",
    "status": "approved", "created_at": "2024-05-31T10:15:00Z"
}))]
pub struct Comment {
    pub id: i32,
    pub article_id: i32,
    /// The comment this one answers, or null at the top of the thread.
    pub parent_id: Option<i32>,
    pub author_name: String,
    pub author_url: Option<String>,
    /// Plain text, exactly as written; render it as text, never as HTML.
    pub body: String,
    pub status: CommentStatus,
    pub created_at: DateTime<Utc>,
}

impl From<CommentRow> for Comment {
    fn from(row: CommentRow) -> Self {
        Comment {
            id: row.id,
            article_id: row.article_id,
            parent_id: row.parent_id,
            author_name: row.author_name,
            author_url: row.author_url,
            body: row.body,
            status: row.status,
            created_at: utc(row.created_at),
        }
    }
}

/// A comment as moderators see it: the public shape plus the author's
/// email, their staff account if any, and the last change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "article_id": 7, "parent_id": null, "author_name": "Min-jun",
    "author_url": null, "body": "Sanctions have not worked for twenty years.",
    "status": "pending", "created_at": "2024-05-31T10:15:00Z",
    "author_email": "minjun@example.org", "user_id": null, "updated_at": "2024-05-31T10:15:00Z"
}))]
pub struct StaffComment {
    #[serde(flatten)]
    pub comment: Comment,
    pub author_email: String,
    /// The staff account that wrote it, when signed in.
    pub user_id: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

impl From<CommentRow> for StaffComment {
    fn from(row: CommentRow) -> Self {
        StaffComment {
            author_email: row.author_email.clone(),
            user_id: row.user_id,
            updated_at: utc(row.updated_at),
            comment: row.into(),
        }
    }
}

/// The "Leave a Reply" form. Readers (anonymous requests) must send
/// `author_name` and `author_email` (each missing one is a 422 naming it);
/// signed-in staff comment as themselves: their name and email come from
/// their account, and what is sent in these fields is ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "author_name": "Min-jun", "author_email": "minjun@example.org",
    "author_url": "https://example.org/~minjun",
    "body": "Sanctions have not worked for twenty years.", "parent_id": null
}))]
pub struct CommentInput {
    /// Required for readers.
    #[schema(nullable = false)]
    pub author_name: Option<String>,
    /// Required for readers: an email address such as `name@example.org`
    /// (one `@`, a dot in the domain, no white space, at most 254 bytes,
    /// trimmed); never shown to the public.
    #[schema(nullable = false)]
    pub author_email: Option<String>,
    /// An http or https URL with a host, at most 2,000 bytes, without white
    /// space or control characters; trimmed; blank counts as absent.
    #[schema(nullable = false)]
    pub author_url: Option<String>,
    /// Plain text.
    pub body: String,
    /// The comment this answers: a published comment of the same article,
    /// at most 5 deep.
    pub parent_id: Option<i32>,
}

impl super::Checked for CommentInput {
    /// Who posts is not known while the body parses: the fields a reader
    /// must give are checked when given here, and required by `validate`.
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        let mut errors = FieldErrors::new();
        if let Some(name) = &self.author_name {
            fields::line(&mut errors, "author_name", name, NAME_MAX);
        }
        if let Some(email) = &self.author_email {
            super::users::email(&mut errors, "author_email", email);
        }
        fields::optional_url(&mut errors, "author_url", self.author_url.as_deref());
        comment_body(&mut errors, &self.body);
        errors.into_vec()
    }
}

impl CommentInput {
    pub(crate) fn validate(self, user: Option<&AuthUser>) -> Result<NewComment, ApiError> {
        let mut errors = FieldErrors::new();
        let (author_name, author_email) = match user {
            Some(user) => (user.display_name.clone(), user.email.clone()),
            None => {
                let name = match self.author_name.as_deref() {
                    Some(name) => fields::line(&mut errors, "author_name", name, NAME_MAX),
                    None => {
                        errors.add("author_name", "is required");
                        String::new()
                    }
                };
                let email = match self.author_email.as_deref() {
                    Some(email) => super::users::email(&mut errors, "author_email", email),
                    None => {
                        errors.add("author_email", "is required");
                        String::new()
                    }
                };
                (name, email)
            }
        };
        let comment = NewComment {
            parent_id: self.parent_id,
            author_name,
            author_email,
            author_url: fields::optional_url(&mut errors, "author_url", self.author_url.as_deref()),
            body: comment_body(&mut errors, &self.body),
        };
        errors.finish()?;
        Ok(comment)
    }
}

fn comment_body(errors: &mut FieldErrors, value: &str) -> String {
    let body = value.trim();
    if body.is_empty() || body.chars().count() > BODY_MAX {
        errors.add("body", format!("must be 1 to {BODY_MAX} characters"));
    } else if fields::has_control_in_text(body) {
        errors.add("body", fields::CONTROL_IN_TEXT_MESSAGE);
    }
    body.to_owned()
}

impl super::Checked for CommentPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        let mut errors = FieldErrors::new();
        if let Some(body) = &self.body {
            comment_body(&mut errors, body);
        }
        errors.into_vec()
    }
}

/// A moderator's change: a new status, an edited body, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "approved"}))]
pub struct CommentPatch {
    pub status: Option<CommentStatus>,
    /// Plain text.
    pub body: Option<String>,
}

/// Query parameters of the public thread.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// Query parameters of the moderation queue.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ModerationQuery {
    /// Only comments in this state, e.g. `pending` for the queue.
    pub status: Option<CommentStatus>,
    /// Only comments under this article (id or slug).
    pub article: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The `{id}` of a comment.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CommentId {
    /// The comment's id.
    pub id: i32,
}

/// The comments under an article: approved ones, oldest first, each with
/// `parent_id` so that a frontend can build the tree. A reply whose parent
/// is not approved is not shown.
#[utoipa::path(
    tag = "comments",
    params(IdOrSlug, ThreadQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "A page of the thread", body = pagination::Page<Comment>,
        headers(("X-Total-Count" = i64, description = "Shown comments on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/articles/{id_or_slug}/comments")]
pub async fn list_thread(
    state: web::Data<AppState>,
    user: MaybeUser,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
    query: web::Query<ThreadQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = pagination::page_request(query.page, query.per_page)?;
    let (key, audience) = (path.key(), audience(&user));
    let (rows, total, article_id) = db::run(&state.pool, move |conn| {
        Ok(store::thread(conn, &key, audience, page)?)
    })
    .await?;
    let data: Vec<Comment> = rows.into_iter().map(Comment::from).collect();
    let keys = [crate::store::keys::article(article_id)];
    Ok(super::with_surrogate_keys(
        pagination::respond(&req, page, total, data),
        &keys,
    ))
}

/// Leave a reply. A reader's comment is `pending` until a moderator
/// approves it (unless the site auto-approves), and always held when it
/// has more than two links or its email was marked spam before; signed-in
/// staff comment as themselves and are `approved`. Only published articles
/// with `comments_open` take comments. Readers may post 5 comments a
/// minute per address (429 with `Retry-After` beyond).
#[utoipa::path(
    tag = "comments",
    params(IdOrSlug),
    request_body = CommentInput,
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "Posted; `status` says whether it awaits moderation", body = Comment,
            headers(("Location" = String, description = "URL of the comment"))),
        (status = 403, description = "Comments are closed, or the article is not published", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many comments from this address; see `Retry-After`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id_or_slug}/comments")]
pub async fn post_comment(
    state: web::Data<AppState>,
    user: MaybeUser,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
    body: ApiJson<CommentInput>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0.validate(user.0.as_ref())?;
    let poster = match &user.0 {
        Some(staff) => Poster::Staff {
            user_id: staff.id,
            audience: audience(&user),
        },
        None => {
            if let Some(client) = client_address(&req, &state.config.trusted_proxies) {
                state.comment_limiter.check(client)?;
            }
            Poster::Reader {
                auto_approve: state.config.comments_auto_approve,
            }
        }
    };
    let key = path.key();
    let row = db::write(&state.pool, move |conn| {
        let row = store::create(conn, &key, &new, poster)?;
        crate::webhooks::events::comment_created(conn, &row)?;
        Ok(row)
    })
    .await?;
    Ok(created(
        format!("/api/v1/comments/{}", row.id),
        &Comment::from(row),
    ))
}

/// The moderation queue (editor+): every comment, newest first, with the
/// author's email.
#[utoipa::path(
    tag = "comments",
    params(ModerationQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of comments", body = pagination::Page<StaffComment>,
        headers(("X-Total-Count" = i64, description = "Comments on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))),
        (status = 404, description = "The `article` filter names no article", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<ModerationQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let page = pagination::page_request(query.page, query.per_page)?;
    let filter = CommentFilter {
        status: query.status,
        article: query
            .article
            .as_deref()
            .filter(|article| !article.is_empty())
            .map(Key::parse),
    };
    let (rows, total) = db::run(&state.pool, move |conn| {
        Ok(store::list(conn, &filter, page)?)
    })
    .await?;
    let data: Vec<StaffComment> = rows.into_iter().map(StaffComment::from).collect();
    Ok(pagination::respond(&req, page, total, data))
}

/// One comment: editors and admins see any, with the email; others see an
/// approved comment under a published article, without it.
#[utoipa::path(
    tag = "comments",
    params(CommentId),
    security((), ("bearer" = [])),
    responses((status = 200, description = "The comment (the staff shape for editors and admins)", body = Comment))
)]
#[get("/comments/{id}")]
pub async fn get_comment(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<CommentId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let audience = audience(&user);
    let (row, article_visible) = db::run(&state.pool, move |conn| {
        let row = store::find(conn, id)?;
        let article = crate::store::articles::find_row(conn, &Key::Id(row.article_id))?;
        let visible =
            audience.can_see(&article, crate::store::now()) && store::is_shown(conn, &row)?;
        Ok((row, visible))
    })
    .await?;
    if user
        .0
        .as_ref()
        .is_some_and(|user| user.role >= Role::Editor)
    {
        return tagged(&StaffComment::from(row));
    }
    if !article_visible {
        return Err(ApiError::NotFound("No comment has this id.".to_owned()));
    }
    let keys = [
        crate::store::keys::comment(row.id),
        crate::store::keys::article(row.article_id),
    ];
    tagged(&Comment::from(row)).map(|response| super::with_surrogate_keys(response, &keys))
}

/// Moderate a comment (editor+): change its `status`, edit its `body`.
#[utoipa::path(
    tag = "comments",
    params(CommentId),
    request_body = CommentPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The comment as changed", body = StaffComment))
)]
#[patch("/comments/{id}")]
pub async fn moderate_comment(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<CommentId>,
    if_match: IfMatch,
    body: ApiJson<CommentPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let mut errors = FieldErrors::new();
    let changes = CommentChanges {
        status: body.0.status,
        body: body
            .0
            .body
            .as_deref()
            .map(|text| comment_body(&mut errors, text)),
    };
    errors.finish()?;
    let id = path.id;
    let guard = move |current: &CommentRow| comment_precondition(&if_match, current);
    let actor = Actor::staff(&user, &request);
    let row = db::write(&state.pool, move |conn| {
        let mut before = None;
        let row = store::update(conn, id, &changes, |current| {
            before = Some(current.clone());
            guard(current)
        })?;
        let Some(before) = before else {
            return Ok(row);
        };
        if before.status != row.status || before.body != row.body {
            let detail = serde_json::json!({
                "status": row.status,
                "previous_status": before.status,
                "body_edited": before.body != row.body,
            });
            actor.record(
                conn,
                AuditAction::CommentModerated,
                Some(Target::Comment(id)),
                Some(detail),
            )?;
        }
        crate::webhooks::events::comment_moderated(conn, &before, &row)?;
        Ok(row)
    })
    .await?;
    tagged(&StaffComment::from(row))
}

/// `If-Match` on a comment holds with the tag of either shape a GET sends
/// (the public one, or the staff one with the email).
fn comment_precondition(if_match: &IfMatch, current: &CommentRow) -> Result<(), ApiError> {
    let staff = etag::of(&StaffComment::from(current.clone()))?;
    let public = etag::of(&Comment::from(current.clone()))?;
    if_match.check_any(&[&staff, &public])
}

/// Delete a comment and all its replies (editor+).
#[utoipa::path(
    tag = "comments",
    params(CommentId),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted, with its replies"))
)]
#[delete("/comments/{id}")]
pub async fn delete_comment(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<CommentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let id = path.id;
    let guard = move |current: &CommentRow| comment_precondition(&if_match, current);
    let actor = Actor::staff(&user, &request);
    db::write(&state.pool, move |conn| {
        let mut article_id = None;
        store::delete(conn, id, |current| {
            article_id = Some(current.article_id);
            guard(current)
        })?;
        let detail = serde_json::json!({"article_id": article_id});
        Ok(actor.record(
            conn,
            AuditAction::CommentDeleted,
            Some(Target::Comment(id)),
            Some(detail),
        )?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
