//! The media library's rows: what an image is (type, size, where its files
//! are kept) and what the newsroom says about it (alt text, caption,
//! credit, focal point). The files themselves are in `media::files`.

use diesel::prelude::*;

use super::{PageRequest, now};
use crate::db::Conn;
use crate::db::schema::{articles, media, users};
use crate::domain::ArticleStatus;
use crate::store::Error;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i32,
    pub storage_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub checksum: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub uploaded_by: Option<i32>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// An image whose file is already kept, to record.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub storage_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub checksum: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub uploaded_by: i32,
}

/// Validated changes: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct MediaChanges {
    pub alt: Option<Option<String>>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
    /// (x, y), each in 0..=1.
    pub focal_point: Option<Option<(f64, f64)>>,
}

#[derive(Insertable)]
#[diesel(table_name = media)]
struct MediaInsert<'a> {
    storage_key: &'a str,
    content_type: &'a str,
    width: i32,
    height: i32,
    bytes: i64,
    checksum: &'a str,
    alt: Option<&'a str>,
    caption: Option<&'a str>,
    credit: Option<&'a str>,
    uploaded_by: Option<i32>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

#[derive(AsChangeset)]
#[diesel(table_name = media)]
struct MediaUpdate<'a> {
    alt: Option<Option<&'a str>>,
    caption: Option<Option<&'a str>>,
    credit: Option<Option<&'a str>>,
    focal_x: Option<Option<f64>>,
    focal_y: Option<Option<f64>>,
    updated_at: chrono::NaiveDateTime,
}

fn not_found() -> Error {
    Error::NotFound("No media has this id.".to_owned())
}

pub fn create(conn: &mut Conn, new: &NewMedia) -> Result<MediaRow, Error> {
    let at = now();
    diesel::insert_into(media::table)
        .values(MediaInsert {
            storage_key: &new.storage_key,
            content_type: &new.content_type,
            width: new.width,
            height: new.height,
            bytes: new.bytes,
            checksum: &new.checksum,
            alt: new.alt.as_deref(),
            caption: new.caption.as_deref(),
            credit: new.credit.as_deref(),
            uploaded_by: Some(new.uploaded_by),
            created_at: at,
            updated_at: at,
        })
        .returning(media::id)
        .get_result::<i32>(conn)
        .map_err(Error::from)
        .and_then(|id| find(conn, id))
}

pub fn find(conn: &mut Conn, id: i32) -> Result<MediaRow, Error> {
    media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// The images of `ids` that exist, by id: one query for a page's
/// featured images or avatars.
pub fn find_many(
    conn: &mut Conn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, MediaRow>, Error> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(media::table
        .filter(media::id.eq_any(ids))
        .select(MediaRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}

/// A page of the library, newest first, and the total.
pub fn list(conn: &mut Conn, page: PageRequest) -> Result<(Vec<MediaRow>, i64), Error> {
    let total: i64 = media::table.count().get_result(conn)?;
    let rows = media::table
        .select(MediaRow::as_select())
        .order((media::created_at.desc(), media::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// Applies `changes` once `guard` (ownership, `If-Match`) accepts the row
/// as it is now.
pub fn update<E: From<Error>>(
    conn: &mut Conn,
    id: i32,
    changes: &MediaChanges,
    guard: impl FnOnce(&MediaRow) -> Result<(), E>,
) -> Result<MediaRow, E> {
    let current = find(conn, id)?;
    guard(&current)?;
    Ok(apply_update(conn, id, changes)?)
}

/// `update` once its guard has accepted the row.
fn apply_update(conn: &mut Conn, id: i32, changes: &MediaChanges) -> Result<MediaRow, Error> {
    let clears_alt = changes
        .alt
        .as_ref()
        .is_some_and(|alt| alt.as_deref().is_none_or(|alt| alt.trim().is_empty()));
    if clears_alt && let Some(article) = featured_on_public(conn, id)? {
        return Err(Error::invalid(
            "alt",
            format!("is needed: the image is the featured image of published article {article}"),
        ));
    }
    let focal = changes.focal_point;
    let update = MediaUpdate {
        alt: changes.alt.as_ref().map(Option::as_deref),
        caption: changes.caption.as_ref().map(Option::as_deref),
        credit: changes.credit.as_ref().map(Option::as_deref),
        focal_x: focal.map(|point| point.map(|(x, _)| x)),
        focal_y: focal.map(|point| point.map(|(_, y)| y)),
        updated_at: now(),
    };
    diesel::update(media::table.find(id))
        .set(&update)
        .execute(conn)?;
    find(conn, id)
}

/// Deletes the row once `guard` accepts it, and returns it so that the
/// caller can remove its files. Nothing in the schema refers to media yet;
/// when articles get `featured_image` (and users `avatar`), this is where
/// a delete of media in use becomes a 409 naming what uses it.
pub fn delete<E: From<Error>>(
    conn: &mut Conn,
    id: i32,
    guard: impl FnOnce(&MediaRow) -> Result<(), E>,
) -> Result<MediaRow, E> {
    let current = find(conn, id)?;
    guard(&current)?;
    Ok(apply_delete(conn, id, current)?)
}

/// `delete` once its guard has accepted the row.
fn apply_delete(conn: &mut Conn, id: i32, current: MediaRow) -> Result<MediaRow, Error> {
    if let Some(user) = in_use(conn, id)? {
        return Err(Error::Conflict(format!(
            "The image is in use by {user}; remove it there first, so that no page shows a broken image."
        )));
    }
    diesel::delete(media::table.find(id)).execute(conn)?;
    Ok(current)
}

/// What shows image `id`, if anything: `article 12` (featured or social
/// image) or `author 3` (avatar).
fn in_use(conn: &mut Conn, id: i32) -> Result<Option<String>, Error> {
    let article: Option<i32> = articles::table
        .filter(
            articles::featured_image_id
                .eq(id)
                .or(articles::seo_image_id.eq(id)),
        )
        .select(articles::id)
        .first(conn)
        .optional()?;
    if let Some(article) = article {
        return Ok(Some(format!("article {article}")));
    }
    let user: Option<i32> = users::table
        .filter(users::avatar_id.eq(id))
        .select(users::id)
        .first(conn)
        .optional()?;
    Ok(user.map(|user| format!("author {user}")))
}

/// A published or scheduled article whose featured image is `id`: it
/// needs the image's alt text.
fn featured_on_public(conn: &mut Conn, id: i32) -> Result<Option<i32>, Error> {
    Ok(articles::table
        .filter(articles::featured_image_id.eq(id))
        .filter(articles::status.eq_any([ArticleStatus::Published, ArticleStatus::Scheduled]))
        .select(articles::id)
        .first(conn)
        .optional()?)
}
