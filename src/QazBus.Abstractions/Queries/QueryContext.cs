namespace QazBus.Queries;

/// <summary>What a query handler knows about the request it answers.</summary>
public sealed record QueryContext
{
    /// <summary>The request's CloudEvents <c>id</c>; the answer's <c>correlation-id</c>.</summary>
    public required string RequestId { get; init; }

    /// <summary>The asking system (CloudEvents <c>source</c>), checked against the registry's approved requesters.</summary>
    public required string Requester { get; init; }

    /// <summary>The query (request contract) name.</summary>
    public required string Query { get; init; }

    /// <summary>The request contract's major version.</summary>
    public required int Version { get; init; }

    /// <summary>When the request was sent.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The requester's deadline: after it, an answer is of no use.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>The request hash the answer carries (<c>qazbus-request-hash</c>).</summary>
    public required string RequestHash { get; init; }

    /// <summary>The business correlation id the requester set, if any.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>1 for the first attempt; grows with each retry.</summary>
    public int Attempt { get; init; } = 1;
}
