using System.Data.Common;
using QazBus.Storage.Database;
using QazBus.Storage.Retention;

namespace QazBus.Storage.Outbox;

/// <summary>
/// The outbox table of one database: inserts in the caller's transaction, and claims rows for a relay such that
/// two relays never hold the same row, nor two rows of one ordering key at once.
/// </summary>
internal abstract class OutboxStore(StorageDatabase database, TimeProvider time)
{
    /// <summary>The columns a claim reads, in <see cref="ReadMessage"/>'s order.</summary>
    protected const string Columns =
        "id, message_id, contract, version, ordering_key, body, headers, content_type, correlation_id, message_type, app_id, message_time, trace_parent, attempts";

    private string? _insertSql;

    protected StorageDatabase Database { get; } = database;

    protected TimeProvider Time { get; } = time;

    /// <summary>The longest text kept in <c>last_error</c>.</summary>
    protected const int MaxErrorLength = 2000;

    /// <summary>Inserts <paramref name="message"/> within the caller's transaction.</summary>
    public async Task InsertAsync(DbTransaction transaction, OutboxMessage message, CancellationToken cancellationToken)
    {
        var command = transaction.Connection!.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
#pragma warning disable CA2100 // Table names are validated identifiers; values are parameters.
            command.CommandText = _insertSql ??=
                $"INSERT INTO {Database.Names.Outbox} (message_id, contract, version, ordering_key, body, headers, content_type, correlation_id, message_type, app_id, message_time, trace_parent, created_at) " +
                $"VALUES (@message_id, @contract, @version, @ordering_key, @body, {Database.Dialect.JsonParameter("@headers")}, @content_type, @correlation_id, @message_type, @app_id, @message_time, @trace_parent, @created_at)";
#pragma warning restore CA2100
            command.AddText("message_id", message.MessageId);
            command.AddText("contract", message.Contract);
            command.AddInt32("version", message.Version);
            command.AddText("ordering_key", message.OrderingKey);
            command.AddBytes("body", message.Body);
            command.AddText("headers", message.Headers);
            command.AddText("content_type", message.ContentType);
            command.AddText("correlation_id", message.CorrelationId);
            command.AddText("message_type", message.MessageType);
            command.AddText("app_id", message.AppId);
            command.AddText("message_time", message.MessageTime);
            command.AddText("trace_parent", message.TraceParent);
            Database.Dialect.AddTime(command, "created_at", Time.GetUtcNow());
            await Database.Dialect.PrepareAsync(command, cancellationToken).ConfigureAwait(false);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims up to <paramref name="batchSize"/> unsent rows, oldest first. Dispose the claim to let go of what was not completed.</summary>
    public abstract Task<OutboxClaim> ClaimAsync(int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> rows sent before <paramref name="cutoff"/>, oldest first; returns how many.</summary>
    public Task<int> DeleteSentAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        ExpiredRows.DeleteAsync(Database, Database.Names.Outbox, "id", "sent_at IS NOT NULL AND sent_at < @cutoff ORDER BY sent_at", cutoff, limit, cancellationToken);

    protected static OutboxMessage ReadMessage(DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        MessageId = reader.GetString(1),
        Contract = reader.GetString(2),
        Version = reader.GetInt32(3),
        OrderingKey = reader.GetNullableString(4),
        Body = reader.GetFieldValue<byte[]>(5),
        Headers = reader.GetString(6),
        ContentType = reader.GetNullableString(7),
        CorrelationId = reader.GetNullableString(8),
        MessageType = reader.GetNullableString(9),
        AppId = reader.GetNullableString(10),
        MessageTime = reader.GetNullableString(11),
        TraceParent = reader.GetNullableString(12),
        Attempts = reader.GetInt32(13),
    };

    /// <summary>When a row whose publish failed is tried again: 2, 4, 8 … seconds, at most 5 minutes.</summary>
    protected static DateTimeOffset RetryAt(DateTimeOffset now, int attempts) =>
        now + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Clamp(attempts, 1, 16))));

    protected static string Truncate(string error) => error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];
}

/// <summary>Rows one relay holds; complete it with each row's result, or dispose it to give them back.</summary>
internal abstract class OutboxClaim : IAsyncDisposable
{
    protected OutboxClaim(IReadOnlyList<OutboxMessage> messages) => Messages = messages;

    public IReadOnlyList<OutboxMessage> Messages { get; }

    /// <summary>
    /// Marks the sent rows sent (or deletes them when kept for no time), records failures, and lets go of the rest.
    /// </summary>
    /// <param name="results">One result per message, in <see cref="Messages"/>' order.</param>
    /// <param name="outage">
    /// Every publish failed: the broker is away. Failures are counted but rows are not held back one by one; the
    /// relay backs off as a whole.
    /// </param>
    /// <param name="cancellationToken">Cancels the update.</param>
    public abstract Task CompleteAsync(IReadOnlyList<PublishResult> results, bool outage, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>What happened to one claimed row.</summary>
internal readonly record struct PublishResult(PublishState State, string? Error = null)
{
    public static readonly PublishResult Sent = new(PublishState.Sent);

    public static readonly PublishResult Released = new(PublishState.Released);
}

/// <summary>The state of a claimed row after a publish attempt.</summary>
internal enum PublishState
{
    /// <summary>Not attempted (waiting behind a failed row of its ordering key, or the relay is stopping).</summary>
    Released,

    /// <summary>Confirmed by the broker.</summary>
    Sent,

    /// <summary>The publish failed; tried again later.</summary>
    Failed,
}

/// <summary>A claim of no rows.</summary>
internal sealed class EmptyClaim : OutboxClaim
{
    public static readonly EmptyClaim Instance = new();

    private EmptyClaim()
        : base([])
    {
    }

    public override Task CompleteAsync(IReadOnlyList<PublishResult> results, bool outage, CancellationToken cancellationToken) => Task.CompletedTask;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
