//! What every handler can reach: the database, the settings, the token
//! keys, the comment rate limit (sign-ins are counted in the database,
//! `store::sign_in_attempts`), the media store
//! and the image threads. The answer caches are the api's own
//! (`api::Answers`), so that nothing here depends on the HTTP layer.

use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::DbPool;
use crate::rate_limit::RateLimit;

pub struct AppState {
    pub pool: DbPool,
    pub config: Config,
    pub tokens: TokenKeys,
    /// Comment posts per client address.
    pub comment_limiter: RateLimit,
    /// Where media files are kept (a directory or an S3 bucket).
    pub media_files: crate::media::files::MediaFiles,
    /// The threads that decode and resize images.
    pub image_jobs: crate::media::Jobs,
    /// The entity-suggestion matcher, rebuilt when entities change.
    pub suggestions: crate::suggest::Shared,
}
