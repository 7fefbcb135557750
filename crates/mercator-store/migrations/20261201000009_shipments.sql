-- Mercator schema v9: shipments and the order number people use.
-- `order_number` is what the seller and the buyer call an order (Amazon's
-- order id, Shopify's "#1004", WooCommerce's number); `external_id` stays
-- the id the channel's API takes.
ALTER TABLE orders ADD COLUMN order_number TEXT NOT NULL DEFAULT '';
UPDATE orders SET order_number = external_id;
CREATE INDEX orders_number ON orders(order_number);

-- A package sent for an order: carrier and tracking number, recorded
-- locally first; the channel hears of it through the outbox
-- (kind 'order.tracking', aggregate = the shipment), in order, once.
CREATE TABLE shipments (
    id               TEXT PRIMARY KEY NOT NULL,
    order_id         TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    carrier          TEXT NOT NULL,          -- Mercator's carrier code (UPS, YUNEXPRESS, ...)
    tracking_number  TEXT NOT NULL,
    tracking_url     TEXT NOT NULL DEFAULT '',
    shipped_on       TEXT NOT NULL,          -- the day it left (YYYY-MM-DD)
    notify           INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1)),
    created_at       TEXT NOT NULL,
    UNIQUE (order_id, tracking_number)
) STRICT;
CREATE INDEX shipments_order ON shipments(order_id);
CREATE INDEX outbox_aggregate ON outbox(aggregate_id, kind);
