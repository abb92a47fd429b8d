//! The search index as queries see it, on either backend: articles joined
//! to `articles_fts` (SQLite's FTS5 table; on PostgreSQL a view over the
//! weighted tsvectors of `article_search`), and `Matches`, the one
//! condition whose SQL differs: FTS5's `MATCH` with a column filter, or
//! `@@` with a weighted tsquery. The rest of a search (joins, filters,
//! order, count) is the same DSL on both.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;

use crate::db::schema::{articles, articles_fts};
use crate::db::{Backend, Conn, postgres, sqlite};
use crate::store::search::{SearchQuery, SearchTier};

/// Which part of each article a search looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere.
    All,
    /// The title.
    Title,
    /// The title, subtitle, summary or tags.
    Headline,
    /// One tier: matches there and not in a better tier.
    Tier(SearchTier),
}

/// `articles_fts` matches `query` in `scope`: the search condition, as
/// each backend writes it.
#[derive(Debug, Clone)]
pub struct Matches {
    /// The FTS5 query (SQLite).
    fts5: String,
    /// The tsquery text for `to_tsquery` (PostgreSQL).
    tsquery: String,
}

impl Matches {
    pub fn new(query: &SearchQuery, scope: Scope) -> Matches {
        Matches {
            fts5: sqlite::search::fts_query_in(query, scope),
            tsquery: postgres::search::tsquery_in(query, scope),
        }
    }
}

impl Expression for Matches {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Matches {}

impl<QS> SelectableExpression<QS> for Matches {}

impl ValidGrouping<()> for Matches {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl QueryId for Matches {
    type QueryId = ();
    // The SQL differs by backend, but one connection has one backend.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Sqlite> for Matches {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("\"articles_fts\" MATCH ");
        out.push_bind_param::<Text, String>(&self.fts5)
    }
}

impl QueryFragment<Pg> for Matches {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("\"articles_fts\".\"articles_fts\" @@ to_tsquery('newsdesk_search', ");
        out.push_bind_param::<Text, String>(&self.tsquery)?;
        out.push_sql(")");
        Ok(())
    }
}

impl QueryFragment<Backend> for Matches {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        Backend::walk_variant_ast(self, pass)
    }
}

/// Articles joined to their index entries, boxed: what a search lists from.
pub type Searched = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoinOn<
        articles::table,
        articles_fts::table,
        diesel::dsl::Eq<articles_fts::rowid, articles::id>,
    >,
    Backend,
>;

fn joined() -> Searched {
    articles::table
        .inner_join(articles_fts::table.on(articles_fts::rowid.eq(articles::id)))
        .into_boxed()
}

/// The articles `query` finds, joined to the index.
pub fn searched(query: &SearchQuery) -> Searched {
    joined().filter(Matches::new(query, Scope::All))
}

/// The articles of `query` in `tier`, joined to the index, whose rowid
/// (the article id) orders them: newest first is `rowid DESC`, which FTS5
/// reads in order and stops after a page.
/// `before`: only articles older (of lower id) than this one, as a range
/// of the index.
pub fn searched_in_tier(query: &SearchQuery, tier: SearchTier, before: Option<i32>) -> Searched {
    let searched = joined().filter(Matches::new(query, Scope::Tier(tier)));
    match before {
        Some(id) => searched.filter(articles_fts::rowid.lt(id)),
        None => searched,
    }
}

/// The order of a tier: newest (highest id) first.
pub fn tier_order() -> diesel::dsl::Desc<articles_fts::rowid> {
    articles_fts::rowid.desc()
}

/// Which of `ids` are in the title and headline tiers of `query` (the
/// rest matched in the body): two lookups per id, for the ranks of a page.
pub fn tiers_of(conn: &mut Conn, query: &SearchQuery, ids: &[i32]) -> QueryResult<Vec<SearchTier>> {
    let mut in_scope = |scope: Scope| -> QueryResult<Vec<i32>> {
        articles_fts::table
            .filter(Matches::new(query, scope))
            .filter(articles_fts::rowid.eq_any(ids))
            .select(articles_fts::rowid)
            .load(conn)
    };
    let title = in_scope(Scope::Title)?;
    let headline = in_scope(Scope::Headline)?;
    Ok(ids
        .iter()
        .map(|id| {
            if title.contains(id) {
                SearchTier::Title
            } else if headline.contains(id) {
                SearchTier::Headline
            } else {
                SearchTier::Body
            }
        })
        .collect())
}

/// Rewrites the index rows of these articles from their current text and
/// tags. Call in the transaction that changed them, so that the index is
/// never out of step with what was committed. (PostgreSQL's triggers do
/// it themselves, at commit.)
pub fn reindex(conn: &mut Conn, article_ids: &[i32]) -> QueryResult<()> {
    match conn {
        Conn::Sqlite(_) => sqlite::search::reindex(conn, article_ids),
        Conn::Postgres(_) => Ok(()),
    }
}

/// Drops an article from the index (PostgreSQL's cascades).
pub fn forget(conn: &mut Conn, article_id: i32) -> QueryResult<()> {
    match conn {
        Conn::Sqlite(_) => sqlite::search::forget(conn, article_id),
        Conn::Postgres(_) => Ok(()),
    }
}
