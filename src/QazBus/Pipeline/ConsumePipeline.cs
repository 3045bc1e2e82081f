using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using QazBus.Configuration;
using QazBus.Handling;
using QazBus.Naming;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Pipeline;

/// <summary>
/// The consume pipeline of one endpoint: size ► headers ► contract and version ► sender ► JSON ► handler with
/// retries ► ack. A message that cannot succeed goes to the endpoint's error queue with the reason in headers,
/// and the next message flows: bad input never stops a consumer.
/// </summary>
internal sealed partial class ConsumePipeline
{
    private readonly EndpointDefinition _endpoint;
    private readonly IBusTransport _transport;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly QazBusOptions _options;
    private readonly ResiliencePipeline<int> _retry;

    public ConsumePipeline(
        EndpointDefinition endpoint,
        IBusTransport transport,
        IServiceScopeFactory scopes,
        IOptions<QazBusOptions> options,
        TimeProvider time,
        ILogger logger)
    {
        _endpoint = endpoint;
        _transport = transport;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _retry = BuildRetry(_options.Retry);
    }

    public async Task HandleAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        IncomingEnvelope envelope;
        MessageRoute route;
        object contract;
        try
        {
            (envelope, route) = Route(message);
            contract = Deserialize(message, route);
        }
        catch (MessageRejectedException rejected)
        {
            await DeadLetterAsync(message, rejected.Reason, rejected.Message, rejected.InnerException ?? rejected, attempts: 0, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var activity = QazBusDiagnostics.ActivitySource.StartActivity(
            $"{_endpoint.Queue} process", ActivityKind.Consumer, TraceContext.Extract(message));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", _endpoint.Queue);
            activity.SetTag("messaging.message.id", envelope.Id);
            activity.SetTag("qazbus.contract.name", envelope.Type);
            activity.SetTag("qazbus.contract.version", envelope.Version);
            activity.SetTag("qazbus.source", envelope.Source);
            activity.SetTag("qazbus.endpoint", _endpoint.Queue);
        }

        var tags = new TagList
        {
            { "qazbus.contract.name", envelope.Type },
            { "qazbus.contract.version", envelope.Version },
            { "qazbus.endpoint", _endpoint.Queue },
        };

        var state = new AttemptState();
        Exception? lastFailure = null;
        try
        {
            await _retry.ExecuteAsync(
                async (state, token) =>
                {
                    state.Attempts++;
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await InvokeAsync(route, contract, envelope, state.Attempts, token).ConfigureAwait(false);
                        return state.Attempts;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        QazBusDiagnostics.Failed.Add(1, tags);
                        LogHandlerFailed(_logger, ex, envelope.Type, envelope.Version, envelope.Id, _endpoint.Queue, state.Attempts);
                        throw;
                    }
                    finally
                    {
                        QazBusDiagnostics.HandlerDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
                    }
                },
                state,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: let the transport return the message to the queue.
            throw;
        }
        catch (Exception ex)
        {
            lastFailure = ex;
        }

        if (lastFailure is null)
        {
            QazBusDiagnostics.Consumed.Add(1, tags);
            return;
        }

        activity?.SetStatus(ActivityStatusCode.Error, lastFailure.GetType().FullName);
        var reason = lastFailure is MessageRejectedException rejectedByHandler ? rejectedByHandler.Reason : RejectReason.HandlerFailed;
        await DeadLetterAsync(message, reason, lastFailure.Message, lastFailure, state.Attempts, cancellationToken).ConfigureAwait(false);
    }

    private (IncomingEnvelope Envelope, MessageRoute Route) Route(TransportMessage message)
    {
        if (message.Body.Length > _options.MaxMessageBytes)
        {
            throw new MessageRejectedException(RejectReason.Oversized,
                $"Body is {message.Body.Length} bytes; {QazBusOptions.SectionName}:MaxMessageBytes allows {_options.MaxMessageBytes}.");
        }

        var envelope = IncomingEnvelope.Read(message);
        if (!_endpoint.HandlesContract(envelope.Type))
        {
            throw new MessageRejectedException(RejectReason.UnknownContract,
                $"Endpoint '{_endpoint.Queue}' has no handler for contract '{envelope.Type}'.");
        }

        if (!_endpoint.TryGetRoute(envelope.Type, envelope.Version, out var route))
        {
            throw new MessageRejectedException(RejectReason.UnknownVersion,
                $"Endpoint '{_endpoint.Queue}' handles contract '{envelope.Type}' in version(s) {string.Join(", ", _endpoint.VersionsOf(envelope.Type).Select(v => "v" + v))}, not v{envelope.Version}.");
        }

        // Only the owner agency publishes a contract; a message claiming otherwise is forged or misrouted.
        var senderAgency = BusNames.AgencyOf(envelope.Source);
        if (!string.Equals(senderAgency, route.WireContract.Owner, StringComparison.Ordinal))
        {
            throw new MessageRejectedException(RejectReason.SenderNotOwner,
                $"Sender '{envelope.Source}' is not a system of agency '{route.WireContract.Owner}', the owner of '{envelope.Type}'.");
        }

        return (envelope, route);
    }

