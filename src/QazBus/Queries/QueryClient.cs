using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Observation;
using QazBus.Pipeline;
using QazBus.Publishing;
using QazBus.Runtime;
using QazBus.Signing;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Queries;

/// <summary>
/// The requester's side of a query. Synchronous requests are sent on one request channel that receives their answers
/// by direct reply-to, matched to the waiting caller by correlation id; each answer is verified (envelope, signature,
/// answering agency, request hash) before the caller sees it. Asynchronous requests name this system's durable reply
/// queue and return at once.
/// </summary>
internal sealed partial class QueryClient : IQueryClient, IAsyncDisposable
{
    private static readonly ContractDescriptor RejectedContract = ContractDescriptor.For(typeof(QueryRejected));

    private readonly IBusTransport _transport;
    private readonly OutgoingMessageFactory _factory;
    private readonly MessageDispatcher _dispatcher;
    private readonly ContractDescriptorCache _catalog;
    private readonly MessageSigner _signer;
    private readonly IMessageObserver[] _observers;
    private readonly BusEndpoints _endpoints;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _system;
    private readonly TimeSpan _publishTimeout;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    // Asynchronous requests sent by this process and not answered yet, with their hashes: an answer must name one
    // of them exactly. After a restart the map is empty, and the answer's hash is checked against the message log.
    private readonly ConcurrentDictionary<string, (string Hash, DateTimeOffset Deadline)> _sent = new(StringComparer.Ordinal);
    private int _sweepAt = 10_000;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IRequestChannel? _channel;

    public QueryClient(
        IBusTransport transport,
        OutgoingMessageFactory factory,
        MessageDispatcher dispatcher,
        ContractDescriptorCache catalog,
        MessageSigner signer,
        IEnumerable<IMessageObserver> observers,
        BusEndpoints endpoints,
        IOptions<QazBusOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _transport = transport;
        _factory = factory;
        _dispatcher = dispatcher;
        _catalog = catalog;
        _signer = signer;
        _observers = observers.ToArray();
        _endpoints = endpoints;
        _time = time;
        _logger = loggers.CreateLogger("QazBus.Queries");
        _system = options.Value.System;
        _publishTimeout = options.Value.RabbitMq.PublishRetryTimeout > TimeSpan.Zero ? options.Value.RabbitMq.PublishRetryTimeout : TimeSpan.FromSeconds(30);
    }

    public async Task<TResponse> RequestAsync<TRequest, TResponse>(TRequest request, TimeSpan timeout, RequestOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : class, IQuery<TResponse>
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var query = QueryOf(typeof(TRequest));
        var response = _catalog.Get<TResponse>();
        var started = _time.GetTimestamp();
        var channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);

