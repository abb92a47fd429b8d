//! `/api/v1/auth`: sign-in and "who am I".

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::etag::IfMatch;
use super::users::User;
use crate::audit::{self, Actor, Target};
use crate::auth::{AuthUser, password};
use crate::db;
use crate::domain::AuditAction;
use crate::error::{ApiError, FieldErrors};
use crate::http::RequestInfo;
use crate::rate_limit::{admit_sign_in, client_address};
use crate::state::AppState;
use crate::store::users::{self, UserChanges};

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
/// beyond that the answer is a 429 with `Retry-After`. Every attempt that
/// is not rate-limited goes into the audit log: `auth.sign_in`, or
/// `auth.sign_in_failed` with the email tried.
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
    request: RequestInfo,
    body: ApiJson<TokenRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let client = client_address(&req, &state.config.trusted_proxies);
    admit_sign_in(&state.pool, client, state.config.auth_rate_per_minute).await?;
    let TokenRequest {
        email,
        password: given,
    } = body.0;
    let tried = email.clone();
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
    // Each attempt in a transaction of its own: a failed one writes
    // nothing but its entry.
    let Some(user) = user.filter(|_| matches) else {
        let actor = Actor::anonymous(&request);
        db::write(&state.pool, move |conn| {
            let detail = audit::sign_in_failed_detail(&tried);
            Ok(actor.record(conn, AuditAction::SignInFailed, None, Some(detail))?)
        })
        .await?;
        return Err(wrong_credentials());
    };
    // The token first: a sign-in is on the record only once it is given.
    let access_token = state
        .tokens
        .issue(user.id, user.role)
        .map_err(|err| ApiError::Internal(err.into()))?;
    let actor = Actor::account(user.id, &user.display_name, &request);
    let id = user.id;
    db::write(&state.pool, move |conn| {
        Ok(actor.record(conn, AuditAction::SignIn, Some(Target::User(id)), None)?)
    })
    .await?;
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
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let id = user.id;
    let found = db::run(&state.pool, move |conn| super::users::load(conn, id)).await?;
    super::tagged(&found)
}

/// Changes to one's own profile: what readers see on the author page and
/// in bylines. Absent fields stay as they are. Role, email, password and
/// activity are an admin's (`PATCH /users/{id}`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "ada-lovelace", "bio": "Covers the two Koreas from Seoul.", "avatar": 7}))]
pub struct ProfilePatch {
    /// Shown as the author of articles.
    pub display_name: Option<String>,
    /// The author page's name (`/authors/{slug}`). A slug another account
    /// has, or had as an author, is a 409; once one has a public article,
    /// the old slug keeps answering with a 301.
    pub slug: Option<String>,
    /// A short biography, at most 2,000 characters; null clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    /// A media id for one's portrait; null clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i32>)]
    pub avatar: Option<Option<i32>>,
}

impl ProfilePatch {
    fn validate(self) -> Result<UserChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let display_name = self.display_name.as_deref().map(|name| {
            super::fields::line(&mut errors, "display_name", name, super::users::NAME_MAX)
        });
        let profile = super::users::Profile::check(
            &mut errors,
            self.slug.as_deref(),
            self.bio.as_ref().map(Option::as_deref),
            self.avatar,
        );
        errors.finish()?;
        Ok(UserChanges {
            display_name,
            slug: profile.slug,
            bio: profile.bio,
            avatar_id: profile.avatar,
            ..UserChanges::default()
        })
    }
}

impl super::Checked for ProfilePatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate())
    }
}

/// Change one's own profile: display name, slug, biography and avatar
/// (any staff role). Honours `If-Match` like every other write.
#[utoipa::path(
    tag = "auth",
    request_body = ProfilePatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The account as changed", body = User))
)]
#[patch("/auth/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    if_match: IfMatch,
    body: ApiJson<ProfilePatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.0.validate()?;
    let actor = Actor::staff(&user, &request);
    let saved = super::users::save(&state, &actor, user.id, if_match, changes).await?;
    super::tagged(&saved)
}
