//! Facets of an article list: the top values of each asked-for facet with
//! how many articles of the whole filtered set carry them (not the page's),
//! each article counted once per value.
//!
//! Each facet is one GROUP BY over the ids of the same filtered set the
//! list's count reads (`Resolved::source`): the filters, the search and
//! what the reader may see. The public front page (no filter at all) reads
//! the kept counts instead (`published_counts`, see `store::counts`), the
//! same numbers without touching the articles.

use std::collections::{HashMap, HashSet};

use diesel::dsl::{count, count_star};
use diesel::prelude::*;

use super::Audience;
use super::list::{Purpose, Resolved, Source, StatusFilter};
use crate::db::Conn;
use crate::db::expr::{in_subquery, year_month};
use crate::db::schema::{
    article_entities, article_topics, articles, entities, published_counts, topic_closure, topics,
    users,
};
use crate::domain::{EntityKind, Named};
use crate::store::Error;
use crate::store::counts;

/// The values of each facet, most frequent first.
pub const TOP: i64 = 10;

/// A facet of `GET /articles?facets=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Topic,
    Entity,
    Kind,
    Country,
    Source,
    Author,
    Month,
}

impl Facet {
    pub const ALL: &'static [Facet] = &[
        Facet::Topic,
        Facet::Entity,
        Facet::Kind,
        Facet::Country,
        Facet::Source,
        Facet::Author,
        Facet::Month,
    ];

    /// The facet's name, as `facets=` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Topic => "topic",
            Facet::Entity => "entity",
            Facet::Kind => "kind",
            Facet::Country => "country",
            Facet::Source => "source",
            Facet::Author => "author",
            Facet::Month => "month",
        }
    }

    pub fn parse(name: &str) -> Option<Facet> {
        Facet::ALL
            .iter()
            .copied()
            .find(|facet| facet.name() == name)
    }
}

/// A topic or an entity with its count (a topic counts the articles filed
/// under it or any topic below it, each once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCount {
    pub id: i32,
    pub slug: String,
    pub name: String,
    /// Entities only.
    pub kind: Option<EntityKind>,
    pub count: i64,
}

/// A plain value (a kind, a source, a month such as `2024-05`) and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueCount {
    pub value: String,
    pub count: i64,
}

/// An author (a staff user) and their count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorCount {
    pub id: i32,
    pub slug: Option<String>,
    pub display_name: String,
    pub count: i64,
}

/// The facets asked for; those not asked for are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub topic: Option<Vec<TagCount>>,
    pub entity: Option<Vec<TagCount>>,
    pub kind: Option<Vec<ValueCount>>,
    pub country: Option<Vec<TagCount>>,
    pub source: Option<Vec<ValueCount>>,
    pub author: Option<Vec<AuthorCount>>,
    pub month: Option<Vec<ValueCount>>,
}

/// Runs `$body` with `$ids` bound to the ids of the list's whole filtered
/// set (a subquery), whichever source the list reads.
macro_rules! with_ids {
    ($resolved:expr, |$ids:ident| $body:expr) => {
        match $resolved.source(Purpose::Count) {
            Source::Articles(query) => {
                let $ids = query.select(articles::id);
                $body
            }
            Source::Searched(query) => {
                let $ids = query.select(articles::id);
                $body
            }
        }
    };
}

/// Whether the list is the public view of every article, filtered by
/// nothing: what the kept counts count.
fn is_kept_view(resolved: &Resolved<'_>) -> bool {
    let filter = resolved.filter;
    filter.status == StatusFilter::Public
        && !matches!(filter.audience, Audience::Owner(_))
        && filter.topics.is_empty()
        && filter.entities.is_empty()
        && filter.kind.is_none()
        && filter.author.is_none()
        && filter.source.is_none()
        && filter.published_from.is_none()
        && filter.published_to.is_none()
        && filter.search.is_none()
}

