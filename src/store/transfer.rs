//! The rows of `newsdesk export` and `newsdesk import`: the whole database
//! read in one snapshot, in an order that imports again, and rows written
//! back with their own ids, timestamps and versions. The file format and
//! the checks of each record live in `ops::transfer`; this is the SQL.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::db::Conn;
use crate::db::schema::{
    article_bodies, article_entities, article_topics, articles, comments, corrections, entities,
    entity_aliases, media, old_slugs, topics, users,
};
use crate::domain::CommentStatus;
use crate::store::Error;
use crate::store::articles::{ArticleSummaryRow, NewArticle};
use crate::store::comments::{CommentRow, NewComment};
use crate::store::corrections::CorrectionRow;
use crate::store::entities::{EntityRow, NewEntity};
use crate::store::media::MediaRow;
use crate::store::topics::{NewTopic, TopicRow};
use crate::store::users::UserRow;

/// Rows read per query.
const BATCH: i64 = 500;

/// An old slug as stored: what it belonged to, and when it was left.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = old_slugs)]
pub struct OldSlugRow {
    /// `article`, `topic`, `entity` or `author`.
    pub kind: String,
    pub slug: String,
    pub target_id: i32,
    pub created_at: NaiveDateTime,
}

/// One row of the export, with the rows that belong to it.
pub enum Exported {
    User(UserRow),
    Media(MediaRow),
    Topic(TopicRow),
    Entity {
        row: EntityRow,
        aliases: Vec<String>,
    },
    Article {
        // Boxed: an article is much larger than the other rows.
        row: Box<ArticleSummaryRow>,
        body: String,
        topic_ids: Vec<i32>,
        entity_ids: Vec<i32>,
    },
    Correction(CorrectionRow),
    OldSlug(OldSlugRow),
    Comment(CommentRow),
}

