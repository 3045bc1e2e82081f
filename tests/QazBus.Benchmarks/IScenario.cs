namespace QazBus.Benchmarks;

/// <summary>
/// One way of moving a message from a publisher to a handler. The driver calls <see cref="PublishAsync"/>; the
/// scenario's handler reports each received message to <see cref="Receiver"/>.
/// </summary>
internal interface IScenario : IAsyncDisposable
{
    /// <summary>The scenario name in the table and the JSON.</summary>
    string Name { get; }

    /// <summary>How many publishes the throughput driver keeps in flight.</summary>
    int Window { get; }

    /// <summary>Declares the topology, starts the consumer and the publisher side.</summary>
    Task StartAsync(Receiver receiver, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes message <paramref name="sequence"/>, stamped with the current Stopwatch timestamp, and completes
    /// when the publish is durable (broker confirm; for the outbox, the business transaction committed).
    /// </summary>
    Task PublishAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>Where unhandled messages wait when the publishers finish: which stage lags (queue, relay).</summary>
    Task<string> BacklogAsync(BrokerProbe broker, CancellationToken cancellationToken);
}

/// <summary>Where handlers report: the recorder of the current phase.</summary>
internal sealed class Receiver
{
    private Recorder? _current;
    private long _stray;

    public Recorder? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    /// <summary>Messages that belonged to no running phase (late or left over from an earlier run).</summary>
    public long Stray => Interlocked.Read(ref _stray);

    public void OnReceived(long sequence, long sentTimestamp)
    {
        if (Current?.OnReceived(sequence, sentTimestamp) != true)
        {
            Interlocked.Increment(ref _stray);
        }
    }
}
