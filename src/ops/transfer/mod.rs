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

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::articles::ArticleStatus;
use crate::api::comments::CommentStatus;
use crate::api::entities::EntityKind;
use crate::auth::Role;
use crate::db::Conn;
use crate::store;
use crate::store::transfer::Exported;
use base64::Engine as _;

mod import;

pub use import::{ImportError, LineError, import};

/// Articles reindexed at once by an import.
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
pub fn count_rows(conn: &mut Conn) -> Result<u64, store::Error> {
    store::transfer::count_rows(conn)
}

fn write_line(out: &mut impl Write, record: &Record) -> Result<(), store::Error> {
    let line = serde_json::to_string(record)
        .map_err(|err| store::Error::other("cannot write a record", err))?;
    writeln!(out, "{line}").map_err(|err| store::Error::other("cannot write the export", err))
}

/// Writes every record to `out`, read from one consistent snapshot of the
/// database; `progress` hears of each.
pub fn export(
    conn: &mut Conn,
    out: &mut impl Write,
    with_secrets: bool,
    files: &dyn MediaFileAccess,
    progress: &dyn Fn(u64),
) -> Result<u64, String> {
    let written_out = |err| format!("export failed: cannot write: {err}");
    writeln!(out, "{HEADER}").map_err(written_out)?;
    let mut written = 0u64;
    store::transfer::read_all(conn, &mut |row| {
        write_line(out, &record(row, with_secrets, files)?)?;
        written += 1;
        progress(1);
        Ok(())
    })
    .map_err(|err| format!("export failed: {}", store::error::chain(&err)))?;
    Ok(written)
}

/// The record of one exported row; a media's file is read and carried.
fn record(
    row: Exported,
    with_secrets: bool,
    files: &dyn MediaFileAccess,
) -> Result<Record, store::Error> {
    Ok(match row {
        Exported::User(user) => Record::User(UserRecord {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role,
            active: user.active,
            password_hash: user.password_hash.filter(|_| with_secrets),
            slug: user.slug,
            bio: user.bio,
            avatar_id: user.avatar_id,
            created_at: utc(user.created_at),
            updated_at: utc(user.updated_at),
        }),
        Exported::Media(row) => {
            let format = crate::media::process::Format::from_content_type(&row.content_type)
                .ok_or_else(|| {
                    store::Error::broken(format!(
                        "media {}: unknown type {}",
                        row.id, row.content_type
                    ))
                })?;
            let key = crate::media::original_key(&row.storage_key, format);
            let bytes = files.read(&key).map_err(|err| {
                store::Error::broken(format!("media {}: cannot read its file: {err}", row.id))
            })?;
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
            })
        }
        Exported::Topic(topic) => Record::Topic(TopicRecord {
            id: topic.id,
            slug: topic.slug,
            name: topic.name,
            description: topic.description,
            parent_id: topic.parent_id,
            created_at: utc(topic.created_at),
            updated_at: utc(topic.updated_at),
            version: topic.version,
        }),
        Exported::Entity { row, aliases } => Record::Entity(EntityRecord {
            aliases,
            id: row.id,
            slug: row.slug,
            name: row.name,
            kind: row.kind,
            description: row.description,
            country_code: row.country_code,
            website: row.website,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
        }),
        Exported::Article {
            row,
            body,
            topic_ids,
            entity_ids,
        } => Record::Article(ArticleRecord {
            topic_ids,
            entity_ids,
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
        Exported::Correction(row) => Record::Correction(CorrectionRecord {
            id: row.id,
            article_id: row.article_id,
            kind: row.kind,
            text: row.text,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }),
        Exported::OldSlug(row) => Record::OldSlug(OldSlugRecord {
            kind: row.kind,
            slug: row.slug,
            target_id: row.target_id,
            created_at: utc(row.created_at),
        }),
        Exported::Comment(comment) => Record::Comment(CommentRecord {
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
    })
}
