using QazBus.Observation;
using QazBus.Telemetry;
using QazBus.Wire;

namespace QazBus.Pipeline.Steps;

/// <summary>Tells the observers (the message log) and the outcome metrics how each message left the pipeline.</summary>
internal sealed class ObserveStep(IMessageObserver[] observers, string system, TimeProvider time) : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        await next(context).ConfigureAwait(false);
        Count(context);
        if (observers.Length == 0)
        {
            return;
        }

        var message = context.Message;
        var envelope = context.Envelope;
        var record = new MessageRecord
        {
            MessageId = envelope?.Id ?? message.GetHeader(WireHeaders.Id) ?? message.MessageId,
            Contract = envelope?.Type ?? message.GetHeader(WireHeaders.Type),
            Version = envelope?.Version,
            Source = envelope?.Source ?? message.GetHeader(WireHeaders.Source),
            Destination = context.Endpoint.Queue,
            System = system,
            CorrelationId = message.CorrelationId,
            TraceParent = message.GetHeader(WireHeaders.TraceParent),
            Outcome = context.Outcome,
            Reason = context.Reason,
            Attempts = context.Attempt,
            Time = time.GetUtcNow(),
            RequestHash = context.RequestHash ?? message.GetHeader(WireHeaders.RequestHash),
            Body = message.Body,
        };
        foreach (var observer in observers)
        {
            await observer.OnConsumedAsync(record, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static void Count(ReceiveContext context)
    {
        switch (context.Outcome)
        {
            case MessageOutcome.Handled:
                QazBusDiagnostics.Consumed.Add(1, context.Tags);
                break;
            case MessageOutcome.Duplicate:
                QazBusDiagnostics.Duplicates.Add(1, context.Tags);
                break;
            case MessageOutcome.RedeliveryScheduled:
                QazBusDiagnostics.Redelivered.Add(1,
                    new KeyValuePair<string, object?>("qazbus.contract.name", context.Envelope?.Type),
                    new KeyValuePair<string, object?>("qazbus.endpoint", context.Endpoint.Queue));
                break;
            case MessageOutcome.DeadLettered:
                QazBusDiagnostics.DeadLettered.Add(1,
                    new KeyValuePair<string, object?>("qazbus.endpoint", context.Endpoint.Queue),
                    new KeyValuePair<string, object?>("qazbus.error.reason", context.Reason));
                break;
        }
    }
}
