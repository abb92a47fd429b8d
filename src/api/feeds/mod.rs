//! Feeds of the newest published articles (all of them, a topic's with
//! its subtopics, an entity's), each in three formats: Atom 1.0 (`.atom`),
//! RSS 2.0 (`.rss`) and JSON Feed 1.1 (`.json`). One loader (`load`)
//! reads the entries; three small renderers (`atom`, `rss`, `json`) write
//! them, so that the formats cannot disagree on what a feed holds.
//!
//! Every link is absolute. An entry's link is the article's public URL
//! (`NEWSDESK_SITE_URL` and `NEWSDESK_ARTICLE_PATH`, see `crate::urls`). The feed's `self` link is
//! the URL the reader asked for: the scheme and `Host` of the request, or,
//! when the request comes from one of `NEWSDESK_TRUSTED_PROXIES`, the
//! `X-Forwarded-Proto` and `X-Forwarded-Host` that proxy set (a client's
//! own forwarding headers are not believed). Each entry carries the
//! article's sanitised HTML body (`<content type="html">`,
//! `content:encoded`, `content_html`).

mod atom;
mod json;
mod rss;

pub use rss::escape as xml_escape;

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::config::Config;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::articles::{self, ArticleFilter, ArticleSummary, PageSpec};
use crate::store::{Key, PageRequest, entities, topics};

/// Entries per feed, as feed readers expect: enough to catch up after a day.
const FEED_SIZE: i64 = 50;

/// Bytes of HTML bodies one feed carries. Entries past it (only with very
/// long bodies) go without content, keeping their summary and link, so
/// that a feed stays small enough to be tagged for 304s (see `http`).
const CONTENT_BUDGET: usize = 4 * 1024 * 1024;

/// The `{slug}` of a topic or entity feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FeedSlug {
    /// The topic's or entity's slug.
    #[param(example = "north-korea")]
    pub slug: String,
}

/// What a feed is about.
enum Subject {
    All,
    Topic(String),
    Entity(String),
}

/// A topic or entity an entry is tagged with.
struct Tag {
    /// The slug.
    term: String,
    /// The name.
    label: String,
    /// `urn:newsdesk:topics` or `urn:newsdesk:entities:{kind}`.
    scheme: String,
}

/// One article of a feed, whatever the format.
struct FeedEntry {
    /// `urn:newsdesk:article:{id}`: stable across slug changes.
    id: String,
    title: String,
    /// The article's public URL.
    url: String,
    /// The summary, else the subtitle.
    summary: Option<String>,
    /// The sanitised HTML body; none when empty or past the budget.
    content_html: Option<String>,
    published: Option<NaiveDateTime>,
    updated: NaiveDateTime,
    /// The byline, else the author's name.
    author: String,
    tags: Vec<Tag>,
}

/// A feed, whatever the format.
struct FeedData {
    /// `urn:newsdesk:feed:…`.
    id: String,
    title: String,
    /// Where readers find the articles (the base of their links).
    home_url: String,
    /// The URL this feed was fetched at.
    self_url: String,
    /// The newest `updated` of its entries (the epoch when it has none).
    updated: NaiveDateTime,
    entries: Vec<FeedEntry>,
    /// What the feed depends on, for `Surrogate-Key`.
    keys: Vec<String>,
}

fn entry(article: ArticleSummary, config: &Config, content_html: Option<String>) -> FeedEntry {
    let row = article.row;
    let topics = article.topics.into_iter().map(|topic| Tag {
        term: topic.slug,
        label: topic.name,
        scheme: "urn:newsdesk:topics".to_owned(),
    });
    let entities = article.entities.into_iter().map(|entity| Tag {
        term: entity.slug,
        label: entity.name,
        scheme: format!("urn:newsdesk:entities:{}", entity.kind),
    });
    FeedEntry {
        id: format!("urn:newsdesk:article:{}", row.id),
        url: config
            .urls
            .article(row.id, &row.slug, row.published_at, row.created_at),
        title: row.title,
        summary: row.summary.or(row.subtitle),
        content_html: content_html.filter(|html| !html.trim().is_empty()),
        published: row.published_at,
        updated: row.updated_at,
        author: row.byline.unwrap_or(article.author.display_name),
        tags: topics.chain(entities).collect(),
    }
}

