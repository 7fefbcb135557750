-- Mercator schema v4: edit history of the catalog, for "who changed what,
-- when" and undo. One user action is one op_id (a bulk edit shares it).

CREATE TABLE edit_history (
    id          TEXT PRIMARY KEY NOT NULL,
    op_id       TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    entity      TEXT NOT NULL CHECK (entity IN ('product', 'text', 'variant')),
    entity_id   TEXT NOT NULL,   -- product id, variant id, or product id for texts
    lang        TEXT,            -- for entity = 'text'
    field       TEXT NOT NULL,
    old_value   TEXT,            -- JSON, NULL when the record was created
    new_value   TEXT,            -- JSON
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    undone_by   TEXT             -- op_id of the undo, when undone
) STRICT;
CREATE INDEX edit_history_product ON edit_history(product_id, at DESC);
CREATE INDEX edit_history_op ON edit_history(op_id);
