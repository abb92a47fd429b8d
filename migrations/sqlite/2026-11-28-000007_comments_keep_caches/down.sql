CREATE TRIGGER comments_generation_insert AFTER INSERT ON comments
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER comments_generation_update AFTER UPDATE ON comments
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER comments_generation_delete AFTER DELETE ON comments
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
