namespace QazBus.Storage.MessageLog;

/// <summary>One row of the message log: what happened to a message at one point of its journey.</summary>
public sealed record MessageLogEntry
{
    /// <summary>The row's position in the hash chain: 1, 2, 3 … without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the outcome was reached (UTC, microseconds).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The system that recorded the row: the sender for a publish, the receiver for a consume.</summary>
    public required string System { get; init; }

    /// <summary>The outcome, a <see cref="Observation.MessageOutcome"/> name: Published, Handled, Duplicate, RedeliveryScheduled or DeadLettered.</summary>
    public required string Outcome { get; init; }

    /// <summary>The CloudEvents id, when the message had one.</summary>
    public string? MessageId { get; init; }

    /// <summary>The contract name, when known.</summary>
    public string? Contract { get; init; }

    /// <summary>The contract major version, when known.</summary>
    public int? Version { get; init; }

    /// <summary>The sending system (CloudEvents source).</summary>
    public string? Source { get; init; }

    /// <summary>The exchange published to, or the queue (receiver endpoint) received at.</summary>
    public required string Destination { get; init; }

    /// <summary>The correlation id, when set.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The W3C traceparent the message carried.</summary>
    public string? TraceParent { get; init; }

    /// <summary>For failures: the reason code.</summary>
    public string? Reason { get; init; }

    /// <summary>Handler attempts (0 for a publish).</summary>
    public int Attempts { get; init; }

    /// <summary>SHA-256 of the payload, lowercase hex: stored even when the payload itself is not.</summary>
    public required string PayloadHash { get; init; }

    /// <summary>True when the payload was stored (the contract's logging mode is not metadata-only).</summary>
    public bool PayloadLogged { get; init; }

    /// <summary>The payload (contract JSON) when stored.</summary>
    public ReadOnlyMemory<byte>? Payload { get; init; }

    /// <summary>For a query's request and its answer: the request hash (<c>qazbus-request-hash</c>) linking the two as evidence.</summary>
    public string? RequestHash { get; init; }

    /// <summary>The previous row's hash, lowercase hex (64 zeros for the first row).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>This row's hash, lowercase hex.</summary>
    public required string Hash { get; init; }
}
