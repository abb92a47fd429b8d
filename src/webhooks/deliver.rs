//! The delivery worker: claims due deliveries, POSTs them signed, records
//! each attempt and schedules the next. Deliveries run side by side (at
//! most `concurrency`, and at most a quarter of those for one webhook), so
//! that a slow or dead receiver holds only its own deliveries; the API's
//! writes never wait for any of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tokio::sync::{Notify, Semaphore};

use super::Settings;
use super::{sign, target};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::store::now;
use crate::store::outbox::{self, Claimed, Next, Outcome};

/// The longest error text kept in the log.
const ERROR_MAX: usize = 500;

/// Runs until the runtime stops.
pub async fn run(pool: DbPool, settings: Settings) {
    let client = match client(&settings) {
        Ok(client) => client,
        Err(err) => {
            log::error!("webhooks: cannot build the HTTP client, nothing will be delivered: {err}");
            return;
        }
    };
    let worker = Arc::new(Worker {
        pool,
        settings,
        client,
        permits: Semaphore::new(0),
        in_flight: Mutex::new(HashMap::new()),
        wake: Notify::new(),
    });
    worker.permits.add_permits(worker.settings.concurrency);
    loop {
        // Wait a poll interval, or less when an attempt ended (more may be
        // waiting behind it).
        tokio::select! {
            () = tokio::time::sleep(worker.settings.poll_interval) => {}
            () = worker.wake.notified() => {}
            () = super::committed() => {}
        }
        loop {
            match Arc::clone(&worker).claim_and_send().await {
                // Everything free was used: claim again as attempts end.
                Ok(claimed) if claimed > 0 && worker.permits.available_permits() > 0 => {}
                Ok(_) => break,
                Err(err) => {
                    log::warn!("webhooks: claiming deliveries failed: {err}");
                    break;
                }
            }
        }
    }
}

fn client(settings: &Settings) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(target::PublicResolver {
            allow_private: settings.allow_private,
        }))
        // A redirect could lead anywhere, a private address included: a 3xx
        // is an answer that is not 2xx, retried as such.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("newsdesk-webhooks/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .map_err(|err| err.to_string())
}

struct Worker {
    pool: DbPool,
    settings: Settings,
    client: reqwest::Client,
    /// Free delivery slots.
    permits: Semaphore,
    /// Deliveries under way per webhook.
    in_flight: Mutex<HashMap<i32, usize>>,
    /// Rung when an attempt ends.
    wake: Notify,
}

impl Worker {
    /// Deliveries one webhook may have under way at once.
    fn per_webhook(&self) -> usize {
        (self.settings.concurrency / 4).max(1)
    }

    fn in_flight(&self) -> HashMap<i32, usize> {
        self.in_flight
            .lock()
            .map(|map| map.clone())
            .unwrap_or_default()
    }

