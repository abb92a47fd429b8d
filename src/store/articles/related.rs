//! Related stories: the public articles that share entities and topics
//! with one article, the rarer shared entity weighing more.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Timestamp};

use super::{ArticleSummary, ArticleSummaryRow, complete};
use crate::db::Conn;
use crate::db::schema::articles;
use crate::store::Error;

/// One related article's id and why it ranks where it does.
#[derive(Debug, Clone, QueryableByName)]
pub struct RelatedScore {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    /// The sum, over the entities it shares, of 1 / ln(1 + the entity's
    /// published articles): an entity in 2 stories weighs 0.91, one in
    /// 1,000 stories 0.14.
    #[diesel(sql_type = Double)]
    pub entity_score: f64,
    /// How many topics it shares.
    #[diesel(sql_type = BigInt)]
    pub shared_topics: i64,
}

/// The ranking, in one query. Each side starts from the article's own few
/// tags and reaches the others through the `(entity_id, article_id)` and
/// `(topic_id, article_id)` indexes; the entity weights are lookups in
/// `published_counts` (kept by triggers) passed to `rarity(n)`, 1 / ln(1 +
/// n), a function each pooled connection registers (`db::sqlite`); the
/// public condition is the list's (published, or scheduled and due, and
/// not expired).
const RELATED_SQL: &str = "
WITH shared AS (
    SELECT ae.article_id AS id,
           rarity(coalesce(pc.n, 1)) AS entity_score,
           0 AS shared_topics
    FROM article_entities mine
    JOIN article_entities ae ON ae.entity_id = mine.entity_id AND ae.article_id <> mine.article_id
    LEFT JOIN published_counts pc ON pc.key = 'entity:' || mine.entity_id
    WHERE mine.article_id = ?1
    UNION ALL
    SELECT at.article_id, 0.0, 1
    FROM article_topics mine
    JOIN article_topics at ON at.topic_id = mine.topic_id AND at.article_id <> mine.article_id
    WHERE mine.article_id = ?1
)
SELECT a.id AS id, sum(s.entity_score) AS entity_score, sum(s.shared_topics) AS shared_topics
FROM shared s JOIN articles a ON a.id = s.id
WHERE (a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= ?2))
  AND (a.expires_at IS NULL OR a.expires_at > ?2)
GROUP BY a.id
ORDER BY entity_score DESC, shared_topics DESC, a.published_at DESC, a.id DESC
LIMIT ?3";

/// Up to `limit` public articles related to article `id` (never itself),
/// the most related first: by the rarity-weighted entities they share,
/// then the topics they share, then the newest.
pub fn related(
    conn: &mut Conn,
    id: i32,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<(ArticleSummary, RelatedScore)>, Error> {
    let scores: Vec<RelatedScore> = diesel::sql_query(RELATED_SQL)
        .bind::<Integer, _>(id)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
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
    Ok(summaries
        .into_iter()
        .filter_map(|summary| scores.remove(&summary.row.id).map(|score| (summary, score)))
        .collect())
}
