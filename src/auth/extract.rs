//! `AuthUser` (a signed-in staff member, or 401) and `MaybeUser` (anyone,
//! but a token that is sent must be valid) for handlers to take as arguments.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};

use super::Role;
use crate::db;
use crate::domain::Named;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::users;

/// The staff member a valid bearer token names, as stored now (a role
/// change takes effect at once, whatever the token says).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i32,
    pub role: Role,
    pub email: String,
    pub display_name: String,
}

impl AuthUser {
    /// 403 unless the role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "This needs the {} role or higher; you are {}.",
                role.name(),
                self.role.name()
            )))
        }
    }
}

/// The signed-in user when a token was sent, `None` for the public.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

fn invalid_token() -> ApiError {
    ApiError::Unauthorized(
        "The bearer token is invalid, expired, or its account is inactive.".to_owned(),
    )
}

/// The token of an `Authorization: Bearer …` header; `Ok(None)` when there
/// is no such header.
fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| invalid_token())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(invalid_token)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "Use Authorization: Bearer <token>.".to_owned(),
        ));
    }
    Ok(Some(token.trim().to_owned()))
}

async fn authenticate(state: Option<Data<AppState>>, token: String) -> Result<AuthUser, ApiError> {
    let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
    let id = state.tokens.verify(&token).ok_or_else(invalid_token)?;
    let user = db::run(&state.pool, move |conn| Ok(users::find_active(conn, id)?))
        .await?
        .ok_or_else(invalid_token)?;
    let role = user.role;
    Ok(AuthUser {
        id: user.id,
        role,
        email: user.email,
        display_name: user.display_name,
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            match token? {
                Some(token) => authenticate(state, token).await,
                None => Err(ApiError::Unauthorized(
                    "Sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/token.".to_owned(),
                )),
            }
        })
    }
}

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            match token? {
                Some(token) => authenticate(state, token)
                    .await
                    .map(|user| MaybeUser(Some(user))),
                None => Ok(MaybeUser(None)),
            }
        })
    }
}
