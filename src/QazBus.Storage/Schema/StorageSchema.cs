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
    public static int LatestVersion => SchemaScript.For(StorageProvider.Postgres)[^1].Version;

    /// <summary>
    /// The complete SQL that creates (or upgrades) the storage tables, for a DBA to review and run. Idempotent: running
    /// it again changes nothing.
    /// </summary>
    /// <param name="provider">The database.</param>
    /// <param name="schema">PostgreSQL only: the schema (<see cref="StorageOptions.Schema"/>).</param>
    /// <param name="tablePrefix">The table name prefix (<see cref="StorageOptions.TablePrefix"/>).</param>
    public static string Script(StorageProvider provider, string schema = "public", string tablePrefix = "qazbus_")
    {
        var names = new StorageNames(provider, schema, tablePrefix);
        var sql = new StringBuilder();
        if (provider == StorageProvider.Postgres)
        {
            sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(schema).AppendLine(";");
        }

        sql.AppendLine(SchemaMigrator.VersionTableSql(names));
        foreach (var script in SchemaScript.For(provider))
        {
            sql.AppendLine().AppendLine(names.Apply(script.Template));
            sql.AppendLine(SchemaMigrator.RecordVersionSql(names, script));
        }

        return sql.ToString();
    }
}
