using Npgsql;
using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Storage.Inbox;
using QazBus.TestSupport;

namespace QazBus.IntegrationTests.Faults;

/// <summary>Writes one effect row per message in the inbox's transaction: what the fault tests count.</summary>
internal sealed class EffectHandler(IInboxTransaction inbox, EffectTable table) : IContractHandler<AddressChanged>
{
    public async Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(table.InsertSql, (NpgsqlConnection)inbox.Connection, (NpgsqlTransaction)inbox.Transaction);
        command.Parameters.AddWithValue("id", context.MessageId);
        command.Parameters.AddWithValue("iin", message.Iin);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Test messages.</summary>
internal static class Messages
{
    public static AddressChanged Address(int i) => new()
    {
        Iin = $"90{i:D10}",
        NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = $"Respublika {i}" },
        ValidFrom = new DateOnly(2026, 12, 1),
    };
}
