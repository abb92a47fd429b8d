//! Who acts, for the audit log, and the entries that writes make. Each
//! function is called inside the transaction of the write it records, so
//! that the entry commits or rolls back with it (as `webhooks::events`).

use std::fmt;

use serde_json::{Value, json};

use crate::auth::AuthUser;
use crate::db::Conn;
use crate::domain::AuditAction;
use crate::http::RequestInfo;
use crate::store;
use crate::store::audit::{self, NewEntry};
use crate::webhooks::events::Publicity;

/// What an entry is about, written `article:42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Article(i32),
    User(i32),
    Comment(i32),
    Webhook(i32),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Article(id) => write!(f, "article:{id}"),
            Target::User(id) => write!(f, "user:{id}"),
            Target::Comment(id) => write!(f, "comment:{id}"),
            Target::Webhook(id) => write!(f, "webhook:{id}"),
        }
    }
}

/// Who is acting and from where: a staff member over HTTP, an anonymous
/// client (a failed sign-in), or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    user: Option<(i32, String)>,
    request_id: Option<String>,
    client: Option<String>,
}

impl Actor {
    /// A signed-in staff member making this request.
    pub fn staff(user: &AuthUser, request: &RequestInfo) -> Actor {
        Actor::account(user.id, &user.display_name, request)
    }

    /// The account `id` (named `display_name`) making this request.
    pub fn account(id: i32, display_name: &str, request: &RequestInfo) -> Actor {
        Actor {
            user: Some((id, display_name.to_owned())),
            ..Actor::anonymous(request)
        }
    }

    /// A client that is nobody yet (a sign-in that failed).
    pub fn anonymous(request: &RequestInfo) -> Actor {
        Actor {
            user: None,
            request_id: request.request_id.clone(),
            client: request.client.clone(),
        }
    }

    /// An operator's `newsdesk` command: no user, client `cli`.
    pub fn cli() -> Actor {
        Actor {
            user: None,
            request_id: None,
            client: Some("cli".to_owned()),
        }
    }

    /// Writes one entry.
    pub fn record(
        &self,
        conn: &mut Conn,
        action: AuditAction,
        target: Option<Target>,
        detail: Option<Value>,
    ) -> Result<(), store::Error> {
        Ok(audit::record(
            conn,
            &NewEntry {
                user: self.user.as_ref().map(|(id, name)| (*id, name.as_str())),
                action,
                target: target.map(|target| target.to_string()),
                request_id: self.request_id.as_deref(),
                client: self.client.as_deref(),
                detail,
            },
        )?)
    }

    /// An article write, with what it did to the article's visibility as
    /// `webhooks::events::article_saved` decided it: `article.published`
    /// or `article.unpublished` when it changed, nothing otherwise.
    pub fn article_saved(
        &self,
        conn: &mut Conn,
        article_id: i32,
        change: Option<Publicity>,
    ) -> Result<(), store::Error> {
        let action = match change {
            Some(Publicity::Published) => AuditAction::ArticlePublished,
            Some(Publicity::Unpublished) => AuditAction::ArticleUnpublished,
            None => return Ok(()),
        };
        self.record(conn, action, Some(Target::Article(article_id)), None)
    }
}

/// The `detail` of a failed sign-in: the email tried, cut to a bounded
/// length (anyone can send one).
pub fn sign_in_failed_detail(email: &str) -> Value {
    const EMAIL_KEPT: usize = 320;
    json!({"email": email.trim().chars().take(EMAIL_KEPT).collect::<String>()})
}
