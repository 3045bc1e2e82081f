using System.Collections.Concurrent;

namespace QazBus.Runtime;

/// <summary>What health checks and operators need to know about this system's bus: endpoints paused by the kill switch.</summary>
public sealed class BusStatus
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _paused = new(StringComparer.Ordinal);

    /// <summary>Endpoint queues currently paused by the kill switch, with when they resume.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PausedEndpoints => _paused;

    internal void Paused(string queue, DateTimeOffset until) => _paused[queue] = until;

    internal void Resumed(string queue) => _paused.TryRemove(queue, out _);
}
