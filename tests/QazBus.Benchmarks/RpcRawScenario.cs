using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;

namespace QazBus.Benchmarks;

/// <summary>
/// The plain RabbitMQ.Client 7 RPC the <c>query</c> scenario is compared with, written the fastest correct way:
/// requests persistent and mandatory to a durable fanout exchange and a quorum queue, confirmed; the server answers
/// to direct reply-to (confirmed) and then acks the request; the client consumes <c>amq.rabbitmq.reply-to</c> on the
/// channel it publishes on and matches answers by correlation id. Same request and answer bodies as <c>query</c>.
/// </summary>
/// <remarks>
/// With <paramref name="queryHeaders"/> (<c>rpc-raw-headers</c>) request and answer carry the AMQP properties and headers
/// a QazBus query carries (CloudEvents, traceparent, deadline, status, query, request hash): the wire format's cost at
/// the broker and in the client, told apart from QazBus's own.
/// </remarks>
internal sealed class RpcRawScenario(string uri, ushort prefetch, ushort dispatchConcurrency, int window, bool queryHeaders = false) : IScenario
{
    public const string Exchange = "qazbench.rpc";
    public const string Queue = "qazbench.bench.rpc";

    private readonly bool _queryHeaders = queryHeaders;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SampleRecorded>> _pending = new(StringComparer.Ordinal);
    private IConnection? _clientConnection;
    private IConnection? _serverConnection;
    private IChannel? _clientChannel;
    private IChannel? _serverChannel;
    private IChannel? _replyChannel;
    private Receiver? _receiver;

    public string Name => _queryHeaders ? "rpc-raw-headers" : "rpc-raw";

    public int Window => window;

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        _receiver = receiver;
        var factory = new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = true, ClientProvidedName = "qazbench rpc" };
        _clientConnection = await factory.CreateConnectionAsync(cancellationToken);
        _serverConnection = await factory.CreateConnectionAsync(cancellationToken);
        await using (var topology = await _clientConnection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            await topology.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await topology.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
            await topology.QueueBindAsync(Queue, Exchange, string.Empty, cancellationToken: cancellationToken);
        }

        var confirmed = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null);
        _replyChannel = await _serverConnection.CreateChannelAsync(confirmed, cancellationToken);
        _serverChannel = await _serverConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: dispatchConcurrency),
            cancellationToken);
        await _serverChannel.BasicQosAsync(0, prefetch, global: false, cancellationToken);
        await _serverChannel.BasicConsumeAsync(Queue, autoAck: false, new Server(_serverChannel, this), cancellationToken);

        _clientChannel = await _clientConnection.CreateChannelAsync(confirmed, cancellationToken);
        await _clientChannel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, new Replies(_clientChannel, this), cancellationToken);
    }

    public async Task PublishAsync(long sequence, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7().ToString();
        var answer = new TaskCompletionSource<SampleRecorded>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new SampleLookup { Sequence = sequence, SentTimestamp = Stopwatch.GetTimestamp() }, BenchJson.Options);
            var properties = new BasicProperties { Persistent = true, ContentType = "application/json", MessageId = id, ReplyTo = "amq.rabbitmq.reply-to" };
            if (_queryHeaders)
            {
                properties.Type = "qazbench.load.sample-lookup";
                properties.AppId = "qazbench.loadgen";
                properties.Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                properties.Headers = Headers(id, "qazbench.load.sample-lookup", "qazbus-deadline", DateTimeOffset.UtcNow.AddMinutes(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }

            await _clientChannel!.BasicPublishAsync(Exchange, string.Empty, mandatory: true, properties, body, cancellationToken);
            var card = await answer.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            _receiver!.OnReceived(card.Sequence, card.SentTimestamp);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async Task<string> BacklogAsync(BrokerProbe broker, CancellationToken cancellationToken) =>
        $"queue {await broker.DepthAsync(Queue, cancellationToken)}";

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in new[] { _clientChannel, _serverChannel, _replyChannel })
        {
            if (channel is not null)
            {
                await channel.CloseAsync();
                await channel.DisposeAsync();
            }
        }

        foreach (var connection in new[] { _clientConnection, _serverConnection })
        {
            if (connection is not null)
            {
                await connection.CloseAsync();
                await connection.DisposeAsync();
            }
        }
    }

    // The CloudEvents set every QazBus message carries, plus one query header.
    private static Dictionary<string, object?> Headers(string id, string type, string extra, string extraValue) => new(10)
    {
        ["cloudEvents:specversion"] = "1.0",
        ["cloudEvents:id"] = id,
        ["cloudEvents:source"] = "qazbench.loadgen",
        ["cloudEvents:type"] = type,
        ["cloudEvents:time"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["cloudEvents:dataschema"] = $"urn:qazbus:contract:{type}:v1",
        ["traceparent"] = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00",
        [extra] = extraValue,
    };

    private sealed class Server(IChannel channel, RpcRawScenario scenario) : AsyncDefaultBasicConsumer(channel)
    {
        public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            var request = JsonSerializer.Deserialize<SampleLookup>(body.Span, BenchJson.Options)!;
            var answer = JsonSerializer.SerializeToUtf8Bytes(SampleRecorded.Create(request.Sequence, request.SentTimestamp), BenchJson.Options);
            var replyId = Guid.CreateVersion7().ToString();
            var reply = new BasicProperties { ContentType = "application/json", MessageId = replyId, CorrelationId = properties.MessageId };
            if (scenario._queryHeaders)
            {
                reply.Persistent = true;
                reply.Type = "qazbench.load.sample-recorded";
                reply.AppId = "qazbench.loadgen";
                reply.Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                reply.Headers = Headers(replyId, "qazbench.load.sample-recorded", "qazbus-query-status", "ok");
                reply.Headers["qazbus-query"] = "urn:qazbus:contract:qazbench.load.sample-lookup:v1";
                reply.Headers["qazbus-request-hash"] = Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(body.Span));
            }

            await scenario._replyChannel!.BasicPublishAsync(string.Empty, properties.ReplyTo!, mandatory: false, reply, answer, cancellationToken);
            await Channel.BasicAckAsync(deliveryTag, multiple: false, cancellationToken);
        }
    }

    private sealed class Replies(IChannel channel, RpcRawScenario scenario) : AsyncDefaultBasicConsumer(channel)
    {
        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            if (properties.CorrelationId is { } id && scenario._pending.TryGetValue(id, out var answer))
            {
                answer.TrySetResult(JsonSerializer.Deserialize<SampleRecorded>(body.Span, BenchJson.Options)!);
            }

            return Task.CompletedTask;
        }
    }
}
