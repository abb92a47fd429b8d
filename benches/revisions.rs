//! How much revisions cost on disk: gives the first ARTICLES articles of a
//! seeded database (benches/seed.rs, which stores each article's first
//! revision) four more saves each, as editors make them (a paragraph
//! added, the summary rewritten, the headline sharpened, a tag added),
//! through the store's own update and revision code, then reports the
//! revision table's size per revision and per article.
//!
//!     cargo run --release --example bench-revisions -- DB [ARTICLES]
//!
//! Run it on a copy: it writes. ARTICLES defaults to every article.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark tool stops loudly"
)]

use diesel::prelude::*;
use newsdesk::db::schema::{article_revisions, articles as articles_table, topics};
use newsdesk::store::Key;
use newsdesk::store::articles::{self, ArticleChanges};
use newsdesk::store::revisions;

/// Editors' saves after the first: what each one changes.
fn edit(article: &articles::ArticleRecord, save: usize, topic: &str) -> ArticleChanges {
    let row = &article.summary.row;
    match save {
        0 => ArticleChanges {
            body: Some(format!(
                "{}\n\nUpdate: officials confirmed the figures on Thursday and said more \
                 details would follow after the meeting in the capital.",
                article.body.body
            )),
            ..ArticleChanges::default()
        },
        1 => ArticleChanges {
            summary: Some(Some(format!(
                "{} Officials have since confirmed the figures.",
                row.summary.clone().unwrap_or_default()
            ))),
            ..ArticleChanges::default()
        },
        2 => ArticleChanges {
            title: Some(format!("{} (updated)", row.title)),
            ..ArticleChanges::default()
        },
        _ => {
            let mut topics: Vec<String> = article
                .summary
                .topics
                .iter()
                .map(|t| t.slug.clone())
                .collect();
            topics.push(topic.to_owned());
            ArticleChanges {
                topics: Some(topics),
                ..ArticleChanges::default()
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (db, limit) = match args.as_slice() {
        [_, db] => (db.clone(), i64::MAX),
        [_, db, count, ..] => (db.clone(), count.parse().expect("ARTICLES is a number")),
        _ => {
            eprintln!("usage: bench-revisions DB [ARTICLES]");
            std::process::exit(2);
        }
    };
    let pool = newsdesk::db::connect(&db, 1).expect("database");
    let mut conn = pool.get().expect("connection");
    let ids: Vec<i32> = articles_table::table
        .order(articles_table::id.asc())
        .limit(limit)
        .select(articles_table::id)
        .load(&mut conn)
        .expect("article ids");
    let topic: String = topics::table
        .order(topics::id.desc())
        .select(topics::slug)
        .first(&mut conn)
        .expect("a topic");
    let started = std::time::Instant::now();
    for (done, chunk) in ids.chunks(200).enumerate() {
        newsdesk::db::write_transaction(&mut conn, |conn| {
            for &id in chunk {
                for save in 0..4 {
                    let before = articles::find(conn, &Key::Id(id))?;
                    let changes = edit(&before, save, &topic);
                    let after = articles::update(conn, &Key::Id(id), &changes, |_| {
                        Ok::<(), newsdesk::store::Error>(())
                    })?;
                    revisions::record(conn, 1, Some(&before), &after)?;
                }
            }
            Ok::<_, newsdesk::store::Error>(())
        })
        .expect("saves");
        eprint!("\rarticles: {}/{}", (done + 1) * 200, ids.len());
    }
    eprintln!();
    let edited = i64::try_from(ids.len()).unwrap();
    let last = *ids.last().expect("articles");
    let (count, bytes): (i64, i64) = article_revisions::table
        .filter(article_revisions::article_id.le(last))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::sql::<diesel::sql_types::BigInt>("coalesce(sum(length(snapshot)), 0)"),
        ))
        .first(&mut conn)
        .expect("sizes");
    let rows: i64 = articles_table::table
        .count()
        .get_result(&mut conn)
        .expect("articles");
    println!(
        "{edited} of {rows} articles saved 4 more times in {:.0} s: {count} revisions, \
         {bytes} bytes of snapshots, {:.0} bytes per revision, {:.0} bytes per article",
        started.elapsed().as_secs_f64(),
        bytes as f64 / count as f64,
        bytes as f64 / edited as f64,
    );
}
