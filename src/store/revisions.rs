//! Article revisions: what each version of an article held.
//!
//! A revision keeps the article's writable content (`NewArticle`, the
//! same struct a create or a PUT is validated into) as zstd-compressed
//! JSON, with who saved it and the top-level fields the save changed. It
//! is written in the transaction of the save. Saves of a draft by the
//! same user within ten minutes of that user's previous revision replace
//! it, so that an autosaving editor does not leave hundreds of versions;
//! a revision of a version that was public is never replaced.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::articles::{
    ArticleBody, ArticleRecord, ArticleSummary, ArticleSummaryRow, AuthorRef, NewArticle,
};
use super::entities::EntityRef;
use super::topics::TopicRef;
use super::{PageRequest, now};
use crate::db::Conn;
use crate::db::schema::{article_revisions, entities, topics, users};
use crate::domain::ArticleStatus;
use crate::render;
use crate::store::Error;

/// How close two saves of a draft by one user must be to fold into one.
pub const FOLD_WINDOW: TimeDelta = TimeDelta::minutes(10);

/// zstd's level for snapshots: written once, read rarely, so worth a
/// slower level than the answer cache's.
const LEVEL: i32 = 9;

/// A revision without its snapshot, for lists.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions)]
pub struct RevisionRow {
    pub id: i32,
    pub article_id: i32,
    pub version: i32,
    pub user_id: i32,
    pub created_at: NaiveDateTime,
    /// A JSON array of field names.
    pub changed: String,
    pub public: bool,
}

impl RevisionRow {
    /// The fields the save changed, in alphabetical order.
    pub fn changed(&self) -> Vec<String> {
        serde_json::from_str(&self.changed).unwrap_or_default()
    }
}

/// A revision as listed: with who saved it.
#[derive(Debug, Clone)]
pub struct RevisionSummary {
    pub row: RevisionRow,
    pub user: AuthorRef,
}

fn compress(content: &NewArticle) -> Result<Vec<u8>, Error> {
    let json = serde_json::to_vec(content)
        .map_err(|err| Error::other("cannot serialize a revision", err))?;
    zstd::bulk::compress(&json, LEVEL)
        .map_err(|err| Error::other("cannot compress a revision", err))
}

fn decompress(snapshot: &[u8]) -> Result<NewArticle, Error> {
    let json = zstd::stream::decode_all(snapshot)
        .map_err(|err| Error::other("cannot decompress a revision", err))?;
    serde_json::from_slice(&json).map_err(|err| Error::other("cannot read a revision", err))
}

