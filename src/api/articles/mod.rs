//! `/api/v1/articles`: stories, their tags and their workflow.

pub mod corrections;
pub mod facets;
pub mod jsonld;
mod list;
pub mod preview;
pub mod projection;
mod related;
pub mod revisions;

pub use facets::ArticleFacets;
pub use list::{__path_list_articles, ArticleListQuery, ArticleSort, list_articles};
pub use related::{
    __path_related_articles, RelatedArticles, RelatedQuery, RenderedRelated, related_articles,
};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::EntitySummary;
use super::etag::{self, IfMatch};
use super::media::Media;
use super::packed::PackedJson;
use super::topics::TopicSummary;
use super::{ApiJson, IdOrSlug, created, fields, nullable, tagged, utc};
use crate::audit::{Actor, Target};
use crate::auth::{AuthUser, MaybeUser, Role};
use crate::db;
pub use crate::domain::ArticleStatus;
use crate::domain::AuditAction;
use crate::error::{ApiError, FieldErrors};
use crate::http::RequestInfo;
use crate::state::AppState;
use crate::store::articles::{
    self as store, ArticleChanges, ArticleRecord, ArticleSummary as SummaryRecord,
    ArticleSummaryRow, Audience, NewArticle,
};
use crate::store::keys;
use crate::store::old_slugs::Owner;
use crate::urls::PublicUrls;
use crate::webhooks::events;
use projection::Projection;

const TITLE_MAX: usize = 300;
const SUBTITLE_MAX: usize = 500;
const SUMMARY_MAX: usize = 1_000;
const BODY_MAX_BYTES: usize = 1_000_000;
const SOURCE_MAX: usize = 200;
const BYLINE_MAX: usize = 200;
pub(crate) const TAGS_MAX: usize = 50;

/// The staff user who owns an article, as its byline links to them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "newsroom", "display_name": "Newsroom",
    "url": "https://news.example/authors/newsroom"}))]
pub struct Author {
    pub id: i32,
    /// The author page's name (`GET /authors/{slug}`).
    pub slug: String,
    pub display_name: String,
    /// The author's page on the site (`NEWSDESK_SITE_URL` + `/authors/{slug}`).
    pub url: String,
}

/// What search engines and social cards show of an article; each field
/// left null means "use the article's own" (title, summary, featured
/// image, `url`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"title": "North Korea rejects G7 statement", "description": null,
    "canonical_url": null, "image": null}))]
pub struct Seo {
    /// The `<title>` and `og:title`.
    pub title: Option<String>,
    /// The meta description and `og:description`.
    pub description: Option<String>,
    /// Where the story first ran, when not here (wire copy, syndication).
    pub canonical_url: Option<String>,
    /// The social card's image.
    pub image: Option<Media>,
}

/// The SEO fields of a write: all optional. In a PATCH the object
/// replaces the stored one whole (absent fields become null).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "North Korea rejects G7 statement",
    "description": "Pyongyang called the allies' statement interference.",
    "canonical_url": "https://wire.example/2024/05/31/nk-g7", "image": 7}))]
pub struct SeoInput {
    /// At most 300 characters.
    pub title: Option<String>,
    /// At most 1,000 characters.
    pub description: Option<String>,
    /// An absolute http(s) URL.
    pub canonical_url: Option<String>,
    /// A media id; an unknown one is a 422.
    pub image: Option<i32>,
}

impl SeoInput {
    fn validate(self, errors: &mut FieldErrors) -> store::Seo {
        store::Seo {
            title: fields::optional_line(errors, "seo.title", self.title.as_deref(), TITLE_MAX),
            description: fields::optional_line(
                errors,
                "seo.description",
                self.description.as_deref(),
                SUMMARY_MAX,
            ),
            canonical_url: fields::optional_url(
                errors,
                "seo.canonical_url",
                self.canonical_url.as_deref(),
            ),
            image_id: self.image,
        }
    }
}

