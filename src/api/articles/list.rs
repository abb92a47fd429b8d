//! `GET /api/v1/articles`: filters, search, sort orders, pages and cursors.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::facets::{self, ArticleFacets};
use super::projection::{self, Projection};
use super::{ArticleListItem, ArticleStatus, TAGS_MAX, audience};
use crate::api::entities::EntityKind;
use crate::api::{fields, pagination};
use crate::auth::MaybeUser;
use crate::cache::Total;
use crate::db;
use crate::error::{ApiError, FieldErrors};
use crate::slug;
use crate::state::AppState;
use crate::store::articles::{
    self as store, ArticleFilter, Audience, PageSpec, Sort, SortKey, StatusFilter,
};
use crate::store::keys;
use crate::store::search::SearchQuery;
use crate::store::search::SearchTier;

const QUERY_MAX: usize = 500;

/// Sort orders of `GET /articles`; ties always break on id.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum ArticleSort {
    /// Newest first (default without `q`).
    #[serde(rename = "-published_at")]
    PublishedDesc,
    /// Oldest first.
    #[serde(rename = "published_at")]
    PublishedAsc,
    /// Most recently changed first.
    #[serde(rename = "-updated_at")]
    UpdatedDesc,
    /// By title, A to Z.
    #[serde(rename = "title")]
    Title,
    /// Best match first (default with `q`; only with `q`).
    #[serde(rename = "relevance")]
    Relevance,
}

/// Query parameters of `GET /articles`; all combine with AND. Unknown
/// parameters are a 400, so that a typo never silently widens a list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Full-text search over title, subtitle, summary, body and the names
    /// and aliases of the article's topics and entities. Every word must
    /// match; `"quoted phrases"` match as phrases; other punctuation is
    /// ignored. Results carry `rank` and sort by relevance unless `sort` says
    /// otherwise: title hits first, then hits in the subtitle, summary or
    /// tags, then body hits, each newest first (as WordPress orders a
    /// search). Example: `DPRK sanctions`.
    pub q: Option<String>,
    /// Topic slugs: `a,b` = filed under both, `a|b` = under either; `,`
    /// binds looser than `|` (`a|b,c` = (a or b) and c). A topic includes
    /// the topics below it. An unknown slug is a 422. Example: `world`.
    pub topic: Option<String>,
    /// Entity slugs, with the same `,` and `|` syntax. Example:
    /// `north-korea,g7`.
    pub entity: Option<String>,
    /// Tagged with any entity of this kind.
    pub kind: Option<EntityKind>,
    /// The author: a user id or an author slug (an old slug works too).
    /// Example: `seoul-correspondent`.
    pub author: Option<String>,
    /// Exact source, e.g. `AFP`.
    pub source: Option<String>,
    /// Published on or after: a date (`2024-05-01`) or an RFC 3339
    /// timestamp (`2024-05-01T09:00:00Z`).
    pub from: Option<String>,
    /// Published on or before, as `from`; a date includes the whole day
    /// (`2024-05-31`).
    pub to: Option<String>,
    /// Default: for the public, what is published (including scheduled
    /// articles whose time has passed); for staff, every article their role
    /// may see. `scheduled` lists those still waiting. Staff only for any
    /// value but `published` (403 otherwise).
    pub status: Option<ArticleStatus>,
    /// Default `-published_at`, or `relevance` with `q` (see `q`).
    pub sort: Option<ArticleSort>,
    /// Page number, from 1 (default 1). Not with `cursor` (422 when both
    /// are given).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// `meta.next_cursor` of the previous page: keyset paging, as fast at
    /// page 1,000 as at page 1, that never shows an article twice while
    /// others are added. Only valid with the same filters and sort (422
    /// otherwise), and not with `page` (422 when both are given).
    pub cursor: Option<String>,
    /// Only these top-level fields in each item, comma-separated (unknown
    /// names are a 422 naming them). Related rows not asked for are not
    /// read: `id,slug,title` loads no tags, corrections or authors. Each
    /// set of fields is its own representation, with its own ETag.
    /// Example: `id,slug,title,published_at`.
    pub fields: Option<String>,
    /// Facets to count, comma-separated, into `meta.facets`: `topic`,
    /// `entity`, `kind`, `country`, `source`, `author`, `month`. Each gives
    /// its ten most frequent values over the whole filtered set (every
    /// page, as the reader may see it), each article counted once per
    /// value. Unknown names are a 422. Example: `entity,topic`.
    pub facets: Option<String>,
}

