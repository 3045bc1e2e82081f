using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QazBus.Benchmarks;

/// <summary>
/// The limit: the plain RabbitMQ.Client 7 written the fastest correct way. Persistent messages to a durable
/// fanout exchange, a quorum queue, publisher confirms awaited per message (tracking on, many in flight on one
/// channel, no throttling limiter: the driver's window bounds them), manual ack of each message after its
/// handler. The body is the same ~500-byte JSON, serialized and deserialized with System.Text.Json.
/// </summary>
internal sealed class RawScenario(string uri, ushort prefetch, ushort dispatchConcurrency, int window, bool clientDefaultLimiter = false, bool cloudEventsHeaders = false) : IScenario
{
    public const string Exchange = "qazbench.raw";
    public const string Queue = "qazbench.bench.raw";

    private IConnection? _publishConnection;
    private IConnection? _consumeConnection;
    private IChannel? _publishChannel;
    private IChannel? _consumeChannel;
    private Receiver? _receiver;

    public string Name => clientDefaultLimiter ? "raw-throttled" : cloudEventsHeaders ? "raw-headers" : "raw";

    public int Window => window;

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        _receiver = receiver;
        var factory = new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = true, ClientProvidedName = "qazbench raw" };
        // Separate connections for publishing and consuming, as RabbitMQ advises: flow control on the publishing
        // connection then never slows acknowledgements down.
        _publishConnection = await factory.CreateConnectionAsync(cancellationToken);
        _consumeConnection = await factory.CreateConnectionAsync(cancellationToken);

        await using (var topology = await _publishConnection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            await topology.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await topology.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
            await topology.QueueBindAsync(Queue, Exchange, string.Empty, cancellationToken: cancellationToken);
        }

        _publishChannel = await _publishConnection.CreateChannelAsync(
            clientDefaultLimiter
                ? new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true) // the client's ThrottlingRateLimiter(128)
                : new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);

        _consumeChannel = await _consumeConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: dispatchConcurrency),
            cancellationToken);
        await _consumeChannel.BasicQosAsync(0, prefetch, global: false, cancellationToken);
        await _consumeChannel.BasicConsumeAsync(Queue, autoAck: false, new Consumer(_consumeChannel, this), cancellationToken);
    }

    public async Task PublishAsync(long sequence, CancellationToken cancellationToken)
    {
        var message = SampleRecorded.Create(sequence, Stopwatch.GetTimestamp());
        var body = JsonSerializer.SerializeToUtf8Bytes(message, BenchJson.Options);
        var id = Guid.CreateVersion7().ToString();
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            MessageId = id,
        };
        if (cloudEventsHeaders)
        {
            // The same AMQP properties and headers a QazBus message carries (CloudEvents binary mode + traceparent),
            // to tell the wire format's cost at the broker from QazBus's own cost in the client.
            var now = DateTimeOffset.UtcNow;
            properties.Type = "qazbench.load.sample-recorded";
            properties.AppId = "qazbench.loadgen";
            properties.Timestamp = new AmqpTimestamp(now.ToUnixTimeSeconds());
            properties.Headers = new Dictionary<string, object?>(8)
            {
                ["cloudEvents:specversion"] = "1.0",
                ["cloudEvents:id"] = id,
                ["cloudEvents:source"] = "qazbench.loadgen",
                ["cloudEvents:type"] = "qazbench.load.sample-recorded",
                ["cloudEvents:time"] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["cloudEvents:dataschema"] = "urn:qazbus:contract:qazbench.load.sample-recorded:v1",
                ["traceparent"] = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00",
            };
        }

        await _publishChannel!.BasicPublishAsync(Exchange, string.Empty, mandatory: false, properties, body, cancellationToken);
    }

    public async Task<string> BacklogAsync(BrokerProbe broker, CancellationToken cancellationToken) =>
        $"queue {await broker.DepthAsync(Queue, cancellationToken)}";

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in new[] { _consumeChannel, _publishChannel })
        {
            if (channel is not null)
            {
                await channel.CloseAsync();
                await channel.DisposeAsync();
            }
        }

        foreach (var connection in new[] { _consumeConnection, _publishConnection })
        {
            if (connection is not null)
            {
                await connection.CloseAsync();
                await connection.DisposeAsync();
            }
        }
    }

    private sealed class Consumer(IChannel channel, RawScenario scenario) : AsyncDefaultBasicConsumer(channel)
    {
        public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            var message = JsonSerializer.Deserialize<SampleRecorded>(body.Span, BenchJson.Options)!;
            scenario._receiver!.OnReceived(message.Sequence, message.SentTimestamp);
            await Channel.BasicAckAsync(deliveryTag, multiple: false, cancellationToken);
        }
    }
}
