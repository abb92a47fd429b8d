CREATE TRIGGER comments_count_after_insert AFTER INSERT ON comments
WHEN NEW.status = 'approved'
BEGIN
    UPDATE articles SET comment_count = comment_count + 1 WHERE id = NEW.article_id;
END;

CREATE TRIGGER comments_count_after_delete AFTER DELETE ON comments
WHEN OLD.status = 'approved'
BEGIN
    UPDATE articles SET comment_count = comment_count - 1 WHERE id = OLD.article_id;
END;

CREATE TRIGGER comments_count_after_status AFTER UPDATE OF status ON comments
WHEN (OLD.status = 'approved') <> (NEW.status = 'approved')
BEGIN
    UPDATE articles
    SET comment_count = comment_count + CASE WHEN NEW.status = 'approved' THEN 1 ELSE -1 END
    WHERE id = NEW.article_id;
END;

UPDATE articles
SET comment_count = (SELECT count(*) FROM comments
                     WHERE comments.article_id = articles.id AND comments.status = 'approved');
