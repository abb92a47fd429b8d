//! What a reader's search asks for, whatever index answers it, and keeping
//! that index in step with the articles.

use diesel::QueryResult;

use crate::db::{self, Conn};
use crate::store::Error;

/// A search as typed, read into terms: every term must match (AND), and a
/// term is one word or a `"quoted phrase"` of several. Everything else a
/// search engine would read as syntax (`*`, `-`, `NEAR(`, `:`, `^`,
/// parentheses, stray quotes) is taken as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    terms: Vec<Vec<String>>,
}

impl SearchQuery {
    /// The terms of what a reader typed; `None` when no word is left.
    pub fn parse(typed: &str) -> Option<SearchQuery> {
        let mut terms = Vec::new();
        for (index, part) in typed.split('"').enumerate() {
            let words = words(part);
            if words.is_empty() {
                continue;
            }
            // Odd parts sit between quotes: phrases. An unclosed quote just
            // makes the rest a phrase.
            if index % 2 == 1 {
                terms.push(words);
            } else {
                terms.extend(words.into_iter().map(|word| vec![word]));
            }
        }
        (!terms.is_empty()).then_some(SearchQuery { terms })
    }

    /// Each term as its words, lowercase.
    pub fn terms(&self) -> &[Vec<String>] {
        &self.terms
    }
}

/// The letters-and-digits runs of `text`, lowercase: the words as the
/// index's tokenizer sees them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How well an article matches a search, best first, as WordPress's
/// search orders them: every term in the title; else every term in the
/// title, subtitle, summary or tags (topic and entity names and aliases);
/// else anywhere (the body). Within a tier the newest come first. Each
/// tier is a range of the index read in order, so a page costs what it
/// shows, however many articles match (bm25 ranked every match first: 50
/// ms and more for a common word at 100,000 articles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SearchTier {
    Title,
    Headline,
    Body,
}

impl SearchTier {
    /// Best first.
    pub const ALL: [SearchTier; 3] = [SearchTier::Title, SearchTier::Headline, SearchTier::Body];

    /// The `rank` readers see: higher is better.
    pub fn score(self) -> f64 {
        match self {
            SearchTier::Title => 3.0,
            SearchTier::Headline => 2.0,
            SearchTier::Body => 1.0,
        }
    }

    /// The tier whose `score` this is (read back from a cursor).
    pub fn from_score(score: u8) -> Option<SearchTier> {
        SearchTier::ALL
            .into_iter()
            .find(|tier| tier.score() as u8 == score)
    }

    /// This tier and the worse ones, best first.
    pub fn and_below(self) -> impl Iterator<Item = SearchTier> {
        SearchTier::ALL
            .into_iter()
            .filter(move |tier| *tier >= self)
    }
}

/// Rewrites the index entries of these articles from their current text
/// and tags. Call in the transaction that changed them, so that the index
/// is never out of step with what was committed.
pub fn reindex(conn: &mut Conn, article_ids: &[i32]) -> Result<(), Error> {
    Ok(db::search::reindex(conn, article_ids)?)
}

/// Drops an article from the index.
pub fn forget(conn: &mut Conn, article_id: i32) -> QueryResult<()> {
    db::search::forget(conn, article_id)
}
