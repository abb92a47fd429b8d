//! Entity suggestions: the known entities a text mentions, for editors
//! tagging a story (see `suggest` for how they are found).

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::EntitySummary;
use super::{ApiJson, IdOrSlug, tagged};
use crate::auth::{AuthUser, Role};
use crate::db;
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;
use crate::store::Key;
use crate::store::articles::{self as store, Audience};
use crate::suggest::{Found, Mention};
use crate::urls::PublicUrls;

/// The longest text a suggestion request may send, in characters.
pub const TEXT_MAX: usize = 100_000;

/// A text to find entities in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "US, allies demand end to North Korean weapon transfers for Russian use against Ukraine. \
             \"We call on the DPRK and Russia to cease unlawful arms transfers,\" the statement said.",
    "article_id": 7
}))]
pub struct SuggestionInput {
    /// 1 to 100,000 characters, not all white space.
    pub text: String,
    /// An article the reader may see: its entities are marked `tagged`.
    pub article_id: Option<i32>,
}

impl crate::api::Checked for SuggestionInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        crate::api::errors_of(self.validate())
    }
}

impl SuggestionInput {
    fn validate(self) -> Result<SuggestionInput, ApiError> {
        let mut errors = FieldErrors::new();
        if self.text.trim().is_empty() || self.text.chars().count() > TEXT_MAX {
            errors.add(
                "text",
                format!("must be 1 to {TEXT_MAX} characters, not all white space"),
            );
        }
        errors.finish()?;
        Ok(self)
    }
}

/// One mention of an entity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"field": "body", "text": "DPRK", "start": 58, "end": 62, "matched": "DPRK"}))]
pub struct SuggestionMatch {
    /// For an article: the field it is in (`title`, `subtitle`, `summary`
    /// or `body`, whose offsets are in its Markdown). Absent for a text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// The text as written there.
    pub text: String,
    /// Offset of its first character, in Unicode characters (code points)
    /// of the text or field, from 0.
    pub start: usize,
    /// Offset just after its last character (exclusive).
    pub end: usize,
    /// The entity's name or alias that matched.
    pub matched: String,
}

impl SuggestionMatch {
    fn new(field: Option<&'static str>, mention: Mention) -> Self {
        SuggestionMatch {
            field,
            text: mention.text,
            start: mention.start,
            end: mention.end,
            matched: mention.matched,
        }
    }
}

/// An entity the text mentions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "entity": {"id": 1, "slug": "north-korea", "name": "North Korea", "kind": "country"},
    "count": 2,
    "matches": [
        {"text": "North Korea", "start": 104, "end": 115, "matched": "North Korea"},
        {"text": "DPRK", "start": 139, "end": 143, "matched": "DPRK"}
    ],
    "tagged": true
}))]
pub struct EntitySuggestion {
    pub entity: EntitySummary,
    /// How many times it is mentioned.
    pub count: usize,
    /// Its mentions, in the order of the text (for an article: title,
    /// subtitle, summary, body).
    pub matches: Vec<SuggestionMatch>,
    /// Whether the article is tagged with it already (always false without
    /// an article).
    pub tagged: bool,
}

