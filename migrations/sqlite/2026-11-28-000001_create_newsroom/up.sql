-- Staff accounts. Only the built-in "newsroom" user exists until sign-in lands;
-- a NULL password_hash means the account cannot sign in.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY NOT NULL,
    email         TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'author')),
    password_hash TEXT,
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

INSERT INTO users (id, email, display_name, role, password_hash, active, created_at, updated_at)
VALUES (1, 'newsroom@newsdesk.invalid', 'Newsroom', 'editor', NULL, 1,
        '2026-01-01 00:00:00', '2026-01-01 00:00:00');

CREATE TABLE topics (
    id          INTEGER PRIMARY KEY NOT NULL,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT,
    parent_id   INTEGER REFERENCES topics (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX topics_parent_id ON topics (parent_id);
CREATE INDEX topics_name ON topics (name, id);

CREATE TABLE entities (
    id           INTEGER PRIMARY KEY NOT NULL,
    slug         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('country', 'organisation', 'person', 'place')),
    description  TEXT,
    country_code TEXT    UNIQUE CHECK (country_code IS NULL OR kind = 'country'),
    website      TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX entities_kind_name ON entities (kind, name, id);
CREATE INDEX entities_name ON entities (name, id);

-- Aliases get their own table so that typeahead and search can index them.
CREATE TABLE entity_aliases (
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    alias     TEXT    NOT NULL,
    PRIMARY KEY (entity_id, position)
) WITHOUT ROWID;
CREATE INDEX entity_aliases_alias ON entity_aliases (alias COLLATE NOCASE);

CREATE TABLE articles (
    id                   INTEGER PRIMARY KEY NOT NULL,
    slug                 TEXT    NOT NULL UNIQUE,
    title                TEXT    NOT NULL,
    subtitle             TEXT,
    summary              TEXT,
    body                 TEXT    NOT NULL,
    body_html            TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    published_at         TIMESTAMP,
    source               TEXT,
    byline               TEXT,
    author_id            INTEGER NOT NULL REFERENCES users (id),
    comments_open        BOOLEAN NOT NULL DEFAULT 1,
    comment_count        INTEGER NOT NULL DEFAULT 0,
    word_count           INTEGER NOT NULL,
    reading_time_minutes INTEGER NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);
-- One index per sort order, each ending in id so that ties break without a sort.
CREATE INDEX articles_status_published ON articles (status, published_at, id);
CREATE INDEX articles_published ON articles (published_at, id);
CREATE INDEX articles_updated ON articles (updated_at, id);
CREATE INDEX articles_title ON articles (title, id);
CREATE INDEX articles_author ON articles (author_id, published_at);
CREATE INDEX articles_source ON articles (source, published_at);

CREATE TABLE article_topics (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic_id   INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX article_topics_topic ON article_topics (topic_id, article_id);

CREATE TABLE article_entities (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entity_id  INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX article_entities_entity ON article_entities (entity_id, article_id);
