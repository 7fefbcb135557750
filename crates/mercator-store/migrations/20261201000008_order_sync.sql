-- Mercator schema v8: orders from the channels.
-- Orders gain the canonical state machine (with partially shipped), the raw
-- channel status, tax and subtotal, the marketplace's UTC offset, the
-- channel's last-updated time (a newer copy replaces an older one, never
-- the reverse), the payload for support, and the delivery address kept only
-- until it is purged after shipment. SQLite cannot alter a CHECK, so the
-- table is rebuilt (the store runs migrations with foreign keys off and
-- checks them afterwards).

CREATE TABLE orders_v8 (
    id                  TEXT PRIMARY KEY NOT NULL,
    channel_id          TEXT NOT NULL REFERENCES channels(id),
    external_id         TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending','unshipped','partially_shipped','shipped','delivered','cancelled','refunded')),
    raw_status          TEXT NOT NULL DEFAULT '',
    buyer_name          TEXT NOT NULL,
    ship_country        TEXT NOT NULL,
    ship_to             TEXT,                 -- JSON address (personal data), NULL once purged
    pii_purged_at       TEXT,
    subtotal_minor      INTEGER NOT NULL DEFAULT 0,
    tax_minor           INTEGER NOT NULL DEFAULT 0,
    shipping_minor      INTEGER NOT NULL DEFAULT 0,
    total_minor         INTEGER NOT NULL,
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    ordered_at          TEXT NOT NULL,        -- UTC
    ordered_offset      TEXT NOT NULL DEFAULT '+00:00',
    channel_updated_at  TEXT,                 -- UTC, the channel's last-updated time
    shipped_at          TEXT,
    raw                 TEXT,                 -- the channel's payload (JSON)
    revision            INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    UNIQUE (channel_id, external_id)
) STRICT;
INSERT INTO orders_v8 (id, channel_id, external_id, status, raw_status, buyer_name, ship_country, shipping_minor,
                       total_minor, currency, ordered_at, channel_updated_at, shipped_at, revision, updated_at)
SELECT id, channel_id, external_id, status, status, buyer_name, ship_country, shipping_minor, total_minor, currency,
       ordered_at, updated_at, CASE WHEN status IN ('shipped', 'delivered') THEN ordered_at END, revision, updated_at
FROM orders;
DROP TABLE orders;
ALTER TABLE orders_v8 RENAME TO orders;
CREATE INDEX orders_ordered_at ON orders(ordered_at DESC);
CREATE INDEX orders_status ON orders(status);
CREATE INDEX orders_channel_updated ON orders(channel_id, channel_updated_at);
CREATE INDEX orders_purge ON orders(shipped_at) WHERE ship_to IS NOT NULL;

ALTER TABLE order_lines ADD COLUMN external_line_id TEXT NOT NULL DEFAULT '';
ALTER TABLE order_lines ADD COLUMN quantity_shipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN tax_minor INTEGER NOT NULL DEFAULT 0;

-- A channel account's non-secret settings (endpoint, marketplace, shop
-- address); secrets are in the OS keyring under the channel's id.
ALTER TABLE channels ADD COLUMN config TEXT NOT NULL DEFAULT '{}';

-- Where each account's order pull stands. `cursor`: orders updated before
-- it are in; a run covers [cursor - overlap, window_end) page by page, the
-- page token saved with each page so a restart continues where it stopped.
CREATE TABLE sync_state (
    channel_id    TEXT PRIMARY KEY NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    cursor        TEXT,
    window_start  TEXT,
    window_end    TEXT,
    page_token    TEXT,
    paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    interval_s    INTEGER NOT NULL DEFAULT 900 CHECK (interval_s >= 60),
    last_run_at   TEXT,
    last_ok_at    TEXT,
    last_error    TEXT,                  -- JSON {code, args}
    rate_limit    TEXT,
    updated_at    TEXT NOT NULL
) STRICT;

-- What each run did, for the user to read.
CREATE TABLE sync_log (
    id          TEXT PRIMARY KEY NOT NULL,
    channel_id  TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,           -- 'page', 'run', 'error', 'push', 'purge'
    fetched     INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    detail      TEXT                     -- JSON
) STRICT;
CREATE INDEX sync_log_channel ON sync_log(channel_id, at DESC);
