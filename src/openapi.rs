//! The OpenAPI document: the paths come from the handlers (collected by
//! utoipa-actix-web as `app::routes` registers them); this module adds the
//! description, the tags and the error responses every operation shares.

use actix_web::App;
use utoipa::openapi::Required;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "newsdesk",
        description = "A headless news-content API: articles, topics, entities (countries, \
organisations, people, places) and readers' comments.\n\n\
**Conventions.** JSON everywhere, field names in `snake_case`, timestamps RFC 3339 in UTC. \
Resources are addressed by id or slug (a number in the path is an id). Lists take `page` and \
`per_page` (1-100, default 20; more is a 422, never silently clamped) and answer \
`{data, meta}` with `X-Total-Count` and an RFC 8288 `Link` header. Unknown JSON fields and \
unknown query parameters are refused, so that a typo never goes unnoticed.\n\n\
**Errors** are RFC 9457 `application/problem+json` documents whose `type` is a stable \
`urn:newsdesk:problem:<kind>`; validation problems list every bad field in `errors`. \
400: malformed JSON or query; 404: no such resource or path; 405: method not allowed (see \
`Allow`); 409: slug or unique value taken; 413: body over 1 MiB; 415: body not JSON; 422: \
invalid values; 503: database busy, retry after `Retry-After` seconds.\n\n\
**Authentication.** Reading published content needs nothing. Writing needs a staff account: \
`POST /api/v1/auth/token` with `{email, password}` returns a bearer token (HS256 JWT, one hour \
by default); send it as `Authorization: Bearer <token>`, or paste it into **Authorize** above. \
Roles: *author* writes and edits their own articles and deletes their own drafts; *editor* \
edits every article and manages topics and entities; *admin* also manages staff accounts. \
401: no valid token (`WWW-Authenticate: Bearer`); 403: the role does not allow it; 429: too \
many sign-in attempts (`Retry-After`).",
        license(name = "MIT OR Apache-2.0"),
        version = env!("CARGO_PKG_VERSION"),
    ),
    tags(
        (name = "articles", description = "Stories, with their topics, entities and workflow status"),
        (name = "topics", description = "Sections, in a tree (World › Asia-Pacific)"),
        (name = "entities", description = "Countries, organisations, people and places that stories are about"),
        (name = "comments", description = "Readers' comments under articles, and their moderation"),
        (name = "feeds", description = "Atom 1.0 feeds of the newest published articles"),
        (name = "auth", description = "Sign in for a bearer token"),
        (name = "users", description = "Staff accounts (admins only)"),
        (name = "health", description = "Liveness and readiness probes"),
    ),
    components(schemas(Problem, FieldError, crate::api::articles::ArticleSort)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// The `bearer` security scheme that protected operations name, so that
/// Swagger UI's Authorize button works.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

/// The whole document, as served at `/api-docs/openapi.json` and committed
/// in `openapi/openapi.json`.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::app::routes)
        .split_for_parts();
    with_links(with_error_responses(api))
}

/// What a 201 leads to: (creating path, parameter, operations on the new
/// resource). Clients (and schemathesis's stateful tests) follow these
/// OpenAPI links from a create to the calls that use its `id`.
const LINKS: &[(&str, &str, &[&str])] = &[
    (
        "/api/v1/articles",
        "id_or_slug",
        &[
            "get_article",
            "replace_article",
            "update_article",
            "delete_article",
            "list_thread",
            "post_comment",
        ],
    ),
    (
        "/api/v1/topics",
        "id_or_slug",
        &["get_topic", "replace_topic", "update_topic", "delete_topic"],
    ),
    (
        "/api/v1/entities",
        "id_or_slug",
        &[
            "get_entity",
            "replace_entity",
            "update_entity",
            "delete_entity",
        ],
    ),
    (
        "/api/v1/users",
        "id",
        &["get_user", "update_user", "deactivate_user"],
    ),
    (
        "/api/v1/articles/{id_or_slug}/comments",
        "id",
        &["get_comment", "moderate_comment", "delete_comment"],
    ),
];