/// The body of article `id`, if it fits in what is left of `budget`.
fn take_within(bodies: &mut HashMap<i32, String>, id: i32, budget: &mut usize) -> Option<String> {
    let html = bodies.remove(&id)?;
    if html.len() > *budget {
        return None;
    }
    *budget -= html.len();
    Some(html)
}

/// The absolute URL of the feed being answered (see the module's notes).
fn own_url(req: &HttpRequest, config: &Config) -> String {
    format!("{}{}", own_origin(req, config), req.uri().path())
}

/// `scheme://host[:port]` of the server as the reader reached it (see the
/// module's notes): the base of links to the server's own documents.
pub fn own_origin(req: &HttpRequest, config: &Config) -> String {
    let headers = req.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            // A proxy may have appended to a list: the first is the client's.
            .and_then(|value| value.split(',').next())
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let via_proxy = req
        .peer_addr()
        .is_some_and(|peer| config.trusted_proxies.contains(&peer.ip()));
    let forwarded = |name: &str| if via_proxy { header(name) } else { None };
    let scheme = match forwarded("x-forwarded-proto") {
        Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
        Some(proto) if proto.eq_ignore_ascii_case("http") => "http",
        // Not `connection_info()`: it believes anyone's forwarding headers.
        _ if req.app_config().secure() => "https",
        _ => "http",
    };
    let host = forwarded("x-forwarded-host")
        .or_else(|| header("host"))
        .filter(|host| is_authority(host))
        .map(str::to_owned)
        .unwrap_or_else(|| config.bind.clone());
    format!("{scheme}://{host}")
}

/// A plausible `host[:port]`: what may stand between `//` and the path.
fn is_authority(host: &str) -> bool {
    host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
}

/// Reads the feed of `subject`: the one place that decides its entries
/// (a 404 for an unknown topic or entity).
async fn load(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    subject: Subject,
) -> Result<FeedData, ApiError> {
    let mut filter = ArticleFilter::default();
    let id = match &subject {
        Subject::All => "urn:newsdesk:feed:articles".to_owned(),
        Subject::Topic(slug) => {
            filter.topics = vec![vec![slug.clone()]];
            format!("urn:newsdesk:feed:topic:{slug}")
        }
        Subject::Entity(slug) => {
            filter.entities = vec![vec![slug.clone()]];
            format!("urn:newsdesk:feed:entity:{slug}")
        }
    };
    let spec = PageSpec::Offset(PageRequest {
        page: 1,
        per_page: FEED_SIZE,
    });
    let (name, page, mut bodies) = db::run(&state.pool, move |conn| {
        let name = match &subject {
            Subject::All => None,
            Subject::Topic(slug) => Some(topics::find(conn, &Key::Slug(slug.clone()))?.row.name),
            Subject::Entity(slug) => Some(entities::find(conn, &Key::Slug(slug.clone()))?.row.name),
        };
        let page = articles::list(conn, &filter, &spec)?;
        let ids: Vec<i32> = page.items.iter().map(|article| article.row.id).collect();
        let bodies = articles::bodies_html(conn, &ids)?;
        Ok((name, page, bodies))
    })
    .await?;
    let config = &state.config;
    let updated = page
        .items
        .iter()
        .map(|article| article.row.updated_at)
        .max()
        .unwrap_or_default();
    let mut budget = CONTENT_BUDGET;
    let entries = page
        .items
        .into_iter()
        .map(|article| {
            let html = take_within(&mut bodies, article.row.id, &mut budget);
            entry(article, config, html)
        })
        .collect();
    let mut keys = vec![crate::store::keys::FEED.to_owned()];
    keys.extend(page.depends_on);
    Ok(FeedData {
        id,
        title: match name {
            Some(name) => format!("newsdesk: {name}"),
            None => "newsdesk: latest articles".to_owned(),
        },
        home_url: config.urls.site().to_owned(),
        self_url: own_url(req, config),
        updated,
        entries,
        keys,
    })
}

/// The three formats, and the media type each is served as.
#[derive(Debug, Clone, Copy)]
enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json",
        }
    }
}

