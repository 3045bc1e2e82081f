namespace QazBus.Topology;

/// <summary>A queue of the bus: always durable and never auto-deleted; its arguments come from <see cref="Naming.QueueArguments"/>.</summary>
/// <param name="Name">The queue's name.</param>
/// <param name="Arguments">Its <c>x-</c> arguments: queue type, delivery limit, TTL and dead-lettering.</param>
internal sealed record QueueDeclaration(string Name, IReadOnlyDictionary<string, object> Arguments)
{
    /// <summary>Survives a broker restart.</summary>
    public bool Durable { get; init; } = true;

    /// <summary>Stays when its last consumer goes.</summary>
    public bool AutoDelete { get; init; }
}
