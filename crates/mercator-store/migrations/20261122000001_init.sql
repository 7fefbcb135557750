-- Mercator schema v1.
-- Conventions (see ARCHITECTURE.md): ids are UUIDv7 TEXT (never autoincrement),
-- every domain record has `revision` (bumped on each write) and `updated_at`
-- (UTC, RFC 3339); money is INTEGER minor units beside an ISO 4217 code.

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE shop (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    base_currency  TEXT NOT NULL CHECK (length(base_currency) = 3),
    is_demo        INTEGER NOT NULL DEFAULT 0,
    revision       INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE channels (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('amazon','shopify','woocommerce','shopee','tiktok','ebay')),
    name        TEXT NOT NULL,
    market      TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    language    TEXT NOT NULL,
    revision    INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE products (
    id          TEXT PRIMARY KEY NOT NULL,
    brand       TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    revision    INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE product_texts (
    product_id   TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    lang         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    revision     INTEGER NOT NULL DEFAULT 1,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (product_id, lang)
) STRICT, WITHOUT ROWID;

CREATE TABLE variants (
    id              TEXT PRIMARY KEY NOT NULL,
    product_id      TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    sku             TEXT NOT NULL UNIQUE,
    gtin            TEXT,
    attributes      TEXT NOT NULL DEFAULT '{}',  -- JSON object
    cost_minor      INTEGER NOT NULL,
    cost_currency   TEXT NOT NULL CHECK (length(cost_currency) = 3),
    weight_g        INTEGER NOT NULL DEFAULT 0 CHECK (weight_g >= 0),
    stock           INTEGER NOT NULL DEFAULT 0,
    revision        INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX variants_product ON variants(product_id);

CREATE TABLE listings (
    id              TEXT PRIMARY KEY NOT NULL,
    variant_id      TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    price_minor     INTEGER NOT NULL CHECK (price_minor >= 0),
    price_currency  TEXT NOT NULL CHECK (length(price_currency) = 3),
    status          TEXT NOT NULL CHECK (status IN ('draft','ready','live','inactive','error')),
    revision        INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    UNIQUE (variant_id, channel_id)
) STRICT;
CREATE INDEX listings_channel ON listings(channel_id);

CREATE TABLE orders (
    id              TEXT PRIMARY KEY NOT NULL,
    channel_id      TEXT NOT NULL REFERENCES channels(id),
    external_id     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending','unshipped','shipped','delivered','cancelled','refunded')),
    buyer_name      TEXT NOT NULL,
    ship_country    TEXT NOT NULL,
    shipping_minor  INTEGER NOT NULL DEFAULT 0,
    total_minor     INTEGER NOT NULL,
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    ordered_at      TEXT NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    UNIQUE (channel_id, external_id)
) STRICT;
CREATE INDEX orders_ordered_at ON orders(ordered_at DESC);
CREATE INDEX orders_status ON orders(status);

CREATE TABLE order_lines (
    id                TEXT PRIMARY KEY NOT NULL,
    order_id          TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    variant_id        TEXT REFERENCES variants(id) ON DELETE SET NULL,
    sku               TEXT NOT NULL,
    title             TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor  INTEGER NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    revision          INTEGER NOT NULL DEFAULT 1,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX order_lines_order ON order_lines(order_id);

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY NOT NULL,
    channel_id       TEXT NOT NULL REFERENCES channels(id),
    order_id         TEXT REFERENCES orders(id) ON DELETE SET NULL,
    buyer_name       TEXT NOT NULL,
    buyer_lang       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    reply_by         TEXT,
    last_message_at  TEXT NOT NULL,
    revision         INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX conversations_last ON conversations(last_message_at DESC);

CREATE TABLE messages (
    id               TEXT PRIMARY KEY NOT NULL,
    conversation_id  TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction        TEXT NOT NULL CHECK (direction IN ('in','out')),
    body             TEXT NOT NULL,
    sent_at          TEXT NOT NULL,
    revision         INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages(conversation_id, sent_at);

