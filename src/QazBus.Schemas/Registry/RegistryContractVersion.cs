using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>A contract's major version and its life-cycle.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryContractVersion
{
    /// <summary>The major version, 1 or more.</summary>
    public required int Version { get; init; }

    /// <summary>One of <see cref="ContractVersionStatuses.All"/>.</summary>
    public required string Status { get; init; }

    /// <summary>For a deprecated version, the day after which it may no longer be published; for a retired one, the day it stopped.</summary>
    public DateOnly? Sunset { get; init; }

    /// <summary>What the message log keeps of each message: one of <see cref="MessageLogging.All"/>.</summary>
    public string Logging { get; init; } = MessageLogging.MetadataOnly;
}