/// The top-level fields whose values differ between two contents (every
/// field when there is no `before`), in alphabetical order.
fn changed_fields(before: Option<&NewArticle>, after: &NewArticle) -> Vec<String> {
    let as_map = |content: &NewArticle| match serde_json::to_value(content) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let after = as_map(after);
    let before = before.map(as_map);
    after
        .iter()
        .filter(|(name, value)| {
            before
                .as_ref()
                .is_none_or(|before| before.get(*name) != Some(*value))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The names in either list, once each, in alphabetical order.
fn merged(first: Vec<String>, then: Vec<String>) -> Vec<String> {
    let all: std::collections::BTreeSet<String> = first.into_iter().chain(then).collect();
    all.into_iter().collect()
}

/// Records the save of `after` by `user_id` (`before`: the article as it
/// was, `None` when created); call in the save's transaction, after the
/// store's write. A save that changed nothing records nothing.
pub fn record(
    conn: &mut Conn,
    user_id: i32,
    before: Option<&ArticleRecord>,
    after: &ArticleRecord,
) -> Result<(), Error> {
    let row = &after.summary.row;
    if before.is_some_and(|before| before.summary.row.version == row.version) {
        return Ok(());
    }
    let at = now();
    let content = NewArticle::of(after);
    let mut changed = changed_fields(before.map(NewArticle::of).as_ref(), &content);
    if before.is_some_and(|before| before.summary.corrections != after.summary.corrections) {
        changed = merged(changed, vec!["corrections".to_owned()]);
    }
    let public = row.effective_status(at) == ArticleStatus::Published;
    let snapshot = compress(&content)?;

    let latest: Option<RevisionRow> = article_revisions::table
        .filter(article_revisions::article_id.eq(row.id))
        .order(article_revisions::version.desc())
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()?;
    let folds = |latest: &RevisionRow| {
        let before_was_draft = before.is_some_and(|before| {
            before.summary.row.status == ArticleStatus::Draft
                && before.summary.row.version == latest.version
        });
        before_was_draft
            && row.status == ArticleStatus::Draft
            && !public
            && !latest.public
            && latest.user_id == user_id
            && at - latest.created_at <= FOLD_WINDOW
    };
    let changed_json = |changed: &[String]| {
        serde_json::to_string(changed)
            .map_err(|err| Error::other("cannot serialize field names", err))
    };
    match latest {
        Some(latest) if folds(&latest) => {
            let changed = merged(latest.changed(), changed);
            diesel::update(article_revisions::table.find(latest.id))
                .set((
                    article_revisions::version.eq(row.version),
                    article_revisions::created_at.eq(at),
                    article_revisions::changed.eq(changed_json(&changed)?),
                    article_revisions::snapshot.eq(snapshot),
                ))
                .execute(conn)?;
        }
        _ => {
            diesel::insert_into(article_revisions::table)
                .values((
                    article_revisions::article_id.eq(row.id),
                    article_revisions::version.eq(row.version),
                    article_revisions::user_id.eq(user_id),
                    article_revisions::created_at.eq(at),
                    article_revisions::changed.eq(changed_json(&changed)?),
                    article_revisions::public.eq(public),
                    article_revisions::snapshot.eq(snapshot),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A page of an article's revisions, newest first, and how many it has.
pub fn list(
    conn: &mut Conn,
    article_id: i32,
    page: PageRequest,
) -> Result<(Vec<RevisionSummary>, i64), Error> {
    let total: i64 = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .count()
        .get_result(conn)?;
    let rows: Vec<(RevisionRow, AuthorRef)> = article_revisions::table
        .inner_join(users::table)
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::version.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select((RevisionRow::as_select(), AuthorRef::as_select()))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(row, user)| RevisionSummary { row, user })
            .collect(),
        total,
    ))
}

/// One revision of an article with its content; 404 when the article has
/// none at that version (never saved, or folded into a later one).
pub fn find(
    conn: &mut Conn,
    article_id: i32,
    version: i32,
) -> Result<(RevisionRow, NewArticle), Error> {
    let found: Option<(RevisionRow, Vec<u8>)> = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .filter(article_revisions::version.eq(version))
        .select((RevisionRow::as_select(), article_revisions::snapshot))
        .first(conn)
        .optional()?;
    let (row, snapshot) = found.ok_or_else(|| {
        Error::NotFound("The article has no revision at this version.".to_owned())
    })?;
    Ok((row, decompress(&snapshot)?))
}

/// The stored size of an article's revisions: (count, compressed bytes).
pub fn stored_size(conn: &mut Conn, article_id: i32) -> QueryResult<(i64, i64)> {
    let sizes: Vec<Vec<u8>> = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .select(article_revisions::snapshot)
        .load(conn)?;
    let bytes = sizes.iter().map(|s| s.len()).sum::<usize>();
    Ok((
        i64::try_from(sizes.len()).unwrap_or(i64::MAX),
        i64::try_from(bytes).unwrap_or(i64::MAX),
    ))
}

/// The article as it was at `revision`, in the shape of a stored one:
/// its content from the snapshot; its tags, owner and their names as
/// they are now (tags deleted since are left out); the corrections that
/// had been published by then; the rest (id, creation, comments) from
/// `current`.
pub fn as_was(
    conn: &mut Conn,
    current: &ArticleRecord,
    revision: &RevisionRow,
    content: NewArticle,
) -> Result<ArticleRecord, Error> {
    let now_row = &current.summary.row;
    let author_id = content.author_id.unwrap_or(now_row.author_id);
    let author: AuthorRef = users::table
        .find(author_id)
        .select(AuthorRef::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| current.summary.author.clone());
    let topics: Vec<TopicRef> = topics::table
        .filter(topics::slug.eq_any(&content.topics))
        .order((topics::name.asc(), topics::id.asc()))
        .select(TopicRef::as_select())
        .load(conn)?;
    let entities: Vec<EntityRef> = entities::table
        .filter(entities::slug.eq_any(&content.entities))
        .order((
            entities::kind.asc(),
            entities::name.asc(),
            entities::id.asc(),
        ))
        .select(EntityRef::as_select())
        .load(conn)?;
    let corrections = current
        .summary
        .corrections
        .iter()
        .filter(|correction| correction.created_at <= revision.created_at)
        .cloned()
        .collect();
    let images: Vec<i32> = [content.featured_image_id, content.seo.image_id]
        .into_iter()
        .flatten()
        .collect();
    let found = super::media::find_many(conn, &images)?;
    let image = |id: Option<i32>| id.and_then(|id| found.get(&id).cloned());
    let (featured_image, seo_image) = (
        image(content.featured_image_id),
        image(content.seo.image_id),
    );
    let words = render::word_count(&content.body);
    let row = ArticleSummaryRow {
        id: now_row.id,
        slug: content.slug.unwrap_or_else(|| now_row.slug.clone()),
        title: content.title,
        subtitle: content.subtitle,
        summary: content.summary,
        status: content.status,
        published_at: content.published_at,
        source: content.source,
        byline: content.byline,
        author_id,
        comments_open: content.comments_open,
        comment_count: now_row.comment_count,
        word_count: i32::try_from(words).unwrap_or(i32::MAX),
        reading_time_minutes: i32::try_from(render::reading_time_minutes(words))
            .unwrap_or(i32::MAX),
        created_at: now_row.created_at,
        updated_at: revision.created_at,
        version: revision.version,
        was_public: revision.public,
        featured_image_id: content.featured_image_id,
        seo_title: content.seo.title.clone(),
        seo_description: content.seo.description.clone(),
        seo_canonical_url: content.seo.canonical_url.clone(),
        seo_image_id: content.seo.image_id,
        expires_at: content.expires_at,
    };
    Ok(ArticleRecord {
        summary: ArticleSummary {
            row,
            author,
            topics,
            entities,
            corrections,
            featured_image,
            seo_image,
        },
        body: ArticleBody {
            body_html: render::body_html(&content.body),
            body: content.body,
        },
    })
}
