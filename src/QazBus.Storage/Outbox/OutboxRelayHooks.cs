namespace QazBus.Storage.Outbox;

/// <summary>
/// Test seams of the relay, registered as a singleton only by tests: for example a crash between the broker's
/// confirms and marking the rows sent.
/// </summary>
internal sealed class OutboxRelayHooks
{
    /// <summary>Runs after a batch was published and before it is marked sent; an exception abandons the batch like a crash.</summary>
    public Func<IReadOnlyList<string>, Task>? AfterPublish { get; init; }
}