fn slug_groups(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Vec<Vec<String>> {
    let Some(value) = value else {
        return Vec::new();
    };
    let groups: Vec<Vec<String>> = value
        .split(',')
        .map(|group| {
            group
                .split('|')
                .map(|slug| slug.trim().to_owned())
                .collect()
        })
        .collect();
    let count: usize = groups.iter().map(Vec::len).sum();
    if count > TAGS_MAX {
        errors.add(field, format!("must name at most {TAGS_MAX} slugs"));
        return Vec::new();
    }
    if groups.iter().flatten().any(|slug| !slug::is_valid(slug)) {
        errors.add(
            field,
            "must be slugs joined by , (all of) and | (any of), e.g. north-korea,g7",
        );
        return Vec::new();
    }
    groups
}

enum Bound {
    Start,
    End,
}

/// A date or a timestamp in the years 1 to 9999, as the first or last
/// instant it covers: a date starts at midnight UTC and, as an upper bound,
/// covers its whole day (to its last microsecond, the precision stored).
fn date_bound(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    bound: Bound,
) -> Option<NaiveDateTime> {
    use chrono::Datelike;
    let value = value?;
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        if !fields::YEARS.contains(&date.year()) {
            errors.add(field, fields::YEAR_MESSAGE);
            return None;
        }
        let time = match bound {
            Bound::Start => chrono::NaiveTime::MIN,
            Bound::End => chrono::NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)?,
        };
        return Some(date.and_time(time));
    }
    match DateTime::parse_from_rfc3339(value) {
        Ok(at) => Some(fields::timestamp(errors, field, at.with_timezone(&Utc))),
        Err(_) => {
            errors.add(
                field,
                "must be a date (2024-05-01) or an RFC 3339 timestamp (2024-05-01T09:00:00Z)",
            );
            None
        }
    }
}

fn search_query(errors: &mut FieldErrors, value: Option<&str>) -> Option<SearchQuery> {
    let value = value?;
    if value.chars().count() > QUERY_MAX {
        errors.add("q", format!("must be at most {QUERY_MAX} characters"));
        return None;
    }
    let query = SearchQuery::parse(value);
    if query.is_none() {
        errors.add("q", "must contain at least one word (letters or digits)");
    }
    query
}

