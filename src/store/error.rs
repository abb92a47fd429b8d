//! What a store function reports when it cannot do what it was asked, in the
//! store's own words: a row that is not there, a unique value that is taken,
//! a value that breaks a rule, a database that is busy. `error::ApiError`
//! turns each into its problem document with one `From`; the store never
//! picks a status code.

use std::error::Error as StdError;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::{postgres, sqlite};

/// The cause of an `Error::Other`, kept whole so that the log shows the chain.
pub type Source = Box<dyn StdError + Send + Sync>;

/// One value that breaks a rule: the field it came in (as the resource
/// names it, `topics[2]` for an item of a list) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub message: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row a key names does not exist, or is not visible to the caller.
    #[error("not found: {0}")]
    NotFound(String),
    /// A value that must be unique is taken. `field` is what its constraint
    /// guards (the column of a unique index, e.g. `slug`).
    #[error("{field} is taken: {message}")]
    Taken { field: String, message: String },
    /// A reference to a row that does not exist (a foreign key refused it).
    #[error("{field} refers to a row that does not exist")]
    InvalidReference { field: String },
    /// The row is in a state that forbids this change (the last admin, an
    /// image in use, a correction already on the record).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Values that break a rule checked against stored data (an unknown tag,
    /// a schedule in the past); every one of them, not only the first.
    #[error("invalid: {0:?}")]
    Invalid(Vec<Violation>),
    /// The caller may not do this to this row (a closed comment thread).
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// The database stayed locked longer than we wait; worth retrying.
    #[error("the database is busy")]
    Busy(#[source] DieselError),
    /// Anything else: a bug or a broken environment.
    #[error("{context}")]
    Other {
        context: String,
        #[source]
        source: Source,
    },
}

impl Error {
    /// One value that breaks a rule.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(vec![Violation::new(field, message)])
    }

    /// A unique value that is taken.
    pub fn taken(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Taken {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A failure the caller cannot act on, with what we were doing.
    pub fn other(context: impl Into<String>, source: impl Into<Source>) -> Error {
        Error::Other {
            context: context.into(),
            source: source.into(),
        }
    }

    /// A state the code believes impossible (a row vanishing inside its own
    /// transaction): a bug, reported as one.
    pub fn broken(what: impl Into<String>) -> Error {
        let what = what.into();
        Error::other(what.clone(), what)
    }
}

/// Database errors in the store's words. Which constraint failed is read
/// from the backend's message (`sqlite` knows how SQLite writes it).
impl From<DieselError> for Error {
    fn from(error: DieselError) -> Error {
        match &error {
            DieselError::NotFound => Error::NotFound("The resource does not exist.".to_owned()),
            DieselError::DatabaseError(kind, info) => {
                let message = info.message();
                match kind {
                    DatabaseErrorKind::UniqueViolation => Error::taken(
                        sqlite::unique_column(message)
                            .or_else(|| info.details().and_then(postgres::unique_column))
                            .unwrap_or("value"),
                        "is already in use",
                    ),
                    DatabaseErrorKind::ForeignKeyViolation => Error::InvalidReference {
                        field: "id".to_owned(),
                    },
                    // Validation runs before every write, so reaching a CHECK
                    // means it missed a rule: still the client's input.
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        log::warn!("a constraint caught what validation missed: {message}");
                        Error::invalid("body", "contains a value the database refuses")
                    }
                    DatabaseErrorKind::SerializationFailure => Error::Busy(error),
                    // PostgreSQL's text cannot hold U+0000 (SQLite's can):
                    // no stored value has one, so the input is at fault.
                    _ if postgres::is_nul_in_text(message) => Error::invalid(
                        "body",
                        "contains a NUL character (U+0000), which text may not hold",
                    ),
                    _ if sqlite::is_busy(message) || postgres::is_busy(message) => {
                        Error::Busy(error)
                    }
                    _ => Error::other("database error", error),
                }
            }
            _ => Error::other("database error", error),
        }
    }
}

/// The whole chain of an error, outermost first: `a: b: c`.
pub fn chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let said = inner.to_string();
        // thiserror's transparent wrappers repeat their source's words.
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_cause_once() {
        let io = std::io::Error::other("disk full");
        let error = Error::other("cannot write a revision", io);
        assert_eq!(chain(&error), "cannot write a revision: disk full");
        let broken = Error::broken("topic vanished while loading");
        assert_eq!(chain(&broken), "topic vanished while loading");
    }
}
