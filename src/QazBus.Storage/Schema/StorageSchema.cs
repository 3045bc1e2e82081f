using System.Text;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Storage.Schema;

/// <summary>
/// The storage tables' schema. QazBus creates and upgrades it at start-up (<see cref="StorageOptions.CreateSchema"/>);
/// where a DBA applies schema changes instead, <see cref="Script"/> gives the SQL to run.
/// </summary>
public static class StorageSchema
{
    /// <summary>The schema version this library needs.</summary>
    public static int LatestVersion => StorageDialect.For(StorageProvider.Postgres).Scripts[^1].Version;

    /// <summary>
    /// The complete SQL that creates (or upgrades) the storage tables, for a DBA to review and run. Idempotent: running
    /// it again changes nothing.
    /// </summary>
    /// <param name="provider">The database.</param>
    /// <param name="schema">PostgreSQL only: the schema (<see cref="StorageOptions.Schema"/>).</param>
    /// <param name="tablePrefix">The table name prefix (<see cref="StorageOptions.TablePrefix"/>).</param>
    public static string Script(StorageProvider provider, string schema = "public", string tablePrefix = "qazbus_")
    {
        var dialect = StorageDialect.For(provider);
        var names = new StorageNames(dialect, schema, tablePrefix);
        var sql = new StringBuilder();
        if (dialect.CreateSchemaSql(schema) is { } createSchema)
        {
            sql.AppendLine(createSchema);
        }

        sql.AppendLine(dialect.VersionTableSql(names));
        foreach (var script in dialect.Scripts)
        {
            sql.AppendLine().AppendLine(names.Apply(script.Template));
            sql.AppendLine(SchemaMigrator.RecordVersionSql(names, script));
        }

        return sql.ToString();
    }
}
