//! `newsdesk export` and `newsdesk import`: the whole newsroom as NDJSON.
//!
//! The format, one JSON object per line:
//! - line 1: `{"newsdesk_export":1}`;
//! - then every record, `{"type": "user"|"topic"|"entity"|"article"|"comment", …}`,
//!   in an order that imports: users, topics (parents first), entities,
//!   articles (with `topic_ids` and `entity_ids`), comments (parents first).
//!
//! Records keep their ids, slugs, versions and timestamps. What can be
//! derived is left out and derived again on import (`body_html`, word
//! counts, `comment_count`, the search index). Password hashes are left out
//! unless asked for. Export then import then export gives the same bytes.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::articles::ArticleStatus;
use crate::api::comments::CommentStatus;
use crate::api::entities::EntityKind;
use crate::auth::Role;
use crate::db::Conn;
use crate::db::schema::{
    article_bodies, article_entities, article_topics, articles, comments, entities, entity_aliases,
    topics, users,
};

mod import;

pub use import::{ImportError, LineError, import};

/// Records read from the database per query, and articles reindexed at once.
const BATCH: usize = 500;
const HEADER: &str = r#"{"newsdesk_export":1}"#;

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Record {
    User(UserRecord),
    Topic(TopicRecord),
    Entity(EntityRecord),
    Article(ArticleRecord),
    Comment(CommentRecord),
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UserRecord {
    id: i32,
    email: String,
    display_name: String,
    role: Role,
    active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password_hash: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopicRecord {
    id: i32,
    slug: String,
    name: String,
    description: Option<String>,
    parent_id: Option<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EntityRecord {
    id: i32,
    slug: String,
    name: String,
    kind: EntityKind,
    description: Option<String>,
    aliases: Vec<String>,
    country_code: Option<String>,
    website: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArticleRecord {
    id: i32,
    slug: String,
    title: String,
    subtitle: Option<String>,
    summary: Option<String>,
    body: String,
    status: ArticleStatus,
    published_at: Option<DateTime<Utc>>,
    source: Option<String>,
    byline: Option<String>,
    author_id: i32,
    comments_open: bool,
    topic_ids: Vec<i32>,
    entity_ids: Vec<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CommentRecord {
    id: i32,
    article_id: i32,
    parent_id: Option<i32>,
    depth: i32,
    author_name: String,
    author_email: String,
    author_url: Option<String>,
    user_id: Option<i32>,
    body: String,
    status: CommentStatus,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Rows in the database, for the progress bar.
pub fn count_rows(conn: &mut Conn) -> QueryResult<u64> {
    let counts: [i64; 5] = [
        users::table.count().get_result(conn)?,
        topics::table.count().get_result(conn)?,
        entities::table.count().get_result(conn)?,
        articles::table.count().get_result(conn)?,
        comments::table.count().get_result(conn)?,
    ];
    Ok(counts
        .iter()
        .map(|&count| u64::try_from(count).unwrap_or(0))
        .sum())
}

fn write_line(out: &mut impl Write, record: &Record) -> Result<(), String> {
    let line = serde_json::to_string(record).map_err(|err| err.to_string())?;
    writeln!(out, "{line}").map_err(|err| err.to_string())
}

/// Writes every record to `out`, reading the database in batches inside
/// one read transaction (a consistent snapshot); `progress` hears of each.
pub fn export(
    conn: &mut Conn,
    out: &mut impl Write,
    with_secrets: bool,
    progress: &dyn Fn(u64),
) -> Result<u64, String> {
    conn.transaction::<u64, diesel::result::Error, _>(|conn| {
        let mut written = 0u64;
        let mut emit = |out: &mut dyn Write, record: Record| -> Result<(), diesel::result::Error> {
            let mut out = out;
            write_line(&mut out, &record)
                .map_err(|err| diesel::result::Error::QueryBuilderError(err.into()))?;
            written += 1;
            progress(1);
            Ok(())
        };
        let io = |err: std::io::Error| diesel::result::Error::QueryBuilderError(err.into());
        writeln!(out, "{HEADER}").map_err(io)?;

        for user in users::table
            .order(users::id)
            .load::<crate::store::users::UserRow>(conn)?
        {
            emit(
                out,
                Record::User(UserRecord {
                    id: user.id,
                    email: user.email,
                    display_name: user.display_name,
                    role: user.role,
                    active: user.active,
                    password_hash: if with_secrets {
                        user.password_hash
                    } else {
                        None
                    },
                    created_at: utc(user.created_at),
                    updated_at: utc(user.updated_at),
                }),
            )?;
        }

        // Parents before children: order by depth in the tree, then id.
        let all_topics = topics::table
            .order(topics::id)
            .load::<crate::store::topics::TopicRow>(conn)?;
        let parents: HashMap<i32, Option<i32>> = all_topics
            .iter()
            .map(|topic| (topic.id, topic.parent_id))
            .collect();
        let depth = |mut id: i32| {
            let mut depth = 0;
            while let Some(Some(parent)) = parents.get(&id) {
                depth += 1;
                id = *parent;
                if depth > parents.len() {
                    break;
                }
            }
            depth
        };
        let mut ordered: Vec<_> = all_topics
            .into_iter()
            .map(|topic| (depth(topic.id), topic))
            .collect();
        ordered.sort_by_key(|(depth, topic)| (*depth, topic.id));
        for (_, topic) in ordered {
            emit(
                out,
                Record::Topic(TopicRecord {
                    id: topic.id,
                    slug: topic.slug,
                    name: topic.name,
                    description: topic.description,
                    parent_id: topic.parent_id,
                    created_at: utc(topic.created_at),
                    updated_at: utc(topic.updated_at),
                    version: topic.version,
                }),
            )?;
        }

        let mut after = 0;
        loop {
            let batch = entities::table
                .filter(entities::id.gt(after))
                .order(entities::id)
                .limit(BATCH as i64)
                .load::<crate::store::entities::EntityRow>(conn)?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            let ids: Vec<i32> = batch.iter().map(|entity| entity.id).collect();
            let mut aliases: HashMap<i32, Vec<String>> = HashMap::new();
            for (id, alias) in entity_aliases::table
                .filter(entity_aliases::entity_id.eq_any(&ids))
                .order((entity_aliases::entity_id, entity_aliases::position))
                .select((entity_aliases::entity_id, entity_aliases::alias))
                .load::<(i32, String)>(conn)?
            {
                aliases.entry(id).or_default().push(alias);
            }
            for entity in batch {
                emit(
                    out,
                    Record::Entity(EntityRecord {
                        aliases: aliases.remove(&entity.id).unwrap_or_default(),
                        id: entity.id,
                        slug: entity.slug,
                        name: entity.name,
                        kind: entity.kind,
                        description: entity.description,
                        country_code: entity.country_code,
                        website: entity.website,
                        created_at: utc(entity.created_at),
                        updated_at: utc(entity.updated_at),
                        version: entity.version,
                    }),
                )?;
            }
        }

        let mut after = 0;
        loop {
            let batch: Vec<(crate::store::articles::ArticleSummaryRow, String)> = articles::table
                .inner_join(article_bodies::table)
                .filter(articles::id.gt(after))
                .order(articles::id)
                .limit(BATCH as i64)
                .select((
                    crate::store::articles::ArticleSummaryRow::as_select(),
                    article_bodies::body,
                ))
                .load(conn)?;
            let Some((last, _)) = batch.last() else { break };
            after = last.id;
            let ids: Vec<i32> = batch.iter().map(|(row, _)| row.id).collect();
            let mut topic_ids: HashMap<i32, Vec<i32>> = HashMap::new();
            for (article, topic) in article_topics::table
                .filter(article_topics::article_id.eq_any(&ids))
                .order((article_topics::article_id, article_topics::topic_id))
                .load::<(i32, i32)>(conn)?
            {
                topic_ids.entry(article).or_default().push(topic);
            }
            let mut entity_ids: HashMap<i32, Vec<i32>> = HashMap::new();
            for (article, entity) in article_entities::table
                .filter(article_entities::article_id.eq_any(&ids))
                .order((article_entities::article_id, article_entities::entity_id))
                .load::<(i32, i32)>(conn)?
            {
                entity_ids.entry(article).or_default().push(entity);
            }
            for (row, body) in batch {
                emit(
                    out,
                    Record::Article(ArticleRecord {
                        topic_ids: topic_ids.remove(&row.id).unwrap_or_default(),
                        entity_ids: entity_ids.remove(&row.id).unwrap_or_default(),
                        id: row.id,
                        slug: row.slug,
                        title: row.title,
                        subtitle: row.subtitle,
                        summary: row.summary,
                        body,
                        status: row.status,
                        published_at: row.published_at.map(utc),
                        source: row.source,
                        byline: row.byline,
                        author_id: row.author_id,
                        comments_open: row.comments_open,
                        created_at: utc(row.created_at),
                        updated_at: utc(row.updated_at),
                        version: row.version,
                    }),
                )?;
            }
        }

        // Replies after what they answer: by depth, then id.
        let mut after = (0, 0);
        loop {
            let batch = comments::table
                .filter(
                    comments::depth
                        .gt(after.0)
                        .or(comments::depth.eq(after.0).and(comments::id.gt(after.1))),
                )
                .order((comments::depth, comments::id))
                .limit(BATCH as i64)
                .load::<crate::store::comments::CommentRow>(conn)?;
            let Some(last) = batch.last() else { break };
            after = (last.depth, last.id);
            for comment in batch {
                emit(
                    out,
                    Record::Comment(CommentRecord {
                        id: comment.id,
                        article_id: comment.article_id,
                        parent_id: comment.parent_id,
                        depth: comment.depth,
                        author_name: comment.author_name,
                        author_email: comment.author_email,
                        author_url: comment.author_url,
                        user_id: comment.user_id,
                        body: comment.body,
                        status: comment.status,
                        created_at: utc(comment.created_at),
                        updated_at: utc(comment.updated_at),
                        version: comment.version,
                    }),
                )?;
            }
        }
        Ok(written)
    })
    .map_err(|err| format!("export failed: {err}"))
}
