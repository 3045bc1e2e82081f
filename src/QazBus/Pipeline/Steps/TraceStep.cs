using System.Diagnostics;
using QazBus.Telemetry;

namespace QazBus.Pipeline.Steps;

/// <summary>The consumer span of a message, continuing the sender's trace; every later span of the message is its child.</summary>
internal sealed class TraceStep : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var message = context.Message;
        using var activity = QazBusDiagnostics.ActivitySource.StartActivity(
            $"{context.Endpoint.Queue} process", ActivityKind.Consumer, TraceContext.Extract(message));
        context.Activity = activity;
        await next(context).ConfigureAwait(false);
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("messaging.system", "rabbitmq");
        activity.SetTag("messaging.operation.type", "process");
        activity.SetTag("messaging.destination.name", context.Endpoint.Queue);
        activity.SetTag("messaging.message.id", context.MessageId);
        activity.SetTag("messaging.rabbitmq.message.redelivered", message.Redelivered);
        activity.SetTag("qazbus.endpoint", context.Endpoint.Queue);
        activity.SetTag("qazbus.redelivery", context.Redeliveries);
        if (context.Envelope is { } envelope)
        {
            activity.SetTag("qazbus.contract.name", envelope.Type);
            activity.SetTag("qazbus.contract.version", envelope.Version);
            activity.SetTag("qazbus.source", envelope.Source);
        }

        if (context.Attempt > 0)
        {
            activity.SetTag("qazbus.attempt", context.Attempt);
        }

        if (context.Failure is { } failure)
        {
            activity.SetStatus(ActivityStatusCode.Error, context.Reason ?? failure.GetType().FullName);
        }
    }
}
