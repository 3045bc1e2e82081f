using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>An approved right of a system to ask a query version, like a subscription: approved on a day, on a legal basis.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryQueryRequester
{
    /// <summary>The asking system's id.</summary>
    public required string System { get; init; }

    /// <summary>The day the right was approved.</summary>
    public required DateOnly Approved { get; init; }

    /// <summary>The legal basis or decision that approved it.</summary>
    public required string Basis { get; init; }
}
