//! Where media files are kept: one small interface, `MediaFiles`, over an
//! `object_store::ObjectStore`, which is either a directory on this node
//! (`NEWSDESK_MEDIA_DIR`, the default) or an S3-compatible bucket shared by
//! several nodes (`NEWSDESK_MEDIA_STORE=s3://bucket/prefix`). The rest of
//! the server sees only `put`, `get` and `delete` of keys it makes itself.

use std::sync::Arc;

use actix_web::web::Bytes;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::Config;
use crate::error::ApiError;

/// The file store of the media library.
#[derive(Debug, Clone)]
pub struct MediaFiles {
    store: Arc<dyn ObjectStore>,
}

/// A failure of the store: logged in full, answered as a 500 or, when the
/// store cannot be reached, a 503 (see `From<StoreError> for ApiError`).
#[derive(Debug, thiserror::Error)]
#[error("media store: {0}")]
pub struct StoreError(#[from] object_store::Error);

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        ApiError::Internal(error.into())
    }
}

impl MediaFiles {
    /// The store the configuration names: an S3 bucket when
    /// `media_store` is an `s3://` URL, otherwise the directory
    /// `media_dir` (created when missing).
    pub fn open(config: &Config) -> Result<MediaFiles, String> {
        let store: Arc<dyn ObjectStore> =
            match &config.media_store {
                Some(url) => {
                    let (bucket, prefix) = parse_s3_url(url)?;
                    let mut builder = AmazonS3Builder::new().with_bucket_name(bucket);
                    for (key, value) in &config.media_s3_options {
                        if let Ok(key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                            builder = builder.with_config(key, value);
                        }
                    }
                    let s3 = builder
                        .build()
                        .map_err(|err| format!("NEWSDESK_MEDIA_STORE {url}: {err}"))?;
                    if prefix.is_empty() {
                        Arc::new(s3)
                    } else {
                        Arc::new(PrefixStore::new(s3, prefix))
                    }
                }
                None => {
                    std::fs::create_dir_all(&config.media_dir).map_err(|err| {
                        format!(
                            "cannot create NEWSDESK_MEDIA_DIR {}: {err}",
                            config.media_dir
                        )
                    })?;
                    Arc::new(LocalFileSystem::new_with_prefix(&config.media_dir).map_err(
                        |err| format!("cannot use NEWSDESK_MEDIA_DIR {}: {err}", config.media_dir),
                    )?)
                }
            };
        Ok(MediaFiles { store })
    }

    /// Keeps `bytes` at `key`, atomically (a reader sees all or nothing).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The bytes at `key`, or `None` when nothing is kept there.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        match self.store.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes what is at `key`; nothing there is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

/// `s3://bucket/some/prefix` → (`bucket`, `some/prefix`).
pub fn parse_s3_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| format!("NEWSDESK_MEDIA_STORE must be s3://bucket/prefix, not {url}"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(format!("NEWSDESK_MEDIA_STORE names no bucket: {url}"));
    }
    Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

/// The media store for a command-line run (`newsdesk export`/`import`):
/// the same store as the server's, driven from synchronous code on a
/// runtime of its own.
pub struct BlockingMediaFiles {
    files: MediaFiles,
    runtime: tokio::runtime::Runtime,
}

impl BlockingMediaFiles {
    pub fn open(config: &Config) -> Result<BlockingMediaFiles, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| format!("cannot start the media store's runtime: {err}"))?;
        Ok(BlockingMediaFiles {
            files: MediaFiles::open(config)?,
            runtime,
        })
    }
}

impl crate::ops::transfer::MediaFileAccess for BlockingMediaFiles {
    fn read(&self, key: &str) -> Result<Vec<u8>, String> {
        match self.runtime.block_on(self.files.get(key)) {
            Ok(Some(bytes)) => Ok(bytes.to_vec()),
            Ok(None) => Err(format!("no file is kept at {key}")),
            Err(err) => Err(err.to_string()),
        }
    }

    fn write(&self, key: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.runtime
            .block_on(self.files.put(key, bytes))
            .map_err(|err| err.to_string())
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_name_a_bucket_and_an_optional_prefix() {
        assert_eq!(
            parse_s3_url("s3://news/media/2026/").unwrap(),
            ("news".to_owned(), "media/2026".to_owned())
        );
        assert_eq!(
            parse_s3_url("s3://news").unwrap(),
            ("news".to_owned(), String::new())
        );
        assert!(parse_s3_url("s3:///media").is_err());
        assert!(parse_s3_url("https://example.com/media").is_err());
    }
}
