//! Articles: stories with their tags, workflow status and derived fields.

mod condition;
pub mod facets;
mod list;
mod related;
mod sitemap;

pub use list::{
    ArticleFilter, ArticlePage, EXACT_UP_TO, PageSpec, Resolved, SlugGroups, Sort, SortKey,
    StatusFilter, Total, count, explain, list, page, page_parts,
};
pub use related::{Related, RelatedScore, related};
pub use sitemap::{SitemapRow, published_since, sitemap_page, sitemap_pages};

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::corrections::{self, CorrectionRow};
use super::media::{self, MediaRow};
use super::old_slugs::{self, Owner};
use super::{Key, entities, keys, now, search, topics};
use crate::db::Conn;
use crate::db::schema::{article_bodies, article_entities, article_topics, articles, users};
use crate::domain::ArticleStatus;
use crate::render;
use crate::store::error::{Error, Violation};

/// The built-in "newsroom" user that owns every article until sign-in lands.
pub const NEWSROOM_USER_ID: i32 = 1;

/// Whose unpublished articles a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anonymous readers: public articles only.
    Public,
    /// An author: public articles and their own.
    Owner(i32),
    /// Editors and admins: everything.
    Everyone,
}

impl Audience {
    /// May this reader see `row` at `now`?
    pub fn can_see(self, row: &ArticleSummaryRow, now: NaiveDateTime) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Owner(id) if row.author_id == id => true,
            _ => row.effective_status(now) == ArticleStatus::Published,
        }
    }
}

/// An article row without its body, for lists.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleSummaryRow {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub source: Option<String>,
    pub byline: Option<String>,
    pub author_id: i32,
    pub comments_open: bool,
    pub comment_count: i32,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Public at some time before the last write, if not now.
    pub was_public: bool,
    pub featured_image_id: Option<i32>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub seo_canonical_url: Option<String>,
    pub seo_image_id: Option<i32>,
    /// From this time on the article is no longer public.
    pub expires_at: Option<NaiveDateTime>,
}

/// What search engines and social cards show of an article, when it is
/// not the article's own title, summary and featured image.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
    /// A media id.
    pub image_id: Option<i32>,
}

impl ArticleSummaryRow {
    /// The stored SEO fields.
    pub fn seo(&self) -> Seo {
        Seo {
            title: self.seo_title.clone(),
            description: self.seo_description.clone(),
            canonical_url: self.seo_canonical_url.clone(),
            image_id: self.seo_image_id,
        }
    }
}

impl ArticleSummaryRow {
    /// Whether readers have seen the article: what they saw then (its
    /// slug, its corrections) is kept.
    pub fn has_been_public(&self, now: NaiveDateTime) -> bool {
        self.was_public
            || self.effective_status(now) == ArticleStatus::Published
            || (self.is_expired(now) && self.status != ArticleStatus::Archived)
    }

    /// The status a reader is told: a scheduled article whose time has passed
    /// is published, and a public one whose expiry has passed is archived
    /// (withdrawn from the public), as `settle_expired` then stores it.
    pub fn effective_status(&self, now: NaiveDateTime) -> ArticleStatus {
        if self.is_expired(now) {
            return ArticleStatus::Archived;
        }
        match (self.status, self.published_at) {
            (ArticleStatus::Scheduled, Some(at)) if at <= now => ArticleStatus::Published,
            (status, _) => status,
        }
    }

    /// Has the article's expiry passed by `now`? Only one that was to be
    /// public (or was withdrawn by its expiry) expires; a draft never does.
    pub fn is_expired(&self, now: NaiveDateTime) -> bool {
        self.status != ArticleStatus::Draft && self.expires_at.is_some_and(|at| at <= now)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_bodies)]
pub struct ArticleBody {
    pub body: String,
    pub body_html: String,
}

/// The owner of an article as embedded in it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct AuthorRef {
    pub id: i32,
    pub display_name: String,
    pub slug: Option<String>,
}

