//! `newsdesk export` and `newsdesk import`: the whole newsroom as NDJSON.
//!
//! The format, one JSON object per line:
//! - line 1: `{"newsdesk_export":1}`;
//! - then every record, `{"type": "user"|"media"|"topic"|"entity"|"article"|
//!   "correction"|"old_slug"|"comment", …}`, in an order that imports:
//!   users, media (each with its kept file as base64 `data`), topics
//!   (parents first), entities, articles (with `topic_ids` and
//!   `entity_ids`), corrections, old slugs, comments (parents first).
//!
//! A user's `avatar_id` names media that come after it; the database
//! checks it when the import commits.
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
    article_bodies, article_entities, article_topics, articles, comments, corrections, entities,
    entity_aliases, media, old_slugs, topics, users,
};
use base64::Engine as _;

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
    Media(MediaRecord),
    Correction(CorrectionRecord),
    #[serde(rename = "old_slug")]
    OldSlug(OldSlugRecord),
}

/// Where media files are read (export) and written (import): the media
/// store of the configuration, which the CLI opens.
pub trait MediaFileAccess {
    fn read(&self, key: &str) -> Result<Vec<u8>, String>;
    fn write(&self, key: &str, bytes: Vec<u8>) -> Result<(), String>;
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MediaRecord {
    id: i32,
    storage_key: String,
    content_type: String,
    width: i32,
    height: i32,
    bytes: i64,
    checksum: String,
    alt: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    focal_x: Option<f64>,
    focal_y: Option<f64>,
    uploaded_by: Option<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// The kept original, base64 (standard alphabet, padded).
    data: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRecord {
    id: i32,
    article_id: i32,
    kind: crate::domain::CorrectionKind,
    text: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OldSlugRecord {
    /// `article`, `topic`, `entity` or `author`.
    kind: String,
    slug: String,
    target_id: i32,
    created_at: DateTime<Utc>,
}

/// An article's SEO fields in an export.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeoRecord {
    title: Option<String>,
    description: Option<String>,
    canonical_url: Option<String>,
    image_id: Option<i32>,
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
    /// Absent in exports from before authors had pages: made on start.
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    bio: Option<String>,
    #[serde(default)]
    avatar_id: Option<i32>,
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
    #[serde(default)]
    featured_image_id: Option<i32>,
    #[serde(default)]
    seo: SeoRecord,
    /// Public before, if not now: its corrections are then final.
    #[serde(default)]
    was_public: bool,
    /// Left out when the article has none, so that exports from before
    /// expiry existed read (and write) the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<DateTime<Utc>>,
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
    let counts: [i64; 8] = [
        users::table.count().get_result(conn)?,
        media::table.count().get_result(conn)?,
        corrections::table.count().get_result(conn)?,
        old_slugs::table.count().get_result(conn)?,
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
    files: &dyn MediaFileAccess,
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
                    slug: user.slug,
                    bio: user.bio,
                    avatar_id: user.avatar_id,
                    created_at: utc(user.created_at),
                    updated_at: utc(user.updated_at),
                }),
            )?;
        }

        // One at a time: each carries its file.
        for row in media::table
            .order(media::id)
            .select(crate::store::media::MediaRow::as_select())
            .load(conn)?
        {
            let format = crate::media::process::Format::from_content_type(&row.content_type)
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!("media {}: unknown type {}", row.id, row.content_type).into(),
                    )
                })?;
            let key = crate::media::original_key(&row.storage_key, format);
            let bytes = files.read(&key).map_err(|err| {
                diesel::result::Error::QueryBuilderError(
                    format!("media {}: cannot read its file: {err}", row.id).into(),
                )
            })?;
            emit(
                out,
                Record::Media(MediaRecord {
                    id: row.id,
                    storage_key: row.storage_key,
                    content_type: row.content_type,
                    width: row.width,
                    height: row.height,
                    bytes: row.bytes,
                    checksum: row.checksum,
                    alt: row.alt,
                    caption: row.caption,
                    credit: row.credit,
                    focal_x: row.focal_x,
                    focal_y: row.focal_y,
                    uploaded_by: row.uploaded_by,
                    created_at: utc(row.created_at),
                    updated_at: utc(row.updated_at),
                    data: base64::engine::general_purpose::STANDARD.encode(bytes),
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
                        featured_image_id: row.featured_image_id,
                        seo: SeoRecord {
                            title: row.seo_title,
                            description: row.seo_description,
                            canonical_url: row.seo_canonical_url,
                            image_id: row.seo_image_id,
                        },
                        was_public: row.was_public,
                        expires_at: row.expires_at.map(utc),
                        created_at: utc(row.created_at),
                        updated_at: utc(row.updated_at),
                        version: row.version,
                    }),
                )?;
            }
        }

        for row in corrections::table
            .order(corrections::id)
            .select(crate::store::corrections::CorrectionRow::as_select())
            .load(conn)?
        {
            emit(
                out,
                Record::Correction(CorrectionRecord {
                    id: row.id,
                    article_id: row.article_id,
                    kind: row.kind,
                    text: row.text,
                    created_at: utc(row.created_at),
                    updated_at: utc(row.updated_at),
                }),
            )?;
        }

        for (kind, slug, target_id, created_at) in old_slugs::table
            .order((old_slugs::kind, old_slugs::slug))
            .select((
                old_slugs::kind,
                old_slugs::slug,
                old_slugs::target_id,
                old_slugs::created_at,
            ))
            .load::<(String, String, i32, chrono::NaiveDateTime)>(conn)?
        {
            emit(
                out,
                Record::OldSlug(OldSlugRecord {
                    kind,
                    slug,
                    target_id,
                    created_at: utc(created_at),
                }),
            )?;
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
