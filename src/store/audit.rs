//! The audit log. Entries are only ever inserted and read: the table's
//! triggers refuse every UPDATE and DELETE (see its migration).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{PageRequest, now};
use crate::db::schema::{audit_log, users};
use crate::db::{Backend, Conn};
use crate::domain::AuditAction;

/// An entry to write, in the transaction of the action it records.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// The staff account acting, with its display name at the time.
    pub user: Option<(i32, &'a str)>,
    pub action: AuditAction,
    /// What was acted on: `article:42`, `user:7`, …
    pub target: Option<String>,
    pub request_id: Option<&'a str>,
    pub client: Option<&'a str>,
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub user_id: Option<i32>,
    /// The display name the account had when it acted.
    pub user_name: Option<String>,
    pub action: AuditAction,
    pub target: Option<String>,
    pub request_id: Option<String>,
    pub client: Option<String>,
    /// A JSON object, as text.
    pub detail: Option<String>,
}

/// An entry with the name its user goes by now (or went by, when the
/// account is gone).
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub row: AuditRow,
    pub display_name: Option<String>,
}

/// Which entries a list or an export reads.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<i32>,
    pub action: Option<AuditAction>,
    /// At or after.
    pub from: Option<NaiveDateTime>,
    /// At or before.
    pub to: Option<NaiveDateTime>,
}

/// Where a page of entries starts: a page number, or after an entry (in
/// the newest-first order, so an older one).
#[derive(Debug, Clone, Copy)]
pub enum AuditPage {
    Offset(PageRequest),
    Before {
        per_page: i64,
        at: NaiveDateTime,
        id: i32,
    },
}

/// Writes one entry; call inside the write transaction of what it records.
pub fn record(conn: &mut Conn, entry: &NewEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::user_id.eq(entry.user.map(|(id, _)| id)),
            audit_log::user_name.eq(entry.user.map(|(_, name)| name)),
            audit_log::action.eq(entry.action),
            audit_log::target.eq(&entry.target),
            audit_log::request_id.eq(entry.request_id),
            audit_log::client.eq(entry.client),
            audit_log::detail.eq(entry.detail.as_ref().map(ToString::to_string)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The entries `filter` keeps, as one query for both the count and the page.
fn filtered(filter: &AuditFilter) -> audit_log::BoxedQuery<'static, Backend> {
    let mut query = audit_log::table.into_boxed();
    if let Some(user_id) = filter.user_id {
        query = query.filter(audit_log::user_id.eq(user_id));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::action.eq(action));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.le(to));
    }
    query
}

/// A page of entries, newest first; the total; and whether more follow.
pub fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    page: AuditPage,
) -> QueryResult<(Vec<AuditRecord>, i64, bool)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let mut query = filtered(filter)
        .select(AuditRow::as_select())
        .order((audit_log::at.desc(), audit_log::id.desc()));
    let per_page = match page {
        AuditPage::Offset(page) => {
            query = query.offset(page.offset());
            page.per_page
        }
        AuditPage::Before { per_page, at, id } => {
            // `at <= ?` bounds the index range; the rest breaks ties.
            query = query.filter(
                audit_log::at
                    .le(at)
                    .and(audit_log::at.lt(at).or(audit_log::id.lt(id))),
            );
            per_page
        }
    };
    let mut rows: Vec<AuditRow> = query.limit(per_page + 1).load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    Ok((with_names(conn, rows)?, total, more))
}

/// Up to `limit` entries that `filter` keeps with an id above `after`,
/// oldest first: the export's batches.
pub fn after(
    conn: &mut Conn,
    filter: &AuditFilter,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<AuditRecord>> {
    let rows = filtered(filter)
        .filter(audit_log::id.gt(after))
        .select(AuditRow::as_select())
        .order(audit_log::id.asc())
        .limit(limit)
        .load(conn)?;
    with_names(conn, rows)
}

/// The rows with their users' current names, in one query.
fn with_names(conn: &mut Conn, rows: Vec<AuditRow>) -> QueryResult<Vec<AuditRecord>> {
    let mut ids: Vec<i32> = rows.iter().filter_map(|row| row.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i32, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(&ids))
            .select((users::id, users::display_name))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| AuditRecord {
            display_name: row
                .user_id
                .and_then(|id| names.get(&id).cloned())
                .or_else(|| row.user_name.clone()),
            row,
        })
        .collect())
}
