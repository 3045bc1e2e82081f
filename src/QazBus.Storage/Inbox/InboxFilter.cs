using Microsoft.Extensions.Options;
using QazBus.Pipeline;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.Schema;

namespace QazBus.Storage.Inbox;

/// <summary>
/// The inbox: opens a transaction, records the message id for the endpoint, calls the handler with that
/// transaction at hand (<see cref="IInboxTransaction"/>), and commits. A message the endpoint already handled is
/// marked a duplicate and not handled again; the pipeline acknowledges it. The broker acknowledgement comes after
/// the commit, so a crash in between redelivers a message the inbox then drops.
/// </summary>
internal sealed class InboxFilter(
    StorageDatabase database,
    InboxStore store,
    InboxTransaction accessor,
    SchemaGate schema,
    IOptions<StorageOptions> options) : IConsumeFilter
{
    public async Task InvokeAsync(ConsumeContext context, ConsumeStep continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (!options.Value.Inbox.Enabled)
        {
            await continuation(context).ConfigureAwait(false);
            return;
        }

        var cancellationToken = context.CancellationToken;
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var message = context.Message;
                if (!await store.TryRecordAsync(transaction, message.Endpoint, message.MessageId, message.Source, cancellationToken).ConfigureAwait(false))
                {
                    context.IsDuplicate = true;
                    return; // rolled back on dispose
                }

                accessor.Set(connection, transaction);
                try
                {
                    await continuation(context).ConfigureAwait(false);
                }
                finally
                {
                    accessor.Clear();
                }

                // The handler's work is done: commit it with the inbox row even if the host is stopping now.
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
