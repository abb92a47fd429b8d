//! Generates the benchmark's newsroom through newsdesk's own store code:
//! 200 topics in a tree, 500 entities of every kind with aliases, N
//! published articles with 3-10 KB Markdown bodies, 5 topics and 8 entities
//! each, and 20 approved comments on 10 % of them. Deterministic.
//!
//! `bench-seed DB ARTICLES` writes DB and `DB.targets`, the slugs and
//! words the load runs ask for.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark tool stops loudly"
)]

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use newsdesk::domain::{ArticleStatus, EntityKind};
use newsdesk::store::Key;
use newsdesk::store::articles::{self, NewArticle};
use newsdesk::store::comments::{self, NewComment, Poster};
use newsdesk::store::entities::{self, NewEntity};
use newsdesk::store::topics::{self, NewTopic};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// A vocabulary of 3,000 made-up words used with a skewed (Zipf-like)
/// frequency, as words are in real text: a few are everywhere, most are
/// rare. (A small vocabulary would put every search word in every article
/// and measure nothing a newsroom sees.)
fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "ta", "ri", "mo", "se", "du",
        "ga", "he", "jo", "ku", "la",
    ];
    let mut words = Vec::with_capacity(3_000);
    'outer: for a in SYLLABLES {
        for b in SYLLABLES {
            for c in SYLLABLES {
                words.push(format!("{a}{b}{c}"));
                if words.len() == 3_000 {
                    break 'outer;
                }
            }
        }
    }
    words
}

/// A word, the lower ranks far more often than the higher ones.
fn word<'v>(rng: &mut StdRng, vocabulary: &'v [String]) -> &'v str {
    let u: f64 = rng.random();
    let rank = ((vocabulary.len() as f64) * u * u * u) as usize;
    &vocabulary[rank.min(vocabulary.len() - 1)]
}

fn sentence(rng: &mut StdRng, words: usize) -> String {
    thread_local! {
        static VOCABULARY: Vec<String> = vocabulary();
    }
    let mut text = String::new();
    for index in 0..words {
        let word = VOCABULARY.with(|vocabulary| word(rng, vocabulary).to_owned());
        if index == 0 {
            let mut chars = word.chars();
            let first = chars.next().unwrap().to_ascii_uppercase();
            text.push(first);
            text.push_str(chars.as_str());
        } else {
            text.push(' ');
            text.push_str(&word);
        }
    }
    text.push('.');
    text
}

