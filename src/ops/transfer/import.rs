//! `newsdesk import`: reads an export back, all or nothing.
//!
//! Every line is read as the API reads a request body (the same type
//! errors, naming the field) and checked by the API's own validation (the
//! same limits, URL, email and slug rules), then written with its ids and
//! timestamps. References (an article's author, topics and entities, a
//! comment's article, parent and user, a topic's parent) must name a
//! record that is already in the database or earlier in the file.
//!
//! The whole file goes in one transaction: at the first bad line nothing
//! more is written, the rest of the file is still read and checked (so
//! that one run reports as many bad lines as it can), and then everything
//! is rolled back. A fixed file can simply be imported again.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::{
    ArticleRecord, BATCH, CommentRecord, CorrectionRecord, EntityRecord, HEADER, MediaFileAccess,
    MediaRecord, OldSlugRecord, Record, TopicRecord, UserRecord,
};
use crate::api::articles::{ArticleInput, TAGS_MAX};
use crate::api::comments::CommentInput;
use crate::api::entities::EntityInput;
use crate::api::topics::TopicInput;
use crate::api::{fields, users as user_fields};
use crate::db::Conn;
use crate::error::{ApiError, FieldError, FieldErrors};
use crate::store;
use crate::store::comments::MAX_DEPTH;
use crate::store::corrections::CorrectionRow;
use crate::store::media::MediaRow;
use crate::store::search;
use crate::store::transfer::{Imported, OldSlugRow, Stamps, Table};
use crate::store::users::UserRow;
use base64::Engine as _;

/// Bad lines reported before the import gives up reading.
const MAX_BAD_LINES: usize = 20;

