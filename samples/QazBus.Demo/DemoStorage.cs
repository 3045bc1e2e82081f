using System.Globalization;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Demo;

/// <summary>
/// Where the two agencies keep their tables for one run: by default a SQLite file per agency in a temporary folder;
/// with <c>--postgres</c>, a schema per agency in that database. Either is created for the run and removed after
/// it, so every run starts from empty registers and no run sees another's rows.
/// </summary>
internal sealed class DemoStorage : IAsyncDisposable
{
    private static readonly string[] Systems = [Scenario.RegistrySystem, Scenario.TaxOfficeSystem];

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
    public string Description
    {
        get
        {
            if (_postgres is null)
            {
                return $"SQLite files in {_folder} (deleted after the run)";
            }

            // Opening the storage's pool connects to nothing yet: it only says where the database is.
            using var database = StorageDatabase.Open(Options(Scenario.RegistrySystem));
            return $"{database.Description}, schemas {Schema(Scenario.RegistrySystem)} and {Schema(Scenario.TaxOfficeSystem)} (dropped after the run)";
        }
    }

    /// <summary>The <c>QazBus:Storage</c> section of <paramref name="system"/>: its business table and its outbox, inbox and message log.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(string system)
    {
        var options = Options(system);
        return
        [
            new($"{StorageOptions.SectionName}:Provider", options.Provider.ToString()),
            new($"{StorageOptions.SectionName}:ConnectionString", options.ConnectionString),
            new($"{StorageOptions.SectionName}:Schema", options.Schema),
        ];
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is null)
        {
            // The hosts are disposed by now, and with them the storage pools that held the files open.
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

        foreach (var system in Systems)
        {
            await using var database = StorageDatabase.Open(Options(system));
            await using var connection = await database.OpenConnectionAsync();
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The schema name is made here from the run id and the system id: a plain identifier.
            command.CommandText = $"DROP SCHEMA IF EXISTS {Schema(system)} CASCADE";
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync();
        }
    }

    private StorageOptions Options(string system) => _postgres is null
        ? new StorageOptions { Provider = StorageProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(_folder, $"{system}.db")}" }
        : new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = _postgres, Schema = Schema(system) };

    // "mju.population-registry" → demo_1a2b3c4d_mju_population_registry: a plain identifier, unique to the run.
    private string Schema(string system) =>
        string.Create(CultureInfo.InvariantCulture, $"demo_{_run}_{system.Replace('.', '_').Replace('-', '_')}");
}
