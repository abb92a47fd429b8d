//! `/api/v1/users`: staff accounts, managed by admins.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::etag::{self, IfMatch};
use super::media::Media;
use super::{ApiJson, created, fields, pagination, tagged, utc};
use crate::audit::{Actor, Target};
use crate::auth::{AuthUser, Role, password};
use crate::db;
use crate::domain::AuditAction;
use crate::error::{ApiError, FieldErrors};
use crate::http::RequestInfo;
use crate::state::AppState;
use crate::store::media::{self as media_store, MediaRow};
use crate::store::users::{self as store, NewUser, UserChanges, UserRow};

pub(crate) const NAME_MAX: usize = 100;
const EMAIL_MAX: usize = 254;
pub(crate) const BIO_MAX: usize = 2_000;

/// A staff account. The password hash never leaves the server.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 2, "email": "editor@newsroom.example", "display_name": "Ada Editor",
    "role": "editor", "active": true, "slug": "ada-editor",
    "bio": "Covers the two Koreas from Seoul.", "avatar": null,
    "created_at": "2024-05-31T09:00:00Z"
}))]
pub struct User {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Inactive accounts cannot sign in, and their tokens stop working.
    pub active: bool,
    /// The author page's name (`/authors/{slug}`), unique.
    pub slug: String,
    /// A short biography for the author page.
    pub bio: Option<String>,
    /// A portrait from the media library.
    pub avatar: Option<Media>,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn new(row: UserRow, avatar: Option<MediaRow>) -> Self {
        User {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: row.role,
            active: row.active,
            slug: row.slug.unwrap_or_default(),
            bio: row.bio,
            avatar: avatar.map(Media::from),
            created_at: utc(row.created_at),
        }
    }
}

/// The accounts as served, their avatars loaded in one query.
pub(crate) fn present(conn: &mut db::Conn, rows: Vec<UserRow>) -> Result<Vec<User>, ApiError> {
    let ids: Vec<i32> = rows.iter().filter_map(|row| row.avatar_id).collect();
    let mut avatars = media_store::find_many(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let avatar = row.avatar_id.and_then(|id| avatars.remove(&id));
            User::new(row, avatar)
        })
        .collect())
}

/// One account as served.
pub(crate) fn present_one(conn: &mut db::Conn, row: UserRow) -> Result<User, ApiError> {
    let avatar = row
        .avatar_id
        .map(|id| media_store::find(conn, id))
        .transpose()?;
    Ok(User::new(row, avatar))
}

/// The account `id` as served.
pub(crate) fn load(conn: &mut db::Conn, id: i32) -> Result<User, ApiError> {
    let row = store::find(conn, id)?;
    present_one(conn, row)
}

/// The profile fields every account may set (an admin through
/// `/users`, anyone on their own through `PATCH /auth/me`), checked.
pub(crate) struct Profile {
    pub slug: Option<String>,
    pub bio: Option<Option<String>>,
    pub avatar: Option<Option<i32>>,
}

impl Profile {
    pub(crate) fn check(
        errors: &mut FieldErrors,
        slug: Option<&str>,
        bio: Option<Option<&str>>,
        avatar: Option<Option<i32>>,
    ) -> Profile {
        Profile {
            slug: slug.and_then(|slug| fields::optional_slug(errors, "slug", Some(slug))),
            bio: bio.map(|bio| fields::optional_text(errors, "bio", bio, BIO_MAX)),
            avatar,
        }
    }
}

/// A plausible email: one `@`, something on each side, a dot in the domain,
/// no spaces. Deliverability is the mail server's business.
pub fn email(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let value = value.trim();
    let valid = value.len() <= EMAIL_MAX
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        errors.add(field, "must be an email address such as name@example.org");
    }
    value.to_owned()
}

/// A new password's rules: 12 to 256 characters.
pub fn new_password(errors: &mut FieldErrors, value: &str) -> String {
    let length = value.chars().count();
    if !(password::MIN_LEN..=password::MAX_LEN).contains(&length) {
        errors.add(
            "password",
            format!(
                "must be {} to {} characters",
                password::MIN_LEN,
                password::MAX_LEN
            ),
        );
    }
    value.to_owned()
}

/// A staff account to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "editor@newsroom.example", "display_name": "Ada Editor", "role": "editor", "password": "correct horse battery staple"}))]
pub struct UserInput {
    /// Unique, whatever its case.
    pub email: String,
    /// Shown as the author of articles.
    pub display_name: String,
    pub role: Role,
    /// Stored as an Argon2id hash.
    pub password: String,
    /// Default true.
    pub active: Option<bool>,
    /// The author page's name; made from the display name when absent. A
    /// slug another account has (or had, as an author) is a 409.
    pub slug: Option<String>,
    /// A short biography, at most 2,000 characters.
    pub bio: Option<String>,
    /// A media id: the author's portrait.
    pub avatar: Option<i32>,
}

