//! newsdesk: a headless news-content REST API.

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod media;
pub mod openapi;
pub mod ops;
pub mod rate_limit;
pub mod render;
pub mod routes;
pub mod slug;
pub mod state;
pub mod store;
pub mod suggest;
pub mod urls;
pub mod webhooks;
