//! Pages of lists: the `page`/`per_page` parameters, the `{data, meta}`
//! envelope and the `X-Total-Count` and `Link` headers.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldErrors};
use crate::store::PageRequest;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// Checks `page` (1-based) and `per_page` (1 to 100). Too large a
/// `per_page` is refused, not clamped, so that a client never silently
/// gets fewer items than it asked for.
pub fn page_request(page: Option<i64>, per_page: Option<i64>) -> Result<PageRequest, ApiError> {
    let mut errors = FieldErrors::new();
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page < 1 {
        errors.add("page", "must be 1 or more");
    }
    // Far past any real archive, and keeps the offset within i64.
    if page > 1_000_000 {
        errors.add("page", "must be at most 1000000");
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        errors.add("per_page", format!("must be between 1 and {MAX_PER_PAGE}"));
    }
    errors.finish()?;
    Ok(PageRequest { page, per_page })
}

/// Where a list stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"page": 1, "per_page": 20, "total": 57, "total_pages": 3}))]
pub struct PageMeta {
    /// This page's number, from 1.
    pub page: i64,
    /// Items per page as asked (the last page may hold fewer).
    pub per_page: i64,
    /// Items matching the filters, on all pages.
    pub total: i64,
    /// Pages needed for `total` at this `per_page`.
    pub total_pages: i64,
}

/// A page of a list: the items and where the page stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

/// The page as a 200 with `X-Total-Count` and an RFC 8288 `Link` header
/// (first, prev, next, last), whose URLs keep every other parameter.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    request: PageRequest,
    total: i64,
    data: Vec<T>,
) -> HttpResponse {
    let total_pages = if total == 0 {
        0
    } else {
        (total + request.per_page - 1) / request.per_page
    };
    let link = link_header(req, request.page, total_pages);
    let mut response = HttpResponse::Ok();
    response.insert_header(("X-Total-Count", total.to_string()));
    if !link.is_empty() {
        response.insert_header(("Link", link));
    }
    response.json(Page {
        data,
        meta: PageMeta {
            page: request.page,
            per_page: request.per_page,
            total,
            total_pages,
        },
    })
}

fn link_header(req: &HttpRequest, page: i64, total_pages: i64) -> String {
    let others: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("page"))
        .collect();
    let url = |page: i64| {
        let mut query = others.clone();
        let page_pair = format!("page={page}");
        query.push(&page_pair);
        format!("<{}?{}>", req.path(), query.join("&"))
    };
    let last = total_pages.max(1);
    let mut links = vec![format!("{}; rel=\"first\"", url(1))];
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url((page - 1).min(last))));
    }
    if page < total_pages {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
    }
    links.push(format!("{}; rel=\"last\"", url(last)));
    links.join(", ")
}
