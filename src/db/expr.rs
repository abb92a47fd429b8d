//! Expressions that Diesel's `MultiConnection` backend lacks.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;

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
