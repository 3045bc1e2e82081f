using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Operations;
using QazBus.Publishing;
using QazBus.Retry;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Pipeline.Recoverability;

/// <summary>
/// What a redelivery and a dead letter do on the wire: the retry state and the reason ride along in qazbus-* headers,
/// the body and the sender's headers travel unchanged. Operators are told of every dead letter by a fault event.
/// </summary>
internal sealed partial class FailureActions(
    IBusTransport transport,
    OutgoingMessageFactory outgoing,
    MessageDispatcher dispatcher,
    IOptions<QazBusOptions> options,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private static readonly string FaultContractName = ContractDescriptor.For(typeof(MessageFaulted)).Name;

    private readonly ILogger _logger = loggers.CreateLogger("QazBus.Consume");

    public async Task RedeliverAsync(ReceiveContext context, TimeSpan delay, Exception failure)
    {
        var message = context.Message;
        var now = time.GetUtcNow();
        var redelivery = context.Redeliveries + 1;
        KeyValuePair<string, object?>[] headers =
        [
            new(WireHeaders.Redeliveries, redelivery),
            new(WireHeaders.Attempts, context.Attempt),
            new(WireHeaders.FirstFailure, message.GetHeader(WireHeaders.FirstFailure) ?? HeaderText.Time(now)),
            new(WireHeaders.LastFailure, HeaderText.Time(now)),
            new(WireHeaders.NextAttempt, HeaderText.Time(now + delay)),
            new(WireHeaders.ErrorException, failure.GetType().FullName),
        ];
        await transport.SendDelayedAsync(context.Endpoint.Queue, message.WithHeaders(headers), delay, context.CancellationToken).ConfigureAwait(false);
        context.Activity?.AddEvent(new ActivityEvent("redelivery scheduled", tags: new ActivityTagsCollection
        {
            ["qazbus.redelivery"] = redelivery,
            ["qazbus.delay_ms"] = delay.TotalMilliseconds,
        }));
        LogRedelivery(_logger, context.MessageId, context.Endpoint.Queue, redelivery, DelayLevels.Label(delay));
    }

    public async Task DeadLetterAsync(ReceiveContext context, string reason, Exception failure)
    {
        var message = context.Message;
        var endpoint = context.Endpoint;

        // A rejection names the input at fault; the exception type that caused it is the more useful header.
        var exception = failure is MessageRejectedException { InnerException: { } inner } ? inner : failure;
        var now = HeaderText.Time(time.GetUtcNow());
        KeyValuePair<string, object?>[] headers =
        [
            new(WireHeaders.ErrorReason, reason),
            new(WireHeaders.ErrorMessage, failure.Message),
            new(WireHeaders.ErrorEndpoint, endpoint.Queue),
            new(WireHeaders.ErrorSystem, options.Value.System),
            new(WireHeaders.ErrorHost, Environment.MachineName),
            new(WireHeaders.ErrorTime, now),
            new(WireHeaders.Attempts, context.Attempt),
            new(WireHeaders.FirstFailure, message.GetHeader(WireHeaders.FirstFailure) ?? now),
            new(WireHeaders.LastFailure, now),
            new(WireHeaders.ErrorException, exception.GetType().FullName),
        ];
        await transport.SendToErrorQueueAsync(endpoint.ErrorQueue, message.WithHeaders(headers), context.CancellationToken).ConfigureAwait(false);
        using (var span = QazBusDiagnostics.ActivitySource.StartActivity($"{endpoint.ErrorQueue} dead-letter", ActivityKind.Producer))
        {
            span?.SetTag("messaging.destination.name", endpoint.ErrorQueue);
            span?.SetTag("qazbus.error.reason", reason);
            span?.SetTag("qazbus.attempts", context.Attempt);
        }

        LogDeadLettered(_logger, context.MessageId, endpoint.Queue, endpoint.ErrorQueue, reason, failure.Message);
        await PublishFaultAsync(context, reason, failure.Message, exception).ConfigureAwait(false);
    }

    // Operators subscribe to faults rather than poll error queues. The message itself is already safe in the error
    // queue, so a failed notification is logged, not retried: retrying would dead-letter the message twice.
    private async Task PublishFaultAsync(ReceiveContext context, string reason, string description, Exception exception)
    {
        var message = context.Message;
        var envelope = context.Envelope;
        var contract = envelope?.Type ?? message.GetHeader(WireHeaders.Type);
        if (contract == FaultContractName)
        {
            return; // a fault about a fault would loop
        }

        try
        {
            var fault = new MessageFaulted
            {
                MessageId = envelope?.Id ?? message.GetHeader(WireHeaders.Id),
                Contract = contract,
                Version = envelope?.Version,
                Source = envelope?.Source ?? message.GetHeader(WireHeaders.Source),
                Endpoint = context.Endpoint.Queue,
                ErrorQueue = context.Endpoint.ErrorQueue,
                Reason = reason,
                Description = description,
                ExceptionType = exception.GetType().FullName,
                Attempts = context.Attempt,
                FaultedAt = time.GetUtcNow(),
            };
            var notification = outgoing.Create(fault, new PublishOptions { CorrelationId = message.CorrelationId }, Activity.Current);
            await dispatcher.SendAsync(notification, context.CancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // see above: never fail the message because its notification failed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFaultNotPublished(_logger, ex, context.Endpoint.Queue);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} at {Endpoint} scheduled for redelivery {Redelivery} in {Delay}")]
    private static partial void LogRedelivery(ILogger logger, string messageId, string endpoint, int redelivery, string delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} moved from {Endpoint} to {ErrorQueue}: {Reason}: {Description}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string endpoint, string errorQueue, string reason, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the fault notification for a message dead-lettered at {Endpoint}")]
    private static partial void LogFaultNotPublished(ILogger logger, Exception exception, string endpoint);
}
