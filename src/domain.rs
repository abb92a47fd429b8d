//! The fixed vocabularies of the newsroom: article and comment statuses,
//! entity kinds, staff roles and audited actions. One enum each, shared by the store (which
//! keeps them in text columns) and the API (which reads and writes them as
//! lowercase JSON strings), so that a misspelt status cannot compile.

use std::fmt;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A vocabulary stored as its lowercase name.
pub trait Named: Sized + Copy + 'static {
    /// Every value, in the order the API documents them.
    const ALL: &'static [Self];

    /// The name stored and sent.
    fn name(self) -> &'static str;

    /// The value of a stored or sent name.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.name() == name)
    }
}

/// Where an article is in the workflow.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum ArticleStatus {
    /// Being written; not public.
    Draft,
    /// Public by itself once `published_at` has passed (then reported as
    /// `published`).
    Scheduled,
    /// Public.
    Published,
    /// Withdrawn from the public.
    Archived,
}

impl Named for ArticleStatus {
    const ALL: &'static [Self] = &[
        ArticleStatus::Draft,
        ArticleStatus::Scheduled,
        ArticleStatus::Published,
        ArticleStatus::Archived,
    ];

    fn name(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Scheduled => "scheduled",
            ArticleStatus::Published => "published",
            ArticleStatus::Archived => "archived",
        }
    }
}

/// Where a comment is in moderation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum CommentStatus {
    /// Waiting for a moderator; not shown.
    Pending,
    /// Shown under the article.
    Approved,
    /// Junk; later comments from the same email are held.
    Spam,
    /// Turned down; not shown.
    Rejected,
}

impl Named for CommentStatus {
    const ALL: &'static [Self] = &[
        CommentStatus::Pending,
        CommentStatus::Approved,
        CommentStatus::Spam,
        CommentStatus::Rejected,
    ];

    fn name(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Spam => "spam",
            CommentStatus::Rejected => "rejected",
        }
    }
}

/// What an entity is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum EntityKind {
    Country,
    Organisation,
    Person,
    Place,
}

impl Named for EntityKind {
    const ALL: &'static [Self] = &[
        EntityKind::Country,
        EntityKind::Organisation,
        EntityKind::Person,
        EntityKind::Place,
    ];

    fn name(self) -> &'static str {
        match self {
            EntityKind::Country => "country",
            EntityKind::Organisation => "organisation",
            EntityKind::Person => "person",
            EntityKind::Place => "place",
        }
    }
}

/// What a note published with an article is (schema.org's
/// `CorrectionComment` covers all three).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum CorrectionKind {
    /// Something reported was wrong, and this sets it right.
    Correction,
    /// Something reported was unclear, and this explains it.
    Clarification,
    /// Something happened since publication.
    Update,
}

impl Named for CorrectionKind {
    const ALL: &'static [Self] = &[
        CorrectionKind::Correction,
        CorrectionKind::Clarification,
        CorrectionKind::Update,
    ];

    fn name(self) -> &'static str {
        match self {
            CorrectionKind::Correction => "correction",
            CorrectionKind::Clarification => "clarification",
            CorrectionKind::Update => "update",
        }
    }
}

/// What a staff account may do, from least to most.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum Role {
    /// Writes and edits their own articles, deletes their own drafts.
    Author,
    /// Edits every article, manages topics, entities and comments.
    Editor,
    /// Everything, including staff accounts.
    Admin,
}

impl Named for Role {
    const ALL: &'static [Self] = &[Role::Author, Role::Editor, Role::Admin];

