//! The OpenAPI document: the paths come from the handlers (collected by
//! utoipa-actix-web as `routes::routes` registers them); this module adds the
//! description, the tags and the error responses every operation shares.

use actix_web::App;
use utoipa::openapi::Required;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{ApiError, FieldError, Problem};

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
**Text.** A text field's `pattern` states its rule exactly, and its description in words \
(emails and URLs say theirs in words only): one-line fields (titles, names) are trimmed and refuse control characters (U+0000 to \
U+001F, U+007F to U+009F); long texts (bodies, summaries, descriptions) also allow tab and line \
breaks. Every text field refuses Unicode non-characters (U+FDD0 to U+FDEF, and U+FFFE and \
U+FFFF in every plane; the patterns name those of the first plane). A breach is a 422 naming \
the field. Slugs are `^[a-z0-9]+(?:-[a-z0-9]+)*$`, 1 to 120 characters, with at least one \
letter (a number in a path is an id).\n\n\
**Authentication.** Reading published content needs nothing. Writing needs a staff account: \
`POST /api/v1/auth/token` with `{email, password}` returns a bearer token (HS256 JWT, one hour \
by default); send it as `Authorization: Bearer <token>`, or paste it into **Authorize** above. \
Roles: *author* writes and edits their own articles and deletes their own drafts; *editor* \
edits every article and manages topics and entities; *admin* also manages staff accounts and webhooks. \
401: no valid token (`WWW-Authenticate: Bearer`); 403: the role does not allow it; 429: too \
many sign-in attempts (`Retry-After`).",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
        version = env!("CARGO_PKG_VERSION"),
    ),
    servers((url = "/", description = "The server that serves this document")),
    tags(
        (name = "articles", description = "Stories, with their topics, entities and workflow status"),
        (name = "topics", description = "Sections, in a tree (World › Asia-Pacific)"),
        (name = "entities", description = "Countries, organisations, people and places that stories are about"),
        (name = "comments", description = "Readers' comments under articles, and their moderation"),
        (name = "feeds", description = "Feeds of the newest published articles (Atom 1.0, RSS 2.0, JSON Feed 1.1) and sitemaps"),
        (name = "auth", description = "Sign in for a bearer token; see and edit one's own profile"),
        (name = "authors", description = "Staff who have published, as readers see them: author pages and bylines"),
        (name = "users", description = "Staff accounts (admins only)"),
        (name = "webhooks", description = "Signed, retried notifications of content changes, with CDN purge keys (admins only)"),
        (name = "audit", description = "Who did what, when, from where: sign-ins, staff changes, publishing, deletions, moderation, webhook changes and imports; append-only (admins only)"),
        (name = "media", description = "Images: upload (metadata stripped), describe, and serve with renditions"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "discovery", description = "What the newsroom's entities make possible: entity suggestions for editors, related stories for readers"),
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
        .configure(crate::routes::routes)
        .split_for_parts();
    with_links(with_page_references(with_text_rules(with_error_responses(
        with_public_security(api),
    ))))
}

/// Operations that name no security scheme are public: they say so with
/// an explicit empty requirement (`security: [{}]`), so that clients and
/// linters do not have to guess. They take no token (one sent is ignored).
fn with_public_security(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for item in api.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            operation
                .security
                .get_or_insert_with(|| vec![SecurityRequirement::default()]);
        }
    }
    api
}

