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
use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{
    article_bodies, article_entities, article_topics, articles, comments, entities, entity_aliases,
    topics, users,
};
use crate::error::ApiError;
use crate::store::search;

/// Records written or applied per transaction.
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
    role: String,
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
    kind: String,
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
    status: String,
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
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Rows in the database, for the progress bar.
pub fn count_rows(conn: &mut SqliteConnection) -> QueryResult<u64> {
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
    conn: &mut SqliteConnection,
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

/// Why an import stopped: the line, and what was wrong with it.
#[derive(Debug)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn describe(error: ApiError) -> String {
    let problem = error.problem();
    let fields: Vec<String> = problem
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    if fields.is_empty() {
        problem.detail
    } else {
        fields.join("; ")
    }
}

/// Reads records from `input` and applies them in batches, one transaction
/// per batch. At the first bad line it stops: earlier batches stay, the
/// batch with the bad line is rolled back. `progress` hears of the bytes read.
pub fn import(
    conn: &mut SqliteConnection,
    input: impl BufRead,
    progress: &dyn Fn(u64),
) -> Result<u64, ImportError> {
    let mut lines = input.lines().enumerate();
    match lines.next() {
        Some((_, Ok(header))) if header.trim() == HEADER => progress(header.len() as u64 + 1),
        _ => {
            return Err(ImportError {
                line: 1,
                message: format!("the first line must be {HEADER}"),
            });
        }
    }
    let mut imported = 0u64;
    let mut batch: Vec<(usize, Record)> = Vec::with_capacity(BATCH);
    let mut flush = |conn: &mut SqliteConnection,
                     batch: &mut Vec<(usize, Record)>|
     -> Result<(), ImportError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut failed_line = batch[0].0;
        let result = conn.immediate_transaction::<_, ApiError, _>(|conn| {
            let mut articles_touched = Vec::new();
            for (line, record) in batch.iter() {
                failed_line = *line;
                if let Record::Article(article) = record {
                    articles_touched.push(article.id);
                }
                apply(conn, record)?;
            }
            search::reindex(conn, &articles_touched)?;
            Ok(())
        });
        result.map_err(|err| ImportError {
            line: failed_line,
            message: describe(err),
        })?;
        imported += batch.len() as u64;
        batch.clear();
        Ok(())
    };
    for (index, line) in lines {
        let number = index + 1;
        let line = line.map_err(|err| ImportError {
            line: number,
            message: err.to_string(),
        })?;
        progress(line.len() as u64 + 1);
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).map_err(|err| ImportError {
            line: number,
            message: err.to_string(),
        })?;
        batch.push((number, record));
        if batch.len() == BATCH {
            flush(conn, &mut batch)?;
        }
    }
    flush(conn, &mut batch)?;
    Ok(imported)
}

fn naive(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.naive_utc()
}

