//! The FTS5 index of articles (`articles_fts`, over the
//! `article_search_documents` view), and a reader's search as an FTS5 query.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use crate::db::schema::{articles, articles_fts};
use crate::store::search::SearchQuery;

diesel::infix_operator!(Matches, " MATCH ", backend: Sqlite);

/// Articles joined to their index entries, boxed: what a search lists from.
pub type Searched = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoinOn<
        articles::table,
        articles_fts::table,
        diesel::dsl::Eq<articles_fts::rowid, articles::id>,
    >,
    Sqlite,
>;

/// The articles `query` finds, joined to the index so that a page can be
/// ordered by `rank`.
pub fn searched(query: &SearchQuery) -> Searched {
    articles::table
        .inner_join(articles_fts::table.on(articles_fts::rowid.eq(articles::id)))
        .into_boxed()
        .filter(Matches::new(
            articles_fts::whole,
            fts_query(query).into_sql::<Text>(),
        ))
}

/// How well an article of `searched` matches: FTS5's bm25, lower is better.
pub use articles_fts::rank;

/// The ids as an SQL list. Only for integers read from the database or
/// parsed as integers, which cannot carry SQL.
fn id_list(ids: &[i32]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Rewrites the index rows of these articles from their current text and
/// tags. Call in the transaction that changed them, so that the index is
/// never out of step with what was committed.
pub fn reindex(conn: &mut SqliteConnection, article_ids: &[i32]) -> QueryResult<()> {
    if article_ids.is_empty() {
        return Ok(());
    }
    for chunk in article_ids.chunks(500) {
        let ids = id_list(chunk);
        diesel::sql_query(format!("DELETE FROM articles_fts WHERE rowid IN ({ids})"))
            .execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO articles_fts (rowid, title, subtitle, summary, body, tags) \
             SELECT id, title, subtitle, summary, body, tags FROM article_search_documents WHERE id IN ({ids})"
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Drops an article from the index.
pub fn forget(conn: &mut SqliteConnection, article_id: i32) -> QueryResult<()> {
    diesel::sql_query(format!(
        "DELETE FROM articles_fts WHERE rowid = {article_id}"
    ))
    .execute(conn)?;
    Ok(())
}

/// The FTS5 query of a search: every term must match (AND), each as a
/// quoted phrase, so that nothing a reader typed is read as FTS5 syntax.
pub fn fts_query(query: &SearchQuery) -> String {
    query
        .terms()
        .iter()
        .map(|words| format!("\"{}\"", words.join(" ")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::fts_query;
    use crate::store::search::SearchQuery;

    fn fts(typed: &str) -> Option<String> {
        SearchQuery::parse(typed).map(|query| fts_query(&query))
    }

    #[test]
    fn words_are_anded_and_phrases_kept() {
        assert_eq!(
            fts("DPRK sanctions").as_deref(),
            Some(r#""dprk" AND "sanctions""#)
        );
        assert_eq!(
            fts(r#""North Korea" G7"#).as_deref(),
            Some(r#""north korea" AND "g7""#)
        );
    }

    #[test]
    fn fts_syntax_is_plain_text() {
        assert_eq!(
            fts("NEAR(a b)").as_deref(),
            Some(r#""near" AND "a" AND "b""#)
        );
        assert_eq!(
            fts("-kim* OR title:x ^y").as_deref(),
            Some(r#""kim" AND "or" AND "title" AND "x" AND "y""#)
        );
        assert_eq!(
            fts(r#"unclosed "quote here"#).as_deref(),
            Some(r#""unclosed" AND "quote here""#)
        );
        assert_eq!(fts(r#"" * - ( ) : ^ ""#), None);
        assert_eq!(fts(""), None);
    }
}
