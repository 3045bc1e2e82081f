using System.Data.Common;
using System.Reflection;
using QazBus.Contracts;
using QazBus.Publishing;
using QazBus.Storage.Outbox;

namespace QazBus.Demo.Journey;

/// <summary>
/// The registry's <see cref="IOutbox"/>, wrapped by the demo to report each enqueue to the
/// <see cref="JourneyObserver"/>: the first step of a message's journey, inside the registry's business
/// transaction. The registry itself knows nothing of it.
/// </summary>
internal sealed class ObservedOutbox(IOutbox inner, JourneyObserver journey, string system, TimeProvider time) : IOutbox
{
    public async Task<string> EnqueueAsync<TContract>(
        DbTransaction transaction,
        TContract message,
        PublishOptions? options = null,
        string? orderingKey = null,
        CancellationToken cancellationToken = default)
        where TContract : class
    {
        var messageId = await inner.EnqueueAsync(transaction, message, options, orderingKey, cancellationToken);
        var contract = typeof(TContract).GetCustomAttribute<ContractAttribute>();
        journey.OnEnqueued(messageId, system, contract?.Name ?? typeof(TContract).Name, contract?.MajorVersion, time.GetUtcNow());
        return messageId;
    }
}
