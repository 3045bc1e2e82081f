using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;

namespace QazBus.Storage.Postgres;

/// <summary>
/// Appends to the message log on PostgreSQL: a batch of rows goes in as one <c>INSERT … SELECT FROM unnest(…)</c>,
/// sent with the head's update in one round trip.
/// </summary>
internal sealed class PostgresMessageLogStore(StorageDatabase database) : MessageLogStore(database)
{
    private readonly string _insertSql =
        $"""
        {InsertRowsSql(database.Names)}
        SELECT * FROM unnest(@seq::bigint[], @occurred_at::timestamptz[], @system::text[], @outcome::text[], @message_id::text[],
            @contract::text[], @version::integer[], @source::text[], @destination::text[], @correlation_id::text[],
            @trace_parent::text[], @reason::text[], @attempts::integer[], @payload_hash::bytea[], @payload_logged::boolean[],
            @payload::bytea[], @prev_hash::bytea[], @hash::bytea[], @request_hash::text[])
        """;

    protected override async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<MessageLogEntry> rows, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
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
        insert.Parameters.Add(BytesArray("payload_hash", rows.Select(r => Convert.FromHexString(r.PayloadHash))));
        insert.Parameters.Add(new NpgsqlParameter<bool[]>("payload_logged", [.. rows.Select(r => r.PayloadLogged)]));
        insert.Parameters.Add(BytesArray("payload", rows.Select(PayloadBytes)));
        insert.Parameters.Add(BytesArray("prev_hash", rows.Select(r => Convert.FromHexString(r.PreviousHash))));
        insert.Parameters.Add(BytesArray("hash", rows.Select(r => Convert.FromHexString(r.Hash))));
        insert.Parameters.Add(TextArray("request_hash", rows.Select(r => r.RequestHash)));
        batch.BatchCommands.Add(insert);

        var update = new NpgsqlBatchCommand(UpdateHeadSql);
        update.Parameters.Add(new NpgsqlParameter<long>("seq", rows[^1].Sequence));
        update.Parameters.Add(new NpgsqlParameter<byte[]>("hash", Convert.FromHexString(rows[^1].Hash)));
        batch.BatchCommands.Add(update);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };

    private static NpgsqlParameter BytesArray(string name, IEnumerable<byte[]?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}
