namespace QazBus.Naming;

/// <summary>
/// The RabbitMQ arguments of every queue QazBus declares: one table, used by the transport when it declares and by
/// the registry's topology generator (<c>qazbus topology</c>) when it writes broker definitions, so the two can never
/// disagree (RabbitMQ refuses a redeclare with different arguments: 406 PRECONDITION_FAILED).
/// </summary>
public static class QueueArguments
{
    /// <summary>RabbitMQ's header on a redelivered message of a quorum queue: how often it was delivered and returned before.</summary>
    public const string DeliveryCountHeader = "x-delivery-count";

    /// <summary>The default of <c>QazBus:RabbitMq:DeliveryLimit</c>, as in RabbitMQ 4's quorum queues.</summary>
    public const int DefaultDeliveryLimit = 20;

    /// <summary>The default of <c>QazBus:RabbitMq:QuorumReplicas</c>: three copies tolerate one node down.</summary>
    public const int DefaultQuorumReplicas = 3;

    /// <summary>
    /// An endpoint's queue: quorum (replicated, confirms mean a majority has the message), with a delivery limit so a
    /// message that crashes its consumer process every time cannot crash-loop the endpoint forever. The pipeline
    /// moves such a message to the error queue itself on its last delivery, with the reason <c>delivery-limit</c>.
    /// </summary>
    /// <param name="queue">The endpoint's queue name.</param>
    /// <param name="deliveryLimit">How often a message may be returned to the queue (consumer gone, nack) before it is dead-lettered.</param>
    /// <param name="replicas">How many nodes hold a copy: <c>QazBus:RabbitMq:QuorumReplicas</c>.</param>
    public static IReadOnlyDictionary<string, object> Endpoint(string queue, int deliveryLimit, int replicas)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(deliveryLimit, 1);
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["x-queue-type"] = "quorum",
            [QuorumGroupSize] = Replicas(replicas),
            ["x-delivery-limit"] = deliveryLimit,
            // The broker's own dead-lettering (to the error exchange, at least once) is not declared yet: with it,
            // the client's topology recovery after a broker crash failed in the broker-outage health test.
        };
    }

    /// <summary>An error queue: quorum; nothing consumes it automatically, so it needs no limit.</summary>
    /// <param name="replicas">How many nodes hold a copy: <c>QazBus:RabbitMq:QuorumReplicas</c>.</param>
    public static IReadOnlyDictionary<string, object> ErrorQueue(int replicas) =>
        new Dictionary<string, object>(StringComparer.Ordinal) { ["x-queue-type"] = "quorum", [QuorumGroupSize] = Replicas(replicas) };

    /// <summary>A delay level: a TTL quorum queue that dead-letters each message, at least once, back to the default exchange with its routing key (the endpoint's queue).</summary>
    /// <param name="delay">The level's delay.</param>
    /// <param name="replicas">How many nodes hold a copy: <c>QazBus:RabbitMq:QuorumReplicas</c>.</param>
    public static IReadOnlyDictionary<string, object> DelayLevel(TimeSpan delay, int replicas) =>
        new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["x-queue-type"] = "quorum",
            [QuorumGroupSize] = Replicas(replicas),
            ["x-message-ttl"] = (long)delay.TotalMilliseconds,
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-strategy"] = "at-least-once",
            ["x-overflow"] = "reject-publish",
        };

    // RabbitMQ places the copies when the queue is declared; a queue already declared keeps its members (grow or
    // shrink it with `rabbitmq-queues grow|shrink`). A broker with fewer nodes places one copy per node.
    private const string QuorumGroupSize = "x-quorum-initial-group-size";

    private static int Replicas(int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        return replicas;
    }
}