/// An article with everything its list item shows.
#[derive(Debug, Clone)]
pub struct ArticleSummary {
    pub row: ArticleSummaryRow,
    pub author: AuthorRef,
    pub topics: Vec<topics::TopicRef>,
    pub entities: Vec<entities::EntityRef>,
    /// Oldest first.
    pub corrections: Vec<CorrectionRow>,
    pub featured_image: Option<MediaRow>,
    pub seo_image: Option<MediaRow>,
}

impl ArticleSummary {
    /// The keys of what this article shows: itself, its author and its tags.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = vec![keys::article(self.row.id), keys::author(self.row.author_id)];
        keys.extend(self.topics.iter().map(|topic| keys::topic(topic.id)));
        keys.extend(self.entities.iter().map(|entity| keys::entity(entity.id)));
        keys
    }
}

/// A whole article: the list item plus its body.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub summary: ArticleSummary,
    pub body: ArticleBody,
}

/// A validated article as created or fully replaced: its whole writable
/// content. It is also what a revision keeps (serialized, see
/// `store::revisions`), and a restore turns it back into a replacement,
/// so a new writable field needs only its line in `NewArticle::of` too.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NewArticle {
    pub slug: Option<String>,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub body: String,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub source: Option<String>,
    pub byline: Option<String>,
    pub topics: Vec<String>,
    pub entities: Vec<String>,
    pub comments_open: bool,
    /// The owner, when not the user who writes it (editors only).
    pub author_id: Option<i32>,
    /// A media id.
    #[serde(default)]
    pub featured_image_id: Option<i32>,
    #[serde(default)]
    pub seo: Seo,
    /// From this time on the article is no longer public.
    #[serde(default)]
    pub expires_at: Option<NaiveDateTime>,
}

/// Validated changes: `None` leaves a field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ArticleChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<Option<String>>,
    pub summary: Option<Option<String>>,
    pub body: Option<String>,
    pub status: Option<ArticleStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub source: Option<Option<String>>,
    pub byline: Option<Option<String>>,
    pub topics: Option<Vec<String>>,
    pub entities: Option<Vec<String>>,
    pub comments_open: Option<bool>,
    /// Reassigns the article to another active user.
    pub author_id: Option<i32>,
    pub featured_image_id: Option<Option<i32>>,
    /// Replaces the whole of it.
    pub seo: Option<Seo>,
    pub expires_at: Option<Option<NaiveDateTime>>,
}

impl NewArticle {
    /// The writable content of a stored article: what a PUT of it would
    /// send back (with its slug and owner).
    pub fn of(record: &ArticleRecord) -> NewArticle {
        let row = &record.summary.row;
        NewArticle {
            slug: Some(row.slug.clone()),
            title: row.title.clone(),
            subtitle: row.subtitle.clone(),
            summary: row.summary.clone(),
            body: record.body.body.clone(),
            status: row.status,
            published_at: row.published_at,
            source: row.source.clone(),
            byline: row.byline.clone(),
            topics: record
                .summary
                .topics
                .iter()
                .map(|t| t.slug.clone())
                .collect(),
            entities: record
                .summary
                .entities
                .iter()
                .map(|e| e.slug.clone())
                .collect(),
            comments_open: row.comments_open,
            author_id: Some(row.author_id),
            featured_image_id: row.featured_image_id,
            seo: row.seo(),
            expires_at: row.expires_at,
        }
    }
}

impl From<NewArticle> for ArticleChanges {
    /// A full replacement is a change of every field.
    fn from(new: NewArticle) -> ArticleChanges {
        ArticleChanges {
            slug: new.slug,
            title: Some(new.title),
            subtitle: Some(new.subtitle),
            summary: Some(new.summary),
            body: Some(new.body),
            status: Some(new.status),
            published_at: Some(new.published_at),
            source: Some(new.source),
            byline: Some(new.byline),
            topics: Some(new.topics),
            entities: Some(new.entities),
            comments_open: Some(new.comments_open),
            author_id: new.author_id,
            featured_image_id: Some(new.featured_image_id),
            seo: Some(new.seo),
            expires_at: Some(new.expires_at),
        }
    }
}

