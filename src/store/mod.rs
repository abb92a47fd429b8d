//! SQL, and nothing else: plain synchronous functions over a
//! `&mut db::Conn`, one file per resource. They never see HTTP.

pub mod articles;
pub mod audit;
pub mod authors;
pub mod comments;
pub mod corrections;
pub mod counts;
pub mod entities;
pub mod error;
pub mod generations;
pub mod keys;
pub mod media;
pub mod old_slugs;
pub mod outbox;
pub mod previews;
pub mod revisions;
pub mod search;
pub mod sign_in_attempts;
pub mod topics;
pub mod transfer;
pub mod users;
pub mod webhooks;

pub use error::Error;

use chrono::{NaiveDateTime, SubsecRound, Utc};

/// How a path names a resource: a number is an id, anything else a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(i32),
    Slug(String),
}

impl Key {
    /// Reads the `{id_or_slug}` path segment. A number too big to be an id
    /// cannot name anything; it becomes an id that matches nothing.
    pub fn parse(segment: &str) -> Key {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            Key::Id(segment.parse().unwrap_or(0))
        } else {
            Key::Slug(segment.to_owned())
        }
    }

    /// The key as text, for caches: `id:7` or `slug:north-korea`.
    pub fn stable_key(&self) -> String {
        match self {
            Key::Id(id) => format!("id:{id}"),
            Key::Slug(slug) => format!("slug:{slug}"),
        }
    }
}

/// Which slice of a list to read, already validated.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

/// The current time as stored: UTC, to the millisecond.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(3)
}

/// A LIKE pattern matching values that start with `prefix` (ignoring ASCII
/// case, as SQLite's LIKE does); `%`, `_` and `\\` in it match themselves.
/// Use with `.escape('\\')`.
pub fn prefix_pattern(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The slug to store: the one given (409 when another row has it), or one
/// made from `name` and made unique with `-2`, `-3`… `similar(base)` lists
/// the other rows' slugs equal to `base` or starting with `base-`.
fn choose_slug(
    given: Option<&str>,
    name: &str,
    what: &str,
    similar: impl FnOnce(&str) -> diesel::QueryResult<Vec<String>>,
) -> Result<String, Error> {
    match given {
        Some(slug) => {
            if similar(slug)?.iter().any(|taken| taken == slug) {
                return Err(Error::taken(
                    "slug",
                    format!("is already used by another {what}: {slug}"),
                ));
            }
            Ok(slug.to_owned())
        }
        None => {
            let base = crate::slug::slugify(name, what);
            let taken = similar(&base)?;
            Ok(crate::slug::first_free(&base, &taken))
        }
    }
}