/// The facets `asked` of the list `resolved` describes.
pub fn facets(conn: &mut Conn, resolved: &Resolved<'_>, asked: &[Facet]) -> Result<Facets, Error> {
    let kept = is_kept_view(resolved);
    let mut facets = Facets::default();
    for facet in asked {
        match facet {
            Facet::Topic => {
                facets.topic = Some(if kept {
                    kept_topics(conn, resolved)?
                } else {
                    topic_facet(conn, resolved)?
                });
            }
            Facet::Entity => {
                facets.entity = Some(if kept {
                    kept_entities(conn, resolved, None)?
                } else {
                    entity_facet(conn, resolved, None)?
                });
            }
            Facet::Country => {
                facets.country = Some(if kept {
                    kept_entities(conn, resolved, Some(EntityKind::Country))?
                } else {
                    entity_facet(conn, resolved, Some(EntityKind::Country))?
                });
            }
            Facet::Kind => {
                facets.kind = Some(if kept {
                    kept_kinds(conn, resolved)?
                } else {
                    kind_facet(conn, resolved)?
                });
            }
            Facet::Source => {
                facets.source = Some(if kept {
                    kept_sources(conn, resolved)?
                } else {
                    source_facet(conn, resolved)?
                });
            }
            Facet::Author => facets.author = Some(author_facet(conn, resolved, kept)?),
            Facet::Month => facets.month = Some(month_facet(conn, resolved)?),
        }
    }
    Ok(facets)
}

/// Most frequent first, then by name (or value), then by id: a stable order.
fn top_tags(mut tags: Vec<TagCount>) -> Vec<TagCount> {
    tags.retain(|tag| tag.count > 0);
    tags.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    tags.truncate(TOP as usize);
    tags
}

fn top_values(mut values: Vec<ValueCount>) -> Vec<ValueCount> {
    values.retain(|value| value.count > 0);
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values.truncate(TOP as usize);
    values
}

fn entity_facet(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
    kind: Option<EntityKind>,
) -> Result<Vec<TagCount>, Error> {
    let kinds: Vec<EntityKind> = kind.map_or_else(|| EntityKind::ALL.to_vec(), |kind| vec![kind]);
    let rows: Vec<(i32, String, String, EntityKind, i64)> = with_ids!(resolved, |ids| {
        article_entities::table
            .inner_join(entities::table)
            .filter(in_subquery(article_entities::article_id, ids))
            .filter(entities::kind.eq_any(kinds.clone()))
            .group_by(entities::id)
            .select((
                entities::id,
                entities::slug,
                entities::name,
                entities::kind,
                count_star(),
            ))
            .order((
                count_star().desc(),
                entities::name.asc(),
                entities::id.asc(),
            ))
            .limit(TOP)
            .load(conn)?
    });
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, kind, count)| TagCount {
            id,
            slug,
            name,
            kind: Some(kind),
            count,
        })
        .collect())
}

fn topic_facet(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<TagCount>, Error> {
    let rows: Vec<(i32, String, String, i64)> = with_ids!(resolved, |ids| {
        article_topics::table
            .inner_join(
                topic_closure::table.on(topic_closure::topic_id.eq(article_topics::topic_id)),
            )
            .inner_join(topics::table.on(topics::id.eq(topic_closure::ancestor_id)))
            .filter(in_subquery(article_topics::article_id, ids))
            .group_by(topics::id)
            .select((
                topics::id,
                topics::slug,
                topics::name,
                count(article_topics::article_id).aggregate_distinct(),
            ))
            .order((
                count(article_topics::article_id)
                    .aggregate_distinct()
                    .desc(),
                topics::name.asc(),
                topics::id.asc(),
            ))
            .limit(TOP)
            .load(conn)?
    });
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, count)| TagCount {
            id,
            slug,
            name,
            kind: None,
            count,
        })
        .collect())
}

