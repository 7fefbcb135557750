-- Orders a channel sent that could not be read (a bad amount or time): set
-- aside with the reason, the rest of their page stored, read again by id
-- on later runs until they map or the channel stops sending them.
CREATE TABLE unreadable_orders (
    channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    -- ErrorPayload JSON: code and secret-free detail, no buyer data
    reason TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (channel_id, external_id)
) WITHOUT ROWID;

-- An account whose channel keeps failing (a host that never answers) backs
-- off on its own: the count of failures in a row and when to try again.
ALTER TABLE sync_state ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN retry_at TEXT;
