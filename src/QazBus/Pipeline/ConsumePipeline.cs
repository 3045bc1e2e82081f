using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Handling;
using QazBus.Naming;
using QazBus.Observation;
using QazBus.Retry;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Validation;
using QazBus.Wire;

namespace QazBus.Pipeline;

/// <summary>
/// The consume pipeline of one endpoint: size ► headers ► contract and version ► sender ► JSON ► contract rules
/// ► upcast ► filters (inbox) ► handler, with immediate retries ► ack. On failure: delayed redelivery through the
/// broker, then the error queue with the reason in headers. Bad input goes to the error queue at once, and the
/// next message flows: bad input never stops a consumer.
/// </summary>
internal sealed partial class ConsumePipeline
{
    private readonly EndpointDefinition _endpoint;
    private readonly IBusTransport _transport;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly QazBusOptions _options;
    private readonly RetryPolicy _retry;
    private readonly DeprecationPolicy _deprecation;
    private readonly IMessageObserver[] _observers;
    private readonly KillSwitch _killSwitch;
    private readonly bool _hasFilters;
    private readonly Publishing.OutgoingMessageFactory _outgoing;
    private readonly Publishing.MessageDispatcher _dispatcher;
    private readonly Signing.MessageSigner _signer;

    public ConsumePipeline(EndpointDefinition endpoint, IServiceProvider services, Func<Task> onKillSwitchTripped)
    {
        _endpoint = endpoint;
        _transport = services.GetRequiredService<IBusTransport>();
        _scopes = services.GetRequiredService<IServiceScopeFactory>();
        _time = services.GetRequiredService<TimeProvider>();
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("QazBus.Consume");
        _options = services.GetRequiredService<IOptions<QazBusOptions>>().Value;
        _retry = services.GetRequiredService<RetryPolicy>();
        _deprecation = services.GetRequiredService<DeprecationPolicy>();
        _observers = services.GetServices<IMessageObserver>().ToArray();
        _killSwitch = new KillSwitch(_options.KillSwitch);
        _outgoing = services.GetRequiredService<Publishing.OutgoingMessageFactory>();
        _dispatcher = services.GetRequiredService<Publishing.MessageDispatcher>();
        _signer = services.GetRequiredService<Signing.MessageSigner>();
        OnKillSwitchTripped = onKillSwitchTripped;
        using var probe = _scopes.CreateScope();
        _hasFilters = probe.ServiceProvider.GetServices<IConsumeFilter>().Any();
    }

    private Func<Task> OnKillSwitchTripped { get; }

    public async Task HandleAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        IncomingEnvelope envelope;
        MessageRoute route;
        object contract;
        try
        {
            (envelope, route) = Route(message);
            contract = route.Upcast(Deserialize(message, route));
        }
        catch (MessageRejectedException rejected)
        {
            await DeadLetterAsync(message, null, rejected.Reason, rejected.Message, rejected.InnerException ?? rejected, attempts: 0, cancellationToken).ConfigureAwait(false);
            return;
        }

        _deprecation.OnConsume(route.WireContract);

        using var activity = QazBusDiagnostics.ActivitySource.StartActivity(
            $"{_endpoint.Queue} process", ActivityKind.Consumer, TraceContext.Extract(message));
        var schedule = _retry.For(_endpoint.Name, envelope.Type);
        var redeliveries = ReadInt(message, WireHeaders.Redeliveries);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", _endpoint.Queue);
            activity.SetTag("messaging.message.id", envelope.Id);
            activity.SetTag("messaging.rabbitmq.message.redelivered", message.Redelivered);
            activity.SetTag("qazbus.contract.name", envelope.Type);
            activity.SetTag("qazbus.contract.version", envelope.Version);
            activity.SetTag("qazbus.source", envelope.Source);
            activity.SetTag("qazbus.endpoint", _endpoint.Queue);
            activity.SetTag("qazbus.redelivery", redeliveries);
        }

        var tags = new TagList
        {
            { "qazbus.contract.name", envelope.Type },
            { "qazbus.contract.version", envelope.Version },
            { "qazbus.endpoint", _endpoint.Queue },
        };

        // Attempt numbers run on across redeliveries: with 2 immediate retries, redelivery 1 starts at attempt 4.
        var firstAttempt = (redeliveries * schedule.AttemptsPerDelivery) + 1;
        var attempt = firstAttempt;
        Exception? failure = null;
        var duplicate = false;
        for (; attempt < firstAttempt + schedule.AttemptsPerDelivery; attempt++)
        {
            if (attempt > firstAttempt)
            {
                QazBusDiagnostics.Retried.Add(1, tags);
                activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["qazbus.attempt"] = attempt }));
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                duplicate = await InvokeAsync(route, contract, envelope, attempt, cancellationToken).ConfigureAwait(false);
                failure = null;
                break;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw; // shutting down: the transport returns the message to the queue
            }
