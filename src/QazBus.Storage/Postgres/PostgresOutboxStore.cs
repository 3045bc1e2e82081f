using Npgsql;
using NpgsqlTypes;
using QazBus.Storage.Database;
using QazBus.Storage.Outbox;

namespace QazBus.Storage.Postgres;

/// <summary>
/// The outbox on PostgreSQL. A relay claims rows with <c>SELECT … FOR UPDATE SKIP LOCKED</c> and keeps them locked
/// in its transaction while it publishes, so a second relay skips them; if the relay dies, the transaction ends and
/// the rows are free again. An ordering key is held with a transaction-scoped advisory lock, so its rows go out
/// through one relay at a time, in order.
/// </summary>
internal sealed class PostgresOutboxStore(StorageDatabase database, TimeProvider time) : OutboxStore(database, time)
{
    private readonly string _claimSql =
        $"""
        SELECT {Columns}
        FROM {database.Names.Outbox} o
        WHERE o.sent_at IS NULL
          AND (o.available_at IS NULL OR o.available_at <= @now)
          AND (o.ordering_key IS NULL OR (
                NOT EXISTS (SELECT 1 FROM {database.Names.Outbox} e
                            WHERE e.ordering_key = o.ordering_key AND e.sent_at IS NULL AND e.id < o.id AND e.available_at > @now)
                AND pg_try_advisory_xact_lock(@lock_class, hashtext(o.ordering_key))))
        ORDER BY o.id
        LIMIT @batch
        FOR UPDATE OF o SKIP LOCKED
        """;

    public override async Task<OutboxClaim> ClaimAsync(int batchSize, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var messages = new List<OutboxMessage>(batchSize);
            await using (var command = new NpgsqlCommand(_claimSql, connection, transaction))
            {
                Database.Dialect.AddTime(command, "now", Time.GetUtcNow());
                command.Parameters.Add(new NpgsqlParameter<int>("lock_class", Database.Names.OutboxLockClass));
                command.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    messages.Add(ReadMessage(reader));
                }
            }

            if (messages.Count == 0)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return EmptyClaim.Instance;
            }

            return new Claim(this, connection, transaction, messages);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Claim(PostgresOutboxStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, List<OutboxMessage> messages)
        : OutboxClaim(messages)
    {
        public override async Task CompleteAsync(IReadOnlyList<PublishResult> results, bool outage, CancellationToken cancellationToken)
        {
            var names = store.Database.Names;
            var now = store.Time.GetUtcNow();
            var sent = new List<long>(results.Count);
            await using var batch = new NpgsqlBatch(connection, transaction);
            for (var i = 0; i < results.Count; i++)
            {
                var message = Messages[i];
                switch (results[i].State)
                {
                    case PublishState.Sent:
                        sent.Add(message.Id);
                        break;
                    case PublishState.Failed:
                        var failed = new NpgsqlBatchCommand(
                            $"UPDATE {names.Outbox} SET attempts = attempts + 1, last_error = @error, available_at = @available_at WHERE id = @id");
                        failed.Parameters.Add(new NpgsqlParameter<string>("error", Truncate(results[i].Error ?? "publish failed")));
                        failed.Parameters.Add(new NpgsqlParameter("available_at", NpgsqlDbType.TimestampTz)
                        {
                            Value = outage ? DBNull.Value : RetryAt(now, message.Attempts + 1).UtcDateTime,
                        });
                        failed.Parameters.Add(new NpgsqlParameter<long>("id", message.Id));
                        batch.BatchCommands.Add(failed);
                        break;
                }
            }

            if (sent.Count > 0)
            {
                // One statement for the whole batch. Kept for no time: delete at once (cheaper than an update).
                var mark = store.Database.Options.Outbox.SentRetention == TimeSpan.Zero
                    ? new NpgsqlBatchCommand($"DELETE FROM {names.Outbox} WHERE id = ANY(@ids)")
                    : new NpgsqlBatchCommand($"UPDATE {names.Outbox} SET sent_at = @now WHERE id = ANY(@ids)");
                mark.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. sent]));
                if (store.Database.Options.Outbox.SentRetention != TimeSpan.Zero)
                {
                    mark.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
                }

                batch.BatchCommands.Add(mark);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Rows released untouched are simply unlocked by the commit.
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        // Not completed (the relay died or failed before marking): rolling back unlocks every row unchanged, and
        // another relay, or this one, sends them again; the consumers' inbox drops the repeats.
        public override async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
