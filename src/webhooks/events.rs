//! The events that writes record: which types a write causes, their
//! `data` (the resource in its staff shape, as the API serves it) and
//! their `purge` keys (every `Surrogate-Key` whose answers the write
//! changed). Each function is called inside the transaction of the write
//! it reports, right after the store call, so that the event commits or
//! rolls back with it. With no active webhook subscribed, nothing is
//! serialized or stored.

use crate::db::Conn;
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::api::articles::Article;
use crate::api::comments::StaffComment;
use crate::api::entities::Entity;
use crate::api::topics::Topic;
use crate::api::utc;
use crate::domain::{ArticleStatus, CommentStatus};
use crate::error::ApiError;
use crate::store::articles::{self, ArticleRecord, ArticleSummaryRow};
use crate::store::comments::{self, CommentRow};
use crate::store::entities::EntityRecord;
use crate::store::outbox::{self, NewEvent};
use crate::store::topics::TopicRecord;
use crate::store::webhooks::{self as hooks, WebhookRow};
use crate::store::{Key, keys, now};
use crate::urls::PublicUrls;

/// Every event type a webhook can subscribe to (`*` stands for all).
pub const EVENT_TYPES: &[&str] = &[
    "article.created",
    "article.updated",
    "article.published",
    "article.unpublished",
    "article.deleted",
    "comment.created",
    "comment.approved",
    "topic.created",
    "topic.updated",
    "topic.deleted",
    "entity.created",
    "entity.updated",
    "entity.deleted",
    "ping",
];

/// The body of every delivery.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    created_at: chrono::DateTime<chrono::Utc>,
    data: &'a T,
    purge: &'a [String],
}

/// The active webhooks, read once per write.
struct Subscribers(Vec<WebhookRow>);

impl Subscribers {
    fn load(conn: &mut Conn) -> Result<Subscribers, ApiError> {
        Ok(Subscribers(hooks::active(conn)?))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records an event for those subscribed to its type.
    fn record<T: Serialize>(
        &self,
        conn: &mut Conn,
        event_type: &str,
        data: &T,
        purge: &[String],
    ) -> Result<(), ApiError> {
        let ids: Vec<i32> = self
            .0
            .iter()
            .filter(|hook| hook.wants(event_type))
            .map(|hook| hook.id)
            .collect();
        if !ids.is_empty() {
            store_event(conn, &ids, event_type, data, purge)?;
        }
        Ok(())
    }
}

/// Stores one event with a delivery to each of `webhook_ids`; returns the
/// deliveries' ids.
fn store_event<T: Serialize>(
    conn: &mut Conn,
    webhook_ids: &[i32],
    event_type: &str,
    data: &T,
    purge: &[String],
) -> Result<Vec<i32>, ApiError> {
    let id = super::sign::new_event_id();
    let created_at = now();
    super::queued();
    let payload = serde_json::to_string(&Envelope {
        id: &id,
        event_type,
        created_at: utc(created_at),
        data,
        purge,
    })
    .map_err(|err| ApiError::internal("cannot serialize an event", err))?;
    Ok(outbox::insert(
        conn,
        &NewEvent {
            id: &id,
            event_type,
            payload: &payload,
            created_at,
        },
        webhook_ids,
    )?)
}

/// The keys in order, each once.
fn unique(keys: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    keys.into_iter()
        .filter(|key| seen.insert(key.clone()))
        .collect()
}

fn is_public(row: &ArticleSummaryRow, now: NaiveDateTime) -> bool {
    row.effective_status(now) == ArticleStatus::Published
}

/// The keys of what a public article shows in: its page, its author, its
/// tags and their kinds.
fn shown_in(record: &ArticleRecord) -> Vec<String> {
    let mut keys = record.summary.keys();
    keys.extend(
        record
            .summary
            .entities
            .iter()
            .map(|entity| keys::kind(entity.kind)),
    );
    keys
}

/// Whether subscribers were last told that the article is public, given
/// how it was (`before`) and the events it was owed: none while its
/// `article.published` is still owed, and still so while an expiry has
/// passed but its `article.unpublished` is owed.
fn announced_public(
    before: Option<&ArticleRecord>,
    owed_publication: Option<NaiveDateTime>,
    owed_unpublication: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    owed_publication.is_none()
        && before.is_some_and(|before| {
            is_public(&before.summary.row, now) || owed_unpublication.is_some_and(|at| at <= now)
        })
}

/// What an article write changed: the article's page, its author, and for
/// every version that was public, the lists it was in (by tag and kind,
/// and every other list) and the feeds. `announced` is a version that
/// subscribers were last told is public: its lists count too, even when
/// the clock (an expiry) has since ended its public life, because caches
/// that heard nothing since still show it.
fn article_purge(
    versions: &[&ArticleRecord],
    announced: Option<&ArticleRecord>,
    now: NaiveDateTime,
) -> Vec<String> {
    let mut purge = Vec::new();
    let mut any_public = false;
    for record in versions {
        let was_told_public = announced.is_some_and(|told| std::ptr::eq(told, *record));
        if was_told_public || is_public(&record.summary.row, now) {
            any_public = true;
            purge.extend(shown_in(record));
        } else {
            purge.push(keys::article(record.summary.row.id));
        }
    }
    if any_public {
        purge.push(keys::LIST_ARTICLES.to_owned());
        purge.push(keys::FEED.to_owned());
    }
    unique(purge)
}

/// How a write changed whether the public sees an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publicity {
    /// It became public (or, scheduled and due, was not yet announced).
    Published,
    /// It stopped being public.
    Unpublished,
}