/// Turns what the matcher found, field by field, into suggestions: one per
/// entity, the most mentioned first, then the first mentioned.
fn suggestions(
    found: Vec<(Option<&'static str>, Found)>,
    tagged: &[i32],
    urls: &PublicUrls,
) -> Vec<EntitySuggestion> {
    let mut out: Vec<EntitySuggestion> = Vec::new();
    for (field, found) in found {
        let matches = found
            .mentions
            .into_iter()
            .map(|mention| SuggestionMatch::new(field, mention));
        match out.iter_mut().find(|s| s.entity.id == found.entity.id) {
            Some(suggestion) => suggestion.matches.extend(matches),
            None => out.push(EntitySuggestion {
                tagged: tagged.contains(&found.entity.id),
                entity: EntitySummary::new(found.entity, urls),
                count: 0,
                matches: matches.collect(),
            }),
        }
    }
    for suggestion in &mut out {
        suggestion.count = suggestion.matches.len();
    }
    let first = |s: &EntitySuggestion| {
        s.matches.first().map(|m| {
            let field = FIELDS.iter().position(|f| Some(*f) == m.field);
            (field, m.start)
        })
    };
    out.sort_by(|a, b| b.count.cmp(&a.count).then(first(a).cmp(&first(b))));
    out
}

/// An article's fields, in the order they are searched.
const FIELDS: [&str; 4] = ["title", "subtitle", "summary", "body"];

/// What a staff member may see of an article.
fn audience(user: &AuthUser) -> Audience {
    if user.role >= Role::Editor {
        Audience::Everyone
    } else {
        Audience::Owner(user.id)
    }
}

/// Suggest entities for a text (any staff role).
///
/// The known entities whose name or alias appears in `text`: ignoring case
/// (Unicode lower-casing), on word boundaries (the characters just before
/// and after are not letters or digits, so "Russia’s" mentions Russia and
/// "North Korean" does not mention North Korea), the longest match first
/// ("UN Security Council" is the council, not the UN). Names and aliases
/// of at most three letters ("US", "UN", "G7") and single common English
/// words ("May", "Chad", "Turkey") match only as written. One pass over the
/// text whatever the number of entities. With `article_id`, the entities
/// that article is tagged with are marked `tagged`.
#[utoipa::path(
    tag = "discovery",
    request_body = SuggestionInput,
    security(("bearer" = [])),
    responses((status = 200, description = "The entities mentioned, the most mentioned first",
        body = Vec<EntitySuggestion>))
)]
#[post("/entity-suggestions")]
pub async fn suggest_entities(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<SuggestionInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0.validate()?;
    let audience = audience(&user);
    let shared = state.clone();
    let answer = db::run(&state.pool, move |conn| {
        let tagged = match input.article_id {
            None => Vec::new(),
            Some(id) => {
                let record = store::find(conn, &Key::Id(id))
                    .ok()
                    .filter(|record| audience.can_see(&record.summary.row, crate::store::now()));
                let Some(record) = record else {
                    return Err(ApiError::invalid(
                        "article_id",
                        "names no article you may see",
                    ));
                };
                record.summary.entities.iter().map(|e| e.id).collect()
            }
        };
        let matcher = shared.suggestions.current(conn)?;
        let found = matcher.find(&input.text);
        Ok(suggestions(
            found.into_iter().map(|found| (None, found)).collect(),
            &tagged,
            &shared.config.urls,
        ))
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// Suggest entities for an article (its author, or an editor or admin).
///
/// As `POST /entity-suggestions`, over the article's title, subtitle,
/// summary and body: each match names its `field`, with offsets in that
/// field; the entities the article is tagged with are marked `tagged`. An
/// article the reader may not see is a 404; another author's article, which
/// an author may not tag, a 403.
#[utoipa::path(
    tag = "discovery",
    params(IdOrSlug),
    security(("bearer" = [])),
    responses((status = 200, description = "The entities mentioned, the most mentioned first",
        body = Vec<EntitySuggestion>))
)]
#[get("/articles/{id_or_slug}/entity-suggestions")]
pub async fn article_entity_suggestions(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<IdOrSlug>,
) -> Result<HttpResponse, ApiError> {
    let key = path.key();
    let audience = audience(&user);
    let (id, role) = (user.id, user.role);
    let shared = state.clone();
    let answer = db::run(&state.pool, move |conn| {
        let record = store::find(conn, &key)?;
        let row = &record.summary.row;
        if !audience.can_see(row, crate::store::now()) {
            return Err(ApiError::NotFound(
                "No article has this id or slug.".to_owned(),
            ));
        }
        if role < Role::Editor && row.author_id != id {
            return Err(ApiError::Forbidden(
                "Authors may only tag, so only ask suggestions for, their own articles.".to_owned(),
            ));
        }
        let matcher = shared.suggestions.current(conn)?;
        let texts = [
            Some(row.title.as_str()),
            row.subtitle.as_deref(),
            row.summary.as_deref(),
            Some(record.body.body.as_str()),
        ];
        let found = FIELDS
            .into_iter()
            .zip(texts)
            .filter_map(|(field, text)| text.map(|text| (field, text)))
            .flat_map(|(field, text)| {
                matcher
                    .find(text)
                    .into_iter()
                    .map(move |found| (Some(field), found))
            })
            .collect();
        let tagged: Vec<i32> = record.summary.entities.iter().map(|e| e.id).collect();
        Ok(suggestions(found, &tagged, &shared.config.urls))
    })
    .await?;
    tagged(&answer)
}
