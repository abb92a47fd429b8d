//! HTTP: one module per resource with its handlers and wire types, plus the
//! pieces they share (the JSON body extractor, pagination, field checks).

pub mod articles;
pub mod audit;
pub mod auth;
pub mod authors;
pub mod comments;
pub mod entities;
pub mod etag;
pub mod feeds;
pub mod fields;
pub mod health;
pub mod media;
pub mod packed;
pub mod pagination;
pub mod sitemaps;
pub mod suggestions;
pub mod tags;
pub mod topics;
pub mod users;
pub mod webhooks;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{BytesMut, Data};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::cache::{Cache, Total};
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// The answer caches: rendered answers kept until what they were computed
/// from changes (see `cache`). Registered as app data beside `AppState`.
pub struct Answers {
    /// Pages of article lists.
    pub article_lists: Cache<pagination::RenderedPage>,
    /// Totals of article lists by filter, shared by their pages.
    pub article_totals: Cache<Total>,
    /// Single articles by id or slug.
    pub articles: Cache<articles::RenderedArticle>,
    /// Related stories by article and limit.
    pub related: Cache<articles::RenderedRelated>,
}

impl Answers {
    /// Caches sharing a budget of `bytes`.
    pub fn new(bytes: usize) -> Answers {
        Answers {
            article_lists: Cache::new(bytes / 16 * 7),
            articles: Cache::new(bytes / 16 * 7),
            // A related answer is a short list: an eighth holds thousands.
            related: Cache::new(bytes / 8),
            // Small: an entry is its key (the filter) and a number.
            article_totals: Cache::new(bytes / 32),
        }
    }
}

/// A JSON request body, read with our limit and content-type rule, whose
/// errors are problems: malformed JSON is a 400, a wrong type or unknown
/// field a 422 naming the field, a body over the limit a 413, another
/// content type a 415.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// How long a request body may take to arrive.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// `application/json`, or any `application/*+json` such as merge-patch.
fn is_json(req: &HttpRequest) -> bool {
    let Some(content_type) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(content_type) = content_type.to_str() else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: Checked + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<Data<AppState>>()
            .map(|state| state.config.body_limit)
            .unwrap_or(1024 * 1024);
        let json = is_json(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            if declared_length.is_some_and(|length| length > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            // A body trickled in slowly would hold its connection for ever;
            // the head has actix's own timeout, the body gets this one.
            let read = async {
                let mut body = BytesMut::new();
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|err| {
                        ApiError::BadRequest(format!("The request body could not be read: {err}."))
                    })?;
                    if body.len() + chunk.len() > limit {
                        return Err(ApiError::PayloadTooLarge { limit });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            let body = actix_web::rt::time::timeout(BODY_TIMEOUT, read)
                .await
                .map_err(|_| ApiError::RequestTimeout)??;
            parse_json(&body).map(ApiJson)
        })
    }
}

/// A request body whose values are checked once it has parsed. When some
/// fields do not parse at all (a wrong type, an unknown name, a value not
/// in an enum), the fields that did are still checked, so that one 422
/// names every bad field at once.
pub trait Checked: DeserializeOwned {
    /// The field errors the body's validation reports; empty when valid.
    fn field_errors(self) -> Vec<FieldError>;
}

/// The field errors of a validation result, for [`Checked`] impls.
pub fn errors_of<T>(result: Result<T, ApiError>) -> Vec<FieldError> {
    match result {
        Err(ApiError::Validation(errors)) => errors,
        _ => Vec::new(),
    }
}

/// Parses a body: it must be one JSON object (an array or a bare value is
/// a 422, so that `["email", "password"]` never passes for a sign-in).
/// Fields that do not fit the type are named, each once, together with
/// what the type's validation finds in the others.
pub fn parse_json<T: Checked>(body: &[u8]) -> Result<T, ApiError> {
    parse_checked(body, T::field_errors)
}

/// As `parse_json`, for a type whose values the caller checks itself
/// (`newsdesk import`, which adds checks of its own to the API's): type
/// errors are named, each once, without the other fields' checks.
pub fn parse_unchecked<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_checked(body, |_: T| Vec::new())
}

fn parse_checked<T: DeserializeOwned>(
    body: &[u8],
    field_errors: impl Fn(T) -> Vec<FieldError>,
) -> Result<T, ApiError> {
    let is_object = body
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'{');
    if !is_object {
        serde_json::from_slice::<serde_json::Value>(body).map_err(|err| malformed(&err))?;
        return Err(ApiError::invalid("body", "must be a JSON object"));
    }
    // The common case, a body that fits: one pass, straight into the type.
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let first_error = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => {
            // Trailing data after the document ("{}{}") is malformed too.
            deserializer.end().map_err(|err| malformed(&err))?;
            return Ok(value);
        }
        Err(err) if err.inner().classify() == serde_json::error::Category::Data => err,
        Err(err) => return Err(malformed(err.inner())),
    };
    // It does not fit: read it as a tree (it may still be malformed
    // further on), then leave out each field that does not parse and try
    // again, to hear about the rest.
    let serde_json::Value::Object(mut object) =
        serde_json::from_slice(body).map_err(|err| malformed(&err))?
    else {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut next_error = first_error;
    let attempt = |object: &serde_json::Map<String, serde_json::Value>| {
        serde_path_to_error::deserialize::<_, T>(serde_json::Value::Object(object.clone()))
    };
    // Each turn names a field or fits a stand-in for one; a body has few.
    for _ in 0..MAX_FIELD_ERRORS {
        let path = next_error.path().to_string();
        let message = strip_position(&next_error.into_inner().to_string());
        let unknown = unknown_field(&message);
        let field = unknown
            .clone()
            .unwrap_or_else(|| field_name(&path, &message));
        let key =
            unknown.unwrap_or_else(|| field.split(['.', '[']).next().unwrap_or("").to_owned());
        let result = if errors.iter().any(|known| known.field == field) {
            // A required field left out for its type is now missing, and
            // said already: a stand-in of another type lets the rest be
            // checked (the stand-in's own errors are about that field, so
            // they are not repeated). Without one that fits, stop here.
            let mut fitted = None;
            for stand_in in STAND_INS {
                object.insert(key.clone(), stand_in());
                let result = attempt(&object);
                let about_key = result.as_ref().err().is_some_and(|err| {
                    err.path().to_string().split(['.', '[']).next() == Some(&key)
                        || err.inner().to_string().contains(&format!("`{key}`"))
                });
                if !about_key {
                    fitted = Some(result);
                    break;
                }
            }
            match fitted {
                Some(result) => result,
                None => return Err(ApiError::Validation(errors)),
            }
        } else {
            let removed = object.remove(&key).is_some();
            errors.push(FieldError::new(field, message));
            if !removed {
                return Err(ApiError::Validation(errors));
            }
            attempt(&object)
        };
        match result {
            Ok(value) => {
                for error in field_errors(value) {
                    if !errors.iter().any(|known| known.field == error.field) {
                        errors.push(error);
                    }
                }
                return Err(ApiError::Validation(errors));
            }
            Err(err) => next_error = err,
        }
    }
    Err(ApiError::Validation(errors))
}

