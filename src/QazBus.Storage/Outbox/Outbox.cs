using System.Data.Common;
using QazBus.Publishing;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.Schema;

namespace QazBus.Storage.Outbox;

/// <summary>Builds the wire message with the one <see cref="OutgoingMessageFactory"/> and inserts it in the caller's transaction.</summary>
internal sealed class Outbox(
    OutgoingMessageFactory factory,
    StorageDatabase database,
    OutboxStore store,
    SchemaGate schema,
    ContractTypes contracts,
    OutboxSignal signal) : IOutbox
{
    public async Task<string> EnqueueAsync<TContract>(
        DbTransaction transaction,
        TContract message,
        PublishOptions? options = null,
        string? orderingKey = null,
        CancellationToken cancellationToken = default)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(message);
        if (transaction.Connection is null)
        {
            throw new ArgumentException("The transaction is already committed or rolled back: enqueue before committing.", nameof(transaction));
        }

        if (!database.Dialect.Accepts(transaction))
        {
            throw new ArgumentException(
                $"The outbox is on {database.Dialect.Provider} ({StorageOptions.SectionName}:Provider); a {transaction.GetType().Name} cannot write to it. " +
                "Enqueue in a transaction on the storage database.",
                nameof(transaction));
        }

        if (orderingKey is not null && string.IsNullOrWhiteSpace(orderingKey))
        {
            throw new ArgumentException("An ordering key must not be empty; pass null for none.", nameof(orderingKey));
        }

        if (!schema.IsReady)
        {
            // Creating tables here could deadlock against the caller's own open transaction (SQLite's one writer).
            throw new InvalidOperationException(
                "The QazBus storage tables are not ready yet: they are created when the host starts. Start the host before enqueuing.");
        }

        // The enqueue span is the message's producer span: its context goes into traceparent and is stored with
        // the row, so the relay's publish span and every consumer join the business transaction's trace.
        using var activity = factory.StartActivity(message.GetType(), "enqueue");
        var outgoing = factory.Create(message, options, activity);
        activity?.SetTag("messaging.message.id", outgoing.MessageId);

        contracts.Remember(outgoing.Contract);
        await store.InsertAsync(transaction, OutboxMessage.From(outgoing, orderingKey), cancellationToken).ConfigureAwait(false);
        if (!database.Dialect.NotifiesOnCommit)
        {
            // Nothing wakes the relay when the transaction commits: wake it now, and it looks again until the row shows.
            signal.Nudge();
        }

        return outgoing.MessageId;
    }
}
