//! Authors: the staff accounts readers may see, those with at least one
//! public article now. How many each has comes from the kept counts
//! (`counts`, key `author:{id}`), so a list of authors never counts the
//! articles table.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Key, PageRequest, counts, keys};
use crate::db::Conn;
use crate::db::schema::{articles, published_counts, users};
use crate::domain::ArticleStatus;
use crate::store::Error;

/// An account as its author page shows it: never its email, role or
/// whether it may sign in.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct AuthorRow {
    pub id: i32,
    pub slug: Option<String>,
    pub display_name: String,
    pub bio: Option<String>,
    pub avatar_id: Option<i32>,
}

fn not_found() -> Error {
    Error::NotFound("No author has this id or slug.".to_owned())
}

/// Public articles per author at `now`, for every author with one.
fn public_counts(conn: &mut Conn, now: NaiveDateTime) -> Result<HashMap<i32, i64>, Error> {
    // The kept counts name authors with a published article; a scheduled
    // article whose time has passed is public before the table says so.
    let mut ids: Vec<i32> = published_counts::table
        .filter(published_counts::key.gt("author:"))
        .filter(published_counts::key.lt("author;"))
        .filter(published_counts::n.gt(0))
        .select(published_counts::key)
        .load::<String>(conn)?
        .iter()
        .filter_map(|key| key.strip_prefix("author:")?.parse().ok())
        .collect();
    ids.extend(
        articles::table
            .filter(articles::status.eq(ArticleStatus::Scheduled))
            .filter(articles::published_at.le(now))
            .select(articles::author_id)
            .distinct()
            .load::<i32>(conn)?,
    );
    let wanted: Vec<String> = ids.iter().map(|id| keys::author(*id)).collect();
    let found = counts::public(conn, &wanted, now)?;
    Ok(ids
        .into_iter()
        .filter_map(|id| {
            let n = found.get(&keys::author(id)).copied().unwrap_or(0);
            (n > 0).then_some((id, n))
        })
        .collect())
}

/// A page of authors by display name, with their public article counts,
/// and how many authors there are.
pub fn list(
    conn: &mut Conn,
    page: PageRequest,
    now: NaiveDateTime,
) -> Result<(Vec<(AuthorRow, i64)>, i64), Error> {
    let counts = public_counts(conn, now)?;
    let ids: Vec<i32> = counts.keys().copied().collect();
    let rows = users::table
        .filter(users::id.eq_any(&ids))
        .select(AuthorRow::as_select())
        .order((users::display_name.asc(), users::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    let total = i64::try_from(ids.len()).unwrap_or(i64::MAX);
    Ok((
        rows.into_iter()
            .map(|row| {
                let n = counts.get(&row.id).copied().unwrap_or(0);
                (row, n)
            })
            .collect(),
        total,
    ))
}

/// The author `key` names, with its public article count; a 404 when no
/// account has it or the account has no public article.
pub fn find(conn: &mut Conn, key: &Key, now: NaiveDateTime) -> Result<(AuthorRow, i64), Error> {
    let query = users::table.select(AuthorRow::as_select()).into_boxed();
    let row = match key {
        Key::Id(id) => query.filter(users::id.eq(*id)),
        Key::Slug(slug) => query.filter(users::slug.eq(slug)),
    }
    .first(conn)
    .optional()?
    .ok_or_else(not_found)?;
    let n = counts::public(conn, &[keys::author(row.id)], now)?
        .into_values()
        .sum::<i64>();
    if n == 0 {
        return Err(not_found());
    }
    Ok((row, n))
}

/// The account a `?author=` names: an id, a slug, or an old slug of an
/// author; `None` when none does.
pub fn resolve(conn: &mut Conn, key: &Key) -> Result<Option<i32>, Error> {
    let query = users::table.select(users::id).into_boxed();
    let found = match key {
        Key::Id(id) => query.filter(users::id.eq(*id)),
        Key::Slug(slug) => query.filter(users::slug.eq(slug)),
    }
    .first(conn)
    .optional()?;
    if found.is_some() {
        return Ok(found);
    }
    let Key::Slug(slug) = key else {
        return Ok(None);
    };
    let Some(current) = super::old_slugs::current(conn, super::old_slugs::Owner::Author, slug)?
    else {
        return Ok(None);
    };
    Ok(users::table
        .filter(users::slug.eq(current))
        .select(users::id)
        .first(conn)
        .optional()?)
}
