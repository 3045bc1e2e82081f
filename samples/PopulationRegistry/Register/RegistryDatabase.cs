using System.Data.Common;
using Microsoft.Extensions.Hosting;
using QazBus.Storage.Database;

namespace PopulationRegistry.Register;

/// <summary>
/// The registry's own table, <c>citizens</c>, in the QazBus storage database: a citizen row and its outbox row must
/// commit in one transaction, and a transaction spans one database. So connections come from the storage's pool
/// (<see cref="StorageDatabase"/>, configured by <c>QazBus:Storage</c>), and the few words of SQL that differ between
/// SQLite and PostgreSQL from its dialect.
/// </summary>
/// <remarks>Plain ADO.NET: the outbox takes any <see cref="DbTransaction"/>, so Dapper or EF Core fit the same way.</remarks>
internal sealed class RegistryDatabase(StorageDatabase storage) : IHostedService
{
    /// <summary>The citizens table, in the storage's schema on PostgreSQL.</summary>
    public string Citizens { get; } = storage.Table("citizens");

    /// <summary>What ends a <c>SELECT</c> of rows the transaction is about to change (row lock on PostgreSQL).</summary>
    public string ForUpdate => storage.Dialect.ForUpdate;

    /// <summary>Opens a connection to the registry's database (the outbox's database).</summary>
    public ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => storage.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Creates the citizens table when missing. Runs when the host starts, after the storage created its tables (and
    /// its schema on PostgreSQL) and before the registry office does.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (date, time) = (storage.Dialect.DateType, storage.Dialect.TimeType);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The table name is a checked identifier; there are no values.
        command.CommandText = $"""
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
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
