using QazBus.Configuration;
using QazBus.Naming;

namespace QazBus.Pipeline.Steps;

/// <summary>
/// First, before anything that could crash again: a message whose every delivery so far ended with the consumer gone
/// (a handler that kills the process, a connection cut each time) is not handled once more. This is its last
/// delivery: the quorum queue's x-delivery-limit would dead-letter it on the next return anyway, without our reason
/// headers and fault notification.
/// </summary>
internal sealed class DeliveryLimitStep(QazBusOptions options) : IReceiveStep
{
    private readonly bool _counted = options.Transport == TransportKind.RabbitMq;
    private readonly int _limit = options.RabbitMq.DeliveryLimit;

    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        if (_counted && HeaderNumber.Read(context.Message, QueueArguments.DeliveryCountHeader) is var returned && returned >= _limit)
        {
            throw new MessageRejectedException(RejectReason.DeliveryLimit,
                $"The message came back to '{context.Endpoint.Queue}' unacknowledged {returned} times (its consumer stopped while handling it each time); {QazBusOptions.SectionName}:RabbitMq:DeliveryLimit allows {_limit}.");
        }

        return next(context);
    }
}
