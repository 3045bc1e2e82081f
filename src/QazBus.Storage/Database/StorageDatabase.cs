using System.Data.Common;
using QazBus.Storage.Configuration;
using QazBus.Storage.Postgres;
using QazBus.Storage.Sqlite;

namespace QazBus.Storage.Database;

/// <summary>
/// One storage database: opens connections and knows the few things that differ between PostgreSQL and SQLite
/// (how times are stored, which transactions belong to it). Each feature's store writes its own SQL.
/// </summary>
internal abstract class StorageDatabase : IAsyncDisposable
{
    protected StorageDatabase(StorageOptions options)
    {
        Options = options;
        Names = new StorageNames(options.Provider, options.Schema, options.TablePrefix);
    }

    public StorageOptions Options { get; }

    public StorageNames Names { get; }

    public abstract StorageProvider Provider { get; }

    /// <param name="options">The storage settings.</param>
    /// <param name="maxConnections">PostgreSQL: the pool's bound (see <see cref="ConnectionBudget"/>); null keeps the connection string's.</param>
    public static StorageDatabase Create(StorageOptions options, int? maxConnections = null) => options.Provider switch
    {
        StorageProvider.Postgres => new PostgresDatabase(options, maxConnections),
        _ => new SqliteDatabase(options),
    };

    /// <summary>Opens a pooled connection.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>True when <paramref name="transaction"/> is of this provider (an outbox row must go to this database).</summary>
    public abstract bool Accepts(DbTransaction transaction);

    /// <summary>Adds a time parameter in the provider's time type (timestamptz; fixed-width ISO-8601 text on SQLite).</summary>
    public abstract DbParameter AddTime(DbCommand command, string name, DateTimeOffset? value);

    /// <summary>Reads a time column written through <see cref="AddTime"/>.</summary>
    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>True when the exception says a storage table does not exist (the schema was never created).</summary>
    public abstract bool IsMissingTable(DbException exception);

    public abstract ValueTask DisposeAsync();

    /// <summary>Both databases keep microseconds: times are cut to them before they are stored or hashed.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % 10), TimeSpan.Zero);
    }
}
