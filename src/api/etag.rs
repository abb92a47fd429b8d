//! Entity tags of single resources, from their version (and the counts
//! they show, which change without a new version), and `If-Match`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::store::articles::ArticleSummaryRow;
use crate::store::comments::CommentRow;
use crate::store::entities::EntityRecord;
use crate::store::topics::TopicRecord;

pub fn article(row: &ArticleSummaryRow) -> String {
    format!(
        "\"article-{}-v{}-c{}\"",
        row.id, row.version, row.comment_count
    )
}

pub fn topic(record: &TopicRecord) -> String {
    format!(
        "\"topic-{}-v{}-n{}\"",
        record.row.id, record.row.version, record.article_count
    )
}

pub fn entity(record: &EntityRecord) -> String {
    format!(
        "\"entity-{}-v{}-n{}\"",
        record.row.id, record.row.version, record.article_count
    )
}

/// Moderators see more of a comment than the public, so the two shapes
/// have different tags.
pub fn comment(row: &CommentRow, staff: bool) -> String {
    let shape = if staff { "-staff" } else { "" };
    format!("\"comment-{}-v{}{shape}\"", row.id, row.version)
}

/// The `If-Match` header of a write: absent, `*`, or a list of tags.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    /// A 412 unless the header is absent, `*`, or names `current`. The
    /// comparison is strong: weak tags (`W/"…"`) never match (RFC 9110).
    pub fn check(&self, current: &str) -> Result<(), ApiError> {
        match &self.0 {
            None => Ok(()),
            Some(tags) if tags.iter().any(|tag| tag == "*" || tag == current) => Ok(()),
            Some(_) => Err(ApiError::PreconditionFailed),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values: Vec<&header::HeaderValue> = req.headers().get_all(header::IF_MATCH).collect();
        if values.is_empty() {
            return ready(Ok(IfMatch(None)));
        }
        let mut tags = Vec::new();
        for value in values {
            let Ok(text) = value.to_str() else {
                return ready(Err(ApiError::BadRequest(
                    "If-Match must be ASCII entity tags.".to_owned(),
                )));
            };
            tags.extend(
                text.split(',')
                    .map(|tag| tag.trim().to_owned())
                    .filter(|tag| !tag.is_empty()),
            );
        }
        // An empty header says nothing: no precondition.
        ready(Ok(IfMatch((!tags.is_empty()).then_some(tags))))
    }
}
