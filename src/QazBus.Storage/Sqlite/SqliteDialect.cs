using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;
using QazBus.Storage.Outbox;
using QazBus.Storage.Schema;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// SQLite in one file through Microsoft.Data.Sqlite (pooled connections). Writers take the database's write lock
/// one at a time (<c>BEGIN IMMEDIATE</c>) and wait up to the command timeout when it is busy; readers never wait
/// (WAL). No schemas, no row locks: a relay leases rows instead.
/// </summary>
internal sealed class SqliteDialect : StorageDialect
{
    public static readonly SqliteDialect Instance = new();

    // Fixed width, UTC, microseconds: sorts as text in time order and stays readable in any SQLite tool.
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private SqliteDialect()
    {
    }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override string DateType => "TEXT";

    public override string TimeType => "TEXT";

    public override string ForUpdate => string.Empty;

    internal override string? DefaultConnectionString => "Data Source=qazbus.db";

    // One process, one file: no server whose connections other processes share.
    internal override bool BoundsConnections => false;

    internal override string RowId => "rowid";

    internal override bool NotifiesOnCommit => false;

    private protected override string ScriptFolder => "Sqlite";

    internal override DbDataSource CreateDataSource(string connectionString, int? maxConnections) =>
        new SqliteDataSource(new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ConnectionString);

    internal override string ReadOnly(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey("Mode") || builder.Mode == SqliteOpenMode.ReadWriteCreate)
        {
            builder.Mode = SqliteOpenMode.ReadOnly;
        }

        return builder.ConnectionString;
    }

    internal override string Describe(string connectionString) => $"SQLite file {new SqliteConnectionStringBuilder(connectionString).DataSource}";

    internal override void Validate(StorageOptions options, List<string> failures)
    {
        try
        {
            var builder = new SqliteConnectionStringBuilder(options.EffectiveConnectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                failures.Add($"{StorageOptions.SectionName}:ConnectionString: needs a Data Source (the database file), for example 'Data Source=registry.db'.");
            }
            else if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
            {
                failures.Add($"{StorageOptions.SectionName}:ConnectionString: an in-memory SQLite database is not supported: the outbox must survive the process. Use a file, for example 'Data Source=registry.db'.");
            }
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{StorageOptions.SectionName}:ConnectionString: is not a valid SQLite connection string ({ex.Message}).");
        }
    }

    internal override int? PoolSize(string connectionString) => null;

    internal override bool Accepts(DbTransaction transaction) => transaction is SqliteTransaction;

    internal override string Qualify(string schema, string table) => table;

    internal override string JsonParameter(string parameter) => parameter;

    internal override DbParameter AddTime(DbCommand command, string name, DateTimeOffset? value) =>
        command.Add(name, value is { } time ? Format(time) : null, DbType.String);

    internal override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.ParseExact(reader.GetString(ordinal), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    // SQLITE_ERROR "no such table", or SQLITE_CANTOPEN: a tool opens read-only, so a missing file has no tables either.
    internal override bool IsMissingTable(DbException exception) =>
        (exception is SqliteException { SqliteErrorCode: 1 } && exception.Message.Contains("no such table", StringComparison.Ordinal))
        || exception is SqliteException { SqliteErrorCode: 14 };

    // A deferred transaction: its first read fixes the snapshot (WAL), and it takes no write lock.
    internal override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    internal override string? CreateSchemaSql(string schema) => null;

    internal override string VersionTableSql(StorageNames names) =>
        $"CREATE TABLE IF NOT EXISTS {names.SchemaVersion} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));";

    internal override string TableExistsSql(StorageNames names, string table) =>
        $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'";

    // The migration's transaction began IMMEDIATE: it holds the write lock, which serialises starters already.
    // SQLite has no ADD COLUMN IF NOT EXISTS, so the scripts stay idempotent by creating the message log with its
    // schema-2 column (request_hash); a log created by schema 1 gets the column here, before the scripts run.
    internal override async Task BeginMigrationAsync(DbConnection connection, DbTransaction transaction, StorageNames names, bool create, CancellationToken cancellationToken)
    {
        if (!create)
        {
            return;
        }

        var table = names.MessageLog;
        var hasTable = Convert.ToInt64(await connection.ScalarAsync(transaction, TableExistsSql(names, table), cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        var hasColumn = hasTable && Convert.ToInt64(await connection.ScalarAsync(transaction,
            $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = 'request_hash'", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        if (hasTable && !hasColumn)
        {
            await connection.ExecuteAsync(transaction, $"ALTER TABLE {table} ADD COLUMN request_hash TEXT NULL;", cancellationToken).ConfigureAwait(false);
        }
    }

    // WAL: readers (the relay looking for rows) never wait for a writer. The setting stays in the file.
    internal override Task PrepareMigrationAsync(DbConnection connection, bool create, CancellationToken cancellationToken) =>
        create ? connection.ExecuteAsync(null, "PRAGMA journal_mode=WAL;", cancellationToken) : Task.CompletedTask;

    internal override OutboxStore CreateOutboxStore(StorageDatabase database, TimeProvider time) => new SqliteOutboxStore(database, time);

    internal override MessageLogStore CreateMessageLogStore(StorageDatabase database) => new SqliteMessageLogStore(database);

    private static string Format(DateTimeOffset time) => ToMicroseconds(time).UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
}
