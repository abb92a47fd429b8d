//! Integration tests: each test starts the real server on 127.0.0.1 with a
//! fresh SQLite file of its own and talks HTTP to it.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]

mod articles;
mod audit;
mod auth;
mod authors;
mod caching;
mod cli;
mod comments;
mod concurrency;
mod corrections;
mod crash;
mod embeds;
mod entities;
mod errors;
mod expiry;
mod facets;
mod featured;
mod feeds;
mod fields;
mod health;
mod helpers;
mod hostile;
mod http;
mod jsonld;
mod media;
mod old_slugs;
mod openapi;
mod plans;
mod previews;
mod related;
mod revisions;
mod roles;
mod search;
mod sitemaps;
mod suggestions;
mod topics;
mod totals;
mod urls;
mod users;
mod webhooks;
mod xml;
