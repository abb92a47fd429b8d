-- Readers' comments arrive all the time, and most wait for moderation:
-- bumping content_generation on each one threw away every cached article
-- page and list for a change none of them shows. What a comment changes
-- there is the article's comment_count, and the comments_count_* triggers
-- write that to the articles row, whose own trigger bumps the generation.
-- Comment lists themselves are not cached.
DROP TRIGGER comments_generation_insert;
DROP TRIGGER comments_generation_update;
DROP TRIGGER comments_generation_delete;
