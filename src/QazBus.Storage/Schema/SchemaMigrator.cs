using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Storage.Schema;

/// <summary>
/// Brings the storage tables to <see cref="StorageSchema.LatestVersion"/>: applies the scripts newer than the version
/// recorded in <c>{prefix}schema_version</c>, in one transaction, with concurrent starters serialised (as the dialect
/// does it: an advisory lock on PostgreSQL, the write lock on SQLite). With <see cref="StorageOptions.CreateSchema"/> off, it only checks.
/// </summary>
internal static partial class SchemaMigrator
{
    public static async Task MigrateAsync(StorageDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        var names = database.Names;
        var dialect = database.Dialect;
        var create = database.Options.CreateSchema;
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await dialect.PrepareMigrationAsync(connection, create, cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await dialect.BeginMigrationAsync(connection, transaction, names, create, cancellationToken).ConfigureAwait(false);
                var current = await CurrentVersionAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
                var scripts = dialect.Scripts;
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

                await connection.ExecuteAsync(transaction, dialect.VersionTableSql(names), cancellationToken).ConfigureAwait(false);
                foreach (var script in scripts.Where(s => s.Version > (current ?? 0)))
                {
                    await connection.ExecuteAsync(transaction, names.Apply(script.Template), cancellationToken).ConfigureAwait(false);
                    await connection.ExecuteAsync(transaction, RecordVersionSql(names, script), cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                LogUpgraded(logger, dialect.Provider, names.SchemaVersion, current ?? 0, latest);
            }
        }
    }

    // The description comes from an embedded file name (letters, digits, spaces): safe as a literal.
    public static string RecordVersionSql(StorageNames names, SchemaScript script) =>
        $"INSERT INTO {names.SchemaVersion} (version, description) VALUES ({script.Version.ToString(CultureInfo.InvariantCulture)}, '{script.Description}') ON CONFLICT (version) DO NOTHING;";

    private static async Task<int?> CurrentVersionAsync(StorageDatabase database, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var names = database.Names;
        var exists = database.Dialect.TableExistsSql(names, $"{names.Prefix}schema_version");
        if (Convert.ToInt64(await connection.ScalarAsync(transaction, exists, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        var version = await connection.ScalarAsync(transaction, $"SELECT max(version) FROM {names.SchemaVersion}", cancellationToken).ConfigureAwait(false);
        return version is null or DBNull ? null : Convert.ToInt32(version, CultureInfo.InvariantCulture);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "QazBus storage schema on {Provider} ({Table}) upgraded from version {From} to {To}")]
    private static partial void LogUpgraded(ILogger logger, StorageProvider provider, string table, int from, int to);
}
