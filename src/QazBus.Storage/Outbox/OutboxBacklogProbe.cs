using QazBus.Observation;
using QazBus.Storage.Database;

namespace QazBus.Storage.Outbox;

/// <summary>How many outbox rows wait to be sent and how long the oldest has waited: for health checks and gauges.</summary>
internal sealed class OutboxBacklogProbe(StorageDatabase database, TimeProvider time) : IOutboxBacklogProbe
{
    public async Task<OutboxBacklog> GetBacklogAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                // The oldest unsent row is the one with the lowest id (ids grow with enqueue time); the partial index
                // on unsent rows keeps both reads cheap however many sent rows are retained.
#pragma warning disable CA2100 // Table names are validated identifiers.
                command.CommandText =
                    $"SELECT (SELECT count(*) FROM {database.Names.Outbox} WHERE sent_at IS NULL), " +
                    $"(SELECT created_at FROM {database.Names.Outbox} WHERE sent_at IS NULL ORDER BY id LIMIT 1)";
#pragma warning restore CA2100
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var count = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
                    TimeSpan? oldest = reader.IsDBNull(1) ? null : time.GetUtcNow() - database.Dialect.ReadTime(reader, 1);
                    return new OutboxBacklog(count, oldest);
                }
            }
        }
    }
}