/// An article as listed: every field but the body.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "slug": "north-korea-warns-g7-over-russia-ties",
    "title": "North Korea warns G7 over Russia ties",
    "subtitle": "Pyongyang rejects the allies' statement as interference",
    "summary": "North Korea's foreign ministry on Sunday denounced the G7 statement.",
    "status": "published", "published_at": "2024-05-31T09:00:00Z",
    "source": "AFP", "byline": "Staff and agencies",
    "author": {"id": 1, "slug": "newsroom", "display_name": "Newsroom",
        "url": "https://news.example/authors/newsroom"},
    "topics": [{"id": 1, "slug": "world", "name": "World",
        "url": "https://news.example/topics/world"}],
    "entities": [{"id": 3, "slug": "north-korea", "name": "North Korea", "kind": "country",
                  "url": "https://news.example/entities/north-korea"},
                 {"id": 5, "slug": "g7", "name": "G7", "kind": "organisation",
                  "url": "https://news.example/entities/g7"}],
    "url": "https://news.example/2024/05/31/north-korea-warns-g7-over-russia-ties",
    "featured_image": {"id": 7, "url": "/api/v1/media/7/file", "content_type": "image/jpeg",
        "width": 1200, "height": 800, "bytes": 183244,
        "alt": "Delegates at the G7 summit", "caption": null, "credit": "Photo: Newsroom",
        "focal_point": null,
        "renditions": [{"width": 320, "url": "/api/v1/media/7/file?w=320"},
                       {"width": 640, "url": "/api/v1/media/7/file?w=640"},
                       {"width": 1024, "url": "/api/v1/media/7/file?w=1024"}],
        "created_at": "2024-05-31T08:30:00Z"},
    "seo": {"title": null, "description": null, "canonical_url": null, "image": null},
    "comments_open": true, "comment_count": 0, "word_count": 412, "reading_time_minutes": 3,
    "created_at": "2024-05-31T08:40:00Z", "updated_at": "2024-05-31T09:00:00Z", "version": 2,
    "expires_at": "2024-08-31T09:00:00Z", "expired": false,
    "corrections": [{"id": 4, "kind": "correction",
        "text": "An earlier version of this story misstated the date of the G7 statement.",
        "created_at": "2024-06-01T10:15:00Z"}]
}))]
pub struct ArticleListItem {
    pub id: i32,
    pub slug: String,
    pub title: String,
    /// The standfirst, or dek.
    pub subtitle: Option<String>,
    /// An excerpt for cards and feeds.
    pub summary: Option<String>,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    /// Where the story came from, e.g. the wire agency.
    pub source: Option<String>,
    /// The byline as printed.
    pub byline: Option<String>,
    pub author: Author,
    /// Ordered by name.
    pub topics: Vec<TopicSummary>,
    /// Ordered by kind, then name.
    pub entities: Vec<EntitySummary>,
    /// The image at the head of the story, with its alt text and
    /// renditions.
    pub featured_image: Option<Media>,
    pub seo: Seo,
    pub comments_open: bool,
    /// Approved comments.
    pub comment_count: i32,
    /// Words in the body.
    pub word_count: i32,
    /// At 200 words a minute, rounded up.
    pub reading_time_minutes: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// 1 when created, +1 on every change.
    pub version: i32,
    /// The article's page on the site: `NEWSDESK_SITE_URL` and
    /// `NEWSDESK_ARTICLE_PATH` (default `/{yyyy}/{mm}/{dd}/{slug}`, dated
    /// by publication, or by creation until the article is published).
    pub url: String,
    /// Corrections, clarifications and updates, oldest first.
    pub corrections: Vec<corrections::Correction>,
    /// From this time on the article is no longer public (see `expired`).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether `expires_at` has passed: the article is withdrawn from the
    /// public (lists, feeds, sitemaps, counts; a 410 by id or slug) and
    /// its `status` reads `archived`. Only staff see it then.
    pub expired: bool,
    /// With `q` only: how well the article matches, higher is better: 3
    /// when every word is in the title, 2 when every word is in the
    /// title, subtitle, summary or the names of its topics and entities,
    /// 1 when the body has the rest.
    #[schema(example = 3.0)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f64>,
}

