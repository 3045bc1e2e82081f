namespace QazBus.Storage.Outbox;

/// <summary>
/// Wakes the relay: a PostgreSQL NOTIFY (a transaction that enqueued committed), or an enqueue in this process
/// (SQLite, where the row becomes visible when the caller commits, moments later).
/// </summary>
internal sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private int _nudged;

    /// <summary>Rows were committed: look now.</summary>
    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    /// <summary>A row was enqueued in a transaction that has not committed yet: look now and again shortly.</summary>
    public void Nudge()
    {
        Interlocked.Exchange(ref _nudged, 1);
        Notify();
    }

    /// <summary>True once after <see cref="Nudge"/>.</summary>
    public bool TakeNudge() => Interlocked.Exchange(ref _nudged, 0) == 1;

    /// <summary>Waits for a signal or the poll interval.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _wake.Dispose();
}