/// Adds authors, topics, entities, corrections and images to a page of
/// rows: five queries at most, whatever the page size (the images' only
/// when some row has one).
fn complete(conn: &mut Conn, rows: Vec<ArticleSummaryRow>) -> Result<Vec<ArticleSummary>, Error> {
    complete_parts(conn, rows, Parts::ALL)
}

/// Which of an article's related rows to load (`fields=` asks for fewer):
/// each one left out is a query not run. What is not loaded stays empty
/// (an author not loaded has an empty display name), so a caller that
/// leaves a part out must not show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub author: bool,
    pub topics: bool,
    pub entities: bool,
    pub corrections: bool,
    /// The featured and social images.
    pub images: bool,
}

impl Parts {
    /// Everything an article's list item shows.
    pub const ALL: Parts = Parts {
        author: true,
        topics: true,
        entities: true,
        corrections: true,
        images: true,
    };
}

/// The rows with the related rows `parts` asks for.
fn complete_parts(
    conn: &mut Conn,
    rows: Vec<ArticleSummaryRow>,
    parts: Parts,
) -> Result<Vec<ArticleSummary>, Error> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let authors: HashMap<i32, AuthorRef> = if parts.author {
        let author_ids: BTreeSet<i32> = rows.iter().map(|row| row.author_id).collect();
        users::table
            .filter(users::id.eq_any(author_ids))
            .select(AuthorRef::as_select())
            .load(conn)?
            .into_iter()
            .map(|author| (author.id, author))
            .collect()
    } else {
        HashMap::new()
    };
    let mut topics = if parts.topics {
        topics::for_articles(conn, &ids)?
    } else {
        HashMap::new()
    };
    let mut entities = if parts.entities {
        entities::for_articles(conn, &ids)?
    } else {
        HashMap::new()
    };
    let mut corrections = if parts.corrections {
        corrections::for_articles(conn, &ids)?
    } else {
        HashMap::new()
    };
    let image_ids: Vec<i32> = if parts.images {
        rows.iter()
            .flat_map(|row| [row.featured_image_id, row.seo_image_id])
            .flatten()
            .collect()
    } else {
        Vec::new()
    };
    let images = media::find_many(conn, &image_ids)?;
    let image = |id: Option<i32>| id.and_then(|id| images.get(&id).cloned());
    rows.into_iter()
        .map(|row| {
            let author = match authors.get(&row.author_id) {
                Some(author) => author.clone(),
                None if !parts.author => AuthorRef {
                    id: row.author_id,
                    display_name: String::new(),
                    slug: None,
                },
                None => {
                    return Err(Error::broken(format!(
                        "article {} has no author row",
                        row.id
                    )));
                }
            };
            Ok(ArticleSummary {
                author,
                topics: topics.remove(&row.id).unwrap_or_default(),
                entities: entities.remove(&row.id).unwrap_or_default(),
                corrections: corrections.remove(&row.id).unwrap_or_default(),
                featured_image: image(row.featured_image_id),
                seo_image: image(row.seo_image_id),
                row,
            })
        })
        .collect()
}

fn find_id(conn: &mut Conn, key: &Key) -> Result<i32, Error> {
    let query = articles::table.select(articles::id).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(articles::id.eq(*id)),
        Key::Slug(slug) => query.filter(articles::slug.eq(slug.clone())),
    };
    query
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("No article has this id or slug.".to_owned()))
}

/// An article's row without its body, whatever its status.
pub fn find_row(conn: &mut Conn, key: &Key) -> Result<ArticleSummaryRow, Error> {
    let id = find_id(conn, key)?;
    Ok(articles::table
        .find(id)
        .select(ArticleSummaryRow::as_select())
        .first(conn)?)
}

