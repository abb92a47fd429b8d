//! Entity tags of single resources, from the bytes they are sent as, and
//! `If-Match`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;

/// The tag of a representation: a hash of its exact bytes. It changes
/// whenever they do, including for reasons that leave the resource's own
/// version alone (its author or parent topic renamed, a scheduled article
/// turning public, a comment approved), and it is the same on every node.
/// Lists get theirs the same way (see `http::policy`).
pub fn of_bytes(bytes: &[u8]) -> String {
    format!(
        "\"{:016x}\"",
        crate::api::pagination::fingerprint_bytes(bytes)
    )
}

/// The tag of `value` as it is sent: serialized as the response body is.
pub fn of<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_vec(value)
        .map(|bytes| of_bytes(&bytes))
        .map_err(|err| ApiError::internal("cannot serialize for an ETag", err))
}

/// The `If-Match` header of a write: absent, `*`, or a list of tags.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    /// A 412 unless the header is absent, `*`, or names `current`. The
    /// comparison is strong: weak tags (`W/"…"`) never match (RFC 9110).
    pub fn check(&self, current: &str) -> Result<(), ApiError> {
        self.check_any(&[current])
    }

    /// As `check`, for a resource whose GET has more than one shape (the
    /// public and the staff view of a comment): a tag of any of them holds.
    pub fn check_any(&self, current: &[&str]) -> Result<(), ApiError> {
        match &self.0 {
            None => Ok(()),
            Some(tags)
                if tags
                    .iter()
                    .any(|tag| tag == "*" || current.contains(&tag.as_str())) =>
            {
                Ok(())
            }
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
