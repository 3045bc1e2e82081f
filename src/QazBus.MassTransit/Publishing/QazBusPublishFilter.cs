using MassTransit;

namespace QazBus.MassTransit.Publishing;

/// <summary>
/// Chooses the QazBus serializer for contract records, per message, because MassTransit's publish topology has no
/// per-type serializer; every other message keeps MassTransit's.
/// </summary>
internal sealed class QazBusPublishFilter<T>(QazBusMessageSerializer serializer) : IFilter<PublishContext<T>>, IFilter<SendContext<T>>
    where T : class
{
    private static readonly bool IsContract = ContractTypes.IsContract(typeof(T));

    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        if (IsContract)
        {
            context.Serializer = serializer;
        }

        return next.Send(context);
    }

    public Task Send(SendContext<T> context, IPipe<SendContext<T>> next)
    {
        if (IsContract)
        {
            context.Serializer = serializer;
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("qazbus");
}
