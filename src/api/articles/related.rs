//! `GET /articles/{id_or_slug}/related`: the stories to read next.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ArticleListItem, audience};
use crate::api::packed::PackedJson;
use crate::api::pagination::SURROGATE_KEY;
use crate::api::{Answers, IdOrSlug, etag};
use crate::auth::MaybeUser;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::articles::{self as store, ArticleSummaryRow};
use crate::store::{keys, now};
use crate::urls::PublicUrls;

/// Related stories when `limit` is not given.
const LIMIT_DEFAULT: i64 = 5;
/// The most related stories one request may ask for.
const LIMIT_MAX: i64 = 20;

/// How many related stories to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedQuery {
    /// 1 to 20 (default 5; outside that range a 422).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<i64>,
}

/// The related stories, the most related first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"data": [{
    "id": 8, "slug": "g7-foreign-ministers-coordinate-new-sanctions-on-pyongyang",
    "title": "G7 foreign ministers coordinate new sanctions on Pyongyang",
    "subtitle": null, "summary": "The allies act together.",
    "status": "published", "published_at": "2024-05-03T10:00:00Z",
    "source": "Reuters", "byline": "Staff and agencies",
    "author": {"id": 2, "display_name": "Asia Desk"},
    "topics": [{"id": 6, "slug": "diplomacy", "name": "Diplomacy"}],
    "entities": [{"id": 12, "slug": "g7", "name": "G7", "kind": "organisation"},
                 {"id": 1, "slug": "north-korea", "name": "North Korea", "kind": "country"}],
    "comments_open": true, "comment_count": 0, "word_count": 120, "reading_time_minutes": 1,
    "created_at": "2024-05-03T10:00:00Z", "updated_at": "2024-05-03T10:00:00Z", "version": 1,
    "corrections": []
}]}))]
pub struct RelatedArticles {
    pub data: Vec<ArticleListItem>,
}

/// Stories related to an article.
///
/// Public articles (published, or scheduled whose time has come) that
/// share entities or topics with it, never itself: ranked by the entities
/// they share, each weighing 1 / ln(1 + its published articles) so that a
/// rare shared entity counts more than a common one, then by the topics
/// they share, then the newest first. An article the reader may not see is
/// a 404, as for `GET /articles/{id_or_slug}`; its related stories are the
/// public ones whoever asks.
#[utoipa::path(
    tag = "discovery",
    params(IdOrSlug, RelatedQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "The related stories, the most related first",
        body = RelatedArticles))
)]
#[get("/articles/{id_or_slug}/related")]
pub async fn related_articles(
    state: web::Data<AppState>,
    answers: web::Data<Answers>,
    user: MaybeUser,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
    query: web::Query<RelatedQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(LIMIT_DEFAULT);
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {LIMIT_MAX}"),
        ));
    }
    let (key, audience) = (path.key(), audience(&user));
    let (cached, urls) = (answers.into_inner(), state.config.urls.clone());
    let answer = db::run(&state.pool, move |conn| {
        let cache_key = format!("{}:{limit}", key.stable_key());
        cached.related.get_or_load(conn, cache_key, |conn| {
            let source = store::find_row(conn, &key)?;
            let related = store::related(conn, source.id, limit, now())?;
            RenderedRelated::new(source, related, &urls)
        })
    })
    .await?;
    // The answer is the same for every reader; whether its article may
    // be seen is not.
    if !audience.can_see(&answer.source, now()) {
        return Err(ApiError::NotFound(
            "No article has this id or slug.".to_owned(),
        ));
    }
    let mut response = HttpResponse::Ok();
    response.insert_header((header::ETAG, answer.etag.clone()));
    response.insert_header((SURROGATE_KEY, answer.surrogate_keys.clone()));
    answer.body.respond(&req, response)
}

/// A related-stories answer as the cache keeps it.
pub struct RenderedRelated {
    /// The article the stories are related to, to check who may see it.
    source: ArticleSummaryRow,
    etag: String,
    body: PackedJson,
    surrogate_keys: String,
}

impl RenderedRelated {
    /// The answer, and what it depends on (see `cache`): the article and
    /// its tags (which stories carry them, in which order), the stories
    /// shown, and the names they embed.
    fn new(
        source: ArticleSummaryRow,
        related: store::Related,
        urls: &PublicUrls,
    ) -> Result<(RenderedRelated, Vec<String>), ApiError> {
        let mut depends_on = vec![keys::article(source.id), keys::NAMES.to_owned()];
        depends_on.extend(related.tags);
        depends_on.extend(
            related
                .stories
                .iter()
                .map(|(summary, _)| keys::article(summary.row.id)),
        );
        let body = RelatedArticles {
            data: related
                .stories
                .into_iter()
                .map(|(summary, _)| ArticleListItem::new(summary, urls))
                .collect(),
        };
        let json = serde_json::to_vec(&body)
            .map_err(|err| ApiError::internal("cannot serialize related stories", err))?;
        let rendered = RenderedRelated {
            source,
            etag: etag::of_bytes(&json),
            body: PackedJson::pack(&json)?,
            surrogate_keys: keys::surrogate(&depends_on),
        };
        Ok((rendered, depends_on))
    }
}

impl crate::cache::Weigh for RenderedRelated {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.body.weight()
            + self.etag.len()
            + self.surrogate_keys.len()
            + 512
    }
}