/// utoipa inlines the item type of a generic `Page<T>`, which makes code
/// generators emit a second class per list (`PageArticleListItemDataItem`);
/// each `Page_X` refers to the component `X` instead.
fn with_page_references(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Some(components) = api.components.as_mut() else {
        return api;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in &names {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !names.iter().any(|other| other == item) {
            continue;
        }
        let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(name) else {
            continue;
        };
        if let Some(RefOr::T(Schema::Array(data))) = page.properties.get_mut("data") {
            data.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
    api
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
        "/api/v1/webhooks",
        "id",
        &[
            "get_webhook",
            "update_webhook",
            "delete_webhook",
            "list_deliveries",
            "ping_webhook",
        ],
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

fn problem(status: &str, description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .example(problem_example(status, None))
                    .build(),
            )
            .build(),
    )
}

/// What the server answers with `status`, made by the error type itself so
/// that `type`, `title` (the reason phrase) and `status` are the real ones;
/// `detail` replaces the sample detail where the error type carries one.
pub fn problem_example(status: &str, detail: Option<&str>) -> Option<serde_json::Value> {
    let detail = |sample: &str| format!("{}.", detail.unwrap_or(sample).trim_end_matches('.'));
    let error = match status {
        "400" => ApiError::BadRequest(detail("The request body is not valid JSON")),
        "401" => ApiError::Unauthorized(detail("The bearer token has expired")),
        "403" => ApiError::Forbidden(detail("Authors may only edit their own articles")),
        "404" => ApiError::NotFound(detail("No article has this id or slug")),
        "409" => ApiError::taken("slug", "is already in use"),
        "410" => ApiError::Gone(detail(
            "This article has expired and is no longer published",
        )),
        "412" => ApiError::PreconditionFailed,
        "413" => ApiError::PayloadTooLarge { limit: 1024 * 1024 },
        "415" => ApiError::UnsupportedMediaType,
        "406" => ApiError::NotAcceptable,
        "422" => ApiError::Validation(vec![
            FieldError::new("title", "must be 1 to 300 characters"),
            FieldError::new(
                "topics[1]",
                "must be 1-120 lower-case letters, digits and single hyphens, with at least one letter",
            ),
        ]),
        "429" => ApiError::TooManyRequests { retry_after: 42 },
        "500" => ApiError::Internal(String::new().into()),
        "503" => ApiError::Unavailable(String::new()),
        _ => return None,
    };
    serde_json::to_value(error.problem()).ok()
}

/// Gives every problem response that has no example of its own (those
/// that handlers declare) the example of its status, about its situation.
fn with_problem_examples(responses: &mut utoipa::openapi::Responses) {
    for (status, response) in responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if let Some(RefOr::T(content)) = response.content.get_mut(crate::error::PROBLEM_JSON)
            && content.example.is_none()
            && content.examples.is_empty()
        {
            content.example = problem_example(status, Some(&response.description));
        }
    }
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
            // Query values are checked like body fields (`fields=`, `w=`…).
            let has_query = operation.parameters.iter().flatten().any(|parameter| {
                matches!(parameter, RefOr::T(parameter)
                    if parameter.parameter_in == utoipa::openapi::path::ParameterIn::Query)
            });
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(status, description));
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
            if has_body
                && path != "/api/v1/auth/token"
                && !path.contains("comments")
                && !path.starts_with("/api/v1/webhooks")
            {
                add("409", "The slug (or another unique value) is taken");
            }
            if has_body {
                add("413", "The body is larger than 1 MiB");
                add("415", "The body is not application/json");
            }
            if has_body || (in_api && method == HttpMethod::Get && (is_list || has_query)) {
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
            // An operation that can meet no other client error can still
            // meet this one (as every request can); it is named there so
            // that each operation documents a 4xx.
            if !responses.keys().any(|status| status.starts_with('4')) {
                let description = "`Accept-Encoding` refuses every encoding the server has, \
                                   `identity` included";
                responses
                    .entry("406".to_owned())
                    .or_insert_with(|| problem("406", description));
            }
            with_problem_examples(&mut operation.responses);
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

/// How the server checks a text field (`api::fields` and its kin), as the
/// JSON Schema keywords that state it exactly, and in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// `fields::line`: trimmed, then 1 to `max` characters, no control
    /// characters.
    Line(usize),
    /// `fields::optional_line`: trimmed; blank counts as absent; otherwise
    /// as `Line`.
    OptionalLine(usize),
    /// `fields::optional_text`: kept as written; blank counts as absent;
    /// otherwise at most `max` characters, no control characters but tab
    /// and line breaks.
    Text(usize),
    /// `fields::text_bytes` (the article body): kept as written, limited in
    /// bytes; no control characters but tab and line breaks.
    Body,
    /// A comment's body: trimmed, then 1 to `max` characters, no control
    /// characters but tab and line breaks.
    CommentBody(usize),
    /// `slug::parse`.
    Slug,
    /// `fields::slug_list`: at most `max` slugs.
    Slugs(usize),
    /// An entity's aliases: at most `count` names, each a `Line(max)`.
    Lines { count: usize, max: usize },
    /// `country_code`: two ASCII letters, any case, trimmed; blank is absent.
    CountryCode,
    /// `tags::typeahead`: trimmed, then 1 to 100 characters.
    Typeahead,
    /// `min` to `max` characters, exactly as sent (passwords, `q`).
    Length { min: usize, max: usize },
}

/// Where each rule applies: (component schema, property, rule).
pub const TEXT_RULES: &[(&str, &str, TextRule)] = &[
    ("ArticleInput", "slug", TextRule::Slug),
    ("ArticleInput", "title", TextRule::Line(300)),
    ("ArticleInput", "subtitle", TextRule::OptionalLine(500)),
    ("ArticleInput", "summary", TextRule::Text(1_000)),
    ("ArticleInput", "body", TextRule::Body),
    ("ArticleInput", "source", TextRule::OptionalLine(200)),
    ("ArticleInput", "byline", TextRule::OptionalLine(200)),
    ("ArticleInput", "topics", TextRule::Slugs(50)),
    ("ArticleInput", "entities", TextRule::Slugs(50)),
    ("ArticlePatch", "slug", TextRule::Slug),
    ("ArticlePatch", "title", TextRule::Line(300)),
    ("ArticlePatch", "subtitle", TextRule::OptionalLine(500)),
    ("ArticlePatch", "summary", TextRule::Text(1_000)),
    ("ArticlePatch", "body", TextRule::Body),
    ("ArticlePatch", "source", TextRule::OptionalLine(200)),
    ("ArticlePatch", "byline", TextRule::OptionalLine(200)),
    ("ArticlePatch", "topics", TextRule::Slugs(50)),
    ("ArticlePatch", "entities", TextRule::Slugs(50)),
    ("TopicInput", "slug", TextRule::Slug),
    ("TopicInput", "name", TextRule::Line(200)),
    ("TopicInput", "description", TextRule::Text(5_000)),
    ("TopicInput", "parent", TextRule::Slug),
    ("TopicPatch", "slug", TextRule::Slug),
    ("TopicPatch", "name", TextRule::Line(200)),
    ("TopicPatch", "description", TextRule::Text(5_000)),
    ("TopicPatch", "parent", TextRule::Slug),
    ("EntityInput", "slug", TextRule::Slug),
    ("EntityInput", "name", TextRule::Line(200)),
    ("EntityInput", "description", TextRule::Text(5_000)),
    (
        "EntityInput",
        "aliases",
        TextRule::Lines {
            count: 50,
            max: 200,
        },
    ),
    ("EntityInput", "country_code", TextRule::CountryCode),
    ("EntityPatch", "slug", TextRule::Slug),
    ("EntityPatch", "name", TextRule::Line(200)),
    ("EntityPatch", "description", TextRule::Text(5_000)),
    (
        "EntityPatch",
        "aliases",
        TextRule::Lines {
            count: 50,
            max: 200,
        },
    ),
    ("EntityPatch", "country_code", TextRule::CountryCode),
    ("CommentInput", "author_name", TextRule::Line(100)),
    ("CommentInput", "body", TextRule::CommentBody(5_000)),
    ("CommentPatch", "body", TextRule::CommentBody(5_000)),
    ("WebhookInput", "description", TextRule::Text(1_000)),
    ("WebhookPatch", "description", TextRule::Text(1_000)),
    ("UserInput", "display_name", TextRule::Line(100)),
    (
        "UserInput",
        "password",
        TextRule::Length { min: 12, max: 256 },
    ),
    ("MediaPatch", "alt", TextRule::OptionalLine(1_000)),
    ("MediaPatch", "caption", TextRule::Text(2_000)),
    ("MediaPatch", "credit", TextRule::OptionalLine(300)),
    ("UserPatch", "display_name", TextRule::Line(100)),
    (
        "UserPatch",
        "password",
        TextRule::Length { min: 12, max: 256 },
    ),
];

/// The same for query parameters: (operation id, parameter, rule).
pub const QUERY_RULES: &[(&str, &str, TextRule)] = &[
    ("list_articles", "q", TextRule::Length { min: 1, max: 500 }),
    ("list_topics", "q", TextRule::Typeahead),
    ("list_entities", "q", TextRule::Typeahead),
];

/// What `str::trim` removes: the Unicode White_Space characters.
const WHITE_SPACE: &str =
    "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/// Non-characters of the first plane (those of the other planes cannot be
/// written in a pattern that every regex dialect reads alike).
const NON_CHARACTERS: &str = "\\ufdd0-\\ufdef\\ufffe\\uffff";
/// Control characters refused in one-line text.
const CONTROLS: &str = "\\u0000-\\u001f\\u007f-\\u009f";
/// Control characters refused in long text: all but tab, LF and CR.
const TEXT_CONTROLS: &str = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";

/// 1,000 rather than 1000, as the descriptions write numbers.
fn grouped(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A trimmed text of 1 to `max` characters without `refused` characters:
/// white space, then a character that is neither refused nor white space,
/// optionally up to `max - 2` allowed characters and another such one,
/// then white space. Exact: what `trim` leaves is the middle part.
fn trimmed_pattern(refused: &str, max: usize, optional: bool) -> String {
    let edge = format!("[^{refused}{NON_CHARACTERS}{WHITE_SPACE}]");
    let inner = format!("[^{refused}{NON_CHARACTERS}]");
    let core = format!("{edge}(?:{inner}{{0,{}}}{edge})?", max.saturating_sub(2));
    let core = if optional {
        format!("(?:{core})?")
    } else {
        core
    };
    format!("^[{WHITE_SPACE}]*{core}[{WHITE_SPACE}]*$")
}

impl TextRule {
    /// The pattern, length bounds and sentence of a string rule.
    fn keywords(self) -> (Option<String>, Option<usize>, Option<usize>, String) {
        let no_controls = "no control characters or non-characters";
        let text_controls = "no control characters but tab and line breaks, no non-characters";
        match self {
            TextRule::Line(max) => (
                Some(trimmed_pattern(CONTROLS, max, false)),
                Some(1),
                None,
                format!("Trimmed, then 1 to {} characters; {no_controls}.", grouped(max)),
            ),
            TextRule::OptionalLine(max) => (
                Some(trimmed_pattern(CONTROLS, max, true)),
                None,
                None,
                format!(
                    "Trimmed; blank counts as absent; otherwise at most {} characters; {no_controls}.",
                    grouped(max)
                ),
            ),
            TextRule::Text(max) => (
                Some(format!(
                    "^(?:[{WHITE_SPACE}]*|[^{TEXT_CONTROLS}{NON_CHARACTERS}]{{0,{max}}})$"
                )),
                None,
                None,
                format!(
                    "Kept as written; blank counts as absent; otherwise at most {} characters; {text_controls}.",
                    grouped(max)
                ),
            ),
            TextRule::Body => (
                Some(format!("^[^{TEXT_CONTROLS}{NON_CHARACTERS}]*$")),
                None,
                None,
                format!("Kept as written; at most 1,000,000 bytes of UTF-8; {text_controls}."),
            ),
            TextRule::CommentBody(max) => (
                Some(trimmed_pattern(TEXT_CONTROLS, max, false)),
                Some(1),
                None,
                format!("Trimmed, then 1 to {} characters; {text_controls}.", grouped(max)),
            ),
            TextRule::Slug | TextRule::Slugs(_) => (
                Some(crate::slug::PATTERN.to_owned()),
                Some(1),
                Some(crate::slug::MAX_LEN),
                "A slug: 1 to 120 lower-case ASCII letters, digits and single hyphens, \
                 with at least one letter."
                    .to_owned(),
            ),
            TextRule::Lines { max, .. } => TextRule::Line(max).keywords(),
            TextRule::CountryCode => (
                Some(format!("^[{WHITE_SPACE}]*(?:[A-Za-z]{{2}})?[{WHITE_SPACE}]*$")),
                None,
                None,
                "Two ASCII letters in any case, stored upper case; trimmed; blank counts as absent."
                    .to_owned(),
            ),
            TextRule::Typeahead => (
                Some(format!(
                    "^[{WHITE_SPACE}]*[^{WHITE_SPACE}](?:[\\s\\S]{{0,98}}[^{WHITE_SPACE}])?[{WHITE_SPACE}]*$"
                )),
                Some(1),
                None,
                "Trimmed, then 1 to 100 characters (422 otherwise).".to_owned(),
            ),
            TextRule::Length { min, max } => (
                None,
                Some(min),
                Some(max),
                format!(
                    "{} to {} characters, taken exactly as sent.",
                    grouped(min),
                    grouped(max)
                ),
            ),
        }
    }

    /// Writes the rule into a property's (or parameter's) schema.
    fn apply(self, schema: &mut Schema) {
        match (self, schema) {
            (TextRule::Slugs(count) | TextRule::Lines { count, .. }, Schema::Array(array)) => {
                array.max_items = Some(count);
                if let ArrayItems::RefOrSchema(items) = &mut array.items
                    && let RefOr::T(items) = items.as_mut()
                {
                    self.apply(items);
                }
            }
            (_, Schema::Object(object)) => {
                let (pattern, min_length, max_length, sentence) = self.keywords();
                object.pattern = pattern;
                object.min_length = min_length;
                object.max_length = max_length;
                object.description = Some(with_sentence(object.description.take(), &sentence));
            }
            _ => {}
        }
    }
}

fn with_sentence(description: Option<String>, sentence: &str) -> String {
    match description {
        Some(description) if !description.is_empty() => format!("{description} {sentence}"),
        _ => sentence.to_owned(),
    }
}

/// Writes `TEXT_RULES` and `QUERY_RULES` into the spec.
fn with_text_rules(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    if let Some(components) = api.components.as_mut() {
        for (schema, property, rule) in TEXT_RULES {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema)
                && let Some(RefOr::T(field)) = object.properties.get_mut(*property)
            {
                rule.apply(field);
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        let Some(operation) = item.get.as_mut() else {
            continue;
        };
        for (operation_id, name, rule) in QUERY_RULES {
            if operation.operation_id.as_deref() != Some(*operation_id) {
                continue;
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter
                    && parameter.name == *name
                    && let Some(RefOr::T(schema)) = parameter.schema.as_mut()
                {
                    rule.apply(schema);
                    // A parameter's words belong to the parameter, where
                    // Swagger UI shows them.
                    if let Schema::Object(object) = schema
                        && let Some(sentence) = object.description.take()
                    {
                        parameter.description =
                            Some(with_sentence(parameter.description.take(), &sentence));
                    }
                }
            }
        }
    }
    api
}
