-- Mercator schema v14: the support inbox.
-- Mailboxes the inbox reads (IMAP) and answers from (SMTP), one channel
-- account each; their passwords live in the OS keyring, never here. Messages
-- gain what threading, deduplication, reply states and search need.

CREATE TABLE mailboxes (
    id             TEXT PRIMARY KEY NOT NULL,
    channel_id     TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    address        TEXT NOT NULL,           -- the seller's address replies are sent from
    username       TEXT NOT NULL,
    imap_host      TEXT NOT NULL,
    imap_port      INTEGER NOT NULL CHECK (imap_port BETWEEN 1 AND 65535),
    imap_security  TEXT NOT NULL CHECK (imap_security IN ('tls','starttls','none')),
    smtp_host      TEXT NOT NULL,
    smtp_port      INTEGER NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_security  TEXT NOT NULL CHECK (smtp_security IN ('tls','starttls','none')),
    inbox_folder   TEXT NOT NULL DEFAULT 'INBOX',
    sent_folder    TEXT NOT NULL DEFAULT 'Sent',
    -- where reading stopped: the folder's UIDVALIDITY and the last UID stored
    uid_validity   INTEGER,
    last_uid       INTEGER NOT NULL DEFAULT 0,
    -- the last check: ok, or the error code that stopped it
    status         TEXT NOT NULL DEFAULT 'new',
    checked_at     TEXT,
    revision       INTEGER NOT NULL DEFAULT 1,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX mailboxes_address ON mailboxes(channel_id, address);

-- The seller's own reply clock for an account whose channel sets none (own
-- stores; hours, NULL: no clock). Marketplaces' rules are in the code.
ALTER TABLE channels ADD COLUMN reply_hours INTEGER CHECK (reply_hours IS NULL OR reply_hours BETWEEN 1 AND 720);

