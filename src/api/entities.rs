//! `/api/v1/entities`: the countries, organisations, people and places
//! that stories are about.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::etag::IfMatch;
use super::{ApiJson, IdOrSlug, fields, nullable, pagination, utc};
use crate::auth::{AuthUser, Role};
use crate::db::{self, Conn};
pub use crate::domain::EntityKind;
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;
use crate::store::Key;
use crate::store::entities::{
    self as store, EntityChanges, EntityFilter, EntityRecord, EntityRef, NewEntity,
};
use crate::store::old_slugs::Owner;
use crate::urls::PublicUrls;
use crate::webhooks::events;

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 5_000;
const ALIAS_MAX: usize = 200;
const ALIASES_MAX: usize = 50;

/// An entity in short, as embedded in articles.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "slug": "north-korea", "name": "North Korea", "kind": "country",
    "url": "https://news.example/entities/north-korea"}))]
pub struct EntitySummary {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
    /// The entity's page on the site (`NEWSDESK_SITE_URL` + `/entities/{slug}`).
    pub url: String,
}

impl EntitySummary {
    pub fn new(entity: EntityRef, urls: &PublicUrls) -> Self {
        EntitySummary {
            id: entity.id,
            url: urls.entity(&entity.slug),
            slug: entity.slug,
            name: entity.name,
            kind: entity.kind,
        }
    }
}

/// A country, organisation, person or place that stories are about.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "slug": "north-korea", "name": "North Korea", "kind": "country",
    "description": "The Democratic People's Republic of Korea.",
    "aliases": ["DPRK", "Democratic People's Republic of Korea"],
    "country_code": "KP", "website": null,
    "url": "https://news.example/entities/north-korea", "article_count": 42,
    "created_at": "2024-05-31T09:00:00Z", "updated_at": "2024-05-31T09:00:00Z"
}))]
pub struct Entity {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
    pub description: Option<String>,
    /// Other names it goes by, in the order given; search matches them.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2, upper case; countries only, unique.
    pub country_code: Option<String>,
    pub website: Option<String>,
    /// The entity's page on the site (`NEWSDESK_SITE_URL` + `/entities/{slug}`).
    pub url: String,
    /// Published articles tagged with this entity.
    pub article_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity {
    pub fn new(record: EntityRecord, urls: &PublicUrls) -> Self {
        let row = record.row;
        Entity {
            id: row.id,
            url: urls.entity(&row.slug),
            slug: row.slug,
            name: row.name,
            kind: row.kind,
            description: row.description,
            aliases: record.aliases,
            country_code: row.country_code,
            website: row.website,
            article_count: record.article_count,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// An entity to create (POST) or a full replacement (PUT). On PUT, an absent
/// `slug` keeps the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "North Korea", "kind": "country", "aliases": ["DPRK"], "country_code": "KP"}))]
pub struct EntityInput {
    /// Made from the name when absent; a taken slug given here is a 409.
    pub slug: Option<String>,
    pub name: String,
    pub kind: EntityKind,
    pub description: Option<String>,
    /// Other names it goes by; duplicates (ignoring case) are dropped.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2; only for `kind: country`; unique (409 when
    /// taken).
    pub country_code: Option<String>,
    /// An http or https URL with a host, at most 2,000 bytes, without white
    /// space or control characters; trimmed; blank counts as absent.
    pub website: Option<String>,
}

fn aliases(errors: &mut FieldErrors, values: &[String]) -> Vec<String> {
    if values.len() > ALIASES_MAX {
        errors.add("aliases", format!("must hold at most {ALIASES_MAX} names"));
        return Vec::new();
    }
    let mut kept: Vec<String> = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let alias = fields::line(errors, &format!("aliases[{index}]"), value, ALIAS_MAX);
        if !kept
            .iter()
            .any(|other| other.to_lowercase() == alias.to_lowercase())
        {
            kept.push(alias);
        }
    }
    kept
}

fn country_code(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    let code = value
        .map(str::trim)
        .filter(|code| !code.is_empty())?
        .to_ascii_uppercase();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.add(
            "country_code",
            "must be an ISO 3166-1 alpha-2 code: two letters, such as KP",
        );
    }
    Some(code)
}

impl super::Checked for EntityInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate())
    }
}

