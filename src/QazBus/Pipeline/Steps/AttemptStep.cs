using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QazBus.Handling;
using QazBus.Pipeline.Recoverability;
using QazBus.Telemetry;

namespace QazBus.Pipeline.Steps;

/// <summary>One handler attempt: its number, what the handler sees of the message, its DI scope, its duration, and the log line when it fails.</summary>
internal sealed partial class AttemptStep(IServiceScopeFactory scopes, RecoverabilityPolicy policy, ILogger logger) : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var envelope = context.Envelope!;
        context.Attempt = policy.AttemptOf(context);
        context.Duplicate = false;
        context.MessageContext = new MessageContext
        {
            MessageId = envelope.Id,
            Source = envelope.Source,
            Contract = envelope.Type,
            Version = envelope.Version,
            Time = envelope.Time,
            Endpoint = context.Endpoint.Queue,
            CorrelationId = envelope.CorrelationId,
            Attempt = context.Attempt,
        };

        var tags = context.Tags;
        var started = Stopwatch.GetTimestamp();
        var scope = scopes.CreateAsyncScope();
        try
        {
            await using (scope.ConfigureAwait(false))
            {
                context.Services = scope.ServiceProvider;
                await next(context).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            QazBusDiagnostics.Failed.Add(1, tags);
            LogHandlerFailed(logger, ex, envelope.Type, envelope.Version, envelope.Id, context.Endpoint.Queue, context.Attempt);
            throw;
        }
        finally
        {
            context.Services = null;
            QazBusDiagnostics.HandlerDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler failed for {Contract} v{Version} message {MessageId} at {Endpoint}, attempt {Attempt}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string contract, int version, string messageId, string endpoint, int attempt);
}