-- thread_key: the root Message-ID of a mail thread, or the channel's
-- conversation id of a chat. Times are UTC text (fmt_utc).
ALTER TABLE conversations ADD COLUMN thread_key TEXT;
ALTER TABLE conversations ADD COLUMN mailbox_id TEXT REFERENCES mailboxes(id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN buyer_address TEXT;
ALTER TABLE conversations ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_buyer_at TEXT;
ALTER TABLE conversations ADD COLUMN last_reply_at TEXT;
ALTER TABLE conversations ADD COLUMN closed_at TEXT;
-- reply_by (kept): when the open clock runs out; due_soon_at: its last quarter
-- begins. Both NULL when nothing is waiting or the channel sets no clock.
ALTER TABLE conversations ADD COLUMN due_soon_at TEXT;
CREATE UNIQUE INDEX conversations_thread ON conversations(channel_id, thread_key);
CREATE INDEX conversations_order ON conversations(order_id);
-- the list's order (newest first, ties by id) without sorting
DROP INDEX conversations_last;
CREATE INDEX conversations_recent ON conversations(last_message_at DESC, id DESC);

-- external_id: the Message-ID (mail) or the channel's message id (chat),
-- unique per channel account so a message read twice is stored once.
-- status: received (buyer), or a reply's waiting / sent / failed.
ALTER TABLE messages ADD COLUMN channel_id TEXT REFERENCES channels(id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN external_id TEXT;
ALTER TABLE messages ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN from_name TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN from_address TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN html TEXT;               -- sanitised (ammonia), never raw
ALTER TABLE messages ADD COLUMN blocked_images INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'received'
    CHECK (status IN ('received','waiting','sent','failed'));
ALTER TABLE messages ADD COLUMN error TEXT;
ALTER TABLE messages ADD COLUMN auto INTEGER NOT NULL DEFAULT 0;
-- a reply the SMTP server accepted (before it was filed in Sent)
ALTER TABLE messages ADD COLUMN submitted_at TEXT;
-- the language a reply was written in, and the text the seller wrote when it
-- was translated before sending
ALTER TABLE messages ADD COLUMN lang TEXT;
ALTER TABLE messages ADD COLUMN original TEXT;
-- a message sent through Amazon's Messaging API: its kind (confirmDeliveryDetails ...)
ALTER TABLE messages ADD COLUMN action TEXT;
-- the buyer data of the message was deleted (its text, sender, attachments)
ALTER TABLE messages ADD COLUMN purged_at TEXT;
-- the message translated for the seller (cached; cleared with its buyer data)
ALTER TABLE messages ADD COLUMN translation TEXT;
ALTER TABLE messages ADD COLUMN translation_lang TEXT;
CREATE UNIQUE INDEX messages_external ON messages(channel_id, external_id);
-- a conversation's newest message and its counts by state read from indexes
-- alone, however long the thread
DROP INDEX messages_conversation;
CREATE INDEX messages_conversation ON messages(conversation_id, sent_at, id);
CREATE INDEX messages_state ON messages(conversation_id, status);

UPDATE messages SET channel_id = (SELECT channel_id FROM conversations c WHERE c.id = messages.conversation_id),
                    subject = (SELECT subject FROM conversations c WHERE c.id = messages.conversation_id),
                    status = CASE direction WHEN 'in' THEN 'received' ELSE 'sent' END;
UPDATE conversations SET
    last_buyer_at = (SELECT max(sent_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'in'),
    last_reply_at = (SELECT max(sent_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'out'),
    unread = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'in'
              AND m.sent_at > COALESCE((SELECT max(sent_at) FROM messages o WHERE o.conversation_id = conversations.id
                                        AND o.direction = 'out'), ''));
UPDATE conversations SET reply_by = NULL WHERE last_reply_at >= last_buyer_at;

-- Search over every message (subject, sender, text) as in the catalog: FTS5
-- trigram rows keyed by a stable INTEGER PRIMARY KEY.
CREATE TABLE message_search_keys (
    seq         INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE
) STRICT;
CREATE VIRTUAL TABLE inbox_fts USING fts5(body, tokenize = 'trigram', detail = 'none');
CREATE VIRTUAL TABLE inbox_vocab USING fts5vocab(inbox_fts, 'row');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO message_search_keys (message_id) VALUES (NEW.id);
    INSERT INTO inbox_fts (rowid, body)
    SELECT seq, NEW.subject || char(10) || NEW.from_name || ' ' || NEW.from_address || char(10) || NEW.body || char(10)
    FROM message_search_keys WHERE message_id = NEW.id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, subject ON messages
BEGIN
    DELETE FROM inbox_fts WHERE rowid = (SELECT seq FROM message_search_keys WHERE message_id = NEW.id);
    INSERT INTO inbox_fts (rowid, body)
    SELECT seq, NEW.subject || char(10) || NEW.from_name || ' ' || NEW.from_address || char(10) || NEW.body || char(10)
    FROM message_search_keys WHERE message_id = NEW.id;
END;
CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages
BEGIN
    DELETE FROM inbox_fts WHERE rowid = (SELECT seq FROM message_search_keys WHERE message_id = OLD.id);
END;

INSERT INTO message_search_keys (message_id) SELECT id FROM messages ORDER BY id;
INSERT INTO inbox_fts (rowid, body)
SELECT k.seq, m.subject || char(10) || m.from_name || ' ' || m.from_address || char(10) || m.body || char(10)
FROM messages m JOIN message_search_keys k ON k.message_id = m.id;

-- Reply templates per language (the demo shop seeds a few).
CREATE TABLE reply_templates (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    body        TEXT NOT NULL,
    revision    INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX reply_templates_name ON reply_templates(name, lang);

-- Where reading a channel's chat (Shopee seller chat) stopped: the newest
-- conversation time seen (nanoseconds), and the last look's state: ok,
-- not-enabled (the app lacks the chat module), or the error code.
CREATE TABLE chat_positions (
    channel_id  TEXT PRIMARY KEY NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    last_nanos  INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'new',
    checked_at  TEXT
) STRICT;