        using var activity = _factory.StartActivity(typeof(TRequest), "request", ActivityKind.Client);
        var deadline = _time.GetUtcNow() + timeout;
        var (outgoing, hash) = Build(request, options, activity, deadline, channel.ReplyTo);
        var pending = new Pending(query, response, hash, new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[outgoing.MessageId] = pending;

        // One deadline for the whole round trip, the broker's confirm of the request included.
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = timeout - _time.GetElapsedTime(started);
        expiry.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            await SendAsync(channel, outgoing, hash, expiry.Token).ConfigureAwait(false);
            var answer = await pending.Answer.Task.WaitAsync(expiry.Token).ConfigureAwait(false);
            return (TResponse)answer;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !pending.Answer.Task.IsCompleted)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            throw new QueryTimeoutException($"{query.Name} v{query.MajorVersion}", outgoing.MessageId, timeout);
        }
        catch (QueryRejectedException rejected)
        {
            activity?.SetTag("qazbus.query.status", QueryRejection.Text(rejected.Code));
            throw;
        }
        finally
        {
            _pending.TryRemove(outgoing.MessageId, out _);
        }
    }

    public async Task<string> SendRequestAsync<TRequest>(TRequest request, TimeSpan timeToLive, RequestOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        var query = QueryOf(typeof(TRequest));
        if (_endpoints.Replies is not { } replies || !replies.Handles(query))
        {
            throw new InvalidOperationException(
                $"System '{_system}' has no response handler for query '{query.Name}' v{query.MajorVersion}: register one with AddQueryResponseHandler<{typeof(TRequest).Name}, …>() so the answer has somewhere to go.");
        }

        var channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        using var activity = _factory.StartActivity(typeof(TRequest), "request", ActivityKind.Producer);
        var (outgoing, hash) = Build(request, options, activity, _time.GetUtcNow() + timeToLive, BusNames.ReplyQueue(_system));

        Remember(outgoing.MessageId, hash, _time.GetUtcNow() + timeToLive);

        // Waits for the broker's confirm like a publish: at most PublishRetryTimeout.
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        expiry.CancelAfter(_publishTimeout);
        try
        {
            await SendAsync(channel, outgoing, hash, expiry.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"RabbitMQ did not confirm request {outgoing.MessageId} to '{outgoing.Exchange}' within {QazBusOptions.SectionName}:RabbitMq:PublishRetryTimeout ({_publishTimeout}); send it again with the same RequestOptions.RequestId.", ex);
        }

        return outgoing.MessageId;
    }

    /// <summary>
    /// Checks an asynchronous answer's request hash against the request this process sent: false when it names
    /// another question. An answer to a request this process does not know (sent before a restart) is not judged here.
    /// </summary>
    internal bool AnswerMatches(string requestId, string hash)
    {
        if (!_sent.TryGetValue(requestId, out var sent))
        {
            return true;
        }

        if (!string.Equals(sent.Hash, hash, StringComparison.Ordinal))
        {
            return false;
        }

        _sent.TryRemove(requestId, out _);
        return true;
    }

    private void Remember(string requestId, string hash, DateTimeOffset deadline)
    {
        // Bounded by the requests' ends of life: past it an answer is expired anyway. Swept when the map has doubled
        // since the last sweep, not on every request: many long-lived requests must not make each send a scan.
        if (_sent.Count > Volatile.Read(ref _sweepAt))
        {
            var now = _time.GetUtcNow();
            foreach (var (id, entry) in _sent)
            {
                if (entry.Deadline < now)
                {
                    _sent.TryRemove(id, out _);
                }
            }

            Volatile.Write(ref _sweepAt, Math.Max(10_000, _sent.Count * 2));
        }

        _sent[requestId] = (hash, deadline);
    }

    private ContractDescriptor QueryOf(Type requestType)
    {
        var query = _catalog.Get(requestType);
        return query.IsQuery ? query
            : throw new ArgumentException($"Contract '{query.Name}' v{query.MajorVersion} ({requestType.Name}) is not a query: a query's request record implements IQuery<TResponse>.", nameof(requestType));
    }

    private (OutgoingMessage Message, string Hash) Build(object request, RequestOptions? options, Activity? activity, DateTimeOffset deadline, string replyTo)
    {
        var deadlineText = HeaderText.Time(deadline.ToUniversalTime());
        var outgoing = _factory.Create(
            request,
            new PublishOptions { MessageId = options?.RequestId, CorrelationId = options?.CorrelationId },
            activity,
            [new(WireHeaders.Deadline, deadlineText)],
            replyTo);
        var headers = outgoing.Message.Headers;
        // The source is this system, or the client system a gateway asks for (SourceScope).
        var hash = RequestHash.Compute(
            outgoing.MessageId, (string)headers[WireHeaders.Source]!, (string)headers[WireHeaders.DataSchema]!, (string)headers[WireHeaders.Time]!, deadlineText, outgoing.Message.Body.Span);
        activity?.SetTag("messaging.message.id", outgoing.MessageId);
        activity?.SetTag("qazbus.query.deadline", deadlineText);
        if (SourceScope.Current is { } scope)
        {
            scope.RequestHash = hash;
        }

        return (outgoing, hash);
    }

    private async Task SendAsync(IRequestChannel channel, OutgoingMessage outgoing, string hash, CancellationToken cancellationToken)
    {
        await _dispatcher.EnsureExchangeAsync(outgoing.Exchange, cancellationToken).ConfigureAwait(false);
        await channel.PublishAsync(outgoing.Exchange, outgoing.Message, cancellationToken).ConfigureAwait(false);
        await _dispatcher.RecordPublishedAsync(outgoing, outgoing.Exchange, hash, reason: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IRequestChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { } channel)
        {
            return channel;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _channel ??= await _transport.OpenRequestChannelAsync(OnReplyAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // An answer on the request channel. Nothing here throws back into the transport: a bad or late answer is logged
    // and dropped, and its caller gets the real answer or its timeout.
    private async Task OnReplyAsync(TransportMessage message)
    {
        var requestId = message.CorrelationId;
        if (requestId is null || !_pending.TryGetValue(requestId, out var pending))
        {
            LogLateAnswer(_logger, requestId, message.GetHeader(WireHeaders.Source), message.GetHeader(WireHeaders.QueryStatus));
            return;
        }

        using var activity = QazBusDiagnostics.ActivitySource.StartActivity(
            $"{pending.Query.Exchange} answer", ActivityKind.Consumer, TraceContext.Extract(message));
        IncomingEnvelope envelope;
        try
        {
            envelope = IncomingEnvelope.Read(message);
            _signer.Verify(message, envelope);
        }
        catch (MessageRejectedException ex)
        {
            LogBadAnswer(_logger, requestId, ex.Reason, ex.Message);
            return;
        }

        // Only the answering agency answers (direct reply-to reaches the requester from anyone who knows the token),
        // and the answer must name this very request: its hash is the evidence kept in both message logs.
        if (BusNames.AgencyOf(envelope.Source) != pending.Query.Owner)
        {
            LogBadAnswer(_logger, requestId, RejectReason.SenderNotOwner, $"'{envelope.Source}' is not a system of agency '{pending.Query.Owner}'.");
            return;
        }

        var hash = message.GetHeader(WireHeaders.RequestHash);
        if (hash != pending.Hash)
        {
            LogBadAnswer(_logger, requestId, "request-hash", $"The answer's {WireHeaders.RequestHash} '{hash}' is not the request's.");
            return;
        }

        if (!_pending.TryRemove(requestId, out _))
        {
            return; // answered already
        }

        var status = message.GetHeader(WireHeaders.QueryStatus) ?? QueryRejection.Ok;
        activity?.SetTag("qazbus.query.status", status);
        activity?.SetTag("messaging.message.conversation_id", requestId);
        object? response = null;
        Exception? failure = null;
        try
        {
            if (envelope.Type == RejectedContract.Name && envelope.Version == RejectedContract.MajorVersion)
            {
                var rejected = (QueryRejected)ContractBody.Read(message.Body.Span, RejectedContract);
                failure = QueryRejectedException.Create(
                    QueryRejection.TryParse(rejected.Code, out var code) ? code : QueryRejectionCode.Failure, rejected.Message, requestId, envelope.Source);
            }
            else if (envelope.Type == pending.Response.Name && envelope.Version == pending.Response.MajorVersion)
            {
                response = ContractBody.Read(message.Body.Span, pending.Response);
            }
            else
            {
                failure = new QueryFailureException($"The answer is '{envelope.Type}' v{envelope.Version}; query '{pending.Query.Name}' v{pending.Query.MajorVersion} is answered with '{pending.Response.Name}' v{pending.Response.MajorVersion}.");
            }
        }
        catch (MessageRejectedException ex)
        {
            failure = new QueryFailureException($"The answer breaks its contract ({ex.Reason}): {ex.Message}") { RequestId = requestId, Provider = envelope.Source };
        }

        try
        {
            await RecordAsync(message, envelope, requestId, hash, status).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The audit record failed: the caller must not act on an answer the log does not hold.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        if (failure is not null)
        {
            pending.Answer.TrySetException(failure);
        }
        else
        {
            pending.Answer.TrySetResult(response!);
        }
    }

    private async Task RecordAsync(TransportMessage message, IncomingEnvelope envelope, string requestId, string hash, string status)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var record = new MessageRecord
        {
            MessageId = envelope.Id,
            Contract = envelope.Type,
            Version = envelope.Version,
            Source = envelope.Source,
            Destination = WireHeaders.DirectReplyTo,
            System = _system,
            CorrelationId = requestId,
            TraceParent = message.GetHeader(WireHeaders.TraceParent),
            Outcome = MessageOutcome.Handled,
            Reason = status == QueryRejection.Ok ? null : status,
            Attempts = 1,
            Time = _time.GetUtcNow(),
            RequestHash = hash,
            Body = message.Body,
        };
        foreach (var observer in _observers)
        {
            await observer.OnConsumedAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private sealed record Pending(ContractDescriptor Query, ContractDescriptor Response, string Hash, TaskCompletionSource<object> Answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Late query answer dropped: request {RequestId} (answered by {Provider}, status {Status}) is no longer awaited; its requester timed out")]
    private static partial void LogLateAnswer(ILogger logger, string? requestId, string? provider, string? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Query answer to request {RequestId} dropped ({Reason}): {Detail}")]
    private static partial void LogBadAnswer(ILogger logger, string requestId, string reason, string detail);
}
