-- Mercator schema v7: pricing.
-- Exchange rates are quoted per EUR (as the ECB publishes them) and kept per
-- date, so a price can always say which rate it used. Each channel account's
-- pricing settings (fee schedule, tax, logistics, rules) are one JSON
-- document (mercator_pricing::Market) per effective date. A reprice run
-- stores one proposal per variant and channel for review before it is
-- applied to listings.

CREATE TABLE fx_rates (
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    as_of       TEXT NOT NULL,                  -- YYYY-MM-DD, the rate's date
    per_eur     TEXT NOT NULL,                  -- decimal text: units of currency per 1 EUR
    source      TEXT NOT NULL,                  -- 'ECB' or 'manual'
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (currency, as_of)
) STRICT, WITHOUT ROWID;

CREATE TABLE pricing_policies (
    id              TEXT PRIMARY KEY NOT NULL,
    channel_id      TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    effective_from  TEXT NOT NULL,              -- YYYY-MM-DD
    body            TEXT NOT NULL,              -- JSON
    revision        INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    UNIQUE (channel_id, effective_from)
) STRICT;

-- One row per variant and channel: slim, because a run writes a million of
-- them (the run's id and time are in settings, `pricing.last_run`).
CREATE TABLE price_proposals (
    variant_id      TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    price_minor     INTEGER,                    -- NULL: cannot be priced (see problem); currency: the channel's
    profit_minor    INTEGER,
    margin_bp       INTEGER,                    -- margin in basis points (1/100 of a percent)
    current_margin_bp INTEGER,                  -- the margin at the listing's current price, when listed
    problem         TEXT,                       -- JSON {code, args} when it cannot be priced
    PRIMARY KEY (variant_id, channel_id)
) STRICT, WITHOUT ROWID;