/// An article was created (`before` is `None`) or saved. Records
/// `article.created` or `article.updated`, and `article.published` or
/// `article.unpublished` when it became public or stopped being so. Keeps
/// the `article.published` owed to a scheduled article (see
/// `scheduled_publications`) whether or not anyone subscribes. Returns,
/// for the audit log, the change of visibility that the write itself made
/// (whoever subscribes).
pub fn article_saved(
    conn: &mut Conn,
    urls: &PublicUrls,
    before: Option<&ArticleRecord>,
    after: &ArticleRecord,
) -> Result<Option<Publicity>, ApiError> {
    if before.is_some_and(|before| before.summary.row.version == after.summary.row.version) {
        return Ok(None);
    }
    let now = now();
    let row = &after.summary.row;
    // A scheduled article whose time passed is public but not yet
    // announced while it is still owed its event.
    let owed = outbox::take_publication(conn, row.id)?;
    let owed_expiry = outbox::take_unpublication(conn, row.id)?;
    let was_announced = announced_public(before, owed, owed_expiry, now);
    let now_public = is_public(row, now);
    if row.status == ArticleStatus::Scheduled
        && let Some(at) = row.published_at.filter(|at| *at > now)
    {
        outbox::owe_publication(conn, row.id, at)?;
    }
    if matches!(
        row.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    ) && let Some(at) = row.expires_at.filter(|at| *at > now)
    {
        outbox::owe_unpublication(conn, row.id, at)?;
    }
    let change = publicity(was_announced, now_public);
    // What this write itself changed, for the audit log: the clock's own
    // changes (a scheduled time or an expiry that passed before the write)
    // are not the writer's doing.
    let was_public = before.is_some_and(|before| is_public(&before.summary.row, now));
    let written_change = publicity(was_public, now_public);
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(written_change);
    }
    let versions: Vec<&ArticleRecord> = before.into_iter().chain([after]).collect();
    let purge = article_purge(&versions, before.filter(|_| was_announced), now);
    let data = Article::new(after.clone(), urls);
    let event_type = if before.is_none() {
        "article.created"
    } else {
        "article.updated"
    };
    subscribers.record(conn, event_type, &data, &purge)?;
    match change {
        Some(Publicity::Published) => {
            subscribers.record(conn, "article.published", &data, &purge)?;
        }
        Some(Publicity::Unpublished) => {
            subscribers.record(conn, "article.unpublished", &data, &purge)?;
        }
        None => {}
    }
    Ok(written_change)
}

/// The change from public-or-not `before` to `after`.
fn publicity(before: bool, after: bool) -> Option<Publicity> {
    match (before, after) {
        (false, true) => Some(Publicity::Published),
        (true, false) => Some(Publicity::Unpublished),
        _ => None,
    }
}

/// An article was deleted; `before` is how it was. Records
/// `article.unpublished` when it was public, then `article.deleted`.
pub fn article_deleted(
    conn: &mut Conn,
    urls: &PublicUrls,
    before: &ArticleRecord,
) -> Result<(), ApiError> {
    let now = now();
    let owed = outbox::take_publication(conn, before.summary.row.id)?;
    let owed_expiry = outbox::take_unpublication(conn, before.summary.row.id)?;
    let was_announced = announced_public(Some(before), owed, owed_expiry, now);
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let purge = article_purge(&[before], Some(before).filter(|_| was_announced), now);
    let data = Article::new(before.clone(), urls);
    if was_announced {
        subscribers.record(conn, "article.unpublished", &data, &purge)?;
    }
    subscribers.record(conn, "article.deleted", &data, &purge)
}

