using System.Globalization;
using QazBus.Configuration;
using QazBus.Naming;
using QazBus.Observation;
using QazBus.Transport;
using QazBus.Transport.RabbitMq;
using QazBus.Wire;
using RabbitMQ.Client;

namespace QazBus.Operations;

/// <summary>
/// Dead-letter operations on a RabbitMQ error queue: list, show, replay, discard. The library behind
/// <c>qazbus errors …</c> and the operator console.
/// </summary>
/// <remarks>
/// Replay publishes the message back to its endpoint queue with publisher confirms and only then removes it from
/// the error queue: an interrupted replay leaves, at worst, a copy in both queues (the inbox drops the duplicate),
/// never none. Listing takes messages without acknowledging them and returns them when done; it does not
/// consume. Every replay and discard is reported to the observers (the message log) with the operator's name.
/// </remarks>
public sealed class ErrorQueueClient : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IMessageObserver[] _observers;
    private readonly TimeProvider _time;

    private ErrorQueueClient(IConnection connection, IMessageObserver[] observers, TimeProvider time)
    {
        _connection = connection;
        _observers = observers;
        _time = time;
    }

    /// <summary>Connects with operator credentials, the way every QazBus host connects (<see cref="BrokerConnections"/>).</summary>
    /// <param name="broker">
    /// The broker: <see cref="RabbitMqOptions.Uri"/> (<c>amqp://user:password@host:5672/vhost</c> or <c>amqps://…</c>),
    /// <see cref="RabbitMqOptions.Tls"/> for a broker that only the state's authority vouches for, and
    /// <see cref="RabbitMqOptions.ConnectTimeout"/>.
    /// </param>
    /// <param name="observers">Told of every replay and discard; pass the message log.</param>
    /// <param name="time">The clock; default system.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="BrokerConnectionException">The login was refused, the broker did not answer, or its certificate was not trusted.</exception>
    public static async Task<ErrorQueueClient> ConnectAsync(
        RabbitMqOptions broker, IEnumerable<IMessageObserver>? observers = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var connection = await new BrokerConnections(broker).OpenAsync("qazbus-operator", cancellationToken).ConfigureAwait(false);
        return new ErrorQueueClient(connection, observers?.ToArray() ?? [], time ?? TimeProvider.System);
    }

    /// <summary>Lists up to <paramref name="max"/> dead letters, oldest first, leaving them in the queue.</summary>
    /// <param name="queue">The error queue, or its endpoint queue (<c>_error</c> is added).</param>
    /// <param name="max">The most to list.</param>
    /// <param name="cancellationToken">Cancels the listing; the messages stay.</param>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string queue, int max = 100, CancellationToken cancellationToken = default)
    {
        var errorQueue = ErrorQueueOf(queue);
        var letters = new List<DeadLetter>();
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var count = await CountAsync(channel, errorQueue, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < Math.Min(count, max); i++)
        {
            var result = await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                break;
            }

            letters.Add(DeadLetter.From(ToMessage(result)));
        }

        // Closing the channel returns every unacknowledged message to the queue.
        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        return letters;
    }

    /// <summary>The dead letter with <paramref name="messageId"/>, or null.</summary>
    public async Task<DeadLetter?> ShowAsync(string queue, string messageId, CancellationToken cancellationToken = default) =>
        (await ListAsync(queue, int.MaxValue, cancellationToken).ConfigureAwait(false)).FirstOrDefault(l => l.MessageId == messageId);

    /// <summary>
    /// Sends the matching dead letters back to their endpoint queue, retry state reset, the replay recorded in
    /// headers (<c>qazbus-replays</c>, <c>qazbus-replayed-at</c>, <c>qazbus-replayed-by</c>).
    /// </summary>
    /// <returns>How many were replayed.</returns>
    public Task<int> ReplayAsync(string queue, DeadLetterFilter filter, string operatorName, CancellationToken cancellationToken = default) =>
        ProcessAsync(queue, filter, operatorName, replay: true, discardReason: null, cancellationToken);

    /// <summary>Removes the matching dead letters for good; the reason is recorded through the observers.</summary>
    /// <returns>How many were discarded.</returns>
    public Task<int> DiscardAsync(string queue, DeadLetterFilter filter, string reason, string operatorName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return ProcessAsync(queue, filter, operatorName, replay: false, discardReason: reason, cancellationToken);
    }

    private async Task<int> ProcessAsync(
        string queue, DeadLetterFilter filter, string operatorName, bool replay, string? discardReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorName);
        if (!filter.IsSpecified)
        {
            throw new ArgumentException("Name the messages: a message id, a reason, a contract, or all.", nameof(filter));
        }

        var errorQueue = ErrorQueueOf(queue);
        await using var channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);

        // Look at as many messages as were there at the start: a replayed message that fails again and returns
        // to the error queue is not picked up twice in one run.
        var count = await CountAsync(channel, errorQueue, cancellationToken).ConfigureAwait(false);
        var done = 0;
        for (var i = 0; i < count; i++)
        {
            var result = await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                break;
            }

            var message = ToMessage(result);
            var letter = DeadLetter.From(message);
            if (!filter.Matches(letter))
            {
                continue; // stays unacknowledged; returned to the queue when the channel closes
            }

            var now = _time.GetUtcNow();

            // The operator's action joins the message's own trace, so its journey shows the replay or discard.
            using var span = Telemetry.QazBusDiagnostics.ActivitySource.StartActivity(
                $"{errorQueue} {(replay ? "replay" : "discard")}", System.Diagnostics.ActivityKind.Producer, Telemetry.TraceContext.Extract(message));
            span?.SetTag("messaging.system", "rabbitmq");
            span?.SetTag("messaging.destination.name", letter.Endpoint ?? errorQueue);
            span?.SetTag("messaging.message.id", letter.MessageId);
            span?.SetTag("qazbus.contract.name", letter.Contract);
            span?.SetTag("qazbus.operator", operatorName);
            if (replay)
            {
                var target = letter.Endpoint ?? errorQueue[..^BusNames.ErrorQueueSuffix.Length];
                var replayed = message.WithHeaders(
                    [
                        new(WireHeaders.Replays, letter.Replays + 1),
                        new(WireHeaders.ReplayedAt, HeaderText.Time(now)),
                        new(WireHeaders.ReplayedBy, operatorName),
                    ],
                    remove: ResetOnReplay);
                await channel.BasicPublishAsync(string.Empty, target, mandatory: true, RabbitMqTransport.ToProperties(replayed), replayed.Body, cancellationToken).ConfigureAwait(false);
            }

            await channel.BasicAckAsync(result.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            done++;
            await ObserveAsync(letter, errorQueue, replay ? "replayed" : $"discarded: {discardReason}", operatorName, now, cancellationToken).ConfigureAwait(false);
        }

        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        return done;
    }

    // A replay starts the retry policy afresh.
    private static readonly string[] ResetOnReplay =
    [
        WireHeaders.Attempts, WireHeaders.Redeliveries, WireHeaders.FirstFailure, WireHeaders.LastFailure, WireHeaders.NextAttempt,
        WireHeaders.ErrorReason, WireHeaders.ErrorMessage, WireHeaders.ErrorException, WireHeaders.ErrorEndpoint,
        WireHeaders.ErrorSystem, WireHeaders.ErrorHost, WireHeaders.ErrorTime,
    ];

    private async Task ObserveAsync(DeadLetter letter, string errorQueue, string action, string operatorName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new MessageRecord
        {
            MessageId = letter.MessageId,
            Contract = letter.Contract,
            Source = letter.Source,
            Destination = errorQueue,
            System = $"operator:{operatorName}",
            Outcome = MessageOutcome.DeadLettered,
            Reason = action,
            Attempts = letter.Attempts,
            Time = now,
        };
        foreach (var observer in _observers)
        {
            await observer.OnConsumedAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ErrorQueueOf(string queue) =>
        queue.EndsWith(BusNames.ErrorQueueSuffix, StringComparison.Ordinal) ? queue : BusNames.ErrorQueue(queue);

    private static async Task<uint> CountAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        (await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false)).MessageCount;

    private static TransportMessage ToMessage(BasicGetResult result) =>
        RabbitMqTransport.FromDelivery(result.BasicProperties, result.Body, result.Redelivered);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
