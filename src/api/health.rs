//! `/healthz` and `/readyz`, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

/// The state of the process.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// Always `ok` when there is an answer at all.
    pub status: &'static str,
}

/// The state of the database.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "backend": "sqlite", "schema_version": "20261203000331"}))]
pub struct Readiness {
    /// `ok` when the database answers.
    pub status: &'static str,
    /// Which database this node runs on: `sqlite` (the embedded default)
    /// or `postgres` (`DATABASE_URL=postgres://…`).
    #[schema(example = "sqlite")]
    pub backend: &'static str,
    /// The latest migration applied (each backend has its own).
    pub schema_version: String,
}

/// Is the process up? Answers without touching the database.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Health { status: "ok" })
}

/// Can the server answer requests? Asks the database.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The database answers", body = Readiness))
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (backend, schema_version) = db::run(&state.pool, |conn| {
        Ok((conn.kind().name(), db::schema_version(conn)?))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Readiness {
            status: "ok",
            backend,
            schema_version,
        }))
}
