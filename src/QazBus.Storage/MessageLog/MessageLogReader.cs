using System.Data.Common;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Storage.MessageLog;

/// <summary>
/// Reads the message log: verifies its hash chain and finds rows by message id, correlation id, or contract and
/// time range. Resolve it from DI in a host with <c>AddStorage()</c>, or create one from options in a tool.
/// </summary>
/// <example>
/// <code>
/// await using var log = new MessageLogReader(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = cs, Schema = "qazbus" });
/// var check = await log.VerifyAsync();
/// if (!check.IsIntact) Console.WriteLine($"row {check.FirstBadSequence}: {check.Problem}");
/// foreach (var row in await log.FindAsync(new MessageLogQuery { CorrelationId = "APP-2026-0042" })) Console.WriteLine(row);
/// </code>
/// </example>
public sealed class MessageLogReader : IAsyncDisposable
{
    private readonly StorageDatabase _database;
    private readonly MessageLogStore _store;
    private readonly bool _ownsDatabase;

    /// <summary>Opens the message log of the storage <paramref name="options"/> describe (for tools such as <c>qazbus log</c>).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public MessageLogReader(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        StorageDatabase.ThrowIfInvalid(options);
        _database = new StorageDatabase(ReadOnly(options));
        _store = _database.Dialect.CreateMessageLogStore(_database);
        _ownsDatabase = true;
    }

    internal MessageLogReader(StorageDatabase database, MessageLogStore store)
    {
        _database = database;
        _store = store;
    }

    /// <summary>
    /// Checks every row of the chain: none missing, none altered (content, payload, or order), and the chain ends
    /// where its head says. Reports the first bad row.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database has no message log.</exception>
    public Task<MessageLogVerification> VerifyAsync(CancellationToken cancellationToken = default) =>
        WithClearErrorsAsync(() => _store.VerifyAsync(cancellationToken));

    /// <summary>The latest rows (up to <see cref="MessageLogQuery.Limit"/>) that match every criterion set, oldest first.</summary>
    /// <exception cref="InvalidOperationException">The database has no message log.</exception>
    public Task<IReadOnlyList<MessageLogEntry>> FindAsync(MessageLogQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return WithClearErrorsAsync(() => _store.FindAsync(query, cancellationToken));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDatabase)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A tool reads: opening a SQLite file read-only never creates one where a path was mistyped.
    private static StorageOptions ReadOnly(StorageOptions options) => new()
    {
        Provider = options.Provider,
        ConnectionString = options.Dialect.ReadOnly(options.EffectiveConnectionString),
        Schema = options.Schema,
        TablePrefix = options.TablePrefix,
    };

    private async Task<T> WithClearErrorsAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (DbException ex) when (_database.Dialect.IsMissingTable(ex))
        {
            throw new InvalidOperationException(
                $"There is no QazBus message log ({_database.Names.MessageLog}) in this database: check {StorageOptions.SectionName}:Provider, ConnectionString, Schema and TablePrefix.",
                ex);
        }
    }
}
