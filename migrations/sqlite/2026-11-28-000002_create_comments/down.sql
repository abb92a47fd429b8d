DROP TRIGGER comments_count_after_status;
DROP TRIGGER comments_count_after_delete;
DROP TRIGGER comments_count_after_insert;
DROP TABLE comments;
