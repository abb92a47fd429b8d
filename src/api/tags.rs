//! What topics and entities share as resources. Both tag articles; both are
//! read by id or slug (an old slug answers 301), created by editors,
//! changed and deleted under `If-Match`, and announced to webhooks. Each
//! resource says how in `impl Tag`; `topics.rs` and `entities.rs` keep
//! their routes, bodies and documentation, and their handlers call these.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::etag::{self, IfMatch};
use super::{created, tagged};
use crate::db::{self, Conn};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::old_slugs::Owner;
use crate::store::{self, Key};
use crate::urls::PublicUrls;

/// A resource that tags articles, as its representation (`Topic`,
/// `Entity`) knows it.
pub trait Tag: Serialize + Sized + 'static {
    /// The stored record the representation is made from.
    type Record: Clone + Send + 'static;
    /// A validated new one (a POST's body).
    type New: Send + 'static;
    /// Validated changes (a PUT's or a PATCH's body).
    type Changes: Send + 'static;

    /// Whose old slugs answer 301 for it.
    const OWNER: Owner;
    /// Where the collection lives: `/api/v1/topics`.
    const COLLECTION: &'static str;

    fn represent(record: Self::Record, urls: &PublicUrls) -> Self;
    fn id(record: &Self::Record) -> i32;
    /// The `Surrogate-Key` of one, which its writes purge.
    fn surrogate_key(id: i32) -> String;

    fn find(conn: &mut Conn, key: &Key) -> Result<Self::Record, store::Error>;
    fn create(conn: &mut Conn, new: &Self::New) -> Result<Self::Record, store::Error>;
    fn update(
        conn: &mut Conn,
        key: &Key,
        changes: &Self::Changes,
        guard: impl FnOnce(&Self::Record) -> Result<(), ApiError>,
    ) -> Result<Self::Record, ApiError>;
    fn delete(
        conn: &mut Conn,
        key: &Key,
        guard: impl FnOnce(&Self::Record) -> Result<(), ApiError>,
    ) -> Result<(), ApiError>;

    /// Queues the webhook events of a write (none when nothing changed).
    fn saved(
        conn: &mut Conn,
        urls: &PublicUrls,
        before: Option<&Self::Record>,
        after: &Self::Record,
    ) -> Result<(), ApiError>;
    fn deleted(conn: &mut Conn, urls: &PublicUrls, before: &Self::Record) -> Result<(), ApiError>;
}

/// A typeahead prefix (`?q=`): trimmed, 1 to 100 characters.
pub fn typeahead(value: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 100 {
        return Err(ApiError::invalid("q", "must be 1 to 100 characters"));
    }
    Ok(Some(value.to_owned()))
}

/// One by id or slug, with its ETag; an old slug answers 301.
pub async fn get<T: Tag>(
    state: &AppState,
    req: &HttpRequest,
    key: Key,
) -> Result<HttpResponse, ApiError> {
    let lookup = key.clone();
    let record = match db::run(&state.pool, move |conn| Ok(T::find(conn, &lookup)?)).await {
        Err(not_found @ ApiError::NotFound(_)) => {
            return super::moved_or(&state.pool, T::OWNER, req, key, not_found).await;
        }
        found => found?,
    };
    let keys = [T::surrogate_key(T::id(&record))];
    tagged(&T::represent(record, &state.config.urls))
        .map(|response| super::with_surrogate_keys(response, &keys))
}

/// Creates one: 201 with its `Location`.
pub async fn create<T: Tag>(state: &AppState, new: T::New) -> Result<HttpResponse, ApiError> {
    let urls = state.config.urls.clone();
    let record = db::write(&state.pool, move |conn| {
        let record = T::create(conn, &new)?;
        T::saved(conn, &urls, None, &record)?;
        Ok(record)
    })
    .await?;
    Ok(created(
        format!("{}/{}", T::COLLECTION, T::id(&record)),
        &T::represent(record, &state.config.urls),
    ))
}

/// Checks `If-Match` against the representation as it is stored now, and
/// keeps that record for the webhook events of the write.
fn guarded<T: Tag>(
    if_match: IfMatch,
    urls: PublicUrls,
    before: &mut Option<T::Record>,
) -> impl FnOnce(&T::Record) -> Result<(), ApiError> + '_ {
    move |current| {
        *before = Some(current.clone());
        if_match.check(&etag::of(&T::represent(current.clone(), &urls))?)
    }
}

/// Applies validated changes (a PUT or a PATCH) if `if_match` still holds,
/// and answers with the new representation and its ETag.
pub async fn save<T: Tag>(
    state: &AppState,
    key: Key,
    if_match: IfMatch,
    changes: T::Changes,
) -> Result<HttpResponse, ApiError> {
    let urls = state.config.urls.clone();
    let record = db::write(&state.pool, move |conn| {
        let mut before = None;
        let record = T::update(
            conn,
            &key,
            &changes,
            guarded::<T>(if_match, urls.clone(), &mut before),
        )?;
        T::saved(conn, &urls, before.as_ref(), &record)?;
        Ok(record)
    })
    .await?;
    tagged(&T::represent(record, &state.config.urls))
}

/// Deletes one if `if_match` still holds: 204.
pub async fn delete<T: Tag>(
    state: &AppState,
    key: Key,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let urls = state.config.urls.clone();
    db::write(&state.pool, move |conn| {
        let mut before = None;
        T::delete(
            conn,
            &key,
            guarded::<T>(if_match, urls.clone(), &mut before),
        )?;
        before.map_or(Ok(()), |before| T::deleted(conn, &urls, &before))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
