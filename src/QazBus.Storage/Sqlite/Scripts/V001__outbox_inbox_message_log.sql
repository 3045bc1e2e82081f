-- QazBus storage, schema version 1, SQLite 3.35+.
-- Placeholder filled by QazBus: {prefix} (table name prefix). Every statement is idempotent.
-- Times are UTC text 'yyyy-MM-ddTHH:mm:ss.ffffffZ': fixed width, so they sort and compare as text.

-- Outbox: one row per message enqueued in a business transaction; the relay publishes and marks it sent.
-- A relay claims rows by writing its lease (owner, until); a relay that died frees them when the lease ends.
-- A row whose publish failed waits in lease_until (owner NULL) for its next attempt.
CREATE TABLE IF NOT EXISTS {prefix}outbox (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id     TEXT    NOT NULL,
    contract       TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    ordering_key   TEXT    NULL,
    body           BLOB    NOT NULL,
    headers        TEXT    NOT NULL,
    content_type   TEXT    NULL,
    correlation_id TEXT    NULL,
    message_type   TEXT    NULL,
    app_id         TEXT    NULL,
    message_time   TEXT    NULL,
    trace_parent   TEXT    NULL,
    created_at     TEXT    NOT NULL,
    sent_at        TEXT    NULL,
    lease_owner    TEXT    NULL,
    lease_until    TEXT    NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT    NULL
);
CREATE INDEX IF NOT EXISTS {prefix}outbox_unsent ON {prefix}outbox (id) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS {prefix}outbox_unsent_key ON {prefix}outbox (ordering_key, id)
    WHERE sent_at IS NULL AND ordering_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS {prefix}outbox_sent_at ON {prefix}outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Inbox: the messages each endpoint handled (CloudEvents source + id), written in the handler's transaction.
CREATE TABLE IF NOT EXISTS {prefix}inbox (
    endpoint   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    source     TEXT NOT NULL,
    handled_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, message_id, source)
);
CREATE INDEX IF NOT EXISTS {prefix}inbox_handled_at ON {prefix}inbox (handled_at);

-- Message log: append-only, each row chained to the one before by SHA-256 (see MessageLogHash for the
-- canonical form), so that an altered or deleted row is detected.
CREATE TABLE IF NOT EXISTS {prefix}message_log (
    seq            INTEGER PRIMARY KEY,
    occurred_at    TEXT    NOT NULL,
    system         TEXT    NOT NULL,
    outcome        TEXT    NOT NULL,
    message_id     TEXT    NULL,
    contract       TEXT    NULL,
    version        INTEGER NULL,
    source         TEXT    NULL,
    destination    TEXT    NOT NULL,
    correlation_id TEXT    NULL,
    trace_parent   TEXT    NULL,
    reason         TEXT    NULL,
    attempts       INTEGER NOT NULL,
    payload_hash   BLOB    NOT NULL,
    payload_logged INTEGER NOT NULL,
    payload        BLOB    NULL,
    prev_hash      BLOB    NOT NULL,
    hash           BLOB    NOT NULL,
    request_hash   TEXT    NULL     -- schema version 2 (see V002): created here, as SQLite cannot add a column idempotently
);
CREATE INDEX IF NOT EXISTS {prefix}message_log_message_id ON {prefix}message_log (message_id);
CREATE INDEX IF NOT EXISTS {prefix}message_log_correlation_id ON {prefix}message_log (correlation_id)
    WHERE correlation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS {prefix}message_log_contract_time ON {prefix}message_log (contract, occurred_at);

-- The chain's head: the last sequence number and hash (shows rows deleted from the end of the chain).
CREATE TABLE IF NOT EXISTS {prefix}message_log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);
INSERT OR IGNORE INTO {prefix}message_log_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Append-only: updates and deletes are refused. (Whoever can drop a trigger can change rows; the hash chain
-- still shows what was changed.)
CREATE TRIGGER IF NOT EXISTS {prefix}message_log_no_update BEFORE UPDATE ON {prefix}message_log
BEGIN
    SELECT RAISE(ABORT, 'the QazBus message log is append-only: UPDATE refused');
END;
CREATE TRIGGER IF NOT EXISTS {prefix}message_log_no_delete BEFORE DELETE ON {prefix}message_log
BEGIN
    SELECT RAISE(ABORT, 'the QazBus message log is append-only: DELETE refused');
END;
