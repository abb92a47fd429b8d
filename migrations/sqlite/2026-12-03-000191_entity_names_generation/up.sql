-- One generation for the names and aliases of every entity, which the
-- entity-suggestion matcher (src/suggest.rs) is built from: each server
-- compares it with the generation its matcher was built at and rebuilds
-- when it moved, whichever process wrote the change. The existing keys do
-- not serve: creating an entity bumps only entity:<id>, and `names` would
-- also invalidate every cached answer on each new entity.

CREATE TRIGGER generations_entity_names_entity_insert AFTER INSERT ON entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity-names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity-names');
    UPDATE generations SET n = n + 1 WHERE key = 'entity-names';
END;

CREATE TRIGGER generations_entity_names_entity_update AFTER UPDATE ON entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity-names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity-names');
    UPDATE generations SET n = n + 1 WHERE key = 'entity-names';
END;

CREATE TRIGGER generations_entity_names_entity_delete AFTER DELETE ON entities
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity-names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity-names');
    UPDATE generations SET n = n + 1 WHERE key = 'entity-names';
END;

CREATE TRIGGER generations_entity_names_alias_insert AFTER INSERT ON entity_aliases
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity-names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity-names');
    UPDATE generations SET n = n + 1 WHERE key = 'entity-names';
END;

CREATE TRIGGER generations_entity_names_alias_update AFTER UPDATE ON entity_aliases
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity-names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity-names');
    UPDATE generations SET n = n + 1 WHERE key = 'entity-names';
END;

CREATE TRIGGER generations_entity_names_alias_delete AFTER DELETE ON entity_aliases
BEGIN
    INSERT INTO generations (key, n) SELECT 'entity-names', 0
        WHERE NOT EXISTS (SELECT 1 FROM generations WHERE key = 'entity-names');
    UPDATE generations SET n = n + 1 WHERE key = 'entity-names';
END;
