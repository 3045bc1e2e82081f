using System.Text;
using Microsoft.Data.Sqlite;
using QazBus.Storage.Database;
using QazBus.Storage.Outbox;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// The outbox on SQLite. A relay claims rows by writing its lease (owner and expiry) in one short write
/// transaction; SQLite runs one writer at a time, so two relays never lease the same row. A relay that died frees
/// its rows when the lease runs out. Rows of an ordering key wait while an earlier row of that key is leased or
/// waiting for a retry, so a key's rows go out in order.
/// </summary>
internal sealed class SqliteOutboxStore : OutboxStore
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly string _probeSql;
    private readonly string _claimSql;

    public SqliteOutboxStore(SqliteDatabase database, TimeProvider time)
        : base(database, time)
    {
        var outbox = database.Names.Outbox;
        _probeSql = $"SELECT 1 FROM {outbox} WHERE sent_at IS NULL AND (lease_until IS NULL OR lease_until <= @now) LIMIT 1";
        _claimSql =
            $"""
            UPDATE {outbox} SET lease_owner = @owner, lease_until = @lease_until
            WHERE id IN (
                SELECT o.id FROM {outbox} o
                WHERE o.sent_at IS NULL
                  AND (o.lease_until IS NULL OR o.lease_until <= @now)
                  AND (o.ordering_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM {outbox} e
                        WHERE e.ordering_key = o.ordering_key AND e.sent_at IS NULL AND e.id < o.id AND e.lease_until > @now))
                ORDER BY o.id
                LIMIT @batch)
            RETURNING {Columns}
            """;
    }

    protected override string HeadersParameter => "@headers";

    /// <summary>How long claimed rows stay reserved: twice the publish timeout, so a live relay never loses its lease.</summary>
    private TimeSpan Lease => Database.Options.Relay.PublishTimeout * 2;

    public override async Task<OutboxClaim> ClaimAsync(int batchSize, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var connection = (SqliteConnection)await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A read first: while nothing waits, polling never takes the write lock from the application.
            await using (var probe = new SqliteCommand(_probeSql, connection))
            {
                Database.AddTime(probe, "now", now);
                if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    return EmptyClaim.Instance;
                }
            }

            var messages = new List<OutboxMessage>(batchSize);
            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using (var command = new SqliteCommand(_claimSql, connection, transaction))
                {
                    command.AddText("owner", _owner);
                    Database.AddTime(command, "lease_until", now + Lease);
                    Database.AddTime(command, "now", now);
                    command.AddInt32("batch", batchSize);
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        messages.Add(ReadMessage(reader));
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (messages.Count == 0)
            {
                return EmptyClaim.Instance;
            }

            // RETURNING gives no order: publish oldest first.
            messages.Sort((a, b) => a.Id.CompareTo(b.Id));
            return new Claim(this, messages);
        }
    }

    private static string IdList(IEnumerable<long> ids)
    {
        var json = new StringBuilder("[");
        foreach (var id in ids)
        {
            json.Append(json.Length > 1 ? "," : string.Empty).Append(id);
        }

        return json.Append(']').ToString();
    }

    // Leases need no cleanup when a relay dies: they run out. Only a completed claim writes.
    private sealed class Claim(SqliteOutboxStore store, List<OutboxMessage> messages) : OutboxClaim(messages)
    {
        public override async Task CompleteAsync(IReadOnlyList<PublishResult> results, bool outage, CancellationToken cancellationToken)
        {
            var outbox = store.Database.Names.Outbox;
            var now = store.Time.GetUtcNow();
            var sent = new List<long>(results.Count);
            var released = new List<long>();
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].State == PublishState.Sent)
                {
                    sent.Add(Messages[i].Id);
                }
                else if (results[i].State == PublishState.Released)
                {
                    released.Add(Messages[i].Id);
                }
            }

            var connection = (SqliteConnection)await store.Database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                if (sent.Count > 0)
                {
                    // One statement for the whole batch; only rows still leased to this relay.
                    var sql = store.Database.Options.Outbox.SentRetention == TimeSpan.Zero
                        ? $"DELETE FROM {outbox} WHERE lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))"
                        : $"UPDATE {outbox} SET sent_at = @now, lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))";
                    await using var mark = new SqliteCommand(sql, connection, transaction);
                    mark.AddText("owner", store._owner);
                    mark.AddText("ids", IdList(sent));
                    store.Database.AddTime(mark, "now", now);
                    await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (released.Count > 0)
                {
                    await using var release = new SqliteCommand(
                        $"UPDATE {outbox} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))",
                        connection,
                        transaction);
                    release.AddText("owner", store._owner);
                    release.AddText("ids", IdList(released));
                    await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                for (var i = 0; i < results.Count; i++)
                {
                    if (results[i].State != PublishState.Failed)
                    {
                        continue;
                    }

                    // The row waits in lease_until for its next attempt (at once after an outage: the relay backs off as a whole).
                    await using var failed = new SqliteCommand(
                        $"UPDATE {outbox} SET lease_owner = NULL, lease_until = @retry_at, attempts = attempts + 1, last_error = @error WHERE lease_owner = @owner AND id = @id",
                        connection,
                        transaction);
                    store.Database.AddTime(failed, "retry_at", outage ? null : RetryAt(now, Messages[i].Attempts + 1));
                    failed.AddText("error", Truncate(results[i].Error ?? "publish failed"));
                    failed.AddText("owner", store._owner);
                    failed.AddInt64("id", Messages[i].Id);
                    await failed.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
