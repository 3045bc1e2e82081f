-- QazBus storage, schema version 1, PostgreSQL 13+.
-- Placeholders filled by QazBus: {schema} (the schema, which must exist), {prefix} (table name prefix),
-- {channel} (the NOTIFY channel the relay listens on). Every statement is idempotent.

-- Outbox: one row per message enqueued in a business transaction; the relay publishes and marks it sent.
CREATE TABLE IF NOT EXISTS {schema}.{prefix}outbox (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id     text        NOT NULL,
    contract       text        NOT NULL,
    version        integer     NOT NULL,
    ordering_key   text        NULL,
    body           bytea       NOT NULL,
    headers        jsonb       NOT NULL,
    content_type   text        NULL,
    correlation_id text        NULL,
    message_type   text        NULL,
    app_id         text        NULL,
    message_time   text        NULL,
    trace_parent   text        NULL,
    created_at     timestamptz NOT NULL,
    sent_at        timestamptz NULL,
    available_at   timestamptz NULL,
    attempts       integer     NOT NULL DEFAULT 0,
    last_error     text        NULL
);
CREATE INDEX IF NOT EXISTS {prefix}outbox_unsent ON {schema}.{prefix}outbox (id) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS {prefix}outbox_unsent_key ON {schema}.{prefix}outbox (ordering_key, id)
    WHERE sent_at IS NULL AND ordering_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS {prefix}outbox_sent_at ON {schema}.{prefix}outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Wakes the relays when a transaction that enqueued commits (one notification per statement; PostgreSQL
-- folds identical notifications of one transaction into one).
CREATE OR REPLACE FUNCTION {schema}.{prefix}outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', '');
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS {prefix}outbox_notify ON {schema}.{prefix}outbox;
CREATE TRIGGER {prefix}outbox_notify AFTER INSERT ON {schema}.{prefix}outbox
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{prefix}outbox_notify();

-- Inbox: the messages each endpoint handled (CloudEvents source + id), written in the handler's transaction.
CREATE TABLE IF NOT EXISTS {schema}.{prefix}inbox (
    endpoint   text        NOT NULL,
    message_id text        NOT NULL,
    source     text        NOT NULL,
    handled_at timestamptz NOT NULL,
    PRIMARY KEY (endpoint, message_id, source)
);
CREATE INDEX IF NOT EXISTS {prefix}inbox_handled_at ON {schema}.{prefix}inbox (handled_at);

-- Message log: append-only, each row chained to the one before by SHA-256 (see MessageLogHash for the
-- canonical form), so that an altered or deleted row is detected.
CREATE TABLE IF NOT EXISTS {schema}.{prefix}message_log (
    seq            bigint      PRIMARY KEY,
    occurred_at    timestamptz NOT NULL,
    system         text        NOT NULL,
    outcome        text        NOT NULL,
    message_id     text        NULL,
    contract       text        NULL,
    version        integer     NULL,
    source         text        NULL,
    destination    text        NOT NULL,
    correlation_id text        NULL,
    trace_parent   text        NULL,
    reason         text        NULL,
    attempts       integer     NOT NULL,
    payload_hash   bytea       NOT NULL,
    payload_logged boolean     NOT NULL,
    payload        bytea       NULL,
    prev_hash      bytea       NOT NULL,
    hash           bytea       NOT NULL
);
CREATE INDEX IF NOT EXISTS {prefix}message_log_message_id ON {schema}.{prefix}message_log (message_id);
CREATE INDEX IF NOT EXISTS {prefix}message_log_correlation_id ON {schema}.{prefix}message_log (correlation_id)
    WHERE correlation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS {prefix}message_log_contract_time ON {schema}.{prefix}message_log (contract, occurred_at);

-- The chain's head: the last sequence number and hash. Appenders lock this row, so appends are serialised
-- across processes; it also shows rows deleted from the end of the chain.
CREATE TABLE IF NOT EXISTS {schema}.{prefix}message_log_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint  NOT NULL,
    hash bytea   NOT NULL
);
INSERT INTO {schema}.{prefix}message_log_head (id, seq, hash)
    VALUES (1, 0, decode(repeat('00', 32), 'hex')) ON CONFLICT (id) DO NOTHING;

-- Append-only: updates, deletes and truncation are refused. (An owner can drop the trigger; the hash chain
-- still shows what was changed.)
CREATE OR REPLACE FUNCTION {schema}.{prefix}message_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the QazBus message log is append-only: % refused', TG_OP;
END
$$;
DROP TRIGGER IF EXISTS {prefix}message_log_append_only ON {schema}.{prefix}message_log;
CREATE TRIGGER {prefix}message_log_append_only BEFORE UPDATE OR DELETE ON {schema}.{prefix}message_log
    FOR EACH ROW EXECUTE FUNCTION {schema}.{prefix}message_log_append_only();
DROP TRIGGER IF EXISTS {prefix}message_log_no_truncate ON {schema}.{prefix}message_log;
CREATE TRIGGER {prefix}message_log_no_truncate BEFORE TRUNCATE ON {schema}.{prefix}message_log
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{prefix}message_log_append_only();
