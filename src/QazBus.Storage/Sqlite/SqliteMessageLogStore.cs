using System.Data.Common;
using Microsoft.Data.Sqlite;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// The message log on SQLite. An append runs in a write transaction (<c>BEGIN IMMEDIATE</c>), so appenders take
/// turns on the database's one write lock; rows go in through one prepared insert.
/// </summary>
internal sealed class SqliteMessageLogStore(SqliteDatabase database) : MessageLogStore(database)
{
    private readonly string _headSql = $"SELECT seq, hash FROM {database.Names.MessageLogHead} WHERE id = 1";

    private readonly string _insertSql =
        $"""
        INSERT INTO {database.Names.MessageLog} ({Columns})
        VALUES (@seq, @occurred_at, @system, @outcome, @message_id, @contract, @version, @source, @destination, @correlation_id,
                @trace_parent, @reason, @attempts, @payload_hash, @payload_logged, @payload, @prev_hash, @hash)
        """;

    private readonly string _updateHeadSql = $"UPDATE {database.Names.MessageLogHead} SET seq = @seq, hash = @hash WHERE id = 1";

    public override async Task AppendAsync(IReadOnlyList<MessageLogRow> rows, CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            long headSequence;
            byte[] headHash;
            await using (var head = new SqliteCommand(_headSql, connection, transaction))
            await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                headSequence = reader.GetInt64(0);
                headHash = reader.GetFieldValue<byte[]>(1);
            }

            var (sequence, hash) = Chain(rows, headSequence, headHash);
            await using (var insert = new SqliteCommand(_insertSql, connection, transaction))
            {
                foreach (var row in rows)
                {
                    insert.Parameters.Clear();
                    insert.AddInt64("seq", row.Sequence);
                    Database.AddTime(insert, "occurred_at", row.Time);
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
                    insert.AddBytes("payload_hash", row.PayloadHash);
                    insert.AddBoolean("payload_logged", row.PayloadLogged);
                    insert.AddBytes("payload", row.Payload);
                    insert.AddBytes("prev_hash", row.PreviousHash);
                    insert.AddBytes("hash", row.Hash);
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await using (var update = new SqliteCommand(_updateHeadSql, connection, transaction))
            {
                update.AddInt64("seq", sequence);
                update.AddBytes("hash", hash);
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // A deferred transaction: its first read fixes the snapshot (WAL), and it takes no write lock.
    protected override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));
}
