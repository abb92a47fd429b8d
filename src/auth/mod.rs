//! Who is asking: roles, password hashing, tokens, and the extractors that
//! give handlers the signed-in user.

pub mod extract;
pub mod password;
pub mod token;

pub use extract::{AuthUser, MaybeUser};

pub use crate::domain::Role;
