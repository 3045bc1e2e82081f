using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;

namespace QazBus.TestSupport;

/// <summary>
/// The real PostgreSQL for integration tests: the one <c>./build.sh test</c> started (QAZBUS_TEST_POSTGRES), else a
/// Testcontainers PostgreSQL where a Docker engine answers, else a failure that says how to get one. Never a silent skip.
/// Tests isolate themselves in schemas of their own (<see cref="NewSchemaName"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    public const string ConnectionStringVariable = "QAZBUS_TEST_POSTGRES";

    private PostgreSqlContainer? _container;

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Where the server was found, for test output.</summary>
    public string Description { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            ConnectionString = fromEnvironment;
            var builder = new NpgsqlConnectionStringBuilder(fromEnvironment);
            Description = $"PostgreSQL from {ConnectionStringVariable} ({builder.Host}:{builder.Port}/{builder.Database})";
        }
        else
        {
            try
            {
                _container = new PostgreSqlBuilder("postgres:16-alpine").Build();
                await _container.StartAsync().ConfigureAwait(false);
                ConnectionString = _container.GetConnectionString();
                Description = "PostgreSQL in a Testcontainers container";
            }
            catch (Exception ex) when (ex is DockerUnavailableException or InvalidOperationException or ArgumentException)
            {
                throw new InvalidOperationException(
                    $"No PostgreSQL for the storage tests. Run them with './build.sh test' (it starts a throwaway PostgreSQL), " +
                    $"or set {ConnectionStringVariable}='Host=127.0.0.1;Port=5432;Username=postgres;Password=…;Database=qazbus' to a running server, " +
                    $"or start a Docker engine for Testcontainers. ({ex.Message})",
                    ex);
            }
        }

        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at {Description} does not answer. Start it with './build.sh up' or run './build.sh test'. ({ex.Message})", ex);
        }
    }

    /// <summary>A fresh, unique schema name (the storage creates the schema).</summary>
    public static string NewSchemaName(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)];

    /// <summary>Runs one statement.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Drops a test's schema and everything in it.</summary>
    public Task DropSchemaAsync(string schema) => ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync().ConfigureAwait(false);
        }
    }
}
