using MassTransit;
using QazBus.Pipeline;
using QazBus.Transport.RabbitMq;
using MtReceiveContext = MassTransit.ReceiveContext;

namespace QazBus.MassTransit.Consuming;

/// <summary>
/// The first filter of a QazBus endpoint's receive pipe: it runs the SDK's consume pipeline (trace, message log,
/// envelope, signature, contract and version, body and upcast, immediate retries, delayed redelivery through the delay
/// levels, dead letters with the SDK's reason codes and error headers), whose last step passes the message on to
/// MassTransit. When the pipeline moved the message to the error queue or to a delay level, MassTransit never sees it
/// and acknowledges the delivery.
/// </summary>
internal sealed class QazBusReceiveFilter(EndpointDefinition endpoint, IServiceProvider services) : IFilter<MtReceiveContext>
{
    private readonly Lazy<ConsumePipeline> _pipeline = new(() =>
        ConsumeSteps.Build(endpoint, services, static () => Task.CompletedTask, new MassTransitDispatchStep()));

    public async Task Send(MtReceiveContext context, IPipe<MtReceiveContext> next)
    {
        if (!context.TryGetPayload(out RabbitMqBasicConsumeContext? rabbit))
        {
            throw new InvalidOperationException("QazBus endpoints run on MassTransit's RabbitMQ transport only.");
        }

        // The SDK's own reading of a delivery: the same headers, properties and body its RabbitMQ consumer sees.
        var message = RabbitMqTransport.FromDelivery(rabbit.Properties, context.Body.GetBytes(), context.Redelivered);
        var delivery = new QazBusDelivery(context, next);
        delivery.Attach(message);
        context.GetOrAddPayload(() => delivery);
        await _pipeline.Value.HandleAsync(message, context.CancellationToken).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("qazbus-consume");
}
