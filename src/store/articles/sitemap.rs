//! What sitemaps list: public articles, by id ranges for the article
//! sitemaps and by publication time for the news sitemap.
//!
//! Article sitemap `n` holds the public articles whose id is in
//! `(n - 1) * size + 1 ..= n * size`. An article so stays on one page for
//! good (a crawler sees each page change only when its own articles do),
//! and every page is a range of the primary key, as cheap at page 1,000
//! as at page 1: no OFFSET, no count of what comes before. A page holds at
//! most `size` URLs, fewer where ids went to drafts or deleted articles.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::condition;
use crate::db::Conn;
use crate::db::schema::articles;

/// An article as a sitemap shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct SitemapRow {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The id range of article sitemap `page` (from 1) of `size`.
fn id_range(page: i64, size: i64) -> (i32, i32) {
    let clamp = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let first = (page - 1).saturating_mul(size).saturating_add(1);
    (clamp(first), clamp(first.saturating_add(size - 1)))
}

/// The article sitemaps that have public articles at `now`, by number:
/// the newest public id tells how many ranges there are (a walk down the
/// primary key to the first public row), and each range is kept when it
/// has one (a walk up its range to the first public row).
pub fn sitemap_pages(conn: &mut Conn, size: i64, now: NaiveDateTime) -> QueryResult<Vec<i64>> {
    let newest: Option<i32> = articles::table
        .filter(condition::public_off_index(now))
        .order(articles::id.desc())
        .select(articles::id)
        .first(conn)
        .optional()?;
    let Some(newest) = newest else {
        return Ok(Vec::new());
    };
    let last = (i64::from(newest) + size - 1) / size;
    let mut pages = Vec::new();
    for page in 1..=last {
        let (first, end) = id_range(page, size);
        let any: Option<i32> = articles::table
            .filter(articles::id.between(first, end))
            .filter(condition::public_off_index(now))
            .order(articles::id.asc())
            .select(articles::id)
            .first(conn)
            .optional()?;
        if any.is_some() {
            pages.push(page);
        }
    }
    Ok(pages)
}

/// The public articles of article sitemap `page` (from 1) of `size`, by id.
pub fn sitemap_page(
    conn: &mut Conn,
    page: i64,
    size: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<SitemapRow>> {
    let (first, end) = id_range(page, size);
    articles::table
        .filter(articles::id.between(first, end))
        .filter(condition::public_off_index(now))
        .order(articles::id.asc())
        .select(SitemapRow::as_select())
        .load(conn)
}

/// The public articles published since `since` (up to `now`), newest
/// first, at most `limit`: a range of the publication-time index.
pub fn published_since(
    conn: &mut Conn,
    since: NaiveDateTime,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<SitemapRow>> {
    articles::table
        .filter(articles::published_at.ge(since))
        .filter(articles::published_at.le(now))
        .filter(condition::public(now))
        .order((articles::published_at.desc(), articles::id.desc()))
        .select(SitemapRow::as_select())
        .limit(limit)
        .load(conn)
}
