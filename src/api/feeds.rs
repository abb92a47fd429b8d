//! Atom 1.0 feeds of the newest published articles: all of them, a
//! topic's (with its subtopics) and an entity's.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::db;
use crate::error::ApiError;
use crate::store::articles::{self, ArticleFilter, ArticleSummary, PageSpec};
use crate::store::{Key, PageRequest, entities, topics};

/// Entries per feed, as feed readers expect: enough to catch up after a day.
const FEED_SIZE: i64 = 50;

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

fn entry(article: ArticleSummary, base_url: &str) -> Entry {
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
    let (name, page) = db::run(&state.pool, move |conn| {
        let name = match &subject {
            Subject::All => None,
            Subject::Topic(slug) => Some(topics::find(conn, &Key::Slug(slug.clone()))?.row.name),
            Subject::Entity(slug) => Some(entities::find(conn, &Key::Slug(slug.clone()))?.row.name),
        };
        Ok((name, articles::list(conn, &filter, &spec)?))
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
    self_link.set_href(req.uri().to_string());
    self_link.set_rel("self");
    feed.set_links(vec![self_link]);
    feed.set_entries(
        page.items
            .into_iter()
            .map(|article| entry(article, &base_url))
            .collect::<Vec<_>>(),
    );
    // The ETag, 304s and Cache-Control come from `http::policy`, like
    // every other GET.
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
        .body(feed.to_string()))
}

/// The 50 newest published articles, as an Atom 1.0 feed.
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
