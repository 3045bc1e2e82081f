-- QazBus storage, schema version 2, PostgreSQL: the request hash of a query's request and its answer, so the
-- message log holds the evidence of which question each answer belongs to (X-Road's request hash).
-- Placeholders filled by QazBus: {schema}, {prefix}. Every statement is idempotent.
ALTER TABLE {schema}.{prefix}message_log ADD COLUMN IF NOT EXISTS request_hash text NULL;
CREATE INDEX IF NOT EXISTS {prefix}message_log_request_hash ON {schema}.{prefix}message_log (request_hash)
    WHERE request_hash IS NOT NULL;
