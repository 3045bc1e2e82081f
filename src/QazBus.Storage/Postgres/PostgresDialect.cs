using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;
using QazBus.Storage.Outbox;
using QazBus.Storage.Schema;

namespace QazBus.Storage.Postgres;

/// <summary>
/// PostgreSQL through one Npgsql data source per database: a bounded pool with automatic statement preparation,
/// tables in a schema, row locks (<c>FOR UPDATE</c>, <c>SKIP LOCKED</c>) and advisory locks, LISTEN/NOTIFY.
/// </summary>
internal sealed partial class PostgresDialect : StorageDialect
{
    public static readonly PostgresDialect Instance = new();

    private static readonly int NpgsqlDefaultPoolSize = new NpgsqlConnectionStringBuilder().MaxPoolSize;

    private PostgresDialect()
    {
    }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override string DateType => "date";

    public override string TimeType => "timestamptz";

    public override string ForUpdate => " FOR UPDATE";

    internal override string? DefaultConnectionString => null;

    internal override bool BoundsConnections => true;

    internal override string RowId => "ctid";

    internal override bool NotifiesOnCommit => true;

    private protected override string ScriptFolder => "Postgres";

    // Npgsql names the server with Host (or its alias Server); a SQLite connection string has a Data Source.
    internal static bool Recognises(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) || connectionString.Contains("Server=", StringComparison.OrdinalIgnoreCase);

    internal override DbDataSource CreateDataSource(string connectionString, int? maxConnections)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (maxConnections is { } max)
        {
            builder.MaxPoolSize = max;
            builder.MinPoolSize = Math.Min(builder.MinPoolSize, max);
        }

        // The relay, the inbox and the log run the same few statements all day: prepare them once per physical
        // connection (Npgsql keeps them across pooled opens), unless the connection string says otherwise.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        builder.ApplicationName ??= "qazbus";
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    // A server database is never created by opening it: nothing to guard.
    internal override string ReadOnly(string connectionString) => connectionString;

    internal override string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"PostgreSQL at {builder.Host}:{builder.Port}/{builder.Database}");
    }

    internal override void Validate(StorageOptions options, List<string> failures)
    {
        const string S = StorageOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{S}:ConnectionString is required when {S}:Provider is Postgres, for example 'Host=db;Database=registry;Username=registry;Password=…'.");
        }
        else if (!TryParse(options.ConnectionString))
        {
            // The connection string can hold a password: name the key, never echo the value.
            failures.Add($"{S}:ConnectionString is not a valid Npgsql connection string.");
        }

        if (!SchemaRegex().IsMatch(options.Schema ?? string.Empty))
        {
            failures.Add($"{S}:Schema '{options.Schema}' is invalid: use a lowercase identifier of a-z, 0-9 and '_' (at most 40 characters), for example 'qazbus'.");
        }
    }

    internal override int? PoolSize(string connectionString)
    {
        try
        {
            var pool = new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
            return pool == NpgsqlDefaultPoolSize ? null : pool;
        }
        catch (ArgumentException)
        {
            return null; // reported by the options validator, naming the key
        }
    }

    internal override bool Accepts(DbTransaction transaction) => transaction is NpgsqlTransaction;

    internal override string Qualify(string schema, string table) => $"{schema}.{table}";

    internal override string JsonParameter(string parameter) => $"{parameter}::jsonb";

    // DbType.DateTimeOffset is timestamptz for Npgsql, which takes UTC values.
    internal override DbParameter AddTime(DbCommand command, string name, DateTimeOffset? value) =>
        command.Add(name, value is { } time ? ToMicroseconds(time) : null, DbType.DateTimeOffset);

    internal override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    // Npgsql keeps prepared statements on the physical connection: after the first use on a pooled connection,
    // preparing again costs nothing and each run skips parsing and planning.
    internal override Task PrepareAsync(DbCommand command, CancellationToken cancellationToken) => command.PrepareAsync(cancellationToken);

    internal override bool IsMissingTable(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable };

    internal override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    internal override string? CreateSchemaSql(string schema) => $"CREATE SCHEMA IF NOT EXISTS {schema};";

    internal override string VersionTableSql(StorageNames names) =>
        $"CREATE TABLE IF NOT EXISTS {names.SchemaVersion} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());";

    internal override string TableExistsSql(StorageNames names, string table) =>
        $"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = '{names.Schema}' AND tablename = '{table}'";

    internal override async Task BeginMigrationAsync(DbConnection connection, DbTransaction transaction, StorageNames names, bool create, CancellationToken cancellationToken)
    {
        // Starters in other processes wait here until this migration commits, then find nothing left to do.
        await connection.ExecuteAsync(transaction, $"SELECT pg_advisory_xact_lock({names.SchemaLockClass}, 0);", cancellationToken).ConfigureAwait(false);

        // CREATE SCHEMA IF NOT EXISTS needs the CREATE right on the database even when the schema exists: ask first.
        var exists = await connection.ScalarAsync(transaction, $"SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = '{names.Schema}'", cancellationToken).ConfigureAwait(false);
        if (create && Convert.ToInt64(exists, CultureInfo.InvariantCulture) == 0)
        {
            await connection.ExecuteAsync(transaction, CreateSchemaSql(names.Schema)!, cancellationToken).ConfigureAwait(false);
        }
    }

    internal override Task WatchOutboxAsync(StorageDatabase database, OutboxSignal signal, ILogger logger, CancellationToken stoppingToken) =>
        PostgresOutboxListener.RunAsync(database, signal, logger, stoppingToken);

    internal override OutboxStore CreateOutboxStore(StorageDatabase database, TimeProvider time) => new PostgresOutboxStore(database, time);

    internal override MessageLogStore CreateMessageLogStore(StorageDatabase database) => new PostgresMessageLogStore(database);

    private static bool TryParse(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return false;
        }
    }

    // Names go into SQL unquoted, so they are plain lowercase identifiers: no quoting rules to get wrong.
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaRegex();
}