/// Loads the feed of `subject` and writes it as `format`. The ETag, 304s
/// and Cache-Control come from `http::policy`, like every other GET.
async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    subject: Subject,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let feed = load(&state, &req, subject).await?;
    let body = match format {
        Format::Atom => atom::render(&feed),
        Format::Rss => rss::render(&feed),
        Format::Json => json::render(&feed)?,
    };
    Ok(super::with_surrogate_keys(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, format.content_type()))
            .body(body),
        &feed.keys,
    ))
}

/// The 50 newest published articles, as an Atom 1.0 feed.
///
/// Each entry carries the sanitised HTML body as `<content type="html">`.
/// Every link is absolute: entries link to the article's `url`; the
/// `self` link is the URL the feed was fetched at (the request's `Host`,
/// or a trusted proxy's `X-Forwarded-Host` and `X-Forwarded-Proto`).
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "Atom 1.0; `ETag` and `Cache-Control` set", content_type = "application/atom+xml", body = String, example = json!(atom::EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/articles.atom")]
pub async fn articles_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, Subject::All, Format::Atom).await
}

/// The 50 newest published articles under a topic (and its subtopics).
///
/// Entries and links as in the feed of all articles.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "Atom 1.0; `ETag` and `Cache-Control` set", content_type = "application/atom+xml", body = String, example = json!(atom::EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/topics/{slug}.atom")]
pub async fn topic_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        Subject::Topic(path.into_inner().slug),
        Format::Atom,
    )
    .await
}

/// The 50 newest published articles about an entity.
///
/// Entries and links as in the feed of all articles.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "Atom 1.0; `ETag` and `Cache-Control` set", content_type = "application/atom+xml", body = String, example = json!(atom::EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/entities/{slug}.atom")]
pub async fn entity_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        Subject::Entity(path.into_inner().slug),
        Format::Atom,
    )
    .await
}

/// The 50 newest published articles, as an RSS 2.0 feed.
///
/// The same entries as `/feeds/articles.atom`; each item carries the
/// sanitised HTML body as `content:encoded`, the summary as
/// `description`, and absolute links.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "RSS 2.0; `ETag` and `Cache-Control` set", content_type = "application/rss+xml", body = String, example = json!(rss::EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/articles.rss")]
pub async fn articles_rss(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, Subject::All, Format::Rss).await
}

/// The 50 newest published articles under a topic, as RSS 2.0.
///
/// The same entries as the topic's Atom feed.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "RSS 2.0; `ETag` and `Cache-Control` set", content_type = "application/rss+xml", body = String, example = json!(rss::EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/topics/{slug}.rss")]
pub async fn topic_rss(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        Subject::Topic(path.into_inner().slug),
        Format::Rss,
    )
    .await
}

/// The 50 newest published articles about an entity, as RSS 2.0.
///
/// The same entries as the entity's Atom feed.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "RSS 2.0; `ETag` and `Cache-Control` set", content_type = "application/rss+xml", body = String, example = json!(rss::EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/entities/{slug}.rss")]
pub async fn entity_rss(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        Subject::Entity(path.into_inner().slug),
        Format::Rss,
    )
    .await
}

/// The 50 newest published articles, as a JSON Feed 1.1.
///
/// The same entries as `/feeds/articles.atom`; each item carries the
/// sanitised HTML body as `content_html` (or, without a body, the summary
/// as `content_text`), and absolute links.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "JSON Feed 1.1; `ETag` and `Cache-Control` set", content_type = "application/feed+json", body = Object, example = json!(json::example())),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/articles.json")]
pub async fn articles_json(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, Subject::All, Format::Json).await
}

/// The 50 newest published articles under a topic, as a JSON Feed 1.1.
///
/// The same entries as the topic's Atom feed.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "JSON Feed 1.1; `ETag` and `Cache-Control` set", content_type = "application/feed+json", body = Object, example = json!(json::example())),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/topics/{slug}.json")]
pub async fn topic_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        Subject::Topic(path.into_inner().slug),
        Format::Json,
    )
    .await
}

/// The 50 newest published articles about an entity, as a JSON Feed 1.1.
///
/// The same entries as the entity's Atom feed.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "JSON Feed 1.1; `ETag` and `Cache-Control` set", content_type = "application/feed+json", body = Object, example = json!(json::example())),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/entities/{slug}.json")]
pub async fn entity_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        Subject::Entity(path.into_inner().slug),
        Format::Json,
    )
    .await
}
