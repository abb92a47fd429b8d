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

/// What an entry costs in memory, roughly: its bytes on the heap.
pub trait Weigh {
    fn weight(&self) -> usize;
}

/// How many items a list has on all pages, kept apart from its pages.
pub struct Total(pub i64);

impl Weigh for Total {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
    }
}

/// The entries, all computed at one stamp (older ones can never be right
/// again: the generation only grows, and the clock only moves on).
struct Entries<V> {
    stamp: Option<Stamp>,
    by_key: HashMap<String, Arc<V>>,
    /// The same keys, to pick one at random when the budget is spent.
    keys: Vec<String>,
    bytes: usize,
}

/// Answers by key, within a budget of bytes. When it is full, a random
/// answer makes room: readers who cycle through more articles than fit
/// (a crawler, the benchmark) still hit in proportion to what fits, where
/// dropping the oldest would miss every time.
pub struct Cache<V> {
    budget: usize,
    entries: Mutex<Entries<V>>,
}

impl<V: Weigh> Cache<V> {
    /// A cache that holds up to `budget` bytes of answers; 0 turns it off.
    pub fn new(budget: usize) -> Cache<V> {
        Cache {
            budget,
            entries: Mutex::new(Entries {
                stamp: None,
                by_key: HashMap::new(),
                keys: Vec::new(),
                bytes: 0,
            }),
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
        if self.budget == 0 {
            return load(conn).map(Arc::new);
        }
        let now = crate::store::now();
        conn.transaction(|conn| {
            let current = stamp(conn, now)?;
            // `next_publication` is always after `now`, so an equal stamp
            // also means no scheduled article has turned public since.
            if let Ok(entries) = self.entries.lock()
                && entries.stamp == Some(current)
                && let Some(value) = entries.by_key.get(&key)
            {
                return Ok(Arc::clone(value));
            }
            let value = Arc::new(load(conn)?);
            if let Ok(mut entries) = self.entries.lock() {
                self.keep(&mut entries, current, key, Arc::clone(&value));
            }
            Ok(value)
        })
    }

    fn keep(&self, entries: &mut Entries<V>, stamp: Stamp, key: String, value: Arc<V>) {
        match entries.stamp {
            // Computed before a write that another answer already saw.
            Some(kept) if kept.generation > stamp.generation => return,
            Some(kept) if kept == stamp => {}
            _ => {
                entries.by_key.clear();
                entries.keys.clear();
                entries.bytes = 0;
                entries.stamp = Some(stamp);
            }
        }
        let weight = key.len() + value.weight();
        if weight > self.budget || entries.by_key.contains_key(&key) {
            return;
        }
        while entries.bytes + weight > self.budget && !entries.keys.is_empty() {
            let victim = entries
                .keys
                .swap_remove(rand::random_range(0..entries.keys.len()));
            if let Some(gone) = entries.by_key.remove(&victim) {
                entries.bytes -= victim.len() + gone.weight();
            }
        }
        entries.bytes += weight;
        entries.keys.push(key.clone());
        entries.by_key.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Outcome = Result<(), Box<dyn std::error::Error>>;

    struct Sized(usize);

    impl Weigh for Sized {
        fn weight(&self) -> usize {
            self.0
        }
    }

    fn database() -> Result<SqliteConnection, Box<dyn std::error::Error>> {
        let mut conn = SqliteConnection::establish(":memory:")?;
        crate::db::migrate(&mut conn)?;
        Ok(conn)
    }

    /// Whether `key` was answered from the cache.
    fn cached(
        cache: &Cache<Sized>,
        conn: &mut SqliteConnection,
        key: &str,
        size: usize,
    ) -> Result<bool, ApiError> {
        let mut loaded = false;
        cache.get_or_load(conn, key.to_owned(), |_| {
            loaded = true;
            Ok(Sized(size))
        })?;
        Ok(!loaded)
    }

    fn kept(cache: &Cache<Sized>) -> (usize, usize) {
        cache
            .entries
            .lock()
            .map(|entries| (entries.by_key.len(), entries.bytes))
            .unwrap_or_default()
    }

    #[test]
    fn answers_make_room_within_the_budget() -> Outcome {
        let conn = &mut database()?;
        // Each entry weighs its key (1 byte) plus 40.
        let cache = Cache::new(100);
        assert!(!cached(&cache, conn, "a", 40)?);
        assert!(!cached(&cache, conn, "b", 40)?);
        assert!(cached(&cache, conn, "a", 40)?);
        assert!(cached(&cache, conn, "b", 40)?);
        assert!(!cached(&cache, conn, "c", 40)?, "over budget: a or b goes");
        assert!(cached(&cache, conn, "c", 40)?);
        assert_eq!(kept(&cache), (2, 82));
        assert!(!cached(&cache, conn, "huge", 500)?, "never kept");
        assert!(!cached(&cache, conn, "huge", 500)?);
        assert_eq!(kept(&cache), (2, 82));
        Ok(())
    }

    #[test]
    fn cycling_through_more_than_fits_still_hits() -> Outcome {
        let conn = &mut database()?;
        // Room for 10 of 20 keys (each 2 bytes + 8).
        let cache = Cache::new(100);
        let mut hits = 0;
        for _ in 0..50 {
            for key in 10..30 {
                hits += usize::from(cached(&cache, conn, &key.to_string(), 8)?);
            }
        }
        assert!(hits > 100, "{hits} hits of 1000");
        Ok(())
    }

    #[test]
    fn a_write_drops_every_answer() -> Outcome {
        let conn = &mut database()?;
        let cache = Cache::new(1000);
        assert!(!cached(&cache, conn, "a", 10)?);
        assert!(!cached(&cache, conn, "b", 10)?);
        assert!(cached(&cache, conn, "a", 10)?);
        diesel::sql_query(
            "INSERT INTO topics (slug, name, created_at, updated_at) \
             VALUES ('t', 'T', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .execute(conn)?;
        assert!(!cached(&cache, conn, "a", 10)?);
        assert_eq!(
            kept(&cache),
            (1, 11),
            "the old generation's answers are freed"
        );
        Ok(())
    }

    #[test]
    fn a_budget_of_zero_keeps_nothing() -> Outcome {
        let conn = &mut database()?;
        let cache = Cache::new(0);
        assert!(!cached(&cache, conn, "a", 1)?);
        assert!(!cached(&cache, conn, "a", 1)?);
        Ok(())
    }
}
