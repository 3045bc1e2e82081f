using System.Data.Common;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using QazBus.Storage.Database;

namespace QazBus.Storage.MessageLog;

/// <summary>
/// The message log table: appends rows to the hash chain (one appender at a time per database: the chain head is
/// locked), and reads them back for verification and search.
/// </summary>
internal abstract class MessageLogStore(StorageDatabase database)
{
    private const string Columns =
        "seq, occurred_at, system, outcome, message_id, contract, version, source, destination, correlation_id, trace_parent, reason, attempts, payload_hash, payload_logged, payload, prev_hash, hash, request_hash";

    protected StorageDatabase Database { get; } = database;

    /// <summary>The start of the insert of rows, every column in <see cref="ReadRow"/>'s order; the dialect's store adds how the values come.</summary>
    protected static string InsertRowsSql(StorageNames names) => $"INSERT INTO {names.MessageLog} ({Columns})";

    /// <summary>Moves the chain head to the last row appended: <c>@seq</c>, <c>@hash</c>.</summary>
    protected string UpdateHeadSql { get; } = $"UPDATE {database.Names.MessageLogHead} SET seq = @seq, hash = @hash WHERE id = 1";

    private string HeadSql { get; } = $"SELECT seq, hash FROM {database.Names.MessageLogHead} WHERE id = 1";

