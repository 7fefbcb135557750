-- Mercator schema v2: the outbox of changes for channels.

-- Changes waiting to be sent to a channel. Enqueued in the same transaction as
-- the local edit; `idempotency_key` makes a repeated enqueue a no-op and is sent
-- to the channel so a retried request has effect once.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY NOT NULL,
    channel_id       TEXT NOT NULL REFERENCES channels(id),
    kind             TEXT NOT NULL,
    aggregate_id     TEXT NOT NULL,
    payload          TEXT NOT NULL,            -- JSON
    idempotency_key  TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','in_flight','sent','dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_until      TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
