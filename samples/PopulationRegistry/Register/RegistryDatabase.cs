using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using QazBus.Storage.Configuration;

namespace PopulationRegistry.Register;

/// <summary>
/// The registry's own database: the <c>citizens</c> table, in the same database as the QazBus outbox. Both are
/// configured by the one <c>QazBus:Storage</c> section (<c>Provider</c>, <c>ConnectionString</c>, <c>Schema</c>),
/// because a citizen row and its outbox row must commit in one transaction, and a transaction spans one database.
/// </summary>
/// <remarks>Plain ADO.NET: the outbox takes any <see cref="DbTransaction"/>, so Dapper or EF Core fit the same way.</remarks>
internal sealed partial class RegistryDatabase : IHostedService, IAsyncDisposable
{
    /// <summary>The SQLite file used when <c>QazBus:Storage:ConnectionString</c> is not set.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=population-registry.db";

    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;

    public RegistryDatabase(IOptions<StorageOptions> options)
    {
        var storage = options.Value;
        IsPostgres = storage.Provider == StorageProvider.Postgres;
        _connectionString = string.IsNullOrWhiteSpace(storage.ConnectionString) ? DefaultSqliteConnectionString : storage.ConnectionString;

        // The schema name goes into SQL text, so only a plain identifier is accepted (as the storage does).
        if (IsPostgres && !Identifier().IsMatch(storage.Schema))
        {
            throw new OptionsValidationException(StorageOptions.SectionName, typeof(StorageOptions), [$"{StorageOptions.SectionName}:Schema must be a lowercase identifier."]);
        }

        _postgres = IsPostgres ? NpgsqlDataSource.Create(_connectionString) : null;
        Schema = storage.Schema;
        Citizens = IsPostgres ? $"\"{Schema}\".citizens" : "citizens";
    }

    /// <summary>True on PostgreSQL, false on SQLite.</summary>
    public bool IsPostgres { get; }

    /// <summary>The PostgreSQL schema of the tables (unused on SQLite).</summary>
    public string Schema { get; }

    /// <summary>The citizens table, qualified with its schema on PostgreSQL.</summary>
    public string Citizens { get; }

    /// <summary>Opens a connection to the registry's database (the outbox's database).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Creates the citizens table when missing. Runs when the host starts, before the registry office does.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (date, time) = IsPostgres ? ("date", "timestamptz") : ("TEXT", "TEXT");
        var sql = $"""
            CREATE TABLE IF NOT EXISTS {Citizens} (
                iin           varchar(12) PRIMARY KEY,
                last_name     text NOT NULL,
                first_name    text NOT NULL,
                patronymic    text NULL,
                birth_date    {date} NOT NULL,
                region        text NOT NULL,
                locality      text NOT NULL,
                street        text NOT NULL,
                postal_code   text NULL,
                registered_at {time} NOT NULL,
                updated_at    {time} NOT NULL
            )
            """;
        if (IsPostgres)
        {
            sql = $"CREATE SCHEMA IF NOT EXISTS \"{Schema}\";\n{sql}";
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The table name is a checked identifier; there are no values.
        command.CommandText = sql;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,39}$")]
    private static partial Regex Identifier();
}
