//! A reader's search as a PostgreSQL tsquery, over the weighted tsvectors
//! that the triggers of migrations/postgres/…_search keep in
//! `article_search`: title A; subtitle and tags B; summary C; body D.
//!
//! The text goes through `to_tsquery('newsdesk_search', …)`, so that the
//! words are folded (unaccent, lowercase) by the same configuration as
//! the documents. Words are letters and digits only (`SearchQuery`), so
//! quoting them is enough to keep every one of them plain text.

use crate::db::search::Scope;
use crate::store::search::{SearchQuery, SearchTier};

/// The weights of the title, and of the headline (title, subtitle, tags,
/// summary).
const TITLE: &str = "A";
const HEADLINE: &str = "ABC";

/// The tsquery text of a search in `scope`: every term must match, a
/// phrase as a phrase (`<->`), each word restricted to `scope`'s weights.
pub fn tsquery_in(query: &SearchQuery, scope: Scope) -> String {
    match scope {
        Scope::All => all_terms(query, ""),
        Scope::Title | Scope::Tier(SearchTier::Title) => all_terms(query, TITLE),
        Scope::Headline => all_terms(query, HEADLINE),
        Scope::Tier(SearchTier::Headline) => format!(
            "({}) & !({})",
            all_terms(query, HEADLINE),
            all_terms(query, TITLE)
        ),
        Scope::Tier(SearchTier::Body) => {
            format!(
                "({}) & !({})",
                all_terms(query, ""),
                all_terms(query, HEADLINE)
            )
        }
    }
}

/// Every term, ANDed; `weights` empty for any weight.
fn all_terms(query: &SearchQuery, weights: &str) -> String {
    let label = if weights.is_empty() {
        String::new()
    } else {
        format!(":{weights}")
    };
    query
        .terms()
        .iter()
        .map(|words| {
            let phrase = words
                .iter()
                .map(|word| format!("'{word}'{label}"))
                .collect::<Vec<_>>()
                .join(" <-> ");
            format!("({phrase})")
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

#[cfg(test)]
mod tests {
    use super::tsquery_in;
    use crate::db::search::Scope;
    use crate::store::search::{SearchQuery, SearchTier};

    fn tsquery(typed: &str, scope: Scope) -> String {
        let Some(query) = SearchQuery::parse(typed) else {
            panic!("a query with words");
        };
        tsquery_in(&query, scope)
    }

    #[test]
    fn words_are_anded_phrases_kept_and_syntax_is_plain_text() {
        assert_eq!(
            tsquery(r#"DPRK "North Korea""#, Scope::All),
            "('dprk') & ('north' <-> 'korea')"
        );
        assert_eq!(
            tsquery("!kim* | x:A & (y", Scope::All),
            "('kim') & ('x') & ('a') & ('y')"
        );
    }

    #[test]
    fn each_tier_leaves_out_the_better_ones() {
        assert_eq!(tsquery("g7", Scope::Tier(SearchTier::Title)), "('g7':A)");
        assert_eq!(
            tsquery("g7", Scope::Tier(SearchTier::Headline)),
            "(('g7':ABC)) & !(('g7':A))"
        );
        assert_eq!(
            tsquery("g7", Scope::Tier(SearchTier::Body)),
            "(('g7')) & !(('g7':ABC))"
        );
    }
}
