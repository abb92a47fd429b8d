-- articles.comment_count is what the public thread shows: approved comments
-- whose every ancestor is approved too. The triggers counted every approved
-- comment, so an approved reply under a comment rejected later was counted
-- while the thread hid it. Whether a comment is shown depends on its
-- ancestors, which row triggers cannot follow cheaply; the store recounts
-- the article in the writing transaction instead (store::comments::recount).
DROP TRIGGER comments_count_after_insert;
DROP TRIGGER comments_count_after_delete;
DROP TRIGGER comments_count_after_status;

WITH RECURSIVE shown(id, article_id) AS (
    SELECT id, article_id FROM comments WHERE parent_id IS NULL AND status = 'approved'
    UNION ALL
    SELECT c.id, c.article_id FROM comments c JOIN shown s ON c.parent_id = s.id
    WHERE c.status = 'approved'
)
UPDATE articles
SET comment_count = (SELECT count(*) FROM shown WHERE shown.article_id = articles.id)
WHERE comment_count <> (SELECT count(*) FROM shown WHERE shown.article_id = articles.id);
