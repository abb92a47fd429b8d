//! `/api/v1/topics`: the sections articles are filed under, as a tree.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::etag::IfMatch;
use super::{ApiJson, IdOrSlug, fields, nullable, pagination, utc};
use crate::auth::{AuthUser, Role};
use crate::db::{self, Conn};
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;
use crate::store::Key;
use crate::store::old_slugs::Owner;
use crate::store::topics::{self as store, NewTopic, TopicChanges, TopicRecord, TopicRef};
use crate::urls::PublicUrls;
use crate::webhooks::events;

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 5_000;

/// A topic in short, as embedded in articles and as a parent.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "world", "name": "World",
    "url": "https://news.example/topics/world"}))]
pub struct TopicSummary {
    pub id: i32,
    pub slug: String,
    pub name: String,
    /// The topic's page on the site (`NEWSDESK_SITE_URL` + `/topics/{slug}`).
    pub url: String,
}

impl TopicSummary {
    pub fn new(topic: TopicRef, urls: &PublicUrls) -> Self {
        TopicSummary {
            id: topic.id,
            url: urls.topic(&topic.slug),
            slug: topic.slug,
            name: topic.name,
        }
    }
}

/// A topic: a section such as *World* or *Asia-Pacific*, in a tree.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 2, "slug": "asia-pacific", "name": "Asia-Pacific",
    "description": "Korea, Japan, China and the Pacific.",
    "parent": {"id": 1, "slug": "world", "name": "World",
        "url": "https://news.example/topics/world"},
    "url": "https://news.example/topics/asia-pacific",
    "article_count": 12,
    "created_at": "2024-05-31T09:00:00Z", "updated_at": "2024-05-31T09:00:00Z"
}))]
pub struct Topic {
    pub id: i32,
    /// Unique URL name, `^[a-z0-9]+(?:-[a-z0-9]+)*$`.
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    /// The topic above this one, or null at the top of the tree.
    pub parent: Option<TopicSummary>,
    /// The topic's page on the site (`NEWSDESK_SITE_URL` + `/topics/{slug}`).
    pub url: String,
    /// Published articles filed under this topic or any topic below it (as
    /// `GET /articles?topic=` counts them).
    pub article_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Topic {
    pub fn new(record: TopicRecord, urls: &PublicUrls) -> Self {
        let row = record.row;
        Topic {
            id: row.id,
            url: urls.topic(&row.slug),
            slug: row.slug,
            name: row.name,
            description: row.description,
            parent: record.parent.map(|parent| TopicSummary::new(parent, urls)),
            article_count: record.article_count,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// A topic to create (POST) or a full replacement (PUT). On PUT, an absent
/// `slug` keeps the current one, so that published URLs do not break.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Asia-Pacific", "parent": "world", "description": "Korea, Japan, China and the Pacific."}))]
pub struct TopicInput {
    /// Made from the name when absent (and made unique with `-2`, `-3`…);
    /// a taken slug given here is a 409.
    pub slug: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// The parent topic's slug; null or absent for a top-level topic. A
    /// parent that would make a cycle is a 422.
    pub parent: Option<String>,
}

impl super::Checked for TopicInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate())
    }
}

impl TopicInput {
    pub(crate) fn validate(self) -> Result<NewTopic, ApiError> {
        let mut errors = FieldErrors::new();
        let topic = NewTopic {
            slug: fields::optional_slug(&mut errors, "slug", self.slug.as_deref()),
            name: fields::line(&mut errors, "name", &self.name, NAME_MAX),
            description: fields::optional_text(
                &mut errors,
                "description",
                self.description.as_deref(),
                DESCRIPTION_MAX,
            ),
            parent: fields::optional_slug(&mut errors, "parent", self.parent.as_deref()),
        };
        errors.finish()?;
        Ok(topic)
    }
}

/// Changes to a topic: absent fields stay as they are, `null` clears
/// `description` or `parent`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent": null}))]
pub struct TopicPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
}

impl super::Checked for TopicPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate())
    }
}

impl TopicPatch {
    fn validate(self) -> Result<TopicChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let changes = TopicChanges {
            slug: fields::not_null(&mut errors, "slug", self.slug)
                .and_then(|slug| fields::optional_slug(&mut errors, "slug", Some(&slug))),
            name: fields::not_null(&mut errors, "name", self.name)
                .map(|name| fields::line(&mut errors, "name", &name, NAME_MAX)),
            description: self.description.map(|description| {
                fields::optional_text(
                    &mut errors,
                    "description",
                    description.as_deref(),
                    DESCRIPTION_MAX,
                )
            }),
            parent: self
                .parent
                .map(|parent| fields::optional_slug(&mut errors, "parent", parent.as_deref())),
        };
        errors.finish()?;
        Ok(changes)
    }
}

/// Query parameters of `GET /topics`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TopicListQuery {
    /// Topics whose name starts with this, ignoring case (typeahead): `asia`
    /// finds Asia-Pacific.
    pub q: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// List topics, ordered by name.
