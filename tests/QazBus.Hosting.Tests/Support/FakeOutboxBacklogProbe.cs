using QazBus.Observation;

namespace QazBus.Hosting.Tests.Support;

/// <summary>An outbox whose backlog the test sets (the storage package implements the real one).</summary>
public sealed class FakeOutboxBacklogProbe : IOutboxBacklogProbe
{
    public OutboxBacklog Backlog { get; set; } = new(0, null);

    public Exception? Failure { get; set; }

    public Task<OutboxBacklog> GetBacklogAsync(CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(Backlog) : Task.FromException<OutboxBacklog>(Failure);
}
