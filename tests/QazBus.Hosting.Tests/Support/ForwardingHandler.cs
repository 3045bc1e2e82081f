using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Publishing;
using QazBus.TestSupport;

namespace QazBus.Hosting.Tests.Support;

/// <summary>
/// The tax office's handler in the trace test: records the attempt, fails when the sink says so, else publishes
/// <see cref="TaxpayerAddressUpdated"/> from inside the handler (the second hop of the journey).
/// </summary>
public sealed class ForwardingHandler(MessageSink<AddressChanged> sink, IContractPublisher publisher) : IContractHandler<AddressChanged>
{
    public async Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
    {
        sink.Attempted(context);
        if (sink.FailWhen(context))
        {
            throw sink.Failure(context);
        }

        await publisher.PublishAsync(
            new TaxpayerAddressUpdated { Iin = message.Iin, Locality = message.NewAddress.Locality },
            new PublishOptions { CorrelationId = context.MessageId },
            cancellationToken);
        sink.Add(message, context);
    }
}
