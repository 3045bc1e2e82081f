using System.Data;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using QazBus.Storage.MessageLog;

namespace QazBus.Storage.Postgres;

/// <summary>
/// The message log on PostgreSQL. An append locks the chain head row (<c>SELECT … FOR UPDATE</c>), so appenders in
/// every process take turns; a batch of rows goes in as one <c>INSERT … SELECT FROM unnest(…)</c>.
/// </summary>
internal sealed class PostgresMessageLogStore(PostgresDatabase database) : MessageLogStore(database)
{
    private readonly string _headSql = $"SELECT seq, hash FROM {database.Names.MessageLogHead} WHERE id = 1 FOR UPDATE";

    private readonly string _insertSql =
        $"""
        INSERT INTO {database.Names.MessageLog} ({Columns})
        SELECT * FROM unnest(@seq::bigint[], @occurred_at::timestamptz[], @system::text[], @outcome::text[], @message_id::text[],
            @contract::text[], @version::integer[], @source::text[], @destination::text[], @correlation_id::text[],
            @trace_parent::text[], @reason::text[], @attempts::integer[], @payload_hash::bytea[], @payload_logged::boolean[],
            @payload::bytea[], @prev_hash::bytea[], @hash::bytea[])
        """;

    private readonly string _updateHeadSql = $"UPDATE {database.Names.MessageLogHead} SET seq = @seq, hash = @hash WHERE id = 1";

    public override async Task AppendAsync(IReadOnlyList<MessageLogRow> rows, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            long headSequence;
            byte[] headHash;
            await using (var head = new NpgsqlCommand(_headSql, connection, transaction))
            await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                headSequence = reader.GetInt64(0);
                headHash = reader.GetFieldValue<byte[]>(1);
            }

            var (sequence, hash) = Chain(rows, headSequence, headHash);

            await using var batch = new NpgsqlBatch(connection, transaction);
            var insert = new NpgsqlBatchCommand(_insertSql);
            insert.Parameters.Add(new NpgsqlParameter<long[]>("seq", [.. rows.Select(r => r.Sequence)]));
            insert.Parameters.Add(new NpgsqlParameter("occurred_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => r.Time.UtcDateTime).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string[]>("system", [.. rows.Select(r => r.System)]));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("outcome", [.. rows.Select(r => r.Outcome)]));
            insert.Parameters.Add(TextArray("message_id", rows.Select(r => r.MessageId)));
            insert.Parameters.Add(TextArray("contract", rows.Select(r => r.Contract)));
            insert.Parameters.Add(new NpgsqlParameter("version", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => r.Version).ToArray() });
            insert.Parameters.Add(TextArray("source", rows.Select(r => r.Source)));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("destination", [.. rows.Select(r => r.Destination)]));
            insert.Parameters.Add(TextArray("correlation_id", rows.Select(r => r.CorrelationId)));
            insert.Parameters.Add(TextArray("trace_parent", rows.Select(r => r.TraceParent)));
            insert.Parameters.Add(TextArray("reason", rows.Select(r => r.Reason)));
            insert.Parameters.Add(new NpgsqlParameter<int[]>("attempts", [.. rows.Select(r => r.Attempts)]));
            insert.Parameters.Add(BytesArray("payload_hash", rows.Select(r => r.PayloadHash)));
            insert.Parameters.Add(new NpgsqlParameter<bool[]>("payload_logged", [.. rows.Select(r => r.PayloadLogged)]));
            insert.Parameters.Add(BytesArray("payload", rows.Select(r => r.Payload)));
            insert.Parameters.Add(BytesArray("prev_hash", rows.Select(r => r.PreviousHash)));
            insert.Parameters.Add(BytesArray("hash", rows.Select(r => r.Hash)));
            batch.BatchCommands.Add(insert);

            var update = new NpgsqlBatchCommand(_updateHeadSql);
            update.Parameters.Add(new NpgsqlParameter<long>("seq", sequence));
            update.Parameters.Add(new NpgsqlParameter<byte[]>("hash", hash));
            batch.BatchCommands.Add(update);

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };

    private static NpgsqlParameter BytesArray(string name, IEnumerable<byte[]?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}
