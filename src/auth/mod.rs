//! Who is asking: roles, password hashing, tokens, and the extractors that
//! give handlers the signed-in user.

pub mod extract;
pub mod password;
pub mod token;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use extract::{AuthUser, MaybeUser};

/// What a staff account may do, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes and edits their own articles, deletes their own drafts.
    Author,
    /// Edits every article, manages topics, entities and comments.
    Editor,
    /// Everything, including staff accounts.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}