/// Records `article.published` for every scheduled article whose time has
/// passed by `now`, and `article.unpublished` for every public article
/// whose expiry has, each once: the owed rows are taken in this
/// transaction. Also marks them published or archived
/// (`articles::settle_clock`). Call inside a write transaction; returns
/// how many were announced.
pub fn announce_due(
    conn: &mut Conn,
    urls: &PublicUrls,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    articles::settle_clock(conn, now)?;
    let due = outbox::take_due_publications(conn, now)?;
    let expiring = outbox::take_due_unpublications(conn, now)?;
    if due.is_empty() && expiring.is_empty() {
        return Ok(0);
    }
    let subscribers = Subscribers::load(conn)?;
    let mut announced = 0;
    // Articles whose time and expiry both passed since the last look were
    // never announced public, so their expiry is not announced either.
    let mut never_announced = std::collections::HashSet::new();
    for id in due {
        let record = match articles::find(conn, &Key::Id(id)) {
            Ok(record) => record,
            // Deleted meanwhile by a path that keeps no books (an import).
            Err(crate::store::Error::NotFound(_)) => continue,
            Err(error) => return Err(error.into()),
        };
        if !is_public(&record.summary.row, now) {
            never_announced.insert(id);
            continue;
        }
        announced += 1;
        if !subscribers.is_empty() {
            let purge = article_purge(&[&record], None, now);
            subscribers.record(
                conn,
                "article.published",
                &Article::new(record, urls),
                &purge,
            )?;
        }
    }
    for id in expiring {
        if never_announced.contains(&id) {
            continue;
        }
        let record = match articles::find(conn, &Key::Id(id)) {
            Ok(record) => record,
            Err(crate::store::Error::NotFound(_)) => continue,
            Err(error) => return Err(error.into()),
        };
        if is_public(&record.summary.row, now) {
            continue;
        }
        announced += 1;
        if !subscribers.is_empty() {
            // Where it was shown while public, which it no longer is.
            let mut purge = shown_in(&record);
            purge.push(keys::LIST_ARTICLES.to_owned());
            purge.push(keys::FEED.to_owned());
            subscribers.record(
                conn,
                "article.unpublished",
                &Article::new(record, urls),
                &unique(purge),
            )?;
        }
    }
    Ok(announced)
}

/// What a comment changed: itself, and when it is shown, its article (the
/// thread and the comment count).
fn comment_purge(conn: &mut Conn, row: &CommentRow) -> Result<Vec<String>, ApiError> {
    let mut purge = vec![keys::comment(row.id)];
    if comments::is_shown(conn, row)? {
        purge.push(keys::article(row.article_id));
    }
    Ok(purge)
}

/// A comment was posted: `comment.created`, and `comment.approved` when it
/// was approved at once (staff, or auto-approval).
pub fn comment_created(conn: &mut Conn, row: &CommentRow) -> Result<(), ApiError> {
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let purge = comment_purge(conn, row)?;
    let data = StaffComment::from(row.clone());
    subscribers.record(conn, "comment.created", &data, &purge)?;
    if row.status == CommentStatus::Approved {
        subscribers.record(conn, "comment.approved", &data, &purge)?;
    }
    Ok(())
}

/// A comment was moderated: `comment.approved` when it became approved.
pub fn comment_moderated(
    conn: &mut Conn,
    before: &CommentRow,
    after: &CommentRow,
) -> Result<(), ApiError> {
    if after.status != CommentStatus::Approved || before.status == CommentStatus::Approved {
        return Ok(());
    }
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let purge = comment_purge(conn, after)?;
    subscribers.record(
        conn,
        "comment.approved",
        &StaffComment::from(after.clone()),
        &purge,
    )
}

