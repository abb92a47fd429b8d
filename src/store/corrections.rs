//! Corrections, clarifications and updates of articles. Until the article
//! has been public they are drafts like the rest of it; from then on they
//! are append-only: a correction of a correction is a new one.
//!
//! Each change moves the article's `updated_at` and `version`, since the
//! article shows its corrections (and its caches and ETags follow the
//! version).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::articles::ArticleSummaryRow;
use super::now;
use crate::db::Conn;
use crate::db::schema::{articles, corrections};
use crate::domain::CorrectionKind;
use crate::store::Error;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = corrections)]
pub struct CorrectionRow {
    pub id: i32,
    pub article_id: i32,
    pub kind: CorrectionKind,
    pub text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a change of a correction sets; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct CorrectionChanges {
    pub kind: Option<CorrectionKind>,
    pub text: Option<String>,
}

/// The corrections of these articles, oldest first: one query per page.
pub fn for_articles(
    conn: &mut Conn,
    article_ids: &[i32],
) -> QueryResult<HashMap<i32, Vec<CorrectionRow>>> {
    let rows: Vec<CorrectionRow> = corrections::table
        .filter(corrections::article_id.eq_any(article_ids))
        .order((corrections::article_id, corrections::id))
        .select(CorrectionRow::as_select())
        .load(conn)?;
    let mut by_article: HashMap<i32, Vec<CorrectionRow>> = HashMap::new();
    for row in rows {
        by_article.entry(row.article_id).or_default().push(row);
    }
    Ok(by_article)
}

/// Adds a correction to `article`; call inside a write transaction.
pub fn create(
    conn: &mut Conn,
    article: &ArticleSummaryRow,
    kind: CorrectionKind,
    text: &str,
) -> Result<CorrectionRow, Error> {
    let now = now();
    let row = diesel::insert_into(corrections::table)
        .values((
            corrections::article_id.eq(article.id),
            corrections::kind.eq(kind),
            corrections::text.eq(text),
            corrections::created_at.eq(now),
            corrections::updated_at.eq(now),
        ))
        .returning(corrections::id)
        .get_result::<i32>(conn)?;
    touch_article(conn, article, now)?;
    find(conn, article.id, row)
}

/// Changes a correction of an article that has not been public yet.
pub fn update(
    conn: &mut Conn,
    article: &ArticleSummaryRow,
    correction_id: i32,
    changes: &CorrectionChanges,
) -> Result<CorrectionRow, Error> {
    let current = find(conn, article.id, correction_id)?;
    refuse_if_public(article)?;
    let kind = changes.kind.unwrap_or(current.kind);
    let text = changes.text.clone().unwrap_or_else(|| current.text.clone());
    if kind == current.kind && text == current.text {
        return Ok(current);
    }
    let now = now();
    diesel::update(corrections::table.find(current.id))
        .set((
            corrections::kind.eq(kind),
            corrections::text.eq(&text),
            corrections::updated_at.eq(now),
        ))
        .execute(conn)?;
    touch_article(conn, article, now)?;
    find(conn, article.id, current.id)
}

/// Removes a correction of an article that has not been public yet.
pub fn delete(
    conn: &mut Conn,
    article: &ArticleSummaryRow,
    correction_id: i32,
) -> Result<(), Error> {
    let current = find(conn, article.id, correction_id)?;
    refuse_if_public(article)?;
    diesel::delete(corrections::table.find(current.id)).execute(conn)?;
    touch_article(conn, article, now())?;
    Ok(())
}

fn find(conn: &mut Conn, article_id: i32, correction_id: i32) -> Result<CorrectionRow, Error> {
    corrections::table
        .filter(corrections::id.eq(correction_id))
        .filter(corrections::article_id.eq(article_id))
        .select(CorrectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("The article has no correction with this id.".to_owned()))
}

fn refuse_if_public(article: &ArticleSummaryRow) -> Result<(), Error> {
    if article.has_been_public(now()) {
        return Err(Error::Conflict(
            "The article has been public, so its corrections are on the record: \
                     publish a new correction instead."
                .to_owned(),
        ));
    }
    Ok(())
}

/// The article shows its corrections, so a change of one is a change of it.
fn touch_article(
    conn: &mut Conn,
    article: &ArticleSummaryRow,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(articles::table.find(article.id))
        .set((
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
            articles::was_public.eq(article.has_been_public(now)),
        ))
        .execute(conn)?;
    Ok(())
}
