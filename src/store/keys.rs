//! The names of what answers depend on. Those the answer cache uses
//! (`article`, `topic`, `entity`, `kind`, `author`, `list:articles`,
//! `names`) are rows of `generations`, bumped by the triggers of the
//! `generations_per_dependency` migration in the transaction of every write
//! that changes them. All of them go out as `Surrogate-Key`, so that a CDN
//! can purge by them; `comment`, `list:topics`, `list:entities` and `feed`
//! serve only that (no answer the server caches depends on them).

use crate::domain::{EntityKind, Named};

/// An article: its row, body, tags and comment count.
pub fn article(id: i32) -> String {
    format!("article:{id}")
}

/// Which articles a list filtered by this topic holds, and their order.
pub fn topic(id: i32) -> String {
    format!("topic:{id}")
}

/// Which articles a list filtered by this entity holds, and their order.
pub fn entity(id: i32) -> String {
    format!("entity:{id}")
}

/// Which articles a list filtered by this entity kind holds.
pub fn kind(kind: EntityKind) -> String {
    format!("kind:{}", kind.name())
}

/// A comment (its thread is its article's key).
pub fn comment(id: i32) -> String {
    format!("comment:{id}")
}

/// An image of the media library: its record and its files.
pub fn media(id: i32) -> String {
    format!("media:{id}")
}

/// A staff author's articles.
pub fn author(id: i32) -> String {
    format!("author:{id}")
}

/// Which articles every other list holds (the front page, a search, a
/// source…), and their order.
pub const LIST_ARTICLES: &str = "list:articles";

/// Which topics the topic list holds.
pub const LIST_TOPICS: &str = "list:topics";

/// Which entities the entity list holds.
pub const LIST_ENTITIES: &str = "list:entities";

/// Every feed (Atom, RSS, JSON Feed) and sitemap.
pub const FEED: &str = "feed";

/// A rename of a topic, entity, alias or user, which every answer that
/// embeds their names shows (renames are rare, so one key serves them all).
pub const NAMES: &str = "names";

/// The names and aliases of every entity: what the entity-suggestion
/// matcher is built from (bumped by the `entity_names_generation`
/// migration's triggers; no cached answer depends on it).
pub const ENTITY_NAMES: &str = "entity-names";

/// The Surrogate-Key header of an answer that depends on `keys`: the keys
/// a CDN can purge it by (all but `names`, which no event purges by).
pub fn surrogate(keys: &[String]) -> String {
    keys.iter()
        .filter(|key| *key != NAMES)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}