/// Changes to a staff account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "author"}))]
pub struct UserPatch {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub password: Option<String>,
    pub active: Option<bool>,
    /// A new slug; the old one keeps answering with a 301 once the
    /// account has a public article.
    pub slug: Option<String>,
    /// Null clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    /// A media id; null clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i32>)]
    pub avatar: Option<Option<i32>>,
}

impl super::Checked for UserInput {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        let mut errors = FieldErrors::new();
        account_fields(&mut errors, &self.email, &self.display_name);
        new_password(&mut errors, &self.password);
        Profile::check(
            &mut errors,
            self.slug.as_deref(),
            Some(self.bio.as_deref()),
            Some(self.avatar),
        );
        errors.into_vec()
    }
}

impl UserPatch {
    /// The profile fields, checked.
    fn profile(&self, errors: &mut FieldErrors) -> Profile {
        Profile::check(
            errors,
            self.slug.as_deref(),
            self.bio.as_ref().map(Option::as_deref),
            self.avatar,
        )
    }

    /// The new email, display name and password (in clear), checked.
    fn checked(
        &self,
        errors: &mut FieldErrors,
    ) -> (Option<String>, Option<String>, Option<String>) {
        (
            self.email
                .as_deref()
                .map(|value| email(errors, "email", value)),
            self.display_name
                .as_deref()
                .map(|value| fields::line(errors, "display_name", value, NAME_MAX)),
            self.password
                .as_deref()
                .map(|value| new_password(errors, value)),
        )
    }
}

impl super::Checked for UserPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        let mut errors = FieldErrors::new();
        self.checked(&mut errors);
        self.profile(&mut errors);
        errors.into_vec()
    }
}

/// Query parameters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The `{id}` of a user.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserId {
    /// The user's id.
    pub id: i32,
}

/// Checks and hashes a new account's fields: shared by the API, the CLI
/// and the bootstrap admin. Blocking (Argon2); call off the async workers.
pub fn validated_new_user(
    email_address: &str,
    display_name: &str,
    role: Role,
    password_text: &str,
) -> Result<NewUser, ApiError> {
    let mut errors = FieldErrors::new();
    let (email, display_name) = account_fields(&mut errors, email_address, display_name);
    let password_text = new_password(&mut errors, password_text);
    errors.finish()?;
    Ok(NewUser {
        email,
        display_name,
        role,
        password_hash: Some(
            password::hash(&password_text).map_err(|err| ApiError::Internal(err.into()))?,
        ),
        active: true,
        slug: None,
        bio: None,
        avatar_id: None,
    })
}

/// Checks and hashes a new password (for `newsdesk user set-password`).
/// Blocking (Argon2).
pub fn validated_password_hash(password_text: &str) -> Result<String, ApiError> {
    let mut errors = FieldErrors::new();
    let password_text = new_password(&mut errors, password_text);
    errors.finish()?;
    password::hash(&password_text).map_err(|err| ApiError::Internal(err.into()))
}

/// The checks on an account's email and display name, for every way an
/// account comes in (the API, the CLI, `newsdesk import`).
pub(crate) fn account_fields(
    errors: &mut FieldErrors,
    email_address: &str,
    display_name: &str,
) -> (String, String) {
    (
        email(errors, "email", email_address),
        fields::line(errors, "display_name", display_name, NAME_MAX),
    )
}

/// Hashes off the async workers: Argon2 is slow on purpose.
async fn hash(password: String) -> Result<String, ApiError> {
    web::block(move || password::hash(&password))
        .await?
        .map_err(|err| ApiError::Internal(err.into()))
}

/// List staff accounts (admin).
#[utoipa::path(
    tag = "users",
    params(UserListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of users", body = pagination::Page<User>,
        headers(("X-Total-Count" = i64, description = "Users on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let page = pagination::page_request(query.page, query.per_page)?;
    let (data, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = store::list(conn, page)?;
        Ok((present(conn, rows)?, total))
    })
    .await?;
    Ok(pagination::respond(&req, page, total, data))
}

/// Get one staff account (admin).
#[utoipa::path(
    tag = "users",
    params(UserId),
    security(("bearer" = [])),
    responses((status = 200, description = "The user", body = User))
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let id = path.id;
    let found = db::run(&state.pool, move |conn| load(conn, id)).await?;
    tagged(&found)
}

