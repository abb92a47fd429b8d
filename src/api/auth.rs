//! `/api/v1/auth`: sign-in and "who am I".

use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::users::User;
use crate::app::AppState;
use crate::auth::{AuthUser, password};
use crate::db;
use crate::error::ApiError;
use crate::rate_limit::client_address;
use crate::store::users;

/// Credentials for a token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@newsroom.example", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

impl super::Checked for TokenRequest {
    /// Any strings may be tried; a wrong pair is a 401, not a 422.
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        Vec::new()
    }
}

/// A bearer token for the `Authorization` header.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    /// An HS256 JWT with `sub`, `role`, `iat`, `exp` and `iss`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized("The email or password is wrong.".to_owned())
}

/// Sign in: trade an email and password for a bearer token.
///
/// A wrong email and a wrong password get the same answer in the same
/// time. Attempts are limited per client address (10 a minute by default);
/// beyond that the answer is a 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see `Retry-After`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<TokenRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    if let Some(client) = client_address(&req, &state.config.trusted_proxies) {
        state.auth_limiter.check(client)?;
    }
    let TokenRequest {
        email,
        password: given,
    } = body.0;
    let user = db::run(&state.pool, move |conn| {
        Ok(users::find_by_email(conn, email.trim())?)
    })
    .await?;
    let stored = user
        .as_ref()
        .filter(|user| user.active)
        .and_then(|user| user.password_hash.clone());
    // Verified even without an account (against a dummy hash), so that
    // the answer takes the same time either way.
    let matches = web::block(move || password::verify(&given, stored.as_deref())).await?;
    let user = user.filter(|_| matches).ok_or_else(wrong_credentials)?;
    let role = user.role;
    let access_token = state
        .tokens
        .issue(user.id, role)
        .map_err(ApiError::Internal)?;
    Ok(web::Json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.ttl_seconds,
    }))
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The account the token belongs to", body = User))
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<User>, ApiError> {
    let id = user.id;
    let row = db::run(&state.pool, move |conn| users::find(conn, id)).await?;
    Ok(web::Json(row.into()))
}
