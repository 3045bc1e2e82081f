using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using QazBus.Configuration;
using QazBus.Topology;

namespace QazBus.Transport.RabbitMq;

/// <summary>
/// The RabbitMQ transport, on the official RabbitMQ.Client 7: durable fanout exchanges, quorum queues,
/// persistent messages, publisher confirms and manual acknowledgements.
/// </summary>
internal sealed partial class RabbitMqTransport : IBusTransport
{
    private readonly QazBusOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly BrokerConnections _connections;
    private readonly ResiliencePipeline _publishPipeline;
    private readonly TimeSpan _publishTimeout;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _delayLevels = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IConnection? _consumeConnection;
    private IChannel? _publishChannel;

    // Connections whose automatic recovery has not completed: the socket may be open again while the client still
    // re-declares the topology and re-registers consumers, and a failed attempt aborts it and starts over. Only a
    // completed recovery (exchanges, queues, bindings, consumers) counts as connected.
    private int _recovering;

    public RabbitMqTransport(IOptions<QazBusOptions> options, ILogger<RabbitMqTransport> logger)
    {
        _options = options.Value;
        _logger = logger;
        _connections = new BrokerConnections(_options.RabbitMq, logger);

        // Publishing while the connection recovers (a broker restart, a network cut): wait for recovery and
        // send again, within PublishRetryTimeout. Channel errors (no such exchange, access refused) are not retried.
        // A publish never waits longer than PublishRetryTimeout: it throws.
        _publishTimeout = _options.RabbitMq.PublishRetryTimeout > TimeSpan.Zero ? _options.RabbitMq.PublishRetryTimeout : TimeSpan.FromMilliseconds(1);
        _publishPipeline = BackoffPipeline.Build(
            _publishTimeout,
            TimeSpan.FromMilliseconds(100),
            TimeSpan.FromSeconds(2),
            IsConnectionFailure,
            (attempt, _, failure) => LogPublishRetry(_logger, attempt, failure?.Message));
    }

    public bool IsConnected => Volatile.Read(ref _recovering) == 0 && _connection is { IsOpen: true } && _consumeConnection is null or { IsOpen: true };

