//! Checks shared by the request types: each turns a raw value into a valid
//! one or records a field error, so that a request hears about every bad
//! field at once.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::FieldErrors;
use crate::slug;

/// Length in characters, as a person counts them.
fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Unicode's non-characters (U+FDD0 to U+FDEF, and the last two code points
/// of every plane, U+FFFE and U+FFFF among them) are for a program's own
/// use and never for interchange: XML 1.0 forbids U+FFFE and U+FFFF, so one
/// of them in a title would make every Atom feed that lists it unreadable.
pub fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// Control characters and non-characters have no place in a one-line field
/// (a title, a name).
fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() || is_noncharacter(c))
}

/// Control characters other than line breaks and tabs, and non-characters,
/// for long text.
pub fn has_control_in_text(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_noncharacter(c))
}

/// The message for a one-line field that holds a forbidden character.
pub const CONTROL_MESSAGE: &str = "must not contain control characters or Unicode non-characters";

/// The message for a long text that holds a forbidden character.
pub const CONTROL_IN_TEXT_MESSAGE: &str = "must not contain control characters other than line \
     breaks and tabs, nor Unicode non-characters";

/// A required one-line text, trimmed, of `min..=max` characters.
pub fn line(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() || chars(value) > max {
        errors.add(field, format!("must be 1 to {max} characters"));
    } else if has_control(value) {
        errors.add(field, CONTROL_MESSAGE);
    }
    value.to_owned()
}

/// An optional one-line text, trimmed; blank counts as absent.
pub fn optional_line(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = value.map(str::trim).filter(|value| !value.is_empty())?;
    if chars(value) > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if has_control(value) {
        errors.add(field, CONTROL_MESSAGE);
    }
    Some(value.to_owned())
}

/// An optional multi-line text, kept as written; blank counts as absent.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = value.filter(|value| !value.trim().is_empty())?;
    if chars(value) > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if has_control_in_text(value) {
        errors.add(field, CONTROL_IN_TEXT_MESSAGE);
    }
    Some(value.to_owned())
}

/// A long text limited in bytes (the article body), kept as written.
pub fn text_bytes(errors: &mut FieldErrors, field: &str, value: &str, max_bytes: usize) -> String {
    if value.len() > max_bytes {
        errors.add(field, format!("must be at most {max_bytes} bytes"));
    } else if has_control_in_text(value) {
        errors.add(field, CONTROL_IN_TEXT_MESSAGE);
    }
    value.to_owned()
}

/// An optional slug given by the client.
pub fn optional_slug(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    value.and_then(|value| errors.check(slug::parse(field, value)))
}

/// A list of slugs naming tags: each checked, duplicates dropped, at most `max`.
pub fn slug_list(
    errors: &mut FieldErrors,
    field: &str,
    values: &[String],
    max: usize,
) -> Vec<String> {
    if values.len() > max {
        errors.add(field, format!("must list at most {max} slugs"));
        return Vec::new();
    }
    let mut slugs: Vec<String> = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        if let Some(slug) = errors.check(slug::parse(&format!("{field}[{index}]"), value))
            && !slugs.contains(&slug)
        {
            slugs.push(slug);
        }
    }
    slugs
}

/// One of `allowed`, or an error listing them.
pub fn one_of(errors: &mut FieldErrors, field: &str, value: &str, allowed: &[&str]) -> String {
    if !allowed.contains(&value) {
        errors.add(field, format!("must be one of: {}", allowed.join(", ")));
    }
    value.to_owned()
}

/// An http or https URL of reasonable length.
pub fn optional_url(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|value| !value.is_empty())?;
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|rest| {
        rest.split(['/', '?', '#'])
            .next()
            .is_some_and(|host| !host.is_empty())
    });
    if !host_ok || value.len() > 2000 || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        errors.add(
            field,
            "must be an http or https URL of at most 2000 characters",
        );
    }
    Some(value.to_owned())
}

/// Years a timestamp may have. Stored timestamps are compared as text in
/// SQL (`2024-05-31 09:00:00`), which orders correctly only for four-digit
/// years: `+10000-01-01` sorts before `2024`, and a schedule for the year
/// 10000 would be public at once.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// The message for a timestamp outside [`YEARS`].
pub const YEAR_MESSAGE: &str = "must be a timestamp in the years 1 to 9999";

/// A time as it is stored: UTC, to the microsecond.
pub fn stored(value: DateTime<Utc>) -> NaiveDateTime {
    use chrono::SubsecRound;
    value.naive_utc().trunc_subsecs(6)
}

/// Is `at` within the years a timestamp may have?
pub fn in_years(at: NaiveDateTime) -> bool {
    use chrono::Datelike;
    YEARS.contains(&at.year())
}

/// A client timestamp (any offset) as stored: UTC, to the microsecond, in
/// the years 1 to 9999.
pub fn timestamp(errors: &mut FieldErrors, field: &str, value: DateTime<Utc>) -> NaiveDateTime {
    let at = stored(value);
    if !in_years(at) {
        errors.add(field, YEAR_MESSAGE);
    }
    at
}

/// A PATCH field that may be absent but not `null` (a title, a slug).
pub fn not_null<T>(errors: &mut FieldErrors, field: &str, value: Option<Option<T>>) -> Option<T> {
    match value {
        Some(None) => {
            errors.add(
                field,
                "cannot be null; leave it out to keep the current value",
            );
            None
        }
        Some(Some(value)) => Some(value),
        None => None,
    }
}
