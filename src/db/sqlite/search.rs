//! The FTS5 index of articles (`articles_fts`, over the
//! `article_search_documents` view), kept by the writing transaction, and a
//! reader's search as an FTS5 query.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::search::Scope;
use crate::store::search::{SearchQuery, SearchTier};

/// The columns of the title tier, and of the headline tier (FTS5 column
/// filters).
const TITLE: &str = "{title}";
const HEADLINE: &str = "{title subtitle summary tags}";

/// The FTS5 query of a search in `scope`.
pub fn fts_query_in(query: &SearchQuery, scope: Scope) -> String {
    match scope {
        Scope::All => fts_query(query),
        Scope::Title => format!("{TITLE} : ({})", fts_query(query)),
        Scope::Headline => format!("{HEADLINE} : ({})", fts_query(query)),
        Scope::Tier(tier) => tier_query(query, tier),
    }
}

/// The FTS5 query of one tier: every term in its columns, and not in a
/// better tier's.
fn tier_query(query: &SearchQuery, tier: SearchTier) -> String {
    let all = fts_query(query);
    match tier {
        SearchTier::Title => format!("{TITLE} : ({all})"),
        SearchTier::Headline => format!("({HEADLINE} : ({all})) NOT ({TITLE} : ({all}))"),
        SearchTier::Body => format!("({all}) NOT ({HEADLINE} : ({all}))"),
    }
}

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
pub fn reindex(conn: &mut Conn, article_ids: &[i32]) -> QueryResult<()> {
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
pub fn forget(conn: &mut Conn, article_id: i32) -> QueryResult<()> {
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
    use super::{fts_query, tier_query};
    use crate::store::search::{SearchQuery, SearchTier};

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

    #[test]
    fn each_tier_leaves_out_the_better_ones() {
        let Some(query) = SearchQuery::parse("DPRK \"North Korea\"") else {
            panic!("a query with words");
        };
        let all = r#""dprk" AND "north korea""#;
        assert_eq!(
            tier_query(&query, SearchTier::Title),
            format!("{{title}} : ({all})")
        );
        assert_eq!(
            tier_query(&query, SearchTier::Headline),
            format!("({{title subtitle summary tags}} : ({all})) NOT ({{title}} : ({all}))")
        );
        assert_eq!(
            tier_query(&query, SearchTier::Body),
            format!("({all}) NOT ({{title subtitle summary tags}} : ({all}))")
        );
    }
}
