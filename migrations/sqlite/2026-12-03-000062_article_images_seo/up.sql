-- An article's featured image and what search engines and social cards
-- show of it (`seo`): all optional; the images are media of the library.
ALTER TABLE articles ADD COLUMN featured_image_id INTEGER REFERENCES media (id);
ALTER TABLE articles ADD COLUMN seo_title TEXT;
ALTER TABLE articles ADD COLUMN seo_description TEXT;
ALTER TABLE articles ADD COLUMN seo_canonical_url TEXT;
ALTER TABLE articles ADD COLUMN seo_image_id INTEGER REFERENCES media (id);

-- Which articles and authors show an image: for a media delete (409 when
-- in use) and for the trigger below.
CREATE INDEX articles_by_featured_image ON articles (featured_image_id)
    WHERE featured_image_id IS NOT NULL;
CREATE INDEX articles_by_seo_image ON articles (seo_image_id)
    WHERE seo_image_id IS NOT NULL;
CREATE INDEX users_by_avatar ON users (avatar_id) WHERE avatar_id IS NOT NULL;

-- Articles embed their images' records (alt, caption, credit…): a change
-- of one is a change of every article that shows it, lists included
-- (a list depends on each of its articles).
CREATE TRIGGER generations_media_update AFTER UPDATE ON media
BEGIN
    INSERT INTO generations (key, n)
        SELECT 'article:' || a.id, 0 FROM articles a
        WHERE (a.featured_image_id = NEW.id OR a.seo_image_id = NEW.id)
          AND NOT EXISTS (SELECT 1 FROM generations WHERE key = 'article:' || a.id);
    UPDATE generations SET n = n + 1
        WHERE key IN (SELECT 'article:' || a.id FROM articles a
                      WHERE a.featured_image_id = NEW.id OR a.seo_image_id = NEW.id);
END;
