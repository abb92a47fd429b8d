//! Preview links: `POST`/`DELETE /api/v1/articles/{id_or_slug}/preview`,
//! and `GET /api/v1/articles/{id_or_slug}?preview=TOKEN`.
//!
//! A preview token is signed with the access tokens' key (so it survives
//! a restart when `NEWSDESK_JWT_SECRET` is set), but has an audience of
//! its own and names an article, not a user: it is no bearer token, and
//! an access token is no preview token. It opens its one article, read
//! only, until it expires or the article's previews are revoked.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Article, may_edit};
use crate::api::IdOrSlug;
use crate::api::etag::IfMatch;
use crate::auth::AuthUser;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::articles as store;
use crate::store::{Key, previews};

/// A new preview link.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcnRpY2xlOjciLCJhdWQiOiJuZXdzZGVzay1wcmV2aWV3In0.c2lnbmF0dXJl",
    "url": "https://news.example.com/2024/05/31/north-korea-warns-g7?preview=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcnRpY2xlOjciLCJhdWQiOiJuZXdzZGVzay1wcmV2aWV3In0.c2lnbmF0dXJl",
    "expires_at": "2024-06-01T09:00:00Z"
}))]
pub struct Preview {
    /// Pass as `preview` to `GET /api/v1/articles/{id_or_slug}`.
    pub token: String,
    /// The article's page on the site (its `url`) with the token as
    /// `?preview=`, for the frontend to pass on to the API.
    pub url: String,
    /// When the token stops working (`NEWSDESK_PREVIEW_TTL` after it was made).
    pub expires_at: DateTime<Utc>,
}

fn refused() -> ApiError {
    ApiError::Forbidden(
        "This preview link is invalid, expired, revoked or for another article.".to_owned(),
    )
}

/// The answer to `GET /articles/{id_or_slug}?preview=TOKEN`: read from the
/// database, never from or into the answer cache.
pub async fn respond(state: &AppState, key: Key, token: &str) -> Result<HttpResponse, ApiError> {
    let (article_id, generation) = state.tokens.verify_preview(token).ok_or_else(refused)?;
    let record = db::run(&state.pool, move |conn| {
        let record = store::find(conn, &key).map_err(|err| match err {
            crate::store::Error::NotFound(_) => refused(),
            other => other.into(),
        })?;
        if record.summary.row.id != article_id
            || previews::generation(conn, article_id)? != generation
        {
            return Err(refused());
        }
        Ok(record)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .json(Article::new(record, &state.config.urls)))
}

/// Make a preview link of an article (its author, or an editor or admin):
/// a token that shows it, read only, to anyone holding it, for
/// `NEWSDESK_PREVIEW_TTL` seconds (default 24 hours) or until revoked.
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug),
    security(("bearer" = [])),
    responses((status = 201, description = "The preview link", body = Preview))
)]
#[post("/articles/{id_or_slug}/preview")]
pub async fn create_preview(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    let key = path.key();
    let urls = state.config.urls.clone();
    let (id, page, generation) = db::run(&state.pool, move |conn| {
        let current = store::find(conn, &key)?;
        may_edit(&user, &urls, IfMatch::default())(&current)?;
        let row = &current.summary.row;
        let page = urls.article(row.id, &row.slug, row.published_at, row.created_at);
        Ok((row.id, page, previews::generation(conn, row.id)?))
    })
    .await?;
    let (token, exp) = state
        .tokens
        .issue_preview(id, generation, state.config.preview_ttl_seconds)
        .map_err(|err| ApiError::Internal(err.into()))?;
    let expires_at = DateTime::<Utc>::from_timestamp(i64::try_from(exp).unwrap_or(i64::MAX), 0)
        .ok_or_else(|| ApiError::Internal("a preview expiry out of range".into()))?;
    // The article's page on the site, which hands the token on to
    // `GET /articles/{id}?preview=`.
    let url = format!("{page}?preview={token}");
    Ok(HttpResponse::Created().json(Preview {
        token,
        url,
        expires_at,
    }))
}

/// Revoke every preview link of an article (its author, or an editor or
/// admin).
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug),
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"))
)]
#[delete("/articles/{id_or_slug}/preview")]
pub async fn revoke_previews(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    let key = path.key();
    let urls = state.config.urls.clone();
    db::write(&state.pool, move |conn| {
        let current = store::find(conn, &key)?;
        may_edit(&user, &urls, IfMatch::default())(&current)?;
        Ok(previews::revoke(conn, current.summary.row.id)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
