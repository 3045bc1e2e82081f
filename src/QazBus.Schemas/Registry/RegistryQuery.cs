using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>
/// A query one agency's system answers for others: its request and response contract versions, both owned by the
/// answering agency, the system and endpoint that answer it, and the systems approved to ask it.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryQuery
{
    /// <summary>The request contract's name: a record implementing <c>IQuery&lt;TResponse&gt;</c>.</summary>
    public required string Query { get; init; }

    /// <summary>The request contract's major version; requesters publish to its exchange <c>{query}.v{version}</c>.</summary>
    public required int Version { get; init; }

    /// <summary>The response contract's name.</summary>
    public required string Response { get; init; }

    /// <summary>The response contract's major version.</summary>
    public required int ResponseVersion { get; init; }

    /// <summary>The answering system's id; it belongs to the agency that owns both contracts.</summary>
    public required string Provider { get; init; }

    /// <summary>The provider's endpoint that answers the query: its queue is <c>{provider}.{endpoint}</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The systems approved to ask this query version, each with its approval.</summary>
    public IReadOnlyList<RegistryQueryRequester> Requesters { get; init; } = [];
}
