-- A message's links (real targets, shown before anything opens them) and
-- its attachments' bytes, stored with the message so that they can be
-- opened offline, on request.
ALTER TABLE messages ADD COLUMN links TEXT NOT NULL DEFAULT '[]';

CREATE TABLE message_files (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (message_id, idx)
);
