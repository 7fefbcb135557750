-- Mercator schema v10: stock per warehouse.
-- `variants.stock` stays the sellable total (every warehouse but Amazon's
-- FBA), kept equal to the sum of `stock_levels` by triggers: a count in a
-- warehouse updates the total, and an edit of the total (catalog editor,
-- import) lands in the default warehouse. Units on open orders are
-- reserved (computed from the orders, never stored twice); when an order
-- Mercator saw open becomes shipped, its units leave the default warehouse
-- once (`orders.stock_deducted`).

CREATE TABLE warehouses (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL DEFAULT '',   -- '' : the default name, in the user's language
    kind        TEXT NOT NULL CHECK (kind IN ('own', '3pl', 'fba')),
    country     TEXT NOT NULL DEFAULT '',
    channel_id  TEXT REFERENCES channels(id) ON DELETE CASCADE,  -- FBA: whose stock it is
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (kind != 'fba' OR is_default = 0)
) STRICT;
CREATE UNIQUE INDEX warehouses_one_default ON warehouses(is_default) WHERE is_default = 1;

CREATE TABLE stock_levels (
    warehouse_id  TEXT NOT NULL REFERENCES warehouses(id) ON DELETE CASCADE,
    variant_id    TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
    on_hand       INTEGER NOT NULL DEFAULT 0,   -- below zero: more left than was counted
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (warehouse_id, variant_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX stock_levels_variant ON stock_levels(variant_id);

-- Every change of a stock level, for the user to read back.
CREATE TABLE stock_moves (
    id            TEXT PRIMARY KEY NOT NULL,
    warehouse_id  TEXT NOT NULL REFERENCES warehouses(id) ON DELETE CASCADE,
    variant_id    TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
    delta         INTEGER NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('count', 'edit', 'shipped', 'channel')),
    reference     TEXT NOT NULL DEFAULT '',
    at            TEXT NOT NULL
) STRICT;
CREATE INDEX stock_moves_variant ON stock_moves(variant_id, at);

ALTER TABLE orders ADD COLUMN stock_deducted INTEGER NOT NULL DEFAULT 0 CHECK (stock_deducted IN (0, 1));
-- The quantity last queued to the channel for this listing (NULL: never).
ALTER TABLE listings ADD COLUMN pushed_qty INTEGER;
CREATE INDEX order_lines_variant ON order_lines(variant_id) WHERE variant_id IS NOT NULL;

-- The default warehouse, holding today's stock. Its id is a UUIDv7 made
-- here: 48 bits of milliseconds, version 7, variant 10xx, random bits.
INSERT INTO warehouses (id, name, kind, is_default, position, created_at, updated_at)
SELECT lower(substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' || substr(hex(randomblob(2)), 2, 3) || '-'
             || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2, 3) || '-' || hex(randomblob(6))),
       '', 'own', 1, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM (SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) AS t);
INSERT INTO stock_levels (warehouse_id, variant_id, on_hand, updated_at)
SELECT (SELECT id FROM warehouses WHERE is_default = 1), id, stock, updated_at FROM variants WHERE stock != 0;

-- a stock level changed: the variant's sellable total follows
CREATE TRIGGER stock_levels_total_ins AFTER INSERT ON stock_levels BEGIN
    UPDATE variants SET stock = (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
                                 WHERE s.variant_id = NEW.variant_id AND w.kind != 'fba')
    WHERE id = NEW.variant_id;
END;
CREATE TRIGGER stock_levels_total_upd AFTER UPDATE OF on_hand ON stock_levels BEGIN
    UPDATE variants SET stock = (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
                                 WHERE s.variant_id = NEW.variant_id AND w.kind != 'fba')
    WHERE id = NEW.variant_id;
END;
CREATE TRIGGER stock_levels_total_del AFTER DELETE ON stock_levels BEGIN
    UPDATE variants SET stock = (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
                                 WHERE s.variant_id = OLD.variant_id AND w.kind != 'fba')
    WHERE id = OLD.variant_id;
END;

-- the total was edited (catalog, import): the difference lands in the default warehouse
CREATE TRIGGER variants_stock_edit AFTER UPDATE OF stock ON variants
WHEN NEW.stock != (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
                   WHERE s.variant_id = NEW.id AND w.kind != 'fba')
BEGIN
    INSERT INTO stock_moves (id, warehouse_id, variant_id, delta, reason, at)
    SELECT (SELECT lower(substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' || substr(hex(randomblob(2)), 2, 3) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2, 3) || '-' || hex(randomblob(6))) FROM (SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) AS t)),
           w.id, NEW.id,
           NEW.stock - (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s JOIN warehouses x ON x.id = s.warehouse_id
                        WHERE s.variant_id = NEW.id AND x.kind != 'fba'),
           'edit', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM warehouses w WHERE w.is_default = 1;
    INSERT INTO stock_levels (warehouse_id, variant_id, on_hand, updated_at)
    SELECT w.id, NEW.id,
           NEW.stock - (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s JOIN warehouses x ON x.id = s.warehouse_id
                        WHERE s.variant_id = NEW.id AND x.kind != 'fba' AND x.id != w.id),
           strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM warehouses w WHERE w.is_default = 1
    ON CONFLICT (warehouse_id, variant_id) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at;
END;
CREATE TRIGGER variants_stock_new AFTER INSERT ON variants WHEN NEW.stock != 0 BEGIN
    INSERT INTO stock_levels (warehouse_id, variant_id, on_hand, updated_at)
    SELECT w.id, NEW.id, NEW.stock, NEW.updated_at FROM warehouses w WHERE w.is_default = 1;
END;