impl ArticleListItem {
    pub fn new(record: SummaryRecord, urls: &PublicUrls) -> Self {
        let now = crate::store::now();
        let status = record.row.effective_status(now);
        let expired = record.row.is_expired(now);
        let row = record.row;
        ArticleListItem {
            url: urls.article(row.id, &row.slug, row.published_at, row.created_at),
            id: row.id,
            slug: row.slug,
            title: row.title,
            subtitle: row.subtitle,
            summary: row.summary,
            status,
            published_at: row.published_at.map(utc),
            source: row.source,
            byline: row.byline,
            author: {
                let slug = record.author.slug.unwrap_or_default();
                Author {
                    id: record.author.id,
                    url: urls.author(&slug),
                    slug,
                    display_name: record.author.display_name,
                }
            },
            topics: record
                .topics
                .into_iter()
                .map(|topic| TopicSummary::new(topic, urls))
                .collect(),
            entities: record
                .entities
                .into_iter()
                .map(|entity| EntitySummary::new(entity, urls))
                .collect(),
            featured_image: record.featured_image.map(Media::from),
            seo: Seo {
                title: row.seo_title,
                description: row.seo_description,
                canonical_url: row.seo_canonical_url,
                image: record.seo_image.map(Media::from),
            },
            comments_open: row.comments_open,
            comment_count: row.comment_count,
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
            corrections: record
                .corrections
                .into_iter()
                .map(corrections::Correction::from)
                .collect(),
            expires_at: row.expires_at.map(utc),
            expired,
            rank: None,
        }
    }
}

/// A whole article: the list fields plus the body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Article {
    #[serde(flatten)]
    pub item: ArticleListItem,
    /// Markdown (CommonMark).
    #[schema(example = "PYONGYANG (AFP) - North Korea on Sunday **rejected** the G7 statement…")]
    pub body: String,
    /// The body rendered to HTML and sanitised: no scripts, event handlers
    /// or `javascript:` URLs.
    #[schema(
        example = "<p>PYONGYANG (AFP) - North Korea on Sunday <strong>rejected</strong> the G7 statement…</p>\n"
    )]
    pub body_html: String,
}

impl Article {
    pub fn new(record: ArticleRecord, urls: &PublicUrls) -> Self {
        Article {
            item: ArticleListItem::new(record.summary, urls),
            body: record.body.body,
            body_html: record.body.body_html,
        }
    }
}

/// An article to create (POST) or a full replacement (PUT): fields left
/// out take their defaults, except `slug`, which on PUT stays as it is when
/// absent so that published URLs do not break.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "North Korea warns G7 over Russia ties",
    "summary": "Pyongyang denounced the allies' statement.",
    "body": "PYONGYANG (AFP) - North Korea on Sunday **rejected** the G7 statement…",
    "status": "published", "source": "AFP",
    "topics": ["world"], "entities": ["north-korea", "g7"]
}))]
pub struct ArticleInput {
    /// Made from the title when absent (and made unique with `-2`, `-3`…);
    /// a taken slug given here is a 409.
    pub slug: Option<String>,
    pub title: String,
    /// The standfirst, or dek.
    pub subtitle: Option<String>,
    /// An excerpt for cards and feeds.
    pub summary: Option<String>,
    /// Markdown (CommonMark). Default empty.
    #[serde(default)]
    pub body: String,
    /// Default `draft`. `scheduled` needs a future `published_at`;
    /// `published` without `published_at` is published now, and
    /// `published` with a future `published_at` is stored as `scheduled`
    /// (WordPress's "future"): public by itself at that time, never before.
    pub status: Option<ArticleStatus>,
    pub published_at: Option<DateTime<Utc>>,
    /// Where the story came from, e.g. the wire agency.
    pub source: Option<String>,
    /// The byline as printed.
    pub byline: Option<String>,
    /// Topic slugs, at most 50; an unknown slug is a 422 naming it.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Entity slugs, at most 50; an unknown slug is a 422 naming it.
    #[serde(default)]
    pub entities: Vec<String>,
    /// Default true.
    pub comments_open: Option<bool>,
    /// The owner's user id. Editors and admins only (an author giving
    /// another id gets a 403); default: the signed-in user.
    pub author_id: Option<i32>,
    /// A media id. Publishing with a featured image that has no alt text
    /// is a 422.
    pub featured_image: Option<i32>,
    pub seo: Option<SeoInput>,
    /// From this time on the article is no longer public; it must be
    /// after `published_at`, and in the future to publish. On PUT, absent
    /// keeps the stored one and `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

impl crate::api::Checked for ArticleInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        crate::api::errors_of(self.validate())
    }
}