/// 3 to 10 KB of Markdown: headings, paragraphs, a list, a quote.
fn body(rng: &mut StdRng) -> String {
    let target = rng.random_range(3_000..10_000);
    let mut body = String::with_capacity(target + 200);
    while body.len() < target {
        match rng.random_range(0..10) {
            0 => writeln!(body, "## {}\n", sentence(rng, 4)).unwrap(),
            1 => writeln!(body, "> {}\n", sentence(rng, 12)).unwrap(),
            2 => writeln!(body, "- {}\n- **{}**\n", sentence(rng, 6), sentence(rng, 5)).unwrap(),
            _ => {
                let paragraph: Vec<String> = (0..4).map(|_| sentence(rng, 14)).collect();
                writeln!(body, "{}\n", paragraph.join(" ")).unwrap();
            }
        }
    }
    body
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (db, count): (String, usize) = match args.as_slice() {
        [_, db, count, ..] => (db.clone(), count.parse().expect("ARTICLES is a number")),
        _ => {
            eprintln!("usage: bench-seed DB ARTICLES");
            std::process::exit(2);
        }
    };
    let pool = newsdesk::db::connect(&db, 1).expect("database");
    let mut conn = pool.get().expect("connection");
    let mut rng = StdRng::seed_from_u64(20241128);
    let started = std::time::Instant::now();

    // 200 topics: 10 sections, each with 19 subtopics, some with a third level.
    let mut topic_slugs = Vec::new();
    newsdesk::db::write_transaction(&mut conn, |conn| {
        for section in 0..10 {
            let top = topics::create(
                conn,
                &NewTopic {
                    slug: None,
                    name: format!("Section {section}"),
                    description: None,
                    parent: None,
                },
            )?;
            topic_slugs.push(top.row.slug.clone());
            let mut parent = top.row.slug.clone();
            for sub in 0..19 {
                let child = topics::create(
                    conn,
                    &NewTopic {
                        slug: None,
                        name: format!("Section {section} topic {sub}"),
                        description: None,
                        parent: Some(parent.clone()),
                    },
                )?;
                topic_slugs.push(child.row.slug.clone());
                // Every fourth subtopic nests under the previous one.
                parent = if sub % 4 == 3 {
                    child.row.slug
                } else {
                    top.row.slug.clone()
                };
            }
        }
        Ok::<_, newsdesk::error::ApiError>(())
    })
    .expect("topics");

    // 500 entities: 200 countries, 150 organisations, 100 people, 50 places.
    let mut entity_slugs = Vec::new();
    newsdesk::db::write_transaction(&mut conn, |conn| {
        for index in 0..500 {
            let (kind, code) = match index {
                0..200 => (
                    EntityKind::Country,
                    Some(format!(
                        "{}{}",
                        (b'A' + (index / 26) as u8) as char,
                        (b'A' + (index % 26) as u8) as char
                    )),
                ),
                200..350 => (EntityKind::Organisation, None),
                350..450 => (EntityKind::Person, None),
                _ => (EntityKind::Place, None),
            };
            let entity = entities::create(
                conn,
                &NewEntity {
                    slug: None,
                    name: format!("{kind} {index}"),
                    kind,
                    description: Some(sentence(&mut rng, 10)),
                    aliases: (0..1 + index % 3)
                        .map(|a| format!("alias{index}x{a}"))
                        .collect(),
                    country_code: code,
                    website: None,
                },
            )?;
            entity_slugs.push(entity.row.slug);
        }
        Ok::<_, newsdesk::error::ApiError>(())
    })
    .expect("entities");

    // Articles, 500 to a transaction.
    let start = NaiveDate::from_ymd_opt(2020, 1, 1)
        .unwrap()
        .and_hms_opt(6, 0, 0)
        .unwrap();
    let mut slugs = Vec::with_capacity(count);
    let mut commented = Vec::new();
    let mut made = 0;
    while made < count {
        let batch = (count - made).min(500);
        newsdesk::db::write_transaction(&mut conn, |conn| {
            for _ in 0..batch {
                let n = made;
                let topics: Vec<String> =
                    topic_slugs.choose_multiple(&mut rng, 5).cloned().collect();
                let entities: Vec<String> =
                    entity_slugs.choose_multiple(&mut rng, 8).cloned().collect();
                let minutes = i64::try_from(n).unwrap() * 26 + rng.random_range(0..20);
                let article = articles::create(
                    conn,
                    &NewArticle {
                        slug: None,
                        title: format!("{} {n}", sentence(&mut rng, 6).trim_end_matches('.')),
                        subtitle: Some(sentence(&mut rng, 10)),
                        summary: Some(sentence(&mut rng, 25)),
                        body: body(&mut rng),
                        status: ArticleStatus::Published,
                        published_at: Some(start + Duration::minutes(minutes)),
                        source: Some(["AFP", "Reuters", "AP", "Yonhap"][n % 4].to_owned()),
                        byline: Some("Staff".to_owned()),
                        topics,
                        entities,
                        comments_open: true,
                        author_id: None,
                        featured_image_id: None,
                        seo: Default::default(),
                        expires_at: None,
                    },
                    1,
                )?;
                // As the API does: each article's first revision.
                newsdesk::store::revisions::record(conn, 1, None, &article)?;
                if n % 10 == 0 {
                    commented.push(article.summary.row.id);
                }
                slugs.push(article.summary.row.slug);
                made += 1;
            }
            Ok::<_, newsdesk::error::ApiError>(())
        })
        .expect("articles");
        eprint!("\rarticles: {made}/{count}");
    }
    eprintln!();

    for chunk in commented.chunks(100) {
        newsdesk::db::write_transaction(&mut conn, |conn| {
            for &id in chunk {
                for c in 0..20 {
                    comments::create(
                        conn,
                        &Key::Id(id),
                        &NewComment {
                            parent_id: None,
                            author_name: format!("Reader {c}"),
                            author_email: format!("reader{c}@example.org"),
                            author_url: None,
                            body: sentence(&mut rng, 20),
                        },
                        Poster::Reader { auto_approve: true },
                    )?;
                }
            }
            Ok::<_, newsdesk::error::ApiError>(())
        })
        .expect("comments");
    }
    diesel::RunQueryDsl::execute(diesel::sql_query("ANALYZE"), &mut *conn).expect("analyze");

    // What the load runs ask for: a spread of slugs, two entities, a
    // section (with subtopics), a search, an article with comments.
    let mut targets = String::new();
    for slug in slugs.choose_multiple(&mut rng, 1000) {
        writeln!(targets, "slug {slug}").unwrap();
    }
    writeln!(targets, "entities {},{}", entity_slugs[0], entity_slugs[1]).unwrap();
    writeln!(targets, "topic {}", topic_slugs[0]).unwrap();
    // Two words of middling rank: each in roughly a tenth of the articles,
    // both in about one in a hundred, like "DPRK sanctions" in a news archive.
    let words = vocabulary();
    writeln!(targets, "query {} {}", words[2000], words[2500]).unwrap();
    let with_comments = articles::find(&mut conn, &Key::Id(commented[0])).expect("article");
    writeln!(targets, "commented {}", with_comments.summary.row.slug).unwrap();
    std::fs::write(format!("{db}.targets"), targets).expect("targets");
    eprintln!("seeded {count} articles in {:.0?}", started.elapsed());
}