fn with_links(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for (path, parameter, operations) in LINKS {
        let Some(item) = api.paths.paths.get_mut(*path) else {
            continue;
        };
        let Some(post) = item.post.as_mut() else {
            continue;
        };
        let Some(RefOr::T(created)) = post.responses.responses.get_mut("201") else {
            continue;
        };
        for operation in *operations {
            let link = LinkBuilder::new()
                .operation_id(*operation)
                .parameter(*parameter, "$response.body#/id")
                .description(format!("Use the new resource's id with {operation}"))
                .build();
            created
                .links
                .insert((*operation).to_owned(), RefOr::T(link));
        }
    }
    api
}

/// The spec as pretty JSON with a final newline, as committed.
pub fn spec_json() -> String {
    let mut json = spec()
        .to_pretty_json()
        .unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"));
    json.push('\n');
    json
}

fn header_parameter(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// Adds the error responses that follow from an operation's shape: every
/// one can meet a malformed request or a busy database; those with a body
/// can be too large, not JSON or invalid; those on `{id_or_slug}` can miss;
/// writes of resources with slugs can conflict.
fn with_error_responses(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for (path, item) in api.paths.paths.iter_mut() {
        let on_one = path.contains('{');
        // A list is a path that does not end in a resource's id.
        let is_list = !path.ends_with('}');
        let in_api = path.starts_with("/api/v1/");
        let operations: [(HttpMethod, &mut Option<Operation>); 5] = [
            (HttpMethod::Get, &mut item.get),
            (HttpMethod::Post, &mut item.post),
            (HttpMethod::Put, &mut item.put),
            (HttpMethod::Patch, &mut item.patch),
            (HttpMethod::Delete, &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            // A token is sent to operations that name the scheme: one that is
            // wrong is a 401; where no token is an option too, the role
            // cannot be wrong, so there is no 403 (unless the path says so).
            let security = serde_json::to_value(&operation.security).unwrap_or_default();
            let takes_token = security.to_string().contains("bearer");
            let needs_token = takes_token && !security.to_string().contains("{}");
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description));
            };
            let has_body = matches!(
                method,
                HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch
            );
            if in_api {
                add(
                    "400",
                    "Malformed JSON, or a query parameter of the wrong type or unknown",
                );
            }
            if takes_token {
                add(
                    "401",
                    "No valid bearer token: missing, malformed, expired, or its account is inactive",
                );
            }
            if needs_token {
                add(
                    "403",
                    "Signed in, but the role (or ownership) does not allow this",
                );
            }
            if on_one {
                add("404", "No resource has this id or slug");
            }
            // Comments and sign-in have no unique values to clash on.
            if has_body && path != "/api/v1/auth/token" && !path.contains("comments") {
                add("409", "The slug (or another unique value) is taken");
            }
            if has_body {
                add("413", "The body is larger than 1 MiB");
                add("415", "The body is not application/json");
            }
            if has_body || (in_api && method == HttpMethod::Get && is_list) {
                add("422", "Invalid values; `errors` lists each bad field");
            }
            // Every single resource takes If-Match on writes.
            let versioned = on_one && in_api;
            let write = matches!(
                method,
                HttpMethod::Put | HttpMethod::Patch | HttpMethod::Delete
            );
            if versioned && write {
                add(
                    "412",
                    "If-Match names an ETag that is no longer current; nothing was changed",
                );
            }
            add(
                "500",
                "An unexpected error; the detail is in the server log",
            );
            add(
                "503",
                "The database is busy; retry after `Retry-After` seconds",
            );
            if method == HttpMethod::Get && path != "/healthz" && path != "/readyz" {
                operation
                    .responses
                    .responses
                    .entry("304".to_owned())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description("Not modified: `If-None-Match` names the current ETag")
                                .build(),
                        )
                    });
                operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(header_parameter(
                    "If-None-Match",
                    "An ETag from an earlier answer; a 304 without a body when it is still current",
                )));
            }
            if versioned && write {
                operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(header_parameter(
                    "If-Match",
                    "The ETag you read; the write happens only if the resource is unchanged since (412 otherwise)",
                )));
            }
        }
    }
    api
}
