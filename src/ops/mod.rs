//! The operator's commands behind the CLI: they work on the database
//! directly, without the HTTP layer.

pub mod audit;
pub mod demo;
pub mod transfer;
