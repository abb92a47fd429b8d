//! Readers' comments: threads under articles, and the moderation queue.

use std::collections::HashSet;

use diesel::prelude::*;

use super::articles::{self, ArticleSummaryRow, Audience};
use super::{Key, PageRequest, now};
use crate::db::Conn;
use crate::db::schema::comments;
use crate::domain::{ArticleStatus, CommentStatus};
use crate::store::Error;

/// Replies nest at most this deep (a top-level comment is depth 1).
pub const MAX_DEPTH: i32 = 5;

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i32,
    pub article_id: i32,
    pub parent_id: Option<i32>,
    pub depth: i32,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub user_id: Option<i32>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

/// Who is posting, which decides the status a new comment gets.
#[derive(Debug, Clone, Copy)]
pub enum Poster {
    /// Signed-in staff comment as themselves and are approved at once.
    Staff { user_id: i32, audience: Audience },
    /// A reader: held for moderation unless `auto_approve`, and always held
    /// when the comment looks like spam.
    Reader { auto_approve: bool },
}

/// A validated comment to post.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub parent_id: Option<i32>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
}

/// Validated moderation changes.
#[derive(Debug, Clone, Default)]
pub struct CommentChanges {
    pub status: Option<CommentStatus>,
    pub body: Option<String>,
}

/// Filters of the moderation queue.
#[derive(Debug, Clone, Default)]
pub struct CommentFilter {
    pub status: Option<CommentStatus>,
    pub article: Option<Key>,
}

/// More than this many links holds a comment for moderation.
const MAX_LINKS: usize = 2;

fn link_count(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count()
}

/// The article a reader comments on: it must be public (404 for those who
/// cannot see it, 403 for staff who can) and open to comments (403).
fn open_article(
    conn: &mut Conn,
    key: &Key,
    audience: Audience,
) -> Result<ArticleSummaryRow, Error> {
    let article = articles::find_row(conn, key)?;
    let now = now();
    if article.effective_status(now) != ArticleStatus::Published {
        if audience.can_see(&article, now) {
            return Err(Error::NotAllowed(
                "Only published articles take comments.".to_owned(),
            ));
        }
        return Err(Error::NotFound(
            "No article has this id or slug.".to_owned(),
        ));
    }
    if !article.comments_open {
        return Err(Error::NotAllowed(
            "Comments are closed on this article.".to_owned(),
        ));
    }
    Ok(article)
}

/// Posts a comment on the article `key` names; call inside a write transaction.
pub fn create(
    conn: &mut Conn,
    key: &Key,
    new: &NewComment,
    poster: Poster,
) -> Result<CommentRow, Error> {
    let audience = match poster {
        Poster::Staff { audience, .. } => audience,
        Poster::Reader { .. } => Audience::Public,
    };
    let article = open_article(conn, key, audience)?;
    let depth = match new.parent_id {
        None => 1,
        Some(parent_id) => {
            let parent: Option<CommentRow> = comments::table
                .find(parent_id)
                .select(CommentRow::as_select())
                .first(conn)
                .optional()?;
            // Readers may only answer what they can see: approved comments.
            let parent = parent.filter(|parent| {
                parent.article_id == article.id
                    && (parent.status == CommentStatus::Approved
                        || matches!(poster, Poster::Staff { .. }))
            });
            let parent = parent.ok_or_else(|| {
                Error::invalid(
                    "parent_id",
                    "must be the id of a published comment on the same article",
                )
            })?;
            if parent.depth >= MAX_DEPTH {
                return Err(Error::invalid(
                    "parent_id",
                    format!("replies nest at most {MAX_DEPTH} deep; answer a comment higher up"),
                ));
            }
            parent.depth + 1
        }
    };
    let (status, user_id) = match poster {
        Poster::Staff { user_id, .. } => (CommentStatus::Approved, Some(user_id)),
        Poster::Reader { auto_approve } => {
            let suspicious =
                link_count(&new.body) > MAX_LINKS || email_marked_spam(conn, &new.author_email)?;
            (
                if auto_approve && !suspicious {
                    CommentStatus::Approved
                } else {
                    CommentStatus::Pending
                },
                None,
            )
        }
    };
    let now = now();
    let id: i32 = diesel::insert_into(comments::table)
        .values((
            comments::article_id.eq(article.id),
            comments::parent_id.eq(new.parent_id),
            comments::depth.eq(depth),
            comments::author_name.eq(&new.author_name),
            comments::author_email.eq(&new.author_email),
            comments::author_url.eq(&new.author_url),
            comments::user_id.eq(user_id),
            comments::body.eq(&new.body),
            comments::status.eq(status),
            comments::created_at.eq(now),
            comments::updated_at.eq(now),
        ))
        .returning(comments::id)
        .get_result(conn)?;
    if status == CommentStatus::Approved {
        recount(conn, article.id)?;
    }
    find(conn, id)
}

fn email_marked_spam(conn: &mut Conn, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::author_email.eq(email))
            .filter(comments::status.eq(CommentStatus::Spam)),
    ))
    .get_result(conn)
}

pub fn find(conn: &mut Conn, id: i32) -> Result<CommentRow, Error> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("No comment has this id.".to_owned()))
}

