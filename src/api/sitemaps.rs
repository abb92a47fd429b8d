//! Sitemaps (<https://www.sitemaps.org/protocol.html>): the index at
//! `/sitemap.xml`, the article sitemaps `/sitemaps/articles-{n}.xml`, and
//! the Google News sitemap `/sitemaps/news.xml` of the last 48 hours.
//!
//! Every URL is absolute: articles as feeds link to them
//! (`crate::urls`), the index's sitemaps at the server as the
//! reader reached it (`feeds::own_origin`). Only public articles appear.
//! Article sitemap `n` holds the public articles of one id range (see
//! `store::articles::sitemap`), so an article never moves between pages.

use std::fmt::Write;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Duration, NaiveDateTime, SecondsFormat};
use serde::Deserialize;
use utoipa::IntoParams;

use super::feeds::{own_origin, xml_escape};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{articles, keys, now};

/// How far back the news sitemap reaches, as Google News asks.
const NEWS_WINDOW_HOURS: i64 = 48;

/// The most URLs Google reads from one news sitemap.
const NEWS_LIMIT: i64 = 1_000;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const CONTENT_TYPE: &str = "application/xml; charset=utf-8";

const INDEX_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://api.news.example/sitemaps/articles-1.xml</loc></sitemap><sitemap><loc>https://api.news.example/sitemaps/articles-2.xml</loc></sitemap><sitemap><loc>https://api.news.example/sitemaps/news.xml</loc></sitemap></sitemapindex>"#;

const ARTICLES_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example/north-korea-rejects-g7-statement</loc><lastmod>2024-05-31T09:30:00Z</lastmod></url></urlset>"#;

const NEWS_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example/north-korea-rejects-g7-statement</loc><news:news><news:publication><news:name>newsdesk</news:name><news:language>en</news:language></news:publication><news:publication_date>2024-05-31T09:00:00Z</news:publication_date><news:title>North Korea rejects G7 statement</news:title></news:news></url></urlset>"#;

/// The `{n}` of an article sitemap.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitemapNumber {
    /// The sitemap's number, from 1, as the index lists them.
    #[param(example = "1")]
    pub n: String,
}

/// W3C datetime, as sitemaps want it.
fn w3c(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn xml(body: String) -> HttpResponse {
    // Any public article's write purges `feed` (see webhooks::events);
    // which articles are public is `list:articles`.
    let keys = [keys::FEED.to_owned(), keys::LIST_ARTICLES.to_owned()];
    super::with_surrogate_keys(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, CONTENT_TYPE))
            .body(body),
        &keys,
    )
}

fn page_size(state: &AppState) -> i64 {
    i64::from(state.config.sitemap_page_size.max(1))
}

/// The sitemap index: every article sitemap that has public articles,
/// then the news sitemap.
///
/// Article sitemap `n` lists the public articles with ids
/// `(n - 1) × size + 1` to `n × size` (`NEWSDESK_SITEMAP_PAGE_SIZE`,
/// default 50,000), so it holds at most 50,000 URLs and an article stays
/// on its page. URLs are absolute, at the server as the reader reached it.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "A sitemap index (sitemaps.org 0.9); `ETag` and `Cache-Control` set", content_type = "application/xml", body = String, example = json!(INDEX_EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/sitemap.xml")]
pub async fn sitemap_index(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let size = page_size(&state);
    let pages = db::run(&state.pool, move |conn| {
        Ok(articles::sitemap_pages(conn, size, now())?)
    })
    .await?;
    let origin = own_origin(&req, &state.config);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"{SITEMAP_NS}\">"
    );
    let locations = pages
        .iter()
        .map(|page| format!("{origin}/sitemaps/articles-{page}.xml"))
        .chain([format!("{origin}/sitemaps/news.xml")]);
    for loc in locations {
        let _ = write!(out, "<sitemap><loc>{}</loc></sitemap>", xml_escape(&loc));
    }
    out.push_str("</sitemapindex>");
    Ok(xml(out))
}

/// An article sitemap: the public articles of one id range, each with
/// its public URL and `lastmod` (when it last changed).
///
/// A number the index does not list (no public article in its range, or
/// not a number) is a 404.
#[utoipa::path(
    tag = "feeds",
    params(SitemapNumber),
    responses(
        (status = 200, description = "A sitemap (sitemaps.org 0.9); `ETag` and `Cache-Control` set", content_type = "application/xml", body = String, example = json!(ARTICLES_EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/sitemaps/articles-{n}.xml")]
pub async fn article_sitemap(
    state: web::Data<AppState>,
    path: web::Path<SitemapNumber>,
) -> Result<HttpResponse, ApiError> {
    let missing = || ApiError::NotFound("No article sitemap has this number".to_owned());
    let page: i64 = path
        .n
        .parse()
        .ok()
        // Only the number as the index writes it: `01` is not another
        // URL of sitemap 1.
        .filter(|page: &i64| *page >= 1 && page.to_string() == path.n)
        .ok_or_else(missing)?;
    let size = page_size(&state);
    let rows = db::run(&state.pool, move |conn| {
        Ok(articles::sitemap_page(conn, page, size, now())?)
    })
    .await?;
    if rows.is_empty() {
        return Err(missing());
    }
    let mut out = String::with_capacity(100 + rows.len() * 120);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{SITEMAP_NS}\">"
    );
    for row in &rows {
        let _ = write!(
            out,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            xml_escape(&state.config.urls.article(
                row.id,
                &row.slug,
                row.published_at,
                row.created_at
            )),
            w3c(row.updated_at)
        );
    }
    out.push_str("</urlset>");
    Ok(xml(out))
}

/// The Google News sitemap: the public articles published in the last
/// 48 hours (at most 1,000, newest first), each with `news:publication`
/// (`NEWSDESK_PUBLICATION_NAME`, `NEWSDESK_PUBLICATION_LANGUAGE`),
/// `news:publication_date` and `news:title`.
///
/// With nothing published in 48 hours it is an empty `urlset`.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "A Google News sitemap; `ETag` and `Cache-Control` set", content_type = "application/xml", body = String, example = json!(NEWS_EXAMPLE)),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
    )
)]
#[get("/sitemaps/news.xml")]
pub async fn news_sitemap(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = db::run(&state.pool, move |conn| {
        let now = now();
        let since = now - Duration::hours(NEWS_WINDOW_HOURS);
        Ok(articles::published_since(conn, since, now, NEWS_LIMIT)?)
    })
    .await?;
    let config = &state.config;
    let publication = format!(
        "<news:publication><news:name>{}</news:name><news:language>{}</news:language></news:publication>",
        xml_escape(&config.publication_name),
        xml_escape(&config.publication_language)
    );
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{SITEMAP_NS}\" xmlns:news=\"{NEWS_NS}\">"
    );
    for row in &rows {
        let Some(published) = row.published_at else {
            continue;
        };
        let _ = write!(
            out,
            "<url><loc>{}</loc><news:news>{publication}<news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            xml_escape(
                &config
                    .urls
                    .article(row.id, &row.slug, row.published_at, row.created_at)
            ),
            w3c(published),
            xml_escape(&row.title)
        );
    }
    out.push_str("</urlset>");
    Ok(xml(out))
}
