using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>An approved right of a system to receive a contract version at one of its endpoints.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistrySubscription
{
    /// <summary>The subscribing system's id.</summary>
    public required string System { get; init; }

    /// <summary>The endpoint: the queue is <c>{system}.{endpoint}</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The contract name.</summary>
    public required string Contract { get; init; }

    /// <summary>The major version.</summary>
    public required int Version { get; init; }

    /// <summary>The day the subscription was approved.</summary>
    public required DateOnly Approved { get; init; }

    /// <summary>The legal basis or decision that approved it.</summary>
    public required string Basis { get; init; }
}
