//! What every response gets on its way out: a request id, caching headers,
//! an ETag and 304s for GETs, and security headers.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse};

use crate::state::AppState;

pub const REQUEST_ID: &str = "x-request-id";

/// Largest body hashed for an ETag; bigger ones (none today) go without.
const MAX_TAGGED_BODY: usize = 8 * 1024 * 1024;

/// Swagger UI's page loads its own scripts and styles and inline config;
/// nothing from elsewhere.
const SWAGGER_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The request's own id when it is a sane one (a proxy or client may send
/// one to follow a request through its logs), otherwise a new one.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()))
}

/// The id `policy` gave this request (its `X-Request-Id`), kept in the
/// request's extensions for handlers (see `RequestInfo`).
#[derive(Debug, Clone)]
struct RequestId(String);

/// Where a request comes from, as the audit log records it: its
/// `X-Request-Id` and the client's address as the rate limits see it
/// (behind a trusted proxy, from `X-Forwarded-For`).
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    pub request_id: Option<String>,
    pub client: Option<String>,
}

impl FromRequest for RequestInfo {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
        let client = req
            .app_data::<Data<AppState>>()
            .and_then(|state| crate::rate_limit::client_address(req, &state.config.trusted_proxies))
            .map(|address| address.to_string());
        std::future::ready(Ok(RequestInfo { request_id, client }))
    }
}

/// True when an `If-None-Match` header names `etag` (weak comparison, as
/// RFC 9110 asks for GET).
fn none_match(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(header) = if_none_match else {
        return false;
    };
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    header
        .split(',')
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

fn insert(res: &mut HttpResponse, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, value);
    }
}

/// HEAD is GET without the body (RFC 9110, section 9.3.2). actix routes a
/// request only to handlers of its own method, so HEAD becomes GET before
/// routing; the HTTP/1 layer still knows it was HEAD, and sends the
/// headers (`Content-Length` included) without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The middleware (see the module comment).
pub async fn policy(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let is_get = req.method() == Method::GET;
    let signed_in = req.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let swagger = req.path().starts_with("/swagger-ui");
    let max_age = req
        .app_data::<Data<AppState>>()
        .map(|state| state.config.cache_max_age)
        .unwrap_or(60);

    let res = next.call(req).await?;
    let (request, res) = res.into_parts();
    let status = res.status();
    let mut res = res.map_into_boxed_body();

    // Lists and pages without a version get a tag from their content.
    if is_get && status == StatusCode::OK && !res.headers().contains_key(header::ETAG) {
        let (head, body) = res.into_parts();
        let bytes = actix_web::body::to_bytes_limited(body, MAX_TAGGED_BODY).await;
        res = match bytes {
            Ok(Ok(bytes)) => {
                let tag = format!(
                    "\"{:016x}\"",
                    crate::api::pagination::fingerprint_bytes(&bytes)
                );
                let mut res = head.set_body(BoxBody::new(bytes));
                insert(&mut res, header::ETAG, &tag);
                res
            }
            Ok(Err(err)) => return Err(err.into()),
            Err(_) => head.set_body(BoxBody::new(())),
        };
    }

    let cache_control = if !is_get || !status.is_success() {
        "no-store".to_owned()
    } else if signed_in {
        "private, no-store".to_owned()
    } else {
        format!("public, max-age={max_age}")
    };
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        insert(&mut res, header::CACHE_CONTROL, &cache_control);
    }
    if is_get {
        // The same URL answers differently with and without a token, and
        // in other codings (see api::packed). One value: CORS rewrites the
        // first Vary header and would drop a second.
        res.headers_mut().append(
            header::VARY,
            HeaderValue::from_static("Authorization, Accept-Encoding"),
        );
    }

    if is_get && status == StatusCode::OK {
        let etag = res
            .headers()
            .get(header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        if let Some(etag) = etag
            && none_match(if_none_match.as_deref(), &etag)
        {
            let mut not_modified = HttpResponse::NotModified().finish();
            for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
                for value in res.headers().get_all(&name) {
                    not_modified
                        .headers_mut()
                        .append(name.clone(), value.clone());
                }
            }
            res = not_modified;
        }
    }

    insert(&mut res, HeaderName::from_static(REQUEST_ID), &id);
    insert(&mut res, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    insert(&mut res, header::REFERRER_POLICY, "no-referrer");
    if swagger {
        insert(&mut res, header::CONTENT_SECURITY_POLICY, SWAGGER_CSP);
        insert(&mut res, header::X_FRAME_OPTIONS, "DENY");
    }
    Ok(ServiceResponse::new(request, res))
}