/// One whole article, whatever its status.
pub fn find(conn: &mut Conn, key: &Key) -> Result<ArticleRecord, Error> {
    let id = find_id(conn, key)?;
    let (row, body) = articles::table
        .inner_join(article_bodies::table)
        .filter(articles::id.eq(id))
        .select((ArticleSummaryRow::as_select(), ArticleBody::as_select()))
        .first(conn)?;
    let summary = complete(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::broken("article vanished while loading"))?;
    Ok(ArticleRecord { summary, body })
}

/// The topic and entity ids named by the slugs; every unknown slug of
/// both lists is reported in one 422.
fn resolve_tags(
    conn: &mut Conn,
    topic_slugs: &[String],
    entity_slugs: &[String],
) -> Result<(Vec<i32>, Vec<i32>), Error> {
    let topic_ids = topics::ids_for_slugs(conn, "topics", topic_slugs);
    let entity_ids = entities::ids_for_slugs(conn, "entities", entity_slugs);
    match (topic_ids, entity_ids) {
        (Ok(topic_ids), Ok(entity_ids)) => Ok((topic_ids, entity_ids)),
        (Err(Error::Invalid(mut first)), Err(Error::Invalid(second))) => {
            first.extend(second);
            Err(Error::Invalid(first))
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    }
}

/// The slug to store: the one given (409 when taken) or one made from the name.
fn choose_slug(
    conn: &mut Conn,
    given: Option<&str>,
    title: &str,
    except_id: i32,
) -> Result<String, Error> {
    super::choose_slug(given, title, "article", |base| {
        let mut taken: Vec<String> = articles::table
            .select(articles::slug)
            .filter(articles::id.ne(except_id))
            // "base-…" as a range, which the unique index answers (LIKE
            // would scan: it ignores case, the index does not).
            .filter(
                articles::slug.eq(base).or(articles::slug
                    .gt(format!("{base}-"))
                    .and(articles::slug.lt(format!("{base}.")))),
            )
            .load(conn)?;
        taken.extend(old_slugs::similar(conn, Owner::Article, base, except_id)?);
        Ok(taken)
    })
}

/// Workflow rules on the state an article is about to take: a scheduled
/// article needs a future time, a published one gets "now" when it has
/// none, and a published one with a future time is scheduled for it (as
/// WordPress's "future" status), so that it is not public before its time.
/// Returns the status and time to store.
fn settle_publication(
    status: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(ArticleStatus, Option<NaiveDateTime>), Error> {
    use ArticleStatus::{Published, Scheduled};
    match (status, published_at) {
        (Scheduled, None) => Err(Error::invalid(
            "published_at",
            "is required when status is scheduled",
        )),
        (Scheduled, Some(at)) if at <= now => Err(Error::invalid(
            "published_at",
            "must be in the future when status is scheduled",
        )),
        (Published, None) => Ok((Published, Some(now))),
        (Published, Some(at)) if at > now => Ok((Scheduled, Some(at))),
        (status, at) => Ok((status, at)),
    }
}

/// An expiry must come after the publication it ends, and an article
/// cannot be made public (published or scheduled) with an expiry that has
/// already passed: re-publishing an expired article needs its `expires_at`
/// cleared or moved later. 422 naming `expires_at`.
fn check_expiry(
    status: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let Some(expires_at) = expires_at else {
        return Ok(());
    };
    if published_at.is_some_and(|at| expires_at <= at) {
        return Err(Error::invalid("expires_at", "must be after published_at"));
    }
    if matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled) && expires_at <= now {
        return Err(Error::invalid(
            "expires_at",
            "has passed; clear it or move it later to publish the article",
        ));
    }
    Ok(())
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
struct ArticleWrite<'a> {
    slug: &'a str,
    title: &'a str,
    subtitle: Option<&'a str>,
    summary: Option<&'a str>,
    status: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    source: Option<&'a str>,
    byline: Option<&'a str>,
    comments_open: bool,
    word_count: i32,
    reading_time_minutes: i32,
    updated_at: NaiveDateTime,
    featured_image_id: Option<i32>,
    seo_title: Option<&'a str>,
    seo_description: Option<&'a str>,
    seo_canonical_url: Option<&'a str>,
    seo_image_id: Option<i32>,
    expires_at: Option<NaiveDateTime>,
}

/// The images an article names must exist (422 on the field), and one
/// public (or scheduled) with a featured image needs that image's alt
/// text, which readers of screen readers and search engines get instead
/// of the picture (422 on `featured_image`).
fn check_images(
    conn: &mut Conn,
    status: ArticleStatus,
    featured_image_id: Option<i32>,
    seo: &Seo,
) -> Result<(), Error> {
    let wanted: Vec<i32> = [featured_image_id, seo.image_id]
        .into_iter()
        .flatten()
        .collect();
    let found = media::find_many(conn, &wanted)?;
    let mut errors = Vec::new();
    if let Some(id) = featured_image_id {
        match found.get(&id) {
            None => errors.push(Violation::new(
                "featured_image",
                format!("names no media: {id}"),
            )),
            Some(image)
                if matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled)
                    && image.alt.as_deref().is_none_or(|alt| alt.trim().is_empty()) =>
            {
                errors.push(Violation::new(
                    "featured_image",
                    format!(
                        "media {id} has no alt text; give it one (PATCH /media/{id}) before publishing"
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(id) = seo.image_id.filter(|id| !found.contains_key(id)) {
        errors.push(Violation::new("seo.image", format!("names no media: {id}")));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Stores the body and its rendering (they live apart from the article row,
/// so that lists and counts never read them).
fn write_body(conn: &mut Conn, article_id: i32, body: &str, body_html: &str) -> QueryResult<()> {
    crate::db::execute_on_conflict(
        conn,
        diesel::insert_into(article_bodies::table)
            .values((
                article_bodies::article_id.eq(article_id),
                article_bodies::body.eq(body),
                article_bodies::body_html.eq(body_html),
            ))
            .on_conflict(article_bodies::article_id)
            .do_update()
            .set((
                article_bodies::body.eq(body),
                article_bodies::body_html.eq(body_html),
            )),
    )?;
    Ok(())
}

/// The derived columns of a body.
struct Derived {
    body_html: String,
    word_count: i32,
    reading_time_minutes: i32,
}

fn derive(body: &str) -> Derived {
    let words = render::word_count(body);
    Derived {
        body_html: render::body_html(body),
        word_count: i32::try_from(words).unwrap_or(i32::MAX),
        reading_time_minutes: i32::try_from(render::reading_time_minutes(words))
            .unwrap_or(i32::MAX),
    }
}

fn replace_links(
    conn: &mut Conn,
    article_id: i32,
    topic_ids: &[i32],
    entity_ids: &[i32],
) -> QueryResult<()> {
    // A slug named twice is one tag, not a primary-key clash.
    let wanted = |ids: &[i32]| ids.iter().copied().collect::<BTreeSet<i32>>();
    let (topic_ids, entity_ids) = (wanted(topic_ids), wanted(entity_ids));
    // Only the links that change are written, one row per statement: the
    // kept-count triggers ask whether another link of the article still
    // reaches a topic or kind, and PostgreSQL runs row triggers at the end
    // of their statement, when a multi-row DELETE has removed every link
    // (SQLite runs them row by row). Unchanged links cost nothing.
    let linked_topics: BTreeSet<i32> = article_topics::table
        .filter(article_topics::article_id.eq(article_id))
        .select(article_topics::topic_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    for gone in linked_topics.difference(&topic_ids) {
        diesel::delete(article_topics::table.find((article_id, *gone))).execute(conn)?;
    }
    for new in topic_ids.difference(&linked_topics) {
        diesel::insert_into(article_topics::table)
            .values((
                article_topics::article_id.eq(article_id),
                article_topics::topic_id.eq(*new),
            ))
            .execute(conn)?;
    }
    let linked_entities: BTreeSet<i32> = article_entities::table
        .filter(article_entities::article_id.eq(article_id))
        .select(article_entities::entity_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    for gone in linked_entities.difference(&entity_ids) {
        diesel::delete(article_entities::table.find((article_id, *gone))).execute(conn)?;
    }
    for new in entity_ids.difference(&linked_entities) {
        diesel::insert_into(article_entities::table)
            .values((
                article_entities::article_id.eq(article_id),
                article_entities::entity_id.eq(*new),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// 422 unless `author_id` names an active staff account.
fn refuse_unknown_author(conn: &mut Conn, author_id: i32) -> Result<(), Error> {
    match super::users::find_active(conn, author_id)? {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            "author_id",
            "must be the id of an active staff account",
        )),
    }
}

/// Marks `published` the scheduled articles whose time has passed. They are
/// public already (visibility is computed at read time), so no answer
/// changes; but the kept counts hold published articles only, and readers
/// add the due scheduled ones to them, which stay few only if they do not
/// pile up. Every article write settles them, in its own transaction.
pub fn settle_due(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        articles::table
            .filter(articles::status.eq(ArticleStatus::Scheduled))
            .filter(articles::published_at.le(now)),
    )
    .set(articles::status.eq(ArticleStatus::Published))
    .execute(conn)?;
    Ok(())
}

/// Marks `archived` the public (and due scheduled) articles whose expiry
/// has passed. Readers already treat them as archived (`effective_status`,
/// `condition::public`), so no answer changes; but the kept counts then
/// lose them through their triggers, and readers subtract only the few
/// not yet settled. They were public, so what readers saw of them is kept
/// (`was_public`). Every article write settles them, in its own
/// transaction, as the webhook worker does.
pub fn settle_expired(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(articles::table.filter(condition::expired(now)))
        .set((
            articles::status.eq(ArticleStatus::Archived),
            articles::was_public.eq(true),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks articles changed because something they embed changed (a
/// topic's or an entity's name or slug): their version, from which their
/// ETags derive, moves.
pub fn touch(conn: &mut Conn, ids: &[i32]) -> Result<(), Error> {
    diesel::update(articles::table.filter(articles::id.eq_any(ids)))
        .set(articles::version.eq(articles::version + 1))
        .execute(conn)?;
    Ok(())
}

/// How many articles are stored, in any status.
pub fn count_all(conn: &mut Conn) -> Result<i64, Error> {
    Ok(articles::table.count().get_result(conn)?)
}

/// Both settlements of the clock, expiry first (a scheduled article whose
/// time and expiry have both passed goes straight to `archived`).
pub fn settle_clock(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<()> {
    settle_expired(conn, now)?;
    settle_due(conn, now)
}

/// Creates an article owned by `author_id`; call inside a write transaction.
pub fn create(conn: &mut Conn, new: &NewArticle, author_id: i32) -> Result<ArticleRecord, Error> {
    let now = now();
    settle_clock(conn, now)?;
    let (topic_ids, entity_ids) = resolve_tags(conn, &new.topics, &new.entities)?;
    let (status, published_at) = settle_publication(new.status, new.published_at, now)?;
    let slug = choose_slug(conn, new.slug.as_deref(), &new.title, 0)?;
    check_images(conn, status, new.featured_image_id, &new.seo)?;
    check_expiry(status, published_at, new.expires_at, now)?;
    let derived = derive(&new.body);
    let id: i32 = diesel::insert_into(articles::table)
        .values((
            ArticleWrite {
                slug: &slug,
                title: &new.title,
                subtitle: new.subtitle.as_deref(),
                summary: new.summary.as_deref(),
                status,
                published_at,
                source: new.source.as_deref(),
                byline: new.byline.as_deref(),
                comments_open: new.comments_open,
                word_count: derived.word_count,
                reading_time_minutes: derived.reading_time_minutes,
                updated_at: now,
                featured_image_id: new.featured_image_id,
                seo_title: new.seo.title.as_deref(),
                seo_description: new.seo.description.as_deref(),
                seo_canonical_url: new.seo.canonical_url.as_deref(),
                seo_image_id: new.seo.image_id,
                expires_at: new.expires_at,
            },
            articles::author_id.eq(author_id),
            articles::created_at.eq(now),
        ))
        .returning(articles::id)
        .get_result(conn)?;
    write_body(conn, id, &new.body, &derived.body_html)?;
    replace_links(conn, id, &topic_ids, &entity_ids)?;
    search::reindex(conn, &[id])?;
    find(conn, &Key::Id(id))
}

/// Applies `changes` (a PATCH, or a PUT turned into a change of every
/// field); call inside a write transaction. The version and `updated_at`
/// only move when something changed.
///
/// `authorize` sees the article as stored and may refuse (403) before
/// anything changes.
pub fn update<E: From<Error>>(
    conn: &mut Conn,
    key: &Key,
    changes: &ArticleChanges,
    authorize: impl FnOnce(&ArticleRecord) -> Result<(), E>,
) -> Result<ArticleRecord, E> {
    let now = now();
    settle_clock(conn, now).map_err(Error::from)?;
    let current = find(conn, key)?;
    authorize(&current)?;
    Ok(apply_update(conn, changes, current, now)?)
}

/// `update` once `authorize` has accepted the article as it was at `now`.
fn apply_update(
    conn: &mut Conn,
    changes: &ArticleChanges,
    current: ArticleRecord,
    now: NaiveDateTime,
) -> Result<ArticleRecord, Error> {
    let row = &current.summary.row;
    let author_id = changes.author_id.unwrap_or(row.author_id);
    if author_id != row.author_id {
        refuse_unknown_author(conn, author_id)?;
    }
    let current_topics: Vec<i32> = current
        .summary
        .topics
        .iter()
        .map(|topic| topic.id)
        .collect();
    let current_entities: Vec<i32> = current
        .summary
        .entities
        .iter()
        .map(|entity| entity.id)
        .collect();
    let (topic_ids, entity_ids) = match (&changes.topics, &changes.entities) {
        (None, None) => (current_topics.clone(), current_entities.clone()),
        (topics, entities) => {
            let (topic_ids, entity_ids) = resolve_tags(
                conn,
                topics.as_deref().unwrap_or_default(),
                entities.as_deref().unwrap_or_default(),
            )?;
            (
                if topics.is_some() {
                    topic_ids
                } else {
                    current_topics.clone()
                },
                if entities.is_some() {
                    entity_ids
                } else {
                    current_entities.clone()
                },
            )
        }
    };

    let title = changes.title.clone().unwrap_or_else(|| row.title.clone());
    let subtitle = changes
        .subtitle
        .clone()
        .unwrap_or_else(|| row.subtitle.clone());
    let summary = changes
        .summary
        .clone()
        .unwrap_or_else(|| row.summary.clone());
    let body = changes
        .body
        .clone()
        .unwrap_or_else(|| current.body.body.clone());
    let requested_status = changes.status.unwrap_or(row.status);
    let source = changes.source.clone().unwrap_or_else(|| row.source.clone());
    let byline = changes.byline.clone().unwrap_or_else(|| row.byline.clone());
    let comments_open = changes.comments_open.unwrap_or(row.comments_open);
    let requested_at = changes.published_at.unwrap_or(row.published_at);
    // A scheduled article that stays scheduled keeps its (now past) time
    // without tripping the "must be in the future" rule.
    let (status, published_at) =
        if requested_status == row.status && requested_at == row.published_at {
            (requested_status, requested_at)
        } else {
            settle_publication(requested_status, requested_at, now)?
        };
    let slug = match &changes.slug {
        Some(slug) if *slug != row.slug => choose_slug(conn, Some(slug), &title, row.id)?,
        _ => row.slug.clone(),
    };
    let featured_image_id = changes.featured_image_id.unwrap_or(row.featured_image_id);
    let seo = changes.seo.clone().unwrap_or_else(|| row.seo());
    check_images(conn, status, featured_image_id, &seo)?;
    let expires_at = changes.expires_at.unwrap_or(row.expires_at);
    check_expiry(status, published_at, expires_at, now)?;

    let same_set = |a: &[i32], b: &[i32]| {
        a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
    };
    let tags_changed =
        !same_set(&topic_ids, &current_topics) || !same_set(&entity_ids, &current_entities);
    let unchanged = !tags_changed
        && slug == row.slug
        && title == row.title
        && subtitle == row.subtitle
        && summary == row.summary
        && body == current.body.body
        && status == row.status
        && published_at == row.published_at
        && source == row.source
        && byline == row.byline
        && comments_open == row.comments_open
        && author_id == row.author_id
        && featured_image_id == row.featured_image_id
        && seo == row.seo()
        && expires_at == row.expires_at;
    if unchanged {
        return Ok(current);
    }
    // Render once per version of the body, not on every save.
    let derived = if body == current.body.body {
        Derived {
            body_html: current.body.body_html.clone(),
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
        }
    } else {
        derive(&body)
    };
    diesel::update(articles::table.find(row.id))
        .set((
            ArticleWrite {
                slug: &slug,
                title: &title,
                subtitle: subtitle.as_deref(),
                summary: summary.as_deref(),
                status,
                published_at,
                source: source.as_deref(),
                byline: byline.as_deref(),
                comments_open,
                word_count: derived.word_count,
                reading_time_minutes: derived.reading_time_minutes,
                updated_at: now,
                featured_image_id,
                seo_title: seo.title.as_deref(),
                seo_description: seo.description.as_deref(),
                seo_canonical_url: seo.canonical_url.as_deref(),
                seo_image_id: seo.image_id,
                expires_at,
            },
            articles::author_id.eq(author_id),
            articles::version.eq(articles::version + 1),
            articles::was_public.eq(row.has_been_public(now)),
        ))
        .execute(conn)?;
    if body != current.body.body {
        write_body(conn, row.id, &body, &derived.body_html)?;
    }
    // Only a slug readers could have seen has links out there to keep.
    if slug != row.slug && row.has_been_public(now) {
        old_slugs::moved(conn, Owner::Article, row.id, &row.slug, &slug)?;
    }
    if tags_changed {
        replace_links(conn, row.id, &topic_ids, &entity_ids)?;
    }
    let text_changed = title != row.title
        || subtitle != row.subtitle
        || summary != row.summary
        || body != current.body.body;
    if tags_changed || text_changed {
        search::reindex(conn, &[row.id])?;
    }
    find(conn, &Key::Id(row.id))
}

/// Deletes an article with its tags; call inside a write transaction.
/// `authorize` sees it first and may refuse.
pub fn delete<E: From<Error>>(
    conn: &mut Conn,
    key: &Key,
    authorize: impl FnOnce(&ArticleRecord) -> Result<(), E>,
) -> Result<(), E> {
    let current = find(conn, key)?;
    authorize(&current)?;
    Ok(apply_delete(conn, current)?)
}

/// `delete` once its guard has accepted the row.
fn apply_delete(conn: &mut Conn, current: ArticleRecord) -> Result<(), Error> {
    let id = current.summary.row.id;
    diesel::delete(articles::table.find(id)).execute(conn)?;
    old_slugs::forget(conn, Owner::Article, id)?;
    search::forget(conn, id)?;
    Ok(())
}

/// The rendered (sanitised) bodies of `ids`, for feeds: list rows never
/// carry bodies. One query; ids without a body are left out.
pub fn bodies_html(conn: &mut Conn, ids: &[i32]) -> QueryResult<HashMap<i32, String>> {
    let rows: Vec<(i32, String)> = article_bodies::table
        .filter(article_bodies::article_id.eq_any(ids))
        .select((article_bodies::article_id, article_bodies::body_html))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