impl EntityInput {
    pub(crate) fn validate(self) -> Result<NewEntity, ApiError> {
        let mut errors = FieldErrors::new();
        let entity = NewEntity {
            slug: fields::optional_slug(&mut errors, "slug", self.slug.as_deref()),
            name: fields::line(&mut errors, "name", &self.name, NAME_MAX),
            kind: self.kind,
            description: fields::optional_text(
                &mut errors,
                "description",
                self.description.as_deref(),
                DESCRIPTION_MAX,
            ),
            aliases: aliases(&mut errors, &self.aliases),
            country_code: country_code(&mut errors, self.country_code.as_deref()),
            website: fields::optional_url(&mut errors, "website", self.website.as_deref()),
        };
        if entity.country_code.is_some() && self.kind != EntityKind::Country {
            errors.add(
                "country_code",
                "is only allowed on entities of kind country",
            );
        }
        errors.finish()?;
        Ok(entity)
    }
}

/// Changes to an entity: absent fields stay, `null` clears `description`,
/// `country_code` or `website` and empties `aliases`. `slug`, `name` and
/// `kind` cannot be `null` (422): leave them out to keep them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"aliases": ["DPRK", "Democratic People's Republic of Korea"]}))]
pub struct EntityPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = EntityKind, required = false)]
    pub kind: Option<Option<EntityKind>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Replaces the whole list.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<String>>)]
    pub aliases: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub country_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
}

impl super::Checked for EntityPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate())
    }
}

impl EntityPatch {
    fn validate(self) -> Result<EntityChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let changes = EntityChanges {
            slug: fields::not_null(&mut errors, "slug", self.slug)
                .and_then(|slug| fields::optional_slug(&mut errors, "slug", Some(&slug))),
            name: fields::not_null(&mut errors, "name", self.name)
                .map(|name| fields::line(&mut errors, "name", &name, NAME_MAX)),
            kind: fields::not_null(&mut errors, "kind", self.kind),
            description: self.description.map(|description| {
                fields::optional_text(
                    &mut errors,
                    "description",
                    description.as_deref(),
                    DESCRIPTION_MAX,
                )
            }),
            // null empties the list, as [] does.
            aliases: self
                .aliases
                .map(|list| aliases(&mut errors, &list.unwrap_or_default())),
            country_code: self
                .country_code
                .map(|code| country_code(&mut errors, code.as_deref())),
            website: self
                .website
                .map(|website| fields::optional_url(&mut errors, "website", website.as_deref())),
        };
        errors.finish()?;
        Ok(changes)
    }
}

/// Query parameters of `GET /entities`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntityListQuery {
    /// Entities whose name or an alias starts with this, ignoring case (typeahead): `dp` finds North Korea by its alias DPRK.
    pub q: Option<String>,
    /// Only entities of this kind.
    pub kind: Option<EntityKind>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// List entities, ordered by name.
#[utoipa::path(
    tag = "entities",
    params(EntityListQuery),
    responses((status = 200, description = "A page of entities", body = pagination::Page<Entity>,
        headers(("X-Total-Count" = i64, description = "Entities on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/entities")]
pub async fn list_entities(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<EntityListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = pagination::page_request(query.page, query.per_page)?;
    let filter = EntityFilter {
        kind: query.kind,
        prefix: super::tags::typeahead(query.q.as_deref())?,
    };
    let (records, total) = db::run(&state.pool, move |conn| {
        Ok(store::list(conn, &filter, page)?)
    })
    .await?;
    let data: Vec<Entity> = records
        .into_iter()
        .map(|record| Entity::new(record, &state.config.urls))
        .collect();
    let keys = [crate::store::keys::LIST_ENTITIES.to_owned()];
    Ok(super::with_surrogate_keys(
        pagination::respond(&req, page, total, data),
        &keys,
    ))
}

/// Get one entity by id or slug.
#[utoipa::path(
    tag = "entities",
    params(IdOrSlug),
    responses(
        (status = 200, description = "The entity", body = Entity),
        (status = 301, description = "An old slug of the entity: `Location` names the current one",
            body = super::MovedSlug, headers(("Location" = String, description = "/api/v1/entities/{current-slug}"))),
    )
)]
#[get("/entities/{id_or_slug}")]
pub async fn get_entity(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    super::tags::get::<Entity>(&state, &req, path.key()).await
}

