//! Public articles per topic subtree, entity, kind, author and source:
//! lookups in `published_counts`, which triggers keep in the writing
//! transaction (see its migration), never a count of every match.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::Conn;
use crate::domain::{ArticleStatus, EntityKind};

use crate::db::schema::{
    article_entities, article_topics, articles, entities, published_counts, topic_closure,
};
use crate::store::keys;

/// The key of published articles from `source`.
pub fn source(source: &str) -> String {
    format!("source:{source}")
}

/// The keys of every scheduled article whose time has passed by `now` (and
/// whose expiry has not): public, but still `scheduled` in the table, so
/// not in the kept counts. They are few (the status index finds them), so
/// this is cheap.
fn due_articles(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Vec<HashSet<String>>> {
    let due: Vec<(i32, i32, Option<String>)> = articles::table
        .filter(articles::status.eq(ArticleStatus::Scheduled))
        .filter(articles::published_at.le(now))
        .filter(
            articles::expires_at
                .is_null()
                .or(articles::expires_at.gt(now)),
        )
        .select((articles::id, articles::author_id, articles::source))
        .load(conn)?;
    keys_of(conn, due)
}

/// The keys of every article still `published` in the table whose expiry
/// has passed by `now`: in the kept counts, but no longer public. Few (the
/// expiry index finds them; every write settles them).
fn lapsed_articles(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Vec<HashSet<String>>> {
    let lapsed: Vec<(i32, i32, Option<String>)> = articles::table
        .filter(articles::expires_at.le(now))
        .filter(articles::status.eq(ArticleStatus::Published))
        .select((articles::id, articles::author_id, articles::source))
        .load(conn)?;
    keys_of(conn, lapsed)
}

/// The kept-count keys of each of `due` (id, author, source).
fn keys_of(
    conn: &mut Conn,
    due: Vec<(i32, i32, Option<String>)>,
) -> QueryResult<Vec<HashSet<String>>> {
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = due.iter().map(|(id, _, _)| *id).collect();
    let mut keys_of: HashMap<i32, HashSet<String>> = HashMap::new();
    for (id, author, source_name) in &due {
        let keys = keys_of.entry(*id).or_default();
        keys.insert(keys::author(*author));
        if let Some(name) = source_name {
            keys.insert(source(name));
        }
    }
    let topics: Vec<(i32, i32)> = article_topics::table
        .inner_join(topic_closure::table.on(topic_closure::topic_id.eq(article_topics::topic_id)))
        .filter(article_topics::article_id.eq_any(&ids))
        .select((article_topics::article_id, topic_closure::ancestor_id))
        .load(conn)?;
    for (id, topic) in topics {
        keys_of.entry(id).or_default().insert(keys::topic(topic));
    }
    let tagged: Vec<(i32, i32, EntityKind)> = article_entities::table
        .inner_join(entities::table)
        .filter(article_entities::article_id.eq_any(&ids))
        .select((article_entities::article_id, entities::id, entities::kind))
        .load(conn)?;
    for (id, entity, kind) in tagged {
        let keys = keys_of.entry(id).or_default();
        keys.insert(keys::entity(entity));
        keys.insert(keys::kind(kind));
    }
    Ok(keys_of.into_values().collect())
}

/// Public articles under each of `keys` at `now` (0 for a key with none).
pub fn public(
    conn: &mut Conn,
    keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<HashMap<String, i64>> {
    let mut counts: HashMap<String, i64> = published_counts::table
        .filter(published_counts::key.eq_any(keys))
        .select((published_counts::key, published_counts::n))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    for due in due_articles(conn, now)? {
        for key in keys.iter().filter(|key| due.contains(*key)) {
            *counts.entry(key.clone()).or_default() += 1;
        }
    }
    for lapsed in lapsed_articles(conn, now)? {
        for key in keys.iter().filter(|key| lapsed.contains(*key)) {
            *counts.entry(key.clone()).or_default() -= 1;
        }
    }
    for key in keys {
        counts.entry(key.clone()).or_default();
    }
    Ok(counts)
}

/// The kept-count keys of every scheduled article whose time has passed
/// by `now` (each key once): what `public` adds to the kept counts.
pub fn due_keys(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<HashSet<String>> {
    Ok(due_articles(conn, now)?.into_iter().flatten().collect())
}
