DROP INDEX articles_author_status;