/// Rows in the database, for the progress bar of an export.
pub fn count_rows(conn: &mut Conn) -> Result<u64, Error> {
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

/// Hands every row to `visit`, inside one read transaction (a consistent
/// snapshot), in an order that imports: users, media, topics (parents
/// first), entities, articles, corrections, old slugs, comments (parents
/// first). Stops at the first error `visit` returns.
pub fn read_all(
    conn: &mut Conn,
    visit: &mut dyn FnMut(Exported) -> Result<(), Error>,
) -> Result<(), Error> {
    crate::db::read_transaction::<(), Error, _>(conn, |conn| {
        for user in users::table
            .order(users::id)
            .select(UserRow::as_select())
            .load(conn)?
        {
            visit(Exported::User(user))?;
        }
        for row in media::table
            .order(media::id)
            .select(MediaRow::as_select())
            .load(conn)?
        {
            visit(Exported::Media(row))?;
        }
        for topic in topics_parents_first(conn)? {
            visit(Exported::Topic(topic))?;
        }
        read_entities(conn, visit)?;
        read_articles(conn, visit)?;
        for row in corrections::table
            .order(corrections::id)
            .select(CorrectionRow::as_select())
            .load(conn)?
        {
            visit(Exported::Correction(row))?;
        }
        for row in old_slugs::table
            .order((old_slugs::kind, old_slugs::slug))
            .select(OldSlugRow::as_select())
            .load(conn)?
        {
            visit(Exported::OldSlug(row))?;
        }
        read_comments(conn, visit)
    })
}

/// Every topic, by depth in the tree, then id.
fn topics_parents_first(conn: &mut Conn) -> Result<Vec<TopicRow>, Error> {
    let all = topics::table
        .order(topics::id)
        .select(TopicRow::as_select())
        .load(conn)?;
    let parents: HashMap<i32, Option<i32>> = all
        .iter()
        .map(|topic| (topic.id, topic.parent_id))
        .collect();
    let depth = |mut id: i32| {
        let mut depth = 0;
        while let Some(Some(parent)) = parents.get(&id) {
            depth += 1;
            id = *parent;
            // A cycle cannot be stored, but a loop must not hang the export.
            if depth > parents.len() {
                break;
            }
        }
        depth
    };
    let mut ordered: Vec<(usize, TopicRow)> = all
        .into_iter()
        .map(|topic| (depth(topic.id), topic))
        .collect();
    ordered.sort_by_key(|(depth, topic)| (*depth, topic.id));
    Ok(ordered.into_iter().map(|(_, topic)| topic).collect())
}

fn read_entities(
    conn: &mut Conn,
    visit: &mut dyn FnMut(Exported) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut after = 0;
    loop {
        let batch = entities::table
            .filter(entities::id.gt(after))
            .order(entities::id)
            .limit(BATCH)
            .select(EntityRow::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
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
        for row in batch {
            let aliases = aliases.remove(&row.id).unwrap_or_default();
            visit(Exported::Entity { row, aliases })?;
        }
    }
}

/// Each article's links of one kind, in id order: `(article, tag)` rows.
fn links_by_article(rows: Vec<(i32, i32)>) -> HashMap<i32, Vec<i32>> {
    let mut links: HashMap<i32, Vec<i32>> = HashMap::new();
    for (article, tag) in rows {
        links.entry(article).or_default().push(tag);
    }
    links
}

fn read_articles(
    conn: &mut Conn,
    visit: &mut dyn FnMut(Exported) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut after = 0;
    loop {
        let batch: Vec<(ArticleSummaryRow, String)> = articles::table
            .inner_join(article_bodies::table)
            .filter(articles::id.gt(after))
            .order(articles::id)
            .limit(BATCH)
            .select((ArticleSummaryRow::as_select(), article_bodies::body))
            .load(conn)?;
        let Some((last, _)) = batch.last() else {
            return Ok(());
        };
        after = last.id;
        let ids: Vec<i32> = batch.iter().map(|(row, _)| row.id).collect();
        let mut topic_ids = links_by_article(
            article_topics::table
                .filter(article_topics::article_id.eq_any(&ids))
                .order((article_topics::article_id, article_topics::topic_id))
                .load(conn)?,
        );
        let mut entity_ids = links_by_article(
            article_entities::table
                .filter(article_entities::article_id.eq_any(&ids))
                .order((article_entities::article_id, article_entities::entity_id))
                .load(conn)?,
        );
        for (row, body) in batch {
            visit(Exported::Article {
                topic_ids: topic_ids.remove(&row.id).unwrap_or_default(),
                entity_ids: entity_ids.remove(&row.id).unwrap_or_default(),
                row: Box::new(row),
                body,
            })?;
        }
    }
}

/// Replies after what they answer: by depth, then id.
fn read_comments(
    conn: &mut Conn,
    visit: &mut dyn FnMut(Exported) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut after = (0, 0);
    loop {
        let batch = comments::table
            .filter(
                comments::depth
                    .gt(after.0)
                    .or(comments::depth.eq(after.0).and(comments::id.gt(after.1))),
            )
            .order((comments::depth, comments::id))
            .limit(BATCH)
            .select(CommentRow::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = (last.depth, last.id);
        for comment in batch {
            visit(Exported::Comment(comment))?;
        }
    }
}

/// The tables an import's records name by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Users,
    Topics,
    Entities,
    Articles,
    Comments,
    Media,
    Corrections,
}

impl Table {
    /// What one row is called: `user`, `topic`…
    pub fn row(self) -> &'static str {
        match self {
            Table::Users => "user",
            Table::Topics => "topic",
            Table::Entities => "entity",
            Table::Articles => "article",
            Table::Comments => "comment",
            Table::Media => "media",
            Table::Corrections => "correction",
        }
    }
}

/// Which of `ids` are rows of `table`.
pub fn existing(conn: &mut Conn, table: Table, ids: &[i32]) -> Result<HashSet<i32>, Error> {
    let found: Vec<i32> = match table {
        Table::Users => users::table
            .select(users::id)
            .filter(users::id.eq_any(ids))
            .load(conn)?,
        Table::Topics => topics::table
            .select(topics::id)
            .filter(topics::id.eq_any(ids))
            .load(conn)?,
        Table::Entities => entities::table
            .select(entities::id)
            .filter(entities::id.eq_any(ids))
            .load(conn)?,
        Table::Articles => articles::table
            .select(articles::id)
            .filter(articles::id.eq_any(ids))
            .load(conn)?,
        Table::Comments => comments::table
            .select(comments::id)
            .filter(comments::id.eq_any(ids))
            .load(conn)?,
        Table::Media => media::table
            .select(media::id)
            .filter(media::id.eq_any(ids))
            .load(conn)?,
        Table::Corrections => corrections::table
            .select(corrections::id)
            .filter(corrections::id.eq_any(ids))
            .load(conn)?,
    };
    Ok(found.into_iter().collect())
}

/// True when `slug` is already an old slug of this kind.
pub fn old_slug_taken(conn: &mut Conn, kind: &str, slug: &str) -> Result<bool, Error> {
    let taken: i64 = old_slugs::table
        .filter(old_slugs::kind.eq(kind))
        .filter(old_slugs::slug.eq(slug))
        .count()
        .get_result(conn)?;
    Ok(taken > 0)
}

/// Where a comment sits: its article and its depth, if it exists.
pub fn comment_place(conn: &mut Conn, comment_id: i32) -> Result<Option<(i32, i32)>, Error> {
    Ok(comments::table
        .select((comments::article_id, comments::depth))
        .find(comment_id)
        .first(conn)
        .optional()?)
}

/// Users whose avatar names no media: `(user, avatar)` pairs.
pub fn missing_avatars(conn: &mut Conn) -> Result<Vec<(i32, i32)>, Error> {
    let found: Vec<(i32, Option<i32>)> = users::table
        .filter(users::avatar_id.is_not_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            media::table.filter(media::id.nullable().eq(users::avatar_id)),
        )))
        .select((users::id, users::avatar_id))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(user, avatar)| (user, avatar.unwrap_or_default()))
        .collect())
}

