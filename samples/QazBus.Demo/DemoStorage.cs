using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace QazBus.Demo;

/// <summary>
/// Where the two agencies keep their tables for one run: by default a SQLite file per agency in a temporary folder;
/// with <c>--postgres</c>, a schema per agency in that database. Either is created for the run and removed after
/// it, so every run starts from empty registers and no run sees another's rows.
/// </summary>
internal sealed class DemoStorage : IAsyncDisposable
{
    private readonly string? _postgres;
    private readonly string _folder;
    private readonly string _run;

    public DemoStorage(string? postgresConnectionString)
    {
        _postgres = postgresConnectionString;
        _run = Guid.NewGuid().ToString("N")[..8];
        _folder = Path.Combine(Path.GetTempPath(), $"qazbus-demo-{_run}");
        if (_postgres is null)
        {
            Directory.CreateDirectory(_folder);
        }
    }

    /// <summary>Where the tables are, for the header.</summary>
    public string Description => _postgres is null
        ? $"SQLite files in {_folder} (deleted after the run)"
        : $"PostgreSQL at {Host(_postgres)}, schemas {Schema(Scenario.RegistrySystem)} and {Schema(Scenario.TaxOfficeSystem)} (dropped after the run)";

    /// <summary>The <c>QazBus:Storage</c> section of <paramref name="system"/>: its business table and its outbox, inbox and message log.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(string system) => _postgres is null
        ?
        [
            new("QazBus:Storage:Provider", "Sqlite"),
            new("QazBus:Storage:ConnectionString", new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, $"{system}.db") }.ConnectionString),
        ]
        :
        [
            new("QazBus:Storage:Provider", "Postgres"),
            new("QazBus:Storage:ConnectionString", _postgres),
            new("QazBus:Storage:Schema", Schema(system)),
        ];

    public async ValueTask DisposeAsync()
    {
        if (_postgres is null)
        {
            // Pooled connections keep the files open until their pools let go.
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // Left behind in the temporary folder; the next run uses a folder of its own.
            }

            return;
        }

        await using var dataSource = NpgsqlDataSource.Create(_postgres);
        foreach (var system in new[] { Scenario.RegistrySystem, Scenario.TaxOfficeSystem })
        {
            await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema(system)}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }
    }

    // "mju.population-registry" → demo_1a2b3c4d_mju_population_registry: a plain identifier, unique to the run.
    private string Schema(string system) =>
        string.Create(CultureInfo.InvariantCulture, $"demo_{_run}_{system.Replace('.', '_').Replace('-', '_')}");

    private static string Host(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database}");
    }
}
