using System.Data.Common;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// Appends to the message log on SQLite: the append's transaction holds the database's one write lock
/// (<c>BEGIN IMMEDIATE</c>), and rows go in through one prepared insert, row by row (SQLite has no array parameters).
/// </summary>
internal sealed class SqliteMessageLogStore(StorageDatabase database) : MessageLogStore(database)
{
    private readonly string _insertSql =
        $"""
        {InsertRowsSql(database.Names)}
        VALUES (@seq, @occurred_at, @system, @outcome, @message_id, @contract, @version, @source, @destination, @correlation_id,
                @trace_parent, @reason, @attempts, @payload_hash, @payload_logged, @payload, @prev_hash, @hash, @request_hash)
        """;

    protected override async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<MessageLogEntry> rows, CancellationToken cancellationToken)
    {
        var insert = connection.Command(transaction, _insertSql);
        await using (insert.ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                insert.Parameters.Clear();
                insert.AddInt64("seq", row.Sequence);
                Database.Dialect.AddTime(insert, "occurred_at", row.Time);
                insert.AddText("system", row.System);
                insert.AddText("outcome", row.Outcome);
                insert.AddText("message_id", row.MessageId);
                insert.AddText("contract", row.Contract);
                insert.AddInt32("version", row.Version);
                insert.AddText("source", row.Source);
                insert.AddText("destination", row.Destination);
                insert.AddText("correlation_id", row.CorrelationId);
                insert.AddText("trace_parent", row.TraceParent);
                insert.AddText("reason", row.Reason);
                insert.AddInt32("attempts", row.Attempts);
                insert.AddBytes("payload_hash", Convert.FromHexString(row.PayloadHash));
                insert.AddBoolean("payload_logged", row.PayloadLogged);
                insert.AddBytes("payload", PayloadBytes(row));
                insert.AddBytes("prev_hash", Convert.FromHexString(row.PreviousHash));
                insert.AddBytes("hash", Convert.FromHexString(row.Hash));
                insert.AddText("request_hash", row.RequestHash);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var update = connection.Command(transaction, UpdateHeadSql);
        await using (update.ConfigureAwait(false))
        {
            update.AddInt64("seq", rows[^1].Sequence);
            update.AddBytes("hash", Convert.FromHexString(rows[^1].Hash));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
