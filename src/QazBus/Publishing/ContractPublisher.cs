namespace QazBus.Publishing;

/// <summary>Publishes directly: builds the wire message and sends it with confirms, in one producer span.</summary>
internal sealed class ContractPublisher(OutgoingMessageFactory factory, MessageDispatcher dispatcher) : IContractPublisher
{
    public async Task<string> PublishAsync<TContract>(TContract message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = factory.StartActivity(message.GetType(), "publish");
        var outgoing = factory.Create(message, options, activity);
        activity?.SetTag("messaging.message.id", outgoing.MessageId);
        await dispatcher.SendAsync(outgoing, cancellationToken).ConfigureAwait(false);
        return outgoing.MessageId;
    }
}