/// Field errors named at most in one answer.
const MAX_FIELD_ERRORS: usize = 64;

/// Values of each JSON type, tried in place of a required field of the
/// wrong type (see `parse_checked`).
const STAND_INS: [fn() -> serde_json::Value; 5] = [
    || serde_json::Value::String(String::new()),
    || serde_json::Value::from(0),
    || serde_json::Value::Bool(false),
    || serde_json::Value::Array(Vec::new()),
    || serde_json::Value::Object(serde_json::Map::new()),
];

/// The name in serde's "unknown field `x`, expected …".
fn unknown_field(message: &str) -> Option<String> {
    message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_owned)
}

fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!("The request body is not valid JSON: {err}."))
}

/// The field a data error is about: serde_path_to_error's path, or for a
/// missing field (reported at its parent) the name in serde's message.
fn field_name(path: &str, message: &str) -> String {
    let parent = if path == "." { "" } else { path };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (parent, missing) {
        ("", Some(name)) => name.to_owned(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        ("", None) => "body".to_owned(),
        (parent, None) => parent.to_owned(),
    }
}

/// serde's messages end in "at line 1 column 12", which is noise once the
/// field is named.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// For PATCH bodies: tells a field that is absent (`None`) from one that is
/// `null` (`Some(None)`). Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// A 201 with the new resource and its `Location`.
pub fn created<T: serde::Serialize>(location: String, body: &T) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// Stored timestamps are UTC without an offset; the wire shows them as RFC 3339.
pub fn utc(at: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    at.and_utc()
}

/// The `{id_or_slug}` path parameter, as documented once for every resource.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdOrSlug {
    /// A number is an id; anything else is a slug.
    #[param(example = "north-korea")]
    pub id_or_slug: String,
}

impl IdOrSlug {
    pub fn key(&self) -> crate::store::Key {
        crate::store::Key::parse(&self.id_or_slug)
    }
}

/// `response` with the `Surrogate-Key` header: the keys (see `store::keys`)
/// a CDN in front can purge it by when a write changes what it shows.
pub fn with_surrogate_keys(
    mut response: actix_web::HttpResponse,
    keys: &[String],
) -> actix_web::HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(&crate::store::keys::surrogate(keys)) {
        response.headers_mut().insert(
            header::HeaderName::from_static(pagination::SURROGATE_KEY),
            value,
        );
    }
    response
}

/// A 200 with the resource and its `ETag` (see `etag::of_bytes`), which
/// `If-Match` on the same resource accepts.
pub fn tagged<T: serde::Serialize>(body: &T) -> Result<actix_web::HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|err| ApiError::internal("cannot serialize a response", err))?;
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((header::ETAG, etag::of_bytes(&bytes)))
        .content_type(header::ContentType::json())
        .body(bytes))
}

/// The answer to a GET whose slug names nothing now: a 301 to the current
/// slug when it is an old one (see `store::old_slugs`), with the JSON body
/// `{"slug": "new-slug"}` and the request's query string kept, else
/// `not_found` as it was.
pub async fn moved_or(
    pool: &crate::db::DbPool,
    owner: crate::store::old_slugs::Owner,
    req: &HttpRequest,
    key: crate::store::Key,
    not_found: ApiError,
) -> Result<actix_web::HttpResponse, ApiError> {
    let crate::store::Key::Slug(slug) = key else {
        return Err(not_found);
    };
    let current = crate::db::run(pool, move |conn| {
        Ok(crate::store::old_slugs::current(conn, owner, &slug)?)
    })
    .await?;
    let Some(current) = current else {
        return Err(not_found);
    };
    let collection = match owner {
        crate::store::old_slugs::Owner::Article => "articles",
        crate::store::old_slugs::Owner::Topic => "topics",
        crate::store::old_slugs::Owner::Entity => "entities",
        crate::store::old_slugs::Owner::Author => "authors",
    };
    let mut location = format!("/api/v1/{collection}/{current}");
    if !req.query_string().is_empty() {
        location.push('?');
        location.push_str(req.query_string());
    }
    Ok(actix_web::HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .json(serde_json::json!({ "slug": current })))
}

/// The body of a 301 from an old slug.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"slug": "north-korea-russia-arms-transfers"}))]
pub struct MovedSlug {
    /// The current slug.
    pub slug: String,
}
