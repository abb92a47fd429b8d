//! The FTS5 index of articles (`articles_fts`, over the
//! `article_search_documents` view), and a reader's search as an FTS5 query.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use crate::db::schema::{articles, articles_fts};
use crate::store::search::{SearchQuery, SearchTier};

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

/// The articles of `query` in `tier`, joined to the index, whose rowid
/// (the article id) orders them: newest first is `rowid DESC`, which FTS5
/// reads in order and stops after a page.
/// `before`: only articles older (of lower id) than this one, as a range
/// of the index.
pub fn searched_in_tier(query: &SearchQuery, tier: SearchTier, before: Option<i32>) -> Searched {
    let searched = articles::table
        .inner_join(articles_fts::table.on(articles_fts::rowid.eq(articles::id)))
        .into_boxed()
        .filter(Matches::new(
            articles_fts::whole,
            tier_query(query, tier).into_sql::<Text>(),
        ));
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
pub fn tiers_of(
    conn: &mut SqliteConnection,
    query: &SearchQuery,
    ids: &[i32],
) -> QueryResult<Vec<SearchTier>> {
    let mut in_tier = |columns: &str| -> QueryResult<Vec<i32>> {
        articles_fts::table
            .filter(Matches::new(
                articles_fts::whole,
                format!("{columns} : ({})", fts_query(query)).into_sql::<Text>(),
            ))
            .filter(articles_fts::rowid.eq_any(ids))
            .select(articles_fts::rowid)
            .load(conn)
    };
    let title = in_tier(TITLE)?;
    let headline = in_tier(HEADLINE)?;
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

/// The columns of the title tier, and of the headline tier (FTS5 column
/// filters).
const TITLE: &str = "{title}";
const HEADLINE: &str = "{title subtitle summary tags}";

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