    fn adjust(&self, webhook_id: i32, up: bool) {
        if let Ok(mut map) = self.in_flight.lock() {
            let count = map.entry(webhook_id).or_insert(0);
            if up {
                *count += 1;
            } else {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    map.remove(&webhook_id);
                }
            }
        }
    }

    /// Claims what the free slots allow and starts sending it; returns how
    /// many were claimed.
    async fn claim_and_send(self: Arc<Self>) -> Result<usize, ApiError> {
        let free = self.permits.available_permits();
        if free == 0 {
            return Ok(0);
        }
        let busy = self.in_flight();
        let per_webhook = self.per_webhook();
        let lease = chrono::Duration::from_std(self.settings.timeout + Duration::from_secs(30))
            .unwrap_or(chrono::Duration::seconds(60));
        // A read first, so that an idle poll takes no write lock.
        if !db::run(&self.pool, |conn| Ok(outbox::any_due(conn, now())?)).await? {
            return Ok(0);
        }
        let claimed: Vec<Claimed> = db::claim(&self.pool, move |conn| {
            let now = now();
            // Read more than the free slots: some may belong to a webhook
            // that already has its share under way.
            let limit = i64::try_from(free.saturating_mul(4)).unwrap_or(64);
            let mut taken: HashMap<i32, usize> = busy;
            let mut picked = Vec::new();
            for candidate in outbox::candidates(conn, now, limit)? {
                let count = taken.entry(candidate.webhook_id).or_insert(0);
                if *count < per_webhook && picked.len() < free {
                    *count += 1;
                    picked.push(candidate.delivery_id);
                }
            }
            if picked.is_empty() {
                return Ok(Vec::new());
            }
            Ok(outbox::lease(conn, &picked, now + lease)?)
        })
        .await?;
        let count = claimed.len();
        for delivery in claimed {
            let Ok(permit) = self.permits.try_acquire() else {
                // Cannot happen (one task claims); the lease runs out and
                // the delivery is claimed again.
                break;
            };
            permit.forget();
            self.adjust(delivery.webhook_id, true);
            let worker = Arc::clone(&self);
            tokio::spawn(async move {
                let webhook_id = delivery.webhook_id;
                worker.deliver(delivery).await;
                worker.adjust(webhook_id, false);
                worker.permits.add_permits(1);
                worker.wake.notify_one();
            });
        }
        Ok(count)
    }

    /// One attempt, and its record.
    async fn deliver(&self, delivery: Claimed) {
        let outcome = self.attempt(&delivery).await;
        let id = delivery.delivery_id;
        let recorded = db::write(&self.pool, move |conn| {
            Ok(outbox::finish(conn, id, &outcome, now())?)
        })
        .await;
        // Else the lease runs out and the delivery is attempted again: at
        // least once, never lost.
        if let Err(err) = recorded {
            log::warn!("webhooks: cannot record delivery {id}: {err}");
        }
    }

    async fn attempt(&self, delivery: &Claimed) -> Outcome {
        let started = Instant::now();
        let result = self.send(delivery).await;
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let attempts = delivery.attempt.saturating_add(1);
        let (status_code, error) = match result {
            Ok(status) if (200..300).contains(&status) => {
                return Outcome {
                    status_code: Some(i32::from(status)),
                    error: None,
                    duration_ms,
                    next: Next::Delivered,
                };
            }
            Ok(status) => (
                Some(i32::from(status)),
                Some(format!("the receiver answered {status}, not 2xx")),
            ),
            Err(error) => (None, Some(error)),
        };
        log::info!(
            "webhooks: delivery {} to webhook {} failed (attempt {attempts}): {}",
            delivery.delivery_id,
            delivery.webhook_id,
            error.as_deref().unwrap_or_default()
        );
        Outcome {
            status_code,
            error: error.map(|error| truncate(error, ERROR_MAX)),
            duration_ms,
            next: self.after_failure(attempts, now()),
        }
    }

    /// The retry schedule: after the n-th failed attempt, wait the n-th
    /// delay; past the last, the delivery has failed.
    fn after_failure(&self, attempts: i32, now: NaiveDateTime) -> Next {
        let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
        match self.settings.retry_schedule.get(index) {
            Some(delay) => Next::RetryAt(
                now + chrono::Duration::from_std(*delay).unwrap_or(chrono::Duration::hours(8)),
            ),
            None => Next::Failed,
        }
    }

    /// POSTs the event; the status code, or what went wrong.
    async fn send(&self, delivery: &Claimed) -> Result<u16, String> {
        // Checked again: the rules may have changed since the webhook was
        // saved (NEWSDESK_WEBHOOK_ALLOW_PRIVATE). Names are checked after
        // DNS by the client's resolver.
        let url = target::check_url(&delivery.url, self.settings.allow_private)
            .map_err(|reason| format!("the URL {reason}"))?;
        let timestamp = chrono::Utc::now().timestamp();
        let signature = sign::signature(
            &delivery.secret,
            &delivery.event_id,
            timestamp,
            &delivery.payload,
        )?;
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.payload.clone())
            .send()
            .await
            .map_err(|err| describe(&err, self.settings.timeout))?;
        Ok(response.status().as_u16())
    }
}

/// A request error in words, with its causes (a refused private address
/// is a cause deep in the chain).
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("no answer within {} s (timed out)", timeout.as_secs_f64());
    }
    let mut text = if err.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}
