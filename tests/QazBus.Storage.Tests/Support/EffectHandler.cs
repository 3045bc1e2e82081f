using System.Globalization;
using QazBus.Handling;
using QazBus.Storage.Inbox;

namespace QazBus.Storage.Tests.Support;

/// <summary>What a consumer host's handler counts, and where it writes its effect.</summary>
public sealed class EffectProbe
{
    private int _handled;

    public required string Run { get; init; }

    /// <summary>The effects table, as SQL names it.</summary>
    public required string Table { get; init; }

    /// <summary>Makes the handler throw after writing its effect (to see the effect rolled back with the inbox row).</summary>
    public Func<ItemRecorded, MessageContext, bool> FailAfterWrite { get; set; } = (_, _) => false;

    public int Handled => Volatile.Read(ref _handled);

    public void Count() => Interlocked.Increment(ref _handled);
}

/// <summary>
/// The consumer's business change: one row per handled message, written in the inbox's transaction, so the row
/// exists exactly once per message if and only if the inbox works.
/// </summary>
public sealed class EffectHandler(IInboxTransaction inbox, EffectProbe probe) : IContractHandler<ItemRecorded>
{
    public async Task HandleAsync(ItemRecorded message, MessageContext context, CancellationToken cancellationToken)
    {
        if (message.Run != probe.Run)
        {
            return; // another test's message on the shared exchange
        }

        await using (var command = inbox.Connection.CreateCommand())
        {
            command.Transaction = inbox.Transaction;
            command.CommandText = $"INSERT INTO {probe.Table} (message_id, number, ordering_key) VALUES ('{context.MessageId}', {message.Number.ToString(CultureInfo.InvariantCulture)}, {(message.Key is null ? "NULL" : $"'{message.Key}'")})";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (probe.FailAfterWrite(message, context))
        {
            throw new InvalidOperationException($"Test handler fails attempt {context.Attempt} after writing its effect.");
        }

        probe.Count();
    }
}
