using QazBus.Naming;

namespace QazBus.Topology;

/// <summary>
/// The one description of the broker topology QazBus uses. The RabbitMQ transport declares exactly these parts, and
/// the registry's topology generator (<c>qazbus topology</c>) writes exactly these parts into the broker's
/// definitions, so a system started against generated definitions finds every queue with the arguments it expects
/// (RabbitMQ refuses a redeclare with other arguments: 406 PRECONDITION_FAILED).
/// </summary>
internal static class BusTopology
{
    /// <summary>
    /// A contract version's exchange (<c>{contract}.v{major}</c>), or the platform's fault exchange: publishers write
    /// to it, subscribers bind their endpoint queues to it. Owned by the registry under managed topology.
    /// </summary>
    /// <param name="exchange">The exchange's name.</param>
    public static TopologyPart ContractExchange(string exchange)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        return new TopologyPart([new ExchangeDeclaration(exchange)], [], []);
    }

    /// <summary>
    /// An endpoint: its quorum queue bound to each contract exchange it subscribes to, and its error queue behind a
    /// fanout exchange of the same name (a system writes to an exchange under its own name prefix, so permissions need
    /// no write access to the default exchange, which reaches every queue). The contract exchanges themselves are
    /// <see cref="ContractExchange"/> parts: under managed topology a system may bind to them but not declare them.
    /// </summary>
    /// <param name="queue">The endpoint's queue, <c>{agency}.{system}.{endpoint}</c>.</param>
    /// <param name="contractExchanges">The exchanges of the contract versions it subscribes to.</param>
    /// <param name="deliveryLimit">The queue's <c>x-delivery-limit</c>: <c>QazBus:RabbitMq:DeliveryLimit</c>.</param>
    /// <param name="replicas">How many nodes hold a copy of each queue: <c>QazBus:RabbitMq:QuorumReplicas</c>.</param>
    public static TopologyPart Endpoint(string queue, IEnumerable<string> contractExchanges, int deliveryLimit, int replicas)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentNullException.ThrowIfNull(contractExchanges);
        var errorQueue = BusNames.ErrorQueue(queue);
        return new TopologyPart(
            [new ExchangeDeclaration(errorQueue)],
            [new QueueDeclaration(errorQueue, QueueArguments.ErrorQueue(replicas)), new QueueDeclaration(queue, QueueArguments.Endpoint(queue, deliveryLimit, replicas))],
            [new BindingDeclaration(errorQueue, errorQueue), .. contractExchanges.Select(exchange => new BindingDeclaration(exchange, queue))]);
    }

    /// <summary>
    /// A system's durable reply queue (<see cref="BusNames.ReplyQueue"/>): an endpoint bound to its own fanout exchange
    /// of the same name, to which the providers of its queries send their answers (the registry grants them write on it).
    /// </summary>
    /// <param name="systemId">The requesting system.</param>
    /// <param name="deliveryLimit">The queue's <c>x-delivery-limit</c>.</param>
    /// <param name="replicas">How many nodes hold a copy of each queue.</param>
    public static TopologyPart Replies(string systemId, int deliveryLimit, int replicas)
    {
        var queue = BusNames.ReplyQueue(systemId);
        var endpoint = Endpoint(queue, [queue], deliveryLimit, replicas);
        return endpoint with { Exchanges = [new ExchangeDeclaration(queue), .. endpoint.Exchanges] };
    }

    /// <summary>
    /// A delay level: a fanout exchange and a TTL queue of the same name (<see cref="Retry.DelayLevels.QueueName"/>).
    /// A message is published to the exchange with its endpoint queue as routing key; on expiry the queue dead-letters
    /// it to the default exchange with that key, so it lands back in the endpoint's queue.
    /// </summary>
    /// <param name="delay">One of <see cref="Retry.DelayLevels.All"/>.</param>
    /// <param name="replicas">How many nodes hold a copy of the queue: <c>QazBus:RabbitMq:QuorumReplicas</c>.</param>
    public static TopologyPart DelayLevel(TimeSpan delay, int replicas)
    {
        var level = Retry.DelayLevels.QueueName(delay);
        return new TopologyPart([new ExchangeDeclaration(level)], [new QueueDeclaration(level, QueueArguments.DelayLevel(delay, replicas))], [new BindingDeclaration(level, level)]);
    }
}
