-- Mercator schema v3: instant catalog search.
-- One FTS5 row per product holding every SKU, GTIN and title in every
-- language. The trigram tokenizer matches substrings, so Chinese (no spaces
-- between words), SKU prefixes and partial GTINs all work.
-- FTS rows are keyed by search_keys.seq, an INTEGER PRIMARY KEY (stable across
-- VACUUM, unlike the implicit rowid of products). Triggers keep the index
-- current; bulk writers set search_control.deferred = 1 inside their
-- transaction and rebuild once at the end instead of once per row.

CREATE VIRTUAL TABLE catalog_fts USING fts5(skus, gtins, titles, tokenize = 'trigram');

CREATE TABLE search_keys (
    seq         INTEGER PRIMARY KEY,
    product_id  TEXT NOT NULL UNIQUE REFERENCES products(id) ON DELETE CASCADE
);

CREATE TABLE search_control (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    deferred  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO search_control (id, deferred) VALUES (1, 0);

CREATE VIEW catalog_search_source AS
SELECT k.seq AS seq, p.id AS product_id,
       COALESCE((SELECT group_concat(sku, ' ') FROM variants v WHERE v.product_id = p.id), '') AS skus,
       COALESCE((SELECT group_concat(gtin, ' ') FROM variants v WHERE v.product_id = p.id), '') AS gtins,
       COALESCE((SELECT group_concat(title, ' | ') FROM product_texts t WHERE t.product_id = p.id), '') AS titles
FROM products p JOIN search_keys k ON k.product_id = p.id;

CREATE TRIGGER products_fts_delete BEFORE DELETE ON products
BEGIN
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.id);
END;

CREATE TRIGGER texts_fts_insert AFTER INSERT ON product_texts
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER texts_fts_update AFTER UPDATE OF title ON product_texts
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER texts_fts_delete AFTER DELETE ON product_texts
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = OLD.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = OLD.product_id;
END;

CREATE TRIGGER variants_fts_insert AFTER INSERT ON variants
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER variants_fts_update AFTER UPDATE OF sku, gtin, product_id ON variants
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = OLD.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = OLD.product_id;
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER variants_fts_delete AFTER DELETE ON variants
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = OLD.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.product_id);
    INSERT INTO catalog_fts (rowid, skus, gtins, titles)
        SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE product_id = OLD.product_id;
END;

-- Index what the database already holds.
INSERT INTO search_keys (product_id) SELECT id FROM products ORDER BY id;
INSERT INTO catalog_fts (rowid, skus, gtins, titles) SELECT seq, skus, gtins, titles FROM catalog_search_source;
