-- Articles per status, kept by triggers in the writing transaction, so that
-- the total of an unfiltered list (the front page, an editor's desk) is a
-- lookup: counting 100,000 index entries took 9 ms on every first page
-- after a write.
CREATE TABLE article_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    n      INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO article_status_counts (status, n)
SELECT s.status, (SELECT count(*) FROM articles WHERE articles.status = s.status)
FROM (SELECT 'draft' AS status UNION ALL SELECT 'scheduled'
      UNION ALL SELECT 'published' UNION ALL SELECT 'archived') AS s;

CREATE TRIGGER article_status_counts_insert AFTER INSERT ON articles
BEGIN
    UPDATE article_status_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER article_status_counts_delete AFTER DELETE ON articles
BEGIN
    UPDATE article_status_counts SET n = n - 1 WHERE status = OLD.status;
END;

CREATE TRIGGER article_status_counts_update AFTER UPDATE OF status ON articles
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE article_status_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE article_status_counts SET n = n + 1 WHERE status = NEW.status;
END;
