//! The one error type. Every failure a handler or store function can meet
//! becomes an `ApiError`, which answers as RFC 9457 `application/problem+json`.
//! Causes of internal errors go to the log, never to the client.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::Error as DieselError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::store;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One bad field of a request, as listed in a problem's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"field": "title", "message": "must be 1 to 300 characters"}))]
pub struct FieldError {
    /// The field (or query parameter) at fault, in `snake_case`; nested items
    /// are written `topics[2]`.
    pub field: String,
    /// What is wrong with it, in words a developer can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:newsdesk:problem:validation",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "The request has 1 invalid field.",
    "errors": [{"field": "title", "message": "must be 1 to 300 characters"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:newsdesk:problem:<kind>`); stable,
    /// so that clients can branch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code, repeated for clients that only see the body.
    pub status: u16,
    /// What went wrong with this request, in one or two sentences.
    pub detail: String,
    /// One entry per bad field (validation and conflict problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be parsed: malformed JSON, a query string of the
    /// wrong shape or type. Nothing in it was looked at.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No valid bearer token: missing, malformed, expired, forged, or its
    /// user is gone or deactivated. Answered with `WWW-Authenticate: Bearer`.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Signed in, but the role or ownership does not allow this act.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The resource named in the path does not exist (or is not visible).
    #[error("not found: {0}")]
    NotFound(String),
    /// The resource was public and has been withdrawn for good (an expired
    /// article); unlike a 404, clients and crawlers may forget it.
    #[error("gone: {0}")]
    Gone(String),
    /// The path exists but not with this method; `Allow` lists the methods it has.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    /// The request clashes with stored data, e.g. a slug that is taken.
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// `If-Match` named a representation that is no longer current: someone
    /// changed the resource since the client read it. Nothing was changed.
    #[error("precondition failed")]
    PreconditionFailed,
    /// The body did not arrive in time (a slow or stalled client).
    #[error("request timeout")]
    RequestTimeout,
    /// The body is larger than the configured limit.
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// The body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body is not of a type this endpoint takes (an upload that is not
    /// an image); the detail says what it takes.
    #[error("unsupported media type: {0}")]
    UnsupportedType(String),
    /// The client refuses every coding the answer could be sent in
    /// (`Accept-Encoding: identity;q=0` and nothing we have).
    #[error("not acceptable")]
    NotAcceptable,
    /// The request parsed but its values are unacceptable; one entry per field.
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// The client sent too many requests of a rate-limited kind; it may
    /// retry after `retry_after` seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    /// The database is busy beyond the wait we allow; the client may retry.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a broken environment. The cause is logged
    /// with its whole chain; the client sees a generic message.
    #[error("internal error: {0}")]
    Internal(store::error::Source),
}

impl ApiError {
    /// An internal error with what we were doing and why it failed.
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<store::error::Source>,
    ) -> ApiError {
        ApiError::Internal(Box::new(store::Error::other(context, source)))
    }

    /// A validation problem about one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// A conflict about one field (a unique value that is taken).
    pub fn taken(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        let error = FieldError::new(field, message);
        ApiError::Conflict {
            detail: format!("The {} is already in use.", error.field),
            errors: vec![error],
        }
    }

    /// The kind part of the problem `type` URI.
    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::NotFound(_) => "not-found",
            ApiError::Gone(_) => "gone",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict { .. } => "conflict",
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::RequestTimeout => "request-timeout",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType | ApiError::UnsupportedType(_) => {
                "unsupported-media-type"
            }
            ApiError::NotAcceptable => "not-acceptable",
            ApiError::Validation(_) => "validation",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The problem document shown to the client.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            ApiError::BadRequest(detail)
            | ApiError::UnsupportedType(detail)
            | ApiError::NotFound(detail)
            | ApiError::Gone(detail)
            | ApiError::Unauthorized(detail)
            | ApiError::Forbidden(detail) => detail.clone(),
            ApiError::TooManyRequests { retry_after } => {
                format!("Too many requests from this address; retry in {retry_after} seconds.")
            }
            ApiError::RequestTimeout => {
                "The request body did not arrive within 30 seconds.".to_owned()
            }
            ApiError::MethodNotAllowed { allow } => format!(
                "This path does not accept that method; it accepts {}.",
                allow.join(", ")
            ),
            ApiError::Conflict { detail, .. } => detail.clone(),
            ApiError::PayloadTooLarge { limit } => {
                format!("The request body is larger than the limit of {limit} bytes.")
            }
            ApiError::PreconditionFailed => {
                "The resource changed since the ETag in If-Match was read; \
                 fetch it again, reapply your change and retry."
                    .to_owned()
            }
            ApiError::UnsupportedMediaType => {
                "The request body must be JSON, sent with Content-Type: application/json."
                    .to_owned()
            }
            ApiError::NotAcceptable => "Accept-Encoding refuses every coding the answer can \
                 be sent in: allow identity, or one of gzip, br, zstd."
                .to_owned(),
            ApiError::Validation(errors) => match errors.len() {
                1 => "The request has 1 invalid field.".to_owned(),
                n => format!("The request has {n} invalid fields."),
            },
            ApiError::Unavailable(_) => {
                "The database is busy; retry the request in a moment.".to_owned()
            }
            ApiError::Internal(_) => "An unexpected error occurred; it has been logged.".to_owned(),
        };
        let errors = match self {
            ApiError::Validation(errors) | ApiError::Conflict { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            problem_type: format!("urn:newsdesk:problem:{}", self.kind()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType | ApiError::UnsupportedType(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ApiError::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                log::error!("internal error: {}", store::error::chain(cause.as_ref()))
            }
            ApiError::Unavailable(cause) => log::warn!("database unavailable: {cause}"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="newsdesk""#));
            }
            ApiError::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| {
            r#"{"type":"urn:newsdesk:problem:internal","title":"Internal Server Error","status":500,"detail":"An unexpected error occurred."}"#.to_owned()
        });
        response.body(body)
    }
}

/// Database errors are classified once, by the store.
impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> ApiError {
        store::Error::from(error).into()
    }
}

/// The one place where the store's words become HTTP.
impl From<store::Error> for ApiError {
    fn from(error: store::Error) -> ApiError {
        use store::Error;
        match error {
            Error::NotFound(detail) => ApiError::NotFound(detail),
            Error::Taken { field, message } => ApiError::taken(field, message),
            Error::InvalidReference { field } => {
                ApiError::invalid(field, "refers to something that does not exist")
            }
            Error::Conflict(detail) => ApiError::Conflict {
                detail,
                errors: Vec::new(),
            },
            Error::Invalid(violations) => ApiError::Validation(
                violations
                    .into_iter()
                    .map(|violation| FieldError::new(violation.field, violation.message))
                    .collect(),
            ),
            Error::NotAllowed(detail) => ApiError::Forbidden(detail),
            Error::Busy(cause) => ApiError::Unavailable(cause.to_string()),
            other @ Error::Other { .. } => ApiError::Internal(Box::new(other)),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> ApiError {
        ApiError::Unavailable(format!("no database connection: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> ApiError {
        ApiError::internal("blocking task failed", error.to_string())
    }
}

/// Collects field errors during validation so that a client hears about every
/// bad field at once, not one per attempt.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Keeps the value of a check, or records its error.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// What was recorded, for a caller that merges errors of its own.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok` when nothing was recorded, otherwise a 422 listing every error.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}