impl ArticleInput {
    pub(crate) fn validate(self) -> Result<NewArticle, ApiError> {
        let mut errors = FieldErrors::new();
        let article = NewArticle {
            slug: fields::optional_slug(&mut errors, "slug", self.slug.as_deref()),
            title: fields::line(&mut errors, "title", &self.title, TITLE_MAX),
            subtitle: fields::optional_line(
                &mut errors,
                "subtitle",
                self.subtitle.as_deref(),
                SUBTITLE_MAX,
            ),
            summary: fields::optional_text(
                &mut errors,
                "summary",
                self.summary.as_deref(),
                SUMMARY_MAX,
            ),
            body: fields::text_bytes(&mut errors, "body", &self.body, BODY_MAX_BYTES),
            status: self.status.unwrap_or(ArticleStatus::Draft),
            published_at: self
                .published_at
                .map(|at| fields::timestamp(&mut errors, "published_at", at)),
            source: fields::optional_line(
                &mut errors,
                "source",
                self.source.as_deref(),
                SOURCE_MAX,
            ),
            byline: fields::optional_line(
                &mut errors,
                "byline",
                self.byline.as_deref(),
                BYLINE_MAX,
            ),
            topics: fields::slug_list(&mut errors, "topics", &self.topics, TAGS_MAX),
            entities: fields::slug_list(&mut errors, "entities", &self.entities, TAGS_MAX),
            comments_open: self.comments_open.unwrap_or(true),
            author_id: self.author_id,
            featured_image_id: self.featured_image,
            seo: self.seo.unwrap_or_default().validate(&mut errors),
            expires_at: self
                .expires_at
                .flatten()
                .map(|at| fields::timestamp(&mut errors, "expires_at", at)),
        };
        errors.finish()?;
        Ok(article)
    }
}

/// Changes to an article: absent fields stay as they are; `null` clears
/// `subtitle`, `summary`, `published_at`, `source` or `byline`, and empties
/// `topics` or `entities` (which otherwise replace the whole list). The
/// other fields cannot be `null` (422): leave them out to keep them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subtitle": null, "entities": ["north-korea", "russia", "g7"]}))]
pub struct ArticlePatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub subtitle: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// Markdown (CommonMark).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub body: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = ArticleStatus, required = false)]
    pub status: Option<Option<ArticleStatus>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub byline: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<String>>)]
    pub topics: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<String>>)]
    pub entities: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = bool, required = false)]
    pub comments_open: Option<Option<bool>>,
    /// Reassigns the article (editors and admins only).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = i32, required = false)]
    pub author_id: Option<Option<i32>>,
    /// A media id; null removes the featured image.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub featured_image: Option<Option<i32>>,
    /// Replaces the SEO fields whole; null clears them all.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SeoInput>)]
    pub seo: Option<Option<SeoInput>>,
    /// From this time on the article is no longer public; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

impl crate::api::Checked for ArticlePatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        crate::api::errors_of(self.validate())
    }
}

