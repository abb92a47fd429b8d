-- The media library: one row per uploaded image. The files (the kept
-- original and its renditions) live in the media store under
-- `storage_key`; `checksum` is the hash of the kept original's bytes,
-- from which the files' ETags are made.
-- AUTOINCREMENT: an id is never given again after a delete, because its
-- file URL (/api/v1/media/{id}/file) is cached as immutable for a year.
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    storage_key TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL
        CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
    width INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    bytes INTEGER NOT NULL CHECK (bytes > 0),
    checksum TEXT NOT NULL,
    alt TEXT,
    caption TEXT,
    credit TEXT,
    focal_x DOUBLE PRECISION CHECK (focal_x BETWEEN 0 AND 1),
    focal_y DOUBLE PRECISION CHECK (focal_y BETWEEN 0 AND 1),
    uploaded_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((focal_x IS NULL) = (focal_y IS NULL))
);

-- The library's list, newest first.
CREATE INDEX media_by_created ON media (created_at DESC, id DESC);
