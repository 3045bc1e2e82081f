using QazBus.Contracts;

namespace QazBus.Operations;

/// <summary>
/// Published by the platform whenever a message is moved to an error queue, so operators (and a monitoring
/// system) can subscribe to failures instead of polling queues. Carries no body field: bodies hold personal data.
/// </summary>
/// <remarks>
/// Contracts of the platform agency <c>qazbus</c> are the one exception to "only the owner publishes": every
/// system publishes its own faults.
/// </remarks>
[Contract("qazbus.operations.message-faulted", 1)]
public sealed record MessageFaulted
{
    /// <summary>The failed message's CloudEvents id, when it had one.</summary>
    public string? MessageId { get; init; }

    /// <summary>The failed message's contract, when known.</summary>
    public string? Contract { get; init; }

    /// <summary>The failed message's contract version, when known.</summary>
    public int? Version { get; init; }

    /// <summary>The system that sent the failed message, when known.</summary>
    public string? Source { get; init; }

    /// <summary>The queue it failed at.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The error queue it now waits in.</summary>
    public required string ErrorQueue { get; init; }

    /// <summary>The reason code (<c>handler-failed</c>, <c>schema-violation</c>, …).</summary>
    public required string Reason { get; init; }

    /// <summary>The readable description.</summary>
    public required string Description { get; init; }

    /// <summary>The exception type, when an exception caused it.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Handler attempts made.</summary>
    public required int Attempts { get; init; }

    /// <summary>When it was moved to the error queue.</summary>
    public required DateTimeOffset FaultedAt { get; init; }
}
