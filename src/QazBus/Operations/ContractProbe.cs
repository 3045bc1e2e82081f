using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Transport;
using QazBus.Transport.RabbitMq;
using QazBus.Wire;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace QazBus.Operations;

/// <summary>
/// Watches a contract version's exchange: a temporary queue bound to it receives a copy of every message published
/// there from now on. The library behind <c>qazbus probe</c>, for integrators who want to see deliveries without
/// writing a consumer.
/// </summary>
/// <remarks>
/// The queue is server-named, exclusive, auto-delete and not durable, consumed with automatic acknowledgement: it
/// takes nothing from anyone (each bound queue gets its own copy of a fanout exchange's messages), and it disappears
/// with the connection, so a probe that dies leaves nothing behind. It never declares the exchange: a probe must not
/// create what the contract's publishers or the registry's definitions own, and a missing exchange is worth saying.
/// </remarks>
internal sealed class ContractProbe : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    // Unbounded: with automatic acknowledgement the broker pushes without waiting, and dropping what the reader has
    // not shown yet would make the probe lie about what was published. A probe is a tool run for minutes, not a consumer.
    private readonly Channel<ProbedMessage> _messages = Channel.CreateUnbounded<ProbedMessage>(new UnboundedChannelOptions { SingleReader = true });

    private ContractProbe(IConnection connection, IChannel channel, string queue, string exchange)
    {
        _connection = connection;
        _channel = channel;
        Queue = queue;
        Exchange = exchange;
    }

    /// <summary>The temporary queue's name, given by the broker (<c>amq.gen-…</c>).</summary>
    public string Queue { get; }

    /// <summary>The contract version's exchange the queue is bound to.</summary>
    public string Exchange { get; }

    /// <summary>The messages as they arrive; completed with an error when the broker closes the probe's channel.</summary>
    public ChannelReader<ProbedMessage> Messages => _messages.Reader;

    /// <summary>Connects (the way every QazBus host connects, <see cref="BrokerConnections"/>) and starts watching <paramref name="contract"/>'s exchange.</summary>
    /// <exception cref="BrokerConnectionException">The login was refused, the broker did not answer, or its certificate was not trusted.</exception>
    /// <exception cref="ContractProbeException">The exchange does not exist, or the broker refused the user the queue, the binding or the consumer.</exception>
    public static async Task<ContractProbe> StartAsync(RabbitMqOptions broker, ContractDescriptor contract, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(contract);
        var connections = new BrokerConnections(broker);
        var connection = await connections.OpenAsync("qazbus-probe", cancellationToken).ConfigureAwait(false);
        IChannel? channel = null;
        var step = "declare a temporary queue";
        try
        {
            channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var declared = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            step = $"bind the temporary queue '{declared.QueueName}' to the exchange '{contract.Exchange}'";

            // A fanout exchange ignores the routing key (BindingDeclaration): the queue gets every message.
            await channel.QueueBindAsync(declared.QueueName, contract.Exchange, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            var probe = new ContractProbe(connection, channel, declared.QueueName, contract.Exchange);
            step = $"consume the temporary queue '{declared.QueueName}'";
            await channel.BasicConsumeAsync(declared.QueueName, autoAck: true, new Deliveries(channel, probe), cancellationToken).ConfigureAwait(false);
            return probe;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode is 404 or 403 or 530)
        {
            await CloseAsync(connection, channel).ConfigureAwait(false);
            var reply = ex.ShutdownReason.ReplyText;
            throw ex.ShutdownReason.ReplyCode switch
            {
                404 => new ContractProbeException(
                    $"Contract '{contract.Name}' v{contract.MajorVersion} has no exchange yet: '{contract.Exchange}' does not exist on vhost '{connections.VirtualHost}' of RabbitMQ at {connections.Endpoint} (nobody declared it). " +
                    $"It appears when a system that publishes or handles the contract starts (with {QazBusOptions.SectionName}:RabbitMq:ManagedTopology false), or when the registry's definitions are applied ('qazbus topology --apply').",
                    ex),
                403 => new ContractProbeException(AccessRefused(connections, contract.Exchange, step, reply), ex),

                // The broker accepts the login, then closes the connection when the vhost is unknown or not the user's.
                _ => new ContractProbeException(
                    $"RabbitMQ at {connections.Endpoint} refused user '{connections.UserName}' the vhost '{connections.VirtualHost}' (530 {reply}): check the vhost in the URI, and that the user has permissions on it.",
                    ex),
            };
        }
        catch
        {
            await CloseAsync(connection, channel).ConfigureAwait(false);
            throw;
        }
    }

    // A probe needs what RabbitMQ checks for each step: configure on the queue to declare it, write on the queue and
    // read on the exchange to bind it, read on the queue to consume it. Server-named queues are amq.gen-….
    private static string AccessRefused(BrokerConnections connections, string exchange, string step, string reply) =>
        $"RabbitMQ refused user '{connections.UserName}' on vhost '{connections.VirtualHost}' to {step} (403 {reply}). " +
        $"To probe, grant '{connections.UserName}' on vhost '{connections.VirtualHost}' configure and write on '^amq\\.gen-.*' and read on '^amq\\.gen-.*' and '^{Regex.Escape(exchange)}$' " +
        "(added to its permissions: 'rabbitmqctl set_permissions' replaces them), or probe as an operator user that has them.";

    private void OnDelivered(string exchange, string routingKey, bool redelivered, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) =>
        // The transport's own reader of the wire, so the probe shows what a QazBus consumer sees (it drops only the
        // .NET client's publisher-confirm bookkeeping header).
        _messages.Writer.TryWrite(new ProbedMessage(RabbitMqTransport.FromDelivery(properties, body, redelivered), PropertiesOf(properties), exchange, routingKey));

    /// <summary>Every AMQP basic property the message carries, as text, in the order AMQP 0-9-1 lists them.</summary>
    private static List<KeyValuePair<string, string>> PropertiesOf(IReadOnlyBasicProperties p)
    {
        var list = new List<KeyValuePair<string, string>>();
        void Add(bool present, string name, Func<string?> value)
        {
            if (present && value() is { } text)
            {
                list.Add(new(name, text));
            }
        }

        Add(p.IsContentTypePresent(), "content-type", () => p.ContentType);
        Add(p.IsContentEncodingPresent(), "content-encoding", () => p.ContentEncoding);
        Add(p.IsDeliveryModePresent(), "delivery-mode", () => p.DeliveryMode == DeliveryModes.Persistent ? "2 (persistent)" : "1 (transient)");
        Add(p.IsPriorityPresent(), "priority", () => p.Priority.ToString(CultureInfo.InvariantCulture));
        Add(p.IsCorrelationIdPresent(), "correlation-id", () => p.CorrelationId);
        Add(p.IsReplyToPresent(), "reply-to", () => p.ReplyTo);
        Add(p.IsExpirationPresent(), "expiration", () => p.Expiration);
        Add(p.IsMessageIdPresent(), "message-id", () => p.MessageId);
        Add(p.IsTimestampPresent(), "timestamp", () => HeaderText.Time(DateTimeOffset.FromUnixTimeSeconds(p.Timestamp.UnixTime)));
        Add(p.IsTypePresent(), "type", () => p.Type);
        Add(p.IsUserIdPresent(), "user-id", () => p.UserId);
        Add(p.IsAppIdPresent(), "app-id", () => p.AppId);
        Add(p.IsClusterIdPresent(), "cluster-id", () => p.ClusterId);
        return list;
    }

    /// <summary>
    /// A header value as text for people: what <see cref="HeaderText.Lenient"/> gives, and for what has no text form
    /// there (an AMQP table or array, such as <c>x-death</c>; a boolean) a readable rendering of its parts.
    /// </summary>
    public static string Display(object? value) => HeaderText.Lenient(value) ?? value switch
    {
        null => "(null)",
        bool flag => flag ? "true" : "false",
        IDictionary table => "{" + string.Join(", ", table.Keys.Cast<object>().Select(key => $"{key}: {Display(table[key])}")) + "}",
        IList array => "[" + string.Join(", ", array.Cast<object?>().Select(Display)) + "]",
        AmqpTimestamp time => HeaderText.Time(DateTimeOffset.FromUnixTimeSeconds(time.UnixTime)),
        _ => value.ToString() ?? string.Empty,
    };

    private static async Task CloseAsync(IConnection connection, IChannel? channel)
    {
        if (channel is not null)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
        {
            // The broker closed it first.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Closes the connection; the broker deletes the exclusive queue with it.</summary>
    public async ValueTask DisposeAsync()
    {
        _messages.Writer.TryComplete();
        await CloseAsync(_connection, _channel).ConfigureAwait(false);
    }

    private sealed class Deliveries(IChannel channel, ContractProbe owner) : AsyncDefaultBasicConsumer(channel)
    {
        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            owner.OnDelivered(exchange, routingKey, redelivered, properties, body);
            return Task.CompletedTask;
        }

        // The broker cancelled the consumer or closed the channel (the queue was deleted, an operator closed the
        // connection): no more messages will come, so the reader stops waiting and says why.
        protected override Task OnCancelAsync(string[] consumerTags, CancellationToken cancellationToken = default)
        {
            owner._messages.Writer.TryComplete(new ContractProbeException($"RabbitMQ cancelled the probe's consumer of '{owner.Queue}'."));
            return base.OnCancelAsync(consumerTags, cancellationToken);
        }

        public override Task HandleChannelShutdownAsync(object channel, ShutdownEventArgs reason)
        {
            if (reason.Initiator != ShutdownInitiator.Application)
            {
                owner._messages.Writer.TryComplete(new ContractProbeException($"RabbitMQ closed the probe's channel ({reason.ReplyCode} {reason.ReplyText})."));
            }

            return base.HandleChannelShutdownAsync(channel, reason);
        }
    }
}
