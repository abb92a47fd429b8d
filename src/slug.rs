//! Slugs: the URL names of articles, topics and entities.
//! `^[a-z0-9]+(?:-[a-z0-9]+)*$`, 1 to 120 characters, with at least one
//! letter (a number in a path is an id). `PATTERN` says the same for the
//! OpenAPI spec, so that clients and fuzzers know the rule exactly.

use crate::error::FieldError;

pub const MAX_LEN: usize = 120;

/// The rule as a regular expression: digit-only words, then a word with a
/// letter, then any words.
pub const PATTERN: &str = "^(?:[0-9]+-)*[0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$";

/// True when `slug` has the contract's shape.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_LEN
        && slug.bytes().any(|b| b.is_ascii_lowercase())
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Checks a slug given by a client.
pub fn parse(field: &str, slug: &str) -> Result<String, FieldError> {
    if is_valid(slug) {
        Ok(slug.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "must be 1-120 lower-case letters, digits and single hyphens, with at least one letter",
        ))
    }
}

/// Makes a slug from a title or name: transliterated to ASCII ("São Paulo" →
/// "sao-paulo"), runs of anything else turned into one hyphen, cut at a word
/// boundary to leave room for a "-N" suffix. `fallback` is used when nothing
/// is left, and prefixed when only digits are ("1984" → "article-1984").
pub fn slugify(text: &str, fallback: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    // 110 leaves room for "-" and a large counter within MAX_LEN.
    let mut slug = String::new();
    for word in words {
        let extra = if slug.is_empty() {
            word.len()
        } else {
            word.len() + 1
        };
        if slug.len() + extra > 110 {
            if slug.is_empty() {
                slug.push_str(&word[..110]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        fallback.to_owned()
    } else if !slug.bytes().any(|b| b.is_ascii_lowercase()) {
        format!("{fallback}-{slug}")
    } else {
        slug
    }
}

/// The first of `base`, `base-2`, `base-3`… that is not in `taken`.
pub fn first_free(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|slug| slug == base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.iter().any(|slug| slug == candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_transliterates_and_collapses_punctuation() {
        assert_eq!(
            slugify("North Korea, Russia & the G7!", "x"),
            "north-korea-russia-the-g7"
        );
        assert_eq!(slugify("São Paulo — Zürich", "x"), "sao-paulo-zurich");
    }

    #[test]
    fn slugify_never_returns_an_empty_or_numeric_slug() {
        assert_eq!(slugify("!!!", "article"), "article");
        assert_eq!(slugify("1984", "article"), "article-1984");
        assert_eq!(slugify("2024 - 25", "article"), "article-2024-25");
        assert!(is_valid(&slugify(&"word ".repeat(100), "x")));
        assert!(is_valid(&slugify(&"a".repeat(500), "x")));
    }

    #[test]
    fn validity_follows_the_contract_pattern() {
        assert!(is_valid("north-korea"));
        assert!(is_valid("g7"));
        assert!(!is_valid("123"));
        assert!(!is_valid("1-2"));
        assert!(is_valid("1-a"));
        assert!(!is_valid("North-Korea"));
        assert!(!is_valid("a--b"));
        assert!(!is_valid("-a"));
        assert!(!is_valid(""));
        assert!(!is_valid(&"a".repeat(121)));
    }

    #[test]
    fn first_free_counts_from_two() {
        let taken = vec!["news".to_owned(), "news-2".to_owned()];
        assert_eq!(first_free("news", &taken), "news-3");
        assert_eq!(first_free("other", &taken), "other");
    }
}
