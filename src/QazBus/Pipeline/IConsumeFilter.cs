using QazBus.Handling;

namespace QazBus.Pipeline;

/// <summary>
/// A step around every handler attempt, resolved from the message's DI scope (register as scoped). The inbox is
/// one: it opens a transaction, drops duplicates, lets the handler write in the same transaction, commits.
/// </summary>
public interface IConsumeFilter
{
    /// <summary>Does its part and calls <paramref name="continuation"/>, or does not call it to stop the message here.</summary>
    Task InvokeAsync(ConsumeContext context, ConsumeStep continuation);
}

/// <summary>The rest of the pipeline after a filter.</summary>
public delegate Task ConsumeStep(ConsumeContext context);

/// <summary>One handler attempt of one message, as filters see it.</summary>
public sealed class ConsumeContext
{
    /// <summary>Who sent the message, which contract, the endpoint and the attempt.</summary>
    public required MessageContext Message { get; init; }

    /// <summary>The deserialized (and, where needed, upcast) contract the handler will receive.</summary>
    public required object Contract { get; init; }

    /// <summary>The message's DI scope.</summary>
    public required IServiceProvider Services { get; init; }

    /// <summary>Signalled when the host stops.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Set by a filter that recognised the message as already handled (the inbox); the handler is not called.</summary>
    public bool IsDuplicate { get; set; }
}
