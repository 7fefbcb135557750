-- The orders list filtered by state walks its state's orders newest first;
-- a SKU filter finds the orders through their lines' SKUs (prefix,
-- case-insensitive like the LIKE it serves).
CREATE INDEX orders_status_at ON orders(status, ordered_at DESC);
CREATE INDEX order_lines_sku ON order_lines(sku COLLATE NOCASE);