/// The ids of an article's comments that its public thread shows, oldest
/// first: approved ones whose every ancestor is approved too.
///
/// The whole thread's ids, parents and statuses come from one covering
/// index in one query, and the tree is walked here: a recursive SQL query
/// was 80 ms on a 20-comment thread (SQLite would not use the parent index
/// inside the recursion).
fn shown_ids(conn: &mut Conn, article_id: i32) -> QueryResult<Vec<i32>> {
    let all: Vec<(i32, Option<i32>, CommentStatus)> = comments::table
        .filter(comments::article_id.eq(article_id))
        .order((comments::created_at, comments::id))
        .select((comments::id, comments::parent_id, comments::status))
        .load(conn)?;
    // Parents are walked first: a reply is never older than its parent,
    // and when two have one timestamp the parent has the smaller id.
    let mut shown = HashSet::new();
    let mut visible = Vec::new();
    for (id, parent, status) in all {
        if status == CommentStatus::Approved && parent.is_none_or(|parent| shown.contains(&parent))
        {
            shown.insert(id);
            visible.push(id);
        }
    }
    Ok(visible)
}

/// Sets the article's `comment_count` to what its public thread shows;
/// call in the transaction of every write that may change it. (One
/// moderation can hide or show a whole subtree, which row triggers could
/// not follow.)
pub fn recount(conn: &mut Conn, article_id: i32) -> QueryResult<()> {
    use crate::db::schema::articles;
    let shown = i32::try_from(shown_ids(conn, article_id)?.len()).unwrap_or(i32::MAX);
    diesel::update(articles::table.find(article_id))
        .filter(articles::comment_count.ne(shown))
        .set(articles::comment_count.eq(shown))
        .execute(conn)?;
    Ok(())
}

/// Does the public thread show this comment: is it approved, and every
/// comment above it? (At most `MAX_DEPTH - 1` steps up.)
pub fn is_shown(conn: &mut Conn, row: &CommentRow) -> QueryResult<bool> {
    let mut status = row.status;
    let mut parent = row.parent_id;
    while status == CommentStatus::Approved {
        let Some(parent_id) = parent else {
            return Ok(true);
        };
        (parent, status) = comments::table
            .find(parent_id)
            .select((comments::parent_id, comments::status))
            .first(conn)?;
    }
    Ok(false)
}

/// A page of the public thread of an article the reader may see, oldest
/// first, its total and the article's id: approved comments whose every
/// ancestor is approved too, so that no reply hangs under a held or removed
/// comment.
pub fn thread(
    conn: &mut Conn,
    key: &Key,
    audience: Audience,
    page: PageRequest,
) -> Result<(Vec<CommentRow>, i64, i32), Error> {
    let article = articles::find_row(conn, key)?;
    if !audience.can_see(&article, now()) {
        return Err(Error::NotFound(
            "No article has this id or slug.".to_owned(),
        ));
    }
    let visible = shown_ids(conn, article.id)?;
    let total = i64::try_from(visible.len()).unwrap_or(i64::MAX);
    let start = usize::try_from(page.offset())
        .unwrap_or(usize::MAX)
        .min(visible.len());
    let end = start
        .saturating_add(usize::try_from(page.per_page).unwrap_or(0))
        .min(visible.len());
    let rows = comments::table
        .filter(comments::id.eq_any(&visible[start..end]))
        .order((comments::created_at, comments::id))
        .select(CommentRow::as_select())
        .load(conn)?;
    Ok((rows, total, article.id))
}

/// A page of the moderation queue, newest first, and its total.
pub fn list(
    conn: &mut Conn,
    filter: &CommentFilter,
    page: PageRequest,
) -> Result<(Vec<CommentRow>, i64), Error> {
    let article_id = match &filter.article {
        Some(key) => Some(articles::find_row(conn, key)?.id),
        None => None,
    };
    let filtered = || {
        let mut query = comments::table.into_boxed();
        if let Some(status) = &filter.status {
            query = query.filter(comments::status.eq(*status));
        }
        if let Some(article_id) = article_id {
            query = query.filter(comments::article_id.eq(article_id));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .select(CommentRow::as_select())
        .order((comments::created_at.desc(), comments::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// Moderates or edits a comment; call inside a write transaction.
/// `guard` sees the comment as stored and may refuse first.
pub fn update<E: From<Error>>(
    conn: &mut Conn,
    id: i32,
    changes: &CommentChanges,
    guard: impl FnOnce(&CommentRow) -> Result<(), E>,
) -> Result<CommentRow, E> {
    let current = find(conn, id)?;
    guard(&current)?;
    Ok(apply_update(conn, id, changes, current)?)
}

/// `update` once its guard has accepted the row.
fn apply_update(
    conn: &mut Conn,
    id: i32,
    changes: &CommentChanges,
    current: CommentRow,
) -> Result<CommentRow, Error> {
    let status = changes.status.as_ref().unwrap_or(&current.status);
    let body = changes.body.as_ref().unwrap_or(&current.body);
    if *status == current.status && *body == current.body {
        return Ok(current);
    }
    diesel::update(comments::table.find(id))
        .set((
            comments::status.eq(status),
            comments::body.eq(body),
            comments::updated_at.eq(now()),
            comments::version.eq(comments::version + 1),
        ))
        .execute(conn)?;
    if *status != current.status {
        recount(conn, current.article_id)?;
    }
    find(conn, id)
}

/// Deletes a comment and, through the foreign key, all its replies; call
/// inside a write transaction.
/// `guard` sees the comment first and may refuse.
pub fn delete<E: From<Error>>(
    conn: &mut Conn,
    id: i32,
    guard: impl FnOnce(&CommentRow) -> Result<(), E>,
) -> Result<(), E> {
    let current = find(conn, id)?;
    guard(&current)?;
    Ok(apply_delete(conn, id, current)?)
}

/// `delete` once its guard has accepted the row.
fn apply_delete(conn: &mut Conn, id: i32, current: CommentRow) -> Result<(), Error> {
    diesel::delete(comments::table.find(id)).execute(conn)?;
    recount(conn, current.article_id)?;
    Ok(())
}
