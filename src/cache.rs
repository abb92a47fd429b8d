//! Answers computed from the database, kept until what they were computed
//! from changes.
//!
//! Each answer names its dependencies (`article:42`, `topic:7`,
//! `list:articles`…; see the `generations` migration), and triggers bump a
//! generation per dependency in the transaction of every write that changes
//! it, whichever process writes. An answer is served only while the
//! generations of its dependencies are as they were when it was computed,
//! and only before the next scheduled article turns public or the next
//! public one expires (the public view moves then without a write). So a cached answer is never one that
//! a write or the clock has made wrong, and a write makes stale only the
//! answers that depend on what it changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;

use crate::db::Conn;
use crate::error::ApiError;
use crate::store::generations;

/// What an entry costs in memory, roughly: its bytes on the heap.
pub trait Weigh {
    fn weight(&self) -> usize;
}

/// How many items a list has on all pages, kept apart from its pages.
pub struct Total(pub crate::store::articles::Total);

impl Weigh for Total {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
    }
}

/// An answer with what it was computed from.
struct Entry<V> {
    value: Arc<V>,
    /// The dependencies' keys, and their generations at the time.
    keys: Vec<String>,
    generations: Vec<i64>,
    /// The next scheduled publication or expiry then; the answer holds
    /// until it.
    valid_until: Option<NaiveDateTime>,
}

impl<V: Weigh> Entry<V> {
    fn weight(&self) -> usize {
        self.value.weight() + self.keys.iter().map(|key| key.len() + 32).sum::<usize>()
    }
}

struct Entries<V> {
    by_key: HashMap<String, Arc<Entry<V>>>,
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
                by_key: HashMap::new(),
                keys: Vec::new(),
                bytes: 0,
            }),
        }
    }

    /// The answer for `key`: the cached one while still right, else the
    /// one `load` computes, with the keys of what it depends on, which is
    /// then kept. Call inside one read transaction with `load`, so that
    /// the generations and the answer see the same data.
    pub fn get_or_load(
        &self,
        conn: &mut Conn,
        key: String,
        load: impl FnOnce(&mut Conn) -> Result<(V, Vec<String>), ApiError>,
    ) -> Result<Arc<V>, ApiError> {
        if self.budget == 0 {
            return load(conn).map(|(value, _)| Arc::new(value));
        }
        let now = crate::store::now();
        crate::db::read_transaction(conn, |conn| {
            let cached = self
                .entries
                .lock()
                .ok()
                .and_then(|entries| entries.by_key.get(&key).cloned());
            if let Some(entry) = cached
                && entry.valid_until.is_none_or(|until| now < until)
                && generations::current(conn, &entry.keys)? == entry.generations
            {
                return Ok(Arc::clone(&entry.value));
            }
            let (value, keys) = load(conn)?;
            let entry = Entry {
                generations: generations::current(conn, &keys)?,
                keys,
                valid_until: generations::next_turn(conn, now)?,
                value: Arc::new(value),
            };
            let value = Arc::clone(&entry.value);
            if let Ok(mut entries) = self.entries.lock() {
                self.keep(&mut entries, key, entry);
            }
            Ok(value)
        })
    }

    fn keep(&self, entries: &mut Entries<V>, key: String, entry: Entry<V>) {
        let weight = key.len() + entry.weight();
        if weight > self.budget {
            return;
        }
        // A newer answer replaces a stale one under the same key.
        if let Some(old) = entries.by_key.remove(&key) {
            entries.bytes -= key.len() + old.weight();
            entries.keys.retain(|kept| *kept != key);
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
        entries.by_key.insert(key, Arc::new(entry));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;

    type Outcome = Result<(), Box<dyn std::error::Error>>;

    struct Sized(usize);

    impl Weigh for Sized {
        fn weight(&self) -> usize {
            self.0
        }
    }

    fn database() -> Result<Conn, Box<dyn std::error::Error>> {
        let mut conn = Conn::establish(":memory:")?;
        crate::db::migrate(&mut conn)?;
        Ok(conn)
    }

    /// Whether `key` was answered from the cache; a load depends on `deps`.
    fn cached_with(
        cache: &Cache<Sized>,
        conn: &mut Conn,
        key: &str,
        size: usize,
        deps: &[&str],
    ) -> Result<bool, ApiError> {
        let mut loaded = false;
        cache.get_or_load(conn, key.to_owned(), |_| {
            loaded = true;
            Ok((
                Sized(size),
                deps.iter().map(|dep| (*dep).to_owned()).collect(),
            ))
        })?;
        Ok(!loaded)
    }

    fn cached(
        cache: &Cache<Sized>,
        conn: &mut Conn,
        key: &str,
        size: usize,
    ) -> Result<bool, ApiError> {
        cached_with(cache, conn, key, size, &[])
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
    fn a_write_drops_only_the_answers_that_depend_on_what_it_changed() -> Outcome {
        let conn = &mut database()?;
        let cache = Cache::new(1000);
        assert!(!cached_with(
            &cache,
            conn,
            "topic page",
            10,
            &["topic:1", "names"]
        )?);
        assert!(!cached_with(
            &cache,
            conn,
            "entity page",
            10,
            &["entity:1", "names"]
        )?);
        assert!(cached_with(
            &cache,
            conn,
            "topic page",
            10,
            &["topic:1", "names"]
        )?);
        diesel::sql_query(
            "INSERT INTO topics (slug, name, created_at, updated_at) \
             VALUES ('t', 'T', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .execute(conn)?;
        assert!(
            !cached_with(&cache, conn, "topic page", 10, &["topic:1", "names"])?,
            "topic 1 is new: its page changed"
        );
        assert!(
            cached_with(&cache, conn, "entity page", 10, &["entity:1", "names"])?,
            "nothing the entity page shows changed"
        );
        diesel::sql_query("UPDATE topics SET name = 'Renamed' WHERE id = 1").execute(conn)?;
        assert!(
            !cached_with(&cache, conn, "entity page", 10, &["entity:1", "names"])?,
            "a rename reaches every answer that embeds names"
        );
        assert_eq!(kept(&cache).0, 2, "a new answer replaces the stale one");
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
