using System.Data.Common;
using QazBus.Contracts.Population;

namespace PopulationRegistry.Register;

/// <summary>The SQL of the <c>citizens</c> table. Every method runs in the caller's transaction.</summary>
internal static class CitizenTable
{
    /// <summary>Inserts the citizen; false when the IIN is already registered (nothing is written).</summary>
    public static async Task<bool> TryInsertAsync(RegistryDatabase database, DbTransaction transaction, Citizen citizen, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, $"""
            INSERT INTO {database.Citizens} (iin, last_name, first_name, patronymic, birth_date, region, locality, street, postal_code, registered_at, updated_at)
            VALUES (@iin, @last_name, @first_name, @patronymic, @birth_date, @region, @locality, @street, @postal_code, @now, @now)
            ON CONFLICT (iin) DO NOTHING
            """);
        Add(command, "iin", citizen.Iin);
        Add(command, "last_name", citizen.LastName);
        Add(command, "first_name", citizen.FirstName);
        Add(command, "patronymic", citizen.Patronymic);
        Add(command, "birth_date", citizen.BirthDate);
        AddAddress(command, citizen.Address);
        Add(command, "now", now);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The citizen's registered address, read in the transaction (locked on PostgreSQL until it ends).</summary>
    /// <exception cref="KeyNotFoundException">No citizen has this IIN.</exception>
    public static async Task<Address> AddressForUpdateAsync(RegistryDatabase database, DbTransaction transaction, string iin, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, $"SELECT region, locality, street, postal_code FROM {database.Citizens} WHERE iin = @iin{database.ForUpdate}");
        Add(command, "iin", iin);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // Never echo the IIN: exception messages end up in logs, and an IIN is personal data.
            throw new KeyNotFoundException("No citizen with this IIN is registered.");
        }

        return new Address
        {
            Region = reader.GetString(0),
            Locality = reader.GetString(1),
            Street = reader.GetString(2),
            PostalCode = await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3),
        };
    }

    /// <summary>The citizen card of <paramref name="iin"/> as the table holds it, or null when no citizen has this IIN.</summary>
    public static async Task<CitizenCard?> CardAsync(RegistryDatabase database, DbTransaction transaction, string iin, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction,
            $"SELECT iin, last_name, first_name, patronymic, birth_date, region, locality, street, postal_code, updated_at FROM {database.Citizens} WHERE iin = @iin");
        Add(command, "iin", iin);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new CitizenCard
        {
            Iin = reader.GetString(0),
            LastName = reader.GetString(1),
            FirstName = reader.GetString(2),
            Patronymic = await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3),
            BirthDate = reader.GetFieldValue<DateOnly>(4),
            Address = new Address
            {
                Region = reader.GetString(5),
                Locality = reader.GetString(6),
                Street = reader.GetString(7),
                PostalCode = await reader.IsDBNullAsync(8, cancellationToken) ? null : reader.GetString(8),
            },
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(9),
        };
    }

    /// <summary>Replaces the citizen's address.</summary>
    public static async Task UpdateAddressAsync(RegistryDatabase database, DbTransaction transaction, string iin, Address address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, $"""
            UPDATE {database.Citizens}
               SET region = @region, locality = @locality, street = @street, postal_code = @postal_code, updated_at = @now
             WHERE iin = @iin
            """);
        Add(command, "iin", iin);
        AddAddress(command, address);
        Add(command, "now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Table names are checked identifiers; every value is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    private static void AddAddress(DbCommand command, Address address)
    {
        Add(command, "region", address.Region);
        Add(command, "locality", address.Locality);
        Add(command, "street", address.Street);
        Add(command, "postal_code", address.PostalCode);
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;

        // timestamptz takes UTC; SQLite stores the same value as ISO-8601 text.
        parameter.Value = value switch
        {
            null => DBNull.Value,
            DateTimeOffset time => time.ToUniversalTime(),
            _ => value,
        };
        command.Parameters.Add(parameter);
    }
}
