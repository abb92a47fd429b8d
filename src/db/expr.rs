//! Expressions that Diesel's `MultiConnection` backend lacks, or whose SQL
//! differs between SQLite and PostgreSQL.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;

use crate::db::Backend;

/// `column IN (subquery)` for a boxed subquery. Diesel's own `eq_any`
/// writes itself through each backend in turn, which a subquery boxed for
/// the multi-backend cannot do; this node writes itself directly.
#[derive(Debug, Clone)]
pub struct InSubquery<C, Q> {
    column: C,
    subquery: Q,
}

/// `column IN (subquery)`.
pub fn in_subquery<C, Q>(column: C, subquery: Q) -> InSubquery<C, Q> {
    InSubquery { column, subquery }
}

impl<C: Expression, Q> Expression for InSubquery<C, Q> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, Q, QS> AppearsOnTable<QS> for InSubquery<C, Q> where
    InSubquery<C, Q>: Expression
{
}

impl<C: SelectableExpression<QS>, Q, QS> SelectableExpression<QS> for InSubquery<C, Q> where
    InSubquery<C, Q>: AppearsOnTable<QS>
{
}

impl<C: ValidGrouping<GB>, Q, GB> ValidGrouping<GB> for InSubquery<C, Q> {
    type IsAggregate = C::IsAggregate;
}

impl<C, Q> QueryId for InSubquery<C, Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, Q> QueryFragment<Backend> for InSubquery<C, Q>
where
    C: QueryFragment<Backend>,
    Q: QueryFragment<Backend>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        self.subquery.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// The traits of a node over one expression `E` whose SQL differs by
/// backend: it is written for SQLite and for PostgreSQL (by hand, below),
/// and dispatched to the right one for the multi-backend.
macro_rules! per_backend_node {
    ($name:ident, $sql_type:ty) => {
        impl<E: Expression> Expression for $name<E> {
            type SqlType = $sql_type;
        }

        impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for $name<E> where $name<E>: Expression {}

        impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for $name<E> where
            $name<E>: AppearsOnTable<QS>
        {
        }

        // Like an SQL literal: valid in any grouping (the database checks
        // the query), so that a list may group by the node itself.
        impl<E, GB> ValidGrouping<GB> for $name<E> {
            type IsAggregate = diesel::expression::is_aggregate::Never;
        }

        impl<E> QueryId for $name<E> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl<E> QueryFragment<Backend> for $name<E>
        where
            E: QueryFragment<Sqlite> + QueryFragment<Pg>,
        {
            fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
                Backend::walk_variant_ast(self, pass)
            }
        }
    };
}

/// `value LIKE prefix%`, ignoring case: SQLite's LIKE ignores ASCII case
/// by itself; PostgreSQL compares `lower()`s, which the `…_nocase`
/// expression indexes answer.
#[derive(Debug, Clone)]
pub struct StartsWithIgnoringCase<E> {
    expr: E,
    pattern: String,
}

per_backend_node!(StartsWithIgnoringCase, Bool);

/// `expr` starts with `prefix` (as typed: `%`, `_` and `\` match
/// themselves), ignoring case.
pub fn starts_with_ignoring_case<E>(expr: E, prefix: &str) -> StartsWithIgnoringCase<E> {
    StartsWithIgnoringCase {
        expr,
        pattern: crate::store::prefix_pattern(prefix),
    }
}

impl<E: QueryFragment<Sqlite>> QueryFragment<Sqlite> for StartsWithIgnoringCase<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(" LIKE ");
        out.push_bind_param::<Text, _>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'");
        Ok(())
    }
}

impl<E: QueryFragment<Pg>> QueryFragment<Pg> for StartsWithIgnoringCase<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("lower(");
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(") LIKE lower(");
        out.push_bind_param::<Text, _>(&self.pattern)?;
        out.push_sql(") ESCAPE '\\'");
        Ok(())
    }
}

/// The `YYYY-MM` of a timestamp.
#[derive(Debug, Clone)]
pub struct YearMonth<E> {
    expr: E,
}

per_backend_node!(YearMonth, Text);

pub fn year_month<E>(expr: E) -> YearMonth<E> {
    YearMonth { expr }
}

impl<E: QueryFragment<Sqlite>> QueryFragment<Sqlite> for YearMonth<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("strftime('%Y-%m', ");
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<E: QueryFragment<Pg>> QueryFragment<Pg> for YearMonth<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("to_char(");
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(", 'YYYY-MM')");
        Ok(())
    }
}
