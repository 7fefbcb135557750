-- Mercator schema v6: a leaner search index.
-- One text column per product (SKUs, GTINs, titles in every language) with
-- detail = 'none': the trigram index keeps which products hold a trigram, not
-- where, so it builds in about half the time and takes half the space. Queries
-- use LIKE '%term%' on the column: FTS5 narrows the candidates with the
-- trigrams of the term and checks the pattern on the stored text.

DROP TRIGGER products_fts_delete;
DROP TRIGGER texts_fts_insert;
DROP TRIGGER texts_fts_update;
DROP TRIGGER texts_fts_delete;
DROP TRIGGER variants_fts_insert;
DROP TRIGGER variants_fts_update;
DROP TRIGGER variants_fts_delete;
DROP VIEW catalog_search_source;
DROP TABLE catalog_fts;

CREATE VIRTUAL TABLE catalog_fts USING fts5(body, tokenize = 'trigram', detail = 'none');

-- Its vocabulary (every distinct trigram), to look up two-character terms:
-- the trigrams that start with them.
CREATE VIRTUAL TABLE catalog_vocab USING fts5vocab(catalog_fts, 'row');

-- The text indexed for one product. The separator keeps a search term from
-- matching across two fields; the final one makes every two characters the
-- start of some trigram.
CREATE VIEW catalog_search_source AS
SELECT k.seq AS seq, p.id AS product_id,
       COALESCE((SELECT group_concat(sku, ' ') FROM variants v WHERE v.product_id = p.id), '') || char(10) ||
       COALESCE((SELECT group_concat(gtin, ' ') FROM variants v WHERE v.product_id = p.id), '') || char(10) ||
       COALESCE((SELECT group_concat(title, char(10)) FROM product_texts t WHERE t.product_id = p.id), '') || char(10) AS body
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
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER texts_fts_update AFTER UPDATE OF title ON product_texts
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER texts_fts_delete AFTER DELETE ON product_texts
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = OLD.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.product_id);
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = OLD.product_id;
END;

CREATE TRIGGER variants_fts_insert AFTER INSERT ON variants
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER variants_fts_update AFTER UPDATE OF sku, gtin, product_id ON variants
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = OLD.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.product_id);
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = OLD.product_id;
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = NEW.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = NEW.product_id);
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = NEW.product_id;
END;

CREATE TRIGGER variants_fts_delete AFTER DELETE ON variants
WHEN (SELECT deferred FROM search_control WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products WHERE id = OLD.product_id;
    DELETE FROM catalog_fts WHERE rowid = (SELECT seq FROM search_keys WHERE product_id = OLD.product_id);
    INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE product_id = OLD.product_id;
END;

INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source;
