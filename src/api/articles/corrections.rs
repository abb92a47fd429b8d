//! `/api/v1/articles/{id_or_slug}/corrections`: corrections, clarifications
//! and updates, shown with the article (oldest first) and in its JSON-LD.
//! Append-only once the article has been public (see `store::corrections`).

use actix_web::{HttpResponse, delete, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store;
use crate::api::{ApiJson, fields, utc};
use crate::auth::{AuthUser, Role};
use crate::db;
use crate::domain::CorrectionKind;
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;
use crate::store::Key;
use crate::store::corrections::{self, CorrectionChanges, CorrectionRow};
use crate::urls::PublicUrls;
use crate::webhooks::events;

const TEXT_MAX: usize = 2_000;

/// A correction as shown in the article.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 4, "kind": "correction",
    "text": "An earlier version of this story misstated the date of the G7 statement.",
    "created_at": "2024-06-01T10:15:00Z"
}))]
pub struct Correction {
    pub id: i32,
    pub kind: CorrectionKind,
    /// Plain text, as printed under the story.
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<CorrectionRow> for Correction {
    fn from(row: CorrectionRow) -> Self {
        Correction {
            id: row.id,
            kind: row.kind,
            text: row.text,
            created_at: utc(row.created_at),
        }
    }
}

/// A new correction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "correction",
    "text": "An earlier version of this story misstated the date of the G7 statement."
}))]
pub struct CorrectionInput {
    pub kind: CorrectionKind,
    /// 1 to 2,000 characters.
    pub text: String,
}

/// Changes to a correction (only before the article has been public):
/// absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "An earlier version of this story misstated the date of the statement."}))]
pub struct CorrectionPatch {
    pub kind: Option<CorrectionKind>,
    pub text: Option<String>,
}

impl CorrectionInput {
    fn validate(self) -> Result<(CorrectionKind, String), ApiError> {
        let mut errors = FieldErrors::new();
        let text = text(&mut errors, &self.text);
        errors.finish()?;
        Ok((self.kind, text))
    }
}

impl crate::api::Checked for CorrectionInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        crate::api::errors_of(self.validate())
    }
}

impl CorrectionPatch {
    fn validate(self) -> Result<CorrectionChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let changes = CorrectionChanges {
            kind: self.kind,
            text: self.text.map(|value| text(&mut errors, &value)),
        };
        errors.finish()?;
        Ok(changes)
    }
}

impl crate::api::Checked for CorrectionPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        crate::api::errors_of(self.validate())
    }
}

fn text(errors: &mut FieldErrors, value: &str) -> String {
    match fields::optional_text(errors, "text", Some(value), TEXT_MAX) {
        Some(text) => text,
        None => {
            errors.add("text", format!("must be 1 to {TEXT_MAX} characters"));
            String::new()
        }
    }
}

/// The article and correction named by the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CorrectionPath {
    /// The article: a number is an id; anything else is a slug.
    #[param(example = "north-korea-warns-g7")]
    pub id_or_slug: String,
    /// The correction's id.
    #[param(example = 4)]
    pub correction_id: i32,
}

/// Publish a correction, clarification or update of an article (editors
/// and admins). It shows in the article at once, and moves its
/// `updated_at` and `version`.
#[utoipa::path(
    tag = "articles",
    params(crate::api::IdOrSlug),
    request_body = CorrectionInput,
    security(("bearer" = [])),
    responses((status = 201, description = "The correction as stored", body = Correction))
)]
#[post("/articles/{id_or_slug}/corrections")]
pub async fn add_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<crate::api::IdOrSlug>,
    body: ApiJson<CorrectionInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let user_id = user.id;
    let (kind, text) = body.0.validate()?;
    let key = path.key();
    let urls = state.config.urls.clone();
    let row = db::write(&state.pool, move |conn| {
        let before = store::find(conn, &key)?;
        let row = corrections::create(conn, &before.summary.row, kind, &text)?;
        announce(conn, &urls, user_id, &before)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(Correction::from(row)))
}

/// Change a correction, while the article has never been public (editors
/// and admins). Once it has been, a correction of a correction is a new
/// one: this is a 409.
#[utoipa::path(
    tag = "articles",
    params(CorrectionPath),
    request_body = CorrectionPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The correction as changed", body = Correction))
)]
#[patch("/articles/{id_or_slug}/corrections/{correction_id}")]
pub async fn update_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<CorrectionPath>,
    body: ApiJson<CorrectionPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let user_id = user.id;
    let changes = body.0.validate()?;
    let CorrectionPath {
        id_or_slug,
        correction_id,
    } = path.into_inner();
    let urls = state.config.urls.clone();
    let row = db::write(&state.pool, move |conn| {
        let before = store::find(conn, &Key::parse(&id_or_slug))?;
        let row = corrections::update(conn, &before.summary.row, correction_id, &changes)?;
        announce(conn, &urls, user_id, &before)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Correction::from(row)))
}

/// Remove a correction, while the article has never been public (editors
/// and admins); after that this is a 409.
#[utoipa::path(
    tag = "articles",
    params(CorrectionPath),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"))
)]
#[delete("/articles/{id_or_slug}/corrections/{correction_id}")]
pub async fn delete_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<CorrectionPath>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let user_id = user.id;
    let CorrectionPath {
        id_or_slug,
        correction_id,
    } = path.into_inner();
    let urls = state.config.urls.clone();
    db::write(&state.pool, move |conn| {
        let before = store::find(conn, &Key::parse(&id_or_slug))?;
        corrections::delete(conn, &before.summary.row, correction_id)?;
        announce(conn, &urls, user_id, &before)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The article changed with its corrections: `article.updated` (with CDN
/// purge keys) like any other edit.
fn announce(
    conn: &mut db::Conn,
    urls: &PublicUrls,
    user_id: i32,
    before: &store::ArticleRecord,
) -> Result<(), ApiError> {
    let after = store::find(conn, &Key::Id(before.summary.row.id))?;
    events::article_saved(conn, urls, Some(before), &after)?;
    Ok(crate::store::revisions::record(
        conn,
        user_id,
        Some(before),
        &after,
    )?)
}
