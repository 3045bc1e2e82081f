using Microsoft.Extensions.Logging.Abstractions;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.Schema;
using QazBus.Storage.Tests.Support;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Schema;

public sealed class SchemaOnPostgres(ITestOutputHelper output) : SchemaScenarios(StorageProvider.Postgres, output);

public sealed class SchemaOnSqlite(ITestOutputHelper output) : SchemaScenarios(StorageProvider.Sqlite, output);

/// <summary>Creating and upgrading the storage tables.</summary>
public abstract class SchemaScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    [Fact]
    public async Task Concurrent_starters_create_the_schema_once_and_a_restart_changes_nothing()
    {
        var prefix = $"s{TestHosts.Unique()}_";
        var databases = Enumerable.Range(0, 4).Select(_ => Own(new StorageDatabase(Backend.Options(prefix)))).ToList();

        await Task.WhenAll(databases.Select(d => new SchemaGate(d, NullLogger<SchemaGate>.Instance).EnsureAsync(CancellationToken.None)));
        await new SchemaGate(databases[0], NullLogger<SchemaGate>.Instance).EnsureAsync(CancellationToken.None);

        Assert.Equal(StorageSchema.LatestVersion, await Backend.CountAsync($"SELECT max(version) FROM {Backend.Table(prefix + "schema_version")}"));
        Assert.Equal(StorageSchema.LatestVersion, await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(prefix + "schema_version")}")); // one row per script
        Assert.Equal(1, await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(prefix + "message_log_head")}"));
    }

    [Fact]
    public async Task Tables_created_by_schema_version_1_are_upgraded_to_the_latest_at_start()
    {
        // The tables as QazBus wrote them before queries: version 1, the message log without request_hash.
        var prefix = $"u{TestHosts.Unique()}_";
        var options = Backend.Options(prefix);
        var database = Own(new StorageDatabase(options));
        var version1 = database.Dialect.Scripts[0];
        Assert.Equal(1, version1.Version);
        var ddl = string.Join('\n', database.Names.Apply(version1.Template).Split('\n').Where(line => !line.TrimStart().StartsWith("request_hash", StringComparison.Ordinal)))
            .Replace("hash           BLOB    NOT NULL,\n)", "hash           BLOB    NOT NULL\n)", StringComparison.Ordinal);
        if (database.Dialect.CreateSchemaSql(Backend.Schema) is { } createSchema)
        {
            await Backend.ExecuteAsync(createSchema);
        }

        await Backend.ExecuteAsync(ddl);
        await Backend.ExecuteAsync(database.Dialect.VersionTableSql(database.Names));
        await Backend.ExecuteAsync(SchemaMigrator.RecordVersionSql(database.Names, version1));

        await new SchemaGate(database, NullLogger<SchemaGate>.Instance).EnsureAsync(CancellationToken.None);

        Assert.Equal(StorageSchema.LatestVersion, await Backend.CountAsync($"SELECT max(version) FROM {Backend.Table(prefix + "schema_version")}"));
        Assert.Equal(0, await Backend.CountAsync($"SELECT count(request_hash) FROM {Backend.Table(prefix + "message_log")}"));
    }

    [Fact]
    public async Task The_script_for_a_DBA_is_idempotent_and_satisfies_a_host_that_may_not_create_tables()
    {
        var prefix = $"d{TestHosts.Unique()}_";
        var script = StorageSchema.Script(Provider, Backend.Schema, prefix);
        Output.WriteLine(script);
        await Backend.ExecuteAsync(script);
        await Backend.ExecuteAsync(script);

        var options = Backend.Options(prefix);
        options.CreateSchema = false;
        var database = Own(new StorageDatabase(options));
        await new SchemaGate(database, NullLogger<SchemaGate>.Instance).EnsureAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_host_that_may_not_create_tables_names_the_setting_when_they_are_missing()
    {
        var options = Backend.Options($"m{TestHosts.Unique()}_");
        options.CreateSchema = false;
        var database = Own(new StorageDatabase(options));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => new SchemaGate(database, NullLogger<SchemaGate>.Instance).EnsureAsync(CancellationToken.None));
        Assert.Contains("QazBus:Storage:CreateSchema", error.Message, StringComparison.Ordinal);
    }
}
