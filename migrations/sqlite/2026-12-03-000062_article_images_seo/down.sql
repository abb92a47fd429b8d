DROP TRIGGER generations_media_update;
DROP INDEX users_by_avatar;
DROP INDEX articles_by_seo_image;
DROP INDEX articles_by_featured_image;
ALTER TABLE articles DROP COLUMN seo_image_id;
ALTER TABLE articles DROP COLUMN seo_canonical_url;
ALTER TABLE articles DROP COLUMN seo_description;
ALTER TABLE articles DROP COLUMN seo_title;
ALTER TABLE articles DROP COLUMN featured_image_id;
