namespace QazBus.Topology;

/// <summary>A binding of a queue to a fanout exchange, with the empty routing key.</summary>
/// <param name="Exchange">The source exchange.</param>
/// <param name="Queue">The destination queue.</param>
internal sealed record BindingDeclaration(string Exchange, string Queue)
{
    /// <summary>The routing key: empty, a fanout exchange ignores it.</summary>
    public string RoutingKey { get; init; } = string.Empty;
}
