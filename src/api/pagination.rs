//! Pages of lists: the `page`/`per_page` parameters, the `{data, meta}`
//! envelope, the `X-Total-Count` and `Link` headers, and opaque cursors.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::api::packed::PackedJson;
use crate::error::{ApiError, FieldErrors};
use crate::store::PageRequest;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// Checks `per_page` (1 to 100). Too large a value is refused, not
/// clamped, so that a client never silently gets fewer items than asked.
pub fn per_page(errors: &mut FieldErrors, per_page: Option<i64>) -> i64 {
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        errors.add("per_page", format!("must be between 1 and {MAX_PER_PAGE}"));
    }
    per_page
}

/// Checks `page` (1-based) and `per_page`.
pub fn page_request(
    page: Option<i64>,
    per_page_value: Option<i64>,
) -> Result<PageRequest, ApiError> {
    let mut errors = FieldErrors::new();
    let page = page.unwrap_or(1);
    if page < 1 {
        errors.add("page", "must be 1 or more");
    }
    // Far past any real archive, and keeps the offset within i64.
    if page > 1_000_000 {
        errors.add("page", "must be at most 1000000");
    }
    let per_page = per_page(&mut errors, per_page_value);
    errors.finish()?;
    Ok(PageRequest { page, per_page })
}

/// Where a list stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"page": 1, "per_page": 20, "total": 57, "total_exact": true, "total_pages": 3, "next_cursor": "7b2266223a2231…"}))]
pub struct PageMeta {
    /// This page's number, from 1; absent when the page was asked for by cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    /// Items per page as asked (the last page may hold fewer).
    pub per_page: i64,
    /// Items matching the filters, on all pages; when `total_exact` is
    /// false, there are more than this (and `X-Total-Count` and
    /// `total_pages` follow it).
    pub total: i64,
    /// False when `total` is a lower bound: a search or a combination of
    /// several article filters is counted up to 10,000 (as
    /// Elasticsearch's `track_total_hits`); every other total is exact.
    pub total_exact: bool,
    /// Pages needed for `total` at this `per_page`.
    pub total_pages: i64,
    /// Pass as `cursor` for the page after this one (articles only); absent
    /// on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// With `facets=` (articles only): the top values of each facet asked
    /// for, counted over the whole filtered set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = crate::api::articles::ArticleFacets, required = false)]
    pub facets: Option<serde_json::Value>,
}

/// A page of a list: the items and where the page stands. (utoipa would
/// copy `T`'s schema into each `Page_T`; `openapi::spec` makes `data`
/// refer to the component `T` instead.)
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

/// How the page was asked for.
#[derive(Debug, Clone, Copy)]
pub enum Position {
    Page(PageRequest),
    Cursor { per_page: i64 },
}

impl Position {
    fn per_page(self) -> i64 {
        match self {
            Position::Page(page) => page.per_page,
            Position::Cursor { per_page } => per_page,
        }
    }
}

/// The page as a 200 with `X-Total-Count` and an RFC 8288 `Link` header
/// whose URLs keep every other parameter.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    page: PageRequest,
    total: i64,
    data: Vec<T>,
) -> HttpResponse {
    let position = Position::Page(page);
    headed(req, position, total, None).json(envelope(position, total, true, None, data))
}

fn total_pages(total: i64, per_page: i64) -> i64 {
    (total + per_page - 1) / per_page
}

fn envelope<T>(
    position: Position,
    total: i64,
    total_exact: bool,
    next_cursor: Option<String>,
    data: Vec<T>,
) -> Page<T> {
    let per_page = position.per_page();
    Page {
        data,
        meta: PageMeta {
            page: match position {
                Position::Page(page) => Some(page.page),
                Position::Cursor { .. } => None,
            },
            per_page,
            total,
            total_exact,
            total_pages: total_pages(total, per_page),
            next_cursor,
            facets: None,
        },
    }
}

/// A 200 with the page's `X-Total-Count` and `Link` (from this request's URL).
fn headed(
    req: &HttpRequest,
    position: Position,
    total: i64,
    next_cursor: Option<&str>,
) -> HttpResponseBuilder {
    let link = link_header(
        req,
        position,
        total_pages(total, position.per_page()),
        next_cursor,
    );
    let mut response = HttpResponse::Ok();
    response
        .insert_header(("X-Total-Count", total.to_string()))
        .insert_header(("Link", link));
    response
}

/// A page turned into its JSON body once, packed, with what its headers
/// need, so that it can be kept and answered again without the database.
#[derive(Debug)]
pub struct RenderedPage {
    position: Position,
    total: i64,
    next_cursor: Option<String>,
    body: PackedJson,
    etag: String,
    /// The `Surrogate-Key` header: what a CDN can purge the page by.
    surrogate_keys: String,
}

impl RenderedPage {
    /// The page, with the `Surrogate-Key` it answers with.
    pub fn with_surrogate_keys(self, surrogate_keys: String) -> RenderedPage {
        RenderedPage {
            surrogate_keys,
            ..self
        }
    }
}

