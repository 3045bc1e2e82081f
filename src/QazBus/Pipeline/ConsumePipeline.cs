using QazBus.Transport;

namespace QazBus.Pipeline;

/// <summary>
/// The consume pipeline of one endpoint: the steps of <see cref="ConsumeSteps"/>, chained once at start-up in the
/// order written there. Bad input goes to the error queue at once and the next message flows: bad input never stops
/// a consumer. A throw out of <see cref="HandleAsync"/> means "not acknowledged": the transport returns the message.
/// </summary>
internal sealed class ConsumePipeline
{
    private readonly EndpointDefinition _endpoint;
    private readonly ReceiveNext _first;

    public ConsumePipeline(EndpointDefinition endpoint, IReadOnlyList<IReceiveStep> steps)
    {
        _endpoint = endpoint;
        ReceiveNext next = static _ => Task.CompletedTask;
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var step = steps[i];
            var rest = next;
            next = context => step.InvokeAsync(context, rest);
        }

        _first = next;
    }

    public Task HandleAsync(TransportMessage message, CancellationToken cancellationToken) =>
        _first(new ReceiveContext(message, _endpoint, cancellationToken));
}
