using System.Data.Common;
using QazBus.Storage.Configuration;

namespace QazBus.Storage.Database;

/// <summary>
/// The storage database of a system (<c>QazBus:Storage</c>): one bounded connection pool per process, shared by the
/// outbox, the inbox, the message log and business code. A business change that enqueues a message opens its
/// connection here, so its transaction is on the outbox's database and both commit together.
/// Resolve it from DI in a host with <c>AddStorage()</c>; the host owns it.
/// </summary>
/// <example>
/// <code>
/// await using var connection = await database.OpenConnectionAsync(ct);
/// await using var transaction = await connection.BeginTransactionAsync(ct);
/// // insert into {database.Table("citizens")} … in transaction
/// await outbox.EnqueueAsync(transaction, new CitizenRegisteredV2 { … }, cancellationToken: ct);
/// await transaction.CommitAsync(ct);
/// </code>
/// </example>
public sealed class StorageDatabase : IDisposable, IAsyncDisposable
{
    private readonly DbDataSource _dataSource;

    /// <param name="options">The storage settings, validated.</param>
    /// <param name="maxConnections">The pool's bound where the dialect bounds it (see <see cref="ConnectionBudget"/>); null keeps the connection string's.</param>
    internal StorageDatabase(StorageOptions options, int? maxConnections = null)
    {
        Options = options;
        Dialect = StorageDialect.For(options.Provider);
        Names = new StorageNames(Dialect, options.Schema, options.TablePrefix);
        _dataSource = Dialect.CreateDataSource(options.EffectiveConnectionString, maxConnections);
    }

    /// <summary>What differs between the databases, for business SQL that must run on both.</summary>
    public StorageDialect Dialect { get; }

    /// <summary>Where the database is (host and database, or file), for logs and headers; never the password.</summary>
    public string Description => Dialect.Describe(Options.EffectiveConnectionString);

    internal StorageOptions Options { get; }

    internal StorageNames Names { get; }

    /// <summary>
    /// Opens a database for a tool outside a host (a pool of its own; dispose it when done), from settings
    /// validated as a host would.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public static StorageDatabase Open(StorageOptions options)
    {
        ThrowIfInvalid(options);
        return new StorageDatabase(options);
    }

    /// <summary>Validates <paramref name="options"/> as a host would at start-up.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    internal static void ThrowIfInvalid(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new StorageOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException(result.FailureMessage, nameof(options));
        }
    }

    /// <summary>Opens a pooled connection to the storage database; dispose it to give it back.</summary>
    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The SQL name of a business table next to the storage tables: <c>{schema}.{name}</c> on PostgreSQL (the schema of
    /// <c>QazBus:Storage:Schema</c>, created by the storage at start-up), <c>{name}</c> on SQLite.
    /// </summary>
    /// <param name="name">A plain lowercase identifier (it goes into SQL unquoted), for example <c>citizens</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a plain lowercase identifier.</exception>
    public string Table(string name)
    {
        if (!StorageNames.IsIdentifier(name))
        {
            throw new ArgumentException($"'{name}' is not a plain lowercase identifier (a-z, 0-9, '_', not starting with a digit).", nameof(name));
        }

        return Dialect.Qualify(Options.Schema, name);
    }

    /// <summary>Closes the pool. The host does this when it stops; business code never does.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => _dataSource.Dispose();
}