    fn name(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// What an audit log entry records (see `GET /audit`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[diesel(sql_type = Text)]
pub enum AuditAction {
    /// A staff member signed in (`POST /auth/token` answered 200).
    #[serde(rename = "auth.sign_in")]
    SignIn,
    /// A sign-in was refused (wrong email or password, or an inactive
    /// account); the entry has no user, and `detail.email` is the email tried.
    #[serde(rename = "auth.sign_in_failed")]
    SignInFailed,
    /// A staff account was created.
    #[serde(rename = "user.created")]
    UserCreated,
    /// A staff account was changed (by an admin, or its own profile);
    /// `detail.changed` names the fields.
    #[serde(rename = "user.updated")]
    UserUpdated,
    /// A staff account was deactivated.
    #[serde(rename = "user.deactivated")]
    UserDeactivated,
    /// A staff member's write made an article public.
    #[serde(rename = "article.published")]
    ArticlePublished,
    /// A staff member's write took an article out of public view (back to
    /// draft, archived, rescheduled into the future).
    #[serde(rename = "article.unpublished")]
    ArticleUnpublished,
    /// An article was deleted.
    #[serde(rename = "article.deleted")]
    ArticleDeleted,
    /// A comment's status or body was changed by a moderator.
    #[serde(rename = "comment.moderated")]
    CommentModerated,
    /// A comment was deleted, with its replies.
    #[serde(rename = "comment.deleted")]
    CommentDeleted,
    #[serde(rename = "webhook.created")]
    WebhookCreated,
    #[serde(rename = "webhook.updated")]
    WebhookUpdated,
    #[serde(rename = "webhook.deleted")]
    WebhookDeleted,
    /// `newsdesk import` applied a file (no user; client `cli`).
    #[serde(rename = "import")]
    Import,
}

impl Named for AuditAction {
    const ALL: &'static [Self] = &[
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::UserCreated,
        AuditAction::UserUpdated,
        AuditAction::UserDeactivated,
        AuditAction::ArticlePublished,
        AuditAction::ArticleUnpublished,
        AuditAction::ArticleDeleted,
        AuditAction::CommentModerated,
        AuditAction::CommentDeleted,
        AuditAction::WebhookCreated,
        AuditAction::WebhookUpdated,
        AuditAction::WebhookDeleted,
        AuditAction::Import,
    ];

    fn name(self) -> &'static str {
        match self {
            AuditAction::SignIn => "auth.sign_in",
            AuditAction::SignInFailed => "auth.sign_in_failed",
            AuditAction::UserCreated => "user.created",
            AuditAction::UserUpdated => "user.updated",
            AuditAction::UserDeactivated => "user.deactivated",
            AuditAction::ArticlePublished => "article.published",
            AuditAction::ArticleUnpublished => "article.unpublished",
            AuditAction::ArticleDeleted => "article.deleted",
            AuditAction::CommentModerated => "comment.moderated",
            AuditAction::CommentDeleted => "comment.deleted",
            AuditAction::WebhookCreated => "webhook.created",
            AuditAction::WebhookUpdated => "webhook.updated",
            AuditAction::WebhookDeleted => "webhook.deleted",
            AuditAction::Import => "import",
        }
    }
}

/// Text-column mapping of a vocabulary, for any backend that stores text:
/// the name is written, and a stored name that is not in the vocabulary is
/// a deserialisation error (a row the code does not understand), never a
/// silent default.
macro_rules! text_column {
    ($($vocabulary:ty),+) => {$(
        impl<DB: Backend> ToSql<Text, DB> for $vocabulary
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.name().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $vocabulary
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let name = String::from_sql(bytes)?;
                <$vocabulary>::from_name(&name).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($vocabulary), " {:?}"), name).into()
                })
            }
        }

        impl fmt::Display for $vocabulary {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )+};
}

text_column!(
    ArticleStatus,
    AuditAction,
    CommentStatus,
    CorrectionKind,
    EntityKind,
    Role
);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Named + PartialEq + fmt::Debug + Serialize>() {
        for value in T::ALL {
            assert_eq!(T::from_name(value.name()), Some(*value));
            // The JSON name is the stored name.
            assert_eq!(
                serde_json::to_value(value).ok(),
                Some(serde_json::Value::String(value.name().to_owned()))
            );
        }
        assert_eq!(T::from_name("Nonsense"), None);
    }

    #[test]
    fn every_name_reads_back_as_its_value() {
        round_trips::<ArticleStatus>();
        round_trips::<AuditAction>();
        round_trips::<CommentStatus>();
        round_trips::<CorrectionKind>();
        round_trips::<EntityKind>();
        round_trips::<Role>();
    }
}