fn kind_facet(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<ValueCount>, Error> {
    let rows: Vec<(EntityKind, i64)> = with_ids!(resolved, |ids| {
        article_entities::table
            .inner_join(entities::table)
            .filter(in_subquery(article_entities::article_id, ids))
            .group_by(entities::kind)
            .select((
                entities::kind,
                count(article_entities::article_id).aggregate_distinct(),
            ))
            .load(conn)?
    });
    Ok(top_values(
        rows.into_iter()
            .map(|(kind, count)| ValueCount {
                value: kind.name().to_owned(),
                count,
            })
            .collect(),
    ))
}

fn source_facet(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<ValueCount>, Error> {
    let rows: Vec<(Option<String>, i64)> = with_ids!(resolved, |ids| {
        articles::table
            .filter(in_subquery(articles::id, ids))
            .filter(articles::source.is_not_null())
            .group_by(articles::source)
            .select((articles::source, count_star()))
            .order((count_star().desc(), articles::source.asc()))
            .limit(TOP)
            .load(conn)?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(value, count)| value.map(|value| ValueCount { value, count }))
        .collect())
}

fn month_facet(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<ValueCount>, Error> {
    let month = || year_month(articles::published_at);
    let rows: Vec<(String, i64)> = with_ids!(resolved, |ids| {
        articles::table
            .filter(in_subquery(articles::id, ids))
            .filter(articles::published_at.is_not_null())
            .group_by(month())
            .select((month(), count_star()))
            .order((count_star().desc(), month().desc()))
            .limit(TOP)
            .load(conn)?
    });
    Ok(rows
        .into_iter()
        .map(|(value, count)| ValueCount { value, count })
        .collect())
}

/// The author facet: staff users by their id and display name. One
/// function, so that a slug can join them in one place.
fn author_facet(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
    kept: bool,
) -> Result<Vec<AuthorCount>, Error> {
    let counted: Vec<(i32, i64)> = if kept {
        kept_top(conn, resolved, "author:")?
            .into_iter()
            .filter_map(|(key, n)| Some((key.strip_prefix("author:")?.parse().ok()?, n)))
            .collect()
    } else {
        with_ids!(resolved, |ids| {
            articles::table
                .filter(in_subquery(articles::id, ids))
                .group_by(articles::author_id)
                .select((articles::author_id, count_star()))
                .load(conn)?
        })
    };
    let ids: Vec<i32> = counted.iter().map(|(id, _)| *id).collect();
    let names: HashMap<i32, (String, Option<String>)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::display_name, users::slug))
        .load::<(i32, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, name, slug)| (id, (name, slug)))
        .collect();
    let mut authors: Vec<AuthorCount> = counted
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .filter_map(|(id, count)| {
            let (display_name, slug) = names.get(&id)?.clone();
            Some(AuthorCount {
                id,
                slug,
                display_name,
                count,
            })
        })
        .collect();
    authors.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.display_name.cmp(&b.display_name))
            .then_with(|| a.id.cmp(&b.id))
    });
    authors.truncate(TOP as usize);
    Ok(authors)
}

/// At most this many kept counts tied at the tenth place are read.
const TIED_MAX: i64 = 1_000;

