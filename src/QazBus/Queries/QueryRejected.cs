using QazBus.Contracts;

namespace QazBus.Queries;

/// <summary>
/// The body of a query answer that carries no data: the rejection code and the provider's message. A platform
/// contract, so it is the same for every query; the answer's <c>qazbus-query</c> header and the fields here name the
/// question. Carries no personal data.
/// </summary>
[Contract("qazbus.queries.rejected", 1)]
public sealed record QueryRejected
{
    /// <summary>One of <see cref="QueryRejection"/>'s codes: <c>access-denied</c>, <c>no-data</c>, <c>invalid-request</c>, <c>failure</c>, <c>expired</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The provider's explanation, naming the field or header at fault for an invalid request.</summary>
    public required string Message { get; init; }

    /// <summary>The query (request contract) name, when the request named one.</summary>
    public string? Query { get; init; }

    /// <summary>The query's major version, when known.</summary>
    public int? Version { get; init; }
}
