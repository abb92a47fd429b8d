//! Entities: the countries, organisations, people and places stories are about.

use std::collections::HashMap;

use diesel::prelude::*;

use super::old_slugs::{self, Owner};
use super::topics::unknown_slugs;
use super::{Key, PageRequest, now, search};
use crate::db::Conn;
use crate::db::expr::starts_with_ignoring_case;
use crate::db::schema::{article_entities, entities, entity_aliases};
use crate::domain::EntityKind;
use crate::store::Error;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = entities)]
pub struct EntityRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
    pub description: Option<String>,
    pub country_code: Option<String>,
    pub website: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

/// The short form of an entity, as embedded in articles.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entities)]
pub struct EntityRef {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
    /// Its official site: JSON-LD's `sameAs`.
    pub website: Option<String>,
}

/// An entity with its aliases and count of published articles.
#[derive(Debug, Clone)]
pub struct EntityRecord {
    pub row: EntityRow,
    pub aliases: Vec<String>,
    pub article_count: i64,
}

/// A validated entity, as created or fully replaced.
#[derive(Debug, Clone)]
pub struct NewEntity {
    pub slug: Option<String>,
    pub name: String,
    pub kind: EntityKind,
    pub description: Option<String>,
    pub aliases: Vec<String>,
    pub country_code: Option<String>,
    pub website: Option<String>,
}

/// Validated changes: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EntityChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub kind: Option<EntityKind>,
    pub description: Option<Option<String>>,
    pub aliases: Option<Vec<String>>,
    pub country_code: Option<Option<String>>,
    pub website: Option<Option<String>>,
}

/// Filters of `GET /entities`.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub kind: Option<EntityKind>,
    /// Names or aliases starting with this (typeahead).
    pub prefix: Option<String>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = entities, treat_none_as_null = true)]
struct EntityWrite<'a> {
    slug: &'a str,
    name: &'a str,
    kind: EntityKind,
    description: Option<&'a str>,
    country_code: Option<&'a str>,
    website: Option<&'a str>,
    updated_at: chrono::NaiveDateTime,
}

fn find_row(conn: &mut Conn, key: &Key) -> Result<EntityRow, Error> {
    let query = entities::table.select(EntityRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(entities::id.eq(*id)),
        Key::Slug(slug) => query.filter(entities::slug.eq(slug.clone())),
    };
    query
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("No entity has this id or slug.".to_owned()))
}

pub fn find(conn: &mut Conn, key: &Key) -> Result<EntityRecord, Error> {
    let row = find_row(conn, key)?;
    let mut records = complete(conn, vec![row])?;
    records
        .pop()
        .ok_or_else(|| Error::broken("entity vanished while loading"))
}

