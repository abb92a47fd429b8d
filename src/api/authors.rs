//! `/api/v1/authors`: the public face of staff, for author pages and
//! bylines. An author is a staff account with at least one public article;
//! its email, role and whether it may sign in never show here.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::media::Media;
use super::{IdOrSlug, pagination, tagged, with_surrogate_keys};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::authors::{self as store, AuthorRow};
use crate::store::media::{self as media_store, MediaRow};
use crate::store::old_slugs::Owner;
use crate::store::{keys, now};
use crate::urls::PublicUrls;

/// A staff member who has published, as readers see them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 2, "slug": "seoul-correspondent", "display_name": "Seoul Correspondent",
    "bio": "Reports on the two Koreas from Seoul.", "avatar": null,
    "url": "https://news.example/authors/seoul-correspondent", "article_count": 14
}))]
pub struct Author {
    pub id: i32,
    /// Unique URL name; a GET of an old one answers 301.
    pub slug: String,
    pub display_name: String,
    pub bio: Option<String>,
    /// A portrait from the media library.
    pub avatar: Option<Media>,
    /// The author's page on the site (`NEWSDESK_SITE_URL` + `/authors/{slug}`).
    pub url: String,
    /// Public articles by this author.
    pub article_count: i64,
}

impl Author {
    fn new(
        row: AuthorRow,
        article_count: i64,
        avatar: Option<MediaRow>,
        urls: &PublicUrls,
    ) -> Self {
        let slug = row.slug.unwrap_or_default();
        Author {
            id: row.id,
            url: urls.author(&slug),
            slug,
            display_name: row.display_name,
            bio: row.bio,
            avatar: avatar.map(Media::from),
            article_count,
        }
    }
}

/// Query parameters of `GET /authors`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuthorListQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The rows as served, their avatars loaded in one query.
fn present(
    conn: &mut db::Conn,
    found: Vec<(AuthorRow, i64)>,
    urls: &PublicUrls,
) -> Result<Vec<Author>, ApiError> {
    let ids: Vec<i32> = found.iter().filter_map(|(row, _)| row.avatar_id).collect();
    let mut avatars = media_store::find_many(conn, &ids)?;
    Ok(found
        .into_iter()
        .map(|(row, n)| {
            let avatar = row.avatar_id.and_then(|id| avatars.remove(&id));
            Author::new(row, n, avatar, urls)
        })
        .collect())
}

/// List authors: staff with a public article, by display name.
#[utoipa::path(
    tag = "authors",
    params(AuthorListQuery),
    responses((status = 200, description = "A page of authors", body = pagination::Page<Author>,
        headers(("X-Total-Count" = i64, description = "Authors on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/authors")]
pub async fn list_authors(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AuthorListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = pagination::page_request(query.page, query.per_page)?;
    let urls = state.config.urls.clone();
    let (data, total) = db::run(&state.pool, move |conn| {
        let (found, total) = store::list(conn, page, now())?;
        Ok((present(conn, found, &urls)?, total))
    })
    .await?;
    // Who is an author changes when articles are published or withdrawn.
    let mut depends_on = vec![keys::LIST_ARTICLES.to_owned()];
    depends_on.extend(data.iter().map(|author| keys::author(author.id)));
    Ok(with_surrogate_keys(
        pagination::respond(&req, page, total, data),
        &depends_on,
    ))
}

/// Get one author by id or slug: a 404 for staff without a public article.
#[utoipa::path(
    tag = "authors",
    params(IdOrSlug),
    responses(
        (status = 200, description = "The author", body = Author),
        (status = 301, description = "An old slug of the author: `Location` names the current one",
            body = super::MovedSlug, headers(("Location" = String, description = "/api/v1/authors/{current-slug}"))),
    )
)]
#[get("/authors/{id_or_slug}")]
pub async fn get_author(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    let key = path.key();
    let lookup = key.clone();
    let urls = state.config.urls.clone();
    let found = db::run(&state.pool, move |conn| {
        let found = store::find(conn, &lookup, now())?;
        present(conn, vec![found], &urls)
    })
    .await;
    let author = match found {
        Err(not_found @ ApiError::NotFound(_)) => {
            return super::moved_or(&state.pool, Owner::Author, &req, key, not_found).await;
        }
        found => found?
            .pop()
            .ok_or_else(|| ApiError::NotFound("No author has this id or slug.".to_owned()))?,
    };
    let depends_on = [keys::author(author.id)];
    tagged(&author).map(|response| with_surrogate_keys(response, &depends_on))
}
