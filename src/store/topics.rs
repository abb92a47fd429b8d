//! Topics: a tree of sections (World › Asia-Pacific) that articles are filed under.

use std::collections::HashMap;

use diesel::prelude::*;

use super::old_slugs::{self, Owner};
use super::{Key, PageRequest, now, search};
use crate::db::Conn;
use crate::db::expr::starts_with_ignoring_case;
use crate::db::schema::{article_topics, topic_closure, topics};
use crate::store::error::{Error, Violation};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = topics)]
pub struct TopicRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub parent_id: Option<i32>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

/// The short form of a topic, as embedded in articles and as a parent.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = topics)]
pub struct TopicRef {
    pub id: i32,
    pub slug: String,
    pub name: String,
}

/// A topic with what its response shows besides its own row.
#[derive(Debug, Clone)]
pub struct TopicRecord {
    pub row: TopicRow,
    pub parent: Option<TopicRef>,
    pub article_count: i64,
}

/// A validated topic to create.
#[derive(Debug, Clone)]
pub struct NewTopic {
    pub slug: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// The parent's slug.
    pub parent: Option<String>,
}

/// Validated changes to a topic: `None` leaves a field as it is, and
/// `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct TopicChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub parent: Option<Option<String>>,
}

#[derive(Insertable)]
#[diesel(table_name = topics)]
struct TopicInsert<'a> {
    slug: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    parent_id: Option<i32>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

fn by_key(key: &Key) -> topics::BoxedQuery<'static, crate::db::Backend> {
    match key {
        Key::Id(id) => topics::table.filter(topics::id.eq(*id)).into_boxed(),
        Key::Slug(slug) => topics::table
            .filter(topics::slug.eq(slug.clone()))
            .into_boxed(),
    }
}

fn find_row(conn: &mut Conn, key: &Key) -> Result<TopicRow, Error> {
    by_key(key)
        .select(TopicRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("No topic has this id or slug.".to_owned()))
}

/// One topic with its parent and count.
pub fn find(conn: &mut Conn, key: &Key) -> Result<TopicRecord, Error> {
    let row = find_row(conn, key)?;
    let mut records = complete(conn, vec![row])?;
    records
        .pop()
        .ok_or_else(|| Error::broken("topic vanished while loading"))
}

