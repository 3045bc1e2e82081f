using System.Data.Common;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.Storage.Database;

namespace TaxOffice.Taxpayers;

/// <summary>
/// The tax office's register of taxpayers: the <c>taxpayers</c> table, in the same database as the QazBus inbox
/// (both configured by the <c>QazBus:Storage</c> section: <c>Provider</c>, <c>ConnectionString</c>, <c>Schema</c>).
/// </summary>
/// <remarks>
/// Handlers record events in the inbox's transaction (<c>IInboxTransaction</c>): the taxpayer row and the inbox row
/// commit together, so a redelivered message has exactly one effect. The updates are still commutative, because
/// two queues feed the register in no particular order: a registration may arrive after the address change, an
/// older address after a newer one. On PostgreSQL the row is locked (<c>FOR UPDATE</c>) while an update decides;
/// SQLite has one writer at a time anyway.
/// </remarks>
public sealed class TaxpayerRegister : IHostedService
{
    private const string Columns =
        "iin, last_name, first_name, patronymic, birth_date, region, locality, street, postal_code, address_valid_from, address_changed_at";

    private readonly StorageDatabase _storage;
    private readonly string _table;

    /// <summary>Creates the register on the storage database (<c>QazBus:Storage</c>), whose connections it uses.</summary>
    public TaxpayerRegister(StorageDatabase storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _table = storage.Table("taxpayers");
    }

    /// <summary>Records a citizen's registration (name and date of birth) in <paramref name="transaction"/>.</summary>
    public async Task<RecordOutcome> RecordCitizenAsync(
        DbTransaction transaction, string iin, string lastName, string firstName, string? patronymic, DateOnly birthDate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var current = await LockAsync(transaction, iin, cancellationToken);
        var updated = (current ?? new Taxpayer { Iin = iin }) with
        {
            LastName = lastName,
            FirstName = firstName,
            Patronymic = patronymic,
            BirthDate = birthDate,
        };
        if (updated == current)
        {
            return RecordOutcome.Unchanged;
        }

        await WriteAsync(transaction, updated, cancellationToken);
        return current is null ? RecordOutcome.Added : RecordOutcome.Updated;
    }

    /// <summary>
    /// Records an address valid from <paramref name="validFrom"/> in <paramref name="transaction"/>, unless a later
    /// one is already recorded. Changes valid from the same day are ordered by <paramref name="changedAt"/>, when the
    /// registry recorded them.
    /// </summary>
    public async Task<RecordOutcome> RecordAddressAsync(
        DbTransaction transaction, string iin, Address address, DateOnly validFrom, DateTimeOffset changedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(address);
        changedAt = StorageDialect.ToMicroseconds(changedAt); // what both databases keep, so a stored time compares equal to itself
        var current = await LockAsync(transaction, iin, cancellationToken);
        if (current is { AddressValidFrom: { } knownFrom, AddressChangedAt: { } knownAt })
        {
            var order = (validFrom, changedAt).CompareTo((knownFrom, knownAt));
            if (order < 0)
            {
                return RecordOutcome.Outdated;
            }

            if (order == 0 && current.Address == address)
            {
                return RecordOutcome.Unchanged;
            }
        }

        // No row yet: the address change overtook the registration (another queue); keep it, the name follows.
        var updated = (current ?? new Taxpayer { Iin = iin }) with { Address = address, AddressValidFrom = validFrom, AddressChangedAt = changedAt };
        await WriteAsync(transaction, updated, cancellationToken);
        return current is null ? RecordOutcome.Added : RecordOutcome.Updated;
    }

    /// <summary>The register, ordered by IIN, read in a connection of its own.</summary>
    public async Task<IReadOnlyList<Taxpayer>> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _storage.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The table name is a checked identifier.
        command.CommandText = $"SELECT {Columns} FROM {_table} ORDER BY iin";
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var taxpayers = new List<Taxpayer>();
        while (await reader.ReadAsync(cancellationToken))
        {
            taxpayers.Add(Read(reader));
        }

        return taxpayers;
    }

    /// <summary>
    /// Creates the taxpayers table when missing; runs when the host starts, after the storage created its tables (and
    /// its schema on PostgreSQL) and before the endpoints start.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (date, time) = (_storage.Dialect.DateType, _storage.Dialect.TimeType);
        var sql = $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                iin                varchar(12) PRIMARY KEY,
                last_name          text NULL,
                first_name         text NULL,
                patronymic         text NULL,
                birth_date         {date} NULL,
                region             text NULL,
                locality           text NULL,
                street             text NULL,
                postal_code        text NULL,
                address_valid_from {date} NULL,
                address_changed_at {time} NULL
            )
            """;
        await using var connection = await _storage.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The table name is a checked identifier; there are no values.
        command.CommandText = sql;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Makes sure the row exists (an empty one for a new IIN) and reads it, locked until the transaction ends;
    // null when it was just created. Inserting first means two handlers of one new IIN never both insert.
    private async Task<Taxpayer?> LockAsync(DbTransaction transaction, string iin, CancellationToken cancellationToken)
    {
        await using (var insert = Command(transaction, $"INSERT INTO {_table} (iin) VALUES (@iin) ON CONFLICT (iin) DO NOTHING"))
        {
            Add(insert, "iin", iin);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return null;
            }
        }

        await using var select = Command(transaction, $"SELECT {Columns} FROM {_table} WHERE iin = @iin{_storage.Dialect.ForUpdate}");
        Add(select, "iin", iin);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private async Task WriteAsync(DbTransaction transaction, Taxpayer taxpayer, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, $"""
            UPDATE {_table}
               SET last_name = @last_name, first_name = @first_name, patronymic = @patronymic, birth_date = @birth_date,
                   region = @region, locality = @locality, street = @street, postal_code = @postal_code,
                   address_valid_from = @address_valid_from, address_changed_at = @address_changed_at
             WHERE iin = @iin
            """);
        Add(command, "iin", taxpayer.Iin);
        Add(command, "last_name", taxpayer.LastName);
        Add(command, "first_name", taxpayer.FirstName);
        Add(command, "patronymic", taxpayer.Patronymic);
        Add(command, "birth_date", taxpayer.BirthDate);
        Add(command, "region", taxpayer.Address?.Region);
        Add(command, "locality", taxpayer.Address?.Locality);
        Add(command, "street", taxpayer.Address?.Street);
        Add(command, "postal_code", taxpayer.Address?.PostalCode);
        Add(command, "address_valid_from", taxpayer.AddressValidFrom);
        Add(command, "address_changed_at", taxpayer.AddressChangedAt?.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Taxpayer Read(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        T? Value<T>(int i)
            where T : struct => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);

        var region = Text(5);
        return new Taxpayer
        {
            Iin = reader.GetString(0),
            LastName = Text(1),
            FirstName = Text(2),
            Patronymic = Text(3),
            BirthDate = Value<DateOnly>(4),
            Address = region is null ? null : new Address { Region = region, Locality = Text(6)!, Street = Text(7)!, PostalCode = Text(8) },
            AddressValidFrom = Value<DateOnly>(9),
            AddressChangedAt = Value<DateTimeOffset>(10)?.ToUniversalTime(),
        };
    }

    private static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // The table name is a checked identifier; every value is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
