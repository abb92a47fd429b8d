//! `GET /api/v1/articles/{id_or_slug}/jsonld`: the article as schema.org
//! `NewsArticle`, for a frontend to put in a `<script
//! type="application/ld+json">` so that search engines read the story, its
//! subjects and its corrections without scraping the page.

use actix_web::{HttpResponse, get, web};
use serde_json::{Value, json};

use super::{audience, store};
use crate::api::{IdOrSlug, utc};
use crate::auth::MaybeUser;
use crate::config::Config;
use crate::db;
use crate::domain::{CorrectionKind, EntityKind};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::articles::ArticleRecord;

/// The media type of JSON-LD (RFC 6839's `+json` suffix on W3C's type).
pub const LD_JSON: &str = "application/ld+json";

/// schema.org's type for each kind of entity.
fn schema_type(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Country => "Country",
        EntityKind::Organisation => "Organization",
        EntityKind::Person => "Person",
        EntityKind::Place => "Place",
    }
}

/// The `NewsArticle` of a stored article. Links are the article's public
/// URL, the same as in feeds and sitemaps (`crate::urls`); images are
/// served by this API, at `api_origin`.
pub fn news_article(record: &ArticleRecord, config: &Config, api_origin: &str) -> Value {
    let summary = &record.summary;
    let row = &summary.row;
    let url = config
        .urls
        .article(row.id, &row.slug, row.published_at, row.created_at);
    let about: Vec<Value> = summary
        .entities
        .iter()
        .map(|entity| {
            let mut thing = json!({"@type": schema_type(entity.kind), "name": entity.name});
            if let Some(website) = &entity.website {
                thing["sameAs"] = json!(website);
            }
            thing
        })
        .collect();
    let corrections: Vec<Value> = summary
        .corrections
        .iter()
        .map(|correction| {
            let label = match correction.kind {
                CorrectionKind::Correction => "Correction",
                CorrectionKind::Clarification => "Clarification",
                CorrectionKind::Update => "Update",
            };
            json!({
                "@type": "CorrectionComment",
                "text": format!("{label}: {}", correction.text),
                "datePublished": utc(correction.created_at),
            })
        })
        .collect();
    let mut article = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": row.title,
        "dateModified": utc(row.updated_at),
        "author": [{"@type": "Person", "name": row.byline.clone()
            .unwrap_or_else(|| summary.author.display_name.clone()),
            "url": config.urls.author(summary.author.slug.as_deref().unwrap_or_default())}],
        "publisher": {"@type": "Organization", "name": config.publication_name},
        "wordCount": row.word_count,
        "keywords": summary.topics.iter().map(|topic| topic.name.clone()).collect::<Vec<_>>(),
        "about": about,
        "correction": corrections,
    });
    // The social image when one is set, as search engines are told to show.
    if let Some(image) = summary
        .seo_image
        .as_ref()
        .or(summary.featured_image.as_ref())
    {
        let mut object = json!({
            "@type": "ImageObject",
            "url": format!("{api_origin}{}", crate::api::media::file_url(image.id)),
            "width": image.width,
            "height": image.height,
        });
        if let Some(caption) = image.caption.as_ref().or(image.alt.as_ref()) {
            object["caption"] = json!(caption);
        }
        if let Some(credit) = &image.credit {
            object["creditText"] = json!(credit);
        }
        article["image"] = json!([object]);
    }
    if let Some(description) = row
        .seo_description
        .as_ref()
        .or(row.summary.as_ref())
        .or(row.subtitle.as_ref())
    {
        article["description"] = json!(description);
    }
    if let Some(published_at) = row.published_at {
        article["datePublished"] = json!(utc(published_at));
    }
    if let Some(source) = &row.source {
        article["sourceOrganization"] = json!({"@type": "Organization", "name": source});
    }
    article
}

/// The article as schema.org `NewsArticle` JSON-LD: headline, dates,
/// author, publisher, the tagged entities as `about` (with `sameAs` their
/// website) and each correction as a `CorrectionComment`.
///
/// An article the reader may not see is a 404, as on `GET /articles/{id}`.
#[utoipa::path(
    tag = "articles",
    params(IdOrSlug),
    security((), ("bearer" = [])),
    responses((status = 200, description = "schema.org NewsArticle", content_type = "application/ld+json",
        body = Object, example = json!({
            "@context": "https://schema.org", "@type": "NewsArticle",
            "@id": "https://news.example.com/articles/north-korea-warns-g7",
            "url": "https://news.example.com/articles/north-korea-warns-g7",
            "mainEntityOfPage": "https://news.example.com/articles/north-korea-warns-g7",
            "headline": "North Korea warns G7 over Russia ties",
            "description": "Pyongyang denounced the allies' statement.",
            "datePublished": "2024-05-31T09:00:00Z", "dateModified": "2024-06-01T10:15:00Z",
            "author": [{"@type": "Person", "name": "Newsroom",
                "url": "https://news.example.com/authors/newsroom"}],
            "publisher": {"@type": "Organization", "name": "newsdesk"},
            "image": [{"@type": "ImageObject", "url": "https://api.news.example.com/api/v1/media/7/file",
                "width": 1200, "height": 800, "caption": "Delegates at the G7 summit",
                "creditText": "Photo: Newsroom"}],
            "wordCount": 412, "keywords": ["World"],
            "about": [{"@type": "Country", "name": "North Korea"},
                      {"@type": "Organization", "name": "G7", "sameAs": "https://www.g7germany.de"}],
            "correction": [{"@type": "CorrectionComment",
                "text": "Correction: An earlier version of this story misstated the date of the G7 statement.",
                "datePublished": "2024-06-01T10:15:00Z"}]
        })))
)]
#[get("/articles/{id_or_slug}/jsonld")]
pub async fn get_article_jsonld(
    state: web::Data<AppState>,
    user: MaybeUser,
    req: actix_web::HttpRequest,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    let key = path.key();
    let record = db::run(&state.pool, move |conn| Ok(store::find(conn, &key)?)).await?;
    if !audience(&user).can_see(&record.summary.row, crate::store::now()) {
        return Err(ApiError::NotFound(
            "No article has this id or slug.".to_owned(),
        ));
    }
    let origin = crate::api::feeds::own_origin(&req, &state.config);
    let body = news_article(&record, &state.config, &origin);
    Ok(HttpResponse::Ok().content_type(LD_JSON).json(body))
}
