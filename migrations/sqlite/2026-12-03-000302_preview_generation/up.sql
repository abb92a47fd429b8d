-- Preview links carry the article's preview generation; revoking them
-- moves it, and a token of an older generation opens nothing.
ALTER TABLE articles ADD COLUMN preview_generation INTEGER NOT NULL DEFAULT 0;
