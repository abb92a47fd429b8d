-- What the triggers kept, one line per row, for schema_check.sh to sort
-- and compare between SQLite and PostgreSQL.
SELECT 'status|' || status || '|' || n FROM article_status_counts;
SELECT 'published|' || key || '|' || n FROM published_counts;
SELECT 'generation|' || key || '|' || n FROM generations;
SELECT 'closure|' || topic_id || '|' || ancestor_id FROM topic_closure;
SELECT 'article|' || id || '|' || status || '|' || comment_count || '|' || slug FROM articles;
SELECT 'topic|' || id || '|' || coalesce(parent_id, 0) FROM topics;
SELECT 'link|topic|' || article_id || '|' || topic_id FROM article_topics;
SELECT 'link|entity|' || article_id || '|' || entity_id FROM article_entities;
SELECT 'comment|' || id FROM comments;
-- What the kept tables should hold, from the data alone: the closure from
-- parent_id, the published counts recounted.
WITH RECURSIVE up (topic_id, ancestor_id) AS (
    SELECT id, id FROM topics
    UNION
    SELECT up.topic_id, t.parent_id FROM up JOIN topics t ON t.id = up.ancestor_id
    WHERE t.parent_id IS NOT NULL
)
SELECT 'truth|closure|' || topic_id || '|' || ancestor_id FROM up;
WITH RECURSIVE up (topic_id, ancestor_id) AS (
    SELECT id, id FROM topics
    UNION
    SELECT up.topic_id, t.parent_id FROM up JOIN topics t ON t.id = up.ancestor_id
    WHERE t.parent_id IS NOT NULL
)
SELECT 'truth|published|topic:' || up.ancestor_id || '|' || count(DISTINCT at.article_id)
FROM up JOIN article_topics at ON at.topic_id = up.topic_id
JOIN articles a ON a.id = at.article_id WHERE a.status = 'published'
GROUP BY up.ancestor_id;
SELECT 'truth|published|entity:' || ae.entity_id || '|' || count(*)
FROM article_entities ae JOIN articles a ON a.id = ae.article_id
WHERE a.status = 'published' GROUP BY ae.entity_id;
SELECT 'truth|published|kind:' || e.kind || '|' || count(DISTINCT ae.article_id)
FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
JOIN articles a ON a.id = ae.article_id WHERE a.status = 'published' GROUP BY e.kind;
SELECT 'truth|published|author:' || author_id || '|' || count(*)
FROM articles WHERE status = 'published' GROUP BY author_id;
SELECT 'truth|published|source:' || source || '|' || count(*)
FROM articles WHERE status = 'published' AND source IS NOT NULL GROUP BY source;
SELECT 'truth|status|' || s.status || '|' || (SELECT count(*) FROM articles a WHERE a.status = s.status)
FROM article_status_counts s;
