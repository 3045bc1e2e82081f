using System.Diagnostics;

namespace QazBus.Benchmarks;

/// <summary>
/// Collects what the handlers saw in one phase: end-to-end latency per sequence number (publish start to handler
/// receipt, both Stopwatch timestamps of this process), duplicates, and when the last message arrived.
/// </summary>
internal sealed class Recorder
{
    private readonly long _first;
    private readonly long[] _latency;
    private readonly int[] _seen;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;
    private int _duplicates;
    private long _lastReceived;
    private int _confirmed;

    public Recorder(long firstSequence, int count)
    {
        _first = firstSequence;
        _latency = new long[count];
        _seen = new int[count];
        if (count == 0)
        {
            _done.SetResult();
        }
    }

    public int Count => _latency.Length;

    public int Received => Volatile.Read(ref _received);

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Publishes that completed (confirmed by the broker, or committed for the outbox).</summary>
    public int Confirmed => Volatile.Read(ref _confirmed);

    public void OnConfirmed() => Interlocked.Increment(ref _confirmed);

    public long LastReceived => Interlocked.Read(ref _lastReceived);

    public Task Done => _done.Task;

    /// <summary>Returns false when the sequence number is not this phase's (a late message of an earlier phase).</summary>
    public bool OnReceived(long sequence, long sentTimestamp)
    {
        var now = Stopwatch.GetTimestamp();
        var index = sequence - _first;
        if ((ulong)index >= (ulong)_latency.Length)
        {
            return false;
        }

        if (Interlocked.Exchange(ref _seen[index], 1) == 1)
        {
            Interlocked.Increment(ref _duplicates);
            return true;
        }

        _latency[index] = now - sentTimestamp;
        long last;
        do
        {
            last = Interlocked.Read(ref _lastReceived);
        }
        while (now > last && Interlocked.CompareExchange(ref _lastReceived, now, last) != last);

        if (Interlocked.Increment(ref _received) == _latency.Length)
        {
            _done.TrySetResult();
        }

        return true;
    }

    /// <summary>Latencies in milliseconds, sorted.</summary>
    public double[] SortedLatenciesMs()
    {
        var result = new double[_latency.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _latency[i] * 1000.0 / Stopwatch.Frequency;
        }

        Array.Sort(result);
        return result;
    }
}
