namespace QazBus.Topology;

/// <summary>An exchange of the bus: always a durable fanout exchange (routing is by binding, never by key).</summary>
/// <param name="Name">The exchange's name.</param>
internal sealed record ExchangeDeclaration(string Name)
{
    /// <summary>The exchange type, as RabbitMQ names it.</summary>
    public string Type { get; init; } = "fanout";

    /// <summary>Survives a broker restart.</summary>
    public bool Durable { get; init; } = true;

    /// <summary>Stays when its last binding goes.</summary>
    public bool AutoDelete { get; init; }
}