impl ArticlePatch {
    fn validate(self) -> Result<ArticleChanges, ApiError> {
        let mut e = FieldErrors::new();
        let changes = ArticleChanges {
            slug: fields::not_null(&mut e, "slug", self.slug)
                .and_then(|slug| fields::optional_slug(&mut e, "slug", Some(&slug))),
            title: fields::not_null(&mut e, "title", self.title)
                .map(|title| fields::line(&mut e, "title", &title, TITLE_MAX)),
            subtitle: self.subtitle.map(|value| {
                fields::optional_line(&mut e, "subtitle", value.as_deref(), SUBTITLE_MAX)
            }),
            summary: self.summary.map(|value| {
                fields::optional_text(&mut e, "summary", value.as_deref(), SUMMARY_MAX)
            }),
            body: fields::not_null(&mut e, "body", self.body)
                .map(|body| fields::text_bytes(&mut e, "body", &body, BODY_MAX_BYTES)),
            status: fields::not_null(&mut e, "status", self.status),
            published_at: self
                .published_at
                .map(|at| at.map(|at| fields::timestamp(&mut e, "published_at", at))),
            source: self
                .source
                .map(|value| fields::optional_line(&mut e, "source", value.as_deref(), SOURCE_MAX)),
            byline: self
                .byline
                .map(|value| fields::optional_line(&mut e, "byline", value.as_deref(), BYLINE_MAX)),
            // null empties a tag list, as [] does.
            topics: self.topics.map(|list| {
                fields::slug_list(&mut e, "topics", &list.unwrap_or_default(), TAGS_MAX)
            }),
            entities: self.entities.map(|list| {
                fields::slug_list(&mut e, "entities", &list.unwrap_or_default(), TAGS_MAX)
            }),
            comments_open: fields::not_null(&mut e, "comments_open", self.comments_open),
            author_id: fields::not_null(&mut e, "author_id", self.author_id),
            featured_image_id: self.featured_image,
            seo: self.seo.map(|seo| seo.unwrap_or_default().validate(&mut e)),
            expires_at: self
                .expires_at
                .map(|at| at.map(|at| fields::timestamp(&mut e, "expires_at", at))),
        };
        e.finish()?;
        Ok(changes)
    }
}

/// What a reader may see: the public its published articles, an author
/// also their own, editors and admins everything.
pub fn audience(user: &MaybeUser) -> Audience {
    match &user.0 {
        None => Audience::Public,
        Some(user) if user.role >= Role::Editor => Audience::Everyone,
        Some(user) => Audience::Owner(user.id),
    }
}

/// An article as served: its JSON, serialized once, and what decides who
/// may see it.
pub struct RenderedArticle {
    row: ArticleSummaryRow,
    etag: String,
    body: PackedJson,
    /// The `Surrogate-Key` header: the article, its author and its tags.
    surrogate_keys: String,
}

impl RenderedArticle {
    /// The rendered article, and what it depends on (see `cache`).
    fn new(
        record: ArticleRecord,
        urls: &PublicUrls,
        projection: Option<&Projection>,
    ) -> Result<(RenderedArticle, Vec<String>), ApiError> {
        let row = record.summary.row.clone();
        let surrogate_keys = keys::surrogate(&record.summary.keys());
        let depends_on = vec![keys::article(row.id), keys::NAMES.to_owned()];
        let article = Article::new(record, urls);
        let body = match projection {
            None => serde_json::to_vec(&article),
            Some(projection) => serde_json::to_vec(&projection.apply(&article)?),
        }
        .map_err(|err| ApiError::Internal(err.into()))?;
        let rendered = RenderedArticle {
            etag: etag::of_bytes(&body),
            row,
            body: PackedJson::pack(&body)?,
            surrogate_keys,
        };
        Ok((rendered, depends_on))
    }
}

impl crate::cache::Weigh for RenderedArticle {
    fn weight(&self) -> usize {
        // The row's strings are small next to the body; count them roughly.
        std::mem::size_of::<Self>()
            + self.body.weight()
            + self.etag.len()
            + self.surrogate_keys.len()
            + 512
    }
}

/// Query parameters of `GET /articles/{id_or_slug}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Only these top-level fields, comma-separated (unknown names are a
    /// 422 naming them); each set of fields is its own representation,
    /// with its own ETag. Example: `id,slug,title,body_html`.
    pub fields: Option<String>,
    /// A preview token (`POST /articles/{id_or_slug}/preview`): shows the
    /// article as staff see it, whatever its status, to whoever holds the
    /// token; never cached (`Cache-Control: private, no-store`,
    /// `X-Robots-Tag: noindex`). A token that is invalid, expired,
    /// revoked or for another article is a 403.
    pub preview: Option<String>,
}

