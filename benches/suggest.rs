//! Latency of entity suggestions (`newsdesk::suggest::Matcher`): a 10 KB
//! body against 10,000 entities with 3 aliases each (40,000 names), the
//! issue's target being p99 < 5 ms. Deterministic. Measures the matcher
//! alone (what a request adds to one lookup of the generation), and says
//! how long building it takes (what a change to an entity costs the next
//! request).
//!
//! `cargo run --release --example bench-suggest [ROUNDS]` (default 2,000).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark tool stops loudly"
)]

use std::time::{Duration, Instant};

use newsdesk::domain::EntityKind;
use newsdesk::store::entities::EntityRef;
use newsdesk::suggest::Matcher;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const ENTITIES: usize = 10_000;
const BODY_BYTES: usize = 10 * 1024;

/// 8,000 made-up words of two or three syllables: names and body share
/// them, so that the body is full of partial matches, as a story is full
/// of words that begin names.
fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "ta", "ri", "mo", "se", "du",
        "ga", "he", "jo", "ku", "la",
    ];
    let mut words = Vec::new();
    for a in SYLLABLES {
        for b in SYLLABLES {
            words.push(format!("{a}{b}"));
            for c in SYLLABLES {
                words.push(format!("{a}{b}{c}"));
            }
        }
    }
    words
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(2_000, |n| n.parse().expect("ROUNDS is a number"));
    let mut rng = StdRng::seed_from_u64(19);
    let words = vocabulary();
    let kinds = [
        EntityKind::Country,
        EntityKind::Organisation,
        EntityKind::Person,
        EntityKind::Place,
    ];
    let mut names = Vec::with_capacity(ENTITIES);
    let dictionary: Vec<(EntityRef, Vec<String>)> = (0..ENTITIES)
        .map(|i| {
            let length = rng.random_range(1..=3);
            let parts: Vec<String> = (0..length)
                .map(|_| capitalised(words.choose(&mut rng).unwrap()))
                .collect();
            let name = format!("{} {i}", parts.join(" "));
            let initials: String = parts
                .iter()
                .map(|p| p.chars().next().unwrap())
                .chain(format!("{i}").chars())
                .collect();
            let aliases = vec![
                // Short, upper case: matched case-sensitively.
                initials.to_uppercase(),
                format!("The {name}"),
                format!(
                    "{} of {}",
                    parts[0],
                    capitalised(words.choose(&mut rng).unwrap())
                ),
            ];
            names.push(name.clone());
            let entity = EntityRef {
                id: i32::try_from(i).unwrap() + 1,
                slug: name.to_lowercase().replace(' ', "-"),
                name,
                kind: kinds[i % kinds.len()],
                website: None,
            };
            (entity, aliases)
        })
        .collect();

    let started = Instant::now();
    let matcher = Matcher::new(dictionary).unwrap();
    let built_in = started.elapsed();

    // A 10 KB body: vocabulary words, some capitalised, and one real name
    // every ~40 words, with punctuation and curly quotes.
    let mut body = String::new();
    let mut planted = 0;
    while body.len() < BODY_BYTES {
        if rng.random_ratio(1, 40) {
            body.push_str(names.choose(&mut rng).unwrap());
            planted += 1;
        } else {
            let word = words.choose(&mut rng).unwrap();
            if rng.random_ratio(1, 5) {
                body.push_str(&capitalised(word));
            } else {
                body.push_str(word);
            }
        }
        body.push_str(match rng.random_range(0..12) {
            0 => ", ",
            1 => ". ",
            2 => "’s ",
            _ => " ",
        });
    }

    // Warm up, then time each call.
    let found = matcher.find(&body);
    for _ in 0..20 {
        std::hint::black_box(matcher.find(&body));
    }
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(matcher.find(std::hint::black_box(&body)));
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let mentions: usize = found.iter().map(|f| f.mentions.len()).sum();
    println!(
        "{} entities, {} names and aliases; built in {:.1} ms",
        ENTITIES,
        matcher.pattern_count(),
        built_in.as_secs_f64() * 1e3
    );
    println!(
        "body {} bytes, {planted} names planted; found {} entities, {mentions} mentions",
        body.len(),
        found.len()
    );
    println!(
        "{rounds} rounds: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}
