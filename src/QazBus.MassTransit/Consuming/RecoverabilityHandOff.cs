using System.Runtime.ExceptionServices;
using MassTransit;

namespace QazBus.MassTransit.Consuming;

/// <summary>
/// MassTransit's error pipe on a QazBus endpoint: throws the consumer's exception back to the SDK's recoverability
/// step (which retries, redelivers through the delay levels or dead-letters with the SDK's headers), instead of
/// MassTransit's <c>_error</c> queue and fault events.
/// </summary>
internal sealed class RethrowToQazBusFilter : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        ExceptionDispatchInfo.Capture(context.Exception).Throw();
        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("qazbus-recoverability");
}

/// <summary>
/// MassTransit's dead-letter pipe (a message no consumer took) on a QazBus endpoint: never skipped silently. The SDK's
/// pipeline routes only contracts the endpoint has consumers for, so this means a consumer was removed at run time;
/// the exception makes the SDK dead-letter the message with a reason.
/// </summary>
internal sealed class NotConsumedFilter : IFilter<ReceiveContext>
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next) =>
        throw new InvalidOperationException($"No MassTransit consumer at '{context.InputAddress}' took the message.");

    public void Probe(ProbeContext context) => context.CreateFilterScope("qazbus-not-consumed");
}