#pragma warning disable CA1031 // A handler may throw anything; every failure is classified, never lost.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
                QazBusDiagnostics.Failed.Add(1, tags);
                LogHandlerFailed(_logger, ex, envelope.Type, envelope.Version, envelope.Id, _endpoint.Queue, attempt);
                if (_retry.IsPermanent(ex))
                {
                    break;
                }
            }
            finally
            {
                QazBusDiagnostics.HandlerDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }
        }

        var tripped = _killSwitch.Record(failed: failure is not null && !_retry.IsPermanent(failure));

        if (failure is null)
        {
            if (duplicate)
            {
                QazBusDiagnostics.Duplicates.Add(1, tags);
            }
            else
            {
                QazBusDiagnostics.Consumed.Add(1, tags);
            }

            activity?.SetTag("qazbus.attempt", attempt);
            await ObserveAsync(message, envelope, duplicate ? MessageOutcome.Duplicate : MessageOutcome.Handled, null, attempt, cancellationToken).ConfigureAwait(false);
            return;
        }

        activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().FullName);
        var attempts = Math.Min(attempt, firstAttempt + schedule.AttemptsPerDelivery - 1);
        activity?.SetTag("qazbus.attempt", attempts);
        if (!_retry.IsPermanent(failure) && redeliveries < schedule.Delays.Length)
        {
            await ScheduleRedeliveryAsync(message, envelope, schedule.Delays[redeliveries], redeliveries + 1, failure, attempts, activity, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var reason = failure switch
            {
                MessageRejectedException rejected => rejected.Reason,
                ContractValidationException => RejectReason.SchemaViolation,
                _ => RejectReason.HandlerFailed,
            };
            await DeadLetterAsync(message, envelope, reason, failure.Message, failure, attempts, cancellationToken).ConfigureAwait(false);
        }

        if (tripped)
        {
            await OnKillSwitchTripped().ConfigureAwait(false);
        }
    }

    private (IncomingEnvelope Envelope, MessageRoute Route) Route(TransportMessage message)
    {
        // First, before anything that could crash again: a message whose every delivery so far ended with the
        // consumer gone (a handler that kills the process, a connection cut each time) is not handled once more. This
        // is its last delivery: the queue's x-delivery-limit would dead-letter it on the next return anyway, without
        // our reason headers and fault notification.
        if (_options.Transport == TransportKind.RabbitMq
            && ReadInt(message, QueueArguments.DeliveryCountHeader) is var returned && returned >= _options.RabbitMq.DeliveryLimit)
        {
            throw new MessageRejectedException(RejectReason.DeliveryLimit,
                $"The message came back to '{_endpoint.Queue}' unacknowledged {returned} times (its consumer stopped while handling it each time); {QazBusOptions.SectionName}:RabbitMq:DeliveryLimit allows {_options.RabbitMq.DeliveryLimit}.");
        }

        if (message.Body.Length > _options.MaxMessageBytes)
        {
            throw new MessageRejectedException(RejectReason.Oversized,
                $"Body is {message.Body.Length} bytes; {QazBusOptions.SectionName}:MaxMessageBytes allows {_options.MaxMessageBytes}.");
        }

        var envelope = IncomingEnvelope.Read(message);

        // Verify the sender first: nothing else about a forged message is worth looking at.
        _signer.Verify(message, envelope);
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
        if (!Platform.MayPublish(BusNames.AgencyOf(envelope.Source), route.WireContract))
        {
            throw new MessageRejectedException(RejectReason.SenderNotOwner,
                $"Sender '{envelope.Source}' is not a system of agency '{route.WireContract.Owner}', the owner of '{envelope.Type}'.");
        }

        return (envelope, route);
    }

    private static object Deserialize(TransportMessage message, MessageRoute route)
    {
        object contract;
        try
        {
            contract = JsonSerializer.Deserialize(message.Body.Span, route.WireContract.ClrType, BusJson.Options)
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

        // The same rules the publisher checked: a sender that skipped them (or a non-.NET one) is caught here.
        var violations = ContractValidator.Validate(contract);
        if (violations.Count > 0)
        {
            throw new MessageRejectedException(RejectReason.SchemaViolation,
                $"Body breaks contract '{route.WireContract.Name}' v{route.WireContract.MajorVersion}: {string.Join("; ", violations)}");
        }

        return contract;
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

    // Returns true when a filter (the inbox) recognised a duplicate and the handler was not called.
    private async Task<bool> InvokeAsync(MessageRoute route, object contract, IncomingEnvelope envelope, int attempt, CancellationToken cancellationToken)
    {
        var messageContext = new MessageContext
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
            if (!_hasFilters)
            {
                await route.Invoke(scope.ServiceProvider, contract, messageContext, cancellationToken).ConfigureAwait(false);
                return false;
            }

            var context = new ConsumeContext
            {
                Message = messageContext,
                Contract = contract,
                Services = scope.ServiceProvider,
                CancellationToken = cancellationToken,
            };
            ConsumeStep pipeline = c => route.Invoke(c.Services, c.Contract, c.Message, c.CancellationToken);
            foreach (var filter in scope.ServiceProvider.GetServices<IConsumeFilter>().Reverse())
            {
                var next = pipeline;
                pipeline = c => filter.InvokeAsync(c, next);
            }

            await pipeline(context).ConfigureAwait(false);
            return context.IsDuplicate;
        }
    }

    private async Task ScheduleRedeliveryAsync(
        TransportMessage message, IncomingEnvelope envelope, TimeSpan delay, int redelivery, Exception failure, int attempts, Activity? activity, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var headers = new List<KeyValuePair<string, object?>>
        {
            new(WireHeaders.Redeliveries, redelivery),
            new(WireHeaders.Attempts, attempts),
            new(WireHeaders.FirstFailure, message.GetHeader(WireHeaders.FirstFailure) ?? DelayLevels.Rfc3339(now)),
            new(WireHeaders.LastFailure, DelayLevels.Rfc3339(now)),
            new(WireHeaders.NextAttempt, DelayLevels.Rfc3339(now + delay)),
            new(WireHeaders.ErrorException, failure.GetType().FullName),
        };

        // The body and the sender's headers travel unchanged; the retry state rides along in qazbus-* headers.
        await _transport.SendDelayedAsync(_endpoint.Queue, message.WithHeaders(headers), delay, cancellationToken).ConfigureAwait(false);
        QazBusDiagnostics.Redelivered.Add(1,
            new KeyValuePair<string, object?>("qazbus.contract.name", envelope.Type),
            new KeyValuePair<string, object?>("qazbus.endpoint", _endpoint.Queue));
        activity?.AddEvent(new ActivityEvent("redelivery scheduled", tags: new ActivityTagsCollection
        {
            ["qazbus.redelivery"] = redelivery,
            ["qazbus.delay_ms"] = delay.TotalMilliseconds,
        }));
        LogRedelivery(_logger, envelope.Id, _endpoint.Queue, redelivery, DelayLevels.Label(delay));
        await ObserveAsync(message, envelope, MessageOutcome.RedeliveryScheduled, RejectReason.HandlerFailed, attempts, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeadLetterAsync(
        TransportMessage message, IncomingEnvelope? envelope, string reason, string description, Exception? exception, int attempts, CancellationToken cancellationToken)
    {
        var now = DelayLevels.Rfc3339(_time.GetUtcNow());
        var headers = new List<KeyValuePair<string, object?>>
        {
            new(WireHeaders.ErrorReason, reason),
            new(WireHeaders.ErrorMessage, description),
            new(WireHeaders.ErrorEndpoint, _endpoint.Queue),
            new(WireHeaders.ErrorSystem, _options.System),
            new(WireHeaders.ErrorHost, Environment.MachineName),
            new(WireHeaders.ErrorTime, now),
            new(WireHeaders.Attempts, attempts),
            new(WireHeaders.FirstFailure, message.GetHeader(WireHeaders.FirstFailure) ?? now),
            new(WireHeaders.LastFailure, now),
        };
        if (exception is not null)
        {
            headers.Add(new(WireHeaders.ErrorException, exception.GetType().FullName));
        }

        // The original body and headers travel untouched; only qazbus-* headers are added.
        await _transport.SendToErrorQueueAsync(_endpoint.ErrorQueue, message.WithHeaders(headers), cancellationToken).ConfigureAwait(false);

        QazBusDiagnostics.DeadLettered.Add(1,
            new KeyValuePair<string, object?>("qazbus.endpoint", _endpoint.Queue),
            new KeyValuePair<string, object?>("qazbus.error.reason", reason));
        using (var span = QazBusDiagnostics.ActivitySource.StartActivity($"{_endpoint.ErrorQueue} dead-letter", ActivityKind.Producer, TraceContext.Extract(message)))
        {
            span?.SetTag("messaging.destination.name", _endpoint.ErrorQueue);
            span?.SetTag("qazbus.error.reason", reason);
            span?.SetTag("qazbus.attempts", attempts);
        }

        LogDeadLettered(_logger, message.GetHeader(WireHeaders.Id) ?? message.MessageId ?? "(none)", _endpoint.Queue, _endpoint.ErrorQueue, reason, description);
        await ObserveAsync(message, envelope, MessageOutcome.DeadLettered, reason, attempts, cancellationToken).ConfigureAwait(false);
        await PublishFaultAsync(message, envelope, reason, description, exception, attempts, cancellationToken).ConfigureAwait(false);
    }

    // Operators subscribe to faults rather than poll error queues. The message itself is already safe in the error
    // queue, so a failed notification is logged, not retried: retrying would dead-letter the message twice.
    private async Task PublishFaultAsync(
        TransportMessage message, IncomingEnvelope? envelope, string reason, string description, Exception? exception, int attempts, CancellationToken cancellationToken)
    {
        if (envelope?.Type == FaultContractName)
        {
            return; // a fault about a fault would loop
        }

        try
        {
            var fault = new Operations.MessageFaulted
            {
                MessageId = envelope?.Id ?? message.GetHeader(WireHeaders.Id),
                Contract = envelope?.Type ?? message.GetHeader(WireHeaders.Type),
                Version = envelope?.Version,
                Source = envelope?.Source ?? message.GetHeader(WireHeaders.Source),
                Endpoint = _endpoint.Queue,
                ErrorQueue = _endpoint.ErrorQueue,
                Reason = reason,
                Description = description,
                ExceptionType = exception?.GetType().FullName,
                Attempts = attempts,
                FaultedAt = _time.GetUtcNow(),
            };
            var outgoing = _outgoing.Create(fault, new Publishing.PublishOptions { CorrelationId = message.CorrelationId }, Activity.Current);
            await _dispatcher.SendAsync(outgoing, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // see above: never fail the message because its notification failed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFaultNotPublished(_logger, ex, _endpoint.Queue);
        }
    }

    private static readonly string FaultContractName = ContractDescriptor.For(typeof(Operations.MessageFaulted)).Name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the fault notification for a message dead-lettered at {Endpoint}")]
    private static partial void LogFaultNotPublished(ILogger logger, Exception exception, string endpoint);

    private async Task ObserveAsync(TransportMessage message, IncomingEnvelope? envelope, MessageOutcome outcome, string? reason, int attempts, CancellationToken cancellationToken)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var record = new MessageRecord
        {
            MessageId = envelope?.Id ?? message.GetHeader(WireHeaders.Id) ?? message.MessageId,
            Contract = envelope?.Type ?? message.GetHeader(WireHeaders.Type),
            Version = envelope?.Version,
            Source = envelope?.Source ?? message.GetHeader(WireHeaders.Source),
            Destination = _endpoint.Queue,
            System = _options.System,
            CorrelationId = message.CorrelationId,
            TraceParent = message.GetHeader(WireHeaders.TraceParent),
            Outcome = outcome,
            Reason = reason,
            Attempts = attempts,
            Time = _time.GetUtcNow(),
            Body = message.Body,
        };
        foreach (var observer in _observers)
        {
            await observer.OnConsumedAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    private static int ReadInt(TransportMessage message, string header) =>
        int.TryParse(message.GetHeader(header), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler failed for {Contract} v{Version} message {MessageId} at {Endpoint}, attempt {Attempt}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string contract, int version, string messageId, string endpoint, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} at {Endpoint} scheduled for redelivery {Redelivery} in {Delay}")]
    private static partial void LogRedelivery(ILogger logger, string messageId, string endpoint, int redelivery, string delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} moved from {Endpoint} to {ErrorQueue}: {Reason}: {Description}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string endpoint, string errorQueue, string reason, string description);
}
