using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>A contract: its name and its major versions. The owner agency is the first segment of the name.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryContract
{
    /// <summary>The contract name, <c>{agency}.{domain}.{event}</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The systems allowed to publish it; each must belong to the owner agency.</summary>
    public IReadOnlyList<string> Publishers { get; init; } = [];

    /// <summary>The major versions.</summary>
    public required IReadOnlyList<RegistryContractVersion> Versions { get; init; }
}
