//! Related stories: the public articles that share entities and topics
//! with one article, the rarer shared entity weighing more.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::condition;
use super::{ArticleSummary, ArticleSummaryRow, complete};
use crate::db::Conn;
use crate::db::schema::{article_entities, article_topics, articles, published_counts};
use crate::store::Error;

/// How many of the newest articles of each shared tag are candidates. A
/// tag on a fifth of the archive would otherwise make one answer read and
/// rank tens of thousands of rows; a story is related to what the
/// newsroom wrote lately about the same things, and a rare entity (the
/// one that weighs most) has fewer stories than this anyway. Each
/// candidate costs one primary-key probe (about 3.5 µs at 100,000
/// articles), so an article with 13 tags reads at most 1,300.
pub const CANDIDATES_PER_TAG: i64 = 100;

/// One related article's id and why it ranks where it does.
#[derive(Debug, Clone)]
pub struct RelatedScore {
    pub id: i32,
    /// The sum, over the entities it shares, of 1 / ln(1 + the entity's
    /// published articles): an entity in 2 stories weighs 0.91, one in
    /// 1,000 stories 0.14.
    pub entity_score: f64,
    /// How many topics it shares.
    pub shared_topics: i64,
}

/// The newest `CANDIDATES_PER_TAG` articles of each of the article's own
/// few tags, each read backwards from the `(entity_id, article_id)` and
/// `(topic_id, article_id)` indexes (a newer story has a higher id); the
/// entity weights from `published_counts` (kept by triggers); then the
/// public ones among the candidates by primary key, ranked here. Cost is
/// bounded by the article's tags, not by how many stories share them.
fn scores(
    conn: &mut Conn,
    id: i32,
    limit: i64,
    now: NaiveDateTime,
    tags: &mut Vec<String>,
) -> Result<Vec<RelatedScore>, Error> {
    let mut scores: HashMap<i32, RelatedScore> = HashMap::new();
    let entity_ids: Vec<i32> = article_entities::table
        .filter(article_entities::article_id.eq(id))
        .select(article_entities::entity_id)
        .load(conn)?;
    let keys: Vec<String> = entity_ids
        .iter()
        .map(|entity| format!("entity:{entity}"))
        .collect();
    let counts: HashMap<String, i64> = published_counts::table
        .filter(published_counts::key.eq_any(&keys))
        .select((published_counts::key, published_counts::n))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    tags.extend(
        entity_ids
            .iter()
            .map(|&entity| crate::store::keys::entity(entity)),
    );
    for (entity, key) in entity_ids.iter().zip(&keys) {
        let weight = rarity_of(counts.get(key).copied().unwrap_or(1));
        let sharing: Vec<i32> = article_entities::table
            .filter(article_entities::entity_id.eq(entity))
            .filter(article_entities::article_id.ne(id))
            .order(article_entities::article_id.desc())
            .limit(CANDIDATES_PER_TAG)
            .select(article_entities::article_id)
            .load(conn)?;
        for candidate in sharing {
            candidate_of(&mut scores, candidate).entity_score += weight;
        }
    }
    let topic_ids: Vec<i32> = article_topics::table
        .filter(article_topics::article_id.eq(id))
        .select(article_topics::topic_id)
        .load(conn)?;
    tags.extend(
        topic_ids
            .iter()
            .map(|&topic| crate::store::keys::topic(topic)),
    );
    for topic in topic_ids {
        let sharing: Vec<i32> = article_topics::table
            .filter(article_topics::topic_id.eq(topic))
            .filter(article_topics::article_id.ne(id))
            .order(article_topics::article_id.desc())
            .limit(CANDIDATES_PER_TAG)
            .select(article_topics::article_id)
            .load(conn)?;
        for candidate in sharing {
            candidate_of(&mut scores, candidate).shared_topics += 1;
        }
    }
    let candidates: Vec<i32> = scores.keys().copied().collect();
    let public: Vec<(i32, Option<NaiveDateTime>)> = articles::table
        .filter(articles::id.eq_any(&candidates))
        .filter(condition::public_off_index(now))
        .select((articles::id, articles::published_at))
        .load(conn)?;
    let mut ranked: Vec<(RelatedScore, Option<NaiveDateTime>)> = public
        .into_iter()
        .filter_map(|(id, published_at)| scores.remove(&id).map(|score| (score, published_at)))
        .collect();
    ranked.sort_by(|(a, a_at), (b, b_at)| {
        b.entity_score
            .partial_cmp(&a.entity_score)
            .unwrap_or(Ordering::Equal)
            .then(b.shared_topics.cmp(&a.shared_topics))
            .then(b_at.cmp(a_at))
            .then(b.id.cmp(&a.id))
    });
    ranked.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(ranked.into_iter().map(|(score, _)| score).collect())
}

/// `1 / ln(1 + n)`, with `n` at least 1 (an entity in no published
/// article, when the article itself is not published, weighs as one in one).
fn rarity_of(n: i64) -> f64 {
    1.0 / (1.0 + n.max(1) as f64).ln()
}

/// The score of `id`, started at nothing the first time it is met.
fn candidate_of(scores: &mut HashMap<i32, RelatedScore>, id: i32) -> &mut RelatedScore {
    scores.entry(id).or_insert(RelatedScore {
        id,
        entity_score: 0.0,
        shared_topics: 0,
    })
}

/// Related stories, and what they were found through.
pub struct Related {
    /// The most related first.
    pub stories: Vec<(ArticleSummary, RelatedScore)>,
    /// The dependency keys (`store::keys`) of the source article's tags:
    /// which articles carry them, and so which could rank, changes only
    /// with them.
    pub tags: Vec<String>,
}

/// Up to `limit` public articles related to article `id` (never itself),
/// the most related first: by the rarity-weighted entities they share,
/// then the topics they share, then the newest.
pub fn related(conn: &mut Conn, id: i32, limit: i64, now: NaiveDateTime) -> Result<Related, Error> {
    let mut tags = Vec::new();
    let scores = scores(conn, id, limit, now, &mut tags)?;
    let ids: Vec<i32> = scores.iter().map(|score| score.id).collect();
    let mut rows: HashMap<i32, ArticleSummaryRow> = articles::table
        .filter(articles::id.eq_any(&ids))
        .select(ArticleSummaryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let ordered: Vec<ArticleSummaryRow> = ids.iter().filter_map(|id| rows.remove(id)).collect();
    let summaries = complete(conn, ordered)?;
    let mut scores: HashMap<i32, RelatedScore> =
        scores.into_iter().map(|score| (score.id, score)).collect();
    let stories = summaries
        .into_iter()
        .filter_map(|summary| scores.remove(&summary.row.id).map(|score| (summary, score)))
        .collect();
    Ok(Related { stories, tags })
}
