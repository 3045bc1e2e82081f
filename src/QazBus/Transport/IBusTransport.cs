namespace QazBus.Transport;

/// <summary>
/// What the bus needs from a broker. Two implementations: RabbitMQ (production) and in-memory (embedded default,
/// pipeline tests). Both give the same semantics: durable topology, confirmed sends, and at-least-once delivery
/// where a message is acknowledged only after the consume callback returns.
/// </summary>
internal interface IBusTransport : IAsyncDisposable
{
    /// <summary>True while the connection to the broker is open (always true in memory).</summary>
    bool IsConnected { get; }

    /// <summary>How many messages wait in <paramref name="queue"/>, or null when the queue does not exist.</summary>
    Task<long?> GetQueueDepthAsync(string queue, CancellationToken cancellationToken);

    /// <summary>Connects to the broker; retries while it is not yet reachable.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Declares a contract exchange (idempotent).</summary>
    Task DeclareExchangeAsync(string exchange, CancellationToken cancellationToken);

    /// <summary>Declares an endpoint queue, its error queue, and binds the queue to <paramref name="exchanges"/> (idempotent).</summary>
    Task DeclareEndpointAsync(string queue, IReadOnlyCollection<string> exchanges, CancellationToken cancellationToken);

    /// <summary>Publishes to an exchange and completes when the broker has confirmed it.</summary>
    Task PublishAsync(string exchange, TransportMessage message, CancellationToken cancellationToken);

    /// <summary>Sends to an endpoint's error queue and completes when the broker has confirmed it.</summary>
    /// <param name="errorQueue">The error queue, <c>{queue}_error</c>.</param>
    /// <param name="message">The failed message with its qazbus-error-* headers.</param>
    /// <param name="cancellationToken">Cancels waiting for the confirm.</param>
    Task SendToErrorQueueAsync(string errorQueue, TransportMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Sends to a queue after <paramref name="delay"/> (a <see cref="Retry.DelayLevels"/> level). Completes when the
    /// broker holds the message durably; the delay runs in the broker, not in this process.
    /// </summary>
    Task SendDelayedAsync(string queue, TransportMessage message, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a query's answer to the request's <c>reply-to</c>: RabbitMQ's direct reply-to (<c>amq.rabbitmq.reply-to.…</c>,
    /// through the default exchange) or a system's durable reply exchange <c>{system}.replies</c>. Completes when the
    /// broker has confirmed it.
    /// </summary>
    Task SendReplyAsync(string replyTo, TransportMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the channel this process sends query requests on, and receives the answers to its synchronous requests
    /// on (<paramref name="onReply"/>): on RabbitMQ one channel with confirms that consumes direct reply-to, as the
    /// broker requires.
    /// </summary>
    Task<IRequestChannel> OpenRequestChannelAsync(Func<TransportMessage, Task> onReply, CancellationToken cancellationToken);

    /// <summary>
    /// Starts consuming <paramref name="queue"/>. Each message is passed to <paramref name="onMessage"/>; when it
    /// returns, the message is acknowledged; when it throws, the message is returned to the queue.
    /// </summary>
    /// <returns>A handle that pauses and resumes the consumer, and stops it, waiting for messages in flight, when disposed.</returns>
    Task<IBusConsumer> ConsumeAsync(
        string queue,
        ConsumerSettings settings,
        Func<TransportMessage, CancellationToken, Task> onMessage,
        CancellationToken cancellationToken);
}

/// <summary>Where query requests are sent from and synchronous answers arrive.</summary>
internal interface IRequestChannel : IAsyncDisposable
{
    /// <summary>The <c>reply-to</c> of a synchronous request sent on this channel.</summary>
    string ReplyTo { get; }

    /// <summary>
    /// Publishes a request and completes when the broker has confirmed it, or throws <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> (the caller's deadline) fires first; throws when no queue is bound to
    /// <paramref name="exchange"/> (no provider) and <see cref="Queries.AccessDeniedException"/> when the broker refuses the
    /// publish (the system is not an approved requester).
    /// </summary>
    Task PublishAsync(string exchange, TransportMessage message, CancellationToken cancellationToken);
}

/// <summary>How a consumer takes messages from its queue.</summary>
/// <param name="PrefetchCount">How many unacknowledged messages the broker may push at once.</param>
/// <param name="ConcurrencyLimit">How many messages are handled at the same time.</param>
/// <param name="DrainTimeout">How long disposing waits for messages in flight before it closes the channel anyway (their messages return to the queue).</param>
internal sealed record ConsumerSettings(ushort PrefetchCount, ushort ConcurrencyLimit, TimeSpan DrainTimeout);

/// <summary>A running consumer.</summary>
internal interface IBusConsumer : IAsyncDisposable
{
    /// <summary>Stops taking new messages; those in flight finish.</summary>
    Task PauseAsync();

    /// <summary>Takes messages again after <see cref="PauseAsync"/>.</summary>
    Task ResumeAsync();
}
