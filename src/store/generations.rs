//! The generation of each dependency key (see `store::keys` and the
//! `generations_per_dependency` migration): what the answer cache compares
//! to tell whether a write has changed what an answer was computed from.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{articles, generations};
use crate::domain::ArticleStatus;

/// The next time the public view moves by the clock alone after `now`: a
/// scheduled article turning public, or one that is not a draft
/// expiring (see `ArticleSummaryRow::is_expired`). Two lookups, in the
/// status index and the expiry index.
pub fn next_turn(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    let publication: Option<NaiveDateTime> = articles::table
        .filter(articles::status.eq(ArticleStatus::Scheduled))
        .filter(articles::published_at.gt(now))
        .select(diesel::dsl::min(articles::published_at))
        .get_result(conn)?;
    // Archived ones too: staff see `expired` turn true at that time.
    let expiry: Option<NaiveDateTime> = articles::table
        .filter(articles::expires_at.gt(now))
        .filter(articles::status.ne(ArticleStatus::Draft))
        .select(diesel::dsl::min(articles::expires_at))
        .get_result(conn)?;
    Ok(match (publication, expiry) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// The current generation of each key (0 for one never bumped), in order.
pub fn current(conn: &mut Conn, keys: &[String]) -> QueryResult<Vec<i64>> {
    let found: HashMap<String, i64> = generations::table
        .filter(generations::key.eq_any(keys))
        .select((generations::key, generations::n))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(keys
        .iter()
        .map(|key| found.get(key).copied().unwrap_or(0))
        .collect())
}
