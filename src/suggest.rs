//! Entity suggestions: which known entities a text mentions, found in one
//! pass over the text whatever the number of entities.
//!
//! The [`Matcher`] is an Aho-Corasick automaton over the names and aliases
//! of every entity, folded to lower case. The text is folded the same way,
//! with a map from each folded byte back to the character of the original
//! it came from, so that offsets are reported in characters of the text as
//! sent. Every occurrence is collected (overlapping ones too), those that
//! do not sit on word boundaries, or fail a case-sensitive check, are
//! dropped, and of what remains the leftmost-longest wins: "UN Security
//! Council" is one mention of the council, not also one of the UN.
//!
//! **Which names match only case-sensitively.** A name or alias of at most
//! three letters ("US", "UN", "EU", "U.S.", "G7", "ROK"), or one that is a
//! single common English word ([`COMMON_WORDS`]: "May", "Chad", "Turkey",
//! "China"…), matches only as written: "US" in "the US said" but not in
//! "told us", "Chad" but not "chad". Everything else matches whatever its
//! case, "dprk" as "DPRK".
//!
//! [`Shared`] keeps the built matcher for the server with the generation of
//! the `entity-names` key it was built at (bumped by triggers on every
//! change to an entity or alias, whichever process makes it), and rebuilds
//! it when that has moved, so that a server sharing the database with
//! another sees the other's new entities at its next suggestion.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::db::Conn;
use crate::error::ApiError;
use crate::store::entities::EntityRef;
use crate::store::{entities, generations, keys};

/// Single words that are names of entities but also ordinary English
/// words, so that they are suggested only when written as the name is
/// (capitalised as stored), never for the lower-case word.
pub const COMMON_WORDS: &[&str] = &[
    "amazon",
    "apple",
    "bath",
    "bill",
    "black",
    "brown",
    "chad",
    "china",
    "deal",
    "delta",
    "express",
    "faith",
    "frank",
    "gap",
    "georgia",
    "grace",
    "green",
    "guardian",
    "guinea",
    "hope",
    "independent",
    "jersey",
    "jordan",
    "joy",
    "king",
    "labour",
    "liberal",
    "mail",
    "mark",
    "may",
    "meta",
    "mirror",
    "mobile",
    "monitor",
    "national",
    "next",
    "nice",
    "observer",
    "orange",
    "phoenix",
    "post",
    "reading",
    "reform",
    "rich",
    "rose",
    "sale",
    "shell",
    "sky",
    "split",
    "square",
    "star",
    "sun",
    "target",
    "times",
    "total",
    "turkey",
    "united",
    "visa",
    "white",
    "will",
    "young",
];

/// At most this many letters: matched case-sensitively.
const SHORT_LETTERS: usize = 3;

/// Whether `name` matches only as written (see the module's rule).
pub fn is_case_sensitive(name: &str) -> bool {
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if letters <= SHORT_LETTERS {
        return true;
    }
    let lower = name.to_lowercase();
    !lower.contains(char::is_whitespace) && COMMON_WORDS.binary_search(&lower.as_str()).is_ok()
}

/// The typographic apostrophe counts as the straight one, so that
/// "People’s Republic of China" mentions "People's Republic of China".
fn normal(c: char) -> char {
    if c == '\u{2019}' { '\'' } else { c }
}

/// `text` in lower case (with straight apostrophes), and for each of its
/// bytes the index of the character of `text` it came from.
fn fold(text: &str) -> (String, Vec<u32>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    for (index, c) in text.chars().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        for lower in normal(c).to_lowercase() {
            folded.push(lower);
            origin.extend(std::iter::repeat_n(index, lower.len_utf8()));
        }
    }
    (folded, origin)
}

/// A name or alias the matcher looks for.
#[derive(Debug)]
struct Pattern {
    /// Index into `Matcher::entities`.
    entity: usize,
    /// The name or alias as stored.
    name: String,
    /// Matches only as written (see [`is_case_sensitive`]).
    case_sensitive: bool,
}

/// One mention found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The text as written there.
    pub text: String,
    /// Offsets in characters of the text: `start` inclusive, `end` exclusive.
    pub start: usize,
    pub end: usize,
    /// The entity's name or alias that matched.
    pub matched: String,
}

/// The mentions of one entity in a text, in order.
#[derive(Debug, Clone)]
pub struct Found {
    pub entity: EntityRef,
    pub mentions: Vec<Mention>,
}

