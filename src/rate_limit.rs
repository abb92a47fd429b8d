//! Per-client rate limits (sign-in attempts, counted in the database;
//! comment posts, counted in memory), and who the
//! client is when newsdesk sits behind a proxy.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::store::sign_in_attempts;

/// Prune idle clients once the table holds this many, to bound memory.
const PRUNE_AT: usize = 10_000;

/// A token bucket per client address: `per_minute` requests in a burst,
/// refilled evenly over the minute. Zero disables the limit.
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl RateLimit {
    pub fn per_minute(per_minute: u32) -> RateLimit {
        RateLimit {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Counts one request of `client`; a 429 with the seconds to wait when
    /// the bucket is empty.
    pub fn check(&self, client: IpAddr) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() > PRUNE_AT {
            limiter.retain_recent();
        }
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// Counts a sign-in attempt of `client` in the database
/// (`store::sign_in_attempts`), so that the limit holds across every node;
/// a 429 with the seconds to wait past `per_minute` attempts in a minute.
/// Zero disables the limit.
pub async fn admit_sign_in(
    pool: &DbPool,
    client: Option<IpAddr>,
    per_minute: u32,
) -> Result<(), ApiError> {
    let Some(client) = client.filter(|_| per_minute > 0) else {
        return Ok(());
    };
    let wait = db::write(pool, move |conn| {
        Ok(sign_in_attempts::admit(
            conn,
            &client.to_string(),
            per_minute,
            crate::store::now(),
        )?)
    })
    .await?;
    match wait {
        None => Ok(()),
        Some(wait) => Err(ApiError::TooManyRequests {
            retry_after: u64::try_from(wait.num_milliseconds())
                .unwrap_or(1)
                .div_ceil(1000)
                .max(1),
        }),
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the last address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|address| address.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|address| !trusted_proxies.contains(address))
            .unwrap_or(peer),
    )
}
