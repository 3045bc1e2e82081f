using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>One agency's system on the bus.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistrySystem
{
    /// <summary>The system id, <c>{agency}.{system}</c>: <c>mju.population-registry</c>. Its queues start with it.</summary>
    public required string Id { get; init; }

    /// <summary>What the system is, in words.</summary>
    public required string Name { get; init; }

    /// <summary>Who answers for the system: a unit and a way to reach it.</summary>
    public required string Owner { get; init; }

    /// <summary>The keys the system signs its messages with, if any.</summary>
    public IReadOnlyList<RegistryPublicKey> PublicKeys { get; init; } = [];

    /// <summary>How the system authenticates to the HTTP gateway, if it uses it.</summary>
    public RegistryGatewayAccess? Gateway { get; init; }
}