/// The kept counts under `prefix` (`entity:`, `topic:`…) that can be among
/// the top ten: the ten highest, every key tied with the tenth, and the
/// keys of scheduled articles that have become public since (which the
/// kept counts do not hold yet), with their public counts at `now`.
fn kept_top(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
    prefix: &str,
) -> Result<Vec<(String, i64)>, Error> {
    // Keys under the prefix sort between it and the prefix with its last
    // character (`:`) replaced by the next one (`;`).
    let end = format!("{};", prefix.trim_end_matches(':'));
    let in_range = || {
        published_counts::key
            .gt(prefix.to_owned())
            .and(published_counts::key.lt(end.clone()))
            .and(published_counts::n.gt(0))
    };
    let top: Vec<i64> = published_counts::table
        .filter(in_range())
        .order(published_counts::n.desc())
        .select(published_counts::n)
        .limit(TOP)
        .load(conn)?;
    let mut keys: HashSet<String> = match top.last() {
        Some(&threshold) => published_counts::table
            .filter(in_range())
            .filter(published_counts::n.ge(threshold))
            .select(published_counts::key)
            .limit(TIED_MAX)
            .load::<String>(conn)?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    keys.extend(
        counts::due_keys(conn, resolved.now)?
            .into_iter()
            .filter(|key| key.starts_with(prefix)),
    );
    let keys: Vec<String> = keys.into_iter().collect();
    Ok(counts::public(conn, &keys, resolved.now)?
        .into_iter()
        .collect())
}

fn ids_of(counted: &[(String, i64)], prefix: &str) -> HashMap<i32, i64> {
    counted
        .iter()
        .filter_map(|(key, n)| Some((key.strip_prefix(prefix)?.parse().ok()?, *n)))
        .collect()
}

fn kept_entities(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
    kind: Option<EntityKind>,
) -> Result<Vec<TagCount>, Error> {
    let counts: HashMap<i32, i64> = match kind {
        None => ids_of(&kept_top(conn, resolved, "entity:")?, "entity:"),
        // Entities of one kind (countries) are few: their kept counts, by key.
        Some(kind) => {
            let ids: Vec<i32> = entities::table
                .filter(entities::kind.eq(kind))
                .select(entities::id)
                .load(conn)?;
            let keys: Vec<String> = ids.iter().map(|id| format!("entity:{id}")).collect();
            let counted: Vec<(String, i64)> = counts::public(conn, &keys, resolved.now)?
                .into_iter()
                .collect();
            ids_of(&counted, "entity:")
        }
    };
    let ids: Vec<i32> = counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(id, _)| *id)
        .collect();
    let rows: Vec<(i32, String, String, EntityKind)> = entities::table
        .filter(entities::id.eq_any(&ids))
        .select((entities::id, entities::slug, entities::name, entities::kind))
        .load(conn)?;
    Ok(top_tags(
        rows.into_iter()
            .map(|(id, slug, name, kind)| TagCount {
                count: counts.get(&id).copied().unwrap_or(0),
                id,
                slug,
                name,
                kind: Some(kind),
            })
            .collect(),
    ))
}

fn kept_topics(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<TagCount>, Error> {
    let counts = ids_of(&kept_top(conn, resolved, "topic:")?, "topic:");
    let ids: Vec<i32> = counts.keys().copied().collect();
    let rows: Vec<(i32, String, String)> = topics::table
        .filter(topics::id.eq_any(&ids))
        .select((topics::id, topics::slug, topics::name))
        .load(conn)?;
    Ok(top_tags(
        rows.into_iter()
            .map(|(id, slug, name)| TagCount {
                count: counts.get(&id).copied().unwrap_or(0),
                id,
                slug,
                name,
                kind: None,
            })
            .collect(),
    ))
}

fn kept_kinds(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<ValueCount>, Error> {
    let keys: Vec<String> = EntityKind::ALL
        .iter()
        .map(|kind| crate::store::keys::kind(*kind))
        .collect();
    let counted = counts::public(conn, &keys, resolved.now)?;
    Ok(top_values(
        EntityKind::ALL
            .iter()
            .map(|kind| ValueCount {
                value: kind.name().to_owned(),
                count: counted
                    .get(&crate::store::keys::kind(*kind))
                    .copied()
                    .unwrap_or(0),
            })
            .collect(),
    ))
}

fn kept_sources(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Vec<ValueCount>, Error> {
    Ok(top_values(
        kept_top(conn, resolved, "source:")?
            .into_iter()
            .filter_map(|(key, count)| {
                Some(ValueCount {
                    value: key.strip_prefix("source:")?.to_owned(),
                    count,
                })
            })
            .collect(),
    ))
}