/// A page of topics ordered by name (those whose name starts with
/// `prefix`, when given), and the total.
pub fn list(
    conn: &mut Conn,
    prefix: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<TopicRecord>, i64), Error> {
    let filtered = || {
        let mut query = topics::table.into_boxed();
        if let Some(prefix) = prefix {
            query = query.filter(starts_with_ignoring_case(topics::name, prefix));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .select(TopicRow::as_select())
        .order((topics::name.asc(), topics::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((complete(conn, rows)?, total))
}

/// Adds parents and article counts to rows in two queries, whatever their number.
fn complete(conn: &mut Conn, rows: Vec<TopicRow>) -> Result<Vec<TopicRecord>, Error> {
    let parent_ids: Vec<i32> = rows.iter().filter_map(|row| row.parent_id).collect();
    let parents: HashMap<i32, TopicRef> = topics::table
        .filter(topics::id.eq_any(&parent_ids))
        .select(TopicRef::as_select())
        .load(conn)?
        .into_iter()
        .map(|parent| (parent.id, parent))
        .collect();
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let counts = article_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| TopicRecord {
            parent: row.parent_id.and_then(|id| parents.get(&id).cloned()),
            article_count: counts.get(&row.id).copied().unwrap_or(0),
            row,
        })
        .collect())
}

/// Public articles filed under each topic or any topic below it, each
/// once, the way the `topic` filter of `GET /articles` counts them: from
/// the kept counts.
fn article_counts(conn: &mut Conn, ids: &[i32]) -> Result<HashMap<i32, i64>, Error> {
    let keys: Vec<String> = ids.iter().map(|id| super::keys::topic(*id)).collect();
    let counts = super::counts::public(conn, &keys, now())?;
    Ok(ids
        .iter()
        .zip(&keys)
        .map(|(id, key)| (*id, counts.get(key).copied().unwrap_or(0)))
        .collect())
}

/// Ids of every topic in the tree with the parent of each.
fn tree(conn: &mut Conn) -> QueryResult<HashMap<i32, Option<i32>>> {
    Ok(topics::table
        .select((topics::id, topics::parent_id))
        .load::<(i32, Option<i32>)>(conn)?
        .into_iter()
        .collect())
}

/// The topic ids named by `slugs` with all their descendants, one set per
/// slug, in the order given, each starting with the named topic. Unknown
/// slugs are a 422 naming them.
pub fn subtrees(conn: &mut Conn, field: &str, slugs: &[String]) -> Result<Vec<Vec<i32>>, Error> {
    let found = slug_map(conn, field, slugs)?;
    let mut subtrees = Vec::with_capacity(slugs.len());
    for root in slugs.iter().filter_map(|slug| found.get(slug)) {
        let below: Vec<i32> = topic_closure::table
            .filter(topic_closure::ancestor_id.eq(root))
            .filter(topic_closure::topic_id.ne(root))
            .select(topic_closure::topic_id)
            .load(conn)?;
        let mut ids = vec![*root];
        ids.extend(below);
        subtrees.push(ids);
    }
    Ok(subtrees)
}

/// A 422 listing each of `slugs` that `exists` does not know.
pub fn unknown_slugs(
    field: &str,
    what: &str,
    slugs: &[String],
    exists: impl Fn(&str) -> bool,
) -> Result<(), Error> {
    let errors: Vec<Violation> = slugs
        .iter()
        .filter(|slug| !exists(slug))
        .map(|slug| Violation::new(field, format!("unknown {what} slug: {slug}")))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The id of each topic named by `slugs`; unknown slugs are a 422 naming them.
fn slug_map(conn: &mut Conn, field: &str, slugs: &[String]) -> Result<HashMap<String, i32>, Error> {
    let found: HashMap<String, i32> = topics::table
        .filter(topics::slug.eq_any(slugs))
        .select((topics::slug, topics::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect();
    unknown_slugs(field, "topic", slugs, |slug| found.contains_key(slug))?;
    Ok(found)
}

/// Ids of the topics named by `slugs`, in order; unknown slugs are a 422 naming them.
pub fn ids_for_slugs(conn: &mut Conn, field: &str, slugs: &[String]) -> Result<Vec<i32>, Error> {
    let found = slug_map(conn, field, slugs)?;
    Ok(slugs
        .iter()
        .filter_map(|slug| found.get(slug).copied())
        .collect())
}

fn parent_id(conn: &mut Conn, parent: Option<&str>) -> Result<Option<i32>, Error> {
    match parent {
        None => Ok(None),
        Some(slug) => {
            ids_for_slugs(conn, "parent", &[slug.to_owned()]).map(|ids| ids.first().copied())
        }
    }
}

/// The slug to store: the one given (409 when taken) or one made from the name.
fn choose_slug(
    conn: &mut Conn,
    given: Option<&str>,
    name: &str,
    except_id: Option<i32>,
) -> Result<String, Error> {
    super::choose_slug(given, name, "topic", |base| {
        let mut taken: Vec<String> = topics::table
            .select(topics::slug)
            .filter(topics::id.ne(except_id.unwrap_or(0)))
            // "base-…" as a range, which the unique index answers (LIKE
            // would scan: it ignores case, the index does not).
            .filter(
                topics::slug.eq(base).or(topics::slug
                    .gt(format!("{base}-"))
                    .and(topics::slug.lt(format!("{base}.")))),
            )
            .load(conn)?;
        let except_id = except_id.unwrap_or(0);
        taken.extend(old_slugs::similar(conn, Owner::Topic, base, except_id)?);
        Ok(taken)
    })
}

/// Creates a topic; call inside a write transaction.
pub fn create(conn: &mut Conn, new: &NewTopic) -> Result<TopicRecord, Error> {
    let parent_id = parent_id(conn, new.parent.as_deref())?;
    let slug = choose_slug(conn, new.slug.as_deref(), &new.name, None)?;
    let now = now();
    let id: i32 = diesel::insert_into(topics::table)
        .values(TopicInsert {
            slug: &slug,
            name: &new.name,
            description: new.description.as_deref(),
            parent_id,
            created_at: now,
            updated_at: now,
        })
        .returning(topics::id)
        .get_result(conn)?;
    find(conn, &Key::Id(id))
}

/// Applies `changes` to a topic; call inside a write transaction. The version
/// only moves when something actually changed.
///
/// `guard` sees the topic as stored and may refuse (a stale `If-Match` is
/// a 412) before anything changes.
pub fn update<E: From<Error>>(
    conn: &mut Conn,
    key: &Key,
    changes: &TopicChanges,
    guard: impl FnOnce(&TopicRecord) -> Result<(), E>,
) -> Result<TopicRecord, E> {
    guard(&find(conn, key)?)?;
    Ok(apply_update(conn, key, changes)?)
}

/// `update` once its guard has accepted the row.
fn apply_update(conn: &mut Conn, key: &Key, changes: &TopicChanges) -> Result<TopicRecord, Error> {
    let current = find_row(conn, key)?;
    let mut next = current.clone();
    if let Some(name) = &changes.name {
        next.name = name.clone();
    }
    if let Some(description) = &changes.description {
        next.description = description.clone();
    }
    if let Some(parent) = &changes.parent {
        next.parent_id = parent_id(conn, parent.as_deref())?;
        if let Some(parent_id) = next.parent_id {
            refuse_cycle(conn, current.id, parent_id)?;
        }
    }
    if let Some(slug) = &changes.slug
        && *slug != current.slug
    {
        next.slug = choose_slug(conn, Some(slug), &next.name, Some(current.id))?;
    }
    let unchanged = next.slug == current.slug
        && next.name == current.name
        && next.description == current.description
        && next.parent_id == current.parent_id;
    if !unchanged {
        diesel::update(topics::table.find(current.id))
            .set((
                topics::slug.eq(&next.slug),
                topics::name.eq(&next.name),
                topics::description.eq(&next.description),
                topics::parent_id.eq(next.parent_id),
                topics::updated_at.eq(now()),
                topics::version.eq(topics::version + 1),
            ))
            .execute(conn)?;
        if next.slug != current.slug {
            // Topics are public from their creation.
            old_slugs::moved(conn, Owner::Topic, current.id, &current.slug, &next.slug)?;
        }
        if next.slug != current.slug || next.name != current.name {
            let tagged = tagged_articles(conn, current.id)?;
            super::articles::touch(conn, &tagged)?;
            search::reindex(conn, &tagged)?;
        }
    }
    find(conn, &Key::Id(current.id))
}

/// 422 when making `parent_id` the parent of `topic_id` would close a loop.
fn refuse_cycle(conn: &mut Conn, topic_id: i32, parent_id: i32) -> Result<(), Error> {
    let parents = tree(conn)?;
    let mut cursor = Some(parent_id);
    while let Some(id) = cursor {
        if id == topic_id {
            return Err(Error::invalid(
                "parent",
                "would make the topic its own ancestor (a cycle)",
            ));
        }
        cursor = parents.get(&id).copied().flatten();
    }
    Ok(())
}

/// The articles tagged with a topic itself (not with its subtopics).
fn tagged_articles(conn: &mut Conn, topic_id: i32) -> Result<Vec<i32>, Error> {
    Ok(article_topics::table
        .filter(article_topics::topic_id.eq(topic_id))
        .select(article_topics::article_id)
        .load(conn)?)
}

/// Deletes a topic; call inside a write transaction. Articles lose the tag,
/// and its subtopics move up to its own parent, as WordPress does with categories.
pub fn delete<E: From<Error>>(
    conn: &mut Conn,
    key: &Key,
    guard: impl FnOnce(&TopicRecord) -> Result<(), E>,
) -> Result<(), E> {
    guard(&find(conn, key)?)?;
    Ok(apply_delete(conn, key)?)
}

/// `delete` once its guard has accepted the row.
fn apply_delete(conn: &mut Conn, key: &Key) -> Result<(), Error> {
    let topic = find_row(conn, key)?;
    // Articles embed their topics: they change with its removal.
    let touched = tagged_articles(conn, topic.id)?;
    super::articles::touch(conn, &touched)?;
    diesel::update(topics::table.filter(topics::parent_id.eq(topic.id)))
        .set(topics::parent_id.eq(topic.parent_id))
        .execute(conn)?;
    diesel::delete(topics::table.find(topic.id)).execute(conn)?;
    old_slugs::forget(conn, Owner::Topic, topic.id)?;
    search::reindex(conn, &touched)?;
    Ok(())
}

/// The topics of each article in `article_ids`, ordered by name, in one query.
pub fn for_articles(
    conn: &mut Conn,
    article_ids: &[i32],
) -> QueryResult<HashMap<i32, Vec<TopicRef>>> {
    let rows: Vec<(i32, TopicRef)> = article_topics::table
        .inner_join(topics::table)
        .filter(article_topics::article_id.eq_any(article_ids))
        .order((topics::name.asc(), topics::id.asc()))
        .select((article_topics::article_id, TopicRef::as_select()))
        .load(conn)?;
    let mut by_article: HashMap<i32, Vec<TopicRef>> = HashMap::new();
    for (article_id, topic) in rows {
        by_article.entry(article_id).or_default().push(topic);
    }
    Ok(by_article)
}
