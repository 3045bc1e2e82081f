using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>A participating agency.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryAgency
{
    /// <summary>The agency code, lowercase <c>[a-z0-9-]+</c>: <c>mju</c>, <c>kgd</c>. The first segment of its systems and contracts.</summary>
    public required string Code { get; init; }

    /// <summary>The agency's official name.</summary>
    public required string Name { get; init; }
}
