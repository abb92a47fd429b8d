//! Slugs that articles, topics and entities had while public. A shared
//! link names a slug; when the slug changes the old one is kept here, so
//! that a GET of it can answer 301 with the current one (Ghost and
//! WordPress's REST API answer 404), and it is never given to anything
//! else, which would send old links to the wrong story.

use diesel::prelude::*;

use super::now;
use crate::db::Conn;
use crate::db::schema::{articles, entities, old_slugs, topics, users};
use crate::store::Error;

/// What an old slug belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Article,
    Topic,
    Entity,
    Author,
}

impl Owner {
    /// The stored name (`old_slugs.kind`).
    fn name(self) -> &'static str {
        match self {
            Owner::Article => "article",
            Owner::Topic => "topic",
            Owner::Entity => "entity",
            Owner::Author => "author",
        }
    }
}

/// The old slugs of this kind that are `base` or `base-…`, except
/// `except_id`'s own (it may take one of them back): with the live slugs,
/// what `choose_slug` must not hand out.
pub fn similar(
    conn: &mut Conn,
    owner: Owner,
    base: &str,
    except_id: i32,
) -> QueryResult<Vec<String>> {
    old_slugs::table
        .select(old_slugs::slug)
        .filter(old_slugs::kind.eq(owner.name()))
        .filter(old_slugs::target_id.ne(except_id))
        // The same range as the live slugs' (see `articles::choose_slug`),
        // answered by the primary key.
        .filter(
            old_slugs::slug.eq(base).or(old_slugs::slug
                .gt(format!("{base}-"))
                .and(old_slugs::slug.lt(format!("{base}.")))),
        )
        .load(conn)
}

/// Records that `target_id` moved from slug `old` to `new`; call in the
/// write transaction that changes the slug. Taking an old slug back makes
/// it live again, so it stops redirecting.
pub fn moved(
    conn: &mut Conn,
    owner: Owner,
    target_id: i32,
    old: &str,
    new: &str,
) -> Result<(), Error> {
    diesel::delete(
        old_slugs::table
            .filter(old_slugs::kind.eq(owner.name()))
            .filter(old_slugs::slug.eq(new)),
    )
    .execute(conn)?;
    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(old_slugs::table)
            .values((
                old_slugs::kind.eq(owner.name()),
                old_slugs::slug.eq(old),
                old_slugs::target_id.eq(target_id),
                old_slugs::created_at.eq(now()),
            ))
            .on_conflict_do_nothing(),
    )?;
    Ok(())
}

/// Forgets a deleted target's old slugs: with the target gone, its links
/// are dead either way, and the slugs may name something new.
pub fn forget(conn: &mut Conn, owner: Owner, target_id: i32) -> Result<(), Error> {
    diesel::delete(
        old_slugs::table
            .filter(old_slugs::kind.eq(owner.name()))
            .filter(old_slugs::target_id.eq(target_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// The current slug of what `slug` used to name, if it is an old slug.
pub fn current(conn: &mut Conn, owner: Owner, slug: &str) -> Result<Option<String>, Error> {
    let target: Option<i32> = old_slugs::table
        .select(old_slugs::target_id)
        .filter(old_slugs::kind.eq(owner.name()))
        .filter(old_slugs::slug.eq(slug))
        .first(conn)
        .optional()?;
    let Some(id) = target else {
        return Ok(None);
    };
    let slug = match owner {
        Owner::Article => articles::table
            .find(id)
            .select(articles::slug)
            .first(conn)
            .optional()?,
        Owner::Topic => topics::table
            .find(id)
            .select(topics::slug)
            .first(conn)
            .optional()?,
        Owner::Entity => entities::table
            .find(id)
            .select(entities::slug)
            .first(conn)
            .optional()?,
        Owner::Author => users::table
            .find(id)
            .select(users::slug)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten(),
    };
    Ok(slug)
}