/// What a topic write changed: the topic, the topic list, the parents'
/// counts, and when its name or slug changed (or it went), every list and
/// feed that embeds it.
fn topic_purge(before: Option<&TopicRecord>, after: Option<&TopicRecord>) -> Vec<String> {
    let mut purge = Vec::new();
    for record in before.iter().chain(after.iter()) {
        purge.push(keys::topic(record.row.id));
        if let Some(parent) = &record.parent {
            purge.push(keys::topic(parent.id));
        }
    }
    purge.push(keys::LIST_TOPICS.to_owned());
    let embedded_changed = match (before, after) {
        (Some(before), Some(after)) => {
            before.row.name != after.row.name || before.row.slug != after.row.slug
        }
        (Some(_), None) => true,
        _ => false,
    };
    if embedded_changed {
        purge.push(keys::LIST_ARTICLES.to_owned());
        purge.push(keys::FEED.to_owned());
    }
    unique(purge)
}

/// A topic was created (`before` is `None`) or saved.
pub fn topic_saved(
    conn: &mut Conn,
    urls: &PublicUrls,
    before: Option<&TopicRecord>,
    after: &TopicRecord,
) -> Result<(), ApiError> {
    if before.is_some_and(|before| before.row.version == after.row.version) {
        return Ok(());
    }
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let event_type = if before.is_none() {
        "topic.created"
    } else {
        "topic.updated"
    };
    let purge = topic_purge(before, Some(after));
    subscribers.record(conn, event_type, &Topic::new(after.clone(), urls), &purge)
}

/// A topic was deleted; `before` is how it was.
pub fn topic_deleted(
    conn: &mut Conn,
    urls: &PublicUrls,
    before: &TopicRecord,
) -> Result<(), ApiError> {
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let purge = topic_purge(Some(before), None);
    subscribers.record(
        conn,
        "topic.deleted",
        &Topic::new(before.clone(), urls),
        &purge,
    )
}

/// What an entity write changed: the entity, the entity list, and when
/// what articles embed of it changed (or it went), its kinds' lists and
/// every list and feed.
fn entity_purge(before: Option<&EntityRecord>, after: Option<&EntityRecord>) -> Vec<String> {
    let mut purge = Vec::new();
    for record in before.iter().chain(after.iter()) {
        purge.push(keys::entity(record.row.id));
    }
    purge.push(keys::LIST_ENTITIES.to_owned());
    let embedded_changed = match (before, after) {
        (Some(before), Some(after)) => {
            before.row.name != after.row.name
                || before.row.slug != after.row.slug
                || before.row.kind != after.row.kind
        }
        (Some(_), None) => true,
        _ => false,
    };
    if embedded_changed {
        for record in before.iter().chain(after.iter()) {
            purge.push(keys::kind(record.row.kind));
        }
        purge.push(keys::LIST_ARTICLES.to_owned());
        purge.push(keys::FEED.to_owned());
    }
    unique(purge)
}

/// An entity was created (`before` is `None`) or saved.
pub fn entity_saved(
    conn: &mut Conn,
    urls: &PublicUrls,
    before: Option<&EntityRecord>,
    after: &EntityRecord,
) -> Result<(), ApiError> {
    if before.is_some_and(|before| before.row.version == after.row.version) {
        return Ok(());
    }
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let event_type = if before.is_none() {
        "entity.created"
    } else {
        "entity.updated"
    };
    let purge = entity_purge(before, Some(after));
    subscribers.record(conn, event_type, &Entity::new(after.clone(), urls), &purge)
}

/// An entity was deleted; `before` is how it was.
pub fn entity_deleted(
    conn: &mut Conn,
    urls: &PublicUrls,
    before: &EntityRecord,
) -> Result<(), ApiError> {
    let subscribers = Subscribers::load(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let purge = entity_purge(Some(before), None);
    subscribers.record(
        conn,
        "entity.deleted",
        &Entity::new(before.clone(), urls),
        &purge,
    )
}

/// What a `ping` carries.
#[derive(Serialize)]
struct Ping<'a> {
    webhook_id: i32,
    url: &'a str,
    message: &'a str,
}

/// A `ping` to one webhook (whatever it subscribes to); returns the
/// delivery's id.
pub fn ping(conn: &mut Conn, webhook: &WebhookRow) -> Result<i32, ApiError> {
    let data = Ping {
        webhook_id: webhook.id,
        url: &webhook.url,
        message: "A test event from newsdesk: this endpoint receives its webhooks.",
    };
    store_event(conn, &[webhook.id], "ping", &data, &[])?
        .first()
        .copied()
        .ok_or_else(|| ApiError::Internal("a ping was stored without a delivery".into()))
}