#[utoipa::path(
    tag = "topics",
    params(TopicListQuery),
    responses((status = 200, description = "A page of topics", body = pagination::Page<Topic>,
        headers(("X-Total-Count" = i64, description = "Topics on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/topics")]
pub async fn list_topics(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<TopicListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = pagination::page_request(query.page, query.per_page)?;
    let prefix = super::tags::typeahead(query.q.as_deref())?;
    let (records, total) = db::run(&state.pool, move |conn| {
        Ok(store::list(conn, prefix.as_deref(), page)?)
    })
    .await?;
    let data: Vec<Topic> = records
        .into_iter()
        .map(|record| Topic::new(record, &state.config.urls))
        .collect();
    let keys = [crate::store::keys::LIST_TOPICS.to_owned()];
    Ok(super::with_surrogate_keys(
        pagination::respond(&req, page, total, data),
        &keys,
    ))
}

/// Get one topic by id or slug.
#[utoipa::path(
    tag = "topics",
    params(IdOrSlug),
    responses(
        (status = 200, description = "The topic", body = Topic),
        (status = 301, description = "An old slug of the topic: `Location` names the current one",
            body = super::MovedSlug, headers(("Location" = String, description = "/api/v1/topics/{current-slug}"))),
    )
)]
#[get("/topics/{id_or_slug}")]
pub async fn get_topic(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    super::tags::get::<Topic>(&state, &req, path.key()).await
}

/// Create a topic.
#[utoipa::path(
    tag = "topics",
    request_body = TopicInput,
    security(("bearer" = [])),
    responses((status = 201, description = "Created; `Location` names it", body = Topic,
        headers(("Location" = String, description = "URL of the new topic"))))
)]
#[post("/topics")]
pub async fn create_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<TopicInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let new = body.0.validate()?;
    super::tags::create::<Topic>(&state, new).await
}

/// Replace a topic.
#[utoipa::path(
    tag = "topics",
    params(IdOrSlug),
    request_body = TopicInput,
    security(("bearer" = [])),
    responses((status = 200, description = "The topic as replaced", body = Topic))
)]
#[put("/topics/{id_or_slug}")]
pub async fn replace_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
    body: ApiJson<TopicInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let new = body.0.validate()?;
    let changes = TopicChanges {
        slug: new.slug,
        name: Some(new.name),
        description: Some(new.description),
        parent: Some(new.parent),
    };
    super::tags::save::<Topic>(&state, path.key(), if_match, changes).await
}

/// Change some fields of a topic.
#[utoipa::path(
    tag = "topics",
    params(IdOrSlug),
    request_body = TopicPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The topic as changed", body = Topic))
)]
#[patch("/topics/{id_or_slug}")]
pub async fn update_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
    body: ApiJson<TopicPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let changes = body.0.validate()?;
    super::tags::save::<Topic>(&state, path.key(), if_match, changes).await
}

/// Delete a topic. Its articles lose the tag; its subtopics move up to its parent.
#[utoipa::path(
    tag = "topics",
    params(IdOrSlug),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/topics/{id_or_slug}")]
pub async fn delete_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    super::tags::delete::<Topic>(&state, path.key(), if_match).await
}

impl super::tags::Tag for Topic {
    type Record = TopicRecord;
    type New = NewTopic;
    type Changes = TopicChanges;

    const OWNER: Owner = Owner::Topic;
    const COLLECTION: &'static str = "/api/v1/topics";

    fn represent(record: TopicRecord, urls: &PublicUrls) -> Topic {
        Topic::new(record, urls)
    }

    fn id(record: &TopicRecord) -> i32 {
        record.row.id
    }

    fn surrogate_key(id: i32) -> String {
        crate::store::keys::topic(id)
    }

    fn find(conn: &mut Conn, key: &Key) -> Result<TopicRecord, crate::store::Error> {
        store::find(conn, key)
    }

    fn create(conn: &mut Conn, new: &NewTopic) -> Result<TopicRecord, crate::store::Error> {
        store::create(conn, new)
    }

    fn update(
        conn: &mut Conn,
        key: &Key,
        changes: &TopicChanges,
        guard: impl FnOnce(&TopicRecord) -> Result<(), ApiError>,
    ) -> Result<TopicRecord, ApiError> {
        store::update(conn, key, changes, guard)
    }

    fn delete(
        conn: &mut Conn,
        key: &Key,
        guard: impl FnOnce(&TopicRecord) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        store::delete(conn, key, guard)
    }

    fn saved(
        conn: &mut Conn,
        urls: &PublicUrls,
        before: Option<&TopicRecord>,
        after: &TopicRecord,
    ) -> Result<(), ApiError> {
        events::topic_saved(conn, urls, before, after)
    }

    fn deleted(conn: &mut Conn, urls: &PublicUrls, before: &TopicRecord) -> Result<(), ApiError> {
        events::topic_deleted(conn, urls, before)
    }
}