/// The fields every imported row has beside its own.
#[derive(Debug, Clone, Copy)]
pub struct Stamps {
    pub id: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A record that passed the API's checks, as the store writes it.
pub enum Imported {
    User(UserRow),
    Media(MediaRow),
    Correction(CorrectionRow),
    OldSlug(OldSlugRow),
    Topic {
        stamps: Stamps,
        slug: String,
        new: NewTopic,
        parent_id: Option<i32>,
    },
    Entity {
        stamps: Stamps,
        slug: String,
        new: NewEntity,
    },
    Article {
        stamps: Stamps,
        slug: String,
        // Boxed: an article is much larger than the other records.
        new: Box<NewArticle>,
        was_public: bool,
        author_id: i32,
        topic_ids: Vec<i32>,
        entity_ids: Vec<i32>,
    },
    Comment {
        stamps: Stamps,
        new: NewComment,
        article_id: i32,
        depth: i32,
        user_id: Option<i32>,
        status: CommentStatus,
    },
}

/// Runs an import in one write transaction: all of it or none. Foreign
/// keys are checked at commit (records may name later ones), and the
/// backend's bulk load is on until `finish`.
pub fn all_or_nothing<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<Error>,
{
    /// The work's own failure, or the database's around it.
    enum Ended<E> {
        Work(E),
        Database(DieselError),
    }
    impl<E> From<DieselError> for Ended<E> {
        fn from(error: DieselError) -> Ended<E> {
            Ended::Database(error)
        }
    }
    crate::db::write_transaction(conn, |conn| {
        crate::db::defer_foreign_keys(conn)?;
        crate::db::begin_bulk_load(conn)?;
        work(conn).map_err(Ended::Work)
    })
    .map_err(|ended| match ended {
        Ended::Work(error) => error,
        Ended::Database(error) => E::from(Error::from(error)),
    })
}

/// Ends an import whose rows are all in, before its commit: new rows are
/// numbered after the imported ids, what the triggers keep is recomputed,
/// and the clock's work is owed (scheduled articles published when due,
/// public ones unpublished when they expire; those already expired are
/// archived now, because readers subtract unsettled ones from the kept
/// counts, which is cheap only while they are few).
pub fn finish(conn: &mut Conn, now: NaiveDateTime) -> Result<(), Error> {
    crate::db::number_after_explicit_ids(conn)?;
    crate::db::end_bulk_load(conn)?;
    crate::store::outbox::owe_scheduled(conn)?;
    crate::store::outbox::owe_expiries(conn, now)?;
    crate::store::articles::settle_clock(conn, now)?;
    Ok(())
}

/// Writes one checked record whose references hold, inside
/// `all_or_nothing`. The search index of articles is rebuilt apart
/// (`search::reindex`), many at a time.
pub fn insert(conn: &mut Conn, row: &Imported) -> Result<(), Error> {
    match row {
        Imported::Media(row) => insert_media(conn, row),
        Imported::Correction(correction) => {
            diesel::insert_into(corrections::table)
                .values((
                    corrections::id.eq(correction.id),
                    corrections::article_id.eq(correction.article_id),
                    corrections::kind.eq(correction.kind),
                    corrections::text.eq(&correction.text),
                    corrections::created_at.eq(correction.created_at),
                    corrections::updated_at.eq(correction.updated_at),
                ))
                .execute(conn)?;
            Ok(())
        }
        Imported::OldSlug(old) => {
            diesel::insert_into(old_slugs::table)
                .values((
                    old_slugs::kind.eq(&old.kind),
                    old_slugs::slug.eq(&old.slug),
                    old_slugs::target_id.eq(old.target_id),
                    old_slugs::created_at.eq(old.created_at),
                ))
                .execute(conn)?;
            Ok(())
        }
        Imported::User(user) => upsert_user(conn, user),
        Imported::Topic {
            stamps,
            slug,
            new,
            parent_id,
        } => {
            diesel::insert_into(topics::table)
                .values((
                    topics::id.eq(stamps.id),
                    topics::slug.eq(slug),
                    topics::name.eq(&new.name),
                    topics::description.eq(&new.description),
                    topics::parent_id.eq(parent_id),
                    topics::created_at.eq(stamps.created_at),
                    topics::updated_at.eq(stamps.updated_at),
                    topics::version.eq(stamps.version),
                ))
                .execute(conn)?;
            Ok(())
        }
        Imported::Entity { stamps, slug, new } => insert_entity(conn, stamps, slug, new),
        Imported::Article {
            stamps,
            slug,
            new,
            was_public,
            author_id,
            topic_ids,
            entity_ids,
        } => {
            insert_article(conn, stamps, slug, new, *was_public, *author_id)?;
            // One statement per row: a multi-row VALUES is not in the
            // subset of SQL that both backends' Diesel share.
            for &topic in topic_ids {
                diesel::insert_into(article_topics::table)
                    .values((
                        article_topics::article_id.eq(stamps.id),
                        article_topics::topic_id.eq(topic),
                    ))
                    .execute(conn)?;
            }
            for &entity in entity_ids {
                diesel::insert_into(article_entities::table)
                    .values((
                        article_entities::article_id.eq(stamps.id),
                        article_entities::entity_id.eq(entity),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        }
        Imported::Comment {
            stamps,
            new,
            article_id,
            depth,
            user_id,
            status,
        } => {
            diesel::insert_into(comments::table)
                .values((
                    comments::id.eq(stamps.id),
                    comments::article_id.eq(article_id),
                    comments::parent_id.eq(new.parent_id),
                    comments::depth.eq(depth),
                    comments::author_name.eq(&new.author_name),
                    comments::author_email.eq(&new.author_email),
                    comments::author_url.eq(&new.author_url),
                    comments::user_id.eq(user_id),
                    comments::body.eq(&new.body),
                    comments::status.eq(status),
                    comments::created_at.eq(stamps.created_at),
                    comments::updated_at.eq(stamps.updated_at),
                    comments::version.eq(stamps.version),
                ))
                .execute(conn)?;
            // The article's comment_count is what its thread shows, which
            // this comment may change (parents come first in the file).
            if *status == CommentStatus::Approved {
                crate::store::comments::recount(conn, *article_id)?;
            }
            Ok(())
        }
    }
}

fn insert_media(conn: &mut Conn, row: &MediaRow) -> Result<(), Error> {
    diesel::insert_into(media::table)
        .values((
            media::id.eq(row.id),
            media::storage_key.eq(&row.storage_key),
            media::content_type.eq(&row.content_type),
            media::width.eq(row.width),
            media::height.eq(row.height),
            media::bytes.eq(row.bytes),
            media::checksum.eq(&row.checksum),
            media::alt.eq(&row.alt),
            media::caption.eq(&row.caption),
            media::credit.eq(&row.credit),
            media::focal_x.eq(row.focal_x),
            media::focal_y.eq(row.focal_y),
            media::uploaded_by.eq(row.uploaded_by),
            media::created_at.eq(row.created_at),
            media::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The built-in "newsroom" account exists in every database: users are
/// upserted by id.
fn upsert_user(conn: &mut Conn, user: &UserRow) -> Result<(), Error> {
    let fields = (
        users::email.eq(&user.email),
        users::display_name.eq(&user.display_name),
        users::role.eq(user.role),
        users::password_hash.eq(&user.password_hash),
        users::active.eq(user.active),
        users::slug.eq(&user.slug),
        users::bio.eq(&user.bio),
        users::avatar_id.eq(user.avatar_id),
        users::created_at.eq(user.created_at),
        users::updated_at.eq(user.updated_at),
    );
    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(users::table)
            .values((users::id.eq(user.id), fields))
            .on_conflict(users::id)
            .do_update()
            .set(fields),
    )?;
    Ok(())
}

fn insert_entity(
    conn: &mut Conn,
    stamps: &Stamps,
    slug: &str,
    new: &NewEntity,
) -> Result<(), Error> {
    diesel::insert_into(entities::table)
        .values((
            entities::id.eq(stamps.id),
            entities::slug.eq(slug),
            entities::name.eq(&new.name),
            entities::kind.eq(&new.kind),
            entities::description.eq(&new.description),
            entities::country_code.eq(&new.country_code),
            entities::website.eq(&new.website),
            entities::created_at.eq(stamps.created_at),
            entities::updated_at.eq(stamps.updated_at),
            entities::version.eq(stamps.version),
        ))
        .execute(conn)?;
    // One statement per row: a multi-row VALUES is not in the subset of
    // SQL that both backends' Diesel share.
    for (alias, position) in new.aliases.iter().zip(0..) {
        diesel::insert_into(entity_aliases::table)
            .values((
                entity_aliases::entity_id.eq(stamps.id),
                entity_aliases::position.eq(position),
                entity_aliases::alias.eq(alias),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The article's row and its body; what the body gives (HTML, word count,
/// reading time) is derived here, as the API's writes derive it.
fn insert_article(
    conn: &mut Conn,
    stamps: &Stamps,
    slug: &str,
    new: &NewArticle,
    was_public: bool,
    author_id: i32,
) -> Result<(), Error> {
    let words = crate::render::word_count(&new.body);
    let reading_time = crate::render::reading_time_minutes(words);
    diesel::insert_into(articles::table)
        .values((
            articles::id.eq(stamps.id),
            articles::slug.eq(slug),
            articles::title.eq(&new.title),
            articles::subtitle.eq(&new.subtitle),
            articles::summary.eq(&new.summary),
            articles::status.eq(&new.status),
            articles::published_at.eq(new.published_at),
            articles::source.eq(&new.source),
            articles::byline.eq(&new.byline),
            articles::author_id.eq(author_id),
            articles::comments_open.eq(new.comments_open),
            articles::word_count.eq(i32::try_from(words).unwrap_or(i32::MAX)),
            articles::reading_time_minutes.eq(i32::try_from(reading_time).unwrap_or(i32::MAX)),
            articles::created_at.eq(stamps.created_at),
            articles::updated_at.eq(stamps.updated_at),
            articles::version.eq(stamps.version),
            articles::was_public.eq(was_public),
            articles::featured_image_id.eq(new.featured_image_id),
            articles::seo_title.eq(&new.seo.title),
            articles::seo_description.eq(&new.seo.description),
            articles::seo_canonical_url.eq(&new.seo.canonical_url),
            articles::seo_image_id.eq(new.seo.image_id),
            articles::expires_at.eq(new.expires_at),
        ))
        .execute(conn)?;
    diesel::insert_into(article_bodies::table)
        .values((
            article_bodies::article_id.eq(stamps.id),
            article_bodies::body.eq(&new.body),
            article_bodies::body_html.eq(crate::render::body_html(&new.body)),
        ))
        .execute(conn)?;
    Ok(())
}
