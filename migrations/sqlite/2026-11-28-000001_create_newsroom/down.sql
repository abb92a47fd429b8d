DROP TABLE article_entities;
DROP TABLE article_topics;
DROP TABLE articles;
DROP TABLE entity_aliases;
DROP TABLE entities;
DROP TABLE topics;
DROP TABLE users;
