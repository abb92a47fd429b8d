//! Answers computed from the database, kept until the database changes.
//!
//! Every write bumps `content_generation` (triggers, in the writing
//! transaction, whichever process writes), and the public's view also moves
//! when a scheduled article's time comes. An entry is used only while both
//! are as they were when it was computed, so a cached answer is never one
//! that a write (or the clock) has made wrong.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamp};

use crate::error::ApiError;

/// When an answer was computed: the content generation, and the next time
/// a scheduled article turns public (after which the public view changes).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp {
    generation: i64,
    next_publication: Option<NaiveDateTime>,
}

#[derive(QueryableByName)]
struct StampRow {
    #[diesel(sql_type = BigInt)]
    generation: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    next_publication: Option<NaiveDateTime>,
}

fn stamp(conn: &mut SqliteConnection, now: NaiveDateTime) -> QueryResult<Stamp> {
    let row: StampRow = diesel::sql_query(
        "SELECT (SELECT n FROM content_generation WHERE id = 1) AS generation, \
         (SELECT min(published_at) FROM articles WHERE status = 'scheduled' AND published_at > ?) \
         AS next_publication",
    )
    .bind::<Timestamp, _>(now)
    .get_result(conn)?;
    Ok(Stamp {
        generation: row.generation,
        next_publication: row.next_publication,
    })
}

/// Up to `capacity` answers by key; when full, it starts over (lists are
/// cheap to recompute, and the hot ones come back at once).
pub struct Cache<V> {
    capacity: usize,
    entries: Mutex<HashMap<String, (Stamp, Arc<V>)>>,
}

impl<V> Cache<V> {
    pub fn new(capacity: usize) -> Cache<V> {
        Cache {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The answer for `key`: the cached one while still right, else `load`'s,
    /// which is then kept. Call inside one read transaction with `load`, so
    /// that the stamp and the answer see the same data.
    pub fn get_or_load(
        &self,
        conn: &mut SqliteConnection,
        key: String,
        load: impl FnOnce(&mut SqliteConnection) -> Result<V, ApiError>,
    ) -> Result<Arc<V>, ApiError> {
        if self.capacity == 0 {
            return load(conn).map(Arc::new);
        }
        let now = crate::store::now();
        conn.transaction(|conn| {
            let current = stamp(conn, now)?;
            let still_right = |cached: &Stamp| {
                cached.generation == current.generation
                    && cached.next_publication.is_none_or(|at| at > now)
            };
            if let Ok(entries) = self.entries.lock()
                && let Some((cached, value)) = entries.get(&key)
                && still_right(cached)
            {
                return Ok(Arc::clone(value));
            }
            let value = Arc::new(load(conn)?);
            if let Ok(mut entries) = self.entries.lock() {
                if entries.len() >= self.capacity {
                    entries.clear();
                }
                entries.insert(key, (current, Arc::clone(&value)));
            }
            Ok(value)
        })
    }
}
