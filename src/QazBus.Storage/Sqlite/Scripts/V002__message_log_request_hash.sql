-- QazBus storage, schema version 2, SQLite: the request hash of a query's request and its answer, so the
-- message log holds the evidence of which question each answer belongs to (X-Road's request hash).
-- Placeholder filled by QazBus: {prefix}. Every statement is idempotent. The column itself is in the table's
-- CREATE (version 1's script); a log created before version 2 gets it at start-up (SQLite has no
-- ADD COLUMN IF NOT EXISTS, so the migration adds it when missing).
CREATE INDEX IF NOT EXISTS {prefix}message_log_request_hash ON {prefix}message_log (request_hash)
    WHERE request_hash IS NOT NULL;