/// Get one article by id or slug, with its body.
///
/// An article the reader may not see is a 404, as if it did not exist;
/// one whose `expires_at` has passed is a 410 for those who may not see
/// it (staff still get it, with `expired: true`). `fields=` narrows it to
/// the fields named.
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug, ArticleQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article", body = Article),
        (status = 403, description = "A `preview` token that is invalid, expired, revoked or for another article", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The article has expired (`expires_at` passed): no longer public", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 301, description = "An old slug of the article: `Location` names the current one",
            body = super::MovedSlug, headers(("Location" = String, description = "/api/v1/articles/{current-slug}"))),
    )
)]
#[get("/articles/{id_or_slug}")]
pub async fn get_article(
    state: web::Data<AppState>,
    answers: web::Data<super::Answers>,
    user: MaybeUser,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
    query: web::Query<ArticleQuery>,
) -> Result<HttpResponse, ApiError> {
    let projection = Projection::parse(query.fields.as_deref(), projection::ARTICLE_FIELDS)?;
    let key = path.key();
    if let Some(token) = &query.preview {
        return preview::respond(&state, key, token).await;
    }
    let cached = answers.into_inner();
    let lookup = key.clone();
    let urls = state.config.urls.clone();
    let article = match db::run(&state.pool, move |conn| {
        let cache_key = format!(
            "{}{}",
            lookup.stable_key(),
            projection::key(projection.as_ref())
        );
        cached.articles.get_or_load(conn, cache_key, |conn| {
            RenderedArticle::new(store::find(conn, &lookup)?, &urls, projection.as_ref())
        })
    })
    .await
    {
        Err(not_found @ ApiError::NotFound(_)) => {
            return super::moved_or(&state.pool, Owner::Article, &req, key, not_found).await;
        }
        found => found?,
    };
    let now = crate::store::now();
    if !audience(&user).can_see(&article.row, now) {
        // What was public and has expired is gone; what never was public
        // stays unknown.
        if article.row.is_expired(now) && article.row.has_been_public(now) {
            return Err(ApiError::Gone(
                "This article has expired and is no longer published.".to_owned(),
            ));
        }
        return Err(ApiError::NotFound(
            "No article has this id or slug.".to_owned(),
        ));
    }
    let mut response = HttpResponse::Ok();
    response.insert_header((header::ETAG, article.etag.clone()));
    response.insert_header((
        super::pagination::SURROGATE_KEY,
        article.surrogate_keys.clone(),
    ));
    article.body.respond(&req, response)
}