/// One thing wrong with one line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub line: usize,
    /// The field at fault, as `type.field` (`article.topic_ids[1]`), when
    /// the problem is about one.
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: `{field}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why an import failed: every error found, one per bad field. Nothing of
/// the file was applied.
#[derive(Debug)]
pub struct ImportError {
    pub errors: Vec<LineError>,
    /// True when reading stopped early, after `MAX_BAD_LINES` bad lines.
    pub truncated: bool,
}

impl ImportError {
    fn at(line: usize, message: impl Into<String>) -> ImportError {
        ImportError {
            errors: vec![LineError {
                line,
                field: None,
                message: message.into(),
            }],
            truncated: false,
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.errors.iter().map(LineError::to_string).collect();
        write!(f, "{}", lines.join("\n"))?;
        if self.truncated {
            write!(f, "\n(stopped reading after {MAX_BAD_LINES} bad lines)")?;
        }
        Ok(())
    }
}

/// What ends the import's transaction early.
enum Abort {
    Failed(ImportError),
    Database(store::Error),
}

impl From<store::Error> for Abort {
    fn from(error: store::Error) -> Abort {
        Abort::Database(error)
    }
}

/// Reads records from `input` and applies them in one transaction: all of
/// them, or none when any line is bad. `progress` hears of the bytes read.
/// Returns the number of records imported.
pub fn import(
    conn: &mut Conn,
    input: impl BufRead,
    files: &dyn MediaFileAccess,
    progress: &dyn Fn(u64),
) -> Result<u64, ImportError> {
    let mut lines = input.lines();
    match lines.next() {
        Some(Ok(header)) if header.trim() == HEADER => progress(header.len() as u64 + 1),
        _ => {
            return Err(ImportError::at(
                1,
                format!("the first line must be {HEADER}"),
            ));
        }
    }
    let mut number = 1;
    // Users come before the media they have as avatars (media name their
    // uploader): the database checks that reference when the import ends.
    let result = store::transfer::all_or_nothing::<u64, Abort, _>(conn, |conn| {
        let mut imported = 0u64;
        let mut reindex: Vec<i32> = Vec::with_capacity(BATCH);
        let mut failure = ImportError {
            errors: Vec::new(),
            truncated: false,
        };
        let mut bad_lines = 0;
        for line in lines.by_ref() {
            number += 1;
            let line = line.map_err(|err| {
                Abort::Failed(ImportError::at(number, format!("cannot be read: {err}")))
            })?;
            progress(line.len() as u64 + 1);
            if line.trim().is_empty() {
                continue;
            }
            let outcome = match parse(&line) {
                Err(errors) => Err(errors),
                Ok((kind, record)) => {
                    // After a bad line nothing more is written, so later
                    // references cannot be checked; their fields still are.
                    let dangling = if bad_lines == 0 {
                        references(conn, &record)?
                    } else {
                        Vec::new()
                    };
                    match validate(record) {
                        Err(mut errors) => {
                            errors.extend(dangling);
                            Err((kind, errors))
                        }
                        Ok(_) if !dangling.is_empty() => Err((kind, dangling)),
                        Ok(_) if bad_lines > 0 => Ok(()),
                        Ok(valid) => apply(conn, &valid, files, &mut reindex)
                            .map(|()| imported += 1)
                            .map_err(|err| (kind, field_errors(err))),
                    }
                }
            };
            if let Err((kind, errors)) = outcome {
                failure
                    .errors
                    .extend(errors.into_iter().map(|error| LineError {
                        line: number,
                        field: match error.field.as_str() {
                            "" => None,
                            field if kind.is_empty() => Some(field.to_owned()),
                            field => Some(format!("{kind}.{field}")),
                        },
                        message: error.message,
                    }));
                bad_lines += 1;
                if bad_lines == MAX_BAD_LINES {
                    failure.truncated = true;
                    break;
                }
            }
            if reindex.len() >= BATCH {
                search::reindex(conn, &reindex)?;
                reindex.clear();
            }
        }
        if bad_lines == 0 {
            failure.errors.extend(missing_avatars(conn)?);
            bad_lines = failure.errors.len();
        }
        if bad_lines > 0 {
            return Err(Abort::Failed(failure));
        }
        crate::store::users::give_slugs(conn).map_err(|err| {
            Abort::Failed(ImportError::at(number, format!("cannot give slugs: {err}")))
        })?;
        search::reindex(conn, &reindex)?;
        store::transfer::finish(conn, store::now())?;
        crate::audit::Actor::cli().record(
            conn,
            crate::domain::AuditAction::Import,
            None,
            Some(serde_json::json!({"records": imported})),
        )?;
        Ok(imported)
    });
    result.map_err(|abort| match abort {
        Abort::Failed(failure) => failure,
        Abort::Database(err) => ImportError::at(
            number,
            format!("the database failed: {}", store::error::chain(&err)),
        ),
    })
}

/// The name of a record's type, as in its `type` field.
type Kind = &'static str;

/// A line as the API would read it as a request body: a JSON object with
/// a known `type`, whose other fields have the types of that record.
fn parse(line: &str) -> Result<(Kind, Record), (Kind, Vec<FieldError>)> {
    let bad = |field: &str, message: String| ("", vec![FieldError::new(field, message)]);
    let mut value: serde_json::Value =
        serde_json::from_str(line).map_err(|err| bad("", format!("is not valid JSON: {err}")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(bad("", "must be a JSON object".to_owned()));
    };
    let kind = object.remove("type");
    let fields = serde_json::to_vec(object).map_err(|err| bad("", err.to_string()))?;
    fn read<T: DeserializeOwned>(kind: Kind, fields: &[u8]) -> Result<T, (Kind, Vec<FieldError>)> {
        crate::api::parse_unchecked(fields).map_err(|err| (kind, field_errors(err)))
    }
    match kind.as_ref().and_then(serde_json::Value::as_str) {
        Some("user") => read("user", &fields).map(|r| ("user", Record::User(r))),
        Some("topic") => read("topic", &fields).map(|r| ("topic", Record::Topic(r))),
        Some("entity") => read("entity", &fields).map(|r| ("entity", Record::Entity(r))),
        Some("article") => read("article", &fields).map(|r| ("article", Record::Article(r))),
        Some("comment") => read("comment", &fields).map(|r| ("comment", Record::Comment(r))),
        Some("media") => read("media", &fields).map(|r| ("media", Record::Media(r))),
        Some("correction") => {
            read("correction", &fields).map(|r| ("correction", Record::Correction(r)))
        }
        Some("old_slug") => read("old_slug", &fields).map(|r| ("old_slug", Record::OldSlug(r))),
        _ => Err(bad(
            "type",
            "must be one of: user, media, topic, entity, article, correction, old_slug, comment"
                .to_owned(),
        )),
    }
}

/// An error as field errors; one without a field is about the whole line.
fn field_errors(error: ApiError) -> Vec<FieldError> {
    match error {
        // The cause matters to the operator (the client of the API never
        // sees it; the operator runs the database).
        ApiError::Internal(cause) => {
            vec![FieldError::new(
                "",
                crate::store::error::chain(cause.as_ref()),
            )]
        }
        ApiError::Unavailable(cause) => vec![FieldError::new("", cause)],
        other => {
            let problem = other.problem();
            if problem.errors.is_empty() {
                vec![FieldError::new("", problem.detail)]
            } else {
                problem.errors
            }
        }
    }
}

/// A record that passed the API's checks, in the types the store writes.
struct Valid {
    row: Imported,
    /// A media record's file, kept before its row is written.
    file: Option<Vec<u8>>,
}

impl From<Imported> for Valid {
    fn from(row: Imported) -> Valid {
        Valid { row, file: None }
    }
}

fn meta(
    errors: &mut FieldErrors,
    id: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
) -> Stamps {
    if id < 1 {
        errors.add("id", "must be a positive integer");
    }
    if version < 1 {
        errors.add("version", "must be at least 1");
    }
    Stamps {
        id,
        created_at: fields::timestamp(errors, "created_at", created_at),
        updated_at: fields::timestamp(errors, "updated_at", updated_at),
        version,
    }
}

/// The API's validation of `new`, with this record's own checks added to
/// its errors, so that every bad field of the line is reported at once.
fn combine<T>(checked: Result<T, ApiError>, own: FieldErrors) -> Result<T, Vec<FieldError>> {
    let (value, mut errors) = match checked {
        Ok(value) => (Some(value), Vec::new()),
        Err(err) => (None, field_errors(err)),
    };
    if let Err(err) = own.finish() {
        errors.extend(field_errors(err));
    }
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(errors),
    }
}

/// A slug the API's validation accepted (it came in as `Some`).
fn kept_slug(slug: Option<String>) -> Result<String, Vec<FieldError>> {
    slug.ok_or_else(|| vec![FieldError::new("slug", "is required")])
}

/// Each id of a list of references once, and at most `max` of them.
fn id_list(errors: &mut FieldErrors, field: &str, ids: &[i32], max: usize) {
    if ids.len() > max {
        errors.add(field, format!("must list at most {max} ids"));
    }
    for (index, id) in ids.iter().enumerate() {
        if ids[..index].contains(id) {
            errors.add(format!("{field}[{index}]"), format!("repeats {id}"));
        }
    }
}

/// Checks a record with the rules the API applies to the same fields.
fn validate(record: Record) -> Result<Valid, Vec<FieldError>> {
    match record {
        Record::User(user) => validate_user(user),
        Record::Topic(topic) => validate_topic(topic),
        Record::Entity(entity) => validate_entity(entity),
        Record::Article(article) => validate_article(article),
        Record::Comment(comment) => validate_comment(comment),
        Record::Media(record) => validate_media(record),
        Record::Correction(correction) => validate_correction(correction),
        Record::OldSlug(old) => validate_old_slug(old),
    }
}

fn validate_media(record: MediaRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    meta(
        &mut errors,
        record.id,
        record.created_at,
        record.updated_at,
        1,
    );
    let file = match base64::engine::general_purpose::STANDARD.decode(&record.data) {
        Ok(file) => file,
        Err(err) => {
            errors.add("data", format!("is not base64: {err}"));
            Vec::new()
        }
    };
    if !file.is_empty() {
        if i64::try_from(file.len()).ok() != Some(record.bytes) {
            errors.add(
                "bytes",
                format!("says {} but data holds {}", record.bytes, file.len()),
            );
        }
        let checksum = format!("{:016x}", crate::api::pagination::fingerprint_bytes(&file));
        if checksum != record.checksum {
            errors.add(
                "checksum",
                format!("does not match data (its checksum is {checksum})"),
            );
        }
        match crate::media::process::Format::sniff(&file) {
            Some(format) if format.content_type() == record.content_type => {}
            Some(format) => errors.add(
                "content_type",
                format!(
                    "says {} but data is {}",
                    record.content_type,
                    format.content_type()
                ),
            ),
            None => errors.add("data", "is not a JPEG, PNG, WebP or GIF image"),
        }
    }
    if record.width < 1 || record.height < 1 {
        errors.add("width", "width and height must be positive");
    }
    if record.storage_key.is_empty()
        || record.storage_key.contains("..")
        || record.storage_key.starts_with('/')
    {
        errors.add("storage_key", "must be a relative key without ..");
    }
    let in_unit = |value: Option<f64>| value.is_none_or(|v| (0.0..=1.0).contains(&v));
    if record.focal_x.is_some() != record.focal_y.is_some()
        || !in_unit(record.focal_x)
        || !in_unit(record.focal_y)
    {
        errors.add(
            "focal_x",
            "focal_x and focal_y go together, each from 0 to 1",
        );
    }
    for (field, value) in [
        ("alt", &record.alt),
        ("caption", &record.caption),
        ("credit", &record.credit),
    ] {
        fields::optional_text(&mut errors, field, value.as_deref(), 2_000);
    }
    combine(Ok(()), errors)?;
    let row = MediaRow {
        id: record.id,
        storage_key: record.storage_key,
        content_type: record.content_type,
        width: record.width,
        height: record.height,
        bytes: record.bytes,
        checksum: record.checksum,
        alt: record.alt,
        caption: record.caption,
        credit: record.credit,
        focal_x: record.focal_x,
        focal_y: record.focal_y,
        uploaded_by: record.uploaded_by,
        created_at: record.created_at.naive_utc(),
        updated_at: record.updated_at.naive_utc(),
    };
    Ok(Valid {
        row: Imported::Media(row),
        file: Some(file),
    })
}

fn validate_correction(correction: CorrectionRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    meta(
        &mut errors,
        correction.id,
        correction.created_at,
        correction.updated_at,
        1,
    );
    if fields::optional_text(&mut errors, "text", Some(&correction.text), 2_000).is_none() {
        errors.add("text", "must not be empty");
    }
    combine(Ok(()), errors)?;
    Ok(Imported::Correction(CorrectionRow {
        id: correction.id,
        article_id: correction.article_id,
        kind: correction.kind,
        text: correction.text,
        created_at: correction.created_at.naive_utc(),
        updated_at: correction.updated_at.naive_utc(),
    })
    .into())
}

fn validate_old_slug(old: OldSlugRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    fields::one_of(
        &mut errors,
        "kind",
        &old.kind,
        &["article", "topic", "entity", "author"],
    );
    fields::optional_slug(&mut errors, "slug", Some(&old.slug));
    fields::timestamp(&mut errors, "created_at", old.created_at);
    combine(Ok(()), errors)?;
    Ok(Imported::OldSlug(OldSlugRow {
        kind: old.kind,
        slug: old.slug,
        target_id: old.target_id,
        created_at: old.created_at.naive_utc(),
    })
    .into())
}

/// Users whose avatar names no media once every line is in.
fn missing_avatars(conn: &mut Conn) -> Result<Vec<LineError>, store::Error> {
    Ok(store::transfer::missing_avatars(conn)?
        .into_iter()
        .map(|(user, avatar)| LineError {
            line: 0,
            field: Some("user.avatar_id".to_owned()),
            message: format!(
                "user {user}: names no media ({avatar} is neither in the database nor in the file)"
            ),
        })
        .collect())
}

fn validate_user(user: UserRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let (email, display_name) =
        user_fields::account_fields(&mut errors, &user.email, &user.display_name);
    if let Some(hash) = &user.password_hash
        && !crate::auth::password::is_hash(hash)
    {
        errors.add(
            "password_hash",
            "must be an Argon2 hash in PHC form ($argon2id$v=19$…)",
        );
    }
    // Users have no version; 1 passes the check.
    let stamps = meta(&mut errors, user.id, user.created_at, user.updated_at, 1);
    let slug = fields::optional_slug(&mut errors, "slug", user.slug.as_deref());
    let bio = fields::optional_text(
        &mut errors,
        "bio",
        user.bio.as_deref(),
        user_fields::BIO_MAX,
    );
    combine(Ok(()), errors)?;
    Ok(Imported::User(UserRow {
        id: stamps.id,
        email,
        display_name,
        role: user.role,
        password_hash: user.password_hash,
        active: user.active,
        created_at: stamps.created_at,
        updated_at: stamps.updated_at,
        slug,
        bio,
        avatar_id: user.avatar_id,
    })
    .into())
}

fn validate_topic(topic: TopicRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let stamps = meta(
        &mut errors,
        topic.id,
        topic.created_at,
        topic.updated_at,
        topic.version,
    );
    let checked = TopicInput {
        slug: Some(topic.slug),
        name: topic.name,
        description: topic.description,
        parent: None,
    }
    .validate();
    let new = combine(checked, errors)?;
    Ok(Imported::Topic {
        stamps,
        slug: kept_slug(new.slug.clone())?,
        new,
        parent_id: topic.parent_id,
    }
    .into())
}

fn validate_entity(entity: EntityRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let stamps = meta(
        &mut errors,
        entity.id,
        entity.created_at,
        entity.updated_at,
        entity.version,
    );
    let checked = EntityInput {
        slug: Some(entity.slug),
        name: entity.name,
        kind: entity.kind,
        description: entity.description,
        aliases: entity.aliases,
        country_code: entity.country_code,
        website: entity.website,
    }
    .validate();
    let new = combine(checked, errors)?;
    Ok(Imported::Entity {
        stamps,
        slug: kept_slug(new.slug.clone())?,
        new,
    }
    .into())
}

fn validate_article(article: ArticleRecord) -> Result<Valid, Vec<FieldError>> {
    use crate::api::articles::ArticleStatus;

    let mut errors = FieldErrors::new();
    let stamps = meta(
        &mut errors,
        article.id,
        article.created_at,
        article.updated_at,
        article.version,
    );
    id_list(&mut errors, "topic_ids", &article.topic_ids, TAGS_MAX);
    id_list(&mut errors, "entity_ids", &article.entity_ids, TAGS_MAX);
    // Public lists rely on it (their cursors skip undated rows); the API
    // sets it itself when it publishes.
    if matches!(
        article.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    ) && article.published_at.is_none()
    {
        errors.add(
            "published_at",
            "is required for a published or scheduled article",
        );
    }
    let checked = ArticleInput {
        slug: Some(article.slug),
        title: article.title,
        subtitle: article.subtitle,
        summary: article.summary,
        body: article.body,
        status: Some(article.status),
        published_at: article.published_at,
        source: article.source,
        byline: article.byline,
        topics: Vec::new(),
        entities: Vec::new(),
        comments_open: Some(article.comments_open),
        author_id: Some(article.author_id),
        featured_image: article.featured_image_id,
        seo: Some(crate::api::articles::SeoInput {
            title: article.seo.title,
            description: article.seo.description,
            canonical_url: article.seo.canonical_url,
            image: article.seo.image_id,
        }),
        expires_at: Some(article.expires_at),
    }
    .validate();
    let new = combine(checked, errors)?;
    Ok(Imported::Article {
        stamps,
        slug: kept_slug(new.slug.clone())?,
        was_public: article.was_public,
        new: Box::new(new),
        author_id: article.author_id,
        topic_ids: article.topic_ids,
        entity_ids: article.entity_ids,
    }
    .into())
}

fn validate_comment(comment: CommentRecord) -> Result<Valid, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let stamps = meta(
        &mut errors,
        comment.id,
        comment.created_at,
        comment.updated_at,
        comment.version,
    );
    if !(1..=MAX_DEPTH).contains(&comment.depth) {
        errors.add("depth", format!("must be 1 to {MAX_DEPTH}"));
    }
    // A staff comment carries its author's name and email as they were;
    // the reader's rules for both hold for them too.
    let checked = CommentInput {
        author_name: Some(comment.author_name),
        author_email: Some(comment.author_email),
        author_url: comment.author_url,
        body: comment.body,
        parent_id: comment.parent_id,
    }
    .validate(None);
    let new = combine(checked, errors)?;
    let status = comment.status;
    Ok(Imported::Comment {
        stamps,
        new,
        article_id: comment.article_id,
        depth: comment.depth,
        user_id: comment.user_id,
        status,
    }
    .into())
}

/// Field errors for each reference in `ids` that names no `table` row.
fn dangling(
    conn: &mut Conn,
    errors: &mut FieldErrors,
    field: &str,
    table: Table,
    ids: &[i32],
    listed: bool,
) -> Result<(), store::Error> {
    let found = store::transfer::existing(conn, table, ids)?;
    for (index, id) in ids.iter().enumerate() {
        if !found.contains(id) {
            let field = if listed {
                format!("{field}[{index}]")
            } else {
                field.to_owned()
            };
            errors.add(
                field,
                format!(
                    "names no {} ({id} is neither in the database nor earlier in the file)",
                    table.row()
                ),
            );
        }
    }
    Ok(())
}

/// Refuses a record whose id is taken, before the insert would.
fn refuse_taken_id(
    conn: &mut Conn,
    errors: &mut FieldErrors,
    table: Table,
    id: i32,
) -> Result<(), store::Error> {
    if !store::transfer::existing(conn, table, &[id])?.is_empty() {
        errors.add(
            "id",
            format!(
                "{id} is already in the database (import into a database without these records)"
            ),
        );
    }
    Ok(())
}

/// What is wrong with a record's references (and its id) as the database
/// stands, blamed on the fields that hold them.
fn references(conn: &mut Conn, record: &Record) -> Result<Vec<FieldError>, store::Error> {
    let mut errors = FieldErrors::new();
    match record {
        // The built-in "newsroom" account exists in every database:
        // users are upserted by id.
        Record::User(_) => {}
        Record::Topic(topic) => {
            refuse_taken_id(conn, &mut errors, Table::Topics, topic.id)?;
            // Parents come first, so a topic naming itself or a later
            // topic as its parent is dangling too (and no cycle can form).
            if let Some(parent) = topic.parent_id {
                dangling(
                    conn,
                    &mut errors,
                    "parent_id",
                    Table::Topics,
                    &[parent],
                    false,
                )?;
            }
        }
        Record::Entity(entity) => refuse_taken_id(conn, &mut errors, Table::Entities, entity.id)?,
        Record::Media(record) => {
            refuse_taken_id(conn, &mut errors, Table::Media, record.id)?;
            if let Some(user) = record.uploaded_by {
                dangling(
                    conn,
                    &mut errors,
                    "uploaded_by",
                    Table::Users,
                    &[user],
                    false,
                )?;
            }
        }
        Record::Correction(correction) => {
            refuse_taken_id(conn, &mut errors, Table::Corrections, correction.id)?;
            let article = [correction.article_id];
            dangling(
                conn,
                &mut errors,
                "article_id",
                Table::Articles,
                &article,
                false,
            )?;
        }
        Record::OldSlug(old) => {
            let table = match old.kind.as_str() {
                "article" => Some(Table::Articles),
                "topic" => Some(Table::Topics),
                "entity" => Some(Table::Entities),
                "author" => Some(Table::Users),
                _ => None,
            };
            if let Some(table) = table {
                dangling(
                    conn,
                    &mut errors,
                    "target_id",
                    table,
                    &[old.target_id],
                    false,
                )?;
            }
            if store::transfer::old_slug_taken(conn, &old.kind, &old.slug)? {
                errors.add(
                    "slug",
                    "is already an old slug of this kind in the database",
                );
            }
        }
        Record::Article(article) => {
            refuse_taken_id(conn, &mut errors, Table::Articles, article.id)?;
            if let Some(id) = article.featured_image_id {
                dangling(
                    conn,
                    &mut errors,
                    "featured_image_id",
                    Table::Media,
                    &[id],
                    false,
                )?;
            }
            if let Some(id) = article.seo.image_id {
                dangling(
                    conn,
                    &mut errors,
                    "seo.image_id",
                    Table::Media,
                    &[id],
                    false,
                )?;
            }
            let author = [article.author_id];
            dangling(conn, &mut errors, "author_id", Table::Users, &author, false)?;
            let topics = &article.topic_ids;
            dangling(conn, &mut errors, "topic_ids", Table::Topics, topics, true)?;
            let entities = &article.entity_ids;
            dangling(
                conn,
                &mut errors,
                "entity_ids",
                Table::Entities,
                entities,
                true,
            )?;
        }
        Record::Comment(comment) => {
            refuse_taken_id(conn, &mut errors, Table::Comments, comment.id)?;
            let article = [comment.article_id];
            dangling(
                conn,
                &mut errors,
                "article_id",
                Table::Articles,
                &article,
                false,
            )?;
            if let Some(user) = comment.user_id {
                dangling(conn, &mut errors, "user_id", Table::Users, &[user], false)?;
            }
            comment_parent(conn, &mut errors, comment)?;
        }
    }
    Ok(errors.finish().err().map(field_errors).unwrap_or_default())
}

/// A reply's parent must be a comment of the same article, one level up.
fn comment_parent(
    conn: &mut Conn,
    errors: &mut FieldErrors,
    comment: &CommentRecord,
) -> Result<(), store::Error> {
    let Some(parent_id) = comment.parent_id else {
        if comment.depth != 1 {
            errors.add("depth", "must be 1 for a comment without parent_id");
        }
        return Ok(());
    };
    match store::transfer::comment_place(conn, parent_id)? {
        None => errors.add(
            "parent_id",
            format!(
                "names no comment ({parent_id} is neither in the database nor earlier in the file)"
            ),
        ),
        Some((article, _)) if article != comment.article_id => errors.add(
            "parent_id",
            format!("names comment {parent_id} of another article ({article})"),
        ),
        Some((_, depth))
            if depth + 1 != comment.depth && (1..=MAX_DEPTH).contains(&comment.depth) =>
        {
            errors.add(
                "depth",
                format!(
                    "must be {} (one deeper than comment {parent_id})",
                    depth + 1
                ),
            )
        }
        Some(_) => {}
    }
    Ok(())
}

/// Writes one checked record whose references hold, inside the import's
/// transaction.
fn apply(
    conn: &mut Conn,
    valid: &Valid,
    files: &dyn MediaFileAccess,
    reindex: &mut Vec<i32>,
) -> Result<(), ApiError> {
    if let (Imported::Media(row), Some(file)) = (&valid.row, &valid.file) {
        // The file first: a row never names a file that is not kept. If
        // the import then fails, the file stays unnamed (harmless;
        // importing the same file again writes the same bytes).
        let format = crate::media::process::Format::from_content_type(&row.content_type)
            .ok_or_else(|| ApiError::invalid("content_type", "is not an image type"))?;
        files
            .write(
                &crate::media::original_key(&row.storage_key, format),
                file.clone(),
            )
            .map_err(|err| ApiError::Internal(err.into()))?;
    }
    store::transfer::insert(conn, &valid.row)?;
    if let Imported::Article { stamps, .. } = &valid.row {
        reindex.push(stamps.id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_its_line_and_field() {
        let error = LineError {
            line: 12,
            field: Some("article.word_count".to_owned()),
            message: "unknown field".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "line 12: `article.word_count`: unknown field"
        );
    }
}