    /// <summary>
    /// Chains <paramref name="rows"/> after the current head (their sequence and hashes are set here) and stores them
    /// in one transaction. The head row is read for update, so appenders in every process take turns.
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<MessageLogEntry> rows, CancellationToken cancellationToken)
    {
        var connection = await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var (sequence, hash) = await ReadHeadAsync(connection, transaction, HeadSql + Database.Dialect.ForUpdate, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The message log's chain head ({Database.Names.MessageLogHead}) is missing: the log cannot be appended to.");
                var chained = new List<MessageLogEntry>(rows.Count);
                foreach (var row in rows)
                {
                    var linked = row with { Sequence = ++sequence, PreviousHash = hash };
                    hash = MessageLogHash.Compute(linked);
                    chained.Add(linked with { Hash = hash });
                }

                await WriteAsync(connection, transaction, chained, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Inserts the chained <paramref name="rows"/> and moves the head to the last (<see cref="UpdateHeadSql"/>), in <paramref name="transaction"/>.</summary>
    protected abstract Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<MessageLogEntry> rows, CancellationToken cancellationToken);

    /// <summary>The payload as the bytes a column takes, without a copy when it wraps a whole array.</summary>
    protected static byte[]? PayloadBytes(MessageLogEntry row) => row.Payload is not { } payload
        ? null
        : MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array : payload.ToArray();

    /// <summary>Checks every row against the chain, and the chain's end against its head, in one consistent snapshot.</summary>
    public async Task<MessageLogVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var names = Database.Names;
        var connection = await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await Database.Dialect.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (await ReadHeadAsync(connection, transaction, HeadSql, cancellationToken).ConfigureAwait(false) is not { } head)
                {
                    return Bad(0, 0, 1, $"the chain head ({names.MessageLogHead}) is missing");
                }

                var (headSequence, headHash) = head;

                var expected = 1L;
                var previous = MessageLogHash.Genesis;
                var checkedRows = 0L;
                await using (var rows = connection.Command(transaction, $"SELECT {Columns} FROM {names.MessageLog} ORDER BY seq"))
                await using (var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var row = ReadRow(reader);
                        if (row.Sequence != expected)
                        {
                            var missing = row.Sequence - 1 == expected ? $"row {expected} is" : $"rows {expected} to {row.Sequence - 1} are";
                            return Bad(checkedRows, headSequence, expected, $"{missing} missing (deleted): the chain jumps from {expected - 1} to {row.Sequence}");
                        }

                        if (!string.Equals(row.PreviousHash, previous, StringComparison.Ordinal))
                        {
                            return Bad(checkedRows, headSequence, row.Sequence,
                                $"row {row.Sequence} does not follow row {row.Sequence - 1}: its previous hash differs (row {row.Sequence - 1} was replaced, or this one was)");
                        }

                        if (row.PayloadLogged != row.Payload is not null)
                        {
                            return Bad(checkedRows, headSequence, row.Sequence, $"row {row.Sequence} was altered: its payload was {(row.Payload is null ? "removed" : "added")}");
                        }

                        if (row.Payload is { } payload && !string.Equals(Convert.ToHexStringLower(SHA256.HashData(payload.Span)), row.PayloadHash, StringComparison.Ordinal))
                        {
                            return Bad(checkedRows, headSequence, row.Sequence, $"row {row.Sequence} was altered: its payload does not match its payload hash");
                        }

                        if (!string.Equals(MessageLogHash.Compute(row), row.Hash, StringComparison.Ordinal))
                        {
                            return Bad(checkedRows, headSequence, row.Sequence, $"row {row.Sequence} was altered: its content does not match its hash");
                        }

                        previous = row.Hash;
                        checkedRows++;
                        expected++;
                    }
                }

                if (headSequence != expected - 1 || !string.Equals(headHash, previous, StringComparison.Ordinal))
                {
                    return headSequence > expected - 1
                        ? Bad(checkedRows, headSequence, expected, $"rows {expected} to {headSequence} are missing (deleted from the end): the head records {headSequence} rows, the table ends at {expected - 1}")
                        : Bad(checkedRows, headSequence, headSequence + 1, $"the chain head records row {headSequence} but the table ends at {expected - 1} with another hash: the head or the last rows were altered");
                }

                return new MessageLogVerification { IsIntact = true, RowsChecked = checkedRows, HeadSequence = headSequence };
            }
        }
    }

    /// <summary>The latest rows matching <paramref name="query"/>, oldest first.</summary>
    public async Task<IReadOnlyList<MessageLogEntry>> FindAsync(MessageLogQuery query, CancellationToken cancellationToken)
    {
        var connection = await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                var where = new List<string>();
                if (query.MessageId is not null)
                {
                    where.Add("message_id = @message_id");
                    command.AddText("message_id", query.MessageId);
                }

                if (query.CorrelationId is not null)
                {
                    where.Add("correlation_id = @correlation_id");
                    command.AddText("correlation_id", query.CorrelationId);
                }

                if (query.Contract is not null)
                {
                    where.Add("contract = @contract");
                    command.AddText("contract", query.Contract);
                }

                if (query.From is { } from)
                {
                    where.Add("occurred_at >= @from");
                    Database.Dialect.AddTime(command, "from", from);
                }

                if (query.To is { } to)
                {
                    where.Add("occurred_at < @to");
                    Database.Dialect.AddTime(command, "to", to);
                }

                var sql = new StringBuilder($"SELECT {Columns} FROM {Database.Names.MessageLog}");
                if (where.Count > 0)
                {
                    sql.Append(" WHERE ").AppendJoin(" AND ", where);
                }

                sql.Append(" ORDER BY seq DESC LIMIT @limit");
                command.AddInt32("limit", Math.Max(1, query.Limit));
#pragma warning disable CA2100 // Built from fixed fragments; values are parameters.
                command.CommandText = sql.ToString();
#pragma warning restore CA2100
                var found = new List<MessageLogEntry>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    found.Add(ReadRow(reader));
                }

                found.Reverse();
                return found;
            }
        }
    }

    // The head is null only where someone deleted it: the schema script creates it with the table.
    private static async Task<(long Sequence, string Hash)?> ReadHeadAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var head = connection.Command(transaction, sql);
        await using (head.ConfigureAwait(false))
        {
            var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? (reader.GetInt64(0), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(1)))
                    : null;
            }
        }
    }

    private MessageLogEntry ReadRow(DbDataReader reader) => new()
    {
        Sequence = reader.GetInt64(0),
        Time = Database.Dialect.ReadTime(reader, 1),
        System = reader.GetString(2),
        Outcome = reader.GetString(3),
        MessageId = reader.GetNullableString(4),
        Contract = reader.GetNullableString(5),
        Version = reader.GetNullableInt32(6),
        Source = reader.GetNullableString(7),
        Destination = reader.GetString(8),
        CorrelationId = reader.GetNullableString(9),
        TraceParent = reader.GetNullableString(10),
        Reason = reader.GetNullableString(11),
        Attempts = reader.GetInt32(12),
        PayloadHash = Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(13)),
        PayloadLogged = reader.GetBoolean(14),
        Payload = reader.IsDBNull(15) ? (ReadOnlyMemory<byte>?)null : reader.GetFieldValue<byte[]>(15), // a bare null would convert to an empty payload
        PreviousHash = Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(16)),
        Hash = Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(17)),
        RequestHash = reader.GetNullableString(18),
    };

    private static MessageLogVerification Bad(long rowsChecked, long headSequence, long sequence, string problem) => new()
    {
        IsIntact = false,
        RowsChecked = rowsChecked,
        HeadSequence = headSequence,
        FirstBadSequence = sequence,
        Problem = problem,
    };
}