/// Applies `changes` to user `id` if `if_match` holds for the account as
/// stored, in one write transaction, with its audit entries:
/// `user.deactivated` when it was deactivated, `user.updated` naming the
/// other fields that changed.
pub(crate) async fn save(
    state: &AppState,
    actor: &Actor,
    id: i32,
    if_match: IfMatch,
    changes: UserChanges,
) -> Result<User, ApiError> {
    let actor = actor.clone();
    db::write(&state.pool, move |conn| {
        let before = load(conn, id)?;
        if_match.check(&etag::of(&before)?)?;
        let new_password = changes.password_hash.is_some();
        let row = store::update(conn, id, &changes)?;
        let after = present_one(conn, row)?;
        let target = Some(Target::User(id));
        if before.active && !after.active {
            actor.record(conn, AuditAction::UserDeactivated, target, None)?;
        }
        let changed = changed_fields(&before, &after, new_password);
        if !changed.is_empty() {
            let detail = serde_json::json!({"changed": changed});
            actor.record(conn, AuditAction::UserUpdated, target, Some(detail))?;
        }
        Ok(after)
    })
    .await
}

/// The fields of an account that a save changed, as the audit log names
/// them (a deactivation is an action of its own). The password is never
/// shown, only that it changed.
fn changed_fields(before: &User, after: &User, new_password: bool) -> Vec<&'static str> {
    let avatar = |user: &User| user.avatar.as_ref().map(|media| media.id);
    [
        ("email", before.email != after.email),
        ("display_name", before.display_name != after.display_name),
        ("role", before.role != after.role),
        ("active", !before.active && after.active),
        ("password", new_password),
        ("slug", before.slug != after.slug),
        ("bio", before.bio != after.bio),
        ("avatar", avatar(before) != avatar(after)),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(field, _)| field)
    .collect()
}

/// Create a staff account (admin).
#[utoipa::path(
    tag = "users",
    request_body = UserInput,
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = User,
        headers(("Location" = String, description = "URL of the new user"))))
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    body: ApiJson<UserInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let input = body.0;
    let active = input.active.unwrap_or(true);
    let mut errors = FieldErrors::new();
    let profile = Profile::check(
        &mut errors,
        input.slug.as_deref(),
        Some(input.bio.as_deref()),
        Some(input.avatar),
    );
    errors.finish()?;
    let mut new = web::block(move || {
        validated_new_user(
            &input.email,
            &input.display_name,
            input.role,
            &input.password,
        )
    })
    .await??;
    new.active = active;
    new.slug = profile.slug;
    new.bio = profile.bio.flatten();
    new.avatar_id = profile.avatar.flatten();
    let actor = Actor::staff(&user, &request);
    let row = db::write(&state.pool, move |conn| {
        let row = store::create(conn, &new)?;
        let detail = serde_json::json!({"role": row.role});
        actor.record(
            conn,
            AuditAction::UserCreated,
            Some(Target::User(row.id)),
            Some(detail),
        )?;
        present_one(conn, row)
    })
    .await?;
    Ok(created(format!("/api/v1/users/{}", row.id), &row))
}

/// Change a staff account (admin). The last active admin can be neither
/// demoted nor deactivated (409).
#[utoipa::path(
    tag = "users",
    params(UserId),
    request_body = UserPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The user as changed", body = User))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<UserId>,
    if_match: IfMatch,
    body: ApiJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let input = body.0;
    let mut errors = FieldErrors::new();
    let (email, display_name, password) = input.checked(&mut errors);
    let profile = input.profile(&mut errors);
    errors.finish()?;
    let password_hash = match password {
        Some(password) => Some(hash(password).await?),
        None => None,
    };
    let changes = UserChanges {
        email,
        display_name,
        role: input.role,
        password_hash,
        active: input.active,
        slug: profile.slug,
        bio: profile.bio,
        avatar_id: profile.avatar,
    };
    let actor = Actor::staff(&user, &request);
    let saved = save(&state, &actor, path.id, if_match, changes).await?;
    tagged(&saved)
}

/// Deactivate a staff account (admin): it can no longer sign in and its
/// tokens stop working; its articles stay. The last active admin cannot be
/// deactivated (409).
#[utoipa::path(
    tag = "users",
    params(UserId),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deactivated"),
        (status = 409, description = "This is the last active admin", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    user: AuthUser,
    request: RequestInfo,
    path: web::Path<UserId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let id = path.id;
    let changes = UserChanges {
        active: Some(false),
        ..UserChanges::default()
    };
    let actor = Actor::staff(&user, &request);
    save(&state, &actor, id, if_match, changes).await?;
    Ok(HttpResponse::NoContent().finish())
}