impl ArticleListQuery {
    fn filter(&self, audience: Audience) -> Result<ArticleFilter, ApiError> {
        let asks_unpublished = !matches!(self.status, None | Some(ArticleStatus::Published));
        if audience == Audience::Public && asks_unpublished {
            return Err(ApiError::Forbidden(
                "Only signed-in staff may list unpublished articles.".to_owned(),
            ));
        }
        let mut errors = FieldErrors::new();
        let from = date_bound(&mut errors, "from", self.from.as_deref(), Bound::Start);
        let to = date_bound(&mut errors, "to", self.to.as_deref(), Bound::End);
        let search = search_query(&mut errors, self.q.as_deref());
        let sort = match (self.sort, &self.q) {
            (None, Some(_)) | (Some(ArticleSort::Relevance), _) => Sort::Relevance,
            (None, None) | (Some(ArticleSort::PublishedDesc), _) => Sort::PublishedDesc,
            (Some(ArticleSort::PublishedAsc), _) => Sort::PublishedAsc,
            (Some(ArticleSort::UpdatedDesc), _) => Sort::UpdatedDesc,
            (Some(ArticleSort::Title), _) => Sort::Title,
        };
        if sort == Sort::Relevance && self.q.is_none() {
            errors.add("sort", "relevance needs a search (q)");
        }
        let filter = ArticleFilter {
            topics: slug_groups(&mut errors, "topic", self.topic.as_deref()),
            entities: slug_groups(&mut errors, "entity", self.entity.as_deref()),
            kind: self.kind,
            // Resolved by `list_articles`: a slug needs the database.
            author: None,
            source: self.source.clone(),
            published_from: from,
            published_to: to,
            search,
            audience,
            status: match self.status {
                None if audience != Audience::Public => StatusFilter::Any,
                None | Some(ArticleStatus::Published) => StatusFilter::Public,
                Some(ArticleStatus::Scheduled) => StatusFilter::Pending,
                Some(ArticleStatus::Draft) => StatusFilter::Draft,
                Some(ArticleStatus::Archived) => StatusFilter::Archived,
            },
            sort,
        };
        errors.finish()?;
        Ok(filter)
    }
}

/// Where a cursor resumes, as it travels inside the opaque string.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "s")]
enum CursorKey {
    #[serde(rename = "p")]
    Published { t: Option<NaiveDateTime>, i: i32 },
    #[serde(rename = "u")]
    Updated { t: NaiveDateTime, i: i32 },
    #[serde(rename = "t")]
    Title { t: String, i: i32 },
    /// The search tier as its `rank` (3, 2 or 1).
    #[serde(rename = "r")]
    Relevance { t: u8, i: i32 },
}

impl From<SortKey> for CursorKey {
    fn from(key: SortKey) -> Self {
        match key {
            SortKey::Published(t, i) => CursorKey::Published { t, i },
            SortKey::Updated(t, i) => CursorKey::Updated { t, i },
            SortKey::Title(t, i) => CursorKey::Title { t, i },
            SortKey::Relevance(tier, i) => CursorKey::Relevance {
                t: tier.score() as u8,
                i,
            },
        }
    }
}

impl TryFrom<CursorKey> for SortKey {
    type Error = ApiError;

    fn try_from(key: CursorKey) -> Result<Self, ApiError> {
        Ok(match key {
            CursorKey::Published { t, i } => SortKey::Published(t, i),
            CursorKey::Updated { t, i } => SortKey::Updated(t, i),
            CursorKey::Title { t, i } => SortKey::Title(t, i),
            CursorKey::Relevance { t, i } => match SearchTier::from_score(t) {
                Some(tier) => SortKey::Relevance(tier, i),
                None => return Err(ApiError::invalid("cursor", "is not a cursor of this list")),
            },
        })
    }
}

/// The account `?author=` names (an id or an author's slug); a 422 when
/// none does, as for an unknown topic.
async fn author_id(state: &AppState, value: Option<&str>) -> Result<Option<i32>, ApiError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let key = crate::store::Key::parse(value.trim());
    let found = db::run(&state.pool, move |conn| {
        Ok(crate::store::authors::resolve(conn, &key)?)
    })
    .await?;
    match found {
        Some(id) => Ok(Some(id)),
        None => Err(ApiError::invalid(
            "author",
            format!("names no author: {value}"),
        )),
    }
}

