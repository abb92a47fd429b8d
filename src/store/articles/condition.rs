//! Pieces of SQL over `articles` kept as values: a condition or an
//! ordering is built once and then applied to whichever query lists the
//! articles (the table alone, or joined to the search index), for the
//! count and for the page alike.

use std::marker::PhantomData;

use chrono::NaiveDateTime;
use diesel::expression::expression_types::NotSelectable;
use diesel::expression::{
    AppearsOnTable, Expression, NonAggregate, SelectableExpression, TypedExpressionType,
    ValidGrouping, is_aggregate,
};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_source::{AppearsInFromClause, Once};
use diesel::sql_types::{Bool, BoolOrNullableBool, Nullable};

use crate::db::Backend;
use crate::db::schema::articles;
use crate::domain::ArticleStatus;

/// SQL of type `ST` that reads only columns of `articles` (and subqueries
/// of its own): valid in any query whose FROM holds `articles` once.
pub struct ArticleSql<ST> {
    fragment: Box<dyn QueryFragment<Backend> + Send>,
    sql_type: PhantomData<ST>,
}

/// A WHERE condition on articles (nullable, as a comparison with a
/// nullable column is).
pub type Condition = ArticleSql<Nullable<Bool>>;

/// An ORDER BY list on articles.
pub type Ordering = ArticleSql<NotSelectable>;

impl Condition {
    /// Diesel checks, here, that `expression` reads only `articles` and is
    /// not an aggregate; the boxed value then fits any listing query.
    pub fn new<E>(expression: E) -> Condition
    where
        E: Expression
            + AppearsOnTable<articles::table>
            + NonAggregate
            + QueryFragment<Backend>
            + Send
            + 'static,
        E::SqlType: BoolOrNullableBool,
    {
        ArticleSql {
            fragment: Box::new(expression),
            sql_type: PhantomData,
        }
    }

    /// This condition or `other`.
    pub fn or(self, other: Condition) -> Condition {
        Condition::new(BoolExpressionMethods::or(self, other))
    }
}

impl Ordering {
    pub fn new<E>(order: E) -> Ordering
    where
        E: AppearsOnTable<articles::table> + QueryFragment<Backend> + Send + 'static,
    {
        ArticleSql {
            fragment: Box::new(order),
            sql_type: PhantomData,
        }
    }
}

impl<ST: TypedExpressionType> Expression for ArticleSql<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Backend> for ArticleSql<ST> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        self.fragment.walk_ast(pass)
    }
}

impl<ST> QueryId for ArticleSql<ST> {
    type QueryId = ();
    // Boxed: its SQL is only known at run time.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> ValidGrouping<()> for ArticleSql<ST> {
    // Only non-aggregates are boxed (see `Condition::new`), and orderings
    // are never grouped.
    type IsAggregate = is_aggregate::No;
}

impl<ST: TypedExpressionType, QS> AppearsOnTable<QS> for ArticleSql<ST> where
    QS: AppearsInFromClause<articles::table, Count = Once>
{
}

impl<ST: TypedExpressionType, QS> SelectableExpression<QS> for ArticleSql<ST> where
    QS: AppearsInFromClause<articles::table, Count = Once>
{
}

/// What the public sees at `now`: published articles, and scheduled ones
/// whose time has come, unless their expiry has passed (no background job
/// flips either; see `settle_due` and `settle_expired`).
pub fn public(now: NaiveDateTime) -> Condition {
    // The expiry test is repeated in each term, so that every term of the
    // OR still starts with a status equality: SQLite can then answer each
    // from the status index (and an author's "public or mine" from the
    // author index too), as it did before expiry.
    let unexpired = || {
        articles::expires_at
            .is_null()
            .or(articles::expires_at.gt(now))
    };
    Condition::new(
        articles::status
            .eq(ArticleStatus::Published)
            .and(unexpired())
            .or(articles::status
                .eq(ArticleStatus::Scheduled)
                .and(articles::published_at.le(now))
                .and(unexpired())),
    )
}

/// Articles still marked published or scheduled whose expiry has passed:
/// withdrawn from the public, not yet marked archived. Few (the expiry
/// index finds them).
pub fn expired(now: NaiveDateTime) -> Condition {
    Condition::new(
        articles::expires_at.le(now).and(
            articles::status
                .eq(ArticleStatus::Published)
                .or(articles::status.eq(ArticleStatus::Scheduled)),
        ),
    )
}

/// Articles marked published whose expiry has passed: in the kept counts
/// of published articles, but no longer public.
pub fn lapsed(now: NaiveDateTime) -> Condition {
    Condition::new(
        articles::expires_at
            .le(now)
            .and(articles::status.eq(ArticleStatus::Published)),
    )
}

/// Scheduled articles whose time has come and whose expiry has not: public,
/// but not in the kept counts of published articles yet.
pub fn due_unexpired(now: NaiveDateTime) -> Condition {
    Condition::new(
        articles::status
            .eq(ArticleStatus::Scheduled)
            .and(articles::published_at.le(now))
            .and(
                articles::expires_at
                    .is_null()
                    .or(articles::expires_at.gt(now)),
            ),
    )
}

/// Scheduled articles still waiting for their time.
pub fn pending(now: NaiveDateTime) -> Condition {
    Condition::new(
        articles::status
            .eq(ArticleStatus::Scheduled)
            .and(articles::published_at.gt(now)),
    )
}

/// `public`, for queries that walk another index (the primary key): the
/// same test, with its status terms written as an expression (`status ||
/// ''`), which keeps a term from being answered by an index. Without it
/// SQLite answers the OR from the status index (a MULTI-INDEX OR reading
/// every public row) and sorts the result: measured at 100,000 articles,
/// 36 ms for the newest public id against 0.06 ms walking the primary
/// key, and 60 ms against 15 ms for a sitemap's range of 50,000 ids.
/// (SQLite's own idiom is a unary `+`, which PostgreSQL does not have
/// for text; the concatenation means the same to both.)
pub fn public_off_index(now: NaiveDateTime) -> Condition {
    Condition::new(
        diesel::dsl::sql::<Nullable<Bool>>(
            "(((articles.status || '') = 'published' OR ((articles.status || '') = 'scheduled' AND articles.published_at <= ",
        )
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .sql(")) AND (articles.expires_at IS NULL OR articles.expires_at > ")
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .sql("))"),
    )
}
