//! The media library's files and image work: where files are kept
//! (`files`), what is done to an image (`process`), and the few threads
//! that do it (`Jobs`).

pub mod files;
pub mod process;

use std::sync::Arc;

use tokio::sync::{Semaphore, oneshot};

use crate::error::ApiError;

/// Runs image work (decoding, resizing, encoding) on threads of its own,
/// a few at a time: it takes seconds of CPU and up to 256 MB each, and
/// must neither hold up the async workers nor the database's blocking
/// threads, nor run unbounded side by side.
#[derive(Debug, Clone)]
pub struct Jobs {
    permits: Arc<Semaphore>,
}

impl Jobs {
    /// At most `parallel` jobs at once (at least one); the others wait.
    pub fn new(parallel: usize) -> Jobs {
        Jobs {
            permits: Arc::new(Semaphore::new(parallel.max(1))),
        }
    }

    /// Runs `work` on a thread of its own once a permit is free. A panic in
    /// it is a 500 (the message goes to the log), never a dead worker.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|err| ApiError::internal("image jobs closed", err))?;
        let (send, receive) = oneshot::channel();
        std::thread::Builder::new()
            .name("newsdesk-image".to_owned())
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
                let _ = send.send(result);
            })
            .map_err(|err| ApiError::internal("cannot start an image job", err))?;
        match receive.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|message| (*message).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(ApiError::Internal(
                    format!("an image job panicked: {message}").into(),
                ))
            }
            Err(_) => Err(ApiError::Internal(
                "an image job ended without an answer".to_owned().into(),
            )),
        }
    }
}

/// The key of a kept original: `{storage_key}/original.{ext}`.
pub fn original_key(storage_key: &str, format: process::Format) -> String {
    format!("{storage_key}/original.{}", format.extension())
}

/// The key of a rendition: `{storage_key}/w{width}.{ext}`.
pub fn rendition_key(storage_key: &str, format: process::Format, width: u32) -> String {
    format!("{storage_key}/w{width}.{}", format.extension())
}
