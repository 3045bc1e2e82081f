namespace QazBus.Handling;

/// <summary>What a handler knows about the message it handles, taken from its CloudEvents headers.</summary>
public sealed record MessageContext
{
    /// <summary>The CloudEvents <c>id</c>: unique per sending system.</summary>
    public required string MessageId { get; init; }

    /// <summary>The CloudEvents <c>source</c>: the sending system, for example <c>mju.population-registry</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The contract name (CloudEvents <c>type</c>).</summary>
    public required string Contract { get; init; }

    /// <summary>The major version the message was published with (before any upcast).</summary>
    public required int Version { get; init; }

    /// <summary>The CloudEvents <c>time</c>: when the event happened at the source.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The queue this message was received from.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The correlation id, if the sender set one.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>1 for the first attempt; grows with each retry.</summary>
    public int Attempt { get; init; } = 1;
}