/// Create an entity.
#[utoipa::path(
    tag = "entities",
    request_body = EntityInput,
    security(("bearer" = [])),
    responses((status = 201, description = "Created; `Location` names it", body = Entity,
        headers(("Location" = String, description = "URL of the new entity"))))
)]
#[post("/entities")]
pub async fn create_entity(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<EntityInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let new = body.0.validate()?;
    super::tags::create::<Entity>(&state, new).await
}

/// Replace an entity.
#[utoipa::path(
    tag = "entities",
    params(IdOrSlug),
    request_body = EntityInput,
    security(("bearer" = [])),
    responses((status = 200, description = "The entity as replaced", body = Entity))
)]
#[put("/entities/{id_or_slug}")]
pub async fn replace_entity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
    body: ApiJson<EntityInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let new = body.0.validate()?;
    let changes = EntityChanges {
        slug: new.slug,
        name: Some(new.name),
        kind: Some(new.kind),
        description: Some(new.description),
        aliases: Some(new.aliases),
        country_code: Some(new.country_code),
        website: Some(new.website),
    };
    super::tags::save::<Entity>(&state, path.key(), if_match, changes).await
}

/// Change some fields of an entity.
#[utoipa::path(
    tag = "entities",
    params(IdOrSlug),
    request_body = EntityPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The entity as changed", body = Entity))
)]
#[patch("/entities/{id_or_slug}")]
pub async fn update_entity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
    body: ApiJson<EntityPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let changes = body.0.validate()?;
    super::tags::save::<Entity>(&state, path.key(), if_match, changes).await
}

/// Delete an entity; its articles lose the tag.
#[utoipa::path(
    tag = "entities",
    params(IdOrSlug),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/entities/{id_or_slug}")]
pub async fn delete_entity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    super::tags::delete::<Entity>(&state, path.key(), if_match).await
}

impl super::tags::Tag for Entity {
    type Record = EntityRecord;
    type New = NewEntity;
    type Changes = EntityChanges;

    const OWNER: Owner = Owner::Entity;
    const COLLECTION: &'static str = "/api/v1/entities";

    fn represent(record: EntityRecord, urls: &PublicUrls) -> Entity {
        Entity::new(record, urls)
    }

    fn id(record: &EntityRecord) -> i32 {
        record.row.id
    }

    fn surrogate_key(id: i32) -> String {
        crate::store::keys::entity(id)
    }

    fn find(conn: &mut Conn, key: &Key) -> Result<EntityRecord, crate::store::Error> {
        store::find(conn, key)
    }

    fn create(conn: &mut Conn, new: &NewEntity) -> Result<EntityRecord, crate::store::Error> {
        store::create(conn, new)
    }

    fn update(
        conn: &mut Conn,
        key: &Key,
        changes: &EntityChanges,
        guard: impl FnOnce(&EntityRecord) -> Result<(), ApiError>,
    ) -> Result<EntityRecord, ApiError> {
        store::update(conn, key, changes, guard)
    }

    fn delete(
        conn: &mut Conn,
        key: &Key,
        guard: impl FnOnce(&EntityRecord) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        store::delete(conn, key, guard)
    }

    fn saved(
        conn: &mut Conn,
        urls: &PublicUrls,
        before: Option<&EntityRecord>,
        after: &EntityRecord,
    ) -> Result<(), ApiError> {
        events::entity_saved(conn, urls, before, after)
    }

    fn deleted(conn: &mut Conn, urls: &PublicUrls, before: &EntityRecord) -> Result<(), ApiError> {
        events::entity_deleted(conn, urls, before)
    }
}