impl crate::cache::Weigh for RenderedPage {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.body.weight()
            + self.etag.len()
            + self.surrogate_keys.len()
            + self.next_cursor.as_ref().map_or(0, String::len)
    }
}

/// The header a CDN purges by (Fastly's name; Varnish and others read it
/// too): the keys of what an answer shows, space-separated.
pub const SURROGATE_KEY: &str = "surrogate-key";

/// Serializes a page, tags it with a hash of its JSON, and packs it.
pub fn render<T: Serialize>(
    position: Position,
    total: i64,
    total_exact: bool,
    next_cursor: Option<String>,
    data: Vec<T>,
) -> Result<RenderedPage, ApiError> {
    render_faceted(position, total, total_exact, next_cursor, data, None)
}

/// `render`, with `meta.facets` when there are some.
pub fn render_faceted<T: Serialize>(
    position: Position,
    total: i64,
    total_exact: bool,
    next_cursor: Option<String>,
    data: Vec<T>,
    facets: Option<serde_json::Value>,
) -> Result<RenderedPage, ApiError> {
    let mut page = envelope(position, total, total_exact, next_cursor.clone(), data);
    page.meta.facets = facets;
    let json = serde_json::to_vec(&page).map_err(|err| ApiError::Internal(err.into()))?;
    Ok(RenderedPage {
        position,
        total,
        etag: format!("\"{:016x}\"", fingerprint_bytes(&json)),
        next_cursor,
        body: PackedJson::pack(&json)?,
        surrogate_keys: String::new(),
    })
}

/// A rendered page as a 200 with `X-Total-Count`, `Link` and its `ETag`.
pub fn respond_rendered(req: &HttpRequest, page: &RenderedPage) -> Result<HttpResponse, ApiError> {
    let mut response = headed(req, page.position, page.total, page.next_cursor.as_deref());
    response.insert_header((header::ETAG, page.etag.clone()));
    if !page.surrogate_keys.is_empty() {
        response.insert_header((SURROGATE_KEY, page.surrogate_keys.clone()));
    }
    page.body.respond(req, response)
}

fn link_header(
    req: &HttpRequest,
    position: Position,
    total_pages: i64,
    next_cursor: Option<&str>,
) -> String {
    let others: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !pair.is_empty() && name != "page" && name != "cursor"
        })
        .collect();
    let url = |extra: String| {
        let mut query = others.clone();
        query.push(&extra);
        format!("<{}?{}>", req.path(), query.join("&"))
    };
    let last = total_pages.max(1);
    let mut links = vec![format!("{}; rel=\"first\"", url("page=1".to_owned()))];
    match position {
        Position::Page(page) => {
            if page.page > 1 {
                links.push(format!(
                    "{}; rel=\"prev\"",
                    url(format!("page={}", (page.page - 1).min(last)))
                ));
            }
            if page.page < total_pages {
                links.push(format!(
                    "{}; rel=\"next\"",
                    url(format!("page={}", page.page + 1))
                ));
            }
        }
        Position::Cursor { .. } => {
            if let Some(cursor) = next_cursor {
                links.push(format!("{}; rel=\"next\"", url(format!("cursor={cursor}"))));
            }
        }
    }
    links.push(format!("{}; rel=\"last\"", url(format!("page={last}"))));
    links.join(", ")
}

/// An opaque cursor: `value` and a fingerprint of the query it belongs
/// to, as hex of JSON (URL-safe without escaping).
pub fn encode_cursor<T: Serialize>(fingerprint: u64, value: &T) -> String {
    let json = serde_json::json!({"f": format!("{fingerprint:016x}"), "k": value}).to_string();
    json.bytes().map(|byte| format!("{byte:02x}")).collect()
}

/// Reads a cursor made by `encode_cursor` for the same query; anything
/// else (garbled, or from another query) is a 422 on `cursor`.
pub fn decode_cursor<T: DeserializeOwned>(fingerprint: u64, cursor: &str) -> Result<T, ApiError> {
    let invalid = || {
        ApiError::invalid(
            "cursor",
            "is not a next_cursor of this query; start again without it",
        )
    };
    if !cursor.len().is_multiple_of(2) || cursor.len() > 4096 {
        return Err(invalid());
    }
    let bytes: Vec<u8> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| invalid())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if value["f"] != format!("{fingerprint:016x}") {
        return Err(invalid());
    }
    serde_json::from_value(value["k"].clone()).map_err(|_| invalid())
}

/// FNV-1a: a stable 64-bit hash (the standard library's may change between
/// releases, which would void cursors held by clients across an upgrade).
pub fn fingerprint(text: &str) -> u64 {
    fingerprint_bytes(text.as_bytes())
}

/// FNV-1a over bytes, for ETags of response bodies.
pub fn fingerprint_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
