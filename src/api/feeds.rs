//! Atom 1.0 feeds of the newest published articles: all of them, a
//! topic's (with its subtopics) and an entity's.
//!
//! Every link is absolute. An entry's `alternate` link is the article's
//! public URL (`NEWSDESK_PUBLIC_URL`, see `Config::article_base_url`). The
//! feed's `self` link is the URL the reader asked for: the scheme and
//! `Host` of the request, or, when the request comes from one of
//! `NEWSDESK_TRUSTED_PROXIES`, the `X-Forwarded-Proto` and
//! `X-Forwarded-Host` that proxy set (a client's own forwarding headers
//! are not believed). Each entry carries the article's sanitised HTML body
//! as `<content type="html">`.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::articles::{self, ArticleFilter, ArticleSummary, PageSpec};
use crate::store::{Key, PageRequest, entities, topics};

/// Entries per feed, as feed readers expect: enough to catch up after a day.
const FEED_SIZE: i64 = 50;

/// Bytes of HTML bodies one feed carries. Entries past it (only with very
/// long bodies) go without `<content>`, keeping their summary and link, so
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

fn utc(at: chrono::NaiveDateTime) -> FixedDateTime {
    at.and_utc().fixed_offset()
}

fn entry(article: ArticleSummary, base_url: &str, body_html: Option<String>) -> Entry {
    let row = article.row;
    let mut entry = Entry::default();
    entry.set_id(format!("urn:newsdesk:article:{}", row.id));
    entry.set_title(Text::plain(row.title));
    entry.set_updated(utc(row.updated_at));
    entry.set_published(row.published_at.map(utc));
    let mut link = Link::default();
    link.set_href(format!("{base_url}/{}", row.slug));
    link.set_rel("alternate");
    entry.set_links(vec![link]);
    if let Some(summary) = row.summary.or(row.subtitle) {
        entry.set_summary(Some(Text::plain(summary)));
    }
    if let Some(html) = body_html.filter(|html| !html.trim().is_empty()) {
        let mut content = Content::default();
        content.set_content_type(Some("html".to_owned()));
        content.set_value(Some(html));
        entry.set_content(Some(content));
    }
    let mut author = Person::default();
    author.set_name(row.byline.unwrap_or(article.author.display_name));
    entry.set_authors(vec![author]);
    let topics = article.topics.into_iter().map(|topic| {
        let mut category = Category::default();
        category.set_term(topic.slug);
        category.set_label(Some(topic.name));
        category.set_scheme(Some("urn:newsdesk:topics".to_owned()));
        category
    });
    let entities = article.entities.into_iter().map(|entity| {
        let mut category = Category::default();
        category.set_term(entity.slug);
        category.set_label(Some(entity.name));
        category.set_scheme(Some(format!("urn:newsdesk:entities:{}", entity.kind)));
        category
    });
    entry.set_categories(topics.chain(entities).collect::<Vec<_>>());
    entry
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
fn own_url(req: &HttpRequest, config: &crate::config::Config) -> String {
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
    format!("{scheme}://{host}{}", req.uri().path())
}

/// A plausible `host[:port]`: what may stand between `//` and the path.
fn is_authority(host: &str) -> bool {
    host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
}

/// Builds the feed of `subject`.
async fn feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    subject: Subject,
) -> Result<HttpResponse, ApiError> {
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
    let base_url = state.config.article_base_url();
    let mut feed = Feed::default();
    feed.set_id(id);
    feed.set_title(Text::plain(match name {
        Some(name) => format!("newsdesk: {name}"),
        None => "newsdesk: latest articles".to_owned(),
    }));
    let updated = page
        .items
        .iter()
        .map(|article| article.row.updated_at)
        .max();
    feed.set_updated(
        updated
            .map(utc)
            .unwrap_or_else(|| utc(chrono::NaiveDateTime::default())),
    );
    let mut self_link = Link::default();
    self_link.set_href(own_url(&req, &state.config));
    self_link.set_rel("self");
    self_link.set_mime_type(Some("application/atom+xml".to_owned()));
    feed.set_links(vec![self_link]);
    let mut budget = CONTENT_BUDGET;
    let entries: Vec<Entry> = page
        .items
        .into_iter()
        .map(|article| {
            let html = take_within(&mut bodies, article.row.id, &mut budget);
            entry(article, &base_url, html)
        })
        .collect();
    feed.set_entries(entries);
    // The ETag, 304s and Cache-Control come from `http::policy`, like
    // every other GET.
    let mut keys = vec![crate::store::keys::FEED.to_owned()];
    keys.extend(page.depends_on);
    Ok(super::with_surrogate_keys(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
            .body(feed.to_string()),
        &keys,
    ))
}

/// The 50 newest published articles, as an Atom 1.0 feed.
///
/// Each entry carries the sanitised HTML body as `<content type="html">`.
/// Every link is absolute: entries link to `NEWSDESK_PUBLIC_URL`; the
/// `self` link is the URL the feed was fetched at (the request's `Host`,
/// or a trusted proxy's `X-Forwarded-Host` and `X-Forwarded-Proto`).
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "Atom 1.0; `ETag` and `Cache-Control` set", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/articles.atom")]
pub async fn articles_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    feed(state, req, Subject::All).await
}

/// The 50 newest published articles under a topic (and its subtopics).
///
/// Entries and links as in the feed of all articles.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "Atom 1.0; `ETag` and `Cache-Control` set", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/topics/{slug}.atom")]
pub async fn topic_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    feed(state, req, Subject::Topic(path.into_inner().slug)).await
}

/// The 50 newest published articles about an entity.
///
/// Entries and links as in the feed of all articles.
#[utoipa::path(
    tag = "feeds",
    params(FeedSlug),
    responses(
        (status = 200, description = "Atom 1.0; `ETag` and `Cache-Control` set", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/feeds/entities/{slug}.atom")]
pub async fn entity_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FeedSlug>,
) -> Result<HttpResponse, ApiError> {
    feed(state, req, Subject::Entity(path.into_inner().slug)).await
}
