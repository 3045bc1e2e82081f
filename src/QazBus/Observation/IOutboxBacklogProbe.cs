namespace QazBus.Observation;

/// <summary>
/// Reports how many outbox rows wait to be sent, and the age of the oldest; the storage package implements it,
/// health checks and metrics read it.
/// </summary>
public interface IOutboxBacklogProbe
{
    /// <summary>The current backlog.</summary>
    Task<OutboxBacklog> GetBacklogAsync(CancellationToken cancellationToken);
}

/// <summary>The outbox backlog at one moment.</summary>
/// <param name="Count">Rows not yet sent.</param>
/// <param name="OldestAge">How long the oldest unsent row has waited; null when none waits.</param>
public sealed record OutboxBacklog(long Count, TimeSpan? OldestAge);
