-- Webhooks: subscriptions, a durable outbox of events, and one delivery
-- per (webhook, event). An event and its deliveries are inserted in the
-- transaction of the write that causes them, so that a write that rolls
-- back sends nothing and one that commits is never lost. Portable SQL:
-- the same statements serve PostgreSQL (with SERIAL/IDENTITY for the ids).
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY NOT NULL,
    url         TEXT NOT NULL,
    -- The subscribed event types, space-separated; `*` for all.
    events      TEXT NOT NULL,
    description TEXT,
    -- `whsec_` + base64 of 32 random bytes; the key of every signature.
    secret      TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE webhook_events (
    -- `evt_` + 32 hex digits: the `webhook-id` of every delivery of it.
    id         TEXT PRIMARY KEY NOT NULL,
    type       TEXT NOT NULL,
    -- The body as sent, byte for byte on every retry (it is what is signed).
    payload    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY NOT NULL,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    -- pending, delivered or failed.
    state           TEXT NOT NULL DEFAULT 'pending',
    -- Attempts made so far.
    attempt         INTEGER NOT NULL DEFAULT 0,
    status_code     INTEGER,
    error           TEXT,
    duration_ms     INTEGER,
    -- When the next attempt is due (pending deliveries only).
    next_attempt_at TIMESTAMP,
    -- A worker that claims the delivery holds it until then; past it, the
    -- worker is taken for dead and another may claim it.
    lease_until     TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
-- The worker's claim: due pending deliveries, oldest due first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
-- A webhook's log, newest first.
CREATE INDEX webhook_deliveries_of_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_of_event ON webhook_deliveries (event_id);

-- An `article.published` owed at `due_at`: a scheduled article becomes
-- public by itself when its time passes, and the background task that
-- announces it takes (deletes) the row in the transaction that records the
-- event, so that it is announced once, whichever node or restart does it.
-- No foreign key: a deleted article's row is taken by the delete's own
-- event bookkeeping, and the task skips rows whose article is gone.
CREATE TABLE scheduled_publications (
    article_id INTEGER PRIMARY KEY NOT NULL,
    due_at     TIMESTAMP NOT NULL
);
CREATE INDEX scheduled_publications_due ON scheduled_publications (due_at);

-- Articles already waiting for their time are owed their event too.
INSERT INTO scheduled_publications (article_id, due_at)
SELECT id, published_at FROM articles
WHERE status = 'scheduled' AND published_at IS NOT NULL;
