using System.Data.Common;
using QazBus.Storage.Database;
using QazBus.Storage.Retention;

namespace QazBus.Storage.Inbox;

/// <summary>The inbox table: one row per message an endpoint handled.</summary>
internal sealed class InboxStore(StorageDatabase database, TimeProvider time)
{
    private readonly string _insertSql =
        $"INSERT INTO {database.Names.Inbox} (endpoint, message_id, source, handled_at) VALUES (@endpoint, @message_id, @source, @handled_at) ON CONFLICT DO NOTHING";

    /// <summary>
    /// Records the message in <paramref name="transaction"/>; false when the endpoint already handled it. On
    /// PostgreSQL a second insert of the same id waits for the first transaction, so an in-flight duplicate is
    /// recognised once the first one commits (and handled if it rolled back).
    /// </summary>
    public async Task<bool> TryRecordAsync(DbTransaction transaction, string endpoint, string messageId, string source, CancellationToken cancellationToken)
    {
        var command = transaction.Connection!.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
#pragma warning disable CA2100 // Table names are validated identifiers; values are parameters.
            command.CommandText = _insertSql;
#pragma warning restore CA2100
            command.AddText("endpoint", endpoint);
            command.AddText("message_id", messageId);
            command.AddText("source", source);
            database.Dialect.AddTime(command, "handled_at", time.GetUtcNow());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    /// <summary>Deletes up to <paramref name="limit"/> rows handled before <paramref name="cutoff"/>; returns how many.</summary>
    public Task<int> DeleteOlderAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        ExpiredRows.DeleteAsync(database, database.Names.Inbox, database.Dialect.RowId, "handled_at < @cutoff", cutoff, limit, cancellationToken);
}
