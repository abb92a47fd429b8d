-- Who did what, when, from where: sign-ins (also failed ones), staff
-- account changes, publishing, deletions, moderation, webhook changes and
-- imports. Each entry is written in the transaction of the action it
-- records. Append-only: the triggers below refuse every UPDATE and DELETE.
--
-- `user_id` has no foreign key on purpose: an entry must outlive the
-- account it names (a REFERENCES clause would either block deleting the
-- account or, with ON DELETE SET NULL / CASCADE, have to change the log,
-- which the triggers refuse). `user_name` keeps the display name the
-- account had, for when the account is gone. `target` is likewise text
-- (`article:42`), so that deleting an article leaves its entries.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    user_id INTEGER,
    user_name TEXT,
    action TEXT NOT NULL,
    target TEXT,
    request_id TEXT,
    client TEXT,
    -- A JSON object whose keys depend on the action, or NULL.
    detail TEXT
);

-- Newest first, with the filters (`id` is the rowid, which every index
-- ends with, so each also serves the `(at, id)` order).
CREATE INDEX audit_log_by_time ON audit_log (at, id);
CREATE INDEX audit_log_by_action ON audit_log (action, at);
CREATE INDEX audit_log_by_user ON audit_log (user_id, at);

CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_refuses_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