    private static object Deserialize(TransportMessage message, MessageRoute route)
    {
        try
        {
            return JsonSerializer.Deserialize(message.Body.Span, route.WireContract.ClrType, BusJson.Options)
                ?? throw new MessageRejectedException(RejectReason.DeserializationFailed,
                    $"Body is JSON null; contract '{route.WireContract.Name}' v{route.WireContract.MajorVersion} needs an object.");
        }
        catch (JsonException ex)
        {
            // Tell "not JSON at all" from "JSON of the wrong shape": only this failure path pays the second parse.
            if (!IsWellFormedJson(message.Body.Span))
            {
                throw new MessageRejectedException(RejectReason.MalformedJson, $"Body is not well-formed JSON: {ex.Message}", ex);
            }

            throw new MessageRejectedException(RejectReason.DeserializationFailed,
                $"Body does not match contract '{route.WireContract.Name}' v{route.WireContract.MajorVersion}: {ex.Message}", ex);
        }
    }

    private static bool IsWellFormedJson(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task InvokeAsync(MessageRoute route, object contract, IncomingEnvelope envelope, int attempt, CancellationToken cancellationToken)
    {
        var context = new MessageContext
        {
            MessageId = envelope.Id,
            Source = envelope.Source,
            Contract = envelope.Type,
            Version = envelope.Version,
            Time = envelope.Time,
            Endpoint = _endpoint.Queue,
            CorrelationId = envelope.CorrelationId,
            Attempt = attempt,
        };

        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await route.Invoke(scope.ServiceProvider, contract, context, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeadLetterAsync(TransportMessage message, string reason, string description, Exception? exception, int attempts, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, object?>>
        {
            new(WireHeaders.ErrorReason, reason),
            new(WireHeaders.ErrorMessage, description),
            new(WireHeaders.ErrorEndpoint, _endpoint.Queue),
            new(WireHeaders.ErrorSystem, _options.System),
            new(WireHeaders.ErrorHost, Environment.MachineName),
            new(WireHeaders.ErrorTime, now),
            new(WireHeaders.Attempts, attempts),
        };
        if (exception is not null)
        {
            headers.Add(new(WireHeaders.ErrorException, exception.GetType().FullName));
        }

        // The original body and headers travel untouched; only qazbus-error-* headers are added.
        await _transport.SendToQueueAsync(_endpoint.ErrorQueue, message.WithHeaders(headers), cancellationToken).ConfigureAwait(false);

        QazBusDiagnostics.DeadLettered.Add(1,
            new KeyValuePair<string, object?>("qazbus.endpoint", _endpoint.Queue),
            new KeyValuePair<string, object?>("qazbus.error.reason", reason));
        LogDeadLettered(_logger, message.GetHeader(WireHeaders.Id) ?? message.MessageId ?? "(none)", _endpoint.Queue, _endpoint.ErrorQueue, reason, description);
    }

    private static ResiliencePipeline<int> BuildRetry(RetryOptions retry)
    {
        var builder = new ResiliencePipelineBuilder<int>();
        if (retry.ImmediateRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<int>
            {
                MaxRetryAttempts = retry.ImmediateRetries,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                // A rejection is permanent: retrying it cannot help.
                ShouldHandle = new PredicateBuilder<int>().Handle<Exception>(ex => ex is not MessageRejectedException and not OperationCanceledException),
            });
        }

        return builder.Build();
    }

    private sealed class AttemptState
    {
        public int Attempts { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler failed for {Contract} v{Version} message {MessageId} at {Endpoint}, attempt {Attempt}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string contract, int version, string messageId, string endpoint, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} moved from {Endpoint} to {ErrorQueue}: {Reason}: {Description}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string endpoint, string errorQueue, string reason, string description);
}
