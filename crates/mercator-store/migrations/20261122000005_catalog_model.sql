-- Mercator schema v5: the full catalog model.
-- Content per language gains bullet points and search keywords; variants gain
-- dimensions, customs data and certifications; products gain images and a GTIN
-- exemption; listings gain the channel's identifiers, a quantity policy,
-- per-market content overrides, the result of the market rules, and the
-- channel's copy for three-way comparison.
-- List-valued fields are JSON TEXT so a change is one value in the history
-- (and one undo).

ALTER TABLE product_texts ADD COLUMN bullets  TEXT NOT NULL DEFAULT '[]';   -- JSON array of strings, at most 5
ALTER TABLE product_texts ADD COLUMN keywords TEXT NOT NULL DEFAULT '';

ALTER TABLE products ADD COLUMN images      TEXT NOT NULL DEFAULT '[]';     -- JSON [{file, thumb, width, height}]
ALTER TABLE products ADD COLUMN gtin_exempt INTEGER NOT NULL DEFAULT 0 CHECK (gtin_exempt IN (0, 1));
-- Number of market-rule errors over all listings; kept by the store.
ALTER TABLE products ADD COLUMN issue_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX products_issues ON products(issue_count) WHERE issue_count > 0;

ALTER TABLE variants ADD COLUMN length_mm      INTEGER NOT NULL DEFAULT 0 CHECK (length_mm >= 0);
ALTER TABLE variants ADD COLUMN width_mm       INTEGER NOT NULL DEFAULT 0 CHECK (width_mm >= 0);
ALTER TABLE variants ADD COLUMN height_mm      INTEGER NOT NULL DEFAULT 0 CHECK (height_mm >= 0);
ALTER TABLE variants ADD COLUMN hs_code        TEXT NOT NULL DEFAULT '';
ALTER TABLE variants ADD COLUMN origin         TEXT NOT NULL DEFAULT '';    -- ISO 3166 alpha-2
ALTER TABLE variants ADD COLUMN certifications TEXT NOT NULL DEFAULT '[]';  -- JSON [{kind, reference, expires}]

ALTER TABLE listings ADD COLUMN seller_sku  TEXT NOT NULL DEFAULT '';
ALTER TABLE listings ADD COLUMN external_id TEXT NOT NULL DEFAULT '';       -- ASIN, item id, product gid
ALTER TABLE listings ADD COLUMN qty_policy  TEXT NOT NULL DEFAULT 'stock' CHECK (qty_policy IN ('stock', 'buffer', 'fixed'));
ALTER TABLE listings ADD COLUMN qty_value   INTEGER NOT NULL DEFAULT 0 CHECK (qty_value >= 0);
ALTER TABLE listings ADD COLUMN overrides   TEXT NOT NULL DEFAULT '{}';     -- JSON {title, bullets, description, keywords}
ALTER TABLE listings ADD COLUMN issues      TEXT NOT NULL DEFAULT '[]';     -- JSON [{code, severity, args}]
-- Content as of the last sync with the channel (base) and the channel's copy
-- when it differs from base (theirs). NULL base: never synced.
ALTER TABLE listings ADD COLUMN synced_base TEXT;
ALTER TABLE listings ADD COLUMN remote_copy TEXT;
ALTER TABLE listings ADD COLUMN remote_seen_at TEXT;
CREATE INDEX listings_variant_status ON listings(variant_id, status);

-- Edit history also covers listings; SQLite cannot alter a CHECK, so the table
-- is rebuilt (inside this migration's transaction).
CREATE TABLE edit_history_v5 (
    id          TEXT PRIMARY KEY NOT NULL,
    op_id       TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    entity      TEXT NOT NULL CHECK (entity IN ('product', 'text', 'variant', 'listing')),
    entity_id   TEXT NOT NULL,
    lang        TEXT,
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    undone_by   TEXT
) STRICT;
INSERT INTO edit_history_v5 SELECT * FROM edit_history;
DROP TABLE edit_history;
ALTER TABLE edit_history_v5 RENAME TO edit_history;
CREATE INDEX edit_history_product ON edit_history(product_id, at DESC);
CREATE INDEX edit_history_op ON edit_history(op_id);

-- Column layouts of imported files the user mapped by hand, keyed by a hash
-- of the header row.
CREATE TABLE import_layouts (
    layout_key  TEXT PRIMARY KEY NOT NULL,
    headers     TEXT NOT NULL,   -- JSON array
    mapping     TEXT NOT NULL,   -- JSON array of field names or null
    updated_at  TEXT NOT NULL
) STRICT;
