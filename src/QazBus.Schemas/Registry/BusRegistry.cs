using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>
/// The registry: the one declarative source of the agencies, their systems, the contract versions, the
/// approved subscriptions and the queries with their approved requesters. RabbitMQ topology and permissions, the contract catalog and the gateway's access rules
/// are derived from it. Its file format is described in <c>deploy/registry/README.md</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BusRegistry
{
    /// <summary>The participating agencies.</summary>
    public required IReadOnlyList<RegistryAgency> Agencies { get; init; }

    /// <summary>The agencies' systems on the bus.</summary>
    public required IReadOnlyList<RegistrySystem> Systems { get; init; }

    /// <summary>The contracts and their major versions.</summary>
    public required IReadOnlyList<RegistryContract> Contracts { get; init; }

    /// <summary>The approved rights of systems to receive contract versions.</summary>
    public IReadOnlyList<RegistrySubscription> Subscriptions { get; init; } = [];

    /// <summary>The queries systems answer for others, and who may ask them.</summary>
    public IReadOnlyList<RegistryQuery> Queries { get; init; } = [];
}
