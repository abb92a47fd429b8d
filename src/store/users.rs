//! Staff accounts.

use diesel::prelude::*;

use super::old_slugs::{self, Owner};
use super::{PageRequest, now};
use crate::db::Conn;
use crate::db::schema::users;
use crate::domain::Role;
use crate::store::Error;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// The author page's name; `None` only between the migration that
    /// added it and the start that fills it in (`give_slugs`).
    pub slug: Option<String>,
    pub bio: Option<String>,
    /// A media id.
    pub avatar_id: Option<i32>,
}

/// A validated account to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// `None`: the account cannot sign in (demo and imported staff).
    pub password_hash: Option<String>,
    pub active: bool,
    /// Made from the display name when `None`.
    pub slug: Option<String>,
    pub bio: Option<String>,
    pub avatar_id: Option<i32>,
}

/// Validated changes: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    pub active: Option<bool>,
    pub slug: Option<String>,
    /// `Some(None)` clears it.
    pub bio: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub avatar_id: Option<Option<i32>>,
}

pub fn find(conn: &mut Conn, id: i32) -> Result<UserRow, Error> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::NotFound("No user has this id.".to_owned()))
}

/// The account with this email, whatever its case.
pub fn find_by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<UserRow>> {
    // The column is COLLATE NOCASE, so `=` ignores ASCII case.
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The active account with this id, or `None`: what a token may act as.
pub fn find_active(conn: &mut Conn, id: i32) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut Conn, page: PageRequest) -> Result<(Vec<UserRow>, i64), Error> {
    let total: i64 = users::table.count().get_result(conn)?;
    let rows = users::table
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

fn refuse_taken_email(conn: &mut Conn, email: &str, except_id: i32) -> Result<(), Error> {
    match find_by_email(conn, email)? {
        Some(user) if user.id != except_id => {
            Err(Error::taken("email", "is already used by another account"))
        }
        _ => Ok(()),
    }
}

/// The slug to store for `user_id` (0 for a new account): `given`, unless
/// another account has it or had it as an author (409), or one made from
/// the display name.
fn choose_slug(
    conn: &mut Conn,
    given: Option<&str>,
    display_name: &str,
    user_id: i32,
) -> Result<String, Error> {
    super::choose_slug(given, display_name, "author", |base| {
        let mut taken: Vec<String> = users::table
            .select(users::slug.assume_not_null())
            .filter(users::id.ne(user_id))
            .filter(
                users::slug.eq(base).or(users::slug
                    .gt(format!("{base}-"))
                    .and(users::slug.lt(format!("{base}.")))),
            )
            .load(conn)?;
        taken.extend(old_slugs::similar(conn, Owner::Author, base, user_id)?);
        Ok(taken)
    })
}

/// A media id that names no image is a 422 on `field`.
pub fn refuse_unknown_media(
    conn: &mut Conn,
    field: &str,
    media_id: Option<i32>,
) -> Result<(), Error> {
    let Some(id) = media_id else {
        return Ok(());
    };
    let found: i64 = crate::db::schema::media::table
        .find(id)
        .count()
        .get_result(conn)?;
    if found == 0 {
        return Err(Error::invalid(field, format!("names no media: {id}")));
    }
    Ok(())
}

/// Gives every account without a slug one made from its display name:
/// the accounts that existed before authors had pages. Runs at start.
pub fn give_slugs(conn: &mut Conn) -> Result<usize, Error> {
    let unnamed: Vec<(i32, String)> = users::table
        .filter(users::slug.is_null())
        .select((users::id, users::display_name))
        .order(users::id.asc())
        .load(conn)?;
    for (id, display_name) in &unnamed {
        let slug = choose_slug(conn, None, display_name, *id)?;
        diesel::update(users::table.find(id))
            .set(users::slug.eq(slug))
            .execute(conn)?;
    }
    Ok(unnamed.len())
}

/// Whether the account has a public article now: what makes it an author
/// whose old slugs readers may hold links to.
fn is_public_author(conn: &mut Conn, id: i32) -> Result<bool, Error> {
    let counts = super::counts::public(conn, &[super::keys::author(id)], now())?;
    Ok(counts.values().any(|n| *n > 0))
}

/// Creates an account; call inside a write transaction.
pub fn create(conn: &mut Conn, new: &NewUser) -> Result<UserRow, Error> {
    refuse_taken_email(conn, &new.email, 0)?;
    refuse_unknown_media(conn, "avatar", new.avatar_id)?;
    let slug = choose_slug(conn, new.slug.as_deref(), &new.display_name, 0)?;
    let now = now();
    let id: i32 = diesel::insert_into(users::table)
        .values((
            users::email.eq(&new.email),
            users::display_name.eq(&new.display_name),
            users::role.eq(&new.role),
            users::password_hash.eq(&new.password_hash),
            users::active.eq(new.active),
            users::slug.eq(slug),
            users::bio.eq(&new.bio),
            users::avatar_id.eq(new.avatar_id),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result(conn)?;
    find(conn, id)
}

/// True when some active admin can sign in.
pub fn has_active_admin(conn: &mut Conn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::role.eq(Role::Admin))
            .filter(users::active.eq(true))
            .filter(users::password_hash.is_not_null()),
    ))
    .get_result(conn)
}

/// Applies `changes`; call inside a write transaction. The last active
/// admin can be neither demoted nor deactivated (409), so that the
/// newsroom can never lock itself out.
pub fn update(conn: &mut Conn, id: i32, changes: &UserChanges) -> Result<UserRow, Error> {
    let current = find(conn, id)?;
    if let Some(email) = &changes.email {
        refuse_taken_email(conn, email, id)?;
    }
    if let Some(avatar) = changes.avatar_id {
        refuse_unknown_media(conn, "avatar", avatar)?;
    }
    let slug = match (&changes.slug, &current.slug) {
        (None, Some(old)) => old.clone(),
        (Some(given), Some(old)) if given == old => old.clone(),
        (given, _) => choose_slug(
            conn,
            given.as_deref(),
            changes
                .display_name
                .as_deref()
                .unwrap_or(&current.display_name),
            id,
        )?,
    };
    if let Some(old) = current.slug.as_deref().filter(|old| *old != slug)
        && is_public_author(conn, id)?
    {
        old_slugs::moved(conn, Owner::Author, id, old, &slug)?;
    }
    let stays_admin = changes.role.unwrap_or(current.role) == Role::Admin
        && changes.active.unwrap_or(current.active);
    if current.role == Role::Admin && current.active && !stays_admin {
        let other_admins: i64 = users::table
            .filter(users::role.eq(Role::Admin))
            .filter(users::active.eq(true))
            .filter(users::id.ne(id))
            .count()
            .get_result(conn)?;
        if other_admins == 0 {
            return Err(Error::Conflict(
                "This is the last active admin; make another admin first.".to_owned(),
            ));
        }
    }
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(changes.email.as_ref().unwrap_or(&current.email)),
            users::display_name.eq(changes
                .display_name
                .as_ref()
                .unwrap_or(&current.display_name)),
            users::role.eq(changes.role.as_ref().unwrap_or(&current.role)),
            users::password_hash.eq(changes
                .password_hash
                .as_ref()
                .or(current.password_hash.as_ref())),
            users::active.eq(changes.active.unwrap_or(current.active)),
            users::slug.eq(slug),
            users::bio.eq(changes.bio.clone().unwrap_or(current.bio)),
            users::avatar_id.eq(changes.avatar_id.unwrap_or(current.avatar_id)),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    find(conn, id)
}