/// List articles, without their bodies.
///
/// Anonymous readers see published articles; authors also their own
/// unpublished ones; editors and admins every article. Page with `page`,
/// or follow `meta.next_cursor` with `cursor` for deep paging.
#[utoipa::path(
    tag = "articles",
    params(ArticleListQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "A page of articles", body = pagination::Page<ArticleListItem>,
        headers(("X-Total-Count" = i64, description = "Articles on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))),
        (status = 403, description = "An unpublished status asked for without signing in", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    answers: web::Data<crate::api::Answers>,
    user: MaybeUser,
    req: HttpRequest,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, ApiError> {
    let audience = audience(&user);
    let mut filter = query.filter(audience)?;
    filter.author = author_id(&state, query.author.as_deref()).await?;
    let projection = Projection::parse(query.fields.as_deref(), projection::LIST_FIELDS)?;
    let asked_facets = facets::parse(query.facets.as_deref())?;
    // A cursor is bound to the validated filter: every parameter but the
    // paging ones, the order as resolved (so that `sort=-published_at` and
    // no `sort`, the same order, take each other's cursors), and who is
    // asking (their lists differ).
    let fingerprint = pagination::fingerprint(&filter.stable_key());
    let (spec, position) = match &query.cursor {
        None => {
            let page = pagination::page_request(query.page, query.per_page)?;
            (PageSpec::Offset(page), pagination::Position::Page(page))
        }
        Some(cursor) => {
            let mut errors = FieldErrors::new();
            let per_page = pagination::per_page(&mut errors, query.per_page);
            if query.page.is_some() {
                errors.add("page", "cannot be combined with cursor");
            }
            errors.finish()?;
            let after: CursorKey = pagination::decode_cursor(fingerprint, cursor)?;
            let spec = PageSpec::After {
                per_page,
                after: Some(after.try_into()?),
            };
            (spec, pagination::Position::Cursor { per_page })
        }
    };
    // The body carries cursors, which are bound to the fingerprint.
    let key = format!(
        "{}|{}{}{}",
        filter.stable_key(),
        spec.stable_key(),
        projection::key(projection.as_ref()),
        facets::key(asked_facets.as_deref()),
    );
    let cached = answers.into_inner();
    let urls = state.config.urls.clone();
    let page = db::run(&state.pool, move |conn| {
        cached.article_lists.get_or_load(conn, key, |conn| {
            let resolved = store::Resolved::new(conn, &filter)?;
            // Other pages of the same list share its total, which is most of
            // the cost of a tag filter or a search (see cache::Total).
            let total = cached
                .article_totals
                .get_or_load(conn, filter.stable_key(), |conn| {
                    Ok(store::count(conn, &resolved)
                        .map(|total| (Total(total), resolved.keys()))?)
                })?;
            let parts = projection::parts(projection.as_ref());
            let page = store::page_parts(conn, &resolved, &spec, total.0, parts)?;
            let next_cursor = page
                .next
                .map(|key| pagination::encode_cursor(fingerprint, &CursorKey::from(key)));
            let data: Vec<ArticleListItem> = page
                .items
                .into_iter()
                .zip(page.ranks)
                .map(|(item, rank)| ArticleListItem {
                    rank,
                    ..ArticleListItem::new(item, &urls)
                })
                .collect();
            let mut depends_on = page.depends_on;
            let counted = match &asked_facets {
                None => None,
                Some(asked) => {
                    // Facets count every article of the set: any change
                    // to one (its tags, source, author, date) may move them.
                    depends_on.push(keys::LIST_ARTICLES.to_owned());
                    let counted = store::facets::facets(conn, &resolved, asked)?;
                    let counted = ArticleFacets::from(counted);
                    Some(
                        serde_json::to_value(counted)
                            .map_err(|err| ApiError::Internal(err.into()))?,
                    )
                }
            };
            let (total, exact) = (page.total.n, page.total.exact);
            let rendered = match &projection {
                None => {
                    pagination::render_faceted(position, total, exact, next_cursor, data, counted)?
                }
                Some(projection) => {
                    let data = data
                        .iter()
                        .map(|item| projection.apply(item))
                        .collect::<Result<Vec<_>, _>>()?;
                    pagination::render_faceted(position, total, exact, next_cursor, data, counted)?
                }
            }
            .with_surrogate_keys(keys::surrogate(&depends_on));
            Ok((rendered, depends_on))
        })
    })
    .await?;
    pagination::respond_rendered(&req, &page)
}
