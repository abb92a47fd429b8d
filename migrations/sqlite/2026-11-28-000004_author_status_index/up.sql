-- An author sees public articles and their own: this index covers that
-- filter, so counting their list reads the index, not the table with its
-- bodies (found by the EXPLAIN QUERY PLAN tests).
CREATE INDEX articles_author_status ON articles (author_id, status, published_at);