/// The automaton over every entity's names and aliases.
pub struct Matcher {
    entities: Vec<EntityRef>,
    patterns: Vec<Pattern>,
    /// For each distinct folded pattern (the automaton's pattern ids), the
    /// patterns that fold to it: two entities may share an alias.
    groups: Vec<Vec<usize>>,
    automaton: Option<AhoCorasick>,
}

impl Matcher {
    /// Builds the automaton over `dictionary`: each entity with its aliases.
    pub fn new(dictionary: Vec<(EntityRef, Vec<String>)>) -> Result<Matcher, String> {
        let mut entities = Vec::with_capacity(dictionary.len());
        let mut patterns = Vec::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut folded_patterns: Vec<String> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for (entity, aliases) in dictionary {
            let index = entities.len();
            for name in std::iter::once(entity.name.clone()).chain(aliases) {
                let name = name.trim().to_owned();
                let folded = fold(&name).0;
                if folded.is_empty() {
                    continue;
                }
                let group = *group_of.entry(folded.clone()).or_insert_with(|| {
                    folded_patterns.push(folded);
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[group].push(patterns.len());
                patterns.push(Pattern {
                    entity: index,
                    case_sensitive: is_case_sensitive(&name),
                    name,
                });
            }
            entities.push(entity);
        }
        let automaton = if folded_patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    // Overlapping search needs the standard semantics; the
                    // leftmost-longest choice is made after the word
                    // boundary and case checks (see `find`).
                    .match_kind(MatchKind::Standard)
                    .build(&folded_patterns)
                    .map_err(|err| err.to_string())?,
            )
        };
        Ok(Matcher {
            entities,
            patterns,
            groups,
            automaton,
        })
    }

    /// How many names and aliases it looks for.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The entities `text` mentions, each once with its mentions in order,
    /// the most mentioned first (then the first mentioned).
    pub fn find(&self, text: &str) -> Vec<Found> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let (folded, origin) = fold(text);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let letter_at = |index: usize| chars.get(index).is_some_and(|(_, c)| c.is_alphanumeric());
        let slice = |start: usize, end: usize| {
            let from = chars.get(start).map_or(text.len(), |(at, _)| *at);
            let to = chars.get(end).map_or(text.len(), |(at, _)| *at);
            &text[from..to]
        };
        // Candidates: (start, end, pattern), in characters of `text`.
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for hit in automaton.find_overlapping_iter(folded.as_str()) {
            let (s, e) = (hit.start(), hit.end());
            // A match must start and end on characters of the original (a
            // character may fold to several, as 'İ' does).
            if (s > 0 && origin[s - 1] == origin[s])
                || (e < folded.len() && origin[e] == origin[e - 1])
            {
                continue;
            }
            let start = origin[s] as usize;
            let end = origin[e - 1] as usize + 1;
            if (start > 0 && letter_at(start - 1)) || letter_at(end) {
                continue;
            }
            let written = slice(start, end);
            for &pattern in &self.groups[hit.pattern().as_usize()] {
                let p = &self.patterns[pattern];
                if !p.case_sensitive || written.chars().map(normal).eq(p.name.chars().map(normal)) {
                    candidates.push((start, end, pattern));
                }
            }
        }
        // Leftmost-longest: by start, the longest first; a candidate that
        // overlaps one kept is dropped, unless it is the same span (an
        // alias two entities share: both are suggested).
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut by_entity: Vec<Option<Vec<Mention>>> = vec![None; self.entities.len()];
        let mut kept_span: Option<(usize, usize)> = None;
        let mut order: Vec<usize> = Vec::new();
        for (start, end, pattern) in candidates {
            match kept_span {
                Some(span) if span == (start, end) => {}
                Some((_, kept_end)) if start < kept_end => continue,
                _ => kept_span = Some((start, end)),
            }
            let p = &self.patterns[pattern];
            let mentions = by_entity[p.entity].get_or_insert_with(|| {
                order.push(p.entity);
                Vec::new()
            });
            // The same entity by its name and an alias folding alike.
            if mentions.last().is_some_and(|m| m.start == start) {
                continue;
            }
            mentions.push(Mention {
                text: slice(start, end).to_owned(),
                start,
                end,
                matched: p.name.clone(),
            });
        }
        let mut found: Vec<Found> = order
            .into_iter()
            .filter_map(|entity| {
                by_entity[entity].take().map(|mentions| Found {
                    entity: self.entities[entity].clone(),
                    mentions,
                })
            })
            .collect();
        found.sort_by(|a, b| {
            b.mentions
                .len()
                .cmp(&a.mentions.len())
                .then(a.mentions[0].start.cmp(&b.mentions[0].start))
        });
        found
    }
}

