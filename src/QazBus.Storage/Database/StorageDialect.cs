using System.Data.Common;
using Microsoft.Extensions.Logging;
using QazBus.Storage.Configuration;
using QazBus.Storage.MessageLog;
using QazBus.Storage.Outbox;
using QazBus.Storage.Postgres;
using QazBus.Storage.Schema;
using QazBus.Storage.Sqlite;

namespace QazBus.Storage.Database;

/// <summary>
/// Everything that differs between the databases QazBus storage runs on, in one object per database: how
/// connections are pooled, the SQL text that differs, the schema scripts, how errors are recognised, and how rows
/// are locked or leased. The rest of the storage, and business code sharing its database, ask the dialect instead
/// of checking <see cref="StorageOptions.Provider"/>.
/// </summary>
/// <remarks>Business code reaches it through <see cref="StorageDatabase.Dialect"/>, for the few words of its own SQL that differ.</remarks>
public abstract class StorageDialect
{
    private readonly Lazy<IReadOnlyList<SchemaScript>> _scripts;

    private protected StorageDialect() => _scripts = new(() => SchemaScript.Load(ScriptFolder));

    /// <summary>The database this dialect speaks.</summary>
    public abstract StorageProvider Provider { get; }

    /// <summary>The column type of a date without time: <c>date</c> on PostgreSQL, <c>TEXT</c> (ISO-8601) on SQLite.</summary>
    public abstract string DateType { get; }

    /// <summary>The column type of a point in time: <c>timestamptz</c> on PostgreSQL, <c>TEXT</c> (ISO-8601) on SQLite.</summary>
    public abstract string TimeType { get; }

    /// <summary>
    /// What ends a <c>SELECT</c> whose rows the transaction is about to change: <c>" FOR UPDATE"</c> on PostgreSQL, so
    /// a concurrent transaction waits; empty on SQLite, where a write transaction holds the database's one write lock already.
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>The scripts that create and upgrade the storage tables, oldest first.</summary>
    internal IReadOnlyList<SchemaScript> Scripts => _scripts.Value;

    /// <summary>The connection string used when none is configured; null when one is required.</summary>
    internal abstract string? DefaultConnectionString { get; }

    /// <summary>True when connections are a resource shared with other processes, so the pool is bounded (see <see cref="ConnectionBudget"/>).</summary>
    internal abstract bool BoundsConnections { get; }

    /// <summary>The name of the row's physical address, for deleting rows of a table without a single-column key.</summary>
    internal abstract string RowId { get; }

    /// <summary>True when the database wakes the relay itself once an enqueueing transaction commits (PostgreSQL NOTIFY).</summary>
    internal abstract bool NotifiesOnCommit { get; }

    /// <summary>The folder (and resource prefix) of this database's schema scripts.</summary>
    private protected abstract string ScriptFolder { get; }

    /// <summary>The dialect of <paramref name="provider"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="provider"/> is not a defined provider.</exception>
    public static StorageDialect For(StorageProvider provider) => provider switch
    {
        StorageProvider.Postgres => PostgresDialect.Instance,
        StorageProvider.Sqlite => SqliteDialect.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, $"{StorageOptions.SectionName}:Provider must be Sqlite or Postgres."),
    };

    /// <summary>
    /// The database a connection string is written for, where nothing else says (a tool given only a connection
    /// string): PostgreSQL when it names a server, else SQLite.
    /// </summary>
    public static StorageProvider ProviderOf(string connectionString) =>
        PostgresDialect.Recognises(connectionString) ? StorageProvider.Postgres : StorageProvider.Sqlite;

    /// <summary>Both databases keep microseconds: times are cut to them before they are stored or hashed, so a stored time compares equal to itself read back.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % 10), TimeSpan.Zero);
    }

    /// <summary>The pool connections come from. <paramref name="maxConnections"/> bounds it where <see cref="BoundsConnections"/>; null keeps the connection string's.</summary>
    internal abstract DbDataSource CreateDataSource(string connectionString, int? maxConnections);

    /// <summary>The connection string for a tool that only reads: never creates a database where a path was mistyped.</summary>
    internal abstract string ReadOnly(string connectionString);

    /// <summary>Where the database is, for people: never the password.</summary>
    internal abstract string Describe(string connectionString);

    /// <summary>Adds the failures of the settings only this database has (connection string, schema), each naming its key.</summary>
    internal abstract void Validate(StorageOptions options, List<string> failures);

    /// <summary>The pool bound the connection string sets, null when it keeps the driver's default.</summary>
    internal abstract int? PoolSize(string connectionString);

    /// <summary>True when <paramref name="transaction"/> is a transaction on this kind of database (an outbox row must go to it).</summary>
    internal abstract bool Accepts(DbTransaction transaction);

    /// <summary>A table's name as SQL text: qualified with the schema where the database has schemas.</summary>
    internal abstract string Qualify(string schema, string table);

    /// <summary>How a parameter holding JSON text is written where the column is JSON (PostgreSQL casts it to jsonb).</summary>
    internal abstract string JsonParameter(string parameter);

    /// <summary>Adds a time parameter in the database's time type (timestamptz; fixed-width ISO-8601 text on SQLite).</summary>
    internal abstract DbParameter AddTime(DbCommand command, string name, DateTimeOffset? value);

    /// <summary>Reads a time column written through <see cref="AddTime"/>.</summary>
    internal abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>Prepares a statement the storage runs all day, where preparing saves work (PostgreSQL).</summary>
    internal virtual Task PrepareAsync(DbCommand command, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when the exception says a storage table does not exist (the schema was never created).</summary>
    internal abstract bool IsMissingTable(DbException exception);

    /// <summary>A read transaction that sees one snapshot for all its statements and blocks no writer.</summary>
    internal abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The statement that creates the schema the tables live in; null where the database has no schemas.</summary>
    internal abstract string? CreateSchemaSql(string schema);

    /// <summary>The table that records which schema scripts ran.</summary>
    internal abstract string VersionTableSql(StorageNames names);

    /// <summary>A count of the tables named <paramref name="table"/> (unqualified) in the storage's schema: 0 or 1.</summary>
    internal abstract string TableExistsSql(StorageNames names, string table);

    /// <summary>
    /// Starts a migration on <paramref name="connection"/>, in <paramref name="transaction"/>: serialises it against
    /// other processes migrating the same tables, and creates the schema when <paramref name="create"/>.
    /// </summary>
    internal abstract Task BeginMigrationAsync(DbConnection connection, DbTransaction transaction, StorageNames names, bool create, CancellationToken cancellationToken);

    /// <summary>What the database needs on the connection before the migration's transaction (SQLite: WAL).</summary>
    internal virtual Task PrepareMigrationAsync(DbConnection connection, bool create, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Wakes the relay when enqueueing transactions commit, until stopped; where <see cref="NotifiesOnCommit"/> is false, there is nothing to watch.</summary>
    internal virtual Task WatchOutboxAsync(StorageDatabase database, OutboxSignal signal, ILogger logger, CancellationToken stoppingToken) => Task.CompletedTask;

    /// <summary>The outbox table with this database's way of keeping a claimed row from a second relay.</summary>
    internal abstract OutboxStore CreateOutboxStore(StorageDatabase database, TimeProvider time);

    /// <summary>The message log table with this database's way of appending a batch of rows.</summary>
    internal abstract MessageLogStore CreateMessageLogStore(StorageDatabase database);
}
