//! Webhooks: the events writes record (`events`), how deliveries are
//! signed (`sign`) and where they may go (`target`), and the two background
//! tasks the server runs: the delivery worker (`deliver`) and the announcer
//! of scheduled articles whose time has passed. Both keep their state in
//! the database only, so that a restart, or another node on the same
//! database, carries on where they stopped.

pub mod deliver;
pub mod events;
pub mod sign;
pub mod target;

use std::cell::Cell;
use std::time::Duration;

use tokio::sync::Notify;

use crate::config::Config;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::store::{now, outbox};

/// Finished deliveries are kept in the log this long.
const KEEP_LOG: chrono::Duration = chrono::Duration::days(30);

/// How often finished deliveries past `KEEP_LOG` are cleared.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

thread_local! {
    /// Set when the transaction running on this thread recorded an event.
    static RECORDED: Cell<bool> = const { Cell::new(false) };
}

/// Rung when a transaction that recorded events commits, so that the
/// worker delivers at once instead of at its next poll.
static COMMITTED: Notify = Notify::const_new();

/// Notes that the transaction on this thread queued a delivery.
pub fn queued() {
    RECORDED.with(|recorded| recorded.set(true));
}

/// Called when a write transaction ends (`db::write`): if it committed
/// deliveries, the worker is woken.
pub fn transaction_ended(committed: bool) {
    if RECORDED.with(|recorded| recorded.replace(false)) && committed {
        COMMITTED.notify_one();
    }
}

/// Resolves when a transaction with deliveries commits.
pub(crate) async fn committed() {
    COMMITTED.notified().await;
}

/// One look for due scheduled articles (and, with `prune`, old log
/// entries); returns how many articles were announced.
async fn announce_once(
    pool: &DbPool,
    urls: &crate::urls::PublicUrls,
    prune: bool,
) -> Result<usize, ApiError> {
    let now = now();
    let mut announced = 0;
    // A read first, so that an idle poll takes no write lock.
    if db::run(pool, move |conn| {
        Ok(outbox::any_publication_due(conn, now)? || outbox::any_unpublication_due(conn, now)?)
    })
    .await?
    {
        let urls = urls.clone();
        announced = db::write(pool, move |conn| events::announce_due(conn, &urls, now)).await?;
    }
    if prune {
        db::write(pool, move |conn| Ok(outbox::prune(conn, now - KEEP_LOG)?)).await?;
    }
    Ok(announced)
}

/// What the background tasks need from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub allow_private: bool,
    pub retry_schedule: Vec<Duration>,
    pub poll_interval: Duration,
    pub timeout: Duration,
    pub concurrency: usize,
    /// For the articles that events carry.
    pub urls: crate::urls::PublicUrls,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            allow_private: config.webhook_allow_private,
            retry_schedule: config.webhook_retry_schedule.clone(),
            poll_interval: config.webhook_poll_interval,
            timeout: config.webhook_timeout,
            concurrency: config.webhook_concurrency.max(1),
            urls: config.urls.clone(),
        }
    }
}

/// Starts the delivery worker and the announcer on the current Tokio
/// runtime; they run until it stops.
pub fn start(pool: &DbPool, config: &Config) {
    let settings = Settings::from_config(config);
    tokio::spawn(deliver::run(pool.clone(), settings.clone()));
    tokio::spawn(announce(
        pool.clone(),
        settings.poll_interval,
        settings.urls,
    ));
}

/// Every poll interval, records `article.published` for the scheduled
/// articles whose time has passed (well within the 60 s the contract
/// allows), and now and then clears old finished deliveries.
async fn announce(pool: DbPool, every: Duration, urls: crate::urls::PublicUrls) {
    let mut last_prune: Option<std::time::Instant> = None;
    loop {
        tokio::time::sleep(every).await;
        let prune = last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY);
        if prune {
            last_prune = Some(std::time::Instant::now());
        }
        match announce_once(&pool, &urls, prune).await {
            Ok(0) => {}
            Ok(n) => log::info!("webhooks: {n} scheduled or expiring article(s) announced"),
            Err(err) => log::warn!("webhooks: announcing scheduled articles failed: {err}"),
        }
    }
}
