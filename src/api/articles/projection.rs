//! `fields=`: an article, or each item of a list, with only the top-level
//! fields asked for. The store is told which related rows to load (a list
//! asking for `id,slug,title` reads no tags, corrections or authors), and
//! the cache key and the ETag follow the representation.

use serde::Serialize;

use crate::error::{ApiError, FieldErrors};
use crate::store::articles::Parts;

/// The top-level fields of a listed article, in the order they are served.
pub const LIST_FIELDS: &[&str] = &[
    "id",
    "slug",
    "title",
    "subtitle",
    "summary",
    "status",
    "published_at",
    "source",
    "byline",
    "author",
    "topics",
    "entities",
    "featured_image",
    "seo",
    "comments_open",
    "comment_count",
    "word_count",
    "reading_time_minutes",
    "created_at",
    "updated_at",
    "version",
    "url",
    "corrections",
    "expires_at",
    "expired",
    "rank",
];

/// The top-level fields of a whole article.
pub const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "slug",
    "title",
    "subtitle",
    "summary",
    "status",
    "published_at",
    "source",
    "byline",
    "author",
    "topics",
    "entities",
    "featured_image",
    "seo",
    "comments_open",
    "comment_count",
    "word_count",
    "reading_time_minutes",
    "created_at",
    "updated_at",
    "version",
    "url",
    "corrections",
    "expires_at",
    "expired",
    "body",
    "body_html",
];

/// At most this many names (more than every field there is).
const NAMES_MAX: usize = 50;

/// The fields asked for, each once, in the order of `known`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    names: Vec<&'static str>,
}

impl Projection {
    /// Reads `fields=` (comma-separated top-level field names): `None`
    /// when absent (the whole representation); a 422 naming every unknown
    /// name, or for an empty list.
    pub fn parse(
        value: Option<&str>,
        known: &'static [&'static str],
    ) -> Result<Option<Projection>, ApiError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let mut errors = FieldErrors::new();
        let asked: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect();
        if asked.is_empty() {
            errors.add("fields", "must name at least one field, e.g. id,slug,title");
        } else if asked.len() > NAMES_MAX {
            errors.add("fields", format!("must name at most {NAMES_MAX} fields"));
        } else {
            let unknown: Vec<&str> = asked
                .iter()
                .copied()
                .filter(|name| !known.contains(name))
                .collect();
            if !unknown.is_empty() {
                let shown: Vec<String> = unknown
                    .iter()
                    .map(|name| name.chars().take(40).collect::<String>())
                    .collect();
                errors.add(
                    "fields",
                    format!(
                        "unknown field(s): {}; known: {}",
                        shown.join(", "),
                        known.join(", ")
                    ),
                );
            }
        }
        errors.finish()?;
        let names = known
            .iter()
            .copied()
            .filter(|name| asked.contains(name))
            .collect();
        Ok(Some(Projection { names }))
    }

    /// Which related rows the fields need.
    pub fn parts(&self) -> Parts {
        Parts {
            author: self.has("author"),
            topics: self.has("topics"),
            entities: self.has("entities"),
            corrections: self.has("corrections"),
            images: self.has("featured_image") || self.has("seo"),
        }
    }

    fn has(&self, name: &str) -> bool {
        self.names.contains(&name)
    }

    /// The fields as text, for cache keys: `fields=id,slug,title`.
    pub fn stable_key(&self) -> String {
        format!("fields={}", self.names.join(","))
    }

    /// `value` (a JSON object) with only the fields asked for.
    pub fn apply<T: Serialize>(&self, value: &T) -> Result<serde_json::Value, ApiError> {
        let mut value =
            serde_json::to_value(value).map_err(|err| ApiError::Internal(err.into()))?;
        if let serde_json::Value::Object(map) = &mut value {
            map.retain(|name, _| self.has(name));
        }
        Ok(value)
    }
}

/// The parts a projection needs, or every part without one.
pub fn parts(projection: Option<&Projection>) -> Parts {
    projection.map_or(Parts::ALL, Projection::parts)
}

/// The cache-key suffix of a representation: empty for the whole one.
pub fn key(projection: Option<&Projection>) -> String {
    projection.map_or_else(String::new, |projection| {
        format!("|{}", projection.stable_key())
    })
}
