using System.Data.Common;
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
    protected const string Columns =
        "seq, occurred_at, system, outcome, message_id, contract, version, source, destination, correlation_id, trace_parent, reason, attempts, payload_hash, payload_logged, payload, prev_hash, hash";

    protected StorageDatabase Database { get; } = database;

    /// <summary>Chains <paramref name="rows"/> after the current head (setting their sequence and hashes) and stores them in one transaction.</summary>
    public abstract Task AppendAsync(IReadOnlyList<MessageLogRow> rows, CancellationToken cancellationToken);

    /// <summary>Gives each row its sequence number and hash, continuing from the head.</summary>
    protected static (long Sequence, byte[] Hash) Chain(IReadOnlyList<MessageLogRow> rows, long headSequence, byte[] headHash)
    {
        var sequence = headSequence;
        var previous = headHash;
        foreach (var row in rows)
        {
            row.Sequence = ++sequence;
            row.PreviousHash = previous;
            row.Hash = MessageLogHash.Compute(row, previous);
            previous = row.Hash;
        }

        return (sequence, previous);
    }

    /// <summary>Checks every row against the chain, and the chain's end against its head, in one consistent snapshot.</summary>
    public async Task<MessageLogVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var names = Database.Names;
        var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                long headSequence;
                byte[] headHash;
                await using (var head = Command(connection, transaction, $"SELECT seq, hash FROM {names.MessageLogHead} WHERE id = 1"))
                await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return Bad(0, 0, 1, $"the chain head ({names.MessageLogHead}) is missing");
                    }

                    headSequence = reader.GetInt64(0);
                    headHash = reader.GetFieldValue<byte[]>(1);
                }

                var expected = 1L;
                var previous = MessageLogHash.Genesis;
                var checkedRows = 0L;
                await using (var rows = Command(connection, transaction, $"SELECT {Columns} FROM {names.MessageLog} ORDER BY seq"))
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

                        if (!row.PreviousHash.AsSpan().SequenceEqual(previous))
                        {
                            return Bad(checkedRows, headSequence, row.Sequence,
                                $"row {row.Sequence} does not follow row {row.Sequence - 1}: its previous hash differs (row {row.Sequence - 1} was replaced, or this one was)");
                        }

                        if (row.PayloadLogged != row.Payload is not null)
                        {
                            return Bad(checkedRows, headSequence, row.Sequence, $"row {row.Sequence} was altered: its payload was {(row.Payload is null ? "removed" : "added")}");
                        }

                        if (row.Payload is not null && !SHA256.HashData(row.Payload).AsSpan().SequenceEqual(row.PayloadHash))
                        {
                            return Bad(checkedRows, headSequence, row.Sequence, $"row {row.Sequence} was altered: its payload does not match its payload hash");
                        }

                        if (!MessageLogHash.Compute(row, previous).AsSpan().SequenceEqual(row.Hash))
                        {
                            return Bad(checkedRows, headSequence, row.Sequence, $"row {row.Sequence} was altered: its content does not match its hash");
                        }

                        previous = row.Hash;
                        checkedRows++;
                        expected++;
                    }
                }

                if (headSequence != expected - 1 || !headHash.AsSpan().SequenceEqual(previous))
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
        var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
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
                    Database.AddTime(command, "from", from);
                }

                if (query.To is { } to)
                {
                    where.Add("occurred_at < @to");
                    Database.AddTime(command, "to", to);
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
                    found.Add(ReadRow(reader).ToEntry());
                }

                found.Reverse();
                return found;
            }
        }
    }

    /// <summary>A read transaction that sees one snapshot for all its statements.</summary>
    protected abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Table names are validated identifiers; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    private MessageLogRow ReadRow(DbDataReader reader) => new()
    {
        Sequence = reader.GetInt64(0),
        Time = Database.ReadTime(reader, 1),
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
        PayloadHash = reader.GetFieldValue<byte[]>(13),
        PayloadLogged = reader.GetBoolean(14),
        Payload = reader.GetNullableBytes(15),
        PreviousHash = reader.GetFieldValue<byte[]>(16),
        Hash = reader.GetFieldValue<byte[]>(17),
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