/// The server's matcher and the `entity-names` generation it was built at.
struct Built {
    generation: i64,
    matcher: Arc<Matcher>,
}

/// The matcher shared by a server's workers, rebuilt when entities change.
pub struct Shared {
    current: RwLock<Arc<Built>>,
    /// Held while rebuilding, so that concurrent requests build it once.
    rebuilding: Mutex<()>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared::new()
    }
}

impl Shared {
    /// No matcher yet: the first suggestion builds it.
    pub fn new() -> Shared {
        Shared {
            current: RwLock::new(Arc::new(Built {
                generation: -1,
                matcher: Arc::new(Matcher {
                    entities: Vec::new(),
                    patterns: Vec::new(),
                    groups: Vec::new(),
                    automaton: None,
                }),
            })),
            rebuilding: Mutex::new(()),
        }
    }

    fn built(&self) -> Arc<Built> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The matcher for the entities as they are in the database now: the
    /// kept one when the generation has not moved, a new one otherwise.
    /// Costs one lookup of the generation when nothing changed.
    pub fn current(&self, conn: &mut Conn) -> Result<Arc<Matcher>, ApiError> {
        let key = [keys::ENTITY_NAMES.to_owned()];
        let now = generation(conn, &key)?;
        let built = self.built();
        if built.generation == now {
            return Ok(built.matcher.clone());
        }
        let _guard = self
            .rebuilding
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Another request may have rebuilt it while this one waited.
        let built = self.built();
        if built.generation == now {
            return Ok(built.matcher.clone());
        }
        // The generation is read before the entities, so that a change
        // made in between leaves a matcher marked older than it is (and
        // rebuilt again), never one marked newer.
        let generation = generation(conn, &key)?;
        let matcher = Arc::new(
            Matcher::new(entities::dictionary(conn)?)
                .map_err(|err| ApiError::Internal(err.into()))?,
        );
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(Built {
            generation,
            matcher: matcher.clone(),
        });
        Ok(matcher)
    }
}

fn generation(conn: &mut Conn, key: &[String]) -> Result<i64, ApiError> {
    Ok(generations::current(conn, key)?
        .first()
        .copied()
        .unwrap_or(0))
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]
mod tests {
    use super::*;
    use crate::domain::EntityKind;

    fn entity(id: i32, name: &str) -> EntityRef {
        EntityRef {
            id,
            slug: name.to_lowercase().replace(' ', "-"),
            name: name.to_owned(),
            kind: EntityKind::Country,
            website: None,
        }
    }

    fn matcher() -> Matcher {
        Matcher::new(vec![
            (entity(1, "North Korea"), vec!["DPRK".to_owned()]),
            (entity(2, "Korea"), vec![]),
            (
                entity(3, "United States"),
                vec!["US".to_owned(), "U.S.".to_owned()],
            ),
            (entity(4, "Chad"), vec![]),
            (entity(5, "Straße"), vec![]),
        ])
        .unwrap()
    }

    #[test]
    fn common_words_are_sorted_for_the_binary_search() {
        assert!(COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_longest_match_wins_and_boundaries_hold() {
        let found = matcher().find("north korea, Korea; North Korean dprk");
        let names: Vec<(&str, usize)> = found
            .iter()
            .map(|f| (f.entity.name.as_str(), f.mentions.len()))
            .collect();
        assert_eq!(names, vec![("North Korea", 2), ("Korea", 1)]);
        assert_eq!(
            (found[0].mentions[1].start, found[0].mentions[1].end),
            (33, 37)
        );
        assert_eq!(found[0].mentions[1].matched, "DPRK");
    }

    #[test]
    fn short_and_common_names_match_only_as_written() {
        let found = matcher().find("us and chad; US and Chad");
        let starts: Vec<(i32, usize)> = found
            .iter()
            .flat_map(|f| f.mentions.iter().map(move |m| (f.entity.id, m.start)))
            .collect();
        assert_eq!(starts, vec![(3, 13), (4, 20)]);
    }

    #[test]
    fn offsets_count_characters_of_the_original() {
        // 'İ' folds to two characters; offsets stay in the original's.
        let found = matcher().find("İİ STRASSE straße — Straße’s");
        let mentions = &found[0].mentions;
        assert_eq!(mentions.len(), 2);
        assert_eq!((mentions[0].start, mentions[0].end), (11, 17));
        assert_eq!(mentions[1].text, "Straße");
    }
}
