using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Storage.Schema;

/// <summary>
/// Brings the storage tables to <see cref="StorageSchema.LatestVersion"/>: applies the scripts newer than the version
/// recorded in <c>{prefix}schema_version</c>, in one transaction, with concurrent starters serialised (an advisory
/// lock on PostgreSQL, the write lock on SQLite). With <see cref="StorageOptions.CreateSchema"/> off, it only checks.
/// </summary>
internal static partial class SchemaMigrator
{
    public static async Task MigrateAsync(StorageDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        var names = database.Names;
        var create = database.Options.CreateSchema;
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (database.Provider == StorageProvider.Sqlite && create)
            {
                // WAL: readers (the relay looking for rows) never wait for a writer. The setting stays in the file.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (database.Provider == StorageProvider.Postgres)
                {
                    await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({names.SchemaLockClass}, 0);", cancellationToken).ConfigureAwait(false);
                }

                var current = await CurrentVersionAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
                var scripts = SchemaScript.For(database.Provider);
                var latest = scripts[^1].Version;
                if (current >= latest)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (!create)
                {
                    throw new InvalidOperationException(
                        $"The QazBus storage tables ({names.SchemaVersion}) are at schema version {current?.ToString(CultureInfo.InvariantCulture) ?? "none"}; this version of QazBus needs {latest}. " +
                        $"{StorageOptions.SectionName}:CreateSchema is false: have the script of StorageSchema.Script(...) applied, or set {StorageOptions.SectionName}:CreateSchema to true.");
                }

                if (database.Provider == StorageProvider.Postgres && !await SchemaExistsAsync(connection, transaction, names.Schema, cancellationToken).ConfigureAwait(false))
                {
                    await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {names.Schema};", cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, transaction, VersionTableSql(names), cancellationToken).ConfigureAwait(false);
                foreach (var script in scripts.Where(s => s.Version > (current ?? 0)))
                {
                    await ExecuteAsync(connection, transaction, names.Apply(script.Template), cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, transaction, RecordVersionSql(names, script), cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                LogUpgraded(logger, database.Provider, names.SchemaVersion, current ?? 0, latest);
            }
        }
    }

    public static string VersionTableSql(StorageNames names) => names.Provider == StorageProvider.Postgres
        ? $"CREATE TABLE IF NOT EXISTS {names.SchemaVersion} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
        : $"CREATE TABLE IF NOT EXISTS {names.SchemaVersion} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));";

    // The description comes from an embedded file name (letters, digits, spaces): safe as a literal.
    public static string RecordVersionSql(StorageNames names, SchemaScript script) =>
        $"INSERT INTO {names.SchemaVersion} (version, description) VALUES ({script.Version.ToString(CultureInfo.InvariantCulture)}, '{script.Description}') ON CONFLICT (version) DO NOTHING;";

    private static async Task<int?> CurrentVersionAsync(StorageDatabase database, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var names = database.Names;
        var exists = database.Provider == StorageProvider.Postgres
            ? $"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = '{names.Schema}' AND tablename = '{names.Prefix}schema_version'"
            : $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{names.Prefix}schema_version'";
        if (Convert.ToInt64(await ScalarAsync(connection, transaction, exists, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        var version = await ScalarAsync(connection, transaction, $"SELECT max(version) FROM {names.SchemaVersion}", cancellationToken).ConfigureAwait(false);
        return version is null or DBNull ? null : Convert.ToInt32(version, CultureInfo.InvariantCulture);
    }

    private static async Task<bool> SchemaExistsAsync(DbConnection connection, DbTransaction transaction, string schema, CancellationToken cancellationToken) =>
        Convert.ToInt64(await ScalarAsync(connection, transaction, $"SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = '{schema}'", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
#pragma warning disable CA2100 // Schema DDL from embedded scripts; names are validated identifiers.
            command.CommandText = sql;
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
#pragma warning disable CA2100 // Catalog queries with validated identifiers.
            command.CommandText = sql;
#pragma warning restore CA2100
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "QazBus storage schema on {Provider} ({Table}) upgraded from version {From} to {To}")]
    private static partial void LogUpgraded(ILogger logger, StorageProvider provider, string table, int from, int to);
}
