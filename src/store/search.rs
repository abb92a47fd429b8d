//! The full-text index of articles, and turning what a reader typed into a
//! safe FTS5 query.

use diesel::prelude::*;

use super::id_list;

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

/// The FTS5 query for what a reader typed: every word must match (AND),
/// `"quoted phrases"` match as phrases, and everything else FTS5 would read
/// as syntax (`*`, `-`, `NEAR(`, `:`, `^`, parentheses, stray quotes) is
/// taken as plain text. `None` when no word is left.
pub fn fts_query(typed: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    for (index, part) in typed.split('"').enumerate() {
        // Odd parts sit between quotes: phrases. An unclosed quote just
        // makes the rest a phrase.
        let words = words(part);
        if words.is_empty() {
            continue;
        }
        if index % 2 == 1 {
            terms.push(format!("\"{}\"", words.join(" ")));
        } else {
            terms.extend(words.into_iter().map(|word| format!("\"{word}\"")));
        }
    }
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

/// The letters-and-digits runs of `text`, as the unicode61 tokenizer sees words.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn words_are_anded_and_phrases_kept() {
        assert_eq!(
            fts_query("DPRK sanctions").as_deref(),
            Some(r#""dprk" AND "sanctions""#)
        );
        assert_eq!(
            fts_query(r#""North Korea" G7"#).as_deref(),
            Some(r#""north korea" AND "g7""#)
        );
    }

    #[test]
    fn fts_syntax_is_plain_text() {
        assert_eq!(
            fts_query("NEAR(a b)").as_deref(),
            Some(r#""near" AND "a" AND "b""#)
        );
        assert_eq!(
            fts_query("-kim* OR title:x ^y").as_deref(),
            Some(r#""kim" AND "or" AND "title" AND "x" AND "y""#)
        );
        assert_eq!(
            fts_query(r#"unclosed "quote here"#).as_deref(),
            Some(r#""unclosed" AND "quote here""#)
        );
        assert_eq!(fts_query(r#"" * - ( ) : ^ ""#), None);
        assert_eq!(fts_query(""), None);
    }
}