/// A page of entities ordered by name, and the total.
pub fn list(
    conn: &mut Conn,
    filter: &EntityFilter,
    page: PageRequest,
) -> Result<(Vec<EntityRecord>, i64), Error> {
    let filtered = || {
        let mut query = entities::table.into_boxed();
        if let Some(kind) = &filter.kind {
            query = query.filter(entities::kind.eq(*kind));
        }
        if let Some(prefix) = &filter.prefix {
            query = query.filter(
                starts_with_ignoring_case(entities::name, prefix).or(entities::id.eq_any(
                    entity_aliases::table
                        .filter(starts_with_ignoring_case(entity_aliases::alias, prefix))
                        .select(entity_aliases::entity_id),
                )),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .select(EntityRow::as_select())
        .order((entities::name.asc(), entities::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((complete(conn, rows)?, total))
}

/// Adds aliases and article counts to rows in two queries, whatever their number.
fn complete(conn: &mut Conn, rows: Vec<EntityRow>) -> Result<Vec<EntityRecord>, Error> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let mut aliases: HashMap<i32, Vec<String>> = HashMap::new();
    for (entity_id, alias) in entity_aliases::table
        .filter(entity_aliases::entity_id.eq_any(&ids))
        .order((entity_aliases::entity_id, entity_aliases::position))
        .select((entity_aliases::entity_id, entity_aliases::alias))
        .load::<(i32, String)>(conn)?
    {
        aliases.entry(entity_id).or_default().push(alias);
    }
    let counts = article_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| EntityRecord {
            aliases: aliases.remove(&row.id).unwrap_or_default(),
            article_count: counts.get(&row.id).copied().unwrap_or(0),
            row,
        })
        .collect())
}

/// Public articles tagged with each entity, from the kept counts.
fn article_counts(conn: &mut Conn, ids: &[i32]) -> Result<HashMap<i32, i64>, Error> {
    let keys: Vec<String> = ids.iter().map(|id| super::keys::entity(*id)).collect();
    let counts = super::counts::public(conn, &keys, now())?;
    Ok(ids
        .iter()
        .zip(&keys)
        .map(|(id, key)| (*id, counts.get(key).copied().unwrap_or(0)))
        .collect())
}

/// The id of each entity named by `slugs`, in order; unknown slugs are a 422
/// naming them.
pub fn ids_for_slugs(conn: &mut Conn, field: &str, slugs: &[String]) -> Result<Vec<i32>, Error> {
    let found: HashMap<String, i32> = entities::table
        .filter(entities::slug.eq_any(slugs))
        .select((entities::slug, entities::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect();
    unknown_slugs(field, "entity", slugs, |slug| found.contains_key(slug))?;
    Ok(slugs
        .iter()
        .filter_map(|slug| found.get(slug).copied())
        .collect())
}

/// The slug to store: the one given (409 when taken) or one made from the name.
fn choose_slug(
    conn: &mut Conn,
    given: Option<&str>,
    name: &str,
    except_id: i32,
) -> Result<String, Error> {
    super::choose_slug(given, name, "entity", |base| {
        let mut taken: Vec<String> = entities::table
            .select(entities::slug)
            .filter(entities::id.ne(except_id))
            // "base-…" as a range, which the unique index answers (LIKE
            // would scan: it ignores case, the index does not).
            .filter(
                entities::slug.eq(base).or(entities::slug
                    .gt(format!("{base}-"))
                    .and(entities::slug.lt(format!("{base}.")))),
            )
            .load(conn)?;
        taken.extend(old_slugs::similar(conn, Owner::Entity, base, except_id)?);
        Ok(taken)
    })
}

/// 409 when another entity has this country code.
fn refuse_taken_country_code(
    conn: &mut Conn,
    code: Option<&str>,
    except_id: i32,
) -> Result<(), Error> {
    let Some(code) = code else { return Ok(()) };
    let holder: Option<String> = entities::table
        .filter(entities::country_code.eq(code))
        .filter(entities::id.ne(except_id))
        .select(entities::slug)
        .first(conn)
        .optional()?;
    match holder {
        Some(slug) => Err(Error::taken(
            "country_code",
            format!("{code} is already the code of {slug}"),
        )),
        None => Ok(()),
    }
}

fn replace_aliases(conn: &mut Conn, entity_id: i32, aliases: &[String]) -> QueryResult<()> {
    diesel::delete(entity_aliases::table.filter(entity_aliases::entity_id.eq(entity_id)))
        .execute(conn)?;
    let rows: Vec<_> = aliases
        .iter()
        .zip(0..)
        .map(|(alias, position)| {
            (
                entity_aliases::entity_id.eq(entity_id),
                entity_aliases::position.eq(position),
                entity_aliases::alias.eq(alias),
            )
        })
        .collect();
    // One statement per row: a multi-row VALUES is not in the
    // subset of SQL that both backends' Diesel share.
    for row in rows {
        diesel::insert_into(entity_aliases::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Creates an entity; call inside a write transaction.
pub fn create(conn: &mut Conn, new: &NewEntity) -> Result<EntityRecord, Error> {
    let slug = choose_slug(conn, new.slug.as_deref(), &new.name, 0)?;
    refuse_taken_country_code(conn, new.country_code.as_deref(), 0)?;
    let now = now();
    let id: i32 = diesel::insert_into(entities::table)
        .values((
            EntityWrite {
                slug: &slug,
                name: &new.name,
                kind: new.kind,
                description: new.description.as_deref(),
                country_code: new.country_code.as_deref(),
                website: new.website.as_deref(),
                updated_at: now,
            },
            entities::created_at.eq(now),
        ))
        .returning(entities::id)
        .get_result(conn)?;
    replace_aliases(conn, id, &new.aliases)?;
    find(conn, &Key::Id(id))
}

/// Applies `changes`; call inside a write transaction. The version only moves
/// when something changed. A country code on a non-country is a 422.
///
/// `guard` sees the entity as stored and may refuse (a stale `If-Match` is
/// a 412) before anything changes.
pub fn update<E: From<Error>>(
    conn: &mut Conn,
    key: &Key,
    changes: &EntityChanges,
    guard: impl FnOnce(&EntityRecord) -> Result<(), E>,
) -> Result<EntityRecord, E> {
    let current = find(conn, key)?;
    guard(&current)?;
    Ok(apply_update(conn, changes, current)?)
}

/// `update` once its guard has accepted the row.
fn apply_update(
    conn: &mut Conn,
    changes: &EntityChanges,
    current: EntityRecord,
) -> Result<EntityRecord, Error> {
    let id = current.row.id;
    let mut next = current.row.clone();
    let mut aliases = current.aliases.clone();
    if let Some(name) = &changes.name {
        next.name = name.clone();
    }
    if let Some(kind) = &changes.kind {
        next.kind = *kind;
    }
    if let Some(description) = &changes.description {
        next.description = description.clone();
    }
    if let Some(code) = &changes.country_code {
        next.country_code = code.clone();
    }
    if let Some(website) = &changes.website {
        next.website = website.clone();
    }
    if let Some(new_aliases) = &changes.aliases {
        aliases = new_aliases.clone();
    }
    if next.country_code.is_some() && next.kind != EntityKind::Country {
        return Err(Error::invalid(
            "country_code",
            "is only allowed on entities of kind country",
        ));
    }
    if let Some(slug) = &changes.slug
        && *slug != current.row.slug
    {
        next.slug = choose_slug(conn, Some(slug), &next.name, id)?;
    }
    refuse_taken_country_code(conn, next.country_code.as_deref(), id)?;
    let row = &current.row;
    let unchanged = next.slug == row.slug
        && next.name == row.name
        && next.kind == row.kind
        && next.description == row.description
        && next.country_code == row.country_code
        && next.website == row.website
        && aliases == current.aliases;
    if !unchanged {
        diesel::update(entities::table.find(id))
            .set((
                EntityWrite {
                    slug: &next.slug,
                    name: &next.name,
                    kind: next.kind,
                    description: next.description.as_deref(),
                    country_code: next.country_code.as_deref(),
                    website: next.website.as_deref(),
                    updated_at: now(),
                },
                entities::version.eq(entities::version + 1),
            ))
            .execute(conn)?;
        if aliases != current.aliases {
            replace_aliases(conn, id, &aliases)?;
        }
        if next.slug != row.slug {
            // Entities are public from their creation.
            old_slugs::moved(conn, Owner::Entity, id, &row.slug, &next.slug)?;
        }
        let shown_changed = next.slug != row.slug || next.name != row.name || next.kind != row.kind;
        // Aliases are not shown in articles, but they are searched.
        if shown_changed || aliases != current.aliases {
            let tagged = tagged_articles(conn, id)?;
            if shown_changed {
                super::articles::touch(conn, &tagged)?;
            }
            search::reindex(conn, &tagged)?;
        }
    }
    find(conn, &Key::Id(id))
}

/// The articles tagged with an entity.
fn tagged_articles(conn: &mut Conn, entity_id: i32) -> Result<Vec<i32>, Error> {
    Ok(article_entities::table
        .filter(article_entities::entity_id.eq(entity_id))
        .select(article_entities::article_id)
        .load(conn)?)
}

/// Deletes an entity and untags its articles; call inside a write transaction.
pub fn delete<E: From<Error>>(
    conn: &mut Conn,
    key: &Key,
    guard: impl FnOnce(&EntityRecord) -> Result<(), E>,
) -> Result<(), E> {
    let current = find(conn, key)?;
    guard(&current)?;
    Ok(apply_delete(conn, current)?)
}

/// `delete` once its guard has accepted the row.
fn apply_delete(conn: &mut Conn, current: EntityRecord) -> Result<(), Error> {
    let entity = current.row;
    // Articles embed their entities: they change with its removal.
    let touched = tagged_articles(conn, entity.id)?;
    super::articles::touch(conn, &touched)?;
    diesel::delete(entities::table.find(entity.id)).execute(conn)?;
    old_slugs::forget(conn, Owner::Entity, entity.id)?;
    search::reindex(conn, &touched)?;
    Ok(())
}

/// The entities of each article in `article_ids`, ordered by kind then name,
/// in one query.
pub fn for_articles(
    conn: &mut Conn,
    article_ids: &[i32],
) -> QueryResult<HashMap<i32, Vec<EntityRef>>> {
    let rows: Vec<(i32, EntityRef)> = article_entities::table
        .inner_join(entities::table)
        .filter(article_entities::article_id.eq_any(article_ids))
        .order((
            entities::kind.asc(),
            entities::name.asc(),
            entities::id.asc(),
        ))
        .select((article_entities::article_id, EntityRef::as_select()))
        .load(conn)?;
    let mut by_article: HashMap<i32, Vec<EntityRef>> = HashMap::new();
    for (article_id, entity) in rows {
        by_article.entry(article_id).or_default().push(entity);
    }
    Ok(by_article)
}

/// Every entity with its aliases in order, for the suggestion matcher: two
/// queries whatever the number of entities.
pub fn dictionary(conn: &mut Conn) -> QueryResult<Vec<(EntityRef, Vec<String>)>> {
    let rows: Vec<EntityRef> = entities::table
        .order(entities::id.asc())
        .select(EntityRef::as_select())
        .load(conn)?;
    let mut aliases: HashMap<i32, Vec<String>> = HashMap::new();
    for (entity_id, alias) in entity_aliases::table
        .order((
            entity_aliases::entity_id.asc(),
            entity_aliases::position.asc(),
        ))
        .select((entity_aliases::entity_id, entity_aliases::alias))
        .load::<(i32, String)>(conn)?
    {
        aliases.entry(entity_id).or_default().push(alias);
    }
    Ok(rows
        .into_iter()
        .map(|entity| {
            let names = aliases.remove(&entity.id).unwrap_or_default();
            (entity, names)
        })
        .collect())
}
