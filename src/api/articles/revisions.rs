//! `/api/v1/articles/{id_or_slug}/revisions`: what each version of an
//! article held, and restoring one.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Article, may_edit};
use crate::api::etag::IfMatch;
use crate::api::{pagination, tagged, utc};
use crate::audit::Actor;
use crate::auth::{AuthUser, Role};
use crate::db;
use crate::domain::ArticleStatus;
use crate::error::ApiError;
use crate::http::RequestInfo;
use crate::state::AppState;
use crate::store::articles::{self as store, ArticleChanges};
use crate::store::revisions::{self, RevisionSummary};
use crate::store::{Key, now};
use crate::webhooks::events;

/// One saved version of an article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "version": 3, "created_at": "2024-05-31T09:12:00Z",
    "user": {"id": 2, "display_name": "Ana Editor"},
    "changed": ["title", "topics"]
}))]
pub struct Revision {
    /// The article's version this revision holds.
    pub version: i32,
    /// When it was saved (for folded draft saves, the last of them).
    pub created_at: DateTime<Utc>,
    /// Who saved it.
    pub user: RevisionUser,
    /// The top-level fields the save changed, in alphabetical order
    /// (`corrections` when one was published or changed); every writable
    /// field for the first revision.
    pub changed: Vec<String>,
}

impl From<RevisionSummary> for Revision {
    fn from(summary: RevisionSummary) -> Self {
        Revision {
            version: summary.row.version,
            created_at: utc(summary.row.created_at),
            changed: summary.row.changed(),
            user: RevisionUser {
                id: summary.user.id,
                display_name: summary.user.display_name,
            },
        }
    }
}

/// The staff user who saved a revision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "display_name": "Ada Editor"}))]
pub struct RevisionUser {
    pub id: i32,
    pub display_name: String,
}

/// The `{id_or_slug}` and `{version}` path parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    /// A number is an id; anything else is a slug.
    #[param(example = "north-korea-warns-g7")]
    pub id_or_slug: String,
    /// The version the revision holds.
    #[param(example = 3)]
    pub version: i32,
}

/// Paging of revisions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionListQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The article, if `user` may edit it (403 otherwise).
fn editable(
    conn: &mut db::Conn,
    user: &AuthUser,
    urls: &crate::urls::PublicUrls,
    key: &Key,
) -> Result<store::ArticleRecord, ApiError> {
    let current = store::find(conn, key)?;
    may_edit(user, urls, IfMatch::default())(&current)?;
    Ok(current)
}

/// List an article's revisions, newest first (its author, or an editor or
/// admin). Draft saves by one user within ten minutes of each other are
/// one revision; revisions of versions that were public are all kept.
#[utoipa::path(
    tag = "articles",
    params(crate::api::IdOrSlug, RevisionListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of revisions", body = pagination::Page<Revision>))
)]
#[get("/articles/{id_or_slug}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<crate::api::IdOrSlug>,
    query: web::Query<RevisionListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = pagination::page_request(query.page, query.per_page)?;
    let key = path.key();
    let urls = state.config.urls.clone();
    let (rows, total) = db::run(&state.pool, move |conn| {
        let current = editable(conn, &user, &urls, &key)?;
        Ok(revisions::list(conn, current.summary.row.id, page)?)
    })
    .await?;
    let data: Vec<Revision> = rows.into_iter().map(Revision::from).collect();
    Ok(pagination::respond(&req, page, total, data))
}

/// Get an article as it was at a version (its author, or an editor or
/// admin), in the shape of `GET /articles/{id_or_slug}`. Its tags and
/// owner show with their names as they are now; a version folded into a
/// later draft save is a 404.
#[utoipa::path(
    tag = "articles",
    params(RevisionPath),
    security(("bearer" = [])),
    responses((status = 200, description = "The article as it was", body = Article))
)]
#[get("/articles/{id_or_slug}/revisions/{version}")]
pub async fn get_revision(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<RevisionPath>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let key = Key::parse(&path.id_or_slug);
    let urls = state.config.urls.clone();
    let record = db::run(&state.pool, move |conn| {
        let current = editable(conn, &user, &urls, &key)?;
        let (revision, content) = revisions::find(conn, current.summary.row.id, path.version)?;
        Ok(revisions::as_was(conn, &current, &revision, content)?)
    })
    .await?;
    tagged(&Article::new(record, &state.config.urls))
}

/// Restore an article to what it held at a version (its author, or an
/// editor or admin): a new version with that content, through the same
/// checks as a PUT, firing `article.updated`. Send the current ETag in
/// `If-Match`; a stale one is a 412. A scheduled time that has passed
/// since restores as published; the owner is restored only by editors;
/// `expires_at` stays as it is (an older text does not undo an expiry).
#[utoipa::path(
    tag = "articles",
    params(RevisionPath, ("If-Match" = Option<String>, Header,
        description = "The article's current ETag; the restore happens only if it still is (412 otherwise)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article as restored", body = Article),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem),
    )
)]
#[post("/articles/{id_or_slug}/revisions/{version}/restore")]
pub async fn restore_revision(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<RevisionPath>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let actor = Actor::staff(&user, &request);
    let key = Key::parse(&path.id_or_slug);
    let authorize = may_edit(&user, &state.config.urls, if_match);
    let urls = state.config.urls.clone();
    let record = db::write(&state.pool, move |conn| {
        let id = store::find_row(conn, &key)?.id;
        let (_, mut content) = revisions::find(conn, id, path.version)?;
        if content.status == ArticleStatus::Scheduled
            && content.published_at.is_none_or(|at| at <= now())
        {
            content.status = ArticleStatus::Published;
        }
        let mut changes = ArticleChanges::from(content);
        // The expiry stays as it is now: it is when the article must leave
        // public view (a licence ending), which an older text does not undo.
        changes.expires_at = None;
        if user.role < Role::Editor {
            changes.author_id = None;
        }
        let mut before = None;
        let record = store::update(conn, &Key::Id(id), &changes, |current| {
            before = Some(current.clone());
            authorize(current)
        })?;
        let change = events::article_saved(conn, &urls, before.as_ref(), &record)?;
        actor.article_saved(conn, id, change)?;
        revisions::record(conn, user.id, before.as_ref(), &record)?;
        Ok(record)
    })
    .await?;
    tagged(&Article::new(record, &state.config.urls))
}