/// Authors may only give their own id as `author_id`.
fn check_reassignment(user: &AuthUser, author_id: Option<i32>) -> Result<(), ApiError> {
    match author_id {
        Some(id) if id != user.id && user.role < Role::Editor => Err(ApiError::Forbidden(
            "Only editors and admins may set author_id to another user.".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// The ETag a GET of the article sends now (the same bytes, so the same tag).
fn current_etag(record: &ArticleRecord, urls: &PublicUrls) -> Result<String, ApiError> {
    etag::of(&Article::new(record.clone(), urls))
}

/// Authors edit their own articles; editors and admins every one.
/// A stale `If-Match` is a 412, checked after the role.
fn may_edit(
    user: &AuthUser,
    urls: &PublicUrls,
    if_match: IfMatch,
) -> impl FnOnce(&ArticleRecord) -> Result<(), ApiError> + use<> {
    let (id, role, urls) = (user.id, user.role, urls.clone());
    move |record| {
        if role >= Role::Editor || record.summary.row.author_id == id {
            if_match.check(&current_etag(record, &urls)?)
        } else {
            Err(ApiError::Forbidden(
                "Authors may only edit their own articles.".to_owned(),
            ))
        }
    }
}

/// Authors delete their own drafts; editors and admins any article.
fn may_delete(
    user: &AuthUser,
    urls: &PublicUrls,
    if_match: IfMatch,
) -> impl FnOnce(&ArticleRecord) -> Result<(), ApiError> + use<> {
    let (id, role, urls) = (user.id, user.role, urls.clone());
    move |record| {
        let row = &record.summary.row;
        if role >= Role::Editor || (row.author_id == id && row.status == ArticleStatus::Draft) {
            if_match.check(&current_etag(record, &urls)?)
        } else {
            Err(ApiError::Forbidden(
                "Authors may only delete their own drafts.".to_owned(),
            ))
        }
    }
}

/// Create an article (any staff role); it belongs to the signed-in user
/// unless an editor gives `author_id`.
#[utoipa::path(
    tag = "articles",
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses((status = 201, description = "Created; `Location` names it", body = Article,
        headers(("Location" = String, description = "URL of the new article"))))
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    body: ApiJson<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0.validate()?;
    check_reassignment(&user, new.author_id)?;
    let author_id = new.author_id.unwrap_or(user.id);
    let urls = state.config.urls.clone();
    let user_id = user.id;
    let actor = Actor::staff(&user, &request);
    let record = db::write(&state.pool, move |conn| {
        let record = store::create(conn, &new, author_id)?;
        let change = events::article_saved(conn, &urls, None, &record)?;
        actor.article_saved(conn, record.summary.row.id, change)?;
        crate::store::revisions::record(conn, user_id, None, &record)?;
        Ok(record)
    })
    .await?;
    Ok(created(
        format!("/api/v1/articles/{}", record.summary.row.id),
        &Article::new(record, &state.config.urls),
    ))
}

/// Replace an article (its author, or an editor or admin).
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug),
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses((status = 200, description = "The article as replaced", body = Article))
)]
#[put("/articles/{id_or_slug}")]
pub async fn replace_article(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
    body: ApiJson<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    // An absent `expires_at` keeps the stored one (a PUT from a client
    // that does not know the field must not clear it).
    let keeps_expiry = body.0.expires_at.is_none();
    let mut changes = ArticleChanges::from(body.0.validate()?);
    if keeps_expiry {
        changes.expires_at = None;
    }
    save(&state, &user, &request, &path, if_match, changes).await
}

/// Applies validated changes (a PUT or a PATCH) as `user`, if `if_match`
/// still holds, and answers with the article and its new ETag.
async fn save(
    state: &AppState,
    user: &AuthUser,
    request: &RequestInfo,
    path: &IdOrSlug,
    if_match: IfMatch,
    changes: ArticleChanges,
) -> Result<HttpResponse, ApiError> {
    check_reassignment(user, changes.author_id)?;
    let key = path.key();
    let authorize = may_edit(user, &state.config.urls, if_match);
    let urls = state.config.urls.clone();
    let user_id = user.id;
    let actor = Actor::staff(user, request);
    let record = db::write(&state.pool, move |conn| {
        let mut before = None;
        let record = store::update(conn, &key, &changes, |current| {
            before = Some(current.clone());
            authorize(current)
        })?;
        let change = events::article_saved(conn, &urls, before.as_ref(), &record)?;
        actor.article_saved(conn, record.summary.row.id, change)?;
        crate::store::revisions::record(conn, user_id, before.as_ref(), &record)?;
        Ok(record)
    })
    .await?;
    tagged(&Article::new(record, &state.config.urls))
}

/// Change some fields of an article (its author, or an editor or admin).
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug),
    request_body = ArticlePatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The article as changed", body = Article))
)]
#[patch("/articles/{id_or_slug}")]
pub async fn update_article(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
    body: ApiJson<ArticlePatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.0.validate()?;
    save(&state, &user, &request, &path, if_match, changes).await
}

/// Delete an article with its tags (an author their own drafts; editors
/// and admins any article).
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/articles/{id_or_slug}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = path.key();
    let authorize = may_delete(&user, &state.config.urls, if_match);
    let urls = state.config.urls.clone();
    let actor = Actor::staff(&user, &request);
    db::write(&state.pool, move |conn| {
        let mut before = None;
        store::delete(conn, &key, |current| {
            before = Some(current.clone());
            authorize(current)
        })?;
        let Some(before) = before else {
            return Ok(());
        };
        let row = &before.summary.row;
        actor.record(
            conn,
            AuditAction::ArticleDeleted,
            Some(Target::Article(row.id)),
            Some(serde_json::json!({"slug": row.slug, "title": row.title})),
        )?;
        events::article_deleted(conn, &urls, &before)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
