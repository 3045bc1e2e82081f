namespace QazBus.Topology;

/// <summary>
/// The exchanges, queues and bindings of one piece of the bus (an endpoint, a delay level, a contract exchange).
/// Declared in this order, exchanges, then queues, then bindings, every binding finds both ends in place.
/// </summary>
/// <param name="Exchanges">The exchanges to declare.</param>
/// <param name="Queues">The queues to declare, with their arguments.</param>
/// <param name="Bindings">The bindings to make.</param>
internal sealed record TopologyPart(
    IReadOnlyList<ExchangeDeclaration> Exchanges,
    IReadOnlyList<QueueDeclaration> Queues,
    IReadOnlyList<BindingDeclaration> Bindings);