    private IConnection TrackRecovery(IConnection connection)
    {
        // Each connection is counted once while it is down: the shutdown event fires again for every failed
        // recovery attempt (the client's own abort, initiated by "Application"), so a flag per connection keeps the
        // count honest. Our own close at stop is the only application-initiated shutdown of a connection that is up.
        var down = 0;
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            if (args.Initiator != ShutdownInitiator.Application)
            {
                if (Interlocked.Exchange(ref down, 1) == 0)
                {
                    Interlocked.Increment(ref _recovering);
                }
            }

            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            if (Interlocked.Exchange(ref down, 0) == 1)
            {
                Interlocked.Decrement(ref _recovering);
            }

            return Task.CompletedTask;
        };
        return connection;
    }

    public async Task<long?> GetQueueDepthAsync(string queue, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                return declared.MessageCount;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                return null;
            }
        }
    }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is not null)
            {
                return;
            }

            _connection = TrackRecovery(await _connections.OpenAsync(_options.System, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task DeclareExchangeAsync(string exchange, CancellationToken cancellationToken) =>
        _options.RabbitMq.ManagedTopology ? Task.CompletedTask : DeclareAsync([BusTopology.ContractExchange(exchange)], cancellationToken);

    public Task DeclareEndpointAsync(string queue, IReadOnlyCollection<string> exchanges, CancellationToken cancellationToken)
    {
        // Under managed topology the contract exchanges come from the registry's definitions, and this system may
        // not declare exchanges it does not own: it only binds (read on the exchange).
        // An exchange named like the queue is the system's own (its reply exchange): declared in either case.
        var endpoint = BusTopology.Endpoint(queue, exchanges, _options.RabbitMq.DeliveryLimit, _options.RabbitMq.QuorumReplicas);
        var declared = _options.RabbitMq.ManagedTopology ? exchanges.Where(exchange => exchange == queue) : exchanges;
        return DeclareAsync([.. declared.Select(BusTopology.ContractExchange), endpoint], cancellationToken);
    }

    public Task PublishAsync(string exchange, TransportMessage message, CancellationToken cancellationToken) =>
        PublishCoreAsync(exchange, string.Empty, mandatory: false, message, cancellationToken);

    // Each error queue has a fanout exchange of the same name: the system writes to an exchange under its own
    // name prefix, so broker permissions need no write access to the default exchange (which reaches every queue).
    // Mandatory: a send that reaches no queue must fail, not vanish.
    public Task SendToErrorQueueAsync(string errorQueue, TransportMessage message, CancellationToken cancellationToken) =>
        PublishCoreAsync(errorQueue, string.Empty, mandatory: true, message, cancellationToken);

    public async Task SendDelayedAsync(string queue, TransportMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var level = Retry.DelayLevels.QueueName(delay);
        if (!_options.RabbitMq.ManagedTopology)
        {
            await _delayLevels.GetOrAdd(level, _ => DeclareDelayLevelAsync(delay)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        // The level's fanout exchange ignores the routing key; the TTL queue keeps it, and on expiry dead-letters
        // the message to the default exchange with that same routing key: the endpoint's queue.
        await PublishCoreAsync(level, queue, mandatory: true, message, cancellationToken).ConfigureAwait(false);
    }

    public Task SendReplyAsync(string replyTo, TransportMessage message, CancellationToken cancellationToken) =>
        replyTo.StartsWith(Wire.WireHeaders.DirectReplyTo, StringComparison.Ordinal)
            // Direct reply-to goes through the default exchange; a requester that is gone drops it (not mandatory).
            ? PublishCoreAsync(string.Empty, replyTo, mandatory: false, message, cancellationToken)
            // A durable reply queue behind its fanout exchange of the same name: it must reach the queue.
            : PublishCoreAsync(replyTo, string.Empty, mandatory: true, message, cancellationToken);

    public async Task<IRequestChannel> OpenRequestChannelAsync(Func<TransportMessage, Task> onReply, CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return new RabbitMqRequestChannel(GetConnectionAsync, PublishChannelOptions, onReply, _options.System, _logger);
    }

    private Task DeclareDelayLevelAsync(TimeSpan delay) => DeclareAsync([BusTopology.DelayLevel(delay, _options.RabbitMq.QuorumReplicas)], CancellationToken.None);

    public async Task<IBusConsumer> ConsumeAsync(
        string queue,
        ConsumerSettings settings,
        Func<TransportMessage, CancellationToken, Task> onMessage,
        CancellationToken cancellationToken)
    {
        var connection = await GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: settings.ConcurrencyLimit),
            cancellationToken).ConfigureAwait(false);
        await channel.BasicQosAsync(0, settings.PrefetchCount, global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new RabbitMqConsumer(channel, queue, settings.DrainTimeout, onMessage, _logger);
        await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        return consumer;
    }

    public async ValueTask DisposeAsync()
    {
        if (_publishChannel is not null)
        {
            await _publishChannel.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var connection in new[] { _consumeConnection, _connection })
        {
            if (connection is not null)
            {
                try
                {
                    await connection.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
                {
                    // Stopping while the broker is unreachable: the connection is already gone.
                }

                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        _gate.Dispose();
    }

    private async Task PublishCoreAsync(string exchange, string routingKey, bool mandatory, TransportMessage message, CancellationToken cancellationToken)
    {
        // One deadline for the whole publish, the broker's confirm included: a quorum queue that has lost the
        // majority of its nodes accepts the message but never confirms it, and a publish must then fail within
        // PublishRetryTimeout, not hang (the caller, or the outbox relay, sends it again; the inbox drops a double).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_publishTimeout);
        var channel = _publishChannel;
        try
        {
            await PublishUntilConfirmedAsync(exchange, routingKey, mandatory, message, deadline.Token).ConfigureAwait(false);
        }
        catch (PublishException ex) when (!ex.IsReturn)
        {
            // The broker refused the message (basic.nack): it is not stored, the caller (or the relay) must send it
            // again. RabbitMQ 3.10 nacks a publish to a quorum queue that has lost its majority, and keeps nacking
            // on that channel after a new leader is elected (measured: for minutes, while a fresh channel is
            // confirmed at once), so the channel is retired and the next publish opens a new one.
            RetirePublishChannel(channel);
            throw;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"RabbitMQ did not confirm the publish of message {message.MessageId} to '{exchange}' within {QazBusOptions.SectionName}:RabbitMq:PublishRetryTimeout ({_publishTimeout}): " +
                "the broker is unreachable or the queue has lost the majority of its nodes. The message may not be stored: publish it again (the inbox drops a duplicate).",
                ex);
        }
    }

    private async Task PublishUntilConfirmedAsync(string exchange, string routingKey, bool mandatory, TransportMessage message, CancellationToken cancellationToken)
    {
        var properties = ToProperties(message);

        // Fast path: the channel is open, publish once. The resilience pipeline (retry while the connection
        // recovers) costs a closure, a pooled context and a timer per call, so it is entered only when there is
        // something to recover from.
        var open = _publishChannel;
        if (open is { IsOpen: true })
        {
            try
            {
                // With confirmation tracking on, this completes when the broker has confirmed the message, and
                // throws when it nacks or returns it. Many publishes may be in flight on the channel at once.
                await open.BasicPublishAsync(exchange, routingKey, mandatory, properties, message.Body, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                // The connection dropped before the confirm came: the message may or may not be stored, so it is
                // sent again once the connection is back (on another node of a cluster); the inbox drops a double.
                LogPublishRetry(_logger, 1, ex.Message);
            }
        }

        await _publishPipeline.ExecuteAsync(
            async token =>
            {
                var channel = await GetPublishChannelAsync(token).ConfigureAwait(false);
                await channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, message.Body, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private void RetirePublishChannel(IChannel? channel)
    {
        if (channel is null || Interlocked.CompareExchange(ref _publishChannel, null, channel) != channel)
        {
            return; // already replaced by another publish
        }

        // Closed later, not now: other publishes on it may still be waiting for their confirms.
        _ = Task.Delay(_publishTimeout).ContinueWith(_ => channel.DisposeAsync().AsTask(), TaskScheduler.Default).Unwrap();
    }

    private async ValueTask<IChannel> GetPublishChannelAsync(CancellationToken cancellationToken)
    {
        var channel = _publishChannel;
        if (channel is { IsOpen: true })
        {
            return channel;
        }

        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_publishChannel is { IsOpen: true })
            {
                return _publishChannel;
            }

            // A channel closed by a channel error (e.g. 404 on a missing exchange) is not recovered by the
            // client; open a new one. A channel closed by a lost connection is recovered with it.
            if (_publishChannel is not null && !connection.IsOpen)
            {
                throw new AlreadyClosedException(connection.CloseReason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 0, "connection is recovering"));
            }

            var old = _publishChannel;
            _publishChannel = await connection.CreateChannelAsync(PublishChannelOptions, cancellationToken).ConfigureAwait(false);
            if (old is not null)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            return _publishChannel;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Confirms tracked per message: BasicPublishAsync completes when the broker has acked (or nacked/returned) it.
    // No rate limiter on outstanding confirms: this constructor's limiter argument defaults to null (only the
    // parameterless options carry the client's ThrottlingRateLimiter(128)). Confirms in flight are bounded by the
    // callers (the relay's batch, the application's concurrent publishes); raw-throttled in docs/performance.md
    // measures what the client's limiter would cost.
    private static readonly CreateChannelOptions PublishChannelOptions = new(
        publisherConfirmationsEnabled: true,
        publisherConfirmationTrackingEnabled: true);

    private async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return _connection!;
    }

    // Consumers get their own connection, as RabbitMQ advises: when the broker applies flow control to a
    // publishing connection it stops reading from it, and acknowledgements sent on that same connection would
    // wait too. Apart, deliveries and acks never queue behind publishes and confirms; each connection has its own
    // socket, reader loop and broker-side process. Opened on the first consumer, so publish-only systems keep one.
    private async Task<IConnection> GetConsumeConnectionAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (_consumeConnection is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_consumeConnection is null)
            {
                _consumeConnection = TrackRecovery(await _connections.OpenAsync($"{_options.System} (consume)", cancellationToken).ConfigureAwait(false));
            }

            return _consumeConnection;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Exactly the parts BusTopology describes, which the registry's generator writes into the broker definitions.
    private async Task DeclareAsync(IReadOnlyList<TopologyPart> parts, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            var what = string.Empty;
            try
            {
                foreach (var part in parts)
                {
                    foreach (var exchange in part.Exchanges)
                    {
                        what = $"the exchange '{exchange.Name}'";
                        await channel.ExchangeDeclareAsync(exchange.Name, exchange.Type, exchange.Durable, exchange.AutoDelete, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    foreach (var queue in part.Queues)
                    {
                        what = $"the queue '{queue.Name}'";
                        var arguments = queue.Arguments.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal);
                        await channel.QueueDeclareAsync(queue.Name, queue.Durable, exclusive: false, queue.AutoDelete, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    foreach (var binding in part.Bindings)
                    {
                        what = $"a binding of the queue '{binding.Queue}' to the exchange '{binding.Exchange}'";
                        await channel.QueueBindAsync(binding.Queue, binding.Exchange, binding.RoutingKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
            {
                // A setting or a registry entry is wrong, not the code: say which, instead of a bare ACCESS_REFUSED.
                throw new InvalidOperationException(TopologyRefused(what, ex.ShutdownReason.ReplyText), ex);
            }

            await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private string TopologyRefused(string what, string reply) =>
        $"RabbitMQ refused system '{_options.System}' to declare {what} (403: {reply}). " + (_options.RabbitMq.ManagedTopology
            ? $"{QazBusOptions.SectionName}:RabbitMq:ManagedTopology is true, so the broker's permissions come from the registry (qazbus topology) and do not approve this: " +
              "add the subscription to the registry, regenerate the definitions and load them into the broker."
            : $"Under the permissions generated from the registry (qazbus topology) a system declares only its own queues: set {QazBusOptions.SectionName}:RabbitMq:ManagedTopology=true " +
              "(the contract exchanges and delay queues then come from the generated definitions).");

    internal static BasicProperties ToProperties(TransportMessage message) => new()
    {
        Persistent = true,
        ContentType = message.ContentType,
        MessageId = message.MessageId,
        CorrelationId = message.CorrelationId,
        ReplyTo = message.ReplyTo,
        Type = message.Type,
        AppId = message.AppId,
        Timestamp = message.Timestamp is { } time ? new AmqpTimestamp(time.ToUnixTimeSeconds()) : default,
        Headers = new Dictionary<string, object?>(message.Headers, StringComparer.Ordinal),
    };

    internal static TransportMessage FromDelivery(BasicDeliverEventArgs delivery) =>
        FromDelivery(delivery.BasicProperties, delivery.Body, delivery.Redelivered);

    internal static TransportMessage FromDelivery(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, bool redelivered)
    {
        return new TransportMessage
        {
            // The client reuses its buffer after the callback: keep our own copy.
            Body = body.ToArray(),
            Headers = TakeHeaders(properties.Headers),
            ContentType = properties.ContentType,
            MessageId = properties.MessageId,
            CorrelationId = properties.CorrelationId,
            ReplyTo = properties.ReplyTo,
            Type = properties.Type,
            AppId = properties.AppId,
            Timestamp = properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null,
            Redelivered = redelivered,
        };
    }

    // RabbitMQ.Client 7 writes its publisher-confirm sequence number into the headers it sends
    // (x-dotnet-pub-seq-no). It is the sender's bookkeeping, not part of the message: drop it on receive so a
    // forwarded message carries only its own headers.
    private const string ClientSequenceHeader = "x-dotnet-pub-seq-no";

    // The client decodes each delivery's header table into a new Dictionary (ordinal keys) that nothing else holds
    // or reuses: take it over instead of copying it, one dictionary fewer per message.
    private static Dictionary<string, object?> TakeHeaders(IDictionary<string, object?>? headers)
    {
        var taken = headers switch
        {
            null => new Dictionary<string, object?>(StringComparer.Ordinal),
            Dictionary<string, object?> owned when owned.Comparer.Equals(EqualityComparer<string>.Default) || owned.Comparer.Equals(StringComparer.Ordinal) => owned,
            _ => new Dictionary<string, object?>(headers, StringComparer.Ordinal),
        };
        taken.Remove(ClientSequenceHeader);
        return taken;
    }

    // Transient: the connection is down or being recovered. Permanent: the broker refused this operation on
    // this channel (404 no such exchange, 403 access refused, 406 precondition failed).
    internal static bool IsConnectionFailure(Exception exception) => exception switch
    {
        BrokerUnreachableException or ConnectFailureException or SocketException or IOException => true,
        AlreadyClosedException closed => IsConnectionLevel(closed.ShutdownReason),
        OperationInterruptedException interrupted => IsConnectionLevel(interrupted.ShutdownReason),
        _ => false,
    };

    private static bool IsConnectionLevel(ShutdownEventArgs? reason) =>
        reason is null
        || reason.Initiator == ShutdownInitiator.Library
        || reason.ReplyCode is 320 or 541 or 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish failed while the connection recovers (attempt {Attempt}); retrying: {Reason}")]
    private static partial void LogPublishRetry(ILogger logger, int attempt, string? reason);
}