/// Writes one record as it stands in the file.
fn apply(conn: &mut SqliteConnection, record: &Record) -> Result<(), ApiError> {
    match record {
        Record::User(user) => {
            if crate::auth::Role::parse(&user.role).is_none() {
                return Err(ApiError::invalid("role", "must be admin, editor or author"));
            }
            // The built-in "newsroom" account exists in every database:
            // users are upserted by id.
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user.id),
                    users::email.eq(&user.email),
                    users::display_name.eq(&user.display_name),
                    users::role.eq(&user.role),
                    users::password_hash.eq(&user.password_hash),
                    users::active.eq(user.active),
                    users::created_at.eq(naive(user.created_at)),
                    users::updated_at.eq(naive(user.updated_at)),
                ))
                .on_conflict(users::id)
                .do_update()
                .set((
                    users::email.eq(&user.email),
                    users::display_name.eq(&user.display_name),
                    users::role.eq(&user.role),
                    users::password_hash.eq(&user.password_hash),
                    users::active.eq(user.active),
                    users::created_at.eq(naive(user.created_at)),
                    users::updated_at.eq(naive(user.updated_at)),
                ))
                .execute(conn)?;
        }
        Record::Topic(topic) => {
            check_slug(&topic.slug)?;
            diesel::insert_into(topics::table)
                .values((
                    topics::id.eq(topic.id),
                    topics::slug.eq(&topic.slug),
                    topics::name.eq(&topic.name),
                    topics::description.eq(&topic.description),
                    topics::parent_id.eq(topic.parent_id),
                    topics::created_at.eq(naive(topic.created_at)),
                    topics::updated_at.eq(naive(topic.updated_at)),
                    topics::version.eq(topic.version),
                ))
                .execute(conn)?;
        }
        Record::Entity(entity) => {
            check_slug(&entity.slug)?;
            diesel::insert_into(entities::table)
                .values((
                    entities::id.eq(entity.id),
                    entities::slug.eq(&entity.slug),
                    entities::name.eq(&entity.name),
                    entities::kind.eq(&entity.kind),
                    entities::description.eq(&entity.description),
                    entities::country_code.eq(&entity.country_code),
                    entities::website.eq(&entity.website),
                    entities::created_at.eq(naive(entity.created_at)),
                    entities::updated_at.eq(naive(entity.updated_at)),
                    entities::version.eq(entity.version),
                ))
                .execute(conn)?;
            let aliases: Vec<_> = entity
                .aliases
                .iter()
                .zip(0..)
                .map(|(alias, position)| {
                    (
                        entity_aliases::entity_id.eq(entity.id),
                        entity_aliases::position.eq(position),
                        entity_aliases::alias.eq(alias),
                    )
                })
                .collect();
            diesel::insert_into(entity_aliases::table)
                .values(&aliases)
                .execute(conn)?;
        }
        Record::Article(article) => {
            check_slug(&article.slug)?;
            // Public lists rely on it (their cursors skip undated rows).
            if matches!(article.status.as_str(), "published" | "scheduled")
                && article.published_at.is_none()
            {
                return Err(ApiError::invalid(
                    "published_at",
                    "is required for a published or scheduled article",
                ));
            }
            let words = crate::render::word_count(&article.body);
            diesel::insert_into(articles::table)
                .values((
                    articles::id.eq(article.id),
                    articles::slug.eq(&article.slug),
                    articles::title.eq(&article.title),
                    articles::subtitle.eq(&article.subtitle),
                    articles::summary.eq(&article.summary),
                    articles::status.eq(&article.status),
                    articles::published_at.eq(article.published_at.map(naive)),
                    articles::source.eq(&article.source),
                    articles::byline.eq(&article.byline),
                    articles::author_id.eq(article.author_id),
                    articles::comments_open.eq(article.comments_open),
                    articles::word_count.eq(i32::try_from(words).unwrap_or(i32::MAX)),
                    articles::reading_time_minutes
                        .eq(i32::try_from(crate::render::reading_time_minutes(words))
                            .unwrap_or(i32::MAX)),
                    articles::created_at.eq(naive(article.created_at)),
                    articles::updated_at.eq(naive(article.updated_at)),
                    articles::version.eq(article.version),
                ))
                .execute(conn)?;
            diesel::insert_into(article_bodies::table)
                .values((
                    article_bodies::article_id.eq(article.id),
                    article_bodies::body.eq(&article.body),
                    article_bodies::body_html.eq(crate::render::body_html(&article.body)),
                ))
                .execute(conn)?;
            let topic_links: Vec<_> = article
                .topic_ids
                .iter()
                .map(|&id| {
                    (
                        article_topics::article_id.eq(article.id),
                        article_topics::topic_id.eq(id),
                    )
                })
                .collect();
            diesel::insert_into(article_topics::table)
                .values(&topic_links)
                .execute(conn)?;
            let entity_links: Vec<_> = article
                .entity_ids
                .iter()
                .map(|&id| {
                    (
                        article_entities::article_id.eq(article.id),
                        article_entities::entity_id.eq(id),
                    )
                })
                .collect();
            diesel::insert_into(article_entities::table)
                .values(&entity_links)
                .execute(conn)?;
        }
        Record::Comment(comment) => {
            diesel::insert_into(comments::table)
                .values((
                    comments::id.eq(comment.id),
                    comments::article_id.eq(comment.article_id),
                    comments::parent_id.eq(comment.parent_id),
                    comments::depth.eq(comment.depth),
                    comments::author_name.eq(&comment.author_name),
                    comments::author_email.eq(&comment.author_email),
                    comments::author_url.eq(&comment.author_url),
                    comments::user_id.eq(comment.user_id),
                    comments::body.eq(&comment.body),
                    comments::status.eq(&comment.status),
                    comments::created_at.eq(naive(comment.created_at)),
                    comments::updated_at.eq(naive(comment.updated_at)),
                    comments::version.eq(comment.version),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

fn check_slug(slug: &str) -> Result<(), ApiError> {
    crate::slug::parse("slug", slug)
        .map(|_| ())
        .map_err(|err| ApiError::Validation(vec![err]))
}
