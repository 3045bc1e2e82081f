using System.Text;
using Microsoft.Data.Sqlite;
using QazBus.Storage.Database;
using QazBus.Storage.Outbox;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// The outbox on SQLite. A relay claims rows by writing its lease (owner and expiry) in one short write
/// transaction; SQLite runs one writer at a time, so two relays never lease the same row. The lease is renewed
/// while the relay holds the rows, so a live relay keeps them however long its publish and mark take (a mark can
/// wait for the write lock); only a relay that died, or could not reach the database for a whole lease, loses them
/// when the lease runs out, and another relay may then send them again (at-least-once: the inbox drops the copy).
/// Rows of an ordering key wait while an earlier row of that key is leased or waiting for a retry, so a key's rows
/// go out in order.
/// </summary>
internal sealed class SqliteOutboxStore : OutboxStore
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly string _probeSql;
    private readonly string _claimSql;

    public SqliteOutboxStore(StorageDatabase database, TimeProvider time)
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

    /// <summary>
    /// How long claimed rows stay reserved without a renewal: twice the publish timeout. It bounds how long rows of
    /// a relay that died wait, not how long a live relay may hold them (the claim renews it, see <see cref="Claim"/>).
    /// </summary>
    private TimeSpan Lease => Database.Options.Relay.PublishTimeout * 2;

    public override async Task<OutboxClaim> ClaimAsync(int batchSize, CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A read first: while nothing waits, polling never takes the write lock from the application.
            await using (var probe = new SqliteCommand(_probeSql, connection))
            {
                Database.Dialect.AddTime(probe, "now", Time.GetUtcNow());
                if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    return EmptyClaim.Instance;
                }
            }

            var messages = new List<OutboxMessage>(batchSize);
            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                // The transaction began IMMEDIATE: the write lock is ours now, however long we waited for it. The
                // lease starts here, not before that wait, or a long wait would eat into it.
                var now = Time.GetUtcNow();
                await using (var command = new SqliteCommand(_claimSql, connection, transaction))
                {
                    command.AddText("owner", _owner);
                    Database.Dialect.AddTime(command, "lease_until", now + Lease);
                    Database.Dialect.AddTime(command, "now", now);
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

    // Leases need no cleanup when a relay dies: they run out. While the claim is open it renews its lease, a third
    // of a lease before it would run out: a publish is bounded by the publish timeout, but what follows it (the mark,
    // which waits for the write lock behind other writers) is not, and a row whose lease ran out while its relay
    // was still marking it would be claimed and sent again by another relay.
    private sealed class Claim : OutboxClaim
    {
        private readonly SqliteOutboxStore _store;
        private readonly string _ids;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;

        public Claim(SqliteOutboxStore store, List<OutboxMessage> messages)
            : base(messages)
        {
            _store = store;
            _ids = IdList(messages.Select(m => m.Id));
            _renewal = RenewAsync(_stop.Token);
        }

        public override async Task CompleteAsync(IReadOnlyList<PublishResult> results, bool outage, CancellationToken cancellationToken)
        {
            // No renewal may run after the mark; it would match no row, but the claim is over.
            await StopRenewingAsync().ConfigureAwait(false);
            var store = _store;
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

            var connection = (SqliteConnection)await store.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
                    store.Database.Dialect.AddTime(mark, "now", now);
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
                    store.Database.Dialect.AddTime(failed, "retry_at", outage ? null : RetryAt(now, Messages[i].Attempts + 1));
                    failed.AddText("error", Truncate(results[i].Error ?? "publish failed"));
                    failed.AddText("owner", store._owner);
                    failed.AddInt64("id", Messages[i].Id);
                    await failed.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await StopRenewingAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task RenewAsync(CancellationToken stop)
        {
            var interval = _store.Lease / 3;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, _store.Time, stop).ConfigureAwait(false);
                    var connection = (SqliteConnection)await _store.Database.OpenConnectionAsync(stop).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(stop).ConfigureAwait(false);
                        await using var renew = new SqliteCommand(
                            $"UPDATE {_store.Database.Names.Outbox} SET lease_until = @lease_until WHERE lease_owner = @owner AND sent_at IS NULL AND id IN (SELECT value FROM json_each(@ids))",
                            connection,
                            transaction);
                        renew.AddText("owner", _store._owner);
                        renew.AddText("ids", _ids);

                        // From when the write lock is ours, like the claim.
                        _store.Database.Dialect.AddTime(renew, "lease_until", _store.Time.GetUtcNow() + _store.Lease);
                        await renew.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                        await transaction.CommitAsync(stop).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A failed renewal (database busy or away) is tried again at the next interval; the lease still has two thirds to run.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }

        private async Task StopRenewingAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }

            await _renewal.ConfigureAwait(false);
        }
    }
}
