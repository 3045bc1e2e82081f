namespace QazBus.Observation;

/// <summary>
/// Told of every message this system sends and of the outcome of every message it receives. The message log
/// is one; the demo's journey printer is another. Register with <c>services.AddSingleton&lt;IMessageObserver, T&gt;()</c>.
/// </summary>
/// <remarks>
/// Observers run on the message path: a failing observer fails the publish (the caller sees it) or returns the
/// received message to the queue, so an audit record is never silently skipped. Keep them fast.
/// </remarks>
public interface IMessageObserver
{
    /// <summary>A message was confirmed by the broker.</summary>
    ValueTask OnPublishedAsync(MessageRecord record, CancellationToken cancellationToken);

    /// <summary>A received message reached an outcome at an endpoint.</summary>
    ValueTask OnConsumedAsync(MessageRecord record, CancellationToken cancellationToken);
}

/// <summary>What happened to a message at one point of its journey.</summary>
public enum MessageOutcome
{
    /// <summary>Published and confirmed by the broker.</summary>
    Published,

    /// <summary>Handled successfully at an endpoint.</summary>
    Handled,

    /// <summary>A duplicate of a message the endpoint already handled; dropped by the inbox.</summary>
    Duplicate,

    /// <summary>Failed; scheduled for delayed redelivery.</summary>
    RedeliveryScheduled,

    /// <summary>Moved to the endpoint's error queue.</summary>
    DeadLettered,
}

/// <summary>A message at one point of its journey: metadata, outcome and body.</summary>
public sealed record MessageRecord
{
    /// <summary>The CloudEvents id, or null when the message had none (a bad message).</summary>
    public string? MessageId { get; init; }

    /// <summary>The contract name, when known.</summary>
    public string? Contract { get; init; }

    /// <summary>The contract major version, when known.</summary>
    public int? Version { get; init; }

    /// <summary>The sending system (CloudEvents source), when known.</summary>
    public string? Source { get; init; }

    /// <summary>The exchange published to, or the queue received at.</summary>
    public required string Destination { get; init; }

    /// <summary>The system that records this: the sender for a publish, the receiver for a consume.</summary>
    public required string System { get; init; }

    /// <summary>The correlation id, when set.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The W3C traceparent the message carried.</summary>
    public string? TraceParent { get; init; }

    /// <summary>What happened.</summary>
    public required MessageOutcome Outcome { get; init; }

    /// <summary>For failures: the reason code (see <c>RejectReason</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>How many handler attempts were made (0 for a publish).</summary>
    public int Attempts { get; init; }

    /// <summary>When this outcome was reached.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>For a query's request and its answer: the request hash (<c>qazbus-request-hash</c>) that links them as evidence.</summary>
    public string? RequestHash { get; init; }

    /// <summary>The body as sent on the wire (contract JSON).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }
}
